"""Refuse answers that would bake a broken project, before anything is written.

Cookiecutter renders this file with the answers, so they are read as JSON data
(`tojson`), never pasted into code: a project name with quotes stays a string.
Cookiecutter runs hooks as standalone scripts from a temporary directory, so
everything the checks need is in this one file (the template's tests import it).
"""

import json
import keyword
import re
import sys

# Names a package must not take: importing them would pick up the project
# instead of the real library (or the other way round).
SHADOWED = {
    "alembic",
    "sqlalchemy",
    "nox",
    "pytest",
    "pytest_alembic",
    "test",
    "tests",
    "psycopg",
    "pymysql",
    "dotenv",
    "ruff",
    "cookiecutter",
    "setuptools",
    "pip",
    "typing_extensions",
    "greenlet",
    "mako",
    "markupsafe",
}
SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
LIST_ITEM = re.compile(r"^[A-Za-z0-9_]+$")


def slug_problem(slug):
    if SLUG.match(slug):
        return None
    return (
        f"project_slug {slug!r} may hold only lowercase letters, digits and single "
        "hyphens or underscores between them; pass e.g. project_slug=my-service"
    )


def package_problem(name):
    fix = "pass e.g. package_name=my_service"
    if not name.isascii() or not name.isidentifier():
        why = "starts with a digit" if name[:1].isdigit() else "is not a Python identifier"
        return f"package_name {name!r} {why} (letters, digits, underscores; not first a digit); {fix}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return f"package_name {name!r} is a Python keyword; {fix}"
    if name != name.lower():
        return f"package_name {name!r} must be lowercase (PEP 8); {fix}"
    if name in SHADOWED or name in sys.stdlib_module_names:
        return f"package_name {name!r} would shadow the module of the same name; {fix}"
    return None


def list_problem(key, value):
    items = [item.strip() for item in value.split(",") if item.strip()]
    bad = [item for item in items if not LIST_ITEM.match(item)]
    if bad:
        return (
            f"{key} {value!r} holds {bad[0]!r}, not a table name or fragment; "
            f"give comma-separated names such as {key}=users,orders"
        )
    return None


def problems(answers):
    found = [
        slug_problem(answers["project_slug"]),
        package_problem(answers["package_name"]),
    ]
    for key in ("protected_tables", "ignored_table_prefixes", "ignored_table_suffixes"):
        if key in answers:
            found.append(list_problem(key, answers[key]))
    return [p for p in found if p]


if __name__ == "__main__":
    # Read here, not at import: copier's validators import this module unrendered.
    messages = problems(json.loads(r"""{{ cookiecutter | tojson }}"""))
    for message in messages:
        print(f"ERROR: {message}", file=sys.stderr)
    sys.exit(1 if messages else 0)
