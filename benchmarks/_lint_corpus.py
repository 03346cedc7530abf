"""The corpus of benchmarks/lint_peers.py: hand-written Alembic revisions, dangerous and safe.

Each case is one revision as an application writes it (autogenerate's style for
alter_column: existing_type, and no existing_nullable when nullable changes;
batch_alter_table on SQLite, as `render_as_batch=True` writes it), with its
ground truth per database. The truth follows the authorities, not any linter:

- dangerous: strong_migrations' definition ("blocks reads or writes for more
  than a few seconds (after a lock is acquired), or has a good chance of
  causing application errors"), applied by the check it cites in strong_migrations'
  README, a squawk rule, or the database's manual (MySQL's Online DDL tables);
- safe: the fix those same authorities give for it ("Good" in strong_migrations,
  the suggested form in squawk's docs), or a change they name as safe.

A case lists only the databases where an authority settles it: creating an
index is dangerous on PostgreSQL and in place on MySQL, but no authority
covers SQLite's table-level locking, so that case has no SQLite row.

`write_project(root, dialect)` writes a tiny Alembic project (alembic.ini,
env.py, versions/) holding one linear history: a first revision that creates
the tables, then every case that applies to the database.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

DIALECTS = ("postgresql", "mysql", "sqlite")
# sqlalchemy.url of each project: offline only (`--sql`), never connected; the URL picks the dialect.
URLS = {
    "postgresql": "postgresql://lint@localhost/lint",
    "mysql": "mysql://lint@localhost/lint",
    "sqlite": "sqlite:///lint.sqlite3",
}
# squawk rules that judge every statement or the column types, not what a change does to a live
# table or its clients: the template's .squawk.toml leaves out the first six; require-lock-timeout
# (new in squawk 2.x; the template's env.py sets lock_timeout at run time) and prefer-timestamp-tz
# (a column type, like prefer-bigint-over-int) are left out on the same grounds. Written into each
# project's .squawk.toml; the "squawk (all rules)" row of lint_peers.py ignores it.
SQUAWK_EXCLUDED = (
    "require-statement-timeout",
    "prefer-robust-stmts",
    "prefer-bigint-over-int",
    "prefer-bigint-over-smallint",
    "prefer-identity",
    "prefer-text-field",
    "require-lock-timeout",
    "prefer-timestamp-tz",
)


@dataclass(frozen=True)
class Truth:
    dangerous: bool
    reason: str  # one line, citing the authority


def danger(reason: str) -> Truth:
    return Truth(True, reason)


def safe(reason: str) -> Truth:
    return Truth(False, reason)


@dataclass(frozen=True)
class Case:
    """One revision. `upgrade`/`downgrade` are bodies (unindented); `variants` replaces
    both for one database (SQLite's batch forms)."""

    name: str
    truth: dict[str, Truth]
    upgrade: str
    downgrade: str
    variants: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def dialects(self) -> tuple[str, ...]:
        return tuple(d for d in DIALECTS if d in self.truth)

    def dangerous(self, dialect: str) -> bool:
        return self.truth[dialect].dangerous

    def bodies(self, dialect: str) -> tuple[str, str]:
        return self.variants.get(dialect, (self.upgrade, self.downgrade))


REVISION = '''"""{message}

Revision ID: {revision}
Revises: {down_revision}
"""

import sqlalchemy as sa
from alembic import op
{extra_imports}
revision = "{revision}"
down_revision = {down_revision_literal}
branch_labels = None
depends_on = None


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''

ALEMBIC_INI = """[alembic]
script_location = %(here)s/migrations
sqlalchemy.url = {url}
"""

# Alembic's generic env.py, without logging; SQLite projects batch their ALTERs.
ENV_PY = '''"""Alembic's generic env.py (offline and online), as `alembic init` writes it."""

from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
target_metadata = None
RENDER_AS_BATCH = {render_as_batch}


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={{"paramstyle": "named"}},
        render_as_batch=RENDER_AS_BATCH,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {{}}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=RENDER_AS_BATCH
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

SCRIPT_MAKO = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""

import sqlalchemy as sa
from alembic import op

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''

# The first revision: the tables every case changes. It is linted too but never scored.
BASE_NAME = "initial_schema"
BASE_UPGRADE = """
op.create_table(
    "accounts",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
)
op.create_table(
    "users",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("account_id", sa.Integer(), nullable=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("email", sa.String(100), nullable=True),
    sa.Column("nickname", sa.String(40), nullable=True),
    sa.Column("code", sa.String(50), nullable=True),
    sa.Column("title", sa.String(50), nullable=True),
    sa.Column("bio", sa.String(200), nullable=True),
    sa.Column("status", sa.String(20), nullable=True),
    sa.Column("phone", sa.String(30), nullable=True),
    sa.Column("age", sa.Integer(), nullable=True),
    sa.Column("score", sa.Integer(), nullable=False),
    sa.Column("legacy_flag", sa.Boolean(), nullable=True),
)
op.create_table(
    "orders",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("total", sa.Numeric(10, 2), nullable=True),
    sa.Column("note", sa.String(200), nullable=True),
)
op.create_index("ix_orders_user_id", "orders", ["user_id"])
op.create_index("ix_orders_note", "orders", ["note"])
op.create_table(
    "events",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("kind", sa.String(50), nullable=False),
)
op.create_table("invoices", sa.Column("id", sa.Integer(), primary_key=True))
op.create_table(
    "legacy_audit",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("message", sa.Text(), nullable=True),
)
"""
BASE_DOWNGRADE = """
for table in ("legacy_audit", "invoices", "events", "orders", "users", "accounts"):
    op.drop_table(table)
"""

# Reasons used by several cases.
PG_TYPE_SAFE = "strong_migrations, Changing the type of a column: in Postgres increasing a string's limit or changing it to text needs no rewrite"
MYSQL_BELOW_63 = "strong_migrations, Changing the type of a column: MySQL grows a string in place from under 63 up to 63 (utf8mb4; the length prefix stays 1 byte, MySQL manual Online DDL)"
MYSQL_ABOVE_63 = "strong_migrations, Changing the type of a column: MySQL grows a string in place from over 63 to the max (utf8mb4; the length prefix stays 2 bytes)"
NEW_TABLE = (
    "strong_migrations and squawk: a table created in the same revision holds no rows and no code uses it yet"
)
ADD_NULLABLE = (
    "strong_migrations and squawk: adding a nullable column without a default only changes the catalog"
)
DROP_NOT_NULL = "squawk ban-drop-not-null: clients that rely on the column never being NULL break"
AUTO_INCREMENT = "strong_migrations, Adding an auto-incrementing column: the entire table is rewritten"
RENAME_COLUMN = (
    "strong_migrations, Renaming a column / squawk renaming-column: running code still uses the old name"
)


def _batch(table: str, body: str) -> str:
    """`body` (one `batch_op.` statement per line) inside `op.batch_alter_table(table)`."""
    return f'with op.batch_alter_table("{table}", schema=None) as batch_op:\n' + textwrap.indent(
        textwrap.dedent(body).strip(), "    "
    )


CASES: tuple[Case, ...] = (
    # ---- Removing and renaming (strong_migrations; squawk ban-drop-*, renaming-*) ----
    Case(
        "drop_column",
        {
            d: danger(
                "strong_migrations, Removing a column / squawk ban-drop-column: code that still selects it fails"
            )
            for d in DIALECTS
        },
        'op.drop_column("users", "legacy_flag")',
        'op.add_column("users", sa.Column("legacy_flag", sa.Boolean(), nullable=True))',
        variants={
            "sqlite": (
                _batch("users", 'batch_op.drop_column("legacy_flag")'),
                _batch("users", 'batch_op.add_column(sa.Column("legacy_flag", sa.Boolean(), nullable=True))'),
            )
        },
    ),
    Case(
        "drop_table",
        {d: danger("squawk ban-drop-table: its rows are lost and code that uses it fails") for d in DIALECTS},
        'op.drop_table("legacy_audit")',
        """
        op.create_table(
            "legacy_audit",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("message", sa.Text(), nullable=True),
        )
        """,
    ),
    Case(
        "rename_column",
        {d: danger(RENAME_COLUMN) for d in DIALECTS},
        'op.alter_column("users", "title", new_column_name="job_title", existing_type=sa.String(50), existing_nullable=True)',
        'op.alter_column("users", "job_title", new_column_name="title", existing_type=sa.String(50), existing_nullable=True)',
        variants={
            "sqlite": (
                _batch(
                    "users",
                    'batch_op.alter_column("title", new_column_name="job_title", existing_type=sa.String(50), existing_nullable=True)',
                ),
                _batch(
                    "users",
                    'batch_op.alter_column("job_title", new_column_name="title", existing_type=sa.String(50), existing_nullable=True)',
                ),
            )
        },
    ),
    Case(
        "rename_table",
        {
            d: danger(
                "strong_migrations, Renaming a table / squawk renaming-table: running code still uses the old name"
            )
            for d in DIALECTS
        },
        'op.rename_table("invoices", "bills")',
        'op.rename_table("bills", "invoices")',
    ),
    # ---- Changing a column's type (strong_migrations; squawk changing-column-type) ----
    Case(
        "change_column_type",
        {
            "postgresql": danger(
                "strong_migrations, Changing the type of a column / squawk changing-column-type: integer -> bigint rewrites the table, reads and writes blocked"
            ),
            "mysql": danger(
                "strong_migrations, Changing the type of a column: MySQL copies the table, writes blocked"
            ),
        },
        'op.alter_column("users", "age", existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=True)',
        'op.alter_column("users", "age", existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=True)',
    ),
    Case(
        "widen_varchar",
        {"postgresql": safe(PG_TYPE_SAFE), "mysql": safe(MYSQL_BELOW_63)},
        'op.alter_column("users", "nickname", existing_type=sa.String(40), type_=sa.String(60), existing_nullable=True)',
        'op.alter_column("users", "nickname", existing_type=sa.String(60), type_=sa.String(40), existing_nullable=True)',
    ),
    Case(
        "widen_varchar_past_63",
        {
            "postgresql": safe(PG_TYPE_SAFE),
            "mysql": danger(
                "strong_migrations, Changing the type of a column: 50 -> 100 crosses 63 characters (255 bytes in utf8mb4), so MySQL copies the table"
            ),
        },
        'op.alter_column("users", "code", existing_type=sa.String(50), type_=sa.String(100), existing_nullable=True)',
        'op.alter_column("users", "code", existing_type=sa.String(100), type_=sa.String(50), existing_nullable=True)',
    ),
    Case(
        "widen_varchar_above_63",
        {"postgresql": safe(PG_TYPE_SAFE), "mysql": safe(MYSQL_ABOVE_63)},
        'op.alter_column("users", "email", existing_type=sa.String(100), type_=sa.String(255), existing_nullable=True)',
        'op.alter_column("users", "email", existing_type=sa.String(255), type_=sa.String(100), existing_nullable=True)',
    ),
    Case(
        "varchar_to_text",
        {
            "postgresql": safe(PG_TYPE_SAFE),
            "mysql": danger(
                "strong_migrations, Changing the type of a column: only growing a string's limit is in place on MySQL; VARCHAR -> TEXT copies the table"
            ),
        },
        'op.alter_column("users", "bio", existing_type=sa.String(200), type_=sa.Text(), existing_nullable=True)',
        'op.alter_column("users", "bio", existing_type=sa.Text(), type_=sa.String(200), existing_nullable=True)',
    ),
    # ---- NOT NULL (strong_migrations; squawk adding-not-nullable-field, ban-drop-not-null) ----
    Case(
        "set_not_null",
        {
            "postgresql": danger(
                "strong_migrations, Setting NOT NULL on an existing column / squawk adding-not-nullable-field: every row checked, reads and writes blocked"
            )
        },
        'op.alter_column("users", "status", existing_type=sa.String(20), nullable=False)',
        'op.alter_column("users", "status", existing_type=sa.String(20), nullable=True)',
    ),
    Case(
        "not_null_check_not_valid",
        {
            "postgresql": safe(
                "strong_migrations, Setting NOT NULL, Good (step 1): a CHECK (... IS NOT NULL) added NOT VALID checks no rows"
            )
        },
        'op.create_check_constraint("users_phone_null", "users", "phone IS NOT NULL", postgresql_not_valid=True)',
        'op.drop_constraint("users_phone_null", "users", type_="check")',
    ),
    Case(
        "not_null_after_validated_check",
        {
            "postgresql": safe(
                "strong_migrations, Setting NOT NULL, Good (step 2): VALIDATE takes a light lock, then Postgres 12+ sets NOT NULL without a scan"
            )
        },
        """
        op.execute("ALTER TABLE users VALIDATE CONSTRAINT users_phone_null")
        op.alter_column("users", "phone", existing_type=sa.String(30), nullable=False)
        op.drop_constraint("users_phone_null", "users", type_="check")
        """,
        """
        op.create_check_constraint("users_phone_null", "users", "phone IS NOT NULL", postgresql_not_valid=True)
        op.alter_column("users", "phone", existing_type=sa.String(30), nullable=True)
        """,
    ),
    Case(
        "drop_not_null",
        {d: danger(DROP_NOT_NULL) for d in DIALECTS},
        'op.alter_column("users", "score", existing_type=sa.Integer(), nullable=True)',
        'op.alter_column("users", "score", existing_type=sa.Integer(), nullable=False)',
        variants={
            "sqlite": (
                _batch("users", 'batch_op.alter_column("score", existing_type=sa.Integer(), nullable=True)'),
                _batch("users", 'batch_op.alter_column("score", existing_type=sa.Integer(), nullable=False)'),
            )
        },
    ),
    # ---- Adding columns (squawk adding-required-field, adding-field-with-default; strong_migrations) ----
    Case(
        "add_required_column",
        {
            "postgresql": danger(
                "squawk adding-required-field: NOT NULL without a default fails on a table with rows"
            ),
            "mysql": danger(
                "squawk adding-required-field: rows silently get '' and the running code's INSERTs without it fail (strict mode)"
            ),
            "sqlite": danger(
                "squawk adding-required-field: SQLite refuses a NOT NULL column without a default (Cannot add a NOT NULL column)"
            ),
        },
        'op.add_column("users", sa.Column("country", sa.String(2), nullable=False))',
        'op.drop_column("users", "country")',
        variants={
            "sqlite": (
                _batch("users", 'batch_op.add_column(sa.Column("country", sa.String(2), nullable=False))'),
                _batch("users", 'batch_op.drop_column("country")'),
            )
        },
    ),
    Case(
        "add_nullable_column",
        {d: safe(ADD_NULLABLE) for d in DIALECTS},
        'op.add_column("users", sa.Column("middle_name", sa.String(50), nullable=True))',
        'op.drop_column("users", "middle_name")',
        variants={
            "sqlite": (
                _batch(
                    "users", 'batch_op.add_column(sa.Column("middle_name", sa.String(50), nullable=True))'
                ),
                _batch("users", 'batch_op.drop_column("middle_name")'),
            )
        },
    ),
    Case(
        "add_column_constant_default",
        {
            "postgresql": safe(
                "strong_migrations, Adding a column with a default value: safe in Postgres 11+ (squawk adding-field-with-default: non-volatile)"
            ),
            "mysql": safe(
                "strong_migrations, Adding a column with a default value: safe in MySQL 8.0.12+ (instant)"
            ),
            "sqlite": safe("SQLite's ALTER TABLE ADD COLUMN with a constant default changes only the schema"),
        },
        'op.add_column("users", sa.Column("plan", sa.String(20), nullable=False, server_default="free"))',
        'op.drop_column("users", "plan")',
        variants={
            "sqlite": (
                _batch(
                    "users",
                    'batch_op.add_column(sa.Column("plan", sa.String(20), nullable=False, server_default="free"))',
                ),
                _batch("users", 'batch_op.drop_column("plan")'),
            )
        },
    ),
    Case(
        "add_column_volatile_default",
        {
            "postgresql": danger(
                "strong_migrations, Adding a column with a volatile default value / squawk adding-field-with-default: gen_random_uuid() rewrites the table"
            )
        },
        'op.add_column("users", sa.Column("public_id", sa.Uuid(), nullable=False, server_default=sa.text("gen_random_uuid()")))',
        'op.drop_column("users", "public_id")',
    ),
    Case(
        "add_column_now_default",
        {
            "postgresql": safe(
                "PostgreSQL manual, ALTER TABLE: a non-volatile default is evaluated once and stored; now() is STABLE, so no rewrite (squawk adding-field-with-default allows it)"
            )
        },
        'op.add_column("users", sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()))',
        'op.drop_column("users", "seen_at")',
    ),
    Case(
        "add_json_column",
        {
            "postgresql": danger(
                "strong_migrations, Adding a json column: json has no equality operator, existing SELECT DISTINCT queries fail"
            )
        },
        'op.add_column("users", sa.Column("properties", sa.JSON(), nullable=True))',
        'op.drop_column("users", "properties")',
    ),
    Case(
        "add_jsonb_column",
        {"postgresql": safe("strong_migrations, Adding a json column, Good: use jsonb")},
        'op.add_column("users", sa.Column("settings", postgresql.JSONB(), nullable=True))',
        'op.drop_column("users", "settings")',
    ),
    Case(
        "add_auto_increment_column",
        {
            "postgresql": danger(AUTO_INCREMENT + " under an exclusive lock"),
            "mysql": danger(AUTO_INCREMENT + " (here MySQL drops Identity() and fills every row with 0)"),
            "sqlite": danger(
                AUTO_INCREMENT + " (SQLite cannot number existing rows: the NOT NULL column fails)"
            ),
        },
        'op.add_column("events", sa.Column("seq", sa.BigInteger(), sa.Identity(), nullable=False))',
        'op.drop_column("events", "seq")',
        variants={
            "sqlite": (
                _batch(
                    "events",
                    'batch_op.add_column(sa.Column("seq", sa.BigInteger(), sa.Identity(), nullable=False))',
                ),
                _batch("events", 'batch_op.drop_column("seq")'),
            )
        },
    ),
    Case(
        "add_stored_generated_column",
        {
            "postgresql": danger(
                "strong_migrations, Adding a stored generated column: the table is rewritten, reads and writes blocked"
            ),
            "mysql": danger(
                "strong_migrations, Adding a stored generated column: the table is rewritten, writes blocked"
            ),
        },
        'op.add_column("users", sa.Column("name_lower", sa.String(100), sa.Computed("lower(name)", persisted=True)))',
        'op.drop_column("users", "name_lower")',
    ),
    Case(
        "add_virtual_generated_column",
        {
            "mysql": safe(
                "strong_migrations, Adding a stored generated column, Good: a virtual generated column on MySQL and MariaDB"
            )
        },
        'op.add_column("users", sa.Column("name_upper", sa.String(100), sa.Computed("upper(name)", persisted=False)))',
        'op.drop_column("users", "name_upper")',
    ),
    Case(
        "backfill_in_same_revision",
        {
            "postgresql": danger(
                "strong_migrations, Backfilling data: the UPDATE runs in the transaction that altered the table, which stays locked"
            )
        },
        """
        op.add_column("users", sa.Column("display_name", sa.String(100), nullable=True))
        op.execute("UPDATE users SET display_name = name")
        """,
        'op.drop_column("users", "display_name")',
    ),
    # ---- Indexes (strong_migrations; squawk require-concurrent-index-*) ----
    Case(
        "create_index",
        {
            "postgresql": danger(
                "strong_migrations, Adding an index non-concurrently / squawk require-concurrent-index-creation: writes blocked"
            ),
            "mysql": safe(
                "MySQL manual, Online DDL: adding a secondary index is in place and permits concurrent DML"
            ),
        },
        'op.create_index("ix_users_name", "users", ["name"])',
        'op.drop_index("ix_users_name", table_name="users")',
    ),
    Case(
        "create_index_concurrently",
        {
            "postgresql": safe(
                "strong_migrations, Adding an index non-concurrently, Good / squawk require-concurrent-index-creation: CONCURRENTLY outside the transaction"
            )
        },
        """
        with op.get_context().autocommit_block():
            op.create_index("ix_users_email", "users", ["email"], postgresql_concurrently=True)
        """,
        """
        with op.get_context().autocommit_block():
            op.drop_index("ix_users_email", table_name="users", postgresql_concurrently=True)
        """,
    ),
    Case(
        "concurrent_index_in_transaction",
        {
            "postgresql": danger(
                "squawk ban-concurrent-index-creation-in-transaction / strong_migrations: without leaving the transaction the migration fails"
            )
        },
        'op.create_index("ix_users_age", "users", ["age"], postgresql_concurrently=True)',
        'op.drop_index("ix_users_age", table_name="users")',
    ),
    Case(
        "raw_sql_create_index",
        {
            "postgresql": danger(
                "strong_migrations, Adding an index non-concurrently / squawk require-concurrent-index-creation (written as raw SQL)"
            )
        },
        'op.execute("CREATE INDEX ix_users_score ON users (score)")',
        'op.execute("DROP INDEX ix_users_score")',
    ),
    Case(
        "raw_sql_create_index_concurrently",
        {
            "postgresql": safe(
                "strong_migrations / squawk require-concurrent-index-creation: CONCURRENTLY outside the transaction (written as raw SQL)"
            )
        },
        """
        with op.get_context().autocommit_block():
            op.execute("CREATE INDEX CONCURRENTLY ix_users_phone ON users (phone)")
        """,
        """
        with op.get_context().autocommit_block():
            op.execute("DROP INDEX CONCURRENTLY ix_users_phone")
        """,
    ),
    Case(
        "drop_index",
        {
            "postgresql": danger(
                "squawk require-concurrent-index-deletion: DROP INDEX takes an ACCESS EXCLUSIVE lock on the table (strong_migrations makes this check opt-in)"
            ),
            "mysql": safe(
                "MySQL manual, Online DDL: dropping a secondary index is in place, concurrent DML permitted"
            ),
        },
        'op.drop_index("ix_orders_user_id", table_name="orders")',
        'op.create_index("ix_orders_user_id", "orders", ["user_id"])',
    ),
    Case(
        "drop_index_concurrently",
        {"postgresql": safe("squawk require-concurrent-index-deletion: DROP INDEX CONCURRENTLY")},
        """
        with op.get_context().autocommit_block():
            op.drop_index("ix_orders_note", table_name="orders", postgresql_concurrently=True)
        """,
        """
        with op.get_context().autocommit_block():
            op.create_index("ix_orders_note", "orders", ["note"], postgresql_concurrently=True)
        """,
    ),
    # ---- Constraints (strong_migrations; squawk constraint-missing-not-valid, adding-foreign-key-constraint,
    # disallowed-unique-constraint) ----
    Case(
        "add_foreign_key",
        {
            "postgresql": danger(
                "strong_migrations, Adding a foreign key / squawk adding-foreign-key-constraint: writes blocked on both tables"
            ),
            "mysql": danger(
                "MySQL manual, Online DDL: ADD FOREIGN KEY copies the table unless foreign_key_checks is off"
            ),
        },
        'op.create_foreign_key("fk_users_account_id", "users", "accounts", ["account_id"], ["id"])',
        'op.drop_constraint("fk_users_account_id", "users", type_="foreignkey")',
    ),
    Case(
        "add_foreign_key_not_valid",
        {
            "postgresql": safe(
                "strong_migrations, Adding a foreign key, Good / squawk constraint-missing-not-valid: NOT VALID checks no rows"
            )
        },
        'op.create_foreign_key("fk_orders_user_id", "orders", "users", ["user_id"], ["id"], postgresql_not_valid=True)',
        'op.drop_constraint("fk_orders_user_id", "orders", type_="foreignkey")',
    ),
    Case(
        "validate_foreign_key",
        {
            "postgresql": safe(
                "strong_migrations, Adding a foreign key, Good: VALIDATE in a separate migration takes a light lock"
            )
        },
        'op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_user_id")',
        "pass  # a validated constraint stays valid",
    ),
    Case(
        "add_column_with_foreign_key",
        {
            "postgresql": danger(
                "strong_migrations, Adding a foreign key (add_reference foreign_key: true) / squawk adding-foreign-key-constraint"
            ),
            "mysql": danger(
                "MySQL manual, Online DDL: ADD FOREIGN KEY copies the table unless foreign_key_checks is off"
            ),
        },
        'op.add_column("orders", sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=True))',
        'op.drop_column("orders", "account_id")',
    ),
    Case(
        "add_reference",
        {
            "postgresql": danger(
                "strong_migrations, Adding a reference: its index is built non-concurrently, writes blocked"
            ),
            "mysql": safe(
                "MySQL manual, Online DDL: a nullable column and a secondary index are both added in place"
            ),
        },
        """
        op.add_column("orders", sa.Column("city_id", sa.Integer(), nullable=True))
        op.create_index("ix_orders_city_id", "orders", ["city_id"])
        """,
        """
        op.drop_index("ix_orders_city_id", table_name="orders")
        op.drop_column("orders", "city_id")
        """,
    ),
    Case(
        "add_reference_concurrently",
        {
            "postgresql": safe(
                "strong_migrations, Adding a reference, Good: the index built concurrently outside the transaction"
            )
        },
        """
        op.add_column("orders", sa.Column("coupon_id", sa.Integer(), nullable=True))
        with op.get_context().autocommit_block():
            op.create_index("ix_orders_coupon_id", "orders", ["coupon_id"], postgresql_concurrently=True)
        """,
        """
        with op.get_context().autocommit_block():
            op.drop_index("ix_orders_coupon_id", table_name="orders", postgresql_concurrently=True)
        op.drop_column("orders", "coupon_id")
        """,
    ),
    Case(
        "add_check_constraint",
        {
            "postgresql": danger(
                "strong_migrations, Adding a check constraint / squawk constraint-missing-not-valid: reads and writes blocked while every row is checked"
            ),
            "mysql": danger(
                "strong_migrations, Adding a check constraint: MySQL blocks writes while every row is checked"
            ),
        },
        'op.create_check_constraint("ck_users_age_positive", "users", "age >= 0")',
        'op.drop_constraint("ck_users_age_positive", "users", type_="check")',
    ),
    Case(
        "add_check_constraint_not_valid",
        {
            "postgresql": safe(
                "strong_migrations, Adding a check constraint, Good - Postgres / squawk constraint-missing-not-valid: NOT VALID"
            )
        },
        'op.create_check_constraint("ck_users_score_positive", "users", "score >= 0", postgresql_not_valid=True)',
        'op.drop_constraint("ck_users_score_positive", "users", type_="check")',
    ),
    Case(
        "validate_check_constraint",
        {
            "postgresql": safe(
                "strong_migrations, Adding a check constraint, Good - Postgres: VALIDATE in a separate migration"
            )
        },
        'op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_users_score_positive")',
        "pass  # a validated constraint stays valid",
    ),
    Case(
        "add_unique_constraint",
        {
            "postgresql": danger(
                "strong_migrations, Adding a unique constraint / squawk disallowed-unique-constraint: its index is built with reads and writes blocked"
            )
        },
        'op.create_unique_constraint("uq_users_email", "users", ["email"])',
        'op.drop_constraint("uq_users_email", "users", type_="unique")',
    ),
    Case(
        "unique_constraint_using_index",
        {
            "postgresql": safe(
                "strong_migrations, Adding a unique constraint, Good / squawk disallowed-unique-constraint: unique index CONCURRENTLY, then USING INDEX"
            )
        },
        """
        with op.get_context().autocommit_block():
            op.create_index("uq_users_nickname", "users", ["nickname"], unique=True, postgresql_concurrently=True)
            op.execute("ALTER TABLE users ADD CONSTRAINT uq_users_nickname UNIQUE USING INDEX uq_users_nickname")
        """,
        'op.drop_constraint("uq_users_nickname", "users", type_="unique")',
    ),
    # ---- A new table ----
    Case(
        "create_table",
        {d: safe(NEW_TABLE) for d in DIALECTS},
        """
        op.create_table(
            "coupons",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
            sa.Column("code", sa.String(40), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False, server_default=sa.func.now()),
            sa.UniqueConstraint("code", name="uq_coupons_code"),
        )
        op.create_index("ix_coupons_user_id", "coupons", ["user_id"])
        """,
        'op.drop_table("coupons")',
    ),
)

CASES_BY_NAME = {case.name: case for case in CASES}


def cases_for(dialect: str) -> list[Case]:
    return [case for case in CASES if dialect in case.truth]


def revision_id(case_name: str) -> str:
    """A revision's id: its case's number in CASES (000 for the first revision) and its name."""
    if case_name == BASE_NAME:
        return f"000_{BASE_NAME}"
    return f"{list(CASES_BY_NAME).index(case_name) + 1:03d}_{case_name}"


def case_name(revision_or_path: str) -> str | None:
    """The case of a revision id or of a revision file's path; None for the first revision or another file."""
    stem = Path(revision_or_path).stem
    number, _, name = stem.partition("_")
    if not number.isdigit() or name not in CASES_BY_NAME:
        return None
    return name


def _indented(body: str) -> str:
    return textwrap.indent(textwrap.dedent(body).strip(), "    ")


def revision_text(name: str, message: str, down: str | None, upgrade: str, downgrade: str) -> str:
    revision = revision_id(name)
    extra = "from sqlalchemy.dialects import postgresql\n" if "postgresql." in upgrade + downgrade else ""
    return REVISION.format(
        message=message,
        revision=revision,
        down_revision=down or "",
        down_revision_literal=f'"{down}"' if down else "None",
        extra_imports=extra,
        upgrade=_indented(upgrade),
        downgrade=_indented(downgrade),
    )


@dataclass(frozen=True)
class Project:
    dialect: str
    root: Path
    ini: Path
    # revision id -> file, in upgrade order (the first revision first)
    revisions: dict[str, Path]
    cases: list[Case]

    @property
    def versions(self) -> Path:
        return self.root / "migrations" / "versions"


def write_project(root: Path, dialect: str) -> Project:
    """A tiny Alembic project for `dialect` under `root`: the first revision, then every case."""
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    ini = root / "alembic.ini"
    ini.write_text(ALEMBIC_INI.format(url=URLS[dialect]))
    (root / "migrations" / "env.py").write_text(ENV_PY.format(render_as_batch=dialect == "sqlite"))
    (root / "migrations" / "script.py.mako").write_text(SCRIPT_MAKO)
    (root / ".squawk.toml").write_text(
        "excluded_rules = [\n" + "".join(f'    "{rule}",\n' for rule in SQUAWK_EXCLUDED) + "]\n"
    )
    revisions: dict[str, Path] = {}
    down: str | None = None
    for name, message, (upgrade, downgrade) in [
        (BASE_NAME, "the tables the cases change", (BASE_UPGRADE, BASE_DOWNGRADE))
    ] + [(case.name, case.name.replace("_", " "), case.bodies(dialect)) for case in cases_for(dialect)]:
        revision = revision_id(name)
        path = versions / f"{revision}.py"
        path.write_text(revision_text(name, message, down, upgrade, downgrade))
        revisions[revision] = path
        down = revision
    return Project(dialect, root, ini, revisions, cases_for(dialect))
