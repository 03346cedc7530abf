"""A column rename without downtime: `-x rename=users.fullname:name -x expand_contract=true`.

A plain rename (`op.alter_column(..., new_column_name=...)`) breaks the code that is running
while the new code rolls out: its queries name the old column. On PostgreSQL and MySQL/MariaDB
the same autogenerate run writes the rename as expand and contract instead, in two revisions:

1. expand (ordinary, `-x phase=pre`): the new column, nullable and without a default; triggers
   `<table>_<old>_<new>_sync` that keep both columns equal whichever one the code writes (an
   INSERT fills the one it left out from the other; an UPDATE copies the one that changed);
   the existing rows copied in batches (alembic_guardrails.backfill); the old column's indexes,
   unique constraints and foreign keys built again on the new column (on PostgreSQL
   CONCURRENTLY, by _online_ddl). The old code and the new code can now run side by side.
2. contract (`post_deploy = True`, `-x phase=post`, once the new code is live everywhere):
   the triggers go, the new column takes the old one's NOT NULL (PostgreSQL's online form) and
   server default, and the old column is dropped with its indexes. The guards accept that drop:
   it is the planned contract step.

Each downgrade runs the other way, on populated tables. The old column keeps its NOT NULL during
the window: PostgreSQL and MySQL/MariaDB (verified on MariaDB 10.11, strict mode) check it after
the BEFORE INSERT trigger has filled it in for the new code's INSERTs, which leave it out.

The new column has no server default until the contract: with one, ADD COLUMN would fill the
existing rows with it, and an INSERT could no longer tell a value the code wrote from the
default. Without it, a NULL in the new column on INSERT means the code did not write it.

SQLite keeps the plain rename: one process owns the file, so there is no old code running.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alembic import util
from alembic.autogenerate import renderers
from alembic.operations import ops
from alembic.util import CommandError
from sqlalchemy import Column
from sqlalchemy import types as sqltypes

from . import _phases
from ._guards import FALSE_WORDS, TRUE_WORDS, Overrides, review_points
from ._messages import in_language
from ._rewrites import Rename

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy.engine import Dialect

FLAG = "expand_contract"
# Identifiers: PostgreSQL truncates at 63 characters, MySQL refuses more than 64.
NAME_LIMIT = 63

TEXTS: dict[str, dict[str, str]] = {
    "bad_flag": {
        "en": "-x expand_contract={value}: expected true or false",
        "zh": "-x expand_contract={value}：应为 true 或 false",
    },
    "with_post_deploy": {
        "en": (
            "-x expand_contract=true writes the expand revision and the post-deploy contract revision "
            "itself: leave out -x post_deploy=true"
        ),
        "zh": "-x expand_contract=true 会自己写出扩展迁移和部署后的收缩迁移：请去掉 -x post_deploy=true",
    },
    "sqlite": {
        "en": (
            "expand_contract: SQLite keeps the plain rename of {columns}: one process owns the database "
            "file, so no old code runs beside the new"
        ),
        "zh": "expand_contract：SQLite 保留 {columns} 的普通改名：数据库文件只属于一个进程，不会有旧代码与新代码同时运行",
    },
    "written": {
        "en": (
            "expand_contract: {table}.{old} -> {new} written as expand ({expand}: new column, sync triggers, "
            "backfill) and post-deploy contract ({contract}: drops {old} and the triggers)"
        ),
        "zh": (
            "expand_contract：{table}.{old} -> {new} 写为扩展迁移（{expand}：新列、同步触发器、回填）"
            "和部署后的收缩迁移（{contract}：删除 {old} 和触发器）"
        ),
    },
}


def _say(key: str, **values: object) -> str:
    return in_language(TEXTS[key], **values)


def requested(x_arguments: Mapping[str, str]) -> bool:
    value = x_arguments.get(FLAG, "").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise CommandError(_say("bad_flag", value=x_arguments[FLAG]))


# --- What the revisions say -------------------------------------------------------------


class Comment(ops.MigrateOperation):
    """A comment for the reviewer, on lines of its own."""

    def __init__(self, *lines: str) -> None:
        self.lines = lines


@renderers.dispatch_for(Comment)
def _render_comment(autogen_context: AutogenContext, step: Comment) -> list[str]:
    return [f"# {line}" if line else "#" for line in _wrap(" ".join(step.lines))]


class SQLStep(ops.MigrateOperation):
    """`op.execute(<triple-quoted SQL>)`: the statement on lines of its own, as a reviewer reads SQL."""

    def __init__(self, sql: str) -> None:
        self.sql = sql.strip("\n")

    def reverse(self) -> SQLStep:  # pragma: no cover - never autogenerate's to reverse
        raise NotImplementedError


@renderers.dispatch_for(SQLStep)
def _render_sql(autogen_context: AutogenContext, step: SQLStep) -> str:
    if "\n" not in step.sql:
        return f"op.execute({step.sql!r})"
    # One string: Alembic's printer indents its first line, the others keep their own indentation.
    body = "\n".join(f"    {line}" if line else "" for line in step.sql.splitlines())
    return f'op.execute(\n    """\n{body}\n    """\n)'


class Backfill(ops.MigrateOperation):
    """`backfill(op, table, "new = old", where="new IS NULL")`: the rows copied in batches."""

    def __init__(self, table: str, target: str, source: str, schema: str | None) -> None:
        self.table, self.target, self.source, self.schema = table, target, source, schema


@renderers.dispatch_for(Backfill)
def _render_backfill(autogen_context: AutogenContext, step: Backfill) -> str:
    autogen_context.imports.add("from alembic_guardrails.backfill import backfill")
    schema = f", schema={step.schema!r}" if step.schema else ""
    return (
        f"backfill(op, {step.table!r}, {f'{step.target} = {step.source}'!r}, "
        f"where={f'{step.target} IS NULL'!r}{schema})"
    )


class PostDeployMarker(Comment):
    """The contract revision's first comment; rendering it makes script.py.mako write
    `post_deploy = True` for this revision.

    Both revisions render from the same script.py.mako, whose marker asks
    `post_deploy_requested(config)`, that is `-x post_deploy` of the command line. Alembic renders
    the expand revision, writes it, then renders this one: `-x post_deploy=true` is added to the
    command's arguments here, after the expand revision is written, before this one is."""

    def __init__(self, config: Any, *lines: str) -> None:
        super().__init__(*lines)
        self.config = config


