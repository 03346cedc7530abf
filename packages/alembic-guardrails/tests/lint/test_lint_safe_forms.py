"""Issue 18 item 8: the safe forms strong_migrations and squawk give are not flagged by lint, and
raw `CREATE INDEX` is caught without squawk.

- a dropped index in its online forms (DROP INDEX CONCURRENTLY in `autocommit_block()`), and any
  dropped index on MySQL/MariaDB (in place) or SQLite: a typed revision drops it on purpose;
- a unique index built CONCURRENTLY outside the transaction (then `USING INDEX`);
- SET NOT NULL once a `CHECK (col IS NOT NULL)` is validated, in this revision before it or in an
  earlier one (lint follows the checks through the history), and the drop of that check after it.
  A NOT VALID check proves nothing.

The lint runs are the real command over small projects; the database tests show, on seeded rows
through real DDL, what each verdict rests on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from lint_helpers import lint_json, make_project, triples
from sqlalchemy.dialects import postgresql

from alembic_guardrails.rules import _not_null_checks

TABLES = """
op.create_table(
    "users",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("phone", sa.String(30), nullable=True),
    sa.Column("email", sa.String(50), nullable=True),
    sa.Column("note", sa.String(50), nullable=True),
)
op.create_index("ix_users_note", "users", ["note"])
"""


def rules_of(root: Path, bodies: list[str], *args: str, url: str | None = None) -> dict[str, list[str]]:
    """{revision file: [rule ids]} of `alembic-guardrails lint` over a project of `bodies`."""
    options = {"url": url} if url else {}
    project = make_project(root, [TABLES, *bodies], **options)
    _, findings = lint_json(project, *args)
    found: dict[str, list[str]] = {}
    for name, _line, rule in sorted(triples(findings)):
        found.setdefault(name, []).append(rule)
    return found


# ---- dropped indexes ----------------------------------------------------------------------------

DROP_CONCURRENTLY = """
with op.get_context().autocommit_block():
    op.drop_index("ix_users_note", table_name="users", postgresql_concurrently=True)
"""
RAW_DROP_CONCURRENTLY = """
with op.get_context().autocommit_block():
    op.execute("DROP INDEX CONCURRENTLY ix_users_note")
"""
PLAIN_DROP = 'op.drop_index("ix_users_note", table_name="users")'


def test_an_index_dropped_concurrently_is_not_flagged(tmp_path):
    assert rules_of(tmp_path / "a", [DROP_CONCURRENTLY]) == {}
    assert rules_of(tmp_path / "b", [RAW_DROP_CONCURRENTLY]) == {}


def test_a_plain_drop_index_is_flagged_on_postgresql_only(tmp_path):
    assert rules_of(tmp_path / "a", [PLAIN_DROP]) == {"0002_step.py": ["drop-index"]}
    assert rules_of(tmp_path / "b", [PLAIN_DROP], "--dialect", "mysql") == {}
    # Inside the transaction CONCURRENTLY fails: refused by its own rule.
    in_transaction = 'op.drop_index("ix_users_note", table_name="users", postgresql_concurrently=True)'
    assert rules_of(tmp_path / "c", [in_transaction]) == {"0002_step.py": ["concurrent-index-in-transaction"]}


# ---- unique index built concurrently ------------------------------------------------------------

UNIQUE_CONCURRENTLY = """
with op.get_context().autocommit_block():
    op.create_index("uq_users_email", "users", ["email"], unique=True, postgresql_concurrently=True)
    op.execute("ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE USING INDEX uq_users_email")
