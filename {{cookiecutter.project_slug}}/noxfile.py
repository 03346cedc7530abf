"""Checks for this project: `nox` runs them all, `nox -s NAME` one of them.

Sessions that touch a database never touch yours: `roundtrip` downgrades to base,
which empties every table. As Django's test runner does, they use, in this order:

1. DATABASE_URL itself, only if you ask for it with NOX_USE_DATABASE_URL=1;
2. TEST_DATABASE_URL, a database the checks may empty (the tests drop every
   table in it after each test);
3. test_<name>, a database of its own on the server DATABASE_URL names (from the
   environment or .env, <name> being DATABASE_URL's database): the session creates
   it, works in it and drops it; DATABASE_URL's user needs the right to create databases;
4. for a project baked for SQLite, when DATABASE_URL names no server: a throwaway
   SQLite file inside the session's temporary directory.

A project for a database server never falls back to SQLite (a revision written for
PostgreSQL or MySQL may not run there): with no server to use, the session stops with
one line saying how to start one. Each session logs which database it uses (password hidden).
"""

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
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
# `python -c TEST_DATABASE resolve|create|drop`: test_<name> on the server DATABASE_URL names,
# read as the project reads it (the environment, then .env; postgres:// and mysql:// mapped),
# reached with a sync driver. Prints one JSON object: the server and the database's URL, or
# `server: null` (no DATABASE_URL, or SQLite), or the one-line `problem`.
TEST_DATABASE = """
import json, sys
from sqlalchemy import create_engine, text
from {{ cookiecutter.package_name }}.settings import SettingsError, database_url, read_environment

SYNC = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql", "mariadb": "mariadb+pymysql"}


def answer(**fields):
    print(json.dumps(fields))
    sys.exit(0)


def first_line(error):
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()
    detail = detail[0] if detail else type(error).__name__
    return detail.replace(url.password, "***") if url.password else detail


environ = read_environment()
if not environ.get("DATABASE_URL", "").strip():
    answer(server=None)
try:
    url = database_url(environ, environment="test")
except SettingsError as error:
    answer(problem=str(error))
backend = url.get_backend_name()
if backend not in SYNC:
    answer(server=None)
name = "test_" + (url.database or url.username or "")
test_url = url.set(drivername=backend, database=name)
found = dict(
    server=f"{url.host or 'localhost'}:{url.port or ''}".rstrip(":"),
    name=name,
    url=test_url.render_as_string(hide_password=False),
    shown=test_url.render_as_string(hide_password=True),
)
if sys.argv[1] == "resolve":
    answer(**found)

# Connected to the server, never to DATABASE_URL's database: PostgreSQL's maintenance
# database (DATABASE_URL's if that one is closed to its user), MySQL/MariaDB none.
engine = None
error = None
for database in ("postgres", url.database) if backend == "postgresql" else (None,):
    engine = create_engine(
        url.set(drivername=SYNC[backend], database=database),
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 10},
    )
    try:
        connection = engine.connect()
        break
    except Exception as failure:
        engine.dispose()
        error = failure
else:
    answer(**found, unreachable=first_line(error))
quoted = connection.dialect.identifier_preparer.quote(name)
force = backend == "postgresql" and connection.dialect.server_version_info >= (13,)
try:
    # A test_<name> left by an interrupted session goes first.
    connection.execute(text(f"DROP DATABASE IF EXISTS {quoted}" + (" WITH (FORCE)" if force else "")))
    if sys.argv[1] == "create":
        connection.execute(text(f"CREATE DATABASE {quoted}"))
except Exception as failure:
    answer(**found, problem=f"cannot {sys.argv[1]} {name} on {found['server']}: {first_line(failure)}")
finally:
    connection.close()
    engine.dispose()
answer(**found)
"""
# `--sql` never connects: a URL that only picks the dialect, when no database is named.
OFFLINE_URLS = {
    "postgresql": "postgresql://offline@localhost/offline",
    "mysql": "mysql://offline@localhost/offline",
}
START_SERVER = (
    "start it with `docker compose up -d db` (compose.yaml; DATABASE_URL as in .env.example)"
    if Path("compose.yaml").exists()
    else "start one"
)
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


def server_database(session: nox.Session, action: str) -> dict:
    """TEST_DATABASE's answer: `resolve` (no connection), `create` or `drop` test_<name>."""
    output = session.run("python", "-c", TEST_DATABASE, action, silent=True, stderr=None, log=False)
    return json.loads(output.strip().splitlines()[-1])


