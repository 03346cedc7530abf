"""What a rule is: data (its id, verdict, databases, authority, words) and a `check`.

Each rule module under rules/ holds one `RULE` and one `check(op, context)`
that yields a `Finding` for every operation the rule is about. `check` is
handed one operation at a time; `Context` carries what it needs to know
about the rest of the revision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
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
    language of _messages. `message_on`: the message for a database where
    `message` would not be true (by dialect name, one of `dialects`). `overridable=False`: refused
    whatever `-x` says (a model no database accepts).
    """

    id: str
    verdict: Verdict
    dialects: tuple[str, ...]
    authority: str
    message: Mapping[str, str] = field(compare=False)
    safe: Mapping[str, str] = field(compare=False)
    overridable: bool = True
    message_on: Mapping[str, Mapping[str, str]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        unknown = set(self.dialects) - set(DIALECTS)
        if unknown or not self.dialects:
            raise ValueError(f"rule {self.id}: dialects must be some of {DIALECTS}, not {self.dialects}")
        if set(self.message_on) - set(self.dialects):
            raise ValueError(f"rule {self.id}: message_on names a database not in {self.dialects}")

    def says(self, dialect: str | None = None, /, **values: object) -> str:
        """The message for `dialect` in the project's language, with `values` filled in."""
        return _messages.in_language(self.message_on.get(dialect or "", self.message), **values)

    def finding(
        self,
        table: str,
        column: str | None = None,
        /,
        *,
        hint: str = "",
        dialect: str | None = None,
        **values: object,
    ) -> Finding:
        """A finding on `table` (and `column`): the message for `dialect` with `values`, then `hint`.

        Positional-only: a message may well have a {table} of its own."""
        return Finding(table, column, self.says(dialect, **values) + hint, self.id)


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
    # Autogenerate only (it compares against a database): an operation's check of the rows that
    # break the constraint it adds, and their count (_row_checks.finder); None elsewhere.
    # Drops of retired columns in a post-deploy revision (_retire.py; lint: every drop of a
    # revision marked `post_deploy = True`), by id: the planned contract step, not an accident.
    retired_drops: frozenset[int] = frozenset()
    breaking_rows: Callable[[ops.MigrateOperation, Context], Any] | None = field(default=None, compare=False)
    # A hand-written revision (`alembic-guardrails lint`): its author typed each operation and its
    # form, so a review that only asks "did you mean it?" of what autogenerate derived from the models
    # (a dropped index, a unique index built CONCURRENTLY) has nothing to ask.
    typed: bool = False
    # (table, column) pairs a validated `CHECK (column IS NOT NULL)` covers before the revision runs
    # (autogenerate: read from PostgreSQL, _not_null_checks.validated): no row there is NULL.
    not_null_checked: frozenset[tuple[str, str]] = frozenset()
    # Lint, which follows such checks through the history in order (_lint/not_null.py): the SET NOT
    # NULL operations (by id) a validated check covers when they run, and the drops (by id) of a
    # check whose column is NOT NULL by then.
    proven_not_null: frozenset[int] = frozenset()
    redundant_checks: frozenset[int] = frozenset()

    @classmethod
    def of(
        cls,
        upgrade_ops: ops.OpContainer,
        dialect: str | None = None,
        *,
        online: bool = False,
        autocommit: Iterable[ops.MigrateOperation] = (),
        plain: Iterable[ops.MigrateOperation] = (),
        breaking_rows: Callable[[ops.MigrateOperation, Context], Any] | None = None,
        typed: bool = False,
        not_null_checked: Iterable[tuple[str, str]] = (),
        proven_not_null: Iterable[ops.MigrateOperation] = (),
        redundant_checks: Iterable[ops.MigrateOperation] = (),
        retired_drops: Iterable[int] = (),
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
            breaking_rows=breaking_rows,
            typed=typed,
            not_null_checked=frozenset(not_null_checked),
            proven_not_null=frozenset(map(id, proven_not_null)),
            redundant_checks=frozenset(map(id, redundant_checks)),
            retired_drops=frozenset(retired_drops),
        )

    def existing(self, table: str | None) -> bool:
        """A table this revision does not create: it may hold rows, and traffic."""
        return table not in self.new_tables

    def not_null_proven(self, op: ops.AlterColumnOp) -> bool:
        """A validated `CHECK (column IS NOT NULL)` covers the column when `op` runs: no NULL row."""
        return id(op) in self.proven_not_null or (op.table_name, op.column_name) in self.not_null_checked

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
