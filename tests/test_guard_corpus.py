"""The guards against the corpus (corpus.py), through the real `alembic` CLI, on every database.

For each case and database: the `before` tables are created and seeded, the
models become `after`, and `alembic revision --autogenerate` must give the
corpus verdict. Every revision written without an override must then upgrade
the seeded rows without failing or losing them, downgrade, and upgrade again.

One baked project and one database per backend serve a whole worker: between
cases the database is emptied and the new revision deleted.
"""

from __future__ import annotations

import json
import re
import runpy
from decimal import Decimal, InvalidOperation

import pytest
import sqlalchemy as sa
from alembic_guardrails.rules import RULES
from corpus import CASES, Case
from sqlalchemy.pool import NullPool

from baked import BIN
from conftest import bake_project, empty_database, throwaway_database

BACKENDS = ["sqlite", "postgresql", "mysql"]
MODELS_HEADER = (
    '"""Models of one guard-corpus case."""\n\nimport sqlalchemy as sa\n\nfrom .schema import metadata\n\n'
)


class Bench:
    """A baked project and an empty database on one backend, reused case after case."""

    def __init__(self, project, backend: str, url: str):
        self.project, self.backend, self.url = project, backend, url
        self.env = {"DATABASE_URL": url}
        for revision in project.versions():  # the corpus starts from its own `before` tables
            revision.unlink()
        # The ruff post-write hooks tidy style only; the corpus judges what is written, faster without them.
        project.edit("alembic.ini", "hooks = ruff_fix, ruff_format", "hooks =")

    def engine(self) -> sa.Engine:
        return sa.create_engine(self.url, poolclass=NullPool)

    def empty_database(self) -> None:
        for revision in self.project.versions():
            revision.unlink()
        empty_database(self.backend, self.url)

    def metadata(self, models: str) -> sa.MetaData:
        """The tables of `models`, on a fresh copy of the project's own MetaData (naming convention)."""
        metadata = runpy.run_path(str(self.project.package / "schema.py"))["metadata"]
        exec(models, {"sa": sa, "metadata": metadata})  # noqa: S102 - the corpus's own model code
        return metadata

    def start(self, case: Case) -> None:
        """The database holds the `before` tables and the seeded rows; models.py says `after`."""
        self.empty_database()
        engine = self.engine()
        metadata = self.metadata(case.before)
        with engine.begin() as connection:
            metadata.create_all(connection)
            for table, values in case.seed.items():
                connection.execute(metadata.tables[table].insert(), values)
        engine.dispose()
        (self.project.package / "models.py").write_text(MODELS_HEADER + case.after)

    def autogenerate(self, *x_args: str):
        """`alembic -x ... revision --autogenerate`: (exit code, output, new files)."""
        before = set(self.project.versions())
        options = [part for arg in x_args for part in ("-x", arg)]
        result = self.project.alembic(
            *options, "revision", "--autogenerate", "-m", "corpus case", env=self.env, check=False
        )
        return result.returncode, result.stdout + result.stderr, sorted(set(self.project.versions()) - before)

    def alembic(self, *args: str, check: bool = True):
        return self.project.alembic(*args, env=self.env, check=check)

    def table_rows(self, table: str) -> list[dict]:
        engine = self.engine()
        with engine.connect() as connection:
            found = sa.Table(table, sa.MetaData(), autoload_with=connection)
            result = [dict(row._mapping) for row in connection.execute(found.select().order_by(found.c.id))]
        engine.dispose()
        return result


@pytest.fixture(scope="session")
def benches(cookies_session):
    """bench(backend): this worker's Bench for `backend`, made on first use."""
    made: dict[str, Bench] = {}
    databases = []

    def bench(backend: str) -> Bench:
        if backend not in made:
            if backend == "sqlite":
                project = bake_project(cookies_session, database="sqlite", project_name="corpus sqlite")
                url = f"sqlite:///{project.path / 'corpus.sqlite3'}"
            else:
                generator = throwaway_database(backend)
                url = next(generator)
                databases.append(generator)
                project = bake_project(cookies_session, database=backend, project_name=f"corpus {backend}")
            made[backend] = Bench(project, backend, url)
        return made[backend]

    yield bench
    for generator in databases:
        next(generator, None)


def same(left, right) -> bool:
    """Equal as stored: 1.50 == 1.5000, 123 == "123", True == 1."""
    if left == right:
        return True
    try:
        return Decimal(str(left)) == Decimal(str(right))
    except (InvalidOperation, ValueError):
        return str(left) == str(right)


def assert_rows_kept(bench: Bench, case: Case) -> None:
    expected = case.rows or case.seed
    for table, wanted in expected.items():
        found = bench.table_rows(table)
        assert len(found) == len(wanted), (table, found)
        for got, want in zip(found, wanted, strict=True):
            kept = {key: value for key, value in want.items() if key in got}
            assert kept.keys() == want.keys() or case.rows is None, (table, got, want)
            for key, value in kept.items():
                assert same(got[key], value), (table, key, got[key], value)


