"""Checks for this project: `nox` runs them all, `nox -s NAME` one of them.

Sessions that touch a database use DATABASE_URL when it is set (point it at a
scratch database: `roundtrip` downgrades to base), and otherwise a throwaway
SQLite file inside the session's temporary directory.
"""

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "tests", "roundtrip", "check", "sql", "typecheck"]

SQL_OUTPUT = Path("build/migrations.sql")


def install(session: nox.Session) -> None:
    """The project and its dev tools: exactly uv.lock's versions once the lock is committed."""
    if Path("uv.lock").exists():
        # --locked: a uv.lock that no longer matches pyproject.toml fails the session (run `uv lock`).
        session.run_install(
            "uv",
            "sync",
            "--locked",
            env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
            external=True,
        )
    else:
        session.install("-e", ".[dev]")


def database_env(session: nox.Session) -> dict[str, str]:
    """DATABASE_URL for the session: the caller's, or a fresh SQLite file."""
    if os.environ.get("DATABASE_URL"):
        return {}
    scratch = Path(session.create_tmp()) / "nox.sqlite3"
    scratch.unlink(missing_ok=True)
    return {"DATABASE_URL": f"sqlite:///{scratch}"}


def alembic(session: nox.Session, *args: str, env: dict[str, str], **kwargs):
    return session.run("alembic", *args, env=env, **kwargs)


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite (pytest-alembic's migration tests included), with the package's coverage."""
    install(session)
    session.run("pytest", "--cov", "--cov-report=term", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def roundtrip(session: nox.Session) -> None:
    """Upgrade to head, downgrade to base and back, then up/down/up one revision at a time."""
    install(session)
    env = database_env(session)
    alembic(session, "upgrade", "head", env=env)
    alembic(session, "downgrade", "base", env=env)
    alembic(session, "upgrade", "head", env=env)
    alembic(session, "downgrade", "base", env=env)
    revisions = alembic(session, "history", "-r", "base:head", env=env, silent=True, stderr=None)
    for _ in range(sum(1 for line in revisions.splitlines() if " -> " in line)):
        alembic(session, "upgrade", "+1", env=env)
        alembic(session, "downgrade", "-1", env=env)
        alembic(session, "upgrade", "+1", env=env)


@nox.session
def check(session: nox.Session) -> None:
    """No drift between models and migrations (alembic check), and exactly one head."""
    install(session)
    env = database_env(session)
    alembic(session, "upgrade", "head", env=env)
    alembic(session, "check", env=env)
    heads = alembic(session, "heads", env=env, silent=True, stderr=None).split()
    if heads.count("(head)") != 1:
        session.error(f"expected exactly one head, found: {heads}; merge them with `alembic merge heads`")


@nox.session
def sql(session: nox.Session) -> None:
    """The whole chain as offline SQL in build/migrations.sql, for review."""
    install(session)
    env = database_env(session)
    SQL_OUTPUT.parent.mkdir(exist_ok=True)
    with SQL_OUTPUT.open("w") as output:  # stdout only: Alembic logs to stderr
        alembic(session, "upgrade", "head", "--sql", env=env, stdout=output, stderr=None)
    session.log(f"wrote {SQL_OUTPUT} ({len(SQL_OUTPUT.read_text().splitlines())} lines)")


@nox.session
def tour(session: nox.Session) -> None:
    """A guided walk through the workflow and the guards, on a scratch copy (`-- --pause` to step)."""
    install(session)
    session.run("python", "tools/tour.py", *session.posargs)


@nox.session(venv_backend="none")
def revisions_frozen(session: nox.Session) -> None:
    """Revision files already on the default branch are not edited: `-- BASE` (default origin/main)."""
    session.run("python", "tools/revisions_frozen.py", *session.posargs)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package (settings in pyproject.toml's [tool.mypy])."""
    install(session)
    session.run("mypy", *session.posargs)
