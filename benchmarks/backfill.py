"""The batched backfill against the naive single UPDATE, on PostgreSQL, with live traffic.

A baked project adds `users.status` (nullable), then a second revision fills it
with 'active' for every row: either the tutorial's single `UPDATE users SET
status = 'active' WHERE status IS NULL`, or `migrations.backfill.backfill()`. While that
revision runs (`alembic upgrade head`, the real CLI), a writer updates random
users one at a time, as an application would, and records how long each of
its updates waits. Each round rebuilds the table with --rows rows and runs
both sides, alternating which goes first.

The writer commits with synchronous_commit=off, so that its waits are the
backfill's locks and not the disk: a backfill writes WAL as fast as it can,
and on a slow disk every commit's WAL flush then waits too, with or without
locks (the helper's `pause=` eases that). --sync-writer measures with the
flush included.

Targets: with the helper, the writer's longest wait <= 200 ms; the helper's
backfill time <= 2x the naive UPDATE's (both timed inside the revision).

    python benchmarks/backfill.py [--rows 1000000] [--rounds 3] [--batch-size N] [--url URL] [--check]

The server comes from --url, else TEST_POSTGRES_URL, else the local default;
a throwaway database is created on it and dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from _common import FIRST_REVISION, alembic, bake, environment, machine
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

MAX_WAIT_TARGET = 0.200  # seconds: the writer's longest wait with the helper
TIME_RATIO_TARGET = 2.0  # helper backfill time / naive backfill time
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
SIDES = ("naive", "helper")

ADD_STATUS = '''"""add user status

Revision ID: status01
Revises: {first}
"""

import sqlalchemy as sa
from alembic import op

revision = "status01"
down_revision = "{first}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("status", sa.String(length=20), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "status")
'''

# Which side runs comes from BACKFILL_SIDE; the revision times its own work.
BACKFILL_STATUS = '''"""backfill user status

Revision ID: status02
Revises: status01
"""

import os
import time

import sqlalchemy as sa
from alembic import op

from alembic_guardrails.backfill import backfill

revision = "status02"
down_revision = "status01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    started = time.perf_counter()
    if os.environ["BACKFILL_SIDE"] == "naive":
        op.get_bind().execute(sa.text("UPDATE users SET status = 'active' WHERE status IS NULL"))
    else:
        size = os.environ.get("BACKFILL_BATCH_SIZE")
        options = {{"batch_size": int(size)}} if size else {{}}
        backfill(op, "users", {{"status": "active"}}, where="status IS NULL", **options)
    print(f"BACKFILL_SECONDS={{time.perf_counter() - started}}")


def downgrade() -> None:
    pass
'''


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="users rows (default 1,000,000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each running both sides (default 3)")
    parser.add_argument("--batch-size", type=int, default=None, help="backfill batch size (default: its own)")
    parser.add_argument(
        "--writer-rate", type=float, default=200, help="writer updates per second (default 200)"
    )
    parser.add_argument(
        "--url", default=os.environ.get("TEST_POSTGRES_URL", DEFAULT_URL), help="PostgreSQL server"
    )
    parser.add_argument(
        "--sync-writer", action="store_true", help="the writer waits for its commits' WAL flush too"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if args.rows < 1 or args.rounds < 1:
        parser.error("--rows and --rounds must be at least 1")
    return args


class Writer(threading.Thread):
    """Updates random users at a steady rate, in autocommit, timing every update."""

    def __init__(self, url: str, rows: int, rate: float, sync: bool):
        super().__init__(daemon=True)
        self.sync = sync
        self.engine = create_engine(url, isolation_level="AUTOCOMMIT")
        self.rows, self.interval = rows, 1 / rate
        self.waits: list[float] = []
        self.stopping = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        update = text("UPDATE users SET name = :name WHERE id = :id")
        try:
            with self.engine.connect() as connection:
                connection.execute(text(f"SET synchronous_commit = {'on' if self.sync else 'off'}"))
                while not self.stopping.is_set():
                    row = random.randint(1, self.rows)
                    started = time.perf_counter()
                    connection.execute(update, {"name": f"user {row}*", "id": row})
                    waited = time.perf_counter() - started
                    self.waits.append(waited)
                    time.sleep(max(0.0, self.interval - waited))
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            self.error = error

    def stop(self) -> list[float]:
        self.stopping.set()
        self.join()
        self.engine.dispose()
        if self.error is not None:
            raise SystemExit(f"the writer failed: {self.error}")
        return self.waits


def reset_users(url: str, rows: int) -> None:
    """A freshly loaded, vacuumed users table with `rows` rows and no status yet."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("TRUNCATE users RESTART IDENTITY"))
            connection.execute(
                text("INSERT INTO users (name) SELECT 'user ' || n FROM generate_series(1, :rows) AS n"),
                {"rows": rows},
            )
            connection.execute(text("VACUUM ANALYZE users"))
            connection.execute(text("CHECKPOINT"))  # no checkpoint left over to land in a timed run
    finally:
        engine.dispose()


