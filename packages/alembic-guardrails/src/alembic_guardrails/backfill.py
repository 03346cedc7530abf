"""Update a large table from a revision in small batches, each committed on its own.

A single `UPDATE users SET status = 'active' WHERE status IS NULL` locks every
row it touches until it commits, and in a revision it commits with the whole
revision: live traffic that writes any of those rows waits for all of them.
`backfill()` walks the table in primary-key order instead, `batch_size` keys at
a time, and commits each batch, so no write waits for more than one batch:

    from alembic_guardrails.backfill import backfill

    def upgrade() -> None:
        backfill(op, "users", {"status": "active"}, where="status IS NULL")

Why autocommit_block(): Alembic runs each revision inside one transaction. A
batch cannot be committed on that connection without ending it, and a second
connection would wait for the locks it holds (an ADD COLUMN earlier in the
revision locks the whole table). `op.get_context().autocommit_block()`, which
Alembic provides for statements that must run outside a transaction, commits
the revision's transaction so far, runs the batches in autocommit mode, then
opens a new transaction for the rest of the revision and its alembic_version
update. Hence the rules for a revision that backfills:

- Call backfill() first. Anything before it in the same revision is committed
  when it starts, and a revision that then fails cannot be re-run (its ADD
  COLUMN already exists). Give the schema change a revision of its own.
- Make `where` exclude rows already done. A failed or interrupted backfill
  keeps the batches it committed, alembic_version still names the previous
  revision, and re-running the upgrade resumes where it stopped.
- Keys are read in order as the backfill goes, so rows inserted meanwhile with
  higher keys are covered; the application should write the new value itself
  (or the column has a server default) for rows it inserts during the backfill.

The second tutorial's "add user status", as two revisions:

    # 1. add user status: a fast, transactional schema change
    op.add_column("users", sa.Column("status", sa.String(20), nullable=True))

    # 2. backfill user status: batches, then NOT NULL with the version update
    backfill(op, "users", {"status": "active"}, where="status IS NULL")
    with op.batch_alter_table("users") as batch_op:  # batch: SQLite too
        batch_op.alter_column("status", existing_type=sa.String(20), nullable=False)

That last step is not batched: on PostgreSQL, SET NOT NULL reads the whole
table under an exclusive lock (a few tenths of a second per million rows).
For very large tables, add `CHECK (status IS NOT NULL) NOT VALID` and
VALIDATE it in autocommit first; PostgreSQL 12+ then skips that scan.

Offline (`alembic upgrade --sql`) there is no table to walk: the backfill is
rendered as one plain UPDATE, preceded by a comment saying so, outside the
revision's transaction. Run large backfills online, or batch that statement.

Progress goes to the `alembic.backfill` logger: a child of Alembic's logger,
so alembic.ini shows it next to "Running upgrade ..." with no setup.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations

log = logging.getLogger("alembic.backfill")

# Seconds between two progress lines (the first and the last are always logged).
PROGRESS_EVERY = 5.0
# Bind-parameter names backfill() uses itself; `params` may not reuse them.
_AFTER, _UPTO = "backfill_after", "backfill_upto"


def backfill(
    op: Operations,
    table: str,
    values: str | Mapping[str, Any],
    *,
    where: str | None = None,
    params: Mapping[str, Any] | None = None,
    batch_size: int = 5_000,
    key: str | None = None,
    schema: str | None = None,
    pause: float = 0.0,
) -> int:
    """Run `UPDATE table SET values WHERE where` in batches of `batch_size` keys.

    - `values`: a mapping of column to value (`{"status": "active"}`, sent as
      bound parameters), or a SQL SET clause (`"status = lower(name)"`).
    - `where`: a SQL condition selecting the rows still to update; it should
      exclude rows already done, so that a re-run resumes.
    - `params`: values for named parameters (`:name`) in `values` or `where`.
    - `batch_size`: keys per batch, i.e. the most rows one batch locks.
    - `key`: the column to walk; by default the table's single-column
      primary key (a composite key needs an explicit, unique, indexed `key`).
    - `pause`: seconds to sleep between batches (e.g. to let replicas catch up).

    Returns the number of rows updated (0 offline, where nothing runs).
    """
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number of at least 1, not {batch_size!r}")
    context = op.get_context()
    quote = context.dialect.identifier_preparer.quote
    target = f"{quote(schema)}.{quote(table)}" if schema else quote(table)
    set_clause, bound = _set_clause(values, quote)
    bound.update(params or {})
    used = sa.text(f"{set_clause} {where or ''}").compile().params.keys() | bound.keys()
    if {_AFTER, _UPTO} & used:
        raise ValueError(f"parameter names {_AFTER} and {_UPTO} are reserved by backfill()")
    condition = f" AND ({where})" if where else ""

    if context.as_sql:
        statement = f"UPDATE {target} SET {set_clause}" + (f" WHERE {where}" if where else "")
        with context.autocommit_block():
            context.impl.static_output(
                f"-- backfill({table!r}): online, this UPDATE runs in batches of {batch_size} "
                "keys, each committed on its own; here it is one statement"
            )
            op.execute(sa.text(statement).bindparams(**bound))
        return 0

    key = key or _primary_key(op.get_bind(), table, schema)
    column = quote(key)

    def in_range(after: Any, upto: Any) -> str:
        """The batch's keys: after the previous batch, up to `upto` (None: no bound)."""
        bounds = [f"{column} > :{_AFTER}"] if after is not None else []
        bounds += [f"{column} <= :{_UPTO}"] if upto is not None else []
        return " AND ".join(bounds) or "1 = 1"

    progress = _Progress(table, key, batch_size, where)
    with context.autocommit_block():
        bind = op.get_bind()
        if not progress.start(bind, target, column):
            return 0  # an empty table: no batch to run
        last = None  # the key that closed the previous batch
        while True:
            # The key batch_size keys on, in index order; None when fewer are
            # left, and the batch is then open-ended (it takes rows added since).
            upto = bind.execute(
                sa.text(
                    f"SELECT {column} FROM {target} WHERE {in_range(last, None)} "
                    f"ORDER BY {column} LIMIT 1 OFFSET {batch_size - 1}"
                ),
                {_AFTER: last},
            ).scalar()
            update = sa.text(f"UPDATE {target} SET {set_clause} WHERE {in_range(last, upto)}{condition}")
            try:
                rows = bind.execute(update, {**bound, _AFTER: last, _UPTO: upto}).rowcount
            except Exception:
                progress.stopped(last)
                raise
            progress.batch(rows, upto)
            if upto is None:
                break
            last = upto
            if pause:
                time.sleep(pause)
    progress.done()
    return progress.rows


