"""migrations.backfill.backfill: bounded batches, each committed, resumable, and offline SQL.

Runs on a scratch SQLite file, or on TEST_DATABASE_URL when it is set (see
conftest.py), inside a migration transaction as Alembic opens one per revision.
"""

import io
import logging

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from alembic_guardrails import backfill as backfill_module
from alembic_guardrails.backfill import backfill

ROWS = 1000
metadata = sa.MetaData()
accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("status", sa.String(20), nullable=True),
    # Lets a test make one batch fail half-way through the table.
    sa.CheckConstraint("status IS NULL OR status <> 'bad'", name="ck_accounts_not_bad"),
)
pairs = sa.Table(
    "pairs",
    metadata,
    sa.Column("a", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("b", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("code", sa.Integer, unique=True),
    sa.Column("status", sa.String(20), nullable=True),
)


# Alembic hands revisions a sync Connection, also under an async engine
# (run_sync): an async project's test database is used through its sync driver.
SYNC_DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
    "sqlite": "sqlite",
}


@pytest.fixture
def engine(alembic_engine):
    """`accounts` with ROWS rows whose keys have gaps (3, 6, 9, ...), ten already 'blocked'."""
    url = alembic_engine.url
    if url.get_dialect().is_async:
        url = url.set(drivername=SYNC_DRIVERS[url.get_backend_name()])
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            accounts.insert(),
            [{"id": 3 * n, "status": "blocked" if n % 100 == 0 else None} for n in range(1, ROWS + 1)],
        )
    yield engine
    engine.dispose()  # before alembic_engine drops the tables


@pytest.fixture
def updates(engine):
    """Rows changed by each UPDATE the engine runs, in order."""
    counts = []

    def after(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE"):
            counts.append(cursor.rowcount)

    sa.event.listen(engine, "after_cursor_execute", after)
    yield counts
    sa.event.remove(engine, "after_cursor_execute", after)


def in_migration(engine, table="accounts", **arguments):
    """backfill() inside a revision's transaction, as Alembic runs it."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"transaction_per_migration": True})
        with context.begin_transaction(_per_migration=True):
            return backfill(Operations(context), table, **arguments)


def statuses(engine) -> dict:
    with engine.connect() as connection:
        query = sa.select(accounts.c.status, sa.func.count()).group_by(accounts.c.status)
        return dict(connection.execute(query).all())


def test_updates_the_rows_where_selects_in_bounded_batches(engine, updates):
    done = in_migration(engine, values={"status": "active"}, where="status IS NULL", batch_size=100)

    assert done == ROWS - 10
    assert statuses(engine) == {"active": ROWS - 10, "blocked": 10}
    assert len(updates) >= ROWS // 100 and max(updates) <= 100


def test_each_batch_is_committed_so_a_failure_keeps_them_and_a_rerun_resumes(engine):
    # The row with key 1503 violates the CHECK: the batch holding it (keys
    # 1503..1800) fails; the five batches before it are committed already.
    failing = "status = CASE WHEN id = :bad THEN 'bad' ELSE :value END"
    with pytest.raises(sa.exc.DBAPIError):  # MariaDB reports a CHECK as OperationalError
        in_migration(
            engine,
            values=failing,
            params={"bad": 1503, "value": "active"},
            where="status IS NULL",
            batch_size=100,
        )
    assert statuses(engine) == {"active": 495, None: 495, "blocked": 10}

    resumed = in_migration(engine, values={"status": "active"}, where="status IS NULL", batch_size=100)
    assert resumed == 495
    assert statuses(engine) == {"active": ROWS - 10, "blocked": 10}


def test_one_batch_when_the_table_is_smaller_than_a_batch(engine, updates):
    assert in_migration(engine, values={"status": "x"}, batch_size=10 * ROWS) == ROWS
    assert updates == [ROWS]
    with engine.begin() as connection:
        connection.execute(accounts.delete())
    assert in_migration(engine, values={"status": "x"}) == 0


def test_a_composite_primary_key_needs_an_explicit_key(engine):
    with engine.begin() as connection:
        connection.execute(pairs.insert(), [{"a": n, "b": n, "code": n} for n in range(1, 51)])
    with pytest.raises(ValueError, match="single-column primary key.*key="):
        in_migration(engine, table="pairs", values={"status": "x"})
    assert in_migration(engine, table="pairs", values={"status": "x"}, key="code", batch_size=7) == 50


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"values": {"status": "x"}, "batch_size": 0}, "batch_size"),
        ({"values": {"status": "x"}, "batch_size": 10.5}, "batch_size"),
        ({"values": {}}, "values is empty"),
        ({"values": "status = :backfill_after"}, "reserved"),
        ({"values": "status = :x", "params": {"backfill_upto": 1}}, "reserved"),
    ],
)
def test_refuses_unusable_arguments(engine, arguments, message):
    with pytest.raises(ValueError, match=message):
        in_migration(engine, **arguments)


def test_logs_progress(engine, caplog, monkeypatch):
    monkeypatch.setattr(backfill_module, "PROGRESS_EVERY", 0)
    with caplog.at_level(logging.INFO, logger="alembic.backfill"):
        in_migration(engine, values={"status": "active"}, where="status IS NULL", batch_size=250)
    lines = [record.getMessage() for record in caplog.records if record.name == "alembic.backfill"]
    assert lines[0] == "accounts: backfill in batches of 250 by id where status IS NULL (id from 3 to 3000)"
    assert "accounts: id <= 750 (25%), 248 rows updated in 1 batches" in lines[1]
    assert lines[-1].startswith("accounts: backfill done, 990 rows updated in ")


def test_offline_renders_one_plain_update_outside_the_revision_transaction(alembic_engine):
    output = io.StringIO()
    # As env.py configures offline runs.
    opts = {"as_sql": True, "output_buffer": output, "literal_binds": True}
    opts["transaction_per_migration"] = True
    context = MigrationContext.configure(dialect_name=alembic_engine.dialect.name, opts=opts)
    with context.begin_transaction(_per_migration=True):
        done = backfill(Operations(context), "users", {"status": "active"}, where="status IS NULL")
    sql = output.getvalue()

    assert done == 0
    assert "UPDATE users SET status = 'active' WHERE status IS NULL;" in sql
    assert "-- backfill('users'): online, this UPDATE runs in batches" in sql
    if context.impl.transactional_ddl:  # the UPDATE is not inside the revision's BEGIN ... COMMIT
        assert sql.index("COMMIT;") < sql.index("UPDATE users") < sql.rindex("BEGIN;")
