"""demo data (development only)

The second tutorial's environment-specific revision: demo rows everywhere but
production. env.py hands every migration its environment as
op.get_context().opts["env"]; alembic_guardrails.helpers.environment() reads it.

Revision ID: 7d2e4c6a8b10
Revises: 5f3a9c2e1b7d
Create Date: 2025-11-28 13:00:00.000000+00:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from alembic_guardrails.helpers import environment

# revision identifiers, used by Alembic.
revision: str = "7d2e4c6a8b10"
down_revision: Union[str, Sequence[str], None] = "5f3a9c2e1b7d"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

DEMO_USERS = [{"name": "Ada (demo)"}, {"name": "Grace (demo)"}, {"name": "Linus (demo)"}]
users = sa.table("users", sa.column("name", sa.String))


def upgrade() -> None:
    if environment() == "prod":
        return  # production never gets demo data
    # bulk_insert works online and renders plain INSERTs under --sql.
    op.bulk_insert(users, DEMO_USERS)


def downgrade() -> None:
    if environment() == "prod":
        return
    op.execute(users.delete().where(users.c.name.in_([row["name"] for row in DEMO_USERS])))