def assert_round_trip(bench: Bench) -> None:
    bench.alembic("downgrade", "base")
    bench.alembic("upgrade", "head")


# The rule ids autogenerate prints at the end of its refusal and review lines.
RULE_ID = re.compile(r"\[([a-z0-9-]+)\]$", re.MULTILINE)
OUR_RULES = {rule.id: rule.verdict for rule in RULES}


def autogenerate_rules(output: str, verdict: str) -> set[str]:
    return {rule for rule in RULE_ID.findall(output) if OUR_RULES.get(rule) == verdict}


# PostgreSQL enum value changes are written as raw ALTER TYPE SQL (_enums.py): lint hands raw SQL to
# squawk, not to the rules, so it cannot name narrow-type there.
LINT_BLIND = {("enum_value_removed", "postgresql"), ("enum_value_replaced", "postgresql")}


def assert_lint_agrees(bench: Bench, revision, refused: set[str] | None, reviewed: set[str]) -> None:
    """`alembic-guardrails lint` on the written file names the rules autogenerate named."""
    lint = bench.project.run(
        str(BIN / "alembic-guardrails"), "lint", str(revision), "--dialect", bench.backend, "--format", "json"
    )
    found = json.loads(lint.stdout)
    by_verdict = {
        verdict: {f["rule"] for f in found if OUR_RULES.get(f["rule"]) == verdict}
        for verdict in ("refuse", "review")
    }
    if refused is None:
        by_verdict["refuse"] = refused
    assert (by_verdict["refuse"], by_verdict["review"]) == (refused, reviewed), lint.stdout + lint.stderr


def assert_refused(bench: Bench, case: Case, verdict: str, message: str) -> None:
    code, output, written = bench.autogenerate(*case.x)
    assert code != 0 and not written, output
    assert message in output, output
    assert "Traceback" not in output, output
    if case.override is None or verdict == "empty":
        return
    # The file the override writes holds the refused change only when the override allows it
    # (`-x rename=` writes something else instead: a rename).
    allowed = any(arg.startswith("allow_destructive") for arg in case.override)
    refused: set[str] | None = autogenerate_rules(output, "refuse") if allowed else set()
    if not refused and allowed:
        refused = None  # refused before any rule ran (an unreadable -x): nothing to compare
    code, output, written = bench.autogenerate(*case.override)
    assert code == 0 and len(written) == 1, output
    if (case.name, bench.backend) not in LINT_BLIND:
        assert_lint_agrees(bench, written[0], refused, autogenerate_rules(output, "review"))
    if case.upgrade_override:
        bench.alembic("upgrade", "head")
        assert_rows_kept(bench, case)
        assert_round_trip(bench)


def assert_written(bench: Bench, case: Case, verdict: str, message: str) -> None:
    code, output, written = bench.autogenerate(*case.x)
    assert code == 0 and len(written) == 1, output
    if verdict == "allow":
        assert "Review:" not in output, output
    else:
        assert "Review:" in output and message in output, output
    assert_lint_agrees(bench, written[0], set(), autogenerate_rules(output, "review"))
    if case.offline and bench.backend != "sqlite":
        sql = bench.alembic("upgrade", "head", "--sql").stdout
        assert case.offline in sql and sql.index(case.offline) < sql.index("ALTER TABLE items"), sql
    upgrade = bench.alembic("upgrade", "head", check=False)
    if case.upgrade == "fails":
        assert upgrade.returncode != 0
        assert "(head)" not in bench.alembic("current").stdout, "a failed revision must not be recorded"
        return
    assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
    assert_rows_kept(bench, case)
    assert_round_trip(bench)


RUNS = [(case, backend) for case in CASES for backend in case.backends]


@pytest.mark.parametrize(("case", "backend"), RUNS, ids=[f"{case.name}-{backend}" for case, backend in RUNS])
def test_corpus_case(benches, case: Case, backend: str):
    bench = benches(backend)
    bench.start(case)
    verdict, message = case.verdict_on(backend), case.message_on(backend)
    if verdict in ("refuse", "empty"):
        assert_refused(bench, case, verdict, message)
    else:
        assert_written(bench, case, verdict, message)


def test_corpus_is_labelled_and_covers_every_verdict():
    assert len(CASES) >= 45
    assert len({case.name for case in CASES}) == len(CASES)
    authorities = ("strong_migrations: ", "squawk: ", "django: ")
    assert all(case.authority.startswith(authorities) for case in CASES)
    verdicts = {case.verdict_on(backend) for case in CASES for backend in BACKENDS}
    assert verdicts == {"allow", "review", "refuse", "empty"}