def count_active(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT COUNT(*) FROM users WHERE status = 'active'")).scalar()
    finally:
        engine.dispose()


def run_side(project: Path, url: str, args: argparse.Namespace, side: str) -> tuple[float, float, int]:
    """(backfill seconds, writer's longest wait, writer's updates) for one side."""
    env = environment(DATABASE_URL=url, BACKFILL_SIDE=side)
    if args.batch_size:
        env["BACKFILL_BATCH_SIZE"] = str(args.batch_size)
    alembic(project, "downgrade", FIRST_REVISION, env=env)
    reset_users(url, args.rows)
    alembic(project, "upgrade", "status01", env=env)

    writer = Writer(url, args.rows, args.writer_rate, args.sync_writer)
    writer.start()
    time.sleep(0.5)  # the writer is warm before the migration starts
    result = alembic(project, "upgrade", "head", env=env)
    time.sleep(0.2)  # and a blocked update gets to finish and be counted
    waits = writer.stop()

    seconds = float(re.search(r"BACKFILL_SECONDS=([\d.]+)", result.stdout).group(1))
    if count_active(url) != args.rows:
        raise SystemExit(f"{side}: not every row was backfilled")
    return seconds, max(waits), len(waits)


def throwaway_database(server_url: str):
    admin_url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"bench_backfill_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
        server = connection.execute(text("SHOW server_version")).scalar().split()[0]
    return admin, name, admin_url.set(database=name).render_as_string(hide_password=False), server


def main() -> int:
    args = arguments()
    admin, name, url, server = throwaway_database(args.url)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            project = bake(Path(scratch), database="postgresql")
            package = project.name.replace("-", "_")
            versions = project / "alembic" / "versions"
            (versions / "20260101_000001_add_user_status.py").write_text(
                ADD_STATUS.format(first=FIRST_REVISION)
            )
            (versions / "20260101_000002_backfill_user_status.py").write_text(
                BACKFILL_STATUS.format(package=package)
            )
            alembic(project, "upgrade", FIRST_REVISION, env=environment(DATABASE_URL=url))

            results: dict[str, list[tuple[float, float, int]]] = {side: [] for side in SIDES}
            for round_number in range(args.rounds):
                order = SIDES if round_number % 2 == 0 else SIDES[::-1]
                for side in order:
                    results[side].append(run_side(project, url, args, side))
                    seconds, longest, updates = results[side][-1]
                    print(
                        f"round {round_number + 1} {side:<6}: backfill {seconds:.2f} s, "
                        f"writer's longest wait {longest * 1000:.0f} ms over {updates} updates",
                        flush=True,
                    )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
    return report(args, results, server)


def report(args: argparse.Namespace, results: dict[str, list[tuple[float, float, int]]], server: str) -> int:
    """Median backfill time per side; the writer's longest wait over every round (the worst)."""
    naive_time, helper_time = (statistics.median(r[0] for r in results[side]) for side in SIDES)
    naive_wait, helper_wait = (max(r[1] for r in results[side]) for side in SIDES)
    batch = args.batch_size or "default"
    commits = "synchronous" if args.sync_writer else "asynchronous"
    print(f"\n{args.rows:,} rows, {args.rounds} rounds, batch size {batch}, {commits} writer commits")
    print(f"PostgreSQL {server}; {machine()}")
    print(f"{'':<30}{'naive UPDATE':>14}{'backfill()':>14}{'ratio':>8}")
    print(
        f"{'backfill time, median':<30}{naive_time:>12.2f} s{helper_time:>12.2f} s"
        f"{helper_time / naive_time:>8.2f}"
    )
    print(
        f"{'writer longest wait, worst':<30}{naive_wait * 1000:>11.0f} ms{helper_wait * 1000:>11.0f} ms"
        f"{helper_wait / naive_wait:>8.3f}"
    )
    wait_ok = helper_wait <= MAX_WAIT_TARGET
    time_ok = helper_time / naive_time <= TIME_RATIO_TARGET
    print(f"longest wait with backfill() <= {MAX_WAIT_TARGET * 1000:.0f} ms: {'PASS' if wait_ok else 'FAIL'}")
    print(f"backfill time ratio <= {TIME_RATIO_TARGET}: {'PASS' if time_ok else 'FAIL'}")
    return 0 if (wait_ok and time_ok) or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
