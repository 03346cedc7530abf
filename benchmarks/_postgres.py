"""What the PostgreSQL benchmarks of online migrations share: a throwaway database, a baked
project with one extra revision, and rounds that alternate which side goes first."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from _common import FIRST_REVISION, alembic, bake, environment
from backfill import reset_users, throwaway_database
from sqlalchemy import text


def side_by_side(
    server_url: str,
    source: str,
    rows: int,
    rounds: int,
    sides: tuple[str, ...],
    run_side: Callable[[Path, str, str], dict],
    describe: Callable[[dict], str],
) -> tuple[dict[str, list[dict]], str]:
    """Run `run_side(project, url, side)` for every side in every round; (results per side, server version)."""
    admin, name, url, server = throwaway_database(server_url)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            project = bake(Path(scratch), database="postgresql")
            (project / "alembic" / "versions" / "20260101_000001_benchmark.py").write_text(source)
            alembic(project, "upgrade", FIRST_REVISION, env=environment(DATABASE_URL=url))
            reset_users(url, rows)
            results: dict[str, list[dict]] = {side: [] for side in sides}
            for round_number in range(rounds):
                for side in sides if round_number % 2 == 0 else sides[::-1]:
                    results[side].append(run_side(project, url, side))
                    print(f"round {round_number + 1} {side:<6}: {describe(results[side][-1])}", flush=True)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
    return results, server
