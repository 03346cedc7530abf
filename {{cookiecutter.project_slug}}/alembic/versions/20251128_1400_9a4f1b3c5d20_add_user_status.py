"""add user status

Step 1 of the second tutorial's "add user status": add the column nullable, so
existing rows stay valid. A fast, transactional schema change in a revision of
its own: the backfill that follows commits in batches and must not share a
revision with DDL (see alembic_guardrails.backfill).

Revision ID: 9a4f1b3c5d20
Revises: 7d2e4c6a8b10
Create Date: 2025-11-28 14:00:00.000000+00:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "9a4f1b3c5d20"
down_revision: Union[str, Sequence[str], None] = "7d2e4c6a8b10"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("users", sa.Column("status", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:  # batch: SQLite cannot DROP COLUMN everywhere
        batch_op.drop_column("status")
