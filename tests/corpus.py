"""The guard corpus: model changes, each with the verdict a named authority gives it.

Every case is a `before` and an `after` model set (the body of models.py:
`sa.Table(..., metadata, ...)` statements), rows seeded into the `before`
tables that the change would hit, and the verdict the guards must give:

- "allow": the revision is written with no review line;
- "review": written, with a `Review:` line containing `message`;
- "refuse": no file, the message names the problem, and `override` (the
  `-x` arguments that allow it) writes the file;
- "empty": the database cannot hold the change (SQLite has no comments), so
  autogenerate sees nothing and refuses the empty revision.

A verdict or message may differ per database: a dict keyed by backend.
`rows`: what the table holds after `upgrade head` (default: the seeded rows,
for the columns that still exist). `upgrade`: "ok", or "fails" where the
review line itself says the upgrade fails on such rows.

Authorities: strong_migrations (its README's check headings), squawk (rule
names), Django (MigrationQuestioner methods asked by makemigrations).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

ALLOW_DESTRUCTIVE = ("allow_destructive=true",)


def items(*columns: str, name: str = "items", extra: str = "") -> str:
    """A table with a plain integer primary key (seeded ids stay as given) and `columns`."""
    body = ", ".join(['sa.Column("id", sa.Integer, primary_key=True, autoincrement=False)', *columns])
    return f'{name} = sa.Table("{name}", metadata, {body}{extra})\n'


def col(name: str, type_: str, *options: str) -> str:
    return ", ".join([f'sa.Column("{name}", {type_}', *options]) + ")"


def rows(*values, key: str = "v") -> list[dict]:
    return [{"id": number, key: value} for number, value in enumerate(values, start=1)]


@dataclass(frozen=True)
class Case:
    name: str
    authority: str
    before: str
    after: str
    verdict: str | dict[str, str]
    message: str | dict[str, str] = ""
    seed: dict[str, list[dict]] = field(default_factory=dict)
    x: tuple[str, ...] = ()
    override: tuple[str, ...] | None = ALLOW_DESTRUCTIVE
    upgrade: str = "ok"
    rows: dict[str, list[dict]] | None = None
    # A refusal whose override is itself the safe form (a rename): upgrade it and check the rows.
    upgrade_override: bool = False
    # SQL that `upgrade head --sql` must print before the table's ALTER (servers: SQLite's batch
    # copy needs the live table).
    offline: str = ""
    # Cases about the command line alone, not the database, run on SQLite only.
    backends: tuple[str, ...] = ("sqlite", "postgresql", "mysql")

    def verdict_on(self, backend: str) -> str:
        return self.verdict[backend] if isinstance(self.verdict, dict) else self.verdict

    def message_on(self, backend: str) -> str:
        return self.message.get(backend, "") if isinstance(self.message, dict) else self.message


V = "v"  # the column most cases change
NULLABLE = "nullable=True"
NOT_NULL = "nullable=False"
PER_DB_REWRITE = {"sqlite": "allow", "postgresql": "review", "mysql": "review"}
REWRITE_MESSAGE = {"postgresql": "rewrites the whole table", "mysql": "copies the whole table"}
TYPES_NARROWED = "narrow type"
COMMAND_LINE_ONLY = ("sqlite",)
WITH_OLD = items(col(V, "sa.String(20)"), col("old", "sa.String(20)", NULLABLE))
WITHOUT_OLD = items(col(V, "sa.String(20)"))

CASES = [
    # ---- ordinary growth: never refused ---------------------------------------------------
    Case(
        "add_nullable_column",
        "django: ask_not_null_addition is not asked for a nullable field",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.String(20)"), col("note", "sa.String(50)", NULLABLE)),
        "allow",
        seed={"items": rows("a", "b")},
    ),
    Case(
        "new_table_with_fk_and_index",
        "squawk: adding-foreign-key-constraint / require-concurrent-index-creation do not apply to a new table",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.String(20)"))
        + 'orders = sa.Table("orders", metadata, sa.Column("id", sa.Integer, primary_key=True), '
        'sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), index=True, nullable=False))\n',
        "allow",
        seed={"items": rows("a")},
    ),
    Case(
        "new_table_with_not_null_columns",
        "squawk: adding-required-field applies to existing tables only",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.String(20)")) + items(col("code", "sa.String(8)", NOT_NULL), name="codes"),
        "allow",
        seed={"items": rows("a")},
    ),
    Case(
        "widen_string",
        "strong_migrations: Changing the type of a column (increasing a varchar's length is safe)",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.String(40)")),
        "allow",
        seed={"items": rows("x" * 20)},
    ),
    Case(
        "widen_string_past_255_bytes",
        "strong_migrations: Changing the type of a column (MySQL: past 255 bytes the table is copied)",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.String(100)")),
        {"sqlite": "allow", "postgresql": "allow", "mysql": "review"},
        {"mysql": "copies the whole table"},
        seed={"items": rows("x" * 20)},
    ),
    Case(
        "string_to_text",
        "strong_migrations: Changing the type of a column (varchar to text is safe on PostgreSQL)",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.Text")),
        {"sqlite": "allow", "postgresql": "allow", "mysql": "review"},
        {"mysql": "copies the whole table"},
        seed={"items": rows("x" * 20)},
    ),
    Case(
        "add_server_default",
        "strong_migrations: Changing the default value of a column (safe)",
        items(col(V, "sa.String(20)", NULLABLE)),
        items(col(V, "sa.String(20)", NULLABLE, "server_default='new'")),
        "allow",
        seed={"items": rows("a", None)},
    ),
    Case(
        "add_not_null_column_with_server_default",
        "strong_migrations: Adding a column with a default value (safe since PostgreSQL 11)",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.String(20)"), col("state", "sa.String(10)", NOT_NULL, "server_default='new'")),
        "allow",
        seed={"items": rows("a", "b")},
        rows={"items": [{"id": 1, V: "a", "state": "new"}, {"id": 2, V: "b", "state": "new"}]},
    ),
    Case(
        "add_enum_value",
        "squawk: require-enum-value-ordering (a value appended at the end is safe)",
        items(col(V, 'sa.Enum("draft", "posted", name="state")')),
        items(col(V, 'sa.Enum("draft", "posted", "closed", name="state")')),
        # SQLite stores a non-native Enum as VARCHAR(6) with no CHECK: nothing to change there.
        {"sqlite": "empty", "postgresql": "allow", "mysql": "allow"},
        {"sqlite": "No schema change detected"},
        seed={"items": rows("draft", "posted")},
    ),
    Case(
        "add_column_comment",
        "squawk: no rule (COMMENT ON is metadata only)",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.String(20)", "comment='what the item is called'")),
        {"sqlite": "empty", "postgresql": "allow", "mysql": "allow"},
        {"sqlite": "No schema change detected"},
        seed={"items": rows("a")},
    ),
    Case(
        "new_table_only",
        "django: ask_initial (a new model is always safe)",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.String(20)")) + items(col("label", "sa.String(20)"), name="tags"),
        "allow",
        seed={"items": rows("a")},
    ),
    Case(
        "float53_stays_double",
        "strong_migrations: Changing the type of a column (no change: MySQL stores Float(53) as DOUBLE)",
        items(col(V, "sa.Float(precision=53)")),
        items(col(V, "sa.Float(precision=53)"), col("note", "sa.String(10)", NULLABLE)),
        "allow",
        seed={"items": rows(1.25)},
    ),
    Case(
        "bigint_to_string_20_fits",
        "strong_migrations: Changing the type of a column (every BIGINT fits in 20 characters)",
        items(col(V, "sa.BigInteger")),
        items(col(V, "sa.String(20)")),
        PER_DB_REWRITE,
        REWRITE_MESSAGE,
        seed={"items": rows(-(2**63), 2**63 - 1)},
        # Not PostgreSQL: its autogenerated downgrade (VARCHAR -> BIGINT) needs `postgresql_using`,
        # which Alembic's autogenerate cannot render; such a revision must be edited by hand.
        backends=("sqlite", "mysql"),
    ),
    Case(
        "integer_to_float53",
        "strong_migrations: Changing the type of a column (every INTEGER fits a double exactly)",
        items(col(V, "sa.Integer")),
        items(col(V, "sa.Float(precision=53)")),
        PER_DB_REWRITE,
        REWRITE_MESSAGE,
        seed={"items": rows(2**31 - 1)},
    ),
    # ---- availability: written, with a review line ----------------------------------------
    Case(
        "integer_to_bigint",
        "squawk: changing-column-type (PostgreSQL rewrites the table)",
        items(col(V, "sa.Integer")),
        items(col(V, "sa.BigInteger")),
        PER_DB_REWRITE,
        REWRITE_MESSAGE,
        seed={"items": rows(2**31 - 1)},
    ),
    Case(
        "smallint_to_integer",
        "squawk: changing-column-type",
        items(col(V, "sa.SmallInteger")),
        items(col(V, "sa.Integer")),
        PER_DB_REWRITE,
        REWRITE_MESSAGE,
        seed={"items": rows(-(2**15))},
    ),
    Case(
        "numeric_widened",
        "strong_migrations: Changing the type of a column (more integer digits and scale)",
        items(col(V, "sa.Numeric(10, 2)")),
        items(col(V, "sa.Numeric(12, 4)")),
        PER_DB_REWRITE,
        REWRITE_MESSAGE,
        seed={"items": rows(Decimal("12345678.91"))},
    ),
    Case(
        "integer_to_numeric_that_fits",
        "strong_migrations: Changing the type of a column",
        items(col(V, "sa.Integer")),
        items(col(V, "sa.Numeric(12, 2)")),
        PER_DB_REWRITE,
        REWRITE_MESSAGE,
        seed={"items": rows(2**31 - 1)},
    ),
    Case(
        "drop_not_null",
        "squawk: ban-drop-not-null",
        items(col(V, "sa.String(20)", NOT_NULL)),
        items(col(V, "sa.String(20)", NULLABLE)),
        "review",
        "drop NOT NULL",
        seed={"items": rows("a")},
    ),
    Case(
        "index_on_existing_table",
        "squawk: require-concurrent-index-creation / strong_migrations: Adding an index non-concurrently",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.String(20)", "index=True")),
        # PostgreSQL: written CONCURRENTLY (migrations.online_ddl), nothing left to review.
        "allow",
        seed={"items": rows("a", "a")},
    ),
    Case(
        "unique_on_existing_column",
        "squawk: disallowed-unique-constraint / strong_migrations: Adding a unique constraint",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.String(20)", "unique=True")),
        # PostgreSQL: the unique index built CONCURRENTLY, then USING INDEX (online DDL); the
        # duplicates are counted first (rows-break-constraint): nothing left to review there.
        {"sqlite": "review", "postgresql": "allow", "mysql": "review"},
        "fails if existing rows have duplicates",
        seed={"items": rows("a", "b")},
    ),
    Case(
        # The database autogenerate compares against holds the duplicates: refused with their count
        # and the query that lists them, whatever -x says (the upgrade would fail).
        "unique_on_existing_column_with_duplicates",
        "squawk: disallowed-unique-constraint / strong_migrations: Adding a unique constraint",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.String(20)", "unique=True")),
        "refuse",
        "unique uq_items_v: 2 existing row(s) break it",
        seed={"items": rows("a", "a", "b")},
        override=None,
    ),
    Case(
        "foreign_key_over_orphan_rows",
        "strong_migrations: Adding a foreign key (every row is checked: an orphan fails it)",
        items(col(V, "sa.String(20)")) + items(col("item_id", "sa.Integer", NULLABLE), name="notes"),
        items(col(V, "sa.String(20)"))
        + items(col("item_id", 'sa.Integer, sa.ForeignKey("items.id")', NULLABLE), name="notes"),
        "refuse",
        "foreign key fk_notes_item_id_items: 1 existing row(s) break it",
        seed={"items": rows("a"), "notes": [{"id": 1, "item_id": 1}, {"id": 2, "item_id": 7}]},
        override=None,
    ),
    Case(
        "not_null_over_null_rows",
        "django: ask_not_null_alteration / strong_migrations: Setting NOT NULL on an existing column",
        items(col(V, "sa.String(20)", NULLABLE)),
        items(col(V, "sa.String(20)", NOT_NULL)),
        "refuse",
        "NOT NULL on items.v: 1 existing row(s) break it",
        seed={"items": rows("a", None)},
        override=None,
    ),
    Case(
        "unique_index_on_existing_table",
        "strong_migrations: Adding an index non-concurrently (unique)",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.String(20)"), extra=', sa.Index("ix_items_v_unique", "v", unique=True)'),
        # PostgreSQL: the unique index built CONCURRENTLY, then USING INDEX (online DDL); the
        # duplicates are counted first (rows-break-constraint): nothing left to review there.
        {"sqlite": "review", "postgresql": "allow", "mysql": "review"},
        "fails if existing rows have duplicates",
        seed={"items": rows("a", "b")},
    ),
    Case(
        "foreign_key_on_existing_table",
        "squawk: constraint-missing-not-valid / strong_migrations: Adding a foreign key",
        items(col(V, "sa.String(20)")) + items(col("item_id", "sa.Integer", NULLABLE), name="notes"),
        items(col(V, "sa.String(20)"))
        + items(col("item_id", 'sa.Integer, sa.ForeignKey("items.id")', NULLABLE), name="notes"),
        # PostgreSQL: written NOT VALID, then VALIDATE (migrations.online_ddl).
        {"sqlite": "review", "postgresql": "allow", "mysql": "review"},
        {"sqlite": "batch mode copies the whole table to add it", "mysql": "(ALGORITHM=COPY)"},
        seed={"items": rows("a"), "notes": [{"id": 1, "item_id": 1}]},
    ),
    Case(
        # Was a PostgreSQL review (volatile-default-rewrites-table) until now() left the volatile list:
        # now() is STABLE, so PostgreSQL 11+ evaluates it once for the ALTER and stores that value,
        # with no rewrite (the PostgreSQL manual, ALTER TABLE ... ADD COLUMN; squawk's
        # adding-field-with-default allows it; only a volatile default such as gen_random_uuid()
        # rewrites, strong_migrations: Adding a column with a volatile default value).
        "now_default_on_existing_table",
        "squawk: adding-field-with-default (now() is STABLE, not volatile: no table rewrite)",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.String(20)"), col("seen", "sa.DateTime", NULLABLE, "server_default=sa.func.now()")),
        "allow",
        seed={"items": rows("a")},
    ),
    Case(
        # PostgreSQL: written CONCURRENTLY (online DDL), no lock; MySQL/MariaDB drop it in place,
        # SQLite at once. Only a plain DROP INDEX on PostgreSQL is reviewed (postgresql_safe_ddl=false).
        "drop_index",
        "squawk: require-concurrent-index-deletion",
        items(col(V, "sa.String(20)", "index=True")),
        items(col(V, "sa.String(20)")),
        "allow",
        seed={"items": rows("a")},
    ),
    Case(
        "not_null_on_column_with_server_default",
        "django: ask_not_null_alteration (the NULL rows get the default first)",
        items(col(V, "sa.String(20)", NULLABLE, "server_default='new'")),
        items(col(V, "sa.String(20)", NOT_NULL, "server_default='new'")),
        "review",
        "first sets the rows that are NULL to the default",
        seed={"items": rows("a", None)},
        rows={"items": rows("a", "new")},
        offline="UPDATE items SET v = ",
    ),
    Case(
        "not_null_and_server_default_together",
        "django: ask_not_null_alteration (a default given in the same change)",
        items(col(V, "sa.Integer", NULLABLE)),
        items(col(V, "sa.Integer", NOT_NULL, "server_default=sa.text('0')")),
        "review",
        "first sets the rows that are NULL to the default",
        seed={"items": rows(7, None)},
        rows={"items": rows(7, 0)},
        offline="UPDATE items SET v = ",
    ),
    # ---- refused: data lost or rows that fail ------------------------------------------------
    Case(
        "drop_column",
        "squawk: ban-drop-column / strong_migrations: Removing a column",
        WITH_OLD,
        WITHOUT_OLD,
        "refuse",
        "items.old: drop column",
        seed={"items": rows("a")},
    ),
    Case(
        "drop_table",
        "squawk: ban-drop-table",
        items(col(V, "sa.String(20)")) + items(col("label", "sa.String(20)"), name="tags"),
        items(col(V, "sa.String(20)")),
        "refuse",
        "tags: drop table",
        seed={"tags": rows("a", key="label")},
    ),
    *(
        Case(
            f"allow_destructive_{word}_does_not_allow",
            f"squawk: ban-drop-column (an override spelled {word} allows nothing)",
            WITH_OLD,
            WITHOUT_OLD,
            "refuse",
            "items.old: drop column",
            x=(f"allow_destructive={word}",),
            backends=COMMAND_LINE_ONLY,
        )
        for word in ("false", "0", "no")
    ),
    Case(
        "allow_destructive_maybe_is_not_understood",
        "squawk: ban-drop-column (an unreadable override is an error)",
        WITH_OLD,
        WITHOUT_OLD,
        "refuse",
        "-x allow_destructive=maybe is not understood",
        x=("allow_destructive=maybe",),
        backends=COMMAND_LINE_ONLY,
    ),
    Case(
        "rename_column",
        "strong_migrations: Renaming a column / django: ask_rename",
        items(col("fullname", "sa.String(40)")),
        items(col("name", "sa.String(40)")),
        "refuse",
        'op.alter_column("items", "fullname", new_column_name="name")',
        seed={"items": rows("Ada", key="fullname")},
        override=("rename=items.fullname:name",),
        upgrade_override=True,
        rows={"items": rows("Ada", key="name")},
    ),
    Case(
        "rename_two_columns",
        "squawk: renaming-column",
        items(col("a", "sa.String(10)"), col("b", "sa.Integer", NULLABLE)),
        items(col("a2", "sa.String(10)"), col("b2", "sa.Integer", NULLABLE)),
        "refuse",
        "-x rename=items.a:a2",
        seed={"items": [{"id": 1, "a": "x", "b": 5}]},
        override=("rename=items.a:a2,items.b:b2",),
        upgrade_override=True,
        rows={"items": [{"id": 1, "a2": "x", "b2": 5}]},
    ),
    Case(
        "rename_table",
        "strong_migrations: Renaming a table / django: ask_rename_model",
        items(col(V, "sa.String(20)"), name="goods"),
        items(col(V, "sa.String(20)"), name="products"),
        "refuse",
        'op.rename_table("goods", "products")',
        seed={"goods": rows("a", "b")},
        override=("rename=goods:products",),
        upgrade_override=True,
        rows={"products": rows("a", "b")},
    ),
    Case(
        "rename_that_matches_nothing",
        "squawk: renaming-column (a rename the revision does not contain)",
        items(col("fullname", "sa.String(40)")),
        items(col("name", "sa.String(40)")),
        "refuse",
        "-x rename=items.nickname:name matches nothing",
        x=("rename=items.nickname:name",),
        override=("rename=items.fullname:name",),
        backends=COMMAND_LINE_ONLY,
    ),
    Case(
        "rename_not_understood",
        "squawk: renaming-column (an unreadable rename is an error)",
        items(col("fullname", "sa.String(40)")),
        items(col("name", "sa.String(40)")),
        "refuse",
        "-x rename=fullname is not understood",
        x=("rename=fullname",),
        override=("rename=items.fullname:name",),
        backends=COMMAND_LINE_ONLY,
    ),
    Case(
        "not_null_without_default",
        "django: ask_not_null_alteration / strong_migrations: Setting NOT NULL on an existing column",
        items(col(V, "sa.String(20)", NULLABLE)),
        items(col(V, "sa.String(20)", NOT_NULL)),
        "refuse",
        "items.v: set NOT NULL without a server default",
        # No NULL here: another database may have some (with one here: not_null_over_null_rows).
        seed={"items": rows("a", "b")},
    ),
    Case(
        "add_not_null_column_without_default",
        "django: ask_not_null_addition / squawk: adding-required-field",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.String(20)"), col("code", "sa.String(8)", NOT_NULL)),
        "refuse",
        "items.code: add NOT NULL column without a server default",
        seed={"items": rows("a")},
    ),
    Case(
        "integer_to_smallint",
        "strong_migrations: Changing the type of a column / squawk: changing-column-type",
        items(col(V, "sa.Integer")),
        items(col(V, "sa.SmallInteger")),
        "refuse",
        TYPES_NARROWED,
        seed={"items": rows(100_000)},
    ),
    Case(
        "bigint_to_integer",
        "strong_migrations: Changing the type of a column",
        items(col(V, "sa.BigInteger")),
        items(col(V, "sa.Integer")),
        "refuse",
        TYPES_NARROWED,
        seed={"items": rows(2**40)},
    ),
    Case(
        "numeric_fewer_integer_digits",
        "strong_migrations: Changing the type of a column (Numeric(10,2) -> Numeric(10,4): 8 -> 6 digits)",
        items(col(V, "sa.Numeric(10, 2)")),
        items(col(V, "sa.Numeric(10, 4)")),
        "refuse",
        TYPES_NARROWED,
        seed={"items": rows(Decimal("12345678.91"))},
    ),
    Case(
        "numeric_smaller_scale",
        "strong_migrations: Changing the type of a column (decreasing scale)",
        items(col(V, "sa.Numeric(10, 4)")),
        items(col(V, "sa.Numeric(10, 2)")),
        "refuse",
        TYPES_NARROWED,
        seed={"items": rows(Decimal("1.2345"))},
    ),
    Case(
        "numeric_to_integer",
        "strong_migrations: Changing the type of a column",
        items(col(V, "sa.Numeric(10, 2)")),
        items(col(V, "sa.Integer")),
        "refuse",
        TYPES_NARROWED,
        seed={"items": rows(Decimal("1.50"))},
    ),
    Case(
        "integer_to_short_string",
        "strong_migrations: Changing the type of a column (Integer -> String(5))",
        items(col(V, "sa.Integer")),
        items(col(V, "sa.String(5)")),
        "refuse",
        TYPES_NARROWED,
        seed={"items": rows(1_234_567)},
    ),
    Case(
        "bigint_to_string_19",
        "strong_migrations: Changing the type of a column (BIGINT needs 20 characters)",
        items(col(V, "sa.BigInteger")),
        items(col(V, "sa.String(19)")),
        "refuse",
        TYPES_NARROWED,
        seed={"items": rows(-(2**63))},
    ),
    Case(
        "text_to_string",
        "strong_migrations: Changing the type of a column",
        items(col(V, "sa.Text")),
        items(col(V, "sa.String(50)")),
        "refuse",
        TYPES_NARROWED,
        seed={"items": rows("x" * 80)},
    ),
    Case(
        "shorter_string",
        "strong_migrations: Changing the type of a column",
        items(col(V, "sa.String(100)")),
        items(col(V, "sa.String(10)")),
        "refuse",
        TYPES_NARROWED,
        seed={"items": rows("x" * 60)},
    ),
    Case(
        "string_to_integer",
        "squawk: changing-column-type",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.Integer")),
        "refuse",
        TYPES_NARROWED,
        seed={"items": rows("not a number")},
    ),
    Case(
        "double_to_real",
        "strong_migrations: Changing the type of a column (fewer mantissa bits)",
        items(col(V, "sa.Double")),
        items(col(V, "sa.REAL")),
        "refuse",
        TYPES_NARROWED,
        seed={"items": rows(0.1)},
    ),
    Case(
        "datetime_to_date",
        "strong_migrations: Changing the type of a column",
        items(col(V, "sa.DateTime")),
        items(col(V, "sa.Date")),
        "refuse",
        TYPES_NARROWED,
        seed={"items": rows(datetime.datetime(2024, 5, 1, 12, 30))},
    ),
    Case(
        "enum_value_removed",
        "squawk: changing-column-type (rows holding the removed value fail)",
        items(col(V, 'sa.Enum("draft", "posted", "closed", name="state")')),
        items(col(V, 'sa.Enum("draft", "posted", name="state")')),
        "refuse",
        TYPES_NARROWED,
        seed={"items": rows("draft", "closed")},
    ),
    Case(
        "enum_value_replaced",
        "squawk: changing-column-type (a value renamed is a value removed: rows holding it fail)",
        items(col(V, 'sa.Enum("draft", "posted", "closed", name="state")')),
        items(col(V, 'sa.Enum("draft", "posted", "done", name="state")')),
        "refuse",
        TYPES_NARROWED,
        seed={"items": rows("draft", "closed")},
    ),
    Case(
        "index_without_columns",
        "squawk: syntax-error (CREATE INDEX with no columns)",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.String(20)"), extra=', sa.Index("ix_items_nothing")'),
        "refuse",
        "Index ix_items_nothing on table items has no columns",
        override=None,
    ),
    Case(
        "stored_generated_column_on_existing_table",
        "strong_migrations: Adding a stored generated column",
        items(col(V, "sa.String(20)")),
        items(
            col(V, "sa.String(20)"),
            col("v_upper", "sa.String(20)", 'sa.Computed("upper(v)", persisted=True)'),
        ),
        # SQLite: batch mode copies the table (ALTER TABLE cannot add a STORED column).
        PER_DB_REWRITE,
        {"postgresql": "rewriting the whole table", "mysql": "copy the whole table to compute it"},
        seed={"items": rows("a", "b")},
    ),
    Case(
        "virtual_generated_column_on_existing_table",
        "strong_migrations: Adding a stored generated column (a virtual one is added in place)",
        items(col(V, "sa.String(20)")),
        items(
            col(V, "sa.String(20)"),
            col("v_upper", "sa.String(20)", 'sa.Computed("upper(v)", persisted=False)'),
        ),
        "allow",
        seed={"items": rows("a", "b")},
        backends=("sqlite", "mysql"),  # PostgreSQL has stored generated columns only
    ),
    Case(
        "identity_column_on_existing_table",
        "strong_migrations: Adding an auto-incrementing column",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.String(20)"), col("seq", "sa.Integer", "sa.Identity()", NOT_NULL)),
        {"sqlite": "refuse", "postgresql": "review", "mysql": "refuse"},
        {
            "sqlite": "only PostgreSQL numbers the existing rows",
            "postgresql": "numbers every existing row, rewriting the whole table",
            "mysql": "only PostgreSQL numbers the existing rows",
        },
        seed={"items": rows("a", "b")},
    ),
    Case(
        "unique_column_with_a_default_on_existing_table",
        "django: ask_unique_callable_default_addition",
        items(col(V, "sa.String(20)")),
        items(
            col(V, "sa.String(20)"),
            col("code", "sa.String(20)", NOT_NULL, 'server_default="x"', "unique=True"),
        ),
        "refuse",
        "every existing row gets the same value",
        seed={"items": rows("a", "b")},
    ),
    Case(
        "unique_nullable_column_on_existing_table",
        "django: ask_unique_callable_default_addition (NULLs never collide)",
        items(col(V, "sa.String(20)")),
        items(col(V, "sa.String(20)"), col("code", "sa.String(20)", NULLABLE, "unique=True")),
        "allow",
        seed={"items": rows("a", "b")},
    ),
]
