"""Every server default a model can declare compares clean right after its own upgrade.

Through the real `alembic` command, on the database the tests run on (SQLite, or
TEST_DATABASE_URL: PostgreSQL, MySQL/MariaDB): `revision --autogenerate`,
`upgrade head`, then `alembic check` must find nothing. One table holds a column
per kind of default: the empty string, quotes, quoted and bare numbers, booleans
(true()/false()/"0"/"1"), dates and datetimes as literals, CURRENT_TIMESTAMP and
now(), other functions, `text()` expressions, json; plus each database's own
(PostgreSQL: jsonb, xml, point, arrays, intervals, a volatile function; MySQL:
ON UPDATE, MariaDB's renamed functions).

And the other way: every default changed in the models is reported, a json
default on PostgreSQL too (Alembic's own comparison, `SELECT a = b`, fails there:
`operator does not exist: json = unknown`, sqlalchemy/alembic#1119); defaults
spelled differently but stored the same are not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from alembic_project import Project, url_of

from alembic_guardrails import _messages

HEAD = '''
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql


class Raw(sa.types.UserDefinedType):
    """A PostgreSQL type SQLAlchemy has no class for (xml, point)."""

    cache_ok = True

    def __init__(self, spelled):
        self.spelled = spelled

    def get_col_spec(self, **kw):
        return self.spelled

    def __repr__(self):
        return f"Raw({self.spelled!r})"


metadata = sa.MetaData()
defaults = sa.Table(
    "defaults_kinds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
'''
TAIL = ")\n"

# Column name -> (column definition with the default, the same default spelled otherwise
# (stored the same), a different default). Every database.
COMMON = {
    "s_empty": ('sa.String(20), server_default=""', "sa.String(20), server_default=sa.text(\"''\")", '" "'),
    "s_plain": ('sa.String(20), server_default="x"', None, '"X"'),
    "s_quote": ('sa.String(20), server_default="it\'s"', None, "\"it''s\""),
    "s_text": ("sa.String(20), server_default=sa.text(\"'t'\")", 'sa.String(20), server_default="t"', '"t "'),
    "i_zero": ('sa.Integer, server_default="0"', 'sa.Integer, server_default=sa.text("0")', '"1"'),
    "i_negative": ('sa.Integer, server_default="-1"', 'sa.Integer, server_default=sa.text("-1")', '"1"'),
    "i_text": (
        'sa.Integer, server_default=sa.text("42")',
        'sa.Integer, server_default="42"',
        'sa.text("43")',
    ),
    "n_quoted": ('sa.Numeric(10, 3), server_default="1.5"', None, '"1.25"'),
    "n_text": ('sa.Numeric(10, 3), server_default=sa.text("1")', None, 'sa.text("2")'),
    "f_quoted": ('sa.Float, server_default="2.5"', 'sa.Float, server_default=sa.text("2.5")', '"2.25"'),
    "b_true": ("sa.Boolean, server_default=sa.true()", None, "sa.false()"),
    "b_false": ("sa.Boolean, server_default=sa.false()", 'sa.Boolean, server_default="0"', "sa.true()"),
    "b_one": ('sa.Boolean, server_default="1"', "sa.Boolean, server_default=sa.true()", '"0"'),
    "b_zero": ('sa.Boolean, server_default="0"', "sa.Boolean, server_default=sa.false()", '"1"'),
    "d_literal": (
        'sa.Date, server_default="2000-01-01"',
        "sa.Date, server_default=sa.text(\"'2000-01-01'\")",
        '"2000-01-02"',
    ),
    "d_text": ("sa.Date, server_default=sa.text(\"'2000-01-02'\")", None, "sa.text(\"'2000-01-03'\")"),
    "dt_literal": ('sa.DateTime, server_default="2000-01-01 00:00:00"', None, '"2000-01-01 00:00:01"'),
    "dt_now": (
        "sa.DateTime, server_default=sa.func.now()",
        'sa.DateTime, server_default=sa.text("CURRENT_TIMESTAMP")',
        '"2000-01-01 00:00:00"',
    ),
    "dt_current": (
        'sa.DateTime, server_default=sa.text("CURRENT_TIMESTAMP")',
        "sa.DateTime, server_default=sa.func.current_timestamp()",
        "sa.text(\"'2001-01-01 00:00:00'\")",
    ),
    "s_function": (
        'sa.String(20), server_default=sa.func.lower("ABC")',
        "sa.String(20), server_default=sa.text(\"LOWER('ABC')\")",
        'sa.func.upper("abc")',
    ),
    # SQLite wants an expression default in parentheses, and gives it back without them: one that
    # starts and ends with a quote would then be copied unparenthesized by batch mode (Alembic's guess).
    "s_expression": (
        "sa.String(20), server_default=sa.text(\"(upper('a') || 'b')\")",
        "sa.String(20), server_default=sa.text(\"( UPPER('a')||'b' )\")",
        "sa.text(\"(upper('a') || 'c')\")",
    ),
    "j_list": ('sa.JSON, server_default="[]"', "sa.JSON, server_default=sa.text(\"'[]'\")", '"{}"'),
    "j_object": ('sa.JSON, server_default=sa.text("\'{\\"a\\": 1}\'")', None, 'sa.text("\'{\\"a\\": 2}\'")'),
}
# MySQL concatenates strings with concat() (|| is OR there).
COMMON_MYSQL = {
    **COMMON,
    "s_expression": (
        'sa.String(20), server_default=sa.func.concat("a", "b")',
        None,
        'sa.func.concat("a", "c")',
    ),
}
POSTGRESQL = {
    "j_binary": (
        'postgresql.JSONB, server_default=sa.text("\'{\\"a\\": 1,  \\"b\\": [1,2]}\'")',
        'postgresql.JSONB, server_default=sa.text("\'{\\"b\\": [1, 2], \\"a\\": 1}\'")',
        'sa.text("\'{\\"a\\": 2}\'")',
    ),
    "x_xml": ('Raw("xml"), server_default="<a/>"', None, '"<b/>"'),
    "p_point": ('Raw("point"), server_default="(1, 2)"', 'Raw("point"), server_default="(1,2)"', '"(2, 1)"'),
    "a_array": ('postgresql.ARRAY(sa.Integer), server_default="{}"', None, '"{1}"'),
    "t_zone": (
        'sa.DateTime(timezone=True), server_default="2000-01-01 00:00:00+00"',
        'sa.DateTime(timezone=True), server_default="2000-01-01 00:00:00 UTC"',
        '"2000-01-02 00:00:00+00"',
    ),
    "t_midnight": (
        'sa.DateTime, server_default="2000-01-01 00:00:00"',
        'sa.DateTime, server_default="2000-01-01"',
        None,
    ),
    "v_interval": (
        'sa.Interval, server_default="1 day"',
        "sa.Interval, server_default=sa.text(\"interval '1 day'\")",
        '"2 days"',
    ),
    "u_random": ("sa.Uuid, server_default=sa.func.gen_random_uuid()", None, None),
    "t_later": (
        "sa.DateTime, server_default=sa.text(\"now() + interval '1 day'\")",
        "sa.DateTime, server_default=sa.text(\"CURRENT_TIMESTAMP + '1 day'::interval\")",
        "sa.text(\"now() + interval '2 days'\")",
    ),
}
MYSQL = {
    "t_updated": (
        'mysql.TIMESTAMP, server_default=sa.text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP")',
        None,
        None,
    ),
    "t_precise": ("mysql.DATETIME(fsp=6), server_default=sa.func.now(6)", None, None),
    "u_random": ("sa.String(36), server_default=sa.func.uuid()", None, None),
    "d_today": ("sa.Date, server_default=sa.func.curdate()", None, None),
    "n_decimal": (
        'mysql.DECIMAL(10, 3), server_default=sa.text("1.50")',
        'mysql.DECIMAL(10, 3), server_default="1.5"',
        None,
    ),
}
SQLITE = {
    "t_now": (
        "sa.DateTime, server_default=sa.text(\"(datetime('now'))\")",
        None,
        "sa.text(\"(date('now'))\")",
    ),
}


def kinds(backend: str) -> dict[str, tuple[str, str | None, str | None]]:
    if backend == "postgresql":
        return {**COMMON, **POSTGRESQL}
    if backend == "mysql":
        return {**COMMON_MYSQL, **MYSQL}
    return {**COMMON, **SQLITE}


def models(columns: dict[str, str]) -> str:
    lines = [f'    sa.Column("{name}", {definition}),\n' for name, definition in columns.items()]
    return HEAD + "".join(lines) + TAIL


def changed(definition: str, default: str) -> str:
    """The definition with another default: `server_default=...` is always its last argument."""
    type_, _, _ = definition.partition(", server_default=")
    return f"{type_}, server_default={default}"


@dataclass
class Defaults:
    project: Project
    backend: str
    kinds: dict[str, tuple[str, str | None, str | None]]


@pytest.fixture
def defaults(alembic_engine, tmp_path):
    """The project, its models upgraded: a column of each kind of default."""
    backend = alembic_engine.dialect.name
    project = Project(tmp_path / "project", url_of(alembic_engine))
    found = Defaults(project, backend, kinds(backend))
    project.models(models({name: kind[0] for name, kind in found.kinds.items()}))
    revision = project.migrate("defaults")
    assert "server_default=" in revision
    return found


def check(project: Project):
    result = project.alembic("check")
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert "operator does not exist" not in output, output
    return result


def drift_lines(stderr: str) -> dict[str, str]:
    """The readable lines of `alembic check`, by column: `defaults_kinds.<column>: ...`."""
    found = re.findall(r"^  defaults_kinds\.(\w+): (.*)$", stderr, flags=re.MULTILINE)
    return dict(found)


def test_every_kind_of_default_compares_clean_after_its_upgrade(defaults):
    project = defaults.project
    result = check(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No new upgrade operations detected" in result.stdout
    assert _messages.text("drift_header", count=1).split("(")[0] not in result.stderr
    # Again after a round trip: downgrade to nothing, upgrade, still clean.
    project.ok("downgrade", "base")
    project.ok("upgrade", "head")
    assert check(project).returncode == 0


def test_the_same_default_spelled_otherwise_compares_clean(defaults):
    project = defaults.project
    same = {name: kind[1] or kind[0] for name, kind in defaults.kinds.items()}
    assert sum(kind[1] is not None for kind in defaults.kinds.values()) >= 10
    project.models(models(same))
    result = check(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No new upgrade operations detected" in result.stdout


def test_every_changed_default_is_reported(defaults):
    """No default compares equal to another one, json on PostgreSQL included."""
    project = defaults.project
    changes = {name: kind[2] for name, kind in defaults.kinds.items() if kind[2] is not None}
    assert len(changes) >= 20
    definitions = {name: kind[0] for name, kind in defaults.kinds.items()}
    project.models(
        models({**definitions, **{name: changed(definitions[name], new) for name, new in changes.items()}})
    )
    result = check(project)
    assert result.returncode != 0
    assert "New upgrade operations detected" in result.stdout
    reported = drift_lines(result.stderr)
    server_default = _messages.text("drift_server_default")
    assert set(reported) == set(changes), result.stderr
    assert all(line.startswith(server_default) for line in reported.values()), reported
    json = _messages.text(
        "drift_line",
        subject="defaults_kinds.j_list",
        what=server_default,
        models="'{}'",
        database="'[]'::json" if defaults.backend == "postgresql" else "'[]'",
    )
    assert f"  {json}" in result.stderr.splitlines()
    assert "modify_default" in result.stdout  # Alembic's own list, as before


def test_a_changed_json_default_is_written_and_then_compares_clean(defaults):
    """The revision autogenerate writes for a changed json default applies, and check is clean after it."""
    project = defaults.project
    definitions = {name: kind[0] for name, kind in defaults.kinds.items()}
    definitions["j_list"] = changed(definitions["j_list"], '"{}"')
    project.models(models(definitions))
    revision = project.migrate("json default")
    assert "server_default='{}'" in revision, revision
    result = check(project)
    assert result.returncode == 0, result.stdout + result.stderr
