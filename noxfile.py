"""The template's own checks. `nox` runs them all; `nox -s tests -- -k tutorial` narrows.

Server tests read TEST_POSTGRES_URL and TEST_MYSQL_URL; without them they skip
(and under CI=true they fail). `.ci/run` sets both for the local servers.
"""

import os
import re
from pathlib import Path

import nox
import nox.virtualenv

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "library", "tests"]

LIBRARY = Path("packages/alembic-guardrails")
IN_CI = os.environ.get("CI", "").lower() == "true"

# The tests start thousands of Python processes, most in the fresh venvs of baked projects'
# nox sessions. Python caches bytecode by default; container images often turn that off
# (PYTHONDONTWRITEBYTECODE=1), and then every `alembic` compiles SQLAlchemy and Alembic again,
# about 0.9 s a process. An empty value turns it back on for the test run.
PYTEST_ENV = {"PYTHONDONTWRITEBYTECODE": ""}


@nox.session
def tests(session: nox.Session) -> None:
    """Bake every choice and run the baked projects' own checks, in parallel."""
    session.install("-r", "tests/requirements.txt")
    # The uv nox runs on, for the tests that run uv in a bake (the venv itself has none).
    uv = getattr(nox.virtualenv, "UV", None) or "uv"
    # The slowest tests listed at the end: where CI's minutes go.
    run = ("pytest", "-n", "auto", "--dist", "loadgroup", "--durations", "25")
    session.run(*run, *session.posargs, env={**PYTEST_ENV, "UV": uv})


# The Python versions SQLAlchemy 2.1 supports, at both ends that this machine kind has (3.14 is
# not installable here), and the one the template's tests run on. The oldest runs with the
# lowest versions allowed, the others with the newest.
OLDEST_PYTHON = "3.10"
LIBRARY_PYTHONS = [OLDEST_PYTHON, "3.11", "3.13"]
SERVER_PYTHON = "3.11"
SERVER_VARIABLES = ("TEST_POSTGRES_URL", "TEST_MYSQL_URL")


# Not reused: a venv of the newest versions would satisfy the floors and keep them.
@nox.session(python=LIBRARY_PYTHONS, reuse_venv=False)
def library(session: nox.Session) -> None:
    """alembic-guardrails' own tests and types, on SQLite and on each server `.ci/run` names.

    On the oldest Python with the lowest versions the baked project allows (SQLAlchemy 2.0.0,
    Alembic 1.18.0): the oldest Python and the lowest dependencies in one run, the newest
    Python and the newest dependencies in the others.
    """
    requirements = ("-r", str(LIBRARY / "tests" / "requirements.txt"), "-e", str(LIBRARY))
    if session.python == OLDEST_PYTHON:
        install_lowest(session, *requirements)
    else:
        session.install(*requirements)
    session.chdir(LIBRARY)
    if session.python != OLDEST_PYTHON:  # SQLAlchemy 2.0.0 leaves functions untyped: --strict refuses them
        session.run("mypy")
    # Two workers (CI has two cores); on a server, each its own database (tests/conftest.py).
    urls = [os.environ.get(variable, "") for variable in SERVER_VARIABLES]
    # SQLite at the ends of the Python range (and of the versions); on the Python the template's
    # tests run on, the servers once (the ends meet the same SQL), SQLite there only when no
    # server is named.
    if session.python != SERVER_PYTHON or not any(urls):
        session.run(
            "pytest", "-q", "-n", "auto", *session.posargs, env={**PYTEST_ENV, "TEST_DATABASE_URL": ""}
        )
    if session.python != SERVER_PYTHON:
        return
    for variable, url in zip(SERVER_VARIABLES, urls, strict=True):
        if url:
            session.run(
                "pytest", "-q", "-n", "auto", *session.posargs, env={**PYTEST_ENV, "TEST_DATABASE_URL": url}
            )
        elif IN_CI:
            session.error(f"{variable} is not set (CI=true: the library's server tests must run)")
        else:
            session.log(f"{variable} is not set: the library's tests ran on SQLite only")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff over the template's own code (the baked project lints itself in tests)."""
    session.install("ruff")
    # Named paths: ruff cannot read the baked project's pyproject.toml before rendering.
    paths = [
        "hooks",
        "local_extensions.py",
        "tests",
        "benchmarks",
        "mutation",
        "copier_support",
        "noxfile.py",
        str(LIBRARY),
    ]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


