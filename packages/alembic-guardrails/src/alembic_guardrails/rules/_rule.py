"""What a rule is: data (its id, verdict, databases, authority, words) and a `check`.

Each rule module under rules/ holds one `RULE` and one `check(op, context)`
that yields a `Finding` for every operation the rule is about. `check` is
handed one operation at a time; `Context` carries what it needs to know
about the rest of the revision.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from alembic.operations import ops

from .. import _messages
from ._operations import added_columns, created_tables

Verdict = Literal["refuse", "review"]
# SQLAlchemy dialect names; "mysql" stands for MySQL and MariaDB alike.
DIALECTS = ("postgresql", "mysql", "sqlite")


@dataclass(frozen=True)
class Finding:
    """One line of a refusal or review: where, what, and the id of the rule that said it."""

    table: str
    column: str | None
    action: str
    rule: str

    def __str__(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        return f"{where}: {self.action} [{self.rule}]"


@dataclass(frozen=True)
class Rule:
    """A rule as data: what the catalogue (docs/rules.md) prints and the findings say.

    `message` is the finding's text (str.format placeholders filled by `check`);
    `safe` the override or the safe way to write the change; both in every
    language of _messages. `overridable=False`: refused whatever `-x` says (a
    model no database accepts).
    """

    id: str
    verdict: Verdict
    dialects: tuple[str, ...]
    authority: str
    message: Mapping[str, str] = field(compare=False)
    safe: Mapping[str, str] = field(compare=False)
    overridable: bool = True

    def __post_init__(self) -> None:
        unknown = set(self.dialects) - set(DIALECTS)
        if unknown or not self.dialects:
            raise ValueError(f"rule {self.id}: dialects must be some of {DIALECTS}, not {self.dialects}")

    def says(self, **values: object) -> str:
        """The message in the project's language, with `values` filled in."""
        return _messages.in_language(self.message, **values)

    def finding(
        self, table: str, column: str | None = None, /, *, hint: str = "", **values: object
    ) -> Finding:
        """A finding on `table` (and `column`): the message with `values`, then `hint`.

        Positional-only: a message may well have a {table} of its own."""
        return Finding(table, column, self.says(**values) + hint, self.id)


@dataclass(frozen=True)
class Context:
    """What a check may need beyond its operation: the database and the revision around it."""

    dialect: str | None
    upgrade_ops: ops.OpContainer
    new_tables: frozenset[str]
    # Columns added to tables that already exist, by (table, column name).
    added_columns: Mapping[tuple[str, str], Any]
    # Those of them added nullable and without a server default: every row holds NULL.
    all_null: frozenset[tuple[str, str]]
    # migrations.online_ddl writes PostgreSQL's online forms (CONCURRENTLY, NOT VALID).
    online: bool = False
    # The operations (by id) a hand-written revision invokes inside
    # `op.get_context().autocommit_block()`, as `alembic-guardrails lint` records them.
    autocommit: frozenset[int] = frozenset()
    # The operations (by id) a hand-written revision invokes outside `op.batch_alter_table()`, as
    # lint records them (autogenerate writes batch mode on SQLite: none of its operations are).
    plain: frozenset[int] = frozenset()

    @classmethod
    def of(
        cls,
        upgrade_ops: ops.OpContainer,
        dialect: str | None = None,
        *,
        online: bool = False,
        autocommit: Iterable[ops.MigrateOperation] = (),
        plain: Iterable[ops.MigrateOperation] = (),
    ) -> Context:
        added = added_columns(upgrade_ops)
        return cls(
            dialect=dialect,
            upgrade_ops=upgrade_ops,
            new_tables=frozenset(created_tables(upgrade_ops)),
            added_columns=added,
            all_null=frozenset(
                key for key, column in added.items() if column.nullable and column.server_default is None
            ),
            online=online,
            autocommit=frozenset(map(id, autocommit)),
            plain=frozenset(map(id, plain)),
        )

    def existing(self, table: str | None) -> bool:
        """A table this revision does not create: it may hold rows, and traffic."""
        return table not in self.new_tables

    def outside_batch(self, op: ops.MigrateOperation) -> bool:
        """`op` was invoked as a plain `op.*` call, not inside `op.batch_alter_table()`."""
        return id(op) in self.plain

    def outside_transaction(self, op: ops.MigrateOperation) -> bool:
        """`op` runs outside the migration's transaction: invoked inside `autocommit_block()` (a
        hand-written revision, as lint records it), or an index that migrations.online_ddl moves into
        one (`online`: every index created or dropped on a table that already exists)."""
        if id(op) in self.autocommit:
            return True
        indexes = (ops.CreateIndexOp, ops.DropIndexOp)
        return self.online and isinstance(op, indexes) and self.existing(getattr(op, "table_name", None))


class RuleModule(Protocol):
    """A module under rules/: its RULE and its check."""

    RULE: Rule

    def check(self, op: ops.MigrateOperation, context: Context) -> Iterator[Finding]: ...
