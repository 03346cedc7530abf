"""The MetaData every model registers its table on, with its naming convention.

Kept apart from models.py so that `alembic upgrade` and `downgrade`, which need
only the naming convention, do not import the ORM (see alembic/env.py).
"""

from typing import Any, cast

from sqlalchemy import MetaData
from sqlalchemy.exc import InvalidRequestError


def constraint_name_or_column_0_name(constraint: Any, table: Any) -> str:
    """The name part of a CHECK constraint: its own name, else its column's.

    `Boolean(create_constraint=True)` and non-native `Enum` add unnamed CHECKs
    (on SQLite and MySQL/MariaDB): they are named after their column, where a
    plain `%(constraint_name)s` would fail at `alembic upgrade`. A textual
    CHECK with no name and no column to name it after is refused here, when
    the models are loaded, rather than half-way through an upgrade.
    """
    if isinstance(constraint.name, str) and constraint.name:
        return constraint.name
    columns = list(constraint.columns)
    if columns:
        return cast(str, columns[0].name)
    raise InvalidRequestError(
        f"Give the CHECK constraint on table {table.name!r} a name: "
        f"CheckConstraint({str(constraint.sqltext)!r}, name='...') "
        "(the naming convention in schema.py needs one to drop it later)"
    )


# Every constraint and index gets a predictable name, so later revisions can
# drop or alter it on every database (unnamed constraints cannot be dropped
# portably). The CHECK token's name contains "constraint_name" on purpose:
# SQLAlchemy then applies the convention to explicitly named CHECKs too
# (`name="positive"` becomes ck_<table>_positive).
NAMING_CONVENTION: dict[str, Any] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name_or_column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "constraint_name_or_column_0_name": constraint_name_or_column_0_name,
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)
