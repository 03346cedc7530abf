"""The naming convention of schema.py: every constraint named, so later revisions can drop it."""

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.schema import CreateTable

from {{ cookiecutter.package_name }}.schema import NAMING_CONVENTION


def test_naming_convention_names_every_check_constraint():
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    flags = sa.Table(
        "flags",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("active", sa.Boolean(create_constraint=True)),
        sa.Column("kind", sa.Enum("a", "b", native_enum=False, create_constraint=True)),
        sa.Column("size", sa.Integer),
        sa.CheckConstraint("size > 0", name="positive"),
    )
    ddl = str(CreateTable(flags).compile(dialect=mysql.dialect()))
    for name in ("ck_flags_active", "ck_flags_kind", "ck_flags_positive"):
        assert f"CONSTRAINT {name} CHECK" in ddl
    with pytest.raises(InvalidRequestError, match="Give the CHECK constraint on table 'bad' a name"):
        sa.Table("bad", metadata, sa.Column("size", sa.Integer), sa.CheckConstraint("size > 0"))
