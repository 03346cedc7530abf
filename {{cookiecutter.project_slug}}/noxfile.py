"""Checks for this project: `nox` runs them all, `nox -s NAME` one of them.

Sessions that touch a database never touch yours: `roundtrip` downgrades to base,
which empties every table. They use, in this order:

1. DATABASE_URL, only if you ask for it with NOX_USE_DATABASE_URL=1;
2. TEST_DATABASE_URL, a database the checks may empty (the tests drop every
   table in it after each test);
3. a throwaway SQLite file inside the session's temporary directory.

Each session logs which one it uses (password hidden).
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "guardrails", "tests", "roundtrip", "check", "sql", "squawk", "typecheck"]

SQL_OUTPUT = Path("build/migrations.sql")
# The database the revisions are written for: `alembic-guardrails lint` applies its rules.
DIALECT = "{{ cookiecutter.database }}"
OPT_IN = "NOX_USE_DATABASE_URL"
# The tables of DATABASE_URL's database, read through the project's own settings (which
# map postgres:// and mysql:// to the installed drivers), with a sync driver even in an
# async project.
LIST_TABLES = """
import os
from sqlalchemy import create_engine, inspect
from {{ cookiecutter.package_name }}.settings import database_url
url = database_url({"DATABASE_URL": os.environ["DATABASE_URL"]})
sync = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql"}.get(url.get_backend_name(), "sqlite")
engine = create_engine(url.set(drivername=sync))
print(" ".join(sorted(inspect(engine).get_table_names())))
engine.dispose()
"""
SQUAWK_OUTPUT = Path("build/squawk")
# `alembic history` lines: "<down> -> <revision> (head), message"; "<base>" for the first.
HISTORY_LINE = re.compile(r"^(?P<down>[^-]+?) -> (?P<revision>\w+)")


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
        # pip reads no [tool.uv.sources]: name the vendored alembic-guardrails beside the project.
        vendored = ["./vendor/alembic-guardrails"] if Path("vendor/alembic-guardrails").is_dir() else []
        session.install("-e", ".[dev]", *vendored)


def hide_password(url: str) -> str:
    """The URL as it may be shown: the password (everything up to the last `@`) becomes ***."""
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    return urlunsplit(parts._replace(netloc=f"{userinfo.split(':', 1)[0]}:***@{host}"))


def database_env(session: nox.Session) -> dict[str, str]:
    """DATABASE_URL for the session's commands: never the developer's database unless asked for."""
    if os.environ.get(OPT_IN) == "1" and os.environ.get("DATABASE_URL"):
        url, source = os.environ["DATABASE_URL"], f"DATABASE_URL, since {OPT_IN}=1"
    elif os.environ.get("TEST_DATABASE_URL"):
        url, source = os.environ["TEST_DATABASE_URL"], "TEST_DATABASE_URL"
    else:
        scratch = Path(session.create_tmp()) / "nox.sqlite3"
        scratch.unlink(missing_ok=True)
        url, source = f"sqlite:///{scratch}", "a throwaway SQLite file; set TEST_DATABASE_URL for a server"
    session.log(f"database: {hide_password(url)} ({source})")
    return {"DATABASE_URL": url}


def alembic(session: nox.Session, *args: str, env: dict[str, str], **kwargs):
    return session.run("alembic", *args, env=env, **kwargs)


def revisions(session: nox.Session, env: dict[str, str]) -> list[str]:
    """Every revision id, oldest first."""
    history = alembic(session, "history", "-r", "base:head", env=env, silent=True, stderr=None)
    return [match.group(1) for match in re.finditer(r" -> (\w+)", history)][::-1]


def tables(session: nox.Session, env: dict[str, str]) -> set[str]:
    return set(session.run("python", "-c", LIST_TABLES, env=env, silent=True, stderr=None).split())


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite (pytest-alembic's migration tests included), with the package's coverage."""
    install(session)
    session.run("pytest", "--cov", "--cov-report=term", *session.posargs, env=database_env(session))


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check, with the ruff version the lock pins."""
    install(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def guardrails(session: nox.Session) -> None:
    """The guards' rules over the revisions, hand-written ones too (`-- FILE...`: only those).

    `alembic-guardrails lint` runs each revision's upgrade() without a database and checks
    what it does as autogenerate's refusals and review points would; a finding you accept is
    silenced by `# guardrails: ignore[<rule>] <reason>` on its line or the line above.
    """
    install(session)
    session.run("alembic-guardrails", "lint", "--dialect", DIALECT, *session.posargs)


@nox.session
def roundtrip(session: nox.Session) -> None:
    """Upgrade to head, downgrade to base and back, then up/down/up one revision at a time."""
    install(session)
    env = database_env(session)
    chain = revisions(session, env)
    alembic(session, "upgrade", "head", env=env)
    alembic(session, "downgrade", "base", env=env)
    # What a downgrade to base must leave: Alembic's own (now empty) version table, nothing else.
    left = tables(session, env) - {"alembic_version"}
    if left:
        session.error(f"downgrade base left tables behind: {', '.join(sorted(left))}; fix their downgrade()")
    session.log(f"downgraded {len(chain)} revisions to base ({' <- '.join(reversed(chain))}): no table left")
    alembic(session, "upgrade", "head", env=env)
    session.log(f"upgraded {len(chain)} revisions to head ({' -> '.join(chain)})")
    alembic(session, "downgrade", "base", env=env)
    for revision in chain:
        alembic(session, "upgrade", "+1", env=env)
        alembic(session, "downgrade", "-1", env=env)
        alembic(session, "upgrade", "+1", env=env)
        session.log(f"{revision}: up, down, up")


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


# squawk lints PostgreSQL SQL: the session runs in projects baked for PostgreSQL.
PROJECT_DATABASE = "{{ cookiecutter.database }}"


@nox.session
def squawk(session: nox.Session) -> None:
    """Lint each revision's PostgreSQL SQL with squawk, one revision at a time.

    Linted together, every table looks new and most rules stay silent; so each
    revision is rendered on its own (`alembic upgrade A:B --sql`) into
    build/squawk/. Offline: no database is needed. Rules left out are in .squawk.toml.
    """
    if PROJECT_DATABASE != "postgresql":
        session.skip(f"squawk lints PostgreSQL SQL; this project was baked for {PROJECT_DATABASE}")
    install(session)
    session.install("squawk-cli")
    # --sql never connects; the URL only picks PostgreSQL's dialect.
    env = {"DATABASE_URL": "postgresql+psycopg://offline@localhost/squawk"}
    history = alembic(session, "history", "-r", "base:head", env=env, silent=True, stderr=None)
    steps = [match.groups() for match in map(HISTORY_LINE.match, reversed(history.splitlines())) if match]
    SQUAWK_OUTPUT.mkdir(parents=True, exist_ok=True)
    for old in SQUAWK_OUTPUT.glob("*.sql"):
        old.unlink()
    files = []
    for number, (down, revision) in enumerate(steps, start=1):
        start = "base" if down == "<base>" else down.split(",")[0].strip()
        files.append(SQUAWK_OUTPUT / f"{number:03d}_{revision}.sql")
        with files[-1].open("w") as output:
            alembic(session, "upgrade", f"{start}:{revision}", "--sql", env=env, stdout=output, stderr=None)
    session.run("squawk", "--config", ".squawk.toml", *map(str, files))


@nox.session(venv_backend="none")
def revisions_frozen(session: nox.Session) -> None:
    """Revision files already on the default branch are not edited: `-- BASE` (default origin/main)."""
    session.run("python", "tools/revisions_frozen.py", *session.posargs)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package (settings in pyproject.toml's [tool.mypy])."""
    install(session)
    session.run("mypy", *session.posargs)
