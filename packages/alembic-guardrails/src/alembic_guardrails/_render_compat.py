"""What Alembic 1.18 cannot render yet: `op.create_check_constraint` (Alembic 1.19 added it).

Renames (`_renames`) write CHECK constraints again under their new names on MySQL and SQLite;
Alembic 1.18's renderer for CreateCheckConstraintOp raises NotImplementedError. This is
Alembic 1.19's renderer, registered only where Alembic lacks one.
"""

from __future__ import annotations

from alembic import __version__ as alembic_version
from alembic.autogenerate import render
from alembic.autogenerate.api import AutogenContext
from alembic.operations import ops


def _add_check_constraint(autogen_context: AutogenContext, op: ops.CreateCheckConstraintOp) -> str:
    constraint = op.to_constraint()
    args = [repr(render._render_gen_name(autogen_context, op.constraint_name))]
    if not autogen_context._has_batch:
        args.append(repr(render._ident(op.table_name)))
    args.append(render._render_potential_expr(constraint.sqltext, autogen_context, wrap_in_element=False))
    if not autogen_context._has_batch and op.schema:
        args.append(f"schema={render._ident(op.schema)!r}")
    args.extend(render._render_dialect_kwargs_items(autogen_context, constraint.dialect_kwargs))
    prefix = render._alembic_autogenerate_prefix(autogen_context)
    return f"{prefix}create_check_constraint({', '.join(args)})"


def install() -> None:
    major, minor = (int(part) for part in alembic_version.split(".")[:2])
    if (major, minor) < (1, 19):
        render.renderers.dispatch_for(ops.CreateCheckConstraintOp, replace=True)(_add_check_constraint)
