"""Every database choice bakes a project whose own checks pass against its own database."""

import configparser
import re

import pytest

JINJA_LEFTOVER = re.compile(r"\{\{\s*cookiecutter|\{%-?\s*(if|for|raw|endif)|cookiecutter\.")


@pytest.mark.parametrize("choice", ["sqlite", "postgresql", "mysql"])
def test_baked_files_hold_no_template_syntax(bake, choice):
    project = bake(database=choice)
    leftovers = [
        str(path.relative_to(project.path))
        for path in project.path.rglob("*")
        if path.is_file() and JINJA_LEFTOVER.search(path.read_text(errors="ignore"))
    ]
    assert leftovers == []


def test_alembic_ini_holds_no_database_url(bake):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(bake().path / "alembic.ini")
    assert not parser.get("alembic", "sqlalchemy.url", fallback="").strip()


def test_guard_answers_land_in_alembic_ini(bake):
    project = bake(
        protected_tables="users,orders", ignored_table_prefixes="tmp_,scratch_", ignored_table_suffixes="_old"
    )
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(project.path / "alembic.ini")
    assert parser.get("alembic", "protected_tables") == "users,orders"
    assert parser.get("alembic", "ignored_table_prefixes") == "tmp_,scratch_"
    assert parser.get("alembic", "ignored_table_suffixes") == "_old"


@pytest.mark.parametrize(
    ("choice", "driver"), [("sqlite", None), ("postgresql", "psycopg"), ("mysql", "pymysql")]
)
def test_pyproject_depends_on_the_chosen_driver(bake, choice, driver):
    import tomllib

    project = bake(database=choice)
    dependencies = " ".join(
        tomllib.loads((project.path / "pyproject.toml").read_text())["project"]["dependencies"]
    )
    for other in ("psycopg", "pymysql"):
        assert (other in dependencies) == (other == driver)


def test_baked_project_passes_its_own_tests_and_lint(bake, database):
    backend, url = database
    project = bake(database=backend)
    project.ruff()
    # The project's own suite: settings, guards, and pytest-alembic's migration tests on `url`.
    result = project.pytest(env={"TEST_DATABASE_URL": url, "DATABASE_URL": url})
    assert " passed" in result.stdout and "failed" not in result.stdout
    assert "skipped" not in result.stdout


def test_first_revision_leaves_no_drift(bake, database):
    backend, url = database
    project = bake(database=backend)
    env = {"DATABASE_URL": url}
    project.alembic("upgrade", "head", env=env)
    assert "No new upgrade operations detected" in project.alembic("check", env=env).stdout