@nox.session
def mutation(session: nox.Session) -> None:
    """On demand, not in CI: break each documented behaviour on purpose; report what survives.

    `nox -s mutation -- NAME ...` runs only the named mutations (mutation/catalogue.py).
    """
    session.install("-r", "tests/requirements.txt")
    session.run("python", "mutation/run.py", *session.posargs)


# The baked project's dependencies whose lowest allowed versions are tested.
FLOORED = ("sqlalchemy", "alembic", "python-dotenv", "psycopg", "pymysql", "pytest-alembic")
# What the lowest versions must pass: the baked project's own suite, the CLI
# workflow, guards, failed revisions and the migration lock, on all databases.
LOWEST_TESTS = [
    "tests/test_bake.py",
    "tests/test_tutorial.py",
    "tests/test_guards_cli.py",
    "tests/test_failed_revision.py",
    "tests/test_lock_release.py",
    "tests/test_bare_urls.py",
]


def declared_floors() -> list[str]:
    """`name[extras]>=floor` for each FLOORED requirement of the baked pyproject.toml."""
    pyproject = Path("{{cookiecutter.project_slug}}/pyproject.toml").read_text()
    floors = []
    for name in FLOORED:
        found = re.search(rf'"({re.escape(name)}(?:\[[\w,]+\])?>=[\w.]+)', pyproject)
        if not found:
            raise RuntimeError(f"no {name}>=... in the baked pyproject.toml: update FLOORED")
        floors.append(found[1])
    return floors


INSTALLED = "import importlib.metadata as m; print(*(f'{d.name}=={d.version}' for d in m.distributions()))"


def install_lowest(session: nox.Session, *requirements: str) -> None:
    """The lowest versions the baked project declares, then `requirements` with those held."""
    session.install("--resolution", "lowest-direct", *declared_floors())
    held = {name.replace("-", "_") for name in (*FLOORED, "psycopg-binary")}
    installed = session.run("python", "-c", INSTALLED, silent=True).split()
    constraints = Path(session.create_tmp()) / "lowest.txt"
    constraints.write_text(
        "\n".join(pin for pin in installed if pin.split("==")[0].lower().replace("-", "_") in held)
    )
    session.install(*requirements, "-c", str(constraints))
    session.run(
        "python", "-c", "import sqlalchemy, alembic; print(sqlalchemy.__version__, alembic.__version__)"
    )


@nox.session(venv_backend="uv", reuse_venv=False)
def lowest(session: nox.Session) -> None:
    """The lowest versions the baked project declares (SQLAlchemy 2.0.0, Alembic 1.18.0, ...).

    (alembic-guardrails' own tests run on them in `library` on the oldest Python; the test tools
    here need a newer one.)
    """
    install_lowest(session, "-r", "tests/requirements.txt")
    session.run(
        "pytest", "-n", "2", "--dist", "loadgroup", *(session.posargs or LOWEST_TESTS), env=PYTEST_ENV
    )


@nox.session
def newest(session: nox.Session) -> None:
    """The migration tests on the newest Alembic and SQLAlchemy, pre-releases too, beyond the baked bounds.

    Not in the default run: a scheduled/manual CI job. When it passes on a release outside the
    baked pyproject.toml's range, move the bound there (tests/test_dependency_range.py then
    agrees again); when it fails, the bound keeps projects off that release.
    """
    session.install("-r", "tests/requirements.txt")
    if session.venv_backend == "uv":
        session.install("--upgrade", "--prerelease=allow", "alembic", "sqlalchemy")
    else:
        session.install("--upgrade", "--pre", "alembic", "sqlalchemy")
    session.run(
        "python",
        "-c",
        "import alembic, sqlalchemy; print('alembic', alembic.__version__, 'sqlalchemy', sqlalchemy.__version__)",
    )
    tests = [
        "tests/test_tutorial.py",
        "tests/test_examples.py",
        "tests/test_bake.py",
        "tests/test_guards_cli.py",
    ]
    session.run("pytest", "-n", "auto", "--dist", "loadgroup", *tests, *session.posargs, env=PYTEST_ENV)
