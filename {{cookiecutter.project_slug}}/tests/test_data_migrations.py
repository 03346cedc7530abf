"""A data migration tested like one: rows in before the revision, rows checked after it.

pytest-alembic's `migrate_up_before` builds the schema as it stands just before
the revision under test, `insert_into` writes rows against that schema (not
today's models), and `migrate_up_one` runs exactly that revision. Copy this
shape for your own data migrations.
"""

from sqlalchemy import inspect, text

from tests.helpers import on_connection

BACKFILL = "b6c8d0e2f430"  # alembic/versions/*_backfill_user_status.py


def user_statuses(engine) -> dict[str, str | None]:
    return dict(on_connection(engine, lambda c: c.execute(text("SELECT name, status FROM users")).all()))


def status_is_nullable(engine) -> bool:
    columns = on_connection(engine, lambda c: inspect(c).get_columns("users"))
    return next(column["nullable"] for column in columns if column["name"] == "status")


def test_backfill_fills_missing_statuses_and_keeps_the_others(alembic_runner, alembic_engine):
    alembic_runner.migrate_up_before(BACKFILL)
    alembic_runner.insert_into(
        "users",
        [
            {"name": "ada", "status": None},  # written before the status column was filled
            {"name": "bob", "status": "banned"},  # a status set since: the backfill must keep it
        ],
    )

    alembic_runner.migrate_up_one()

    statuses = user_statuses(alembic_engine)
    assert statuses["ada"] == "active"
    assert statuses["bob"] == "banned"
    assert None not in statuses.values()
    assert not status_is_nullable(alembic_engine)


def test_backfill_downgrade_keeps_the_filled_rows(alembic_runner, alembic_engine):
    alembic_runner.migrate_up_before(BACKFILL)
    alembic_runner.insert_into("users", {"name": "ada", "status": None})
    alembic_runner.migrate_up_one()

    alembic_runner.migrate_down_one()

    # The downgrade relaxes NOT NULL only: it does not (and could not) know which rows were NULL.
    assert user_statuses(alembic_engine)["ada"] == "active"
    assert status_is_nullable(alembic_engine)
