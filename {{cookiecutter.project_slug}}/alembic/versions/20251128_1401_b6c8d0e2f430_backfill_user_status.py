"""backfill user status

Step 2: fill `status` for existing rows in bounded batches, each committed on
its own, so live writes to users never wait for the whole table; then make the
column NOT NULL (on PostgreSQL without locking users for a scan). If the backfill stops half-way, the batches done stay done
and re-running `alembic upgrade head` resumes with the rows still NULL.

Revision ID: b6c8d0e2f430
Revises: 9a4f1b3c5d20
Create Date: 2025-11-28 14:01:00.000000+00:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from alembic_guardrails.backfill import backfill
from alembic_guardrails.helpers import is_offline, set_not_null

# revision identifiers, used by Alembic.
revision: str = "b6c8d0e2f430"
down_revision: Union[str, Sequence[str], None] = "9a4f1b3c5d20"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# Under --sql there is no database to reflect, and SQLite's batch mode rebuilds
# the table from its definition: give it "users" as it stands at this revision.
USERS = sa.Table(
    "users",
    sa.MetaData(),
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=50), nullable=False),
    sa.Column("status", sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint("id", name="pk_users"),
)


def alter_users():
    """Batch mode: SQLite rebuilds the table, other databases ALTER in place."""
    return op.batch_alter_table("users", copy_from=USERS if is_offline() else None)


def upgrade() -> None:
    backfill(op, "users", {"status": "active"}, where="status IS NULL", batch_size=5_000)
    if op.get_context().dialect.name == "postgresql":
        # A plain SET NOT NULL scans users under a lock that stops all reads and writes;
        # this proves it with a check validated while traffic goes on.
        set_not_null("users", "status")
        return
    with alter_users() as batch_op:
        batch_op.alter_column("status", existing_type=sa.String(length=20), nullable=False)


def downgrade() -> None:
    with alter_users() as batch_op:
        batch_op.alter_column("status", existing_type=sa.String(length=20), nullable=True)
