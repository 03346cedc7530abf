"""Bad answers are refused with one clear line, before cookiecutter writes anything.

The checks run while cookiecutter renders the answers (local_extensions.py), since it creates
the project directory before any pre-gen hook runs.
"""

import configparser
import subprocess
import tomllib

import pytest
from cookiecutter.main import cookiecutter

import local_extensions  # the template's own module: conftest puts the template on sys.path
from baked import BIN
from conftest import TEMPLATE


def refused(tmp_path, capfd, **answers) -> str:
    with pytest.raises(SystemExit) as stopped:
        cookiecutter(str(TEMPLATE), no_input=True, extra_context=answers, output_dir=str(tmp_path))
    assert stopped.value.code == 1
    assert list(tmp_path.iterdir()) == [], "a refused bake must leave no directory"
    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("ERROR:")]
    assert errors, "the check printed no ERROR line"
    return errors[0]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"project_slug": "my service"}, "project_slug 'my service' may hold only lowercase letters"),
        ({"project_slug": "my.service!"}, "project_slug 'my.service!' may hold only"),
        (
            {"project_slug": "a" * 300},
            "project_slug 'aaaaaaaaaaaaaaaaaaaa'... has 300 characters, at most 64",
        ),
        ({"project_name": ""}, "project_name '' has no letters or digits"),
        ({"project_name": "!!! ???"}, "project_name '!!! ???' has no letters or digits"),
        ({"package_name": "my-service"}, "package_name 'my-service' is not a Python identifier"),
        ({"package_name": "1service"}, "package_name '1service' starts with a digit"),
        ({"package_name": "class"}, "package_name 'class' is a Python keyword"),
        ({"package_name": "MyService"}, "package_name 'MyService' must be lowercase"),
        ({"package_name": "__init__"}, "package_name '__init__' is a dunder name"),
        (
            {"package_name": "tools"},
            "package_name 'tools' is already a file or directory of the baked project",
        ),
        ({"package_name": "build"}, "package_name 'build' is already a file or directory"),
        ({"package_name": "noxfile"}, "package_name 'noxfile' is already a file or directory"),
        ({"package_name": "alembic"}, "package_name 'alembic' is already a file or directory"),
        ({"package_name": "sqlalchemy"}, "package_name 'sqlalchemy' would shadow"),
        ({"package_name": "asyncpg", "use_async": True}, "package_name 'asyncpg' would shadow"),
        ({"package_name": "dotenv"}, "package_name 'dotenv' would shadow"),
        ({"package_name": "pytest"}, "package_name 'pytest' would shadow"),
        ({"package_name": "logging"}, "package_name 'logging' would shadow"),
        ({"protected_tables": "users; drop"}, "protected_tables 'users; drop' holds 'users; drop'"),
        ({"protected_tables": ",,, ,"}, "protected_tables ',,, ,' names nothing"),
        ({"protected_tables": "Users"}, "protected_tables 'Users' holds 'Users', which has capitals"),
        (
            {"ignored_table_prefixes": "Tmp_"},
            "ignored_table_prefixes 'Tmp_' holds 'Tmp_', which has capitals",
        ),
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


def test_a_bad_project_name_is_reported_once_as_itself(tmp_path, capfd):
    # The slug and the package name derive from it: one line about the cause, not three.
    with pytest.raises(SystemExit):
        cookiecutter(
            str(TEMPLATE), no_input=True, extra_context={"project_name": "???"}, output_dir=str(tmp_path)
        )
    lines = [line for line in capfd.readouterr().err.splitlines() if line.strip()]
    assert lines == [
        "ERROR: project_name '???' has no letters or digits to make a directory name from; "
        "pass e.g. project_name='My Service'"
    ]


def test_every_name_the_template_bakes_at_its_root_is_refused_as_a_package_name():
    # Derived from the template tree: adding a top-level directory or module adds a refusal.
    root = TEMPLATE / "{{cookiecutter.project_slug}}"
    expected = {path.name for path in root.iterdir() if path.is_dir() and "{{" not in path.name}
    expected |= {path.stem for path in root.glob("*.py")} | {"build"}
    assert {"alembic", "tools", "tests", "noxfile", "build"} <= expected
    for name in expected:
        problem = local_extensions.package_problem(name)
        assert problem and name in problem, name


def test_the_command_line_prints_one_line_and_leaves_no_directory(tmp_path):
    # What README promises: the cookiecutter command itself, not just its Python API.
    result = subprocess.run(
        [str(BIN / "cookiecutter"), "--no-input", str(TEMPLATE), "package_name=class"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    output = (result.stdout + result.stderr).strip().splitlines()
    assert output == ["ERROR: package_name 'class' is a Python keyword; pass e.g. package_name=my_service"]
    assert list(tmp_path.iterdir()) == []


def test_unknown_database_is_refused_by_cookiecutter(tmp_path):
    with pytest.raises(ValueError):
        cookiecutter(
            str(TEMPLATE), no_input=True, extra_context={"database": "oracle"}, output_dir=str(tmp_path)
        )
    assert list(tmp_path.iterdir()) == []


def test_a_long_project_name_gets_a_bounded_slug(bake):
    project = bake(project_name="word " * 60)
    assert len(project.context["project_slug"]) <= local_extensions.MAX_SLUG_LENGTH
    assert project.path.name == project.context["project_slug"]


def test_table_lists_are_stored_tidy(bake):
    project = bake(protected_tables=" users , orders,", ignored_table_prefixes="")
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(project.path / "alembic.ini")
    assert parser.get("alembic", "protected_tables") == "users,orders"
    assert parser.get("alembic", "ignored_table_prefixes") == ""


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
    project.pytest("tests/test_settings.py")


def test_a_bake_from_a_relative_template_path_vendors_the_library(tmp_path):
    # `cookiecutter .` in a clone: the hook runs in the new project, not where "." meant.
    done = subprocess.run(
        [str(BIN / "cookiecutter"), "--no-input", "-o", str(tmp_path), "."],
        cwd=TEMPLATE,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "my-service" / "vendor" / "alembic-guardrails" / "pyproject.toml").is_file()