@renderers.dispatch_for(PostDeployMarker)
def _render_marker(autogen_context: AutogenContext, step: PostDeployMarker) -> list[str]:
    options = getattr(step.config, "cmd_opts", None)
    if options is not None:
        options.x = [*(getattr(options, "x", None) or ()), "post_deploy=true"]
    return _render_comment(autogen_context, step)


def _wrap(comment: str, width: int = 96) -> list[str]:
    lines, line = [], ""
    for word in comment.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


# --- Taking the rename out of autogenerate's revision -----------------------------------


def _columns_of(op: ops.MigrateOperation) -> set[str]:
    """The columns an index, unique constraint or foreign key operation is about."""
    if isinstance(op, ops.DropIndexOp) and op._reverse is not None:
        return _columns_of(op._reverse)
    if isinstance(op, ops.DropConstraintOp) and op._reverse is not None:
        return _columns_of(op._reverse)
    if isinstance(op, ops.CreateIndexOp):
        return {str(getattr(c, "name", c)) for c in op.columns}
    if isinstance(op, ops.CreateUniqueConstraintOp):
        return {str(c) for c in op.columns}
    if isinstance(op, ops.CreateForeignKeyOp):
        return {str(c) for c in op.local_cols}
    return set()


KEYS = (ops.CreateIndexOp, ops.DropIndexOp, ops.CreateUniqueConstraintOp, ops.CreateForeignKeyOp)


def _is_key(op: ops.MigrateOperation) -> bool:
    if isinstance(op, ops.DropConstraintOp):
        return op.constraint_type in ("unique", "foreignkey") and op._reverse is not None
    return isinstance(op, KEYS)


@dataclass
class Split:
    """One column rename as expand and contract: what autogenerate wrote for it, taken out."""

    table: str
    schema: str | None
    old: Column[Any]  # as reflected (the drop's column)
    new: Column[Any]  # as the models say
    drop: ops.DropColumnOp
    # The old column's indexes and keys, dropped by the contract; the new column's, made by the expand.
    old_keys: list[ops.MigrateOperation] = field(default_factory=list)
    new_keys: list[ops.MigrateOperation] = field(default_factory=list)


