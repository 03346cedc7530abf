"""An index on a big table under a concurrent writer: plain CREATE INDEX against the rewritten one.

users holds --rows rows (default 1,000,000). A writer updates random users
about 200 times a second (backfill.py's Writer) and times every update, while
`alembic upgrade head` adds an index on users.name, either as Alembic writes it
by default (`op.create_index`: CREATE INDEX, which blocks writes for the whole
build) or as the baked project's autogenerate writes it on PostgreSQL
(`postgresql_concurrently=True` inside `autocommit_block()`, see
migrations/online_ddl.py). Each round runs both, alternating which goes first.

Target: the writer's longest wait with the rewritten form <= 200 ms.

    python benchmarks/online_index.py [--rows 1000000] [--rounds 3] [--url URL] [--check]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from _common import FIRST_REVISION, alembic, environment, machine, revision_file
from _servers import side_by_side
from backfill import DEFAULT_URL, Writer

MAX_WAIT_TARGET = 0.200  # seconds: the writer's longest wait, rewritten form
SIDES = ("plain", "online")

ADD_INDEX = revision_file(
    "index001",
    "index users.name",
    "import os\n\nfrom alembic import op\n",
    """    if os.environ["INDEX_SIDE"] == "plain":
        op.create_index("ix_users_name", "users", ["name"], unique=False)
        return
    # What autogenerate writes for an existing table (migrations/online_ddl.py).
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_users_name", "users", ["name"], unique=False, postgresql_concurrently=True, if_not_exists=True
        )""",
    '    op.drop_index("ix_users_name", table_name="users")',
)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="users rows (default 1,000,000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each running both sides (default 3)")
    parser.add_argument(
        "--writer-rate", type=float, default=200, help="writer updates per second (default 200)"
    )
    parser.add_argument(
        "--url", default=os.environ.get("TEST_POSTGRES_URL", DEFAULT_URL), help="PostgreSQL server"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()
    if args.rows < 1 or args.rounds < 1:
        parser.error("--rows and --rounds must be at least 1")
    return args


def run_side(project: Path, url: str, args: argparse.Namespace, side: str) -> dict[str, float]:
    """The migration's seconds, the writer's longest wait and its number of updates, for one side."""
    env = environment(DATABASE_URL=url, INDEX_SIDE=side)
    alembic(project, "downgrade", FIRST_REVISION, env=env)
    writer = Writer(url, args.rows, args.writer_rate, sync=False)
    writer.start()
    time.sleep(0.5)  # the writer is warm before the migration starts
    started = time.perf_counter()
    alembic(project, "upgrade", "head", env=env)
    seconds = time.perf_counter() - started
    time.sleep(0.2)  # a blocked update gets to finish and be counted
    waits = writer.stop()
    return {"seconds": seconds, "longest": max(waits), "updates": len(waits)}


def main() -> int:
    args = arguments()
    results, server = side_by_side(
        args.url,
        ADD_INDEX,
        args.rows,
        args.rounds,
        SIDES,
        lambda project, url, side: run_side(project, url, args, side),
        lambda figures: (
            f"migration {figures['seconds']:.2f} s, writer's longest wait "
            f"{figures['longest'] * 1000:.0f} ms over {figures['updates']} updates"
        ),
    )
    plain_time, online_time = (statistics.median(r["seconds"] for r in results[side]) for side in SIDES)
    plain_wait, online_wait = (max(r["longest"] for r in results[side]) for side in SIDES)
    print(f"\n{args.rows:,} rows, {args.rounds} rounds, writer {args.writer_rate:g} updates/s")
    print(f"PostgreSQL {server}; {machine()}")
    print(f"{'':<30}{'CREATE INDEX':>14}{'CONCURRENTLY':>14}{'ratio':>8}")
    print(
        f"{'migration time, median':<30}{plain_time:>12.2f} s{online_time:>12.2f} s{online_time / plain_time:>8.2f}"
    )
    print(
        f"{'writer longest wait, worst':<30}{plain_wait * 1000:>11.0f} ms{online_wait * 1000:>11.0f} ms"
        f"{online_wait / plain_wait:>8.3f}"
    )
    passed = online_wait <= MAX_WAIT_TARGET
    print(
        f"longest wait with CONCURRENTLY <= {MAX_WAIT_TARGET * 1000:.0f} ms: {'PASS' if passed else 'FAIL'}"
    )
    return 0 if passed or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
