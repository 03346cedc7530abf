"""A guided tour of the migration workflow and its guards: `nox -s tour`.

Copies this project to a temporary directory, points DATABASE_URL at a
throwaway SQLite file there, and walks through the first tutorial and the
guards with the real `alembic` command: each step explains itself, prints the
command, runs it, shows its output and checks that it did what the step says
(a refused command must fail and write no file). If a step does not behave as
expected, the tour stops there with a non-zero exit status naming the step.

The project itself is never touched, and the copy is removed at the end.

    python tools/tour.py            # straight through (CI, no input needed)
    python tools/tour.py --pause    # wait for Enter between steps
"""

from __future__ import annotations

import argparse
import ast
import configparser
import difflib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

PACKAGE = "{{ cookiecutter.package_name }}"
PROJECT = Path(__file__).resolve().parent.parent
# Local state that is not part of the project, or that would change what the
# tour does (.env may name another database or environment).
SKIPPED = {
    ".nox",
    ".venv",
    "venv",
    "build",
    "dist",
    ".git",
    ".env",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
}
SKIPPED_SUFFIXES = (
    ".sqlite3",
    ".sqlite3-journal",
    ".sqlite3-wal",
    ".sqlite3-shm",
    ".migration-lock",
    ".egg-info",
)

NAME_LINE = "    name: Mapped[str] = mapped_column(String(50))\n"
EMAIL_LINE = "    email: Mapped[str | None] = mapped_column(String(100), nullable=True)\n"
SHOWN_LINES = 14
# No step takes more than a few seconds; a stuck one fails the tour rather than hang CI.
COMMAND_TIMEOUT = 300
# Printed by every command; shown once, then left out to keep the tour readable.
BOILERPLATE = (
    "INFO  [alembic.runtime.migration] Context impl ",
    "INFO  [alembic.runtime.migration] Will assume ",
)


class StepFailed(Exception):
    """A step did not behave as the tour says it should."""


