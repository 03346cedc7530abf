"""`CHECK (column IS NOT NULL)` constraints: strong_migrations' way to SET NOT NULL on PostgreSQL.

Add the check NOT VALID (no scan), VALIDATE it (a light lock), then SET NOT NULL: PostgreSQL 12+
sees the validated check and skips the scan, and no row can be NULL, so it cannot fail. Only a
*validated* check proves that: a NOT VALID one checks the rows written since, not the old ones.

`column_checked` reads the column such a check is about; `validated` asks PostgreSQL for the
validated ones (pg_constraint.convalidated); the patterns read them in raw SQL, as lint meets them.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, text

_NAME = r'"?(\w+)"?'
# ALTER TABLE [IF EXISTS] [ONLY] [schema.]table: the table's name is the group.
_TABLE = r'(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?:"?\w+"?\.)?"?(\w+)"?'
# The condition of the check: `phone IS NOT NULL`, `(phone IS NOT NULL)`, `("phone" IS NOT NULL)`.
_CONDITION = re.compile(rf"^[\s(]*{_NAME}\s+IS\s+NOT\s+NULL[\s)]*$", re.IGNORECASE)
# ALTER TABLE t VALIDATE CONSTRAINT c
VALIDATE = re.compile(rf"ALTER\s+TABLE\s+{_TABLE}\s+VALIDATE\s+CONSTRAINT\s+{_NAME}", re.IGNORECASE)
# ALTER TABLE t ADD CONSTRAINT c CHECK (col IS NOT NULL) [NOT VALID]
ADD_CHECK = re.compile(
    rf"ALTER\s+TABLE\s+{_TABLE}\s+ADD\s+CONSTRAINT\s+{_NAME}\s+CHECK\s*\(\s*\(?\s*{_NAME}\s+IS\s+NOT\s+NULL\s*\)?\s*\)"
    r"(\s+NOT\s+VALID)?",
    re.IGNORECASE,
)
# ALTER TABLE t DROP CONSTRAINT [IF EXISTS] c
DROP = re.compile(
    rf"ALTER\s+TABLE\s+{_TABLE}\s+DROP\s+CONSTRAINT\s+(?:IF\s+EXISTS\s+)?{_NAME}", re.IGNORECASE
)


def column_checked(condition: Any) -> str | None:
    """The column of a `column IS NOT NULL` check condition (a string or a SQL expression), else None."""
    match = _CONDITION.match(str(condition))
    return match.group(1) if match else None


def validated(connection: Connection) -> frozenset[tuple[str, str]]:
    """(table, column) of every validated `CHECK (column IS NOT NULL)` in the current schema of a
    PostgreSQL database (empty elsewhere). A NOT VALID check (convalidated false) is left out."""
    if connection.dialect.name != "postgresql":
        return frozenset()
    rows = connection.execute(
        text(
            "SELECT c.relname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
            "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE k.contype = 'c' AND k.convalidated AND n.nspname = current_schema()"
        )
    )
    found = set()
    for table, definition in rows:
        condition = re.sub(r"^CHECK\s*", "", str(definition), flags=re.IGNORECASE)
        column = column_checked(condition)
        if column is not None:
            found.add((str(table), column))
    return frozenset(found)
