"""What autogenerate may see, and the driver that runs the rules over what it writes.

env.py wires these into Alembic; they are plain functions over Alembic's
operation objects, so they are tested without a database.

- `TableFilter` hides ignored tables (by name, before reflection).
- `check_revision` rewrites what it can make safe (renames the command line
  names, with their indexes and constraints: _renames.py; NULLs filled before
  NOT NULL, casts PostgreSQL needs: _rewrites.py; downgrades that run on the
  rows the table holds: _downgrades.py), refuses empty revisions and
  revisions that lose data or fail on existing rows unless the command line
  allows it explicitly, and returns review points: operations that are safe
  for the data but may block a busy table or fail on duplicates.

A refusal either names the whole command that writes the revision (every `-x`
of this run, and the overrides it lacks), or, when a rule says no override can
make the upgrade work (`Rule.overridable`), says so and gives the rule's safe way.

What counts as dangerous is not here: each rule is a module of rules/, and
this module walks the operations and asks every rule about each of them.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from alembic.operations import ops
from alembic.util import CommandError
from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.default import DefaultDialect

from . import _row_checks
from ._downgrades import downgrades_that_run
from ._messages import in_language, text
from ._rewrites import Rename, apply_renames, cast_across_kinds, fill_nulls_before_not_null, parse_renames
from .rules import MODULES, Context, Finding, RuleModule, _not_null_checks
from .rules._operations import added_columns, created_tables, walk

__all__ = [
    "FALSE_WORDS",
    "TRUE_WORDS",
    "Finding",
    "Overrides",
    "TableFilter",
    "added_columns",
    "check_revision",
    "created_tables",
    "destructive_operations",
    "review_points",
    "split_list",
    "walk",
]

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"", "0", "false", "no", "off"}


def split_list(value: str | None) -> tuple[str, ...]:
    """`"a, b,,c"` -> `("a", "b", "c")`: the comma-separated lists of alembic.ini."""
    return tuple(item.strip() for item in (value or "").split(",") if item.strip())


@dataclass(frozen=True)
class TableFilter:
    """Tables autogenerate and `alembic check` must never see."""

    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()

    def ignores(self, table_name: str | None) -> bool:
        if not table_name:
            return False
        return table_name.startswith(self.prefixes) or table_name.endswith(self.suffixes)

    def include_name(self, name: str | None, type_: str, parent_names: Mapping[str, Any]) -> bool:
        # Runs before reflection: an ignored table is never even inspected.
        if type_ == "table":
            return not self.ignores(name)
        return not self.ignores(parent_names.get("table_name"))

    def include_object(
        self, object_: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        # Covers what include_name cannot: tables that exist only in the models.
        table = name if type_ == "table" else getattr(getattr(object_, "table", None), "name", None)
        return not self.ignores(table)


def _flag(x_args: Mapping[str, str], key: str) -> bool:
    value = x_args.get(key, "").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise CommandError(text("bad_flag", flag=key, value=x_args[key]))


@dataclass(frozen=True)
class Overrides:
    """What `-x key=value` on the command line allows or says."""

    allow_destructive: bool = False
    allow_protected: frozenset[str] = frozenset()
    renames: tuple[Rename, ...] = ()
    # The other `-x key=value` of this run (the renames among them), in their order: a refusal's
    # command repeats them, or the run it names would write another revision.
    others: tuple[str, ...] = ()

    @classmethod
    def from_x_arguments(cls, x_args: Mapping[str, str]) -> Overrides:
        return cls(
            allow_destructive=_flag(x_args, "allow_destructive"),
            allow_protected=frozenset(split_list(x_args.get("allow_protected"))),
            renames=parse_renames(x_args.get("rename")),
            others=tuple(f"{key}={value}" for key, value in x_args.items() if key not in OVERRIDE_KEYS),
        )

    def command(self, protected: Iterable[str]) -> str:
        """The `-x` options that write the revision: this run's others, then the overrides."""
        tables = ",".join(sorted(set(protected)))
        options = [*self.others, *([f"allow_protected={tables}"] if tables else []), "allow_destructive=true"]
        return " ".join(f"-x {shlex.quote(option)}" for option in options)


OVERRIDE_KEYS = ("allow_destructive", "allow_protected")


def _run(rules: list[RuleModule], upgrade_ops: ops.OpContainer, context: Context) -> list[Finding]:
    """Each operation in turn, asked of every rule in the order of rules.MODULES."""
    return [finding for op in walk(upgrade_ops) for rule in rules for finding in rule.check(op, context)]


def _refusing(*, overridable: bool) -> list[RuleModule]:
    return [m for m in MODULES if m.RULE.verdict == "refuse" and m.RULE.overridable is overridable]


def destructive_operations(
    upgrade_ops: ops.OpContainer,
    dialect: str | None = None,
    *,
    not_null_checked: Iterable[tuple[str, str]] = (),
    retired_drops: Iterable[int] = (),
) -> list[Finding]:
    """Operations that lose data or fail on rows that already exist (the overridable refusals).

    `not_null_checked`: (table, column) pairs a validated `CHECK (column IS NOT NULL)` already
    holds in the database (strong_migrations' recipe): SET NOT NULL there meets no NULL."""
    context = Context.of(upgrade_ops, dialect, not_null_checked=not_null_checked, retired_drops=retired_drops)
    return _run(_refusing(overridable=True), upgrade_ops, context)


