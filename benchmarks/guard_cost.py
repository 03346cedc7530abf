"""What the baked env.py costs over Alembic's stock `generic` env.py.

Both projects get the same 201 revisions (the template's first one plus 200
chained after it) and run `alembic upgrade head` then `alembic downgrade base`
with the real CLI on a fresh SQLite file, alternating which goes first. The
median baked/stock ratio is the guard cost; the target is <= 1.05.

    python benchmarks/guard_cost.py [--rounds 7] [--check]
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

from _common import (
    FIRST_REVISION,
    Timings,
    alembic,
    arguments,
    bake,
    environment,
    remove_database,
    report,
    scratch_directory,
    timed,
    write_chain,
)

TARGET = 1.05
EXTRA_REVISIONS = 200
COMMANDS = [("upgrade", "head"), ("downgrade", "base")]


def operations(number: int) -> tuple[str, str]:
    """Odd revisions create a small table, even ones add a column to it: both reversible."""
    if number % 2:
        table = f"bench_{number:03d}"
        return (
            f'op.create_table("{table}", sa.Column("id", sa.Integer(), primary_key=True), '
            'sa.Column("label", sa.String(50), nullable=False))',
            f'op.drop_table("{table}")',
        )
    table = f"bench_{number - 1:03d}"
    return (
        f'op.add_column("{table}", sa.Column("note", sa.String(100), nullable=True))',
        f'op.drop_column("{table}", "note")',
    )


def write_revisions(versions: Path, count: int) -> str:
    """Chain `count` revisions after the template's first one; the head's id."""
    return write_chain(
        versions, range(1, count + 1), FIRST_REVISION, label="guard-cost", operations=operations
    )


def stock_project(root: Path, database: Path, versions: Path) -> Path:
    """`alembic init -t generic`, its URL pointed at `database`, the same revision files."""
    root.mkdir()
    alembic(root, "init", "-t", "generic", "alembic", env=environment())
    ini = root / "alembic.ini"
    lines = [
        f"sqlalchemy.url = sqlite:///{database}" if line.startswith("sqlalchemy.url") else line
        for line in ini.read_text().splitlines()
    ]
    ini.write_text("\n".join(lines) + "\n")
    for path in versions.glob("*.py"):
        shutil.copy(path, root / "alembic" / "versions")
    return root


def verify(name: str, cwd: Path, database: Path, env: dict[str, str], head: str) -> None:
    """One untimed round that checks the migrations really ran (and writes bytecode caches)."""
    remove_database(database)
    alembic(cwd, "upgrade", "head", env=env)
    with sqlite3.connect(database) as connection:
        version = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        tables = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    connection.close()
    expected_tables = 2 + (EXTRA_REVISIONS + 1) // 2  # alembic_version, users, bench_*
    if version != [(head,)] or tables != expected_tables:
        raise SystemExit(f"{name}: after upgrade head: version {version}, {tables} tables")
    alembic(cwd, "downgrade", "base", env=env)
    with sqlite3.connect(database) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    connection.close()
    if tables != [("alembic_version",)]:
        raise SystemExit(f"{name}: after downgrade base: tables {tables}")


def main() -> int:
    args = arguments(__doc__.splitlines()[0], TARGET)
    with scratch_directory(args, "guard-cost-") as tmp_path:
        baked = bake(tmp_path / "baked")
        versions = baked / "alembic" / "versions"
        head = write_revisions(versions, EXTRA_REVISIONS)
        baked_db = tmp_path / "baked.sqlite3"
        stock_db = tmp_path / "stock.sqlite3"
        stock = stock_project(tmp_path / "stock", stock_db, versions)
        sides = {
            "baked": (baked, baked_db, environment(DATABASE_URL=f"sqlite:///{baked_db}")),
            "stock": (stock, stock_db, environment()),
        }
        for name, (cwd, database, env) in sides.items():
            verify(name, cwd, database, env, head)

        times = {"baked": Timings(), "stock": Timings()}
        for round_number in range(args.rounds):
            # Alternate which side goes first so drift and cache warmth hit both alike.
            order = ["baked", "stock"] if round_number % 2 == 0 else ["stock", "baked"]
            for name in order:
                cwd, database, env = sides[name]
                remove_database(database)
                timed(cwd, COMMANDS, env, into=times[name])
            baked_s, stock_s = times["baked"].wall[-1], times["stock"].wall[-1]
            print(f"round {round_number + 1}: baked {baked_s:.3f} s, stock {stock_s:.3f} s")

    print(f"\nupgrade head + downgrade base over {EXTRA_REVISIONS + 1} revisions, SQLite:")
    passed = report("baked env.py", "stock generic env.py", times["baked"], times["stock"], TARGET)
    return 1 if args.check and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
