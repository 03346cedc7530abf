"""Refuse answers that would bake a broken project, before anything is written.

Cookiecutter creates the project directory from `project_slug` *before* it runs
the pre-gen hook: a slug that is empty or too long for the file system fails in
cookiecutter's own code (`"." directory already exists`, an OSError traceback),
and a hook's refusal comes with cookiecutter's traceback. So the answers are
checked while cookiecutter renders them: cookiecutter.json's last variable,
`__answers_checked`, applies the `refuse_bad_answers` filter to all the answers
before it. A bad answer prints one line per problem, naming the field, the value
and the fix, and exits with status 1; no directory has been created yet.

Cookiecutter loads this module from the template directory (`_extensions` in
cookiecutter.json); cruft does too. The template's tests import it directly.
"""

from __future__ import annotations

import keyword
import re
import sys
from pathlib import Path

try:
    from cookiecutter.utils import simple_filter
except ImportError:  # copier loads the checks alone (copier_support/cookiecutter_compat.py)

    def simple_filter(function):
        return function


TEMPLATE = Path(__file__).resolve().parent
PROJECT_TEMPLATE = TEMPLATE / "{{cookiecutter.project_slug}}"
# A directory name every file system accepts, short enough to type and to fit in paths.
MAX_SLUG_LENGTH = 64

SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
LIST_ITEM = re.compile(r"^[a-z0-9_]+$")
FIX_PACKAGE = "pass e.g. package_name=my_service"

# Import names of everything `pip install -e ".[dev]"` puts beside the package, whatever the
# answers: the dev extra installs every database driver, sync and async (pyproject.toml).
# A package of the same name would be imported instead of the library, or the other way round.
INSTALLED = {
    "alembic",
    "alembic_guardrails",
    "sqlalchemy",
    "dotenv",  # python-dotenv
    "psycopg",
    "psycopg_binary",
    "pymysql",
    "asyncpg",
    "aiosqlite",
    "aiomysql",
    "examples",  # aiomysql installs a stray top-level `examples` package
    "greenlet",
    "mako",
    "markupsafe",
    "typing_extensions",
    "tzdata",  # alembic[tz]
    "pytest",
    "pytest_alembic",
    "_pytest",
    "pluggy",
    "ruff",
    "nox",
    "cookiecutter",
    "setuptools",
    "pkg_resources",
    "pip",
    "test",
}


def baked_names() -> set[str]:
    """Names a package may not take because the project already uses them at its root.

    Read from the template itself, so a file added to the template is covered: its top-level
    directories and modules (`tools/`, `alembic/`, `noxfile.py`), and what its `.gitignore`
    ignores by plain name (`build/`: a package there would never be committed).
    """
    names = {"vendor"}  # made by the post-gen hook: the vendored alembic-guardrails
    for entry in PROJECT_TEMPLATE.iterdir():
        if "{{" in entry.name:
            continue
        if entry.is_dir():
            names.add(entry.name)
        elif entry.suffix == ".py":
            names.add(entry.stem)
    for line in (PROJECT_TEMPLATE / ".gitignore").read_text().splitlines():
        name = line.strip().rstrip("/")
        if name.isidentifier():
            names.add(name)
    return names


def project_name_problem(name: str, slug: str) -> str | None:
    if not name.strip() or not slug:
        return (
            f"project_name {name!r} has no letters or digits to make a directory name from; "
            "pass e.g. project_name='My Service'"
        )
    return None


def slug_problem(slug: str) -> str | None:
    fix = "pass e.g. project_slug=my-service"
    if len(slug) > MAX_SLUG_LENGTH:
        return f"project_slug {slug[:20]!r}... has {len(slug)} characters, at most {MAX_SLUG_LENGTH}; {fix}"
    if not SLUG.match(slug):
        return (
            f"project_slug {slug!r} may hold only lowercase letters, digits and single "
            f"hyphens or underscores between them; {fix}"
        )
    return None


def package_problem(name: str) -> str | None:
    if not name.isascii() or not name.isidentifier():
        why = "starts with a digit" if name[:1].isdigit() else "is not a Python identifier"
        return f"package_name {name!r} {why} (letters, digits, underscores; not first a digit); {FIX_PACKAGE}"
    if len(name) > MAX_SLUG_LENGTH:
        return f"package_name {name[:20]!r}... has {len(name)} characters, at most {MAX_SLUG_LENGTH}; {FIX_PACKAGE}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return f"package_name {name!r} is a Python keyword; {FIX_PACKAGE}"
    if name != name.lower():
        return f"package_name {name!r} must be lowercase (PEP 8); {FIX_PACKAGE}"
    if name.startswith("__") and name.endswith("__"):
        return f"package_name {name!r} is a dunder name Python reserves; {FIX_PACKAGE}"
    if name in baked_names():
        return f"package_name {name!r} is already a file or directory of the baked project; {FIX_PACKAGE}"
    if name in INSTALLED or name in sys.stdlib_module_names:
        return f"package_name {name!r} would shadow the module of the same name; {FIX_PACKAGE}"
    return None


def list_problem(key: str, value: str) -> str | None:
    fix = f"give comma-separated lowercase names such as {key}=users,orders"
    items = [item.strip() for item in value.split(",")]
    named = [item for item in items if item]
    if value.strip() and not named:
        return f"{key} {value!r} names nothing; {fix}, or leave it empty"
    bad = [item for item in named if not LIST_ITEM.match(item)]
    if bad:
        why = (
            "has capitals (databases fold unquoted names to lowercase, so it would match nothing)"
            if LIST_ITEM.match(bad[0].lower())
            else "is not a table name or fragment"
        )
        return f"{key} {value!r} holds {bad[0]!r}, which {why}; {fix}"
    return None


def problems(answers: dict) -> list[str]:
    found = [
        project_name_problem(answers["project_name"], answers["project_slug"]),
        slug_problem(answers["project_slug"]),
        package_problem(answers["package_name"]),
    ]
    for key in ("protected_tables", "ignored_table_prefixes", "ignored_table_suffixes"):
        if key in answers:
            found.append(list_problem(key, str(answers[key])))
    # A slug or package name derived from a bad answer before it: report the cause only.
    if found[0]:
        found[1] = None
    if (found[0] or found[1]) and answers["package_name"] == answers["project_slug"].replace("-", "_"):
        found[2] = None
    return [problem for problem in found if problem]


@simple_filter
def refuse_bad_answers(answers: dict) -> str:
    """Render to nothing, or print the problems and stop before any file is written."""
    messages = problems(dict(answers))
    for message in messages:
        print(f"ERROR: {message}", file=sys.stderr)
    if messages:
        # SystemExit, not an exception: cookiecutter would print a traceback for one.
        raise SystemExit(1)
    return ""


@simple_filter
def table_list(value: str) -> str:
    """A comma-separated answer as alembic.ini stores it: `users, orders` -> `users,orders`."""
    return ",".join(item.strip() for item in str(value).split(",") if item.strip())
