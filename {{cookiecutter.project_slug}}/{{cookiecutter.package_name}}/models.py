"""The models: the single source of truth that autogenerate compares against."""

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .schema import metadata


class Base(DeclarativeBase):
    # One MetaData for all models, carrying the naming convention (schema.py).
    metadata = metadata


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
{%- if cookiecutter.with_examples %}
    # Added by the example revisions "add user status" and "backfill user status".
    status: Mapped[str] = mapped_column(String(20))
{%- endif %}
