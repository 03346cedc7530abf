"""Retired columns: the code stops using a column now, a post-deploy revision drops it later.

Dropping a column the running code still selects breaks that code (SQLAlchemy names every
mapped column in its SELECTs and INSERTs) for as long as old and new code overlap in a deploy.
GitLab's `ignore_column` and strong_migrations' `ignored_columns` split it in two deploys;
so does this:

1. The model loses the column's attribute, and its table says the column is retired:

       class User(Base):
           __tablename__ = "users"
           __table_args__ = retire("nickname")  # from alembic_guardrails import retire

   The mapper no longer reads or writes it, at once. Autogenerate and `alembic check` leave
   the column alone (no drop, no drift), with its indexes and constraints; the one thing it
   writes is `nullable=True` when the column is NOT NULL without a server default, since the
   new code's INSERTs leave it out.
2. Once that code is live everywhere, `alembic revision --autogenerate -x post_deploy=true -m
   "drop users.nickname"` writes the drop, in a revision marked `post_deploy = True`, which
   `alembic -x phase=pre upgrade head` holds back until `-x phase=post` (_phases.py). The
   guards accept the drop of a retired column there without `-x allow_destructive=true`: the
   model said so, twice.
"""

from __future__ import annotations

from typing import Any

from alembic.operations import ops
from sqlalchemy import MetaData

from .rules._operations import walk

INFO_KEY = "retired_columns"


def retire(*columns: str) -> dict[str, Any]:
    """`__table_args__ = retire("nickname")`: the model's table no longer maps these columns, and
    autogenerate leaves them in the database until a post-deploy revision drops them.

    With other table arguments: `__table_args__ = (sa.Index(...), retire("nickname"))`."""
    return {"info": {INFO_KEY: tuple(columns)}}


def retired_columns(metadata: MetaData | None) -> frozenset[tuple[str, str]]:
    """(table, column) of every column the models retire."""
    if metadata is None:
        return frozenset()
    return frozenset(
        (table.name, column) for table in metadata.tables.values() for column in table.info.get(INFO_KEY, ())
    )


def _columns_of(op: ops.MigrateOperation) -> tuple[str | None, set[str]]:
    """The table and the columns an operation autogenerate writes is about."""
    if isinstance(op, (ops.AddColumnOp, ops.DropColumnOp, ops.AlterColumnOp)):
        return op.table_name, {op.column_name if not isinstance(op, ops.AddColumnOp) else op.column.name}
    if isinstance(op, (ops.CreateIndexOp, ops.DropIndexOp)):
        index = op.to_index() if isinstance(op, ops.CreateIndexOp) else op.reverse().to_index()
        return op.table_name, {column.name for column in index.columns}
    if isinstance(op, (ops.AddConstraintOp, ops.DropConstraintOp)):
        try:
            constraint = (
                op.to_constraint() if isinstance(op, ops.AddConstraintOp) else op.reverse().to_constraint()
            )
        except (ValueError, AttributeError):  # a drop autogenerate wrote without its reverse
            return None, set()
        return constraint.table.name, {column.name for column in getattr(constraint, "columns", ())}
    return None, set()


def _about_retired(op: ops.MigrateOperation, retired: frozenset[tuple[str, str]]) -> bool:
    table, columns = _columns_of(op)
    return any((table, column) in retired for column in columns)


def _nullable_instead(op: ops.DropColumnOp) -> ops.AlterColumnOp | None:
    """A retired NOT NULL column without a server default: the new code's INSERTs leave it out."""
    column = op.to_column()
    if column.nullable or column.server_default is not None:
        return None
    return ops.AlterColumnOp(
        op.table_name,
        op.column_name,
        schema=op.schema,
        existing_type=column.type,
        existing_nullable=False,
        modify_nullable=True,
    )


def _leave_alone(container: ops.OpContainer, retired: frozenset[tuple[str, str]], upgrade: bool) -> None:
    kept: list[ops.MigrateOperation] = []
    for op in container.ops:
        if isinstance(op, ops.OpContainer):
            _leave_alone(op, retired, upgrade)
            if not op.is_empty():
                kept.append(op)
            continue
        if not _about_retired(op, retired):
            kept.append(op)
        elif isinstance(op, ops.DropColumnOp) and upgrade:
            nullable = _nullable_instead(op)
            if nullable is not None:
                kept.append(nullable)
        elif isinstance(op, ops.AddColumnOp) and not upgrade and not op.column.nullable:
            # The downgrade of that nullable=True: NOT NULL again.
            kept.append(
                ops.AlterColumnOp(
                    op.table_name,
                    op.column.name,
                    schema=op.schema,
                    existing_type=op.column.type,
                    existing_nullable=True,
                    modify_nullable=False,
                )
            )
    container.ops = kept


def leave_retired_alone(script: ops.MigrationScript, metadata: MetaData | None, *, post_deploy: bool) -> None:
    """Take the retired columns out of what autogenerate found (not in a post-deploy revision,
    which is where their drop belongs)."""
    retired = retired_columns(metadata)
    if not retired or post_deploy:
        return
    for upgrade_ops, downgrade_ops in zip(script.upgrade_ops_list, script.downgrade_ops_list, strict=False):
        _leave_alone(upgrade_ops, retired, upgrade=True)
        _leave_alone(downgrade_ops, retired, upgrade=False)


def retired_drops(upgrade_ops: ops.OpContainer, metadata: MetaData | None) -> frozenset[int]:
    """The drops (by id) of retired columns in a revision: drop-column accepts them post-deploy."""
    retired = retired_columns(metadata)
    return frozenset(
        id(op)
        for op in walk(upgrade_ops)
        if isinstance(op, ops.DropColumnOp) and (op.table_name, op.column_name) in retired
    )