@dataclass
class Plan:
    """The renames `-x expand_contract=true` writes as expand and contract; the rest of the
    overrides go to check_revision as before."""

    overrides: Overrides
    splits: list[Split] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    emptied: bool = False

    @classmethod
    def take(
        cls,
        migration_context: MigrationContext,
        script: ops.MigrationScript,
        overrides: Overrides,
        x_arguments: Mapping[str, str],
    ) -> Plan:
        plan = cls(overrides)
        columns = [rename for rename in overrides.renames if not rename.is_table]
        if not requested(x_arguments) or not columns:
            return plan
        if _phases.post_deploy_flag(x_arguments):
            raise CommandError(_say("with_post_deploy"))
        dialect = migration_context.dialect
        if dialect.name not in ("postgresql", "mysql", "mariadb"):
            spelled = ", ".join(f"{r.table}.{r.old} -> {r.new}" for r in columns)
            plan.notes.append(_say("sqlite", columns=spelled))
            return plan
        taken: list[Rename] = []
        for rename in columns:
            split = _take(script, rename)
            if split is not None:
                plan.splits.append(split)
                taken.append(rename)
        if plan.splits:
            _phases.require_post_deploy_template(migration_context)
        plan.overrides = dataclasses.replace(
            overrides, renames=tuple(r for r in overrides.renames if r not in taken)
        )
        plan.emptied = all(upgrade_ops.is_empty() for upgrade_ops in script.upgrade_ops_list)
        return plan

    def write(self, migration_context: MigrationContext, directives: list[Any], *, online: bool) -> list[str]:
        """Add the expand steps to the revision and the contract revision after it; the review
        points of both, and what was written, as lines to print."""
        for note in self.notes:
            print(f"  {note}")
        if not self.splits:
            return []
        dialect = migration_context.dialect
        expand = directives[0]
        config = getattr(migration_context, "config", None)
        up: list[ops.MigrateOperation] = []
        down: list[ops.MigrateOperation] = []
        contract_up: list[ops.MigrateOperation] = []
        contract_down: list[ops.MigrateOperation] = []
        for split in self.splits:
            writer = _Writer(split, dialect)
            up += writer.expand()
            down[0:0] = writer.unexpand()
            contract_up += writer.contract()
            contract_down[0:0] = writer.uncontract()
        expand.upgrade_ops_list[-1].ops += up
        expand.downgrade_ops_list[-1].ops[0:0] = down
        base = expand.message or "rename " + ", ".join(f"{s.table}.{s.old.name}" for s in self.splits)
        expand.message = f"{base} (expand)"
        header = PostDeployMarker(
            config,
            "Post-deploy: the contract step of the expand/contract rename written by revision "
            f"{expand.rev_id} (`-x expand_contract=true`). `alembic -x phase=pre upgrade head` holds it "
            "back; `-x phase=post` runs it once the new code, which uses the new name only, is live "
            "everywhere.",
        )
        contract = ops.MigrationScript(
            rev_id=util.rev_id(),
            message=f"{base} (contract)",
            upgrade_ops=ops.UpgradeOps([header, *contract_up]),
            downgrade_ops=ops.DowngradeOps(contract_down),
            head=expand.rev_id,
            splice=False,
            version_path=expand.version_path,
        )
        directives.append(contract)
        name = dialect.name
        points = review_points(ops.UpgradeOps(up), name, online=online)
        points += review_points(ops.UpgradeOps(contract_up), name, online=online)
        for split in self.splits:
            print(
                "  "
                + _say(
                    "written",
                    table=split.table,
                    old=split.old.name,
                    new=split.new.name,
                    expand=expand.rev_id,
                    contract=contract.rev_id,
                )
            )
        return points


