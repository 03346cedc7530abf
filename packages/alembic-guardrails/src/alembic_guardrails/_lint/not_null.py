"""`CHECK (column IS NOT NULL)` constraints followed through the history, as lint walks it in order.

strong_migrations' SET NOT NULL on PostgreSQL spans revisions: one adds the check NOT VALID, a
later one VALIDATEs it, SETs NOT NULL and drops the check. Each revision alone cannot show what
the constraint it validates checks, so lint keeps, across the revisions it walks (in upgrade
order), every such check with its table, column and whether it is validated yet:

- `op.create_check_constraint(name, table, "col IS NOT NULL")`: validated, unless
  `postgresql_not_valid=True`; raw `ALTER TABLE ... ADD CONSTRAINT ... CHECK (col IS NOT NULL)
  [NOT VALID]` alike;
- raw `ALTER TABLE t VALIDATE CONSTRAINT c`: validated from there on;
- a dropped constraint, column or table: forgotten.

A SET NOT NULL on a column a validated check covers when it runs cannot fail and scans nothing
(PostgreSQL 12+): `proven` holds it, when the check predates the revision (added by an earlier
one, validated there or earlier in this one: since it was added no NULL was written, and the
recipe fills the old ones before its VALIDATE). A NOT VALID check proves nothing (the old rows
were never checked), nor does a check the same revision adds: its ADD or VALIDATE fails on NULL
rows just as SET NOT NULL would (autogenerate's online SET NOT NULL writes that form, and
set-not-null-without-default refuses it there too, without a server default). A drop of such a
check once its column is NOT NULL loses nothing: `redundant` holds it. PostgreSQL only (MySQL 5.7 ignores CHECK; neither it nor SQLite knows NOT VALID).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from alembic.operations import ops
from sqlalchemy.dialects import postgresql

from ..rules import _not_null_checks as checks
from .record import Recorded
from .squawk import statement_sql

_POSTGRESQL = postgresql.dialect()  # type: ignore[no-untyped-call]


@dataclass
class Check:
    column: str
    valid: bool
    # Added by the revision being followed: it proves nothing there (see the module's doc).
    fresh: bool = True


@dataclass
class NotNullChecks:
    """What the revisions walked so far leave: the checks by (table, name), the NOT NULL columns."""

    dialect: str
    checks: dict[tuple[str, str], Check] = field(default_factory=dict)
    not_null: set[tuple[str, str]] = field(default_factory=set)

    def follow(
        self, recorded: Sequence[Recorded]
    ) -> tuple[list[ops.MigrateOperation], list[ops.MigrateOperation]]:
        """Walk one revision's operations in order: (the SET NOT NULLs a validated check covers,
        the drops of a check whose column is NOT NULL by then)."""
        proven: list[ops.MigrateOperation] = []
        redundant: list[ops.MigrateOperation] = []
        if self.dialect != "postgresql":
            return proven, redundant
        for item in recorded:
            operation = item.operation
            if isinstance(operation, ops.CreateCheckConstraintOp):
                column = checks.column_checked(operation.condition)
                if column is not None:
                    valid = not operation.kw.get("postgresql_not_valid")
                    self.checks[(operation.table_name, str(operation.constraint_name))] = Check(column, valid)
            elif isinstance(operation, ops.ExecuteSQLOp):
                self._raw(statement_sql(operation, _POSTGRESQL) or "")
            elif isinstance(operation, ops.AlterColumnOp):
                key = (operation.table_name, operation.column_name)
                if operation.modify_nullable is False:
                    if self._validated(*key):
                        proven.append(operation)
                    self.not_null.add(key)
                elif operation.modify_nullable is True:
                    self.not_null.discard(key)
            elif isinstance(operation, ops.DropConstraintOp):
                check = self.checks.pop((operation.table_name, str(operation.constraint_name)), None)
                if check is not None and (operation.table_name, check.column) in self.not_null:
                    redundant.append(operation)
            elif isinstance(operation, ops.DropColumnOp):
                self._forget(operation.table_name, operation.column_name)
            elif isinstance(operation, ops.DropTableOp):
                self._forget(operation.table_name, None)
            elif isinstance(operation, (ops.CreateTableOp, ops.AddColumnOp)):
                items: list[Any] = (
                    list(operation.columns)
                    if isinstance(operation, ops.CreateTableOp)
                    else [operation.column]
                )
                for column in items:
                    if getattr(column, "nullable", True) is False:
                        self.not_null.add((operation.table_name, str(column.name)))
        for check in self.checks.values():
            check.fresh = False
        return proven, redundant

    def _validated(self, table: str, column: str) -> bool:
        return any(
            key[0] == table and check.column == column and check.valid and not check.fresh
            for key, check in self.checks.items()
        )

    def _raw(self, sql: str) -> None:
        for match in checks.ADD_CHECK.finditer(sql):
            table, name, column, not_valid = match.groups()
            self.checks[(table, name)] = Check(column, not not_valid)
        for match in checks.VALIDATE.finditer(sql):
            check = self.checks.get((match.group(1), match.group(2)))
            if check is not None:
                check.valid = True
        for match in checks.DROP.finditer(sql):
            self.checks.pop((match.group(1), match.group(2)), None)

    def _forget(self, table: str, column: str | None) -> None:
        for key, check in list(self.checks.items()):
            if key[0] == table and column in (None, check.column):
                del self.checks[key]
        self.not_null = {key for key in self.not_null if key[0] != table or column not in (None, key[1])}
