"""Ignored tables are filtered by name before reflection, seen from the SQL Alembic sends.

With 200 `tmp_` tables and a `_bak` table beside the models' tables,
`alembic check` runs with SQLAlchemy's statement log on (a copy of alembic.ini,
passed with -c): it reflects users, and never sends a statement naming an
ignored table. Filtering after reflection (include_object alone) would send
one PRAGMA table_info per ignored table, and drift would still pass unnoticed.
"""

from safety import execute

IGNORED = [f"tmp_{number:03d}" for number in range(200)] + ["users_bak"]


def test_alembic_check_never_reflects_an_ignored_table(bake, tmp_path):
    project = bake()
    url = f"sqlite:///{tmp_path / 'ignored.sqlite3'}"
    env = {"DATABASE_URL": url}
    project.alembic("upgrade", "head", env=env)
    for name in IGNORED:
        execute(url, f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, payload TEXT)")

    ini = (project.path / "alembic.ini").read_text()
    logged = ini.replace("[logger_sqlalchemy]\nlevel = WARNING", "[logger_sqlalchemy]\nlevel = INFO")
    assert logged != ini, "alembic.ini's sqlalchemy logger moved: update this test"
    (project.path / "alembic-logged.ini").write_text(logged)

    result = project.alembic("-c", "alembic-logged.ini", "check", env=env)
    assert "No new upgrade operations detected" in result.stdout
    statements = [line for line in result.stderr.splitlines() if "[sqlalchemy.engine" in line]
    assert any('table_info("users")' in line for line in statements), "the log shows no reflection"
    named = [line for line in statements if "tmp_" in line or "users_bak" in line]
    assert named == [], f"{len(named)} statements reflect ignored tables, e.g. {named[:2]}"