def chosen_database(session: nox.Session) -> tuple[str, str, dict]:
    """(URL, where it comes from, TEST_DATABASE's answer when it is test_<name> on a server);
    ("", "", {}) when a project for a database server has none to use."""
    if os.environ.get(OPT_IN) == "1" and os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"], f"DATABASE_URL, since {OPT_IN}=1", {}
    if os.environ.get("TEST_DATABASE_URL"):
        return os.environ["TEST_DATABASE_URL"], "TEST_DATABASE_URL", {}
    server = server_database(session, "resolve")
    if server.get("problem"):
        session.error(server["problem"])
    if server.get("server"):
        return server["url"], f"{server['name']} on DATABASE_URL's server", server
    if DIALECT == "sqlite":
        scratch = Path(session.create_tmp()) / "nox.sqlite3"
        scratch.unlink(missing_ok=True)
        return f"sqlite:///{scratch}", "a throwaway SQLite file; DATABASE_URL names no server", {}
    return "", "", {}


@contextmanager
def database_env(session: nox.Session) -> Iterator[dict[str, str]]:
    """`with database_env(session) as env:` DATABASE_URL for the session's commands, never
    the developer's database unless asked for; test_<name> lasts as long as the block."""
    url, source, server = chosen_database(session)
    if not url:
        session.error(
            f"no {DIALECT} server for the checks: DATABASE_URL is not set (nor TEST_DATABASE_URL); "
            f"{START_SERVER}, and the sessions use a test_<name> database beside yours"
        )
    if not server:
        session.log(f"database: {hide_password(url)} ({source})")
        yield {"DATABASE_URL": url}
        return
    created = server_database(session, "create")
    if created.get("unreachable"):
        session.error(
            f"cannot reach the database server DATABASE_URL names ({created['server']}: "
            f"{created['unreachable']}); {START_SERVER}, or set TEST_DATABASE_URL"
        )
    if created.get("problem"):
        session.error(
            f"{created['problem']}; DATABASE_URL's user needs the right to create databases, "
            "or set TEST_DATABASE_URL to a database the checks may empty"
        )
    session.log(f"database: {created['shown']} ({source}: created for this session, dropped after it)")
    try:
        # The tests' migrations (pytest-alembic) run on TEST_DATABASE_URL: the same database.
        yield {"DATABASE_URL": url, "TEST_DATABASE_URL": url}
    finally:
        dropped = server_database(session, "drop")
        failure = dropped.get("problem") or dropped.get("unreachable")
        if failure:
            session.warn(f"{created['name']} is left on the server: {failure}")
        else:
            session.log(f"dropped {created['name']}")


def offline_env(session: nox.Session) -> dict[str, str]:
    """DATABASE_URL for `alembic ... --sql`, which connects to nothing: only its dialect counts."""
    url, source, _ = chosen_database(session)
    if not url:
        url, source = OFFLINE_URLS[DIALECT], f"the {DIALECT} dialect"
    session.log(f"offline SQL for {hide_password(url)} ({source}; --sql connects to nothing)")
    return {"DATABASE_URL": url}


def alembic(session: nox.Session, *args: str, env: dict[str, str], **kwargs):
    return session.run("alembic", *args, env=env, **kwargs)


def revisions(session: nox.Session, env: dict[str, str]) -> dict[str, str]:
    """Every revision id, oldest first (each after the ones it builds on, on every branch), with
    the `alembic downgrade` target that undoes it alone: `REV@-1`; for a merge, one of its
    parents (a merge has no single step back; down to a parent, Alembic undoes the merge only)."""
    history = alembic(session, "history", "-r", "base:heads", env=env, silent=True, stderr=None)
    steps = [match.groups() for match in map(HISTORY_LINE.match, reversed(history.splitlines())) if match]
    return {
        revision: down.split(",")[0].strip() if "," in down else f"{revision}@-1" for down, revision in steps
    }


