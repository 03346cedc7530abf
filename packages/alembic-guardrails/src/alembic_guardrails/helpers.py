"""Small helpers for revision scripts: the environment, offline mode, online NOT NULL, squawk,
and the check for rows that break a new constraint (autogenerate writes it; a hand-written
revision adding a foreign key, unique constraint, CHECK or NOT NULL can call it too).

env.py passes the environment name to every migration as
`op.get_context().opts["env"]` (dev, test, staging or prod), so a revision can
do environment-specific work, such as demo data outside production:

    from alembic_guardrails.helpers import environment

    def upgrade() -> None:
        if environment() == "prod":
            return  # no demo data in production
        op.bulk_insert(...)
"""

from alembic import op

from ._online_ddl import has_constraint, set_not_null
from ._phases import post_deploy_requested
from ._row_checks import refuse_breaking_rows
from ._squawk import squawk_ignore

__all__ = [
    "environment",
    "has_constraint",
    "is_offline",
    "is_production",
    "post_deploy_requested",
    "refuse_breaking_rows",
    "set_not_null",
    "squawk_ignore",
]


def environment() -> str:
    """The environment this migration runs in: dev, test, staging or prod."""
    return str(op.get_context().opts.get("env", "dev"))


def is_production() -> bool:
    return environment() == "prod"


def is_offline() -> bool:
    """True under `--sql`: there is no database to read from, only SQL to write."""
    return op.get_context().as_sql
