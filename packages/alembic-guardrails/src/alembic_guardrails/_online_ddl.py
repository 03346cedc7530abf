"""Safe by default on PostgreSQL: autogenerate writes the forms that keep the table online.

On a table that already exists (not created in the same revision), the plain
forms of these operations lock out writes (or all queries) while they scan or
build; each is rewritten into steps that don't:

- create_index / drop_index: CONCURRENTLY, in an autocommit_block() (it cannot
  run in a transaction);
- a foreign key: added NOT VALID (no scan), then VALIDATE CONSTRAINT in a step
  of its own, which scans without blocking writes;
- SET NOT NULL: a CHECK (col IS NOT NULL) NOT VALID, VALIDATE, then SET NOT
  NULL, which PostgreSQL 12+ proves from the valid check without a scan, then
  the check goes;
- a unique constraint: its unique index built CONCURRENTLY, then ADD
  CONSTRAINT ... USING INDEX, which only takes the index over.

Each step is written as plain Alembic code with a comment saying why, so the
revision reads (and can be edited) like any other. `postgresql_safe_ddl = false`
in alembic.ini turns the rewrites off.

On MySQL/MariaDB nothing is rewritten: the operations that copy the whole
table (ALGORITHM=COPY) are review points of the rules (rules/
foreign_key_copies_table.py, type_change_copies_table.py, ...).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from alembic import op
from alembic.autogenerate import renderers
from alembic.autogenerate.api import AutogenContext
from alembic.autogenerate.render import render_op
from alembic.autogenerate.rewriter import Rewriter
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import AddConstraint, UniqueConstraint
from sqlalchemy.sql.elements import ClauseElement

from ._guards import TRUE_WORDS

# PostgreSQL truncates longer identifiers.
NAME_LIMIT = 63

CONCURRENT_INDEX = (
    "CONCURRENTLY: writes to the table go on while the index is built (a plain CREATE/DROP INDEX "
    "blocks them). It cannot run inside a transaction, hence autocommit_block(), which commits "
    "what came before. If it fails, PostgreSQL may leave an INVALID index: drop it and re-run."
)
NOT_VALID_FOREIGN_KEY = (
    "Foreign key added NOT VALID (no scan, brief lock), then validated in a step of its own: "
    "VALIDATE scans the table without blocking writes."
)
NOT_NULL_THROUGH_CHECK = (
    "SET NOT NULL would scan the table under an ACCESS EXCLUSIVE lock. A NOT VALID check, "
    "validated without blocking writes, lets PostgreSQL 12+ set NOT NULL without that scan; "
    "the check is then dropped."
)
UNIQUE_THROUGH_INDEX = (
    "The unique index is built CONCURRENTLY (writes go on), then the constraint takes it over "
    "(USING INDEX), which needs only a brief lock."
)


class AddUnlessExistsOp(ops.MigrateOperation):
    """An ADD CONSTRAINT ... NOT VALID, skipped when the constraint is there already.

    The NOT VALID step commits before VALIDATE runs (autocommit_block() commits what came before):
    a run that fails at VALIDATE leaves the constraint behind, and a re-run must go on from there,
    not fail on `constraint ... already exists`."""

    def __init__(self, table: str, constraint: str, statement: str) -> None:
        self.table, self.constraint, self.statement = table, constraint, statement


@renderers.dispatch_for(AddUnlessExistsOp)
def _render_add_unless_exists(autogen_context: AutogenContext, step: AddUnlessExistsOp) -> list[str]:
    autogen_context.imports.add("from alembic_guardrails.helpers import has_constraint")
    # Alembic's printer indents after a line ending in ":" and ends the block at an empty line.
    return [
        "# Skipped when a run that failed later on (at VALIDATE) left the constraint: re-runnable.",
        f"if not has_constraint({step.table!r}, {step.constraint!r}):",
        f"op.execute({step.statement!r})",
        "",
    ]


def has_constraint(table: str, constraint: str) -> bool:
    """Whether PostgreSQL has `constraint` on `table` (valid or not). False under `--sql`."""
    if op.get_context().as_sql:
        return False
    found = op.get_bind().execute(
        text("SELECT 1 FROM pg_constraint WHERE conname = :name AND conrelid = to_regclass(:table)"),
        {"name": constraint, "table": table},
    )
    return found.first() is not None


class OnlineSteps(ops.MigrateOperation):
    """Operations written as: a comment, `before`, an autocommit_block() of `autocommit`, `after`."""

    def __init__(
        self,
        comment: str,
        before: Iterable[ops.MigrateOperation] = (),
        autocommit: Iterable[ops.MigrateOperation] = (),
        after: Iterable[ops.MigrateOperation] = (),
    ) -> None:
        self.comment = comment
        self.before, self.autocommit, self.after = list(before), list(autocommit), list(after)


@renderers.dispatch_for(OnlineSteps)
def _render_online_steps(autogen_context: AutogenContext, step: OnlineSteps) -> list[str]:
    lines = [f"# {line}" for line in _wrap(step.comment)]
    for operation in step.before:
        lines += render_op(autogen_context, operation)
    if step.autocommit:
        lines.append("with op.get_context().autocommit_block():")
        for operation in step.autocommit:
            lines += render_op(autogen_context, operation)
        lines.append("")  # ends the with block
    for operation in step.after:
        lines += render_op(autogen_context, operation)
    return lines


def _wrap(comment: str, width: int = 96) -> list[str]:
    lines, line = [], ""
    for word in comment.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + [line]


def _name(*parts: str) -> str:
    return "_".join(parts)[:NAME_LIMIT]


def _sql(statement: str) -> ops.ExecuteSQLOp:
    return ops.ExecuteSQLOp(statement)


def _pg(element: ClauseElement) -> str:
    # SQLAlchemy's dialect classes have no annotated constructors.
    return str(element.compile(dialect=postgresql.dialect())).strip()  # type: ignore[no-untyped-call]


def _concurrent_index(operation: ops.CreateIndexOp | ops.DropIndexOp) -> OnlineSteps:
    operation.kw["postgresql_concurrently"] = True
    if isinstance(operation, ops.CreateIndexOp):
        operation.if_not_exists = True  # the statement runs outside a transaction: re-runnable
    else:
        operation.if_exists = True
    return OnlineSteps(CONCURRENT_INDEX, autocommit=[operation])


def _not_valid_foreign_key(operation: ops.CreateForeignKeyOp) -> OnlineSteps:
    add = _pg(AddConstraint(operation.to_constraint()))
    validate = f"ALTER TABLE {operation.source_table} VALIDATE CONSTRAINT {operation.constraint_name}"
    name = str(operation.constraint_name)
    not_valid = AddUnlessExistsOp(operation.source_table, name, f"{add} NOT VALID")
    return OnlineSteps(NOT_VALID_FOREIGN_KEY, before=[not_valid], autocommit=[_sql(validate)])


def _not_null_check(table: str, column: str) -> str:
    return _name("ck", table, column, "not_null")


def _not_null_steps(table: str, column: str) -> tuple[str, str, str]:
    """The SQL around SET NOT NULL: add the NOT VALID check, validate it, drop it."""
    check = _not_null_check(table, column)
    return (
        f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({column} IS NOT NULL) NOT VALID",
        f"ALTER TABLE {table} VALIDATE CONSTRAINT {check}",
        # The check was only a stepping stone: nothing relies on it (squawk's ban-drop-constraint).
        f"-- squawk-ignore ban-drop-constraint\nALTER TABLE {table} DROP CONSTRAINT {check}",
    )


def _not_null_through_check(operation: ops.AlterColumnOp) -> OnlineSteps:
    table, column = operation.table_name, operation.column_name
    add, validate, drop = _not_null_steps(table, column)
    not_valid = AddUnlessExistsOp(table, _not_null_check(table, column), add)
    return OnlineSteps(
        NOT_NULL_THROUGH_CHECK, before=[not_valid], autocommit=[_sql(validate)], after=[operation, _sql(drop)]
    )


def set_not_null(table: str, column: str) -> None:
    """SET NOT NULL on a live PostgreSQL table, in a hand-written revision (see NOT_NULL_THROUGH_CHECK)."""
    add, validate, drop = _not_null_steps(table, column)
    if not has_constraint(table, _not_null_check(table, column)):  # a failed run may have left it
        op.execute(add)
    with op.get_context().autocommit_block():
        op.execute(validate)
    op.alter_column(table, column, nullable=False)
    op.execute(drop)


def _unique_through_index(operation: ops.AddConstraintOp) -> OnlineSteps:
    constraint = cast(UniqueConstraint, operation.to_constraint())  # rewrite() passes unique ones only
    name = str(constraint.name)
    table = constraint.table.name
    index = ops.CreateIndexOp(
        name, table, [column.name for column in constraint.columns], unique=True, postgresql_concurrently=True
    )
    index.if_not_exists = True
    take_over = _sql(f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}")
    return OnlineSteps(UNIQUE_THROUGH_INDEX, autocommit=[index], after=[take_over])


def _created_tables(script: ops.MigrationScript) -> set[str]:
    """Tables a revision creates (in either direction): nothing else can be waiting on them."""
    created: set[str] = set()
    for container in [*script.upgrade_ops_list, *script.downgrade_ops_list]:
        created |= {op.table_name for op in container.ops if isinstance(op, ops.CreateTableOp)}
    return created


def postgresql_rewriter(created: set[str]) -> Rewriter:
    rewriter = Rewriter()

    @rewriter.rewrites(ops.CreateIndexOp)
    @rewriter.rewrites(ops.DropIndexOp)
    def index(
        context: MigrationContext, revision: Any, operation: ops.CreateIndexOp | ops.DropIndexOp
    ) -> ops.MigrateOperation:
        return operation if operation.table_name in created else _concurrent_index(operation)

    @rewriter.rewrites(ops.CreateForeignKeyOp)
    def foreign_key(
        context: MigrationContext, revision: Any, operation: ops.CreateForeignKeyOp
    ) -> ops.MigrateOperation:
        return operation if operation.source_table in created else _not_valid_foreign_key(operation)

    @rewriter.rewrites(ops.AlterColumnOp)
    def not_null(
        context: MigrationContext, revision: Any, operation: ops.AlterColumnOp
    ) -> ops.MigrateOperation:
        if operation.table_name in created or operation.modify_nullable is not False:
            return operation
        return _not_null_through_check(operation)

    @rewriter.rewrites(ops.AddConstraintOp)
    def unique(
        context: MigrationContext, revision: Any, operation: ops.AddConstraintOp
    ) -> ops.MigrateOperation:
        if operation.constraint_type != "unique" or operation.to_constraint().table.name in created:
            return operation
        return _unique_through_index(operation)

    return rewriter


def enabled(migration_context: MigrationContext, setting: str | None) -> bool:
    """Whether autogenerate writes the online forms: PostgreSQL, unless alembic.ini says false."""
    on = (setting or "true").strip().lower() in TRUE_WORDS
    return on and migration_context.dialect.name == "postgresql"


def rewrite(
    migration_context: MigrationContext, revision: Any, directives: list[ops.MigrationScript], online: bool
) -> list[str]:
    """Rewrite the autogenerated operations for the database; return review points to print.

    There are none any more: every review point is a rule's (rules/), said by the guards'
    check_revision. The list stays for the caller.
    """
    if online:
        postgresql_rewriter(_created_tables(directives[0]))(migration_context, revision, directives)
    return []
