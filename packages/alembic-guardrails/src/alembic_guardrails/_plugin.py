"""The alembic_guardrails autogenerate plugin (Alembic 1.18+, `alembic.runtime.plugins`).

Its comparators run inside autogenerate's comparison, so `revision --autogenerate`,
`alembic check` and tools calling Alembic's compare_metadata / produce_migrations
(pytest-alembic) all see what they find:

- `"column"` / `"types"`, MySQL/MariaDB: types the database stores identically
  compare equal (`_compare.compare_type`: DOUBLE for Float(53));
- `"column"` / `"server_default"`, MySQL/MariaDB, PostgreSQL and SQLite: defaults in
  the database's own spelling compare equal (`_compare.compare_server_default`: 0 for
  false(), `'[]'::json` for "[]"), without Alembic's `SELECT a = b` on PostgreSQL, which
  fails on types without `=` (json, xml, point);
- `"schema"` / `"enums"`, every database: the enum value changes Alembic cannot
  see (`_enums.add_enum_changes`), once Alembic has compared the tables.

The column comparators are registered at MEDIUM priority with the dialect as
qualifier: they run after Alembic's FIRST ones (which note the existing type and
default, and honour `compare_type=False` / `compare_server_default=False`) and
before its own comparisons (MEDIUM for any dialect, then LAST), whatever the
order plugins were registered in. They answer as Alembic's compare_type /
compare_server_default callables did: STOP when the function finds the column
the same (or different: the change is then noted), CONTINUE when it lets
Alembic decide.

Guardrails.options() enables the plugin with `autogenerate_plugins=[
"alembic.autogenerate.*", "alembic_guardrails"]`, and `compare_server_default=True`:
without it Alembic compares no server default, and skips this plugin's comparator
with its own.

Registration: the package's `alembic.plugins` entry point sets it up when `import alembic`
loads entry points (which is why nothing here, nor in the package's __init__, imports more
of Alembic than alembic.util and alembic.runtime.plugins at import time: Alembic is half-way
through its own import then; _compare and _enums load when a comparator runs). `register()`,
called by Guardrails.options(), sets it up where no entry point did (the package on
sys.path without being installed). tests/test_plugin.py checks both through an installed wheel.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from types import ModuleType, NoneType
from typing import TYPE_CHECKING, Any

from alembic.runtime.plugins import Plugin
from alembic.util import DispatchPriority, PriorityDispatchResult
from sqlalchemy import text
from sqlalchemy import types as sqltypes
from sqlalchemy.schema import DefaultClause

from . import _command_line

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from alembic.operations.ops import AlterColumnOp, UpgradeOps

# `alembic` run where there is no alembic.ini (a subdirectory of the project) fails with
# Alembic's "No 'script_location' key found in configuration." This module is the one piece
# of ours that runs before Alembic reads its configuration (`import alembic` loads it through
# the entry point), so the better line comes from here: where the project's alembic.ini is,
# `cd` there or `alembic -c`. It looks at sys.argv and at whether the config files exist, and
# does nothing else (no output, no exit) unless the `alembic` command's config file is really
# missing; then it prints that line on stderr and ends the process as Alembic would have.
_command_line.refuse_missing_config()

NAME = "alembic_guardrails"
# The dialects (comparator qualifiers) whose stored types and server defaults _compare corrects.
TYPE_DIALECTS = ("mysql", "mariadb")
# PostgreSQL: its own comparison evaluates `SELECT a = b`, which fails on json, xml, point...
# (sqlalchemy/alembic#1119); SQLite: its own misses `''` and `'it''s'`.
SERVER_DEFAULT_DIALECTS = ("mysql", "mariadb", "postgresql", "sqlite")

_set_up = False


class _IterableModule(ModuleType):
    """Alembic 1.18 to 1.20.0 iterate over what the entry point loads (a list of modules);
    1.20.1 takes the module itself and deprecates the list. This module is both."""

    def __iter__(self) -> Iterator[ModuleType]:
        yield self


sys.modules[__name__].__class__ = _IterableModule


def setup(plugin: Plugin) -> None:
    """Register the comparators (Alembic calls this for an entry point; register() otherwise)."""
    global _set_up
    for dialect in TYPE_DIALECTS:
        plugin.add_autogenerate_comparator(
            compare_type, "column", "types", qualifier=dialect, priority=DispatchPriority.MEDIUM
        )
    for dialect in SERVER_DEFAULT_DIALECTS:
        plugin.add_autogenerate_comparator(
            compare_server_default,
            "column",
            "server_default",
            qualifier=dialect,
            priority=DispatchPriority.MEDIUM,
        )
    # LAST: after Alembic's "tables" comparator (MEDIUM), whose alter_column operations it completes.
    plugin.add_autogenerate_comparator(compare_enums, "schema", "enums", priority=DispatchPriority.LAST)
    _set_up = True


def register() -> str:
    """Set the plugin up unless an entry point already did; its name, for `autogenerate_plugins`."""
    if not _set_up:
        Plugin.setup_plugin_from_module(sys.modules[__name__], NAME)
    return NAME


def compare_type(
    autogen_context: AutogenContext,
    alter_column_op: AlterColumnOp,
    schema: str | None,
    tname: str,
    cname: str,
    conn_col: Any,
    metadata_col: Any,
) -> PriorityDispatchResult:
    """`_compare.compare_type`, asked as Alembic asks a compare_type callable."""
    from . import _compare

    if sqltypes.NullType in (conn_col.type._type_affinity, metadata_col.type._type_affinity):
        return PriorityDispatchResult.CONTINUE  # Alembic logs it and compares nothing
    is_diff = _compare.compare_type(
        autogen_context.migration_context, conn_col, metadata_col, conn_col.type, metadata_col.type
    )
    if is_diff:
        alter_column_op.modify_type = metadata_col.type
    return _answer(is_diff)


def compare_server_default(
    autogen_context: AutogenContext,
    alter_column_op: AlterColumnOp,
    schema: str | None,
    tname: str,
    cname: str,
    conn_col: Any,
    metadata_col: Any,
) -> PriorityDispatchResult:
    """`_compare.compare_server_default`, asked as Alembic asks a compare_server_default callable.

    Only plain defaults on both sides: Alembic's own comparators handle Computed and Identity.
    The model's default is given as CREATE TABLE writes it (a str as a quoted literal).
    On MariaDB a default SQLAlchemy did not reflect (an expression such as `lcase('ABC')`)
    is read from information_schema.
    """
    from . import _compare, _defaults

    inspected, model = conn_col.server_default, metadata_col.server_default
    if not isinstance(inspected, (DefaultClause, NoneType)) or not isinstance(
        model, (DefaultClause, NoneType)
    ):
        return PriorityDispatchResult.CONTINUE
    migration_context = autogen_context.migration_context
    inspected_sql = _inspected_sql(inspected)
    if inspected is None:
        inspected_sql = _defaults.mariadb_default(migration_context, conn_col)
        if inspected_sql is not None:
            alter_column_op.existing_server_default = DefaultClause(text(inspected_sql))
    if model is None:
        if inspected is None and inspected_sql is not None:  # a default only information_schema shows
            alter_column_op.modify_server_default = None
            return PriorityDispatchResult.STOP
        return PriorityDispatchResult.CONTINUE  # Alembic's: a dropped default, PostgreSQL's SERIAL
    is_diff = _compare.compare_server_default(
        migration_context,
        conn_col,
        metadata_col,
        inspected_sql,
        model,
        _defaults.render(model, autogen_context.dialect),
    )
    if is_diff:
        alter_column_op.modify_server_default = model
    return _answer(is_diff)


def compare_enums(
    autogen_context: AutogenContext, upgrade_ops: UpgradeOps, schemas: set[str | None]
) -> PriorityDispatchResult:
    """The enum value changes Alembic cannot see, added to the upgrade operations."""
    from . import _enums

    if autogen_context.connection is not None and autogen_context.metadata is not None:
        _enums.add_enum_changes(autogen_context.connection, autogen_context.metadata, upgrade_ops)
    return PriorityDispatchResult.CONTINUE


def _answer(is_diff: bool | None) -> PriorityDispatchResult:
    """None lets Alembic compare; True or False is the answer, and ends the comparison."""
    return PriorityDispatchResult.CONTINUE if is_diff is None else PriorityDispatchResult.STOP


def _inspected_sql(default: DefaultClause | None) -> str | None:
    """A reflected default's SQL (reflection gives it as text())."""
    if default is None:
        return None
    arg: Any = default.arg
    return arg if isinstance(arg, str) else str(arg.text)
