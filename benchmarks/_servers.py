"""What the server benchmarks of online migrations share: a throwaway database on PostgreSQL or
MariaDB, a baked project with one extra revision, users loaded, and rounds that alternate which
side goes first."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from _common import FIRST_REVISION, alembic, bake, environment
from backfill import reset_users, throwaway_database
from sqlalchemy import Engine, create_engine, make_url, text


def is_mariadb(server_url: str) -> bool:
    return make_url(server_url).get_backend_name() in ("mysql", "mariadb")


def mariadb_database(server_url: str) -> tuple[Engine, str, str, str]:
    """(admin engine, name, URL, server version) of a new database on a MariaDB server."""
    admin_url = make_url(server_url).set(drivername="mysql+pymysql")
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
        server = connection.execute(text("SELECT version()")).scalar()
    return admin, name, admin_url.set(database=name).render_as_string(hide_password=False), server


def load_mariadb_users(url: str, rows: int) -> None:
    """users with `rows` rows, from MariaDB's sequence engine (seq_1_to_N), analyzed."""
    loader = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with loader.connect() as connection:
            connection.execute(text("TRUNCATE users"))
            connection.execute(
                text(f"INSERT INTO users (name) SELECT CONCAT('user ', seq) FROM seq_1_to_{rows}")
            )
            connection.execute(text("ANALYZE TABLE users"))
    finally:
        loader.dispose()


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
    mariadb = is_mariadb(server_url)
    admin, name, url, server = (mariadb_database if mariadb else throwaway_database)(server_url)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            project = bake(Path(scratch), database="mysql" if mariadb else "postgresql")
            (project / "alembic" / "versions" / "20260101_000001_benchmark.py").write_text(source)
            alembic(project, "upgrade", FIRST_REVISION, env=environment(DATABASE_URL=url))
            (load_mariadb_users if mariadb else reset_users)(url, rows)
            results: dict[str, list[dict]] = {side: [] for side in sides}
            for round_number in range(rounds):
                for side in sides if round_number % 2 == 0 else sides[::-1]:
                    results[side].append(run_side(project, url, side))
                    print(f"round {round_number + 1} {side:<6}: {describe(results[side][-1])}", flush=True)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}" + ("" if mariadb else " WITH (FORCE)")))
        admin.dispose()
    return results, server
