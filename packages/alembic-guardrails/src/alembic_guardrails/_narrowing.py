"""Does every value of the old column type fit in the new one?

`narrows(old, new)` answers for the types autogenerate compares: it reasons
about what fits (integer digits and scale, bits of an integer or of a float's
mantissa, the longest text a value can have, the members of an enum), not
about how a type is spelled, so `Float(precision=53)` and MySQL's `DOUBLE`
are the same and `Numeric(10, 2)` -> `Numeric(10, 4)` is narrower.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any, cast

from sqlalchemy import types as sqltypes

UNBOUNDED = None

# Bits of each integer type, smallest first (subclasses before their bases).
_INTEGER_BITS = (
    ("TINYINT", 8),
    ("SMALLINT", 16),
    ("MEDIUMINT", 24),
    ("BIGINT", 64),
)


def integer_bits(type_: Any) -> int:
    if isinstance(type_, sqltypes.SmallInteger):
        return 16
    if isinstance(type_, sqltypes.BigInteger):
        return 64
    name = type(type_).__name__.upper()
    for spelled, bits in _INTEGER_BITS:
        if name == spelled:
            return bits
    return 32


def integer_digits(bits: int) -> int:
    """Decimal digits of the largest signed value: 16 bits -> 5 (32767)."""
    return len(str(2 ** (bits - 1)))


def float_bits(type_: Any, dialect: str | None) -> int:
    """Mantissa bits: 53 for DOUBLE / Float(53) / PostgreSQL FLOAT, 24 for REAL / Float(24)."""
    if isinstance(type_, sqltypes.Double):
        return 53
    if isinstance(type_, sqltypes.REAL):
        return 24
    precision = getattr(type_, "precision", None)
    if precision is None:
        # A bare FLOAT is single precision on MySQL/MariaDB, double elsewhere.
        return 24 if dialect == "mysql" else 53
    return 24 if precision <= 24 else 53


def _kind(type_: Any) -> Any:
    if isinstance(type_, sqltypes.Boolean):
        return bool
    if isinstance(type_, sqltypes.Integer):
        return int
    if isinstance(type_, sqltypes.Float):
        return float
    if isinstance(type_, sqltypes.Numeric):
        return decimal.Decimal
    if isinstance(type_, sqltypes.Enum):
        return "enum"
    if isinstance(type_, sqltypes.String):
        return str
    try:
        return type_.python_type
    except NotImplementedError:
        return None


def text_length(type_: Any, dialect: str | None = None) -> int | None:
    """The longest text a value of `type_` can have once cast to a string (None: unbounded)."""
    kind = _kind(type_)
    if kind in (str, "enum"):
        return cast("int | None", type_.length)
    if kind is bool:
        return 5  # "false"
    if kind is int:
        return integer_digits(integer_bits(type_)) + 1  # and a minus sign
    if kind is decimal.Decimal:
        if type_.precision is None:
            return UNBOUNDED
        return cast(int, type_.precision) + 2  # sign and decimal point
    if kind is float:
        return 24  # "-1.7976931348623157e+308"
    fixed = {datetime.date: 10, datetime.time: 15, datetime.datetime: 32, uuid.UUID: 36}
    return fixed.get(kind, UNBOUNDED)


def _numeric_fits(old: Any, new: Any) -> bool:
    """Decimal -> decimal: both the integer digits and the scale must fit."""
    if new.precision is None:
        return True
    if old.precision is None:
        return False
    old_scale, new_scale = old.scale or 0, new.scale or 0
    return cast(bool, new_scale >= old_scale and new.precision - new_scale >= old.precision - old_scale)


def _integer_fits_decimal(old: Any, new: Any) -> bool:
    if new.precision is None:
        return True
    return cast(bool, new.precision - (new.scale or 0) >= integer_digits(integer_bits(old)))


def _decimal_fits_integer(old: Any, new: Any) -> bool:
    if old.precision is None or (old.scale or 0) > 0:
        return False
    return cast(bool, old.precision <= integer_digits(integer_bits(new)) - 1)


def stored_as_text(type_: Any, dialect: str | None) -> bool:
    """An Enum the database keeps as a plain VARCHAR: always on SQLite, and `native_enum=False`
    on PostgreSQL and MySQL/MariaDB (their native ENUM types hold only the members)."""
    return isinstance(type_, sqltypes.Enum) and (
        dialect == "sqlite" or (dialect is not None and not type_.native_enum)
    )


def _fits(old: Any, new: Any, dialect: str | None) -> bool:
    old_kind, new_kind = _kind(old), _kind(new)
    if new_kind == "enum" and old_kind is str and stored_as_text(new, dialect):
        # A column reflected as VARCHAR becoming a non-native Enum: in the database a VARCHAR
        # again, so only the length counts. (Values the new Enum no longer allows are found in
        # the CHECK and in the rows by _enums.py, which then gives the old type as an Enum.)
        new_kind = str
    if new_kind is str:
        bound, longest = new.length, text_length(old, dialect)
        return bound is None or (longest is not None and longest <= bound)
    if new_kind == "enum":
        if old_kind != "enum":
            return False  # any text may be stored; only the members fit
        return set(old.enums) <= set(new.enums)
    if new_kind is int:
        if old_kind is bool:
            return True
        if old_kind is int:
            return integer_bits(new) >= integer_bits(old)
        if old_kind is decimal.Decimal:
            return _decimal_fits_integer(old, new)
        return False
    if new_kind is decimal.Decimal:
        if old_kind is int:
            return _integer_fits_decimal(old, new)
        if old_kind is decimal.Decimal:
            return _numeric_fits(old, new)
        return False
    if new_kind is float:
        if old_kind is int:
            return integer_bits(old) <= (float_bits(new, dialect) or 53)
        if old_kind is float:
            return float_bits(new, dialect) >= float_bits(old, dialect)
        return False
    if new_kind is datetime.datetime:
        return old_kind in (datetime.date, datetime.datetime)
    return old_kind is new_kind or old_kind is None or new_kind is None


def narrows(old: Any, new: Any, dialect: str | None = None) -> bool:
    """True when some value of type `old` may not fit in type `new` (the rows fail or are cut)."""
    if old is None or new is None:
        return False
    return not _fits(old, new, dialect)
