"""A guided tour of the migration workflow and its guards: `nox -s tour`.

Copies this project to a temporary directory, points DATABASE_URL at a
throwaway SQLite file there, and walks through the first tutorial and the
guards with the real `alembic` command: each step explains itself, prints the
command, runs it, shows its output and checks that it did what the step says
(a refused command must fail and write no file). If a step does not behave as
expected, the tour stops there with a non-zero exit status naming the step.

The project itself is never touched, and the copy is removed at the end. The
tour works in whatever state the project is: it adds a column User does not
have yet (email, the line of README section 4; or nickname, or phone), and
model changes no revision holds yet (README section 4 half done) get a
revision of their own in the copy first.
What it says is in tools/tour_text.py, in the project's language.

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

# tour_text is imported from this directory of the project, which the tour must leave as
# it was: no __pycache__ written beside it.
sys.dont_write_bytecode = True
from tour_text import MESSAGES, STEP_TEXT  # noqa: E402

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

# The column the tour adds: the first one User does not have. The line is README section 4's.
FIELDS = ("email", "nickname", "phone")
FIELD_LINE = "    {field}: Mapped[str | None] = mapped_column(String(100), nullable=True)\n"
SHOWN_LINES = 14
# No step takes more than a few seconds; a stuck one fails the tour rather than hang CI.
COMMAND_TIMEOUT = 300
# Printed by every command; shown once, then left out to keep the tour readable.
BOILERPLATE = (
    "INFO  [alembic.runtime.migration] Context impl ",
    "INFO  [alembic.runtime.migration] Will assume ",
)


def say(key: str, **values) -> str:
    return MESSAGES[key].format(**values)


class StepFailed(Exception):
    """A step did not behave as the tour says it should."""

    def __init__(self, key: str, **values) -> None:
        super().__init__(say(key, **values))


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
        self.field_revision = Path()
        self.field, self.taken = choose_field(self.original_models)
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
            raise StepFailed("timeout", seconds=COMMAND_TIMEOUT) from None
        output = result.stdout.replace(f"{self.copy}{os.sep}", "")
        if self.boilerplate_shown:
            output = "".join(line for line in output.splitlines(True) if not line.startswith(BOILERPLATE))
        show(output, shown)
        if result.returncode != 0 and result.stderr:
            show(result.stderr, shown)
        self.boilerplate_shown = True
        if refused and result.returncode == 0:
            raise StepFailed("not_refused")
        if not refused and result.returncode != 0:
            raise StepFailed("command_failed", status=result.returncode)
        if "Traceback" in output + (result.stderr or ""):
            raise StepFailed("traceback")
        return output

    def drifted(self) -> bool:
        """`alembic check`, quietly: do the models hold changes no revision has?"""
        result = subprocess.run(
            [sys.executable, "-m", "alembic", "check"],
            cwd=self.copy,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
            timeout=COMMAND_TIMEOUT,
        )
        if result.returncode == 0:
            return False
        if "New upgrade operations detected" in result.stdout:
            return True
        show(result.stdout, SHOWN_LINES)
        raise StepFailed("command_failed", status=result.returncode)

    def versions(self) -> list[str]:
        return sorted(path.name for path in (self.copy / "alembic" / "versions").glob("*.py"))

    def autogenerate(self, message: str, *options: str, refused: bool = False) -> tuple[str, Path | None]:
        """`alembic [OPTIONS] revision --autogenerate -m MESSAGE`: the output and the new file, if any."""
        before = self.versions()
        output = self.alembic(*options, "revision", "--autogenerate", "-m", message, refused=refused)
        new = sorted(set(self.versions()) - set(before))
        if refused:
            if new:
                raise StepFailed("refused_but_wrote", files=new)
            print(say("nothing_written", count=len(before)))
            return output, None
        if len(new) != 1:
            raise StepFailed("one_new_file", files=new or say("none"))
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
            raise StepFailed("columns_expected", expected=list(expected), found=found)
        print(say("columns_now", columns=", ".join(found)))

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


def choose_field(models: str) -> tuple[str, list[str]]:
    """The first of FIELDS that models.py does not declare yet, and those it does."""
    taken = [field for field in FIELDS if re.search(rf"^\s+{field}\s*:", models, re.MULTILINE)]
    free = [field for field in FIELDS if field not in taken]
    # All three taken: a fourth name no README shows.
    return (free[0] if free else "tour_note"), taken


def with_field(models: str, field: str) -> str:
    """models.py with FIELD_LINE after the last mapped column of class User."""
    user = re.search(r"^class User\b.*?(?=^\S|\Z)", models, re.MULTILINE | re.DOTALL)
    columns = list(re.finditer(r"^    \w+: Mapped\[.*\n", user.group(0), re.MULTILINE)) if user else []
    if not columns:
        raise StepFailed("no_user_class", field=field)
    at = user.start() + columns[-1].end()
    return models[:at] + FIELD_LINE.format(field=field) + models[at:]


def protected_tables(alembic_ini: Path) -> set[str]:
    config = configparser.ConfigParser(interpolation=None)
    config.read(alembic_ini)
    return {name.strip() for name in config.get("alembic", "protected_tables", fallback="").split(",")}


def revision_id(path: Path) -> str:
    match = re.search(r'^revision(?::[^=]*)? = "(\w+)"', path.read_text(), re.MULTILINE)
    if not match:
        raise StepFailed("no_revision_id", name=path.name)
    return match.group(1)


def quote(arg: str) -> str:
    return f'"{arg}"' if not arg or any(c in arg for c in " '\"$") else arg


def show(text: str, limit: int) -> None:
    """Print command output indented, keeping the first `limit` lines."""
    lines = text.rstrip().splitlines()
    for line in lines[:limit]:
        print(f"    {line}".rstrip())
    if len(lines) > limit:
        print(f"    {say('more_lines', count=len(lines) - limit)}")


def functions(path: Path, *names: str) -> str:
    """The source of the named top-level functions of a revision file."""
    source = path.read_text()
    return "\n\n".join(
        ast.get_source_segment(source, node) or ""
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and node.name in names
    )


# The steps, in order; their titles and explanations are STEP_TEXT in tour_text.py. The
# checks look at exit statuses, files and the database, and at names that the
# guards' messages print in every language (users.email, the -x options).


def create_schema(tour: Tour) -> None:
    tour.alembic("upgrade", "head")
    if tour.drifted():
        # The models are ahead of the revisions: their revision first, written with every
        # override (a scratch copy), so that the tour's own change stands alone.
        print("\n" + say("catch_up") + "\n")
        tables = sorted(table for table in protected_tables(tour.copy / "alembic.ini") if table)
        protected = ("-x", f"allow_protected={','.join(tables)}") if tables else ()
        tour.autogenerate("your model changes", *protected, "-x", "allow_destructive=true")
        tour.alembic("upgrade", "head")
    tour.baseline = tour.columns()
    if not {"id", "name"} <= set(tour.baseline):
        raise StepFailed("columns_start", found=tour.baseline)
    print(say("columns_have", columns=", ".join(tour.baseline)))


def where_are_we(tour: Tour) -> None:
    output = tour.alembic("current")
    match = re.search(r"^(\w+) \(head\)", output, re.MULTILINE)
    if not match:
        raise StepFailed("not_at_head")
    tour.start = match.group(1)


def add_field(tour: Tour) -> None:
    if tour.taken:
        print(say("field_taken", taken=", ".join(tour.taken), field=tour.field) + "\n")
    tour.edit_models(with_field(tour.original_models, tour.field))


def autogenerate_field(tour: Tour) -> None:
    _, path = tour.autogenerate(f"add {tour.field} to user")
    if f'"{tour.field}"' not in path.read_text():
        raise StepFailed("field_not_mentioned", name=path.name, field=tour.field)
    tour.field_revision = path


def review_field(tour: Tour) -> None:
    path = tour.field_revision
    print(f"alembic/versions/{path.name}:")
    source = functions(path, "upgrade", "downgrade")
    show(source, 40)
    if "add_column" not in source or "drop_column" not in source:
        raise StepFailed("add_and_drop")


def apply_field(tour: Tour) -> None:
    tour.alembic("upgrade", "head")
    tour.expect_columns(*tour.baseline, tour.field)


def undo_field(tour: Tour) -> None:
    tour.alembic("downgrade", "-1")
    tour.expect_columns(*tour.baseline)


def redo_field(tour: Tour) -> None:
    tour.alembic("upgrade", "head")
    tour.expect_columns(*tour.baseline, tour.field)


def offline_sql(tour: Tour) -> None:
    revision = revision_id(tour.field_revision)
    output = tour.alembic("upgrade", f"{tour.start}:{revision}", "--sql", shown=24, stdout_only=True)
    if not re.search(rf"ALTER TABLE users ADD COLUMN {tour.field} VARCHAR\(100\)", output):
        raise StepFailed("sql_adds_field", field=tour.field)


def empty_refused(tour: Tour) -> None:
    tour.autogenerate("nothing changed", refused=True)


def remove_field(tour: Tour) -> None:
    if tour.users_protected:
        print(say("also_protected"))
    tour.edit_models(tour.original_models)
    output, _ = tour.autogenerate(f"drop {tour.field} from user", refused=True)
    for expected in (f"users.{tour.field}", " ".join(tour.override)):
        if expected not in output:
            raise StepFailed("refusal_names", expected=expected)


def destructive_alone_refused(tour: Tour) -> None:
    output, _ = tour.autogenerate(
        f"drop {tour.field} from user", "-x", "allow_destructive=true", refused=True
    )
    if f"users.{tour.field}" not in output:
        raise StepFailed("refusal_names", expected=f"users.{tour.field}")


def override(tour: Tour) -> None:
    _, path = tour.autogenerate(f"drop {tour.field} from user", *tour.override)
    print(f"alembic/versions/{path.name}:")
    source = functions(path, "upgrade")
    show(source, 20)
    if "drop_column" not in source:
        raise StepFailed("upgrade_drops", field=tour.field)


def apply_drop(tour: Tour) -> None:
    tour.alembic("upgrade", "head")
    tour.expect_columns(*tour.baseline)


def history(tour: Tour) -> None:
    lines = tour.alembic("history").strip().splitlines()
    if (
        len(lines) < 2
        or f"(head), drop {tour.field} from user" not in lines[0]
        or f"add {tour.field} to user" not in lines[1]
    ):
        raise StepFailed("history_order", field=tour.field)


STEPS: list[Callable[[Tour], None]] = [
    create_schema,
    where_are_we,
    add_field,
    autogenerate_field,
    review_field,
    apply_field,
    undo_field,
    redo_field,
    offline_sql,
    empty_refused,
    remove_field,
    destructive_alone_refused,
    override,
    apply_drop,
    history,
]


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
        print(say("intro", project=PROJECT.name))
        # Allowing data loss alone is enough when users is not protected: no such step then.
        steps = [step for step in STEPS if tour.users_protected or step is not destructive_alone_refused]
        for number, step in enumerate(steps, start=1):
            title, explanation = (text.format(field=tour.field) for text in STEP_TEXT[step.__name__])
            print("\n" + say("step", number=number, total=len(steps), title=title))
            if explanation.strip():
                print(textwrap.dedent(explanation).strip())
            print()
            try:
                step(tour)
            except StepFailed as failure:
                print("\n" + say("failed", number=number, title=title, reason=failure), file=sys.stderr)
                return 1
            except Exception:
                print(
                    "\n" + say("failed", number=number, title=title, reason=say("unexpected")),
                    file=sys.stderr,
                )
                raise
            if pause and number < len(steps):
                pause = wait()
    print("\n" + say("summary"))
    print(say("complete", seconds=time.monotonic() - started))
    return 0


def wait() -> bool:
    """Wait for Enter; False once there is no more input (no terminal): stop pausing."""
    try:
        input(say("press_enter"))
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
        print(say("interrupted"), file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