def tables(session: nox.Session, env: dict[str, str]) -> set[str]:
    return set(session.run("python", "-c", LIST_TABLES, env=env, silent=True, stderr=None).split())


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite (pytest-alembic's migration tests included), with the package's coverage."""
    install(session)
    with database_env(session) as env:
        session.run("pytest", "--cov", "--cov-report=term", *session.posargs, env=env)


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
    """Upgrade to heads, downgrade to base and back (in the deploy's two phases), then
    up/down/up one revision at a time.

    `heads`: every branch (`alembic-guardrails heads`). One revision at a time: each by its id,
    oldest first, downgraded alone (`REV@-1`), whichever branch it is on.
    """
    install(session)
    with database_env(session) as env:
        chain = revisions(session, env)
        alembic(session, "upgrade", "heads", env=env)
        alembic(session, "downgrade", "base", env=env)
        # What a downgrade to base must leave: Alembic's own (now empty) version table, nothing else.
        left = tables(session, env) - {"alembic_version"}
        if left:
            session.error(
                f"downgrade base left tables behind: {', '.join(sorted(left))}; fix their downgrade()"
            )
        session.log(
            f"downgraded {len(chain)} revisions to base ({' <- '.join(reversed(chain))}): no table left"
        )
        # As a deploy runs them: the post-deploy revisions after the others (section "Changing a
        # live schema" of the README).
        alembic(session, "-x", "phase=pre", "upgrade", "heads", env=env)
        alembic(session, "-x", "phase=post", "upgrade", "heads", env=env)
        phases = f"upgraded {len(chain)} revisions to heads, in the deploy's two phases"
        session.log(f"{phases} ({' -> '.join(chain)})")
        alembic(session, "downgrade", "base", env=env)
        for revision, undo in chain.items():
            alembic(session, "upgrade", revision, env=env)
            alembic(session, "downgrade", undo, env=env)
            alembic(session, "upgrade", revision, env=env)
            session.log(f"{revision}: up, down, up")


@nox.session
def check(session: nox.Session) -> None:
    """One head per branch (`alembic-guardrails heads`), and no drift between models and
    migrations (`alembic check`).

    Two heads where two developers each added a revision on the same parent are refused (merge
    them); branches made on purpose, each with its branch label, are not.
    """
    install(session)
    session.run("alembic-guardrails", "heads")
    with database_env(session) as env:
        alembic(session, "upgrade", "heads", env=env)
        alembic(session, "check", env=env)


@nox.session
def squash(session: nox.Session) -> None:
    """Replace the revisions up to REV by one baseline revision with REV's id:
    `nox -s squash -- --to REV` (add `--check` to prove without writing, `--allow-data-steps`
    to drop the data steps it lists). The history and the new files are built and compared
    in the session's database; commit the result. Not run by a plain `nox`: it rewrites files.
    """
    install(session)
    with database_env(session) as env:
        session.run("alembic-guardrails", "squash", "--url", env["DATABASE_URL"], *session.posargs, env=env)


@nox.session
def sql(session: nox.Session) -> None:
    """The whole chain as offline SQL in build/migrations.sql, for review."""
    install(session)
    env = offline_env(session)
    SQL_OUTPUT.parent.mkdir(exist_ok=True)
    with SQL_OUTPUT.open("w") as output:  # stdout only: Alembic logs to stderr
        alembic(session, "upgrade", "heads", "--sql", env=env, stdout=output, stderr=None)
    session.log(f"wrote {SQL_OUTPUT} ({len(SQL_OUTPUT.read_text().splitlines())} lines)")


@nox.session
def tour(session: nox.Session) -> None:
    """A guided walk through the workflow and the guards, on a scratch copy (`-- --pause` to step)."""
    install(session)
    session.run("python", "tools/tour.py", *session.posargs)


# squawk lints PostgreSQL SQL: the session runs in projects baked for PostgreSQL.
PROJECT_DATABASE = "{{ cookiecutter.database }}"
# `python -c SQUAWK_SQL upgrade A:B --sql`: `alembic upgrade A:B --sql`, with squawk's ignore
# comment before the type changes the guards accept: a VARCHAR made longer, or made TEXT (or
# TEXT made an unbounded VARCHAR), which PostgreSQL records in its catalogue without rewriting
# the table, and which narrow nothing. Every other type change, and one whose old type the
# revision does not say (`existing_type`), is left to squawk's changing-column-type.
SQUAWK_SQL = """
import re, sys
from alembic.config import main
from alembic.ddl.postgresql import PostgresqlImpl
from sqlalchemy import types

VARCHAR = re.compile(r"(?:CHARACTER VARYING|VARCHAR)(?:\\((\\d+)\\))?|TEXT")
alter_column = PostgresqlImpl.alter_column


# (True, its limit or None) for VARCHAR(n), VARCHAR and TEXT; (False, None) for any other type
# (an Enum stored as VARCHAR too: the guards compare its values).
def length(impl, type_):
    type_ = types.to_instance(type_) if type_ is not None else None
    if type_ is None or isinstance(type_, types.Enum):
        return False, None
    try:
        spelled = VARCHAR.fullmatch(type_.compile(dialect=impl.dialect).upper())
    except Exception:
        return False, None
    return (True, int(spelled.group(1))) if spelled and spelled.group(1) else (bool(spelled), None)


def in_place(impl, old, new):
    (old_text, old_limit), (new_text, new_limit) = length(impl, old), length(impl, new)
    return old_text and new_text and (new_limit is None or (old_limit is not None and new_limit >= old_limit))


def marked(impl, table_name, column_name, **kw):
    if impl.as_sql and kw.get("postgresql_using") is None and in_place(impl, kw.get("existing_type"), kw.get("type_")):
        impl.output_buffer.write("-- squawk-ignore changing-column-type\\n")
    return alter_column(impl, table_name, column_name, **kw)


PostgresqlImpl.alter_column = marked
sys.exit(main(prog="alembic"))
"""
SQUAWK_IGNORE = "-- squawk-ignore "
# A rule squawk repeats on a statement another rule of its reports already: a foreign key or a
# unique constraint added without NOT VALID is adding-foreign-key-constraint or
# disallowed-unique-constraint, once; constraint-missing-not-valid stays for CHECK constraints.
REPEATED_RULES = {
    "constraint-missing-not-valid": re.compile(
        r"^ALTER TABLE .* ADD CONSTRAINT .*\b(FOREIGN KEY|UNIQUE\b(?! USING INDEX))(?!.*\bNOT VALID\b)",
        re.DOTALL,
    ),
}


def for_squawk(sql: str) -> str:
    """The SQL squawk reads: the `-- squawk-ignore` comments before a statement on the one line
    right above it (the only one squawk reads), with the REPEATED_RULES that statement repeats."""
    lines: list[str] = []
    ignored: list[str] = []
    statement: list[str] = []
    for line in sql.splitlines():
        if not statement and line.startswith(SQUAWK_IGNORE):
            ignored += [rule.strip() for rule in line[len(SQUAWK_IGNORE) :].split(",") if rule.strip()]
        elif not statement and (not line.strip() or line.startswith("--")):
            if line.strip() or not ignored:
                lines.append(line)
        else:
            statement.append(line)
            if line.rstrip().endswith(";"):
                text = "\n".join(statement)
                ignored += [rule for rule, repeated in REPEATED_RULES.items() if repeated.search(text)]
                if ignored:
                    lines.append(SQUAWK_IGNORE + ", ".join(dict.fromkeys(ignored)))
                lines += statement
                ignored, statement = [], []
    return "\n".join(lines + statement) + "\n"


@nox.session
def squawk(session: nox.Session) -> None:
    """Lint each revision's PostgreSQL SQL with squawk, one revision at a time.

    Linted together, every table looks new and most rules stay silent; so each
    revision is rendered on its own (`alembic upgrade A:B --sql`) into
    build/squawk/. Offline: no database is needed. squawk reports what the guards
    review or refuse and passes what they accept (SQUAWK_SQL, REPEATED_RULES);
    rules left out are in .squawk.toml. squawk's version is the one uv.lock pins.
    """
    if PROJECT_DATABASE != "postgresql":
        session.skip(f"squawk lints PostgreSQL SQL; this project was baked for {PROJECT_DATABASE}")
    install(session)
    # --sql never connects; the URL only picks PostgreSQL's dialect (and the project's driver).
    env = {"DATABASE_URL": OFFLINE_URLS["postgresql"]}
    history = alembic(session, "history", "-r", "base:heads", env=env, silent=True, stderr=None)
    steps = [match.groups() for match in map(HISTORY_LINE.match, reversed(history.splitlines())) if match]
    SQUAWK_OUTPUT.mkdir(parents=True, exist_ok=True)
    for old in SQUAWK_OUTPUT.glob("*.sql"):
        old.unlink()
    files = []
    for number, (down, revision) in enumerate(steps, start=1):
        start = "base" if down == "<base>" else down.split(",")[0].strip()
        files.append(SQUAWK_OUTPUT / f"{number:03d}_{revision}.sql")
        upgrade = ("upgrade", f"{start}:{revision}", "--sql")
        session.log(f"alembic {' '.join(upgrade)} > {files[-1]}")
        rendered = session.run(
            "python", "-c", SQUAWK_SQL, *upgrade, env=env, silent=True, stderr=None, log=False
        )
        files[-1].write_text(for_squawk(rendered))
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
