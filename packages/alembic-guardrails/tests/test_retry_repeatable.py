"""MySQL/MariaDB commit DDL as it goes: a blocked revision is retried from its top only when what it
already ran runs again harmlessly (IF [NOT] EXISTS, a trigger dropped IF EXISTS before it is
created, as the expand step of a zero-downtime rename writes them). Real statements, watched as
the retries watch them."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from alembic_guardrails._retries import RevisionWatch


def test_repeatable_statements_leave_a_revision_retryable(alembic_engine):
    if alembic_engine.dialect.name != "mysql":
        pytest.skip("MySQL/MariaDB: the only databases whose DDL commits as it goes")
    with alembic_engine.connect() as connection:
        connection.execute(text("CREATE TABLE rr_items (id INT PRIMARY KEY, v INT)"))
        with RevisionWatch(connection) as watch:
            for statement in (
                "ALTER TABLE rr_items ADD COLUMN IF NOT EXISTS w INT",
                "DROP TRIGGER IF EXISTS rr_items_sync",
                "CREATE TRIGGER rr_items_sync BEFORE INSERT ON rr_items FOR EACH ROW SET NEW.w = NEW.v",
            ):
                connection.execute(text(statement))
            assert watch.why_not_retry() is None
            connection.execute(
                text("CREATE TRIGGER rr_items_other BEFORE UPDATE ON rr_items FOR EACH ROW SET NEW.w = 1")
            )
            assert "1 statement" in str(watch.why_not_retry())
