"""What 2,000 ignored tables cost `alembic check` in a baked project.

The baked project's filter drops ignored tables by name before reflection
(include_name), so a database full of `tmp_*` tables should check almost as
fast as a clean one. Both databases are at head; `alembic check` runs with the
real CLI on each, alternating which goes first. The target for the median
ratio (with / without the ignored tables) is <= 1.3.

    python benchmarks/ignored_tables.py [--rounds 7] [--check]
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

from _common import (
    Timings,
    alembic,
    arguments,
    bake,
    environment,
    report,
    scratch_directory,
    timed,
)

TARGET = 1.3
IGNORED_TABLES = 2000
PREFIX = "tmp_"  # the template's default ignored_table_prefixes


def add_tables(database: Path, names: list[str]) -> None:
    """Tables with a couple of columns and an index each, as a scratch or ETL table has."""
    with sqlite3.connect(database) as connection:
        for name in names:
            connection.execute(
                f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, payload VARCHAR(100), created_at TIMESTAMP)"
            )
            connection.execute(f"CREATE INDEX ix_{name}_created_at ON {name} (created_at)")
    connection.close()


def check_result(project: Path, database: Path) -> tuple[int, str]:
    result = alembic(project, "check", env=environment(DATABASE_URL=f"sqlite:///{database}"), check=False)
    lines = (result.stdout + result.stderr).strip().splitlines()
    return result.returncode, lines[-1] if lines else ""


def verify(project: Path, plain: Path, with_ignored: Path, tmp: Path) -> None:
    """Untimed: both databases pass `alembic check`, and a table that is not ignored fails it,
    so a pass really means the ignored tables were filtered out."""
    for database in (plain, with_ignored):
        code, last = check_result(project, database)
        if code != 0:
            raise SystemExit(f"alembic check on {database.name} failed: {last}")
    control = tmp / "control.sqlite3"
    shutil.copy(plain, control)
    add_tables(control, ["visible_scratch"])
    code, last = check_result(project, control)
    if code == 0:
        raise SystemExit("alembic check passed with a table that is not ignored: it compares nothing")


def main() -> int:
    args = arguments(__doc__.splitlines()[0], TARGET)
    with scratch_directory(args, "ignored-tables-") as tmp_path:
        project = bake(tmp_path / "baked")
        plain = tmp_path / "plain.sqlite3"
        with_ignored = tmp_path / "with_ignored.sqlite3"
        alembic(project, "upgrade", "head", env=environment(DATABASE_URL=f"sqlite:///{plain}"))
        shutil.copy(plain, with_ignored)
        add_tables(with_ignored, [f"{PREFIX}{number:04d}" for number in range(IGNORED_TABLES)])
        verify(project, plain, with_ignored, tmp_path)

        sides = {
            "plain": (plain, Timings()),
            "ignored": (with_ignored, Timings()),
        }
        for round_number in range(args.rounds):
            # Alternate which side goes first so drift and cache warmth hit both alike.
            order = ["ignored", "plain"] if round_number % 2 == 0 else ["plain", "ignored"]
            for name in order:
                database, times = sides[name]
                env = environment(DATABASE_URL=f"sqlite:///{database}")
                timed(project, [("check",)], env, into=times)
            ignored_s, plain_s = sides["ignored"][1].wall[-1], sides["plain"][1].wall[-1]
            print(f"round {round_number + 1}: with ignored {ignored_s:.3f} s, plain {plain_s:.3f} s")

    print(f"\nalembic check, SQLite at head, with and without {IGNORED_TABLES} ignored tables:")
    passed = report(
        f"+{IGNORED_TABLES} {PREFIX}* tables",
        "no ignored tables",
        sides["ignored"][1],
        sides["plain"][1],
        TARGET,
    )
    return 1 if args.check and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