def _take(script: ops.MigrationScript, rename: Rename) -> Split | None:
    """Take the drop + add pair of `rename` out of the revision, with the indexes and keys of
    both columns, in the upgrade and the downgrade; None when autogenerate wrote no such pair."""
    for upgrade_ops, downgrade_ops in zip(script.upgrade_ops_list, script.downgrade_ops_list, strict=True):
        group = next(
            (
                o
                for o in upgrade_ops.ops
                if isinstance(o, ops.ModifyTableOps) and o.table_name == rename.table
            ),
            None,
        )
        if group is None:
            continue
        drop = next(
            (o for o in group.ops if isinstance(o, ops.DropColumnOp) and o.column_name == rename.old), None
        )
        add = next(
            (o for o in group.ops if isinstance(o, ops.AddColumnOp) and o.column.name == rename.new), None
        )
        if drop is None or add is None:
            continue
        split = Split(rename.table, group.schema, drop.to_column(), add.column, drop)
        for op in list(group.ops):
            if op is drop or op is add:
                group.ops.remove(op)
            elif _is_key(op) and rename.old in _columns_of(op):
                split.old_keys.append(op)
                group.ops.remove(op)
            elif _is_key(op) and rename.new in _columns_of(op):
                split.new_keys.append(op)
                group.ops.remove(op)
        _drop_empty(upgrade_ops)
        # The downgrade autogenerate wrote for them: the contract's and the expand's downgrades
        # say it now.
        for other in downgrade_ops.ops:
            if isinstance(other, ops.ModifyTableOps) and other.table_name == rename.table:
                other.ops = [o for o in other.ops if not _about(o, rename)]
        _drop_empty(downgrade_ops)
        return split
    return None


def _about(op: ops.MigrateOperation, rename: Rename) -> bool:
    if isinstance(op, ops.AddColumnOp):
        return str(op.column.name) in (rename.old, rename.new)
    if isinstance(op, ops.DropColumnOp):
        return op.column_name in (rename.old, rename.new)
    return _is_key(op) and bool(_columns_of(op) & {rename.old, rename.new})


def _drop_empty(container: ops.OpContainer) -> None:
    container.ops = [o for o in container.ops if not (isinstance(o, ops.ModifyTableOps) and o.is_empty())]


# --- The steps ---------------------------------------------------------------------------


def _reverse_all(steps: Iterable[ops.MigrateOperation]) -> list[ops.MigrateOperation]:
    return [step.reverse() for step in reversed(list(steps))]


