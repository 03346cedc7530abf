"""The pre-gen hook refuses bad answers with one clear line, and leaves nothing behind."""

import tomllib

import pytest
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter

from conftest import TEMPLATE


def refused(tmp_path, capfd, **answers) -> str:
    with pytest.raises(FailedHookException):
        cookiecutter(str(TEMPLATE), no_input=True, extra_context=answers, output_dir=str(tmp_path))
    assert list(tmp_path.iterdir()) == [], "a refused bake must leave no directory"
    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("ERROR:")]
    assert errors, "the hook printed no ERROR line"
    return errors[0]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"project_slug": "my service"}, "project_slug 'my service' may hold only lowercase letters"),
        ({"project_slug": "my.service!"}, "project_slug 'my.service!' may hold only"),
        ({"package_name": "my-service"}, "package_name 'my-service' is not a Python identifier"),
        ({"package_name": "1service"}, "package_name '1service' starts with a digit"),
        ({"package_name": "class"}, "package_name 'class' is a Python keyword"),
        ({"package_name": "MyService"}, "package_name 'MyService' must be lowercase"),
        ({"package_name": "alembic"}, "package_name 'alembic' would shadow"),
        ({"package_name": "sqlalchemy"}, "package_name 'sqlalchemy' would shadow"),
        ({"package_name": "nox"}, "package_name 'nox' would shadow"),
        ({"package_name": "pytest"}, "package_name 'pytest' would shadow"),
        ({"package_name": "tests"}, "package_name 'tests' would shadow"),
        ({"package_name": "test"}, "package_name 'test' would shadow"),
        ({"package_name": "logging"}, "package_name 'logging' would shadow"),
        ({"protected_tables": "users; drop"}, "protected_tables 'users; drop' holds 'users; drop'"),
        ({"ignored_table_prefixes": "tmp_,tmp-"}, "ignored_table_prefixes 'tmp_,tmp-' holds 'tmp-'"),
        ({"ignored_table_prefixes": "tmp_; x"}, "ignored_table_prefixes 'tmp_; x' holds 'tmp_; x'"),
        ({"ignored_table_suffixes": "_bak, .old"}, "ignored_table_suffixes '_bak, .old' holds '.old'"),
        ({"ignored_table_suffixes": "_bak*"}, "ignored_table_suffixes '_bak*' holds '_bak*'"),
    ],
)
def test_bad_answers_are_refused_with_the_field_the_value_and_the_fix(tmp_path, capfd, answers, expected):
    message = refused(tmp_path, capfd, **answers)
    assert expected in message
    assert "pass e.g." in message or "give comma-separated" in message


def test_project_name_starting_with_a_digit_names_package_name(tmp_path, capfd):
    message = refused(tmp_path, capfd, project_name="2048 Service")
    assert "package_name '2048_service' starts with a digit" in message


def test_unknown_database_is_refused_by_cookiecutter(tmp_path):
    with pytest.raises(ValueError):
        cookiecutter(
            str(TEMPLATE), no_input=True, extra_context={"database": "oracle"}, output_dir=str(tmp_path)
        )
    assert list(tmp_path.iterdir()) == []


def test_non_ascii_project_name_bakes_an_ascii_slug(bake):
    project = bake(project_name="我的 Café Service")
    assert project.context["project_slug"].isascii()
    assert project.path.name == project.context["project_slug"]
    assert project.context["package_name"].isidentifier()
    assert project.package.is_dir()


def test_answers_with_quotes_stay_data(bake):
    project = bake(project_name='Bob\'s "Quoted" Service', description='He said """hi""" \\ bye')
    metadata = tomllib.loads((project.path / "pyproject.toml").read_text())["project"]
    assert metadata["description"] == 'He said """hi""" \\ bye'
    assert metadata["authors"][0]["name"] == "Your Name"
    project.ruff()
    project.pytest("tests/test_guards.py")