"""


def test_a_unique_index_built_concurrently_is_not_flagged(tmp_path):
    assert rules_of(tmp_path / "a", [UNIQUE_CONCURRENTLY]) == {}
    plain = 'op.create_unique_constraint("uq_users_email", "users", ["email"])'
    assert rules_of(tmp_path / "b", [plain]) == {"0002_step.py": ["unique-constraint-on-existing-rows"]}
    blocking = 'op.create_index("uq_users_email", "users", ["email"], unique=True)'
    assert rules_of(tmp_path / "c", [blocking]) == {
        "0002_step.py": ["index-not-concurrent", "unique-constraint-on-existing-rows"]
    }


# ---- SET NOT NULL after a validated CHECK (col IS NOT NULL) -------------------------------------

CHECK_NOT_VALID = (
    'op.create_check_constraint("users_phone_null", "users", "phone IS NOT NULL", postgresql_not_valid=True)'
)
VALIDATE = 'op.execute("ALTER TABLE users VALIDATE CONSTRAINT users_phone_null")'
SET_NOT_NULL = 'op.alter_column("users", "phone", existing_type=sa.String(30), nullable=False)'
DROP_CHECK = 'op.drop_constraint("users_phone_null", "users", type_="check")'


def test_strong_migrations_recipe_across_revisions_is_not_flagged(tmp_path):
    # strong_migrations: the check NOT VALID; then VALIDATE, SET NOT NULL, drop the check.
    steps = [CHECK_NOT_VALID, "\n".join([VALIDATE, SET_NOT_NULL, DROP_CHECK])]
    assert rules_of(tmp_path / "a", steps) == {}
    # VALIDATE in a revision (or an autocommit block) of its own, NOT NULL in the next.
    steps = [CHECK_NOT_VALID, VALIDATE, "\n".join([SET_NOT_NULL, DROP_CHECK])]
    assert rules_of(tmp_path / "b", steps) == {}
    # A check added validated, as raw SQL too.
    raw = 'op.execute("ALTER TABLE users ADD CONSTRAINT users_phone_null CHECK (phone IS NOT NULL)")'
    assert rules_of(tmp_path / "c", [raw, "\n".join([SET_NOT_NULL, DROP_CHECK])]) == {}
    added = 'op.create_check_constraint("users_phone_null", "users", "phone IS NOT NULL")'
    # (Added validated, on a table with rows: its scan under lock is reviewed, not the NOT NULL.)
    assert rules_of(tmp_path / "d", [added, SET_NOT_NULL]) == {"0002_step.py": ["add-check-constraint"]}


def test_lint_since_still_knows_the_checks_before_it(tmp_path):
    steps = [CHECK_NOT_VALID, VALIDATE, "\n".join([SET_NOT_NULL, DROP_CHECK])]
    assert rules_of(tmp_path, steps, "--since", "0003") == {}


def test_a_not_valid_check_proves_nothing(tmp_path):
    flagged = ["set-not-null-without-default"]
    # Never validated: the old rows were never checked. (Its drop after NOT NULL loses nothing.)
    steps = [CHECK_NOT_VALID, "\n".join([SET_NOT_NULL, DROP_CHECK])]
    assert rules_of(tmp_path / "a", steps) == {"0003_step.py": flagged}
    # Raw NOT VALID, never validated.
    raw = (
        'op.execute("ALTER TABLE users ADD CONSTRAINT users_phone_null CHECK (phone IS NOT NULL) NOT VALID")'
    )
    assert rules_of(tmp_path / "b", [raw, SET_NOT_NULL]) == {"0003_step.py": flagged}
    # Validated after the SET NOT NULL, dropped before it, or about another column.
    assert rules_of(tmp_path / "c", [CHECK_NOT_VALID, f"{SET_NOT_NULL}\n{VALIDATE}"]) == {
        "0003_step.py": flagged
    }
    assert rules_of(tmp_path / "d", [CHECK_NOT_VALID, VALIDATE, f"{DROP_CHECK}\n{SET_NOT_NULL}"]) == {
        "0004_step.py": ["drop-constraint", *flagged]
    }
    other = CHECK_NOT_VALID.replace('"phone IS', '"email IS')
    assert rules_of(tmp_path / "e", [other, VALIDATE, SET_NOT_NULL]) == {"0004_step.py": flagged}
    # Added in the same revision (autogenerate's online form; refused there too): its ADD or
    # VALIDATE fails on NULL rows just as SET NOT NULL would.
    same = "\n".join([CHECK_NOT_VALID, VALIDATE, SET_NOT_NULL])
    assert rules_of(tmp_path / "g", [same]) == {"0002_step.py": flagged}
    raw_same = (
        'op.execute("ALTER TABLE users ADD CONSTRAINT users_phone_null CHECK (phone IS NOT NULL) NOT VALID")\n'
        f"{VALIDATE}\n{SET_NOT_NULL}"
    )
    assert rules_of(tmp_path / "h", [raw_same]) == {"0002_step.py": flagged}
    # A condition that is more than IS NOT NULL.
    wider = CHECK_NOT_VALID.replace('"phone IS NOT NULL"', '"phone IS NOT NULL OR email IS NOT NULL"')
    assert rules_of(tmp_path / "f", [wider, VALIDATE, SET_NOT_NULL]) == {"0004_step.py": flagged}


# ---- raw CREATE INDEX, without squawk ------------------------------------------------------------


def test_raw_create_index_is_caught_without_squawk(tmp_path):
    flagged = {"0002_step.py": ["index-not-concurrent"]}
    assert rules_of(tmp_path / "a", ['op.execute("CREATE INDEX ix_users_email ON users (email)")']) == flagged
    unique = 'op.execute("CREATE UNIQUE INDEX IF NOT EXISTS ix_users_email ON public.users (email)")'
    assert rules_of(tmp_path / "b", [unique]) == flagged
    concurrently = """
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY ix_users_email ON users (email)")
    """
    assert rules_of(tmp_path / "c", [concurrently]) == {}
    new_table = """
    op.create_table("notes", sa.Column("id", sa.Integer, primary_key=True), sa.Column("body", sa.Text))
    op.execute("CREATE INDEX ix_notes_body ON notes (body)")
    """
    assert rules_of(tmp_path / "d", [new_table]) == {}
    assert (
        rules_of(
            tmp_path / "e",
            ['op.execute("CREATE INDEX ix_users_email ON users (email)")'],
            "--dialect",
            "mysql",
        )
        == {}
    )


# ---- what the verdicts rest on, on a real database ------------------------------------------------


def _relfilenode(connection, table):
    return connection.execute(
        sa.text("SELECT relfilenode FROM pg_class WHERE relname = :t"), {"t": table}
    ).scalar()


def test_postgresql_not_null_recipe_on_seeded_rows(alembic_engine):
    """A NOT VALID check lets a NULL row stay and SET NOT NULL then fails; validated (after the
    NULL is filled), it is what `validated()` reads for autogenerate, and SET NOT NULL goes
    through in place."""
    if alembic_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's NOT VALID checks")
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    with alembic_engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE nn_users (id integer PRIMARY KEY, phone varchar(30))"))
        connection.execute(sa.text("INSERT INTO nn_users VALUES (1, '555'), (2, NULL)"))
        op = Operations(MigrationContext.configure(connection))
        op.create_check_constraint(
            "nn_users_phone_null", "nn_users", "phone IS NOT NULL", postgresql_not_valid=True
        )
        assert ("nn_users", "phone") not in _not_null_checks.validated(connection)
    with pytest.raises(sa.exc.IntegrityError), alembic_engine.begin() as connection:
        op = Operations(MigrationContext.configure(connection))
        op.alter_column("nn_users", "phone", existing_type=sa.String(30), nullable=False)
    with alembic_engine.begin() as connection:
        connection.execute(sa.text("UPDATE nn_users SET phone = '' WHERE phone IS NULL"))
        connection.execute(sa.text("ALTER TABLE nn_users VALIDATE CONSTRAINT nn_users_phone_null"))
        assert ("nn_users", "phone") in _not_null_checks.validated(connection)
        before = _relfilenode(connection, "nn_users")
        op = Operations(MigrationContext.configure(connection))
        op.alter_column("nn_users", "phone", existing_type=sa.String(30), nullable=False)
        op.drop_constraint("nn_users_phone_null", "nn_users", type_="check")
        assert _relfilenode(connection, "nn_users") == before
        assert [tuple(r) for r in connection.execute(sa.text("SELECT * FROM nn_users ORDER BY id"))] == [
            (1, "555"),
            (2, ""),
        ]
        connection.execute(sa.text("DROP TABLE nn_users"))


def test_autogenerate_context_reads_validated_checks():
    """What _guards passes for autogenerate (`not_null_checked`): the rule then leaves the SET NOT NULL."""
    from alembic.operations import ops

    from alembic_guardrails.rules import Context, set_not_null_without_default
    from alembic_guardrails.rules._operations import walk

    alter = ops.AlterColumnOp("users", "phone", existing_type=sa.String(30), modify_nullable=False)
    upgrade_ops = ops.UpgradeOps(ops=[ops.ModifyTableOps("users", [alter])])
    for checked, expected in (((), 1), ({("users", "phone")}, 0), ({("users", "email")}, 1)):
        context = Context.of(upgrade_ops, "postgresql", not_null_checked=checked)
        found = [f for op in walk(upgrade_ops) for f in set_not_null_without_default.check(op, context)]
        assert len(found) == expected, checked


def test_dropping_indexes_online_on_seeded_rows(alembic_engine):
    """The forms lint leaves alone, run: PostgreSQL drops CONCURRENTLY outside the transaction;
    MySQL/MariaDB drop an index in place without locking writes (LOCK=NONE accepted)."""
    backend = alembic_engine.dialect.name
    if backend == "sqlite":
        pytest.skip("SQLite has no online index forms")
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    with alembic_engine.begin() as connection:
        connection.execute(
            sa.text("CREATE TABLE ix_users (id integer PRIMARY KEY, note varchar(50), email varchar(50))")
        )
        connection.execute(
            sa.text("INSERT INTO ix_users VALUES (1, 'a', 'x@example.com'), (2, 'b', 'y@example.com')")
        )
        connection.execute(sa.text("CREATE INDEX ix_users_note ON ix_users (note)"))
    with alembic_engine.connect() as connection:
        context = MigrationContext.configure(connection)
        op = Operations(context)
        if backend == "postgresql":
            with context.autocommit_block():
                op.drop_index("ix_users_note", table_name="ix_users", postgresql_concurrently=True)
                op.create_index(
                    "uq_ix_users_email", "ix_users", ["email"], unique=True, postgresql_concurrently=True
                )
                op.execute(
                    "ALTER TABLE ix_users ADD CONSTRAINT uq_ix_users_email UNIQUE USING INDEX uq_ix_users_email"
                )
        else:
            op.execute("ALTER TABLE ix_users DROP INDEX ix_users_note, ALGORITHM=INPLACE, LOCK=NONE")
        connection.commit()
    with alembic_engine.begin() as connection:
        inspector = sa.inspect(connection)
        assert "ix_users_note" not in {index["name"] for index in inspector.get_indexes("ix_users")}
        assert connection.execute(sa.text("SELECT count(*) FROM ix_users")).scalar() == 2
        connection.execute(sa.text("DROP TABLE ix_users"))


def test_raw_create_index_pattern():
    from alembic_guardrails.rules.index_not_concurrent import raw_indexes

    assert raw_indexes('CREATE INDEX "ix_a" ON ONLY "public"."t" (a); create unique index ix_b on t (b)') == [
        ("ix_a", "t"),
        ("ix_b", "t"),
    ]
    assert raw_indexes("CREATE INDEX CONCURRENTLY ix_a ON t (a)") == []
    assert raw_indexes("CREATE INDEX ON t (a)") == [("", "t")]
    assert postgresql  # the dialect module the rules compile raw SQL with


def test_raw_create_index_is_said_once_with_squawk(tmp_path):
    """With squawk on PATH it reads the same statement: one finding, index-not-concurrent's."""
    from lint_helpers import squawk_executable

    if squawk_executable() is None:
        pytest.skip("squawk is not installed (pip install squawk-cli)")
    project = make_project(tmp_path, [TABLES, 'op.execute("CREATE INDEX ix_users_email ON users (email)")'])
    _, findings = lint_json(project, squawk=True)
    rules = [finding["rule"] for finding in findings]
    assert rules.count("index-not-concurrent") == 1
    assert "require-concurrent-index-creation" not in rules