def review_points(
    upgrade_ops: ops.OpContainer, dialect: str | None = None, *, online: bool = False
) -> list[str]:
    """Operations that are allowed but deserve a second look in the review.

    `online`: migrations.online_ddl writes PostgreSQL's online forms (no word needed for those).
    """
    reviewing = [m for m in MODULES if m.RULE.verdict == "review"]
    context = Context.of(upgrade_ops, dialect, online=online)
    return [str(finding) for finding in _run(reviewing, upgrade_ops, context)]


def _refuse_broken_models(
    upgrade_ops: ops.OpContainer,
    dialect: str | None,
    *,
    online: bool = False,
    connection: Connection | None = None,
) -> None:
    """Upgrades no override can make work (the rules that are not `overridable`): refused
    whatever `-x` says, and the refusal says so and gives each rule's safe way. `connection`:
    the database autogenerate compares against, asked for rows that break a new constraint."""
    unique = _row_checks.unique_columns(connection) if connection is not None else None
    breaking_rows = _row_checks.finder(connection, unique) if connection is not None else None
    context = Context.of(upgrade_ops, dialect, online=online, breaking_rows=breaking_rows)
    findings = _run(_refusing(overridable=False), upgrade_ops, context)
    if not findings:
        return
    # Each message names its table itself: one sentence a finding, no listing.
    lines = [f"{finding.action} [{finding.rule}]" for finding in findings]
    lines.append(text("no_override"))
    rules = {module.RULE.id: module.RULE for module in MODULES}
    for rule in dict.fromkeys(finding.rule for finding in findings):
        lines.append(text("no_override_safe", rule=rule, safe=in_language(rules[rule].safe)))
    raise CommandError("\n".join(lines))


def _listing(headline: str, findings: list[Finding], fix: str) -> str:
    return "\n".join([headline, *(f"  - {finding}" for finding in findings), fix])


def _fix(overrides: Overrides, protected: list[str], *, on_protected: bool) -> str:
    """How to re-run: the whole command, every `-x` it needs (the plain wording when the
    overrides alone make it)."""
    if not overrides.others and (on_protected or not protected):
        return text("protected_fix", tables=",".join(protected)) if on_protected else text("destructive_fix")
    options = overrides.command(protected)
    if on_protected:
        return text("protected_fix_command", options=options)
    return text("destructive_fix_command", options=options)


def check_revision(
    script: ops.MigrationScript,
    *,
    protected_tables: Iterable[str],
    overrides: Overrides,
    dialect: Dialect | None = None,
    online: bool = False,
    connection: Connection | None = None,
    retired_drops: Iterable[int] = (),
) -> list[str]:
    """Rewrite, then refuse (CommandError) an empty or unsafe autogenerated revision; return review points.

    `script` is the MigrationScript autogenerate built; `dialect` the SQLAlchemy
    dialect of the database it compared against (its name picks the review points);
    `online`: migrations.online_ddl will write PostgreSQL's online forms; `connection`: that
    database, asked for rows that already break a constraint the revision adds; `retired_drops`:
    the drops of retired columns in a post-deploy revision (_retire.py), accepted.
    """
    dialect = dialect or DefaultDialect()
    name = dialect.name
    upgrade_ops_list = list(script.upgrade_ops_list)
    if all(upgrade_ops.is_empty() for upgrade_ops in upgrade_ops_list):
        raise CommandError(text("empty_revision"))
    apply_renames(script, overrides.renames, dialect)
    for upgrade_ops in upgrade_ops_list:
        _refuse_broken_models(upgrade_ops, name, online=online, connection=connection)
    checked = _not_null_checks.validated(connection) if connection is not None else frozenset()
    unique = _row_checks.unique_columns(connection) if connection is not None else None
    findings = [
        finding
        for upgrade_ops in upgrade_ops_list
        for finding in destructive_operations(
            upgrade_ops, name, not_null_checked=checked, retired_drops=retired_drops
        )
    ]
    # Every protected table the revision damages, those already allowed too: the command names them all.
    protected = sorted({f.table for f in findings if f.table in set(protected_tables)})
    on_protected = [f for f in findings if f.table in set(protected) - overrides.allow_protected]
    if on_protected:
        fix = _fix(overrides, protected, on_protected=True)
        raise CommandError(_listing(text("protected"), on_protected, fix))
    if findings and not overrides.allow_destructive:
        raise CommandError(
            _listing(text("destructive"), findings, _fix(overrides, protected, on_protected=False))
        )
    points = [
        point for upgrade_ops in upgrade_ops_list for point in review_points(upgrade_ops, name, online=online)
    ]
    for upgrade_ops, downgrade_ops in zip(upgrade_ops_list, script.downgrade_ops_list, strict=False):
        fill_nulls_before_not_null(upgrade_ops, dialect)
        # The downgrade too: NOT NULL back on a column with a default, whose rows may hold NULL by now.
        fill_nulls_before_not_null(downgrade_ops, dialect)
        for container in (upgrade_ops, downgrade_ops):
            cast_across_kinds(container, dialect)
        downgrades_that_run(downgrade_ops, dialect)
        # Last: the revision asks its database again, before the DDL these rewrites settled.
        for container in (upgrade_ops, downgrade_ops):
            _row_checks.add_row_checks(container, Context.of(container, name), dialect, unique)
    return points