def _set_clause(values: str | Mapping[str, Any], quote: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(values, str):
        return values, {}
    if not values:
        raise ValueError("values is empty: name at least one column to set")
    names = {column: f"backfill_{index}" for index, column in enumerate(values)}
    clause = ", ".join(f"{quote(column)} = :{names[column]}" for column in values)
    return clause, {names[column]: value for column, value in values.items()}


def _primary_key(bind: sa.Connection, table: str, schema: str | None) -> str:
    columns = sa.inspect(bind).get_pk_constraint(table, schema=schema)["constrained_columns"]
    if len(columns) != 1:
        found = ", ".join(columns) or "none"
        raise ValueError(
            f"backfill({table!r}) needs a single-column primary key to walk (found: {found}); "
            "pass key= a unique, indexed column"
        )
    return columns[0]


class _Progress:
    """Counts rows and batches, and logs where the backfill is, now and then."""

    def __init__(self, table: str, key: str, batch_size: int, where: str | None):
        self.table, self.key, self.batch_size, self.where = table, key, batch_size, where
        self.rows = self.batches = 0
        self.low: Any = None
        self.high: Any = None
        self.started = self.logged = time.monotonic()

    def start(self, bind: sa.Connection, target: str, column: str) -> bool:
        """Log what the backfill will walk; False when the table has no rows (nothing to do)."""
        bounds = sa.text(f"SELECT min({column}), max({column}) FROM {target}")
        self.low, self.high = bind.execute(bounds).one()
        if self.low is None:
            log.info(f"{self.table}: backfill has nothing to do, the table is empty")
            return False
        condition = f" where {self.where}" if self.where else ""
        span = f"{self.key} from {self.low} to {self.high}"
        log.info(f"{self.table}: backfill in batches of {self.batch_size} by {self.key}{condition} ({span})")
        return True

    def batch(self, rows: int, upto: Any) -> None:
        self.rows += max(rows, 0)
        self.batches += 1
        now = time.monotonic()
        if upto is not None and (self.batches == 1 or now - self.logged >= PROGRESS_EVERY):
            self.logged = now
            log.info(f"{self.table}: {self.key} <= {upto}{self._share(upto)}, {self._so_far()}")

    def stopped(self, last: Any) -> None:
        done = f"{self.key} <= {last}" if last is not None else "no batch"
        log.error(
            f"{self.table}: backfill stopped after {self.rows} rows ({done} committed); the revision "
            "is not recorded, and re-running the upgrade resumes from the rows `where` still selects"
        )

    def done(self) -> None:
        log.info(f"{self.table}: backfill done, {self._so_far()}")

    def _so_far(self) -> str:
        return f"{self.rows} rows updated in {self.batches} batches, {time.monotonic() - self.started:.1f} s"

    def _share(self, upto: Any) -> str:
        numbers = (int, float)
        if not all(isinstance(value, numbers) for value in (self.low, self.high, upto)):
            return ""
        if self.high <= self.low:
            return ""
        return f" ({100 * (upto - self.low) / (self.high - self.low):.0f}%)"
