"""The MetaData every model registers its table on, with its naming convention.

Kept apart from models.py so that `alembic upgrade` and `downgrade`, which need
only the naming convention, do not import the ORM (see alembic/env.py).
"""

from sqlalchemy import MetaData

# Every constraint and index gets a predictable name, so later revisions can
# drop or alter it on every database (unnamed constraints cannot be dropped
# portably). The `ck` key makes named CHECK constraints comparable too.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)
