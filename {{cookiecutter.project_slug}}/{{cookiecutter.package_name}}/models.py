"""The models: the single source of truth that autogenerate compares against."""

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
{%- if cookiecutter.with_examples %}
    # Added by the example revisions "add user status" and "backfill user status".
    status: Mapped[str] = mapped_column(String(20))
{%- endif %}
