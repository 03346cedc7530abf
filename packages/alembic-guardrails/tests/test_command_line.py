"""_command_line: the missing alembic.ini hint the plugin gives on start, and one-line errors.

The plugin module runs refuse_missing_config() on every `import alembic`: it must do nothing
unless the `alembic` command's config file is really missing.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from alembic.util import CommandError

from alembic_guardrails import _command_line as command_line
from alembic_guardrails import _messages as messages


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.delenv("ALEMBIC_CONFIG", raising=False)
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/alembic\nlanguage = zh\n")
    (tmp_path / "alembic" / "versions").mkdir(parents=True)
    yield tmp_path
    messages.set_language("en")


def refused(argv, cwd, capsys) -> str | None:
    try:
        command_line.refuse_missing_config(argv, cwd)
    except SystemExit as exit:
        assert exit.code == command_line.EXIT_FAILED
        return capsys.readouterr().err
    assert capsys.readouterr() == ("", "")
    return None


@pytest.mark.parametrize(
    "argv",
    [
        ["pytest", "current"],  # not the alembic command
        ["alembic"],
        ["alembic", "--help"],
        ["alembic", "--version"],
        ["alembic", "current", "-h"],
        ["alembic", "init", "migrations"],
        ["alembic", "list_templates"],
        ["alembic", "no_such_command"],  # Alembic's own usage error
        ["alembic", "-c", "../alembic.ini", "upgrade", "head"],
        ["alembic", "--config=../alembic.ini", "current"],
    ],
)
def test_nothing_happens_unless_the_config_is_missing(project, capsys, argv):
    assert refused(argv, project / "alembic", capsys) is None


def test_nothing_happens_where_alembic_ini_is(project, capsys):
    assert refused(["alembic", "upgrade", "head"], project, capsys) is None


def test_a_pyproject_with_tool_alembic_is_a_config(project, capsys, tmp_path):
    (project / "alembic" / "pyproject.toml").write_text("[tool.alembic]\nscript_location = 'x'\n")
    assert refused(["alembic", "current"], project / "alembic", capsys) is None


def test_a_subdirectory_names_the_projects_alembic_ini_in_its_language(project, capsys):
    versions = project / "alembic" / "versions"
    said = refused(["/venv/bin/alembic", "-x", "a=b", "upgrade", "head", "--sql"], versions, capsys)
    messages.set_language("zh")
    expected = messages.text("config_missing", ini=versions / "alembic.ini") + messages.text(
        "config_above",
        ini=project / "alembic.ini",
        directory=str(project),
        command="alembic -c ../../alembic.ini -x a=b upgrade head --sql",
    )
    assert said == f"FAILED: {expected}\n"


def test_no_alembic_ini_anywhere_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("ALEMBIC_CONFIG", raising=False)
    said = refused(["alembic", "history"], tmp_path, capsys)
    expected = messages.text("config_missing", ini=tmp_path / "alembic.ini") + messages.text(
        "config_nowhere", command="alembic -c path/to/alembic.ini history"
    )
    assert said == f"FAILED: {expected}\n"


def options(name: str, revision: str, sql: bool = True) -> SimpleNamespace:
    def command() -> None: ...

    command.__name__ = name
    return SimpleNamespace(cmd_opts=SimpleNamespace(cmd=(command,), revision=revision, sql=sql))


@pytest.mark.parametrize(
    ("name", "revision", "example"),
    [("upgrade", "abc:", "abc:head"), ("upgrade", ":abc", "<start>:abc"), ("downgrade", "abc:", "abc:base")],
)
def test_half_a_sql_range_is_refused_with_the_right_form(name, revision, example):
    with pytest.raises(CommandError) as error:
        command_line.refuse_half_a_range(options(name, revision))
    assert str(error.value) == messages.text("half_a_range", command=name, revision=revision, example=example)


@pytest.mark.parametrize(("revision", "sql"), [("abc:def", True), ("head", True), ("abc:", False)])
def test_whole_ranges_and_online_runs_are_left_to_alembic(revision, sql):
    command_line.refuse_half_a_range(options("upgrade", revision, sql))


def test_from_python_fail_raises_a_command_error(capsys):
    with pytest.raises(CommandError, match="boom"):
        command_line.fail(SimpleNamespace(cmd_opts=None), "boom")
    assert capsys.readouterr().err == ""


def test_from_the_command_line_fail_prints_on_stderr_and_exits(capsys):
    with pytest.raises(SystemExit) as exit:
        command_line.fail(SimpleNamespace(cmd_opts=SimpleNamespace()), "boom")
    assert exit.value.code == 255
    assert capsys.readouterr() == ("", "FAILED: boom\n")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_bad_duration_is_refused_in_the_projects_language(monkeypatch, language):
    from alembic_guardrails import _runtime as runtime

    monkeypatch.setenv("MIGRATION_LOCK_TIMEOUT", "soon")
    messages.set_language(language)
    try:
        with pytest.raises(CommandError) as error:
            runtime._timeout_setting("MIGRATION_LOCK_TIMEOUT", "500ms")
        expected = messages.text("bad_duration", variable="MIGRATION_LOCK_TIMEOUT", value="soon")
    finally:
        messages.set_language("en")
    assert str(error.value) == expected


@pytest.mark.parametrize("language", ["en", "zh"])
def test_waiting_for_the_migration_lock_is_said_in_the_projects_language(caplog, language):
    from alembic_guardrails import _locks as locks

    tries = iter([False, True])
    messages.set_language(language)
    try:
        with caplog.at_level("INFO", logger="alembic.lock"):
            locks._wait_for(lambda: next(tries), lambda: "pid 42")
        waiting = messages.text("lock_waiting", holder="pid 42")
        got = messages.text("lock_got", seconds=0.0).split("0.0")[0]
    finally:
        messages.set_language("en")
    said = [record.getMessage() for record in caplog.records]
    assert said[0] == waiting and said[1].startswith(got), said
