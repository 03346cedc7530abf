"""`alembic upgrade head` on an empty database: a 300-revision history, then squashed.

Bakes the template (SQLite), chains 300 revisions after its first one (tables
created, columns added, indexes, columns renamed and dropped through
batch_alter_table, server defaults), and copies the project. The copy is squashed
with `alembic-guardrails squash --to <head> --allow-data-steps` (the flag in
case the bake carries data revisions), which proves the baseline before writing it. Each round runs `alembic upgrade head` on a fresh SQLite file
in both projects, alternating which goes first. The target for the median ratio
(squashed / full history) is <= 0.5.

    python benchmarks/squash.py [--rounds 7] [--check]
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from _common import (
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

TARGET = 0.5
EXTRA_REVISIONS = 300
GUARDRAILS = Path(sys.executable).parent / "alembic-guardrails"


def operations(number: int) -> tuple[str, str]:
    """A cycle of five: a table, a column with a server default, an index, a renamed column and
    a dropped one (batch_alter_table: SQLite copies the table), each reversible."""
    table = f"bench_{number - number % 5:03d}"
    step = number % 5
    if step == 0:
        return (
            f'op.create_table("{table}", sa.Column("id", sa.Integer(), primary_key=True), '
            'sa.Column("label", sa.String(50), nullable=False), sa.Column("old", sa.Integer()))',
            f'op.drop_table("{table}")',
        )
    if step == 1:
        return (
            f'op.add_column("{table}", sa.Column("state", sa.String(10), nullable=False, server_default="new"))',
            f'op.drop_column("{table}", "state")',
        )
    if step == 2:
        return (
            f'op.create_index(op.f("ix_{table}_label"), "{table}", ["label"])',
            f'op.drop_index(op.f("ix_{table}_label"), table_name="{table}")',
        )
    if step == 3:
        return (
            f'with op.batch_alter_table("{table}") as batch_op:\n'
            '        batch_op.alter_column("label", new_column_name="title", existing_type=sa.String(50))',
            f'with op.batch_alter_table("{table}") as batch_op:\n'
            '        batch_op.alter_column("title", new_column_name="label", existing_type=sa.String(50))',
        )
    return (
        f'with op.batch_alter_table("{table}") as batch_op:\n        batch_op.drop_column("old")',
        f'op.add_column("{table}", sa.Column("old", sa.Integer()))',
    )


def tables_of(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).fetchall()
    connection.close()
    return [row[0] for row in rows]


def main() -> int:
    args = arguments(__doc__.splitlines()[0], TARGET)
    with scratch_directory(args, "squash-") as tmp_path:
        history = bake(tmp_path / "history")
        versions = history / "alembic" / "versions"
        # The template's revisions after the first one would sit beside ours: chain ours after
        # the template's head instead.
        probe = tmp_path / "probe.sqlite3"
        env = environment(DATABASE_URL=f"sqlite:///{probe}")
        template_head = alembic(history, "heads", env=env).stdout.split()[0]
        head = write_revisions_after(versions, EXTRA_REVISIONS, template_head)
        squashed = tmp_path / "squashed"
        shutil.copytree(history, squashed)
        started = subprocess.run(
            [str(GUARDRAILS), "squash", "--to", head, "--allow-data-steps"],
            cwd=squashed,
            env=environment(),
            capture_output=True,
            text=True,
        )
        if started.returncode != 0:
            raise SystemExit(f"squash failed:\n{started.stdout}{started.stderr}")
        print(started.stdout.strip())
        count = len(list((squashed / "alembic" / "versions").glob("*.py")))
        print(f"revision files: history {len(list(versions.glob('*.py')))}, squashed {count}")

        sides = {}
        for name, project in (("history", history), ("squashed", squashed)):
            database = tmp_path / f"{name}.sqlite3"
            sides[name] = (project, database, environment(DATABASE_URL=f"sqlite:///{database}"))
        # Untimed: both reach the same head with the same tables (and write their bytecode).
        found = {}
        for name, (project, database, side_env) in sides.items():
            remove_database(database)
            alembic(project, "upgrade", "head", env=side_env)
            found[name] = tables_of(database)
            current = alembic(project, "current", env=side_env).stdout.split()
            if not current or current[0] != head:
                raise SystemExit(f"{name}: after upgrade head: {current}")
        if found["history"] != found["squashed"]:
            raise SystemExit(f"different tables: {found}")

        times = {"history": Timings(), "squashed": Timings()}
        for round_number in range(args.rounds):
            order = ["squashed", "history"] if round_number % 2 == 0 else ["history", "squashed"]
            for name in order:
                project, database, side_env = sides[name]
                remove_database(database)
                timed(project, [("upgrade", "head")], side_env, into=times[name])
            print(
                f"round {round_number + 1}: squashed {times['squashed'].wall[-1]:.3f} s, "
                f"history {times['history'].wall[-1]:.3f} s"
            )

    print(f"\nalembic upgrade head on an empty SQLite file, {EXTRA_REVISIONS} revisions and the template's:")
    passed = report("squashed", "full history", times["squashed"], times["history"], TARGET)
    return 1 if args.check and not passed else 0


def write_revisions_after(versions: Path, count: int, first_down: str) -> str:
    return write_chain(versions, range(count), first_down, label="squash", operations=operations)


if __name__ == "__main__":
    sys.exit(main())
