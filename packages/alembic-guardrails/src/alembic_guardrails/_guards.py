"""What autogenerate may see, and the driver that runs the rules over what it writes.

env.py wires these into Alembic; they are plain functions over Alembic's
operation objects, so they are tested without a database.

- `TableFilter` hides ignored tables (by name, before reflection).
- `check_revision` rewrites what it can make safe (renames the command line
  names, NULLs filled before NOT NULL: _rewrites.py), refuses empty revisions
  and revisions that lose data or fail on existing rows unless the command
  line allows it explicitly, and returns review points: operations that are
  safe for the data but may block a busy table or fail on duplicates.

What counts as dangerous is not here: each rule is a module of rules/, and
this module walks the operations and asks every rule about each of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from alembic.operations import ops
from alembic.util import CommandError
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.default import DefaultDialect

from ._messages import text
from ._rewrites import Rename, apply_renames, fill_nulls_before_not_null, parse_renames
from .rules import MODULES, Context, Finding, RuleModule
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

    @classmethod
    def from_x_arguments(cls, x_args: Mapping[str, str]) -> Overrides:
        return cls(
            allow_destructive=_flag(x_args, "allow_destructive"),
            allow_protected=frozenset(split_list(x_args.get("allow_protected"))),
            renames=parse_renames(x_args.get("rename")),
        )


def _run(rules: list[RuleModule], upgrade_ops: ops.OpContainer, context: Context) -> list[Finding]:
    """Each operation in turn, asked of every rule in the order of rules.MODULES."""
    return [finding for op in walk(upgrade_ops) for rule in rules for finding in rule.check(op, context)]


def _refusing(*, overridable: bool) -> list[RuleModule]:
    return [m for m in MODULES if m.RULE.verdict == "refuse" and m.RULE.overridable is overridable]


def destructive_operations(upgrade_ops: ops.OpContainer, dialect: str | None = None) -> list[Finding]:
    """Operations that lose data or fail on rows that already exist (the overridable refusals)."""
    return _run(_refusing(overridable=True), upgrade_ops, Context.of(upgrade_ops, dialect))


def review_points(
    upgrade_ops: ops.OpContainer, dialect: str | None = None, *, online: bool = False
) -> list[str]:
    """Operations that are allowed but deserve a second look in the review.

    `online`: migrations.online_ddl writes PostgreSQL's online forms (no word needed for those).
    """
    reviewing = [m for m in MODULES if m.RULE.verdict == "review"]
    context = Context.of(upgrade_ops, dialect, online=online)
    return [str(finding) for finding in _run(reviewing, upgrade_ops, context)]


def _refuse_broken_models(upgrade_ops: ops.OpContainer, dialect: str | None) -> None:
    """Models no database accepts: refused whatever the overrides, with the fix."""
    for finding in _run(_refusing(overridable=False), upgrade_ops, Context.of(upgrade_ops, dialect)):
        # The message names its table itself: one sentence, no listing.
        raise CommandError(f"{finding.action} [{finding.rule}]")


def _listing(headline: str, findings: list[Finding], fix: str) -> str:
    return "\n".join([headline, *(f"  - {finding}" for finding in findings), fix])


def check_revision(
    script: ops.MigrationScript,
    *,
    protected_tables: Iterable[str],
    overrides: Overrides,
    dialect: Dialect | None = None,
    online: bool = False,
) -> list[str]:
    """Rewrite, then refuse (CommandError) an empty or unsafe autogenerated revision; return review points.

    `script` is the MigrationScript autogenerate built; `dialect` the SQLAlchemy
    dialect of the database it compared against (its name picks the review points);
    `online`: migrations.online_ddl will write PostgreSQL's online forms.
    """
    dialect = dialect or DefaultDialect()
    name = dialect.name
    upgrade_ops_list = list(script.upgrade_ops_list)
    if all(upgrade_ops.is_empty() for upgrade_ops in upgrade_ops_list):
        raise CommandError(text("empty_revision"))
    apply_renames(script, overrides.renames)
    for upgrade_ops in upgrade_ops_list:
        _refuse_broken_models(upgrade_ops, name)
    findings = [f for upgrade_ops in upgrade_ops_list for f in destructive_operations(upgrade_ops, name)]
    protected = set(protected_tables) - overrides.allow_protected
    on_protected = [f for f in findings if f.table in protected]
    if on_protected:
        tables = ",".join(sorted({f.table for f in on_protected}))
        raise CommandError(_listing(text("protected"), on_protected, text("protected_fix", tables=tables)))
    if findings and not overrides.allow_destructive:
        raise CommandError(_listing(text("destructive"), findings, text("destructive_fix")))
    points = [
        point for upgrade_ops in upgrade_ops_list for point in review_points(upgrade_ops, name, online=online)
    ]
    for upgrade_ops in upgrade_ops_list:
        fill_nulls_before_not_null(upgrade_ops, dialect)
    return points
