"""A constraint or column change on SQLite outside batch mode: SQLite has no ALTER for it."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._rule import Context, Finding, Rule

RULE = Rule(
    id="sqlite-alter-outside-batch",
    verdict="refuse",
    dialects=("sqlite",),
    authority=(
        "The SQLite manual (ALTER TABLE: no ADD/DROP CONSTRAINT, no ALTER COLUMN) / "
        "Alembic: Running \u201cBatch\u201d Migrations for SQLite"
    ),
    message={
        "en": (
            "{statement} on {table} outside batch mode: SQLite has no ALTER for it, so the upgrade "
            "fails (NotImplementedError); write it inside op.batch_alter_table({table!r})"
        ),
        "zh": (
            "在 batch 模式之外对表 {table} 执行 {statement}：SQLite 没有对应的 ALTER，升级必然失败"
            "（NotImplementedError）；请写在 op.batch_alter_table({table!r}) 中"
        ),
    },
    safe={
        "en": (
            'Write it as `with op.batch_alter_table("<table>") as batch_op: batch_op.<operation>(...)`: '
            "Alembic copies the table with the change (\u201cmove and copy\u201d). Autogenerate writes that "
            "itself on SQLite (`render_as_batch`). No `-x` override helps: the upgrade fails whatever the data."
        ),
        "zh": (
            '写成 `with op.batch_alter_table("<表名>") as batch_op: batch_op.<操作>(...)`：Alembic 会带着改动'
            "复制整张表（“move and copy”）。在 SQLite 上 autogenerate 本身就这样写（`render_as_batch`）。"
            "任何 `-x` 参数都无济于事：无论数据如何升级都会失败。"
        ),
    },
    overridable=False,
)

# Operations SQLite's ALTER TABLE cannot do (it renames tables and columns, adds and drops columns).
NEEDS_BATCH = {
    ops.CreateForeignKeyOp: "create_foreign_key",
    ops.CreateUniqueConstraintOp: "create_unique_constraint",
    ops.CreateCheckConstraintOp: "create_check_constraint",
    ops.CreatePrimaryKeyOp: "create_primary_key",
    ops.DropConstraintOp: "drop_constraint",
}


def _changes_more_than_the_name(op: ops.AlterColumnOp) -> bool:
    # AlterColumnOp says "not changed" with None for type and nullable (False is NOT NULL), and
    # with False for the server default and the comment (None drops them).
    return (
        op.modify_type is not None
        or op.modify_nullable is not None
        or op.modify_server_default is not False
        or op.modify_comment is not False
    )


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if context.dialect != "sqlite" or not context.outside_batch(op):
        return
    table = str(getattr(op, "table_name", None) or getattr(op, "source_table", ""))
    if isinstance(op, ops.AlterColumnOp) and _changes_more_than_the_name(op):
        yield RULE.finding(table, op.column_name, statement="alter_column", table=table)
        return
    for kind, statement in NEEDS_BATCH.items():
        if isinstance(op, kind):
            yield RULE.finding(table, statement=statement, table=table)
            return