class _Writer:
    """The four lists of steps of one split, on PostgreSQL or MySQL/MariaDB."""

    def __init__(self, split: Split, dialect: Dialect) -> None:
        self.split, self.dialect = split, dialect
        self.quote = dialect.identifier_preparer.quote
        self.mysql = dialect.name in ("mysql", "mariadb")
        self.table, self.schema = split.table, split.schema
        self.old, self.new = str(split.old.name), str(split.new.name)
        self.sync = f"{self.table}_{self.old}_{self.new}_sync"[:NAME_LIMIT]
        where = f"{self.quote(self.schema)}." if self.schema else ""
        self.target = where + self.quote(self.table)
        self.prefix = where

    # -- triggers -------------------------------------------------------------------------

    def _triggers(self) -> SQLStep | list[SQLStep]:
        old, new = self.quote(self.old), self.quote(self.new)
        if self.mysql:
            return [
                SQLStep(f"DROP TRIGGER IF EXISTS {self.prefix}{self.quote(self._mysql_name('ins'))}"),
                SQLStep(
                    f"""
CREATE TRIGGER {self.prefix}{self.quote(self._mysql_name("ins"))} BEFORE INSERT ON {self.target}
FOR EACH ROW
BEGIN
    -- The old code writes {self.old}, the new code {self.new}: fill the one it left out.
    IF NEW.{new} IS NULL THEN
        SET NEW.{new} = NEW.{old};
    ELSE
        SET NEW.{old} = NEW.{new};
    END IF;
END"""
                ),
                SQLStep(f"DROP TRIGGER IF EXISTS {self.prefix}{self.quote(self._mysql_name('upd'))}"),
                SQLStep(
                    f"""
CREATE TRIGGER {self.prefix}{self.quote(self._mysql_name("upd"))} BEFORE UPDATE ON {self.target}
FOR EACH ROW
BEGIN
    -- Copy the column the UPDATE changed to the other one.
    IF NOT ({self._same("NEW", new, "OLD")}) THEN
        SET NEW.{old} = NEW.{new};
    ELSEIF NOT ({self._same("NEW", old, "OLD")}) THEN
        SET NEW.{new} = NEW.{old};
    END IF;
END"""
                ),
            ]
        function = f"{self.prefix}{self.quote(self.sync)}"
        return [
            SQLStep(
                f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- The old code writes {self.old}, the new code {self.new}: fill the one it left out.
        IF NEW.{new} IS NULL THEN
            NEW.{new} := NEW.{old};
        ELSE
            NEW.{old} := NEW.{new};
        END IF;
    -- An UPDATE: copy the column it changed to the other one.
    ELSIF NEW.{new} IS DISTINCT FROM OLD.{new} THEN
        NEW.{old} := NEW.{new};
    ELSIF NEW.{old} IS DISTINCT FROM OLD.{old} THEN
        NEW.{new} := NEW.{old};
    END IF;
    RETURN NEW;
END
$$"""
            ),
            SQLStep(f"DROP TRIGGER IF EXISTS {self.quote(self.sync)} ON {self.target}"),
            SQLStep(
                f"CREATE TRIGGER {self.quote(self.sync)} BEFORE INSERT OR UPDATE ON {self.target}\n"
                f"FOR EACH ROW EXECUTE FUNCTION {function}()"
            ),
        ]

    def _mysql_name(self, suffix: str) -> str:
        return f"{self.sync[: NAME_LIMIT - len(suffix) - 1]}_{suffix}"

    def _same(self, new_row: str, column: str, old_row: str) -> str:
        """MySQL: the column holds the same value before and after (NULL-safe); strings compared
        byte by byte, so that a change of case or of trailing spaces is copied too."""
        if isinstance(self.split.new.type, (sqltypes.String, sqltypes.Enum)):
            return f"CAST({new_row}.{column} AS BINARY) <=> CAST({old_row}.{column} AS BINARY)"
        return f"{new_row}.{column} <=> {old_row}.{column}"

    def _drop_triggers(self) -> list[SQLStep]:
        if self.mysql:
            return [
                SQLStep(f"DROP TRIGGER IF EXISTS {self.prefix}{self.quote(self._mysql_name(s))}")
                for s in ("ins", "upd")
            ]
        return [
            SQLStep(f"DROP TRIGGER IF EXISTS {self.quote(self.sync)} ON {self.target}"),
            # Only these triggers called it (squawk's ban-drop-function is about functions clients call).
            SQLStep(
                f"-- squawk-ignore ban-drop-function\nDROP FUNCTION IF EXISTS {self.prefix}{self.quote(self.sync)}()"
            ),
        ]

    def _trigger_steps(self) -> list[SQLStep]:
        found = self._triggers()
        return found if isinstance(found, list) else [found]

    # -- columns --------------------------------------------------------------------------

    def _bare(self, column: Column[Any]) -> Column[Any]:
        """`column`, nullable and without a server default: what ADD COLUMN writes in the window."""
        return Column(str(column.name), column.type, nullable=True, comment=column.comment)

    def _add(self, column: Column[Any]) -> ops.AddColumnOp:
        add = ops.AddColumnOp(self.table, self._bare(column), schema=self.schema)
        if not self.mysql or getattr(self.dialect, "is_mariadb", False):
            add.if_not_exists = True  # a failed backfill is re-run from the top
        return add

    def _alter(self, column: Column[Any], **changes: Any) -> ops.AlterColumnOp:
        return ops.AlterColumnOp(
            self.table,
            str(column.name),
            schema=self.schema,
            existing_type=column.type,
            existing_nullable=changes.pop("existing_nullable", True),
            existing_server_default=changes.pop("existing_server_default", None),
            **changes,
        )

    def _backfill(self, target: str, source: str) -> Backfill:
        return Backfill(self.table, self.quote(target), self.quote(source), self.schema)

    def _keys_made(self, keys: list[ops.MigrateOperation]) -> list[ops.MigrateOperation]:
        """The operations that make the indexes and keys of `keys` (drops: their reverse)."""
        made: list[ops.MigrateOperation] = []
        for op in keys:
            if isinstance(op, (ops.DropIndexOp, ops.DropConstraintOp)):
                made.append(op.reverse())
            else:
                made.append(op)
        return made

    # -- the four directions --------------------------------------------------------------

    def expand(self) -> list[ops.MigrateOperation]:
        split, old, new = self.split, self.old, self.new
        steps: list[ops.MigrateOperation] = [
            Comment(
                f"Expand: {self.table}.{old} is renamed to {new} without downtime. The code running now "
                f"reads and writes {old}; the new code, deployed after this revision, uses {new}."
            ),
            Comment(
                f"1. The new column {new}: nullable, without a default until the contract step (a default "
                "would fill the existing rows, and hide which column an INSERT wrote)."
            ),
            self._add(split.new),
            Comment(
                f"2. Triggers keep {old} and {new} equal whichever one the code writes: an INSERT fills "
                "the one it left out, an UPDATE copies the one it changed. The contract step drops them."
            ),
            *self._trigger_steps(),
            Comment(
                "3. The existing rows, copied in batches that each commit (alembic_guardrails.backfill). "
                "It commits the steps above first; a failed run resumes where it stopped."
            ),
            self._backfill(new, old),
        ]
        made = self._keys_made(split.new_keys)
        if made:
            steps.append(Comment(f"4. {new} gets the indexes and keys {old} has."))
            steps.append(ops.ModifyTableOps(self.table, made, schema=self.schema))
        return steps

    def unexpand(self) -> list[ops.MigrateOperation]:
        """The expand's downgrade: the copies, the triggers and the new column go."""
        made = self._keys_made(self.split.new_keys)
        steps: list[ops.MigrateOperation] = [
            Comment(
                f"Undo the expand of {self.table}.{self.old} -> {self.new}: {self.old} holds every row's value."
            )
        ]
        if made:
            steps.append(ops.ModifyTableOps(self.table, _reverse_all(made), schema=self.schema))
        steps += self._drop_triggers()
        steps.append(
            ops.DropColumnOp.from_column_and_tablename(self.schema, self.table, self._bare(self.split.new))
        )
        return steps

    def contract(self) -> list[ops.MigrateOperation]:
        split, old, new = self.split, self.old, self.new
        steps: list[ops.MigrateOperation] = [
            Comment(f"1. No code writes {old} any more: the triggers that kept it in step go."),
            *self._drop_triggers(),
        ]
        model = split.new
        if not model.nullable:
            steps += [
                Comment(
                    f"2. {new} takes {old}'s NOT NULL. The backfill and the triggers gave every row a value: "
                    "this pass finds none left to copy, and proves it before NOT NULL."
                ),
                self._backfill(new, old),
                self._alter(model, modify_nullable=False),
            ]
        if model.server_default is not None:
            steps += [
                Comment(f"{new} gets its server default now that no INSERT needs to be told apart."),
                self._alter(
                    model,
                    existing_nullable=model.nullable,
                    modify_server_default=model.server_default,
                ),
            ]
        drops: list[ops.MigrateOperation] = [op for op in split.old_keys if isinstance(op, ops.DropIndexOp)]
        drops += [op for op in split.old_keys if isinstance(op, ops.DropConstraintOp)]
        steps.append(
            Comment(f"3. The old column {old}, with its indexes and keys: the planned contract step.")
        )
        if drops:
            steps.append(ops.ModifyTableOps(self.table, drops, schema=self.schema))
        steps.append(ops.ModifyTableOps(self.table, [split.drop], schema=self.schema))
        return steps

    def uncontract(self) -> list[ops.MigrateOperation]:
        """The contract's downgrade: back to both columns, kept in step by the triggers."""
        split, old, new = self.split, self.old, self.new
        reflected = split.old
        steps: list[ops.MigrateOperation] = [
            Comment(
                f"Undo the contract: {old} comes back beside {new}, filled in batches from it, and the "
                "triggers keep both in step again, for the code that uses either."
            ),
            ops.ModifyTableOps(self.table, [self._add(reflected)], schema=self.schema),
            *self._trigger_steps(),
            self._backfill(old, new),
        ]
        if reflected.server_default is not None:
            steps.append(self._alter(reflected, modify_server_default=reflected.server_default))
        if not reflected.nullable:
            steps.append(
                self._alter(
                    reflected,
                    existing_server_default=reflected.server_default,
                    modify_nullable=False,
                )
            )
        made = self._keys_made(split.old_keys)
        if made:
            steps.append(ops.ModifyTableOps(self.table, made, schema=self.schema))
        model = split.new
        if model.server_default is not None:
            steps.append(
                self._alter(
                    model,
                    existing_nullable=model.nullable,
                    existing_server_default=model.server_default,
                    modify_server_default=None,
                )
            )
        if not model.nullable:
            steps.append(self._alter(model, existing_nullable=False, modify_nullable=True))
        return steps