class Tour:
    """The scratch copy, its database, and the commands run in it."""

    def __init__(self, copy: Path) -> None:
        self.copy = copy
        self.database = copy / "tour.sqlite3"
        self.models = copy / PACKAGE / "models.py"
        self.original_models = self.models.read_text()
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.database}",
            # Cleared, not removed: an empty value also wins over a .env file.
            "APP_ENV": "",
            "ALEMBIC_ENV": "",
            # Keeps stdout and stderr in the order they were written.
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("PYTHONPATH", None)
        # Learnt on the way: the users columns before the tour's change, the
        # revision the database started at, the tour's first revision file.
        self.baseline: list[str] = []
        self.start = ""
        self.email_revision = Path()
        # protected_tables in alembic.ini decides which refusal and which override the tour shows.
        self.users_protected = "users" in protected_tables(copy / "alembic.ini")
        self.override = ("-x", "allow_destructive=true")
        if self.users_protected:
            self.override = ("-x", "allow_protected=users", *self.override)
        self.boilerplate_shown = False

    # Commands

    def alembic(
        self, *args: str, refused: bool = False, shown: int = SHOWN_LINES, stdout_only: bool = False
    ) -> str:
        """Run `alembic ARGS` in the copy; a refused command must fail, any other succeed.

        Returns stdout and stderr together (in order), or only stdout with `stdout_only`
        (the log goes to stderr, so that is the SQL of `--sql`).
        """
        print(f"$ alembic {' '.join(quote(arg) for arg in args)}")
        try:
            result = subprocess.run(
                [sys.executable, "-m", "alembic", *args],
                cwd=self.copy,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE if stdout_only else subprocess.STDOUT,
                text=True,
                check=False,
                timeout=COMMAND_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            raise StepFailed(f"the command did not finish within {COMMAND_TIMEOUT} s") from None
        output = result.stdout.replace(f"{self.copy}{os.sep}", "")
        if self.boilerplate_shown:
            output = "".join(line for line in output.splitlines(True) if not line.startswith(BOILERPLATE))
        show(output, shown)
        if result.returncode != 0 and result.stderr:
            show(result.stderr, shown)
        self.boilerplate_shown = True
        if refused and result.returncode == 0:
            raise StepFailed("the command should have been refused, but it succeeded")
        if not refused and result.returncode != 0:
            raise StepFailed(f"the command failed (exit status {result.returncode})")
        if "Traceback" in output + (result.stderr or ""):
            raise StepFailed("the command crashed with a traceback instead of a clear message")
        return output

    def versions(self) -> list[str]:
        return sorted(path.name for path in (self.copy / "alembic" / "versions").glob("*.py"))

    def autogenerate(self, message: str, *options: str, refused: bool = False) -> tuple[str, Path | None]:
        """`alembic [OPTIONS] revision --autogenerate -m MESSAGE`: the output and the new file, if any."""
        before = self.versions()
        output = self.alembic(*options, "revision", "--autogenerate", "-m", message, refused=refused)
        new = sorted(set(self.versions()) - set(before))
        if refused:
            if new:
                raise StepFailed(f"the command was refused but still wrote {new}")
            print(f"No file was written: alembic/versions/ still holds the same {len(before)} files.")
            return output, None
        if len(new) != 1:
            raise StepFailed(f"expected exactly one new revision file, found {new or 'none'}")
        return output, self.copy / "alembic" / "versions" / new[0]

    # Looking at the results

    def columns(self, table: str = "users") -> list[str]:
        connection = sqlite3.connect(self.database)
        try:
            return [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
        finally:
            connection.close()

    def expect_columns(self, *expected: str) -> None:
        found = self.columns()
        if found != list(expected):
            raise StepFailed(f"users should have columns {list(expected)}, but has {found}")
        print(f"Checked: the users table now has the columns {', '.join(found)}.")

    def edit_models(self, new_text: str) -> None:
        old_text = self.models.read_text()
        self.models.write_text(new_text)
        relative = f"{PACKAGE}/models.py"
        diff = difflib.unified_diff(
            old_text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            f"a/{relative}",
            f"b/{relative}",
            n=2,
        )
        show("".join(diff), 40)
        print()


def protected_tables(alembic_ini: Path) -> set[str]:
    config = configparser.ConfigParser(interpolation=None)
    config.read(alembic_ini)
    return {name.strip() for name in config.get("alembic", "protected_tables", fallback="").split(",")}


def revision_id(path: Path) -> str:
    match = re.search(r'^revision(?::[^=]*)? = "(\w+)"', path.read_text(), re.MULTILINE)
    if not match:
        raise StepFailed(f"{path.name} has no revision id")
    return match.group(1)


def quote(arg: str) -> str:
    return f'"{arg}"' if not arg or any(c in arg for c in " '\"$") else arg


def show(text: str, limit: int) -> None:
    """Print command output indented, keeping the first `limit` lines."""
    lines = text.rstrip().splitlines()
    for line in lines[:limit]:
        print(f"    {line}".rstrip())
    if len(lines) > limit:
        print(f"    ... ({len(lines) - limit} more lines)")


def functions(path: Path, *names: str) -> str:
    """The source of the named top-level functions of a revision file."""
    source = path.read_text()
    return "\n\n".join(
        ast.get_source_segment(source, node) or ""
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and node.name in names
    )


# The steps, in order. Each one's docstring is its title and explanation. The
# checks look at exit statuses, files and the database, and at names that the
# guards' messages print in every language (users.email, the -x options).


def create_schema(tour: Tour) -> None:
    """Create the schema.

    `upgrade head` runs every revision the database has not seen yet, oldest
    first. The tour's database is a fresh SQLite file, so this runs all the
    revisions the project ships with, starting with "create users table".
    (The first two lines appear on every command; the tour leaves them out
    from here on.)
    """
    tour.alembic("upgrade", "head")
    tour.baseline = tour.columns()
    if not {"id", "name"} <= set(tour.baseline):
        raise StepFailed(f"users should have the columns id and name, but has {tour.baseline}")
    print(f"Checked: the users table has the columns {', '.join(tour.baseline)}.")


def where_are_we(tour: Tour) -> None:
    """Ask the database where it is.

    `current` reads the revision id stored in the database's alembic_version
    table. "(head)" means no revision is waiting to run.
    """
    output = tour.alembic("current")
    match = re.search(r"^(\w+) \(head\)", output, re.MULTILINE)
    if not match:
        raise StepFailed("`alembic current` should report the database at (head)")
    tour.start = match.group(1)


def add_email_field(tour: Tour) -> None:
    """Change a model: add an email column to User.

    The models are the single source of truth. Here is the edit, as a diff of
    models.py (made in the scratch copy, not in your project).
    """
    if NAME_LINE not in tour.original_models:
        raise StepFailed(f"models.py no longer has the line {NAME_LINE.strip()!r} to add email after")
    tour.edit_models(tour.original_models.replace(NAME_LINE, NAME_LINE + EMAIL_LINE, 1))


def autogenerate_email(tour: Tour) -> None:
    """Let Alembic write the migration.

    `revision --autogenerate` compares the models with the database and writes
    a revision file with the difference. The post-write hooks in alembic.ini
    then tidy it with ruff.
    """
    _, path = tour.autogenerate("add email to user")
    if '"email"' not in path.read_text():
        raise StepFailed(f"{path.name} does not mention the email column")
    tour.email_revision = path


def review_email(tour: Tour) -> None:
    """Review the file before you run it.

    Autogenerate cannot know your intent: a rename looks like a drop plus an
    add, and data never moves by itself. Read upgrade() and downgrade(), fix
    them if needed, then commit the file with the model change. On SQLite the
    change is wrapped in batch_alter_table, since SQLite cannot ALTER most things.
    """
    path = tour.email_revision
    print(f"alembic/versions/{path.name}:")
    source = functions(path, "upgrade", "downgrade")
    show(source, 40)
    if "add_column" not in source or "drop_column" not in source:
        raise StepFailed("upgrade() should add the column and downgrade() drop it")


def apply_email(tour: Tour) -> None:
    """Apply it.

    The same command as at the start: only the new revision runs.
    """
    tour.alembic("upgrade", "head")
    tour.expect_columns(*tour.baseline, "email")


def undo_email(tour: Tour) -> None:
    """Undo the last revision.

    `downgrade -1` runs the newest revision's downgrade(). Every revision must
    be reversible; `nox -s roundtrip` checks that for the whole chain.
    """
    tour.alembic("downgrade", "-1")
    tour.expect_columns(*tour.baseline)


def redo_email(tour: Tour) -> None:
    """And forward again.

    Upgrade, downgrade, upgrade: if all three work, the revision is safe to share.
    """
    tour.alembic("upgrade", "head")
    tour.expect_columns(*tour.baseline, "email")


def offline_sql(tour: Tour) -> None:
    """Review the SQL without a database.

    `--sql` prints the statements instead of running them, for a DBA or a
    change ticket. `alembic upgrade head --sql` prints the whole chain (`nox -s
    sql` writes it to build/migrations.sql); a range FROM:TO prints just the
    revisions after FROM up to TO, here the new one.
    """
    revision = revision_id(tour.email_revision)
    output = tour.alembic("upgrade", f"{tour.start}:{revision}", "--sql", shown=24, stdout_only=True)
    if not re.search(r"ALTER TABLE users ADD COLUMN email VARCHAR\(100\)", output):
        raise StepFailed("the SQL should add the email column to users")


def empty_refused(tour: Tour) -> None:
    """Guard: an autogenerate with nothing to do is refused.

    The models and the database agree now. Plain Alembic would write an empty
    revision; this project refuses, so the history holds no empty files. (A
    hand-written `alembic revision -m ...` for a data migration is never refused.)
    """
    tour.autogenerate("nothing changed", refused=True)


def remove_email_field(tour: Tour) -> None:
    """Guard: a revision that loses data is refused.

    Remove the email field from the model again, and autogenerate. Dropping a
    column loses its values, so the revision is refused: the message lists
    every offending operation and the exact command that would allow it.
    """
    if tour.users_protected:
        print("users is also a protected table here (protected_tables in alembic.ini), and the")
        print("message says so.\n")
    tour.edit_models(tour.original_models)
    output, _ = tour.autogenerate("drop email from user", refused=True)
    for expected in ("users.email", " ".join(tour.override)):
        if expected not in output:
            raise StepFailed(f"the refusal should name {expected!r}")


def destructive_alone_refused(tour: Tour) -> None:
    """Guard: on a protected table, allowing data loss is not enough.

    `-x allow_destructive=true` lets a drop through on an ordinary table. A
    protected table must also be named, so nobody drops users data by accident.
    `-x` options go before the command.
    """
    output, _ = tour.autogenerate("drop email from user", "-x", "allow_destructive=true", refused=True)
    if "users.email" not in output:
        raise StepFailed("the refusal should name users.email")


def override(tour: Tour) -> None:
    """The override: say exactly what you mean to lose.

    With data loss allowed explicitly (and a protected table named), the
    revision is written. Review it like any other: this one drops a column and
    its values.
    """
    _, path = tour.autogenerate("drop email from user", *tour.override)
    print(f"alembic/versions/{path.name}:")
    source = functions(path, "upgrade")
    show(source, 20)
    if "drop_column" not in source:
        raise StepFailed("upgrade() should drop the email column")


def apply_drop(tour: Tour) -> None:
    """Apply the reviewed revision."""
    tour.alembic("upgrade", "head")
    tour.expect_columns(*tour.baseline)


def history(tour: Tour) -> None:
    """The timeline.

    `history` lists the revisions, newest first; each line is "parent -> revision".
    """
    lines = tour.alembic("history").strip().splitlines()
    if (
        len(lines) < 2
        or "(head), drop email from user" not in lines[0]
        or "add email to user" not in lines[1]
    ):
        raise StepFailed("history should end with 'add email to user', then 'drop email from user' (head)")


STEPS: list[Callable[[Tour], None]] = [
    create_schema,
    where_are_we,
    add_email_field,
    autogenerate_email,
    review_email,
    apply_email,
    undo_email,
    redo_email,
    offline_sql,
    empty_refused,
    remove_email_field,
    destructive_alone_refused,
    override,
    apply_drop,
    history,
]

SUMMARY = """\
Summary
  edit models.py -> alembic revision --autogenerate -m "..." -> read the file -> alembic upgrade head
  alembic downgrade -1 undoes the last revision; alembic current / history show where you are.
  alembic upgrade head --sql shows the SQL without running it.
  Autogenerate refuses empty revisions and revisions that lose data; the message names the
  operations and the override: alembic -x allow_destructive=true revision --autogenerate -m ...
  Protected tables (alembic.ini) also need -x allow_protected=<table>.
  More in README.md; `nox` runs every check.
"""


def copy_project(destination: Path) -> Path:
    def ignored(directory: str, names: list[str]) -> set[str]:
        return {name for name in names if name in SKIPPED or name.endswith(SKIPPED_SUFFIXES)}

    copy = destination / PROJECT.name
    shutil.copytree(PROJECT, copy, ignore=ignored)
    return copy


def run(pause: bool) -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tour-", ignore_cleanup_errors=True) as scratch:
        tour = Tour(copy_project(Path(scratch)))
        print(f"Guided tour of {PROJECT.name}: a scratch copy with a throwaway SQLite database.")
        print("Your project and its database are not touched.")
        # Allowing data loss alone is enough when users is not protected: no such step then.
        steps = [step for step in STEPS if tour.users_protected or step is not destructive_alone_refused]
        for number, step in enumerate(steps, start=1):
            title, _, explanation = (step.__doc__ or step.__name__).partition("\n")
            title = title.strip().rstrip(".")
            print(f"\n=== Step {number} of {len(steps)}: {title}")
            if explanation.strip():
                print(textwrap.dedent(explanation).strip())
            print()
            try:
                step(tour)
            except StepFailed as failure:
                print(f"\nTOUR FAILED at step {number} ({title}): {failure}", file=sys.stderr)
                return 1
            except Exception:
                print(f"\nTOUR FAILED at step {number} ({title}): unexpected error", file=sys.stderr)
                raise
            if pause and number < len(steps):
                pause = wait()
    print(f"\n{SUMMARY}")
    print(f"Tour complete in {time.monotonic() - started:.1f}s; the scratch copy has been removed.")
    return 0


def wait() -> bool:
    """Wait for Enter; False once there is no more input (no terminal): stop pausing."""
    try:
        input("\n[Enter for the next step] ")
    except EOFError:
        print()
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pause", action="store_true", help="wait for Enter between steps")
    try:
        return run(parser.parse_args(argv).pause)
    except KeyboardInterrupt:
        print("\nTour interrupted; the scratch copy has been removed.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
