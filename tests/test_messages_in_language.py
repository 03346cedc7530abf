"""Every message a user meets speaks the bake's language (docs_language), through the real CLI.

The DATABASE_URL errors of settings.py, the connection errors (no server, login refused, no
such database), the drift lines of `alembic check`, and the lines with a next step (two
heads, half a `--sql` range, batch mode on SQLite, no alembic.ini here): Chinese in a zh
bake, with no English sentence left, and English, without a Chinese character, in an en bake.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from sqlalchemy.engine import make_url

from baked import BIN
from conftest import _admin_url, url_string
from safety import FIRST_REVISION, environment, write_revision

CJK = re.compile(r"[\u4e00-\u9fff]")
# What is not prose: code in backticks, URLs, quoted values, paths.
NOT_PROSE = re.compile(r"`[^`]*`|\S+://\S*|'[^']*'|\"[^\"]*\"|/\S+")
# Four English words in a row is a sentence (or most of one); a list of names is not.
ENGLISH_RUN = re.compile(r"[A-Za-z]+(?: +[A-Za-z]+){3,}")


def english_sentences(text: str) -> list[str]:
    return ENGLISH_RUN.findall(NOT_PROSE.sub(" ", text))


def our_lines(result) -> list[str]:
    """What the command said on stderr, without Alembic's INFO log lines and revision frames."""
    return [
        line
        for line in result.stderr.splitlines()
        if line.strip() and not line.startswith(("INFO  [", "  File ", "    "))
    ]


def assert_speaks(language: str, result, *expected: str) -> str:
    """The command failed with one FAILED line on stderr, in `language`, holding `expected`."""
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = our_lines(result)
    failed = [line for line in lines if line.startswith("FAILED: ")]
    assert len(failed) == 1, result.stderr
    for part in expected:
        assert part in failed[0], failed[0]
    for line in lines:
        if language == "zh":
            assert CJK.search(line), line
            assert not english_sentences(line), (english_sentences(line), line)
        else:
            assert not CJK.search(line), line
    return failed[0]


# Per language: a stretch of each message, as the user reads it.
SAYS = {
    "en": {
        "not_set": "DATABASE_URL is not set",
        "invalid": "DATABASE_URL is not a valid database URL",
        "unknown_backend": "which is not a database SQLAlchemy knows",
        "environment": "is not a known environment",
        "url_in_ini": "alembic.ini sets sqlalchemy.url, which this project does not use",
        "unreachable": "no server answers at 127.0.0.1:1",
        "login": "the server refused the login of user",
        "no_database": "the server has no database cca_missing_db",
        "drift_header": "The models and the database differ (2):",
        "drift_column": "users.nickname: column — models: VARCHAR(30), database: none",
        "drift_type": "users.name: type — models: VARCHAR(80), database: VARCHAR(50)",
        "half_a_range": "gives half a range: write both ends",
        "heads": "there are 2 heads",
        "merge": '`alembic merge heads -m "merge heads"` joins them',
        "batch": "SQLite cannot ALTER a table this way",
        "no_ini": "does not exist, so Alembic has no configuration",
        "ini_above": "this project's alembic.ini is",
        "not_up_to_date": "Target database is not up to date: run `alembic upgrade head` first",
        "unknown_revision": "Can't locate revision identified by 'nosuch'",
    },
    "zh": {
        "not_set": "没有设置 DATABASE_URL",
        "invalid": "DATABASE_URL 不是有效的数据库 URL",
        "unknown_backend": "这不是 SQLAlchemy 认识的数据库",
        "environment": "不是已知的环境",
        "url_in_ini": "alembic.ini 中设置了 sqlalchemy.url，但本项目不使用它",
        "unreachable": "127.0.0.1:1 上没有数据库服务器响应",
        "login": "服务器拒绝了用户",
        "no_database": "服务器上没有名为 cca_missing_db 的数据库",
        "drift_header": "模型与数据库不一致（2 处）：",
        "drift_column": "users.nickname：列 — 模型：VARCHAR(30)，数据库：无",
        "drift_type": "users.name：类型 — 模型：VARCHAR(80)，数据库：VARCHAR(50)",
        "half_a_range": "只给了范围的一端：请写出两端",
        "heads": "当前有 2 个 head",
        "merge": '用 `alembic merge heads -m "merge heads"` 把它们合并',
        "batch": "SQLite 不能这样 ALTER 表：请改用批处理模式",
        "no_ini": "不存在，Alembic 没有可用的配置",
        "ini_above": "本项目的 alembic.ini 在",
        "not_up_to_date": "数据库不是最新版本：请先运行 `alembic upgrade head`",
        "unknown_revision": "找不到修订 'nosuch'",
    },
}
LANGUAGES = sorted(SAYS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_settings_errors_speak_the_bake_language(bake, tmp_path, language):
    project = bake(docs_language=language, database="postgresql")
    says = SAYS[language]
    cases = [
        ({"APP_ENV": "prod"}, says["not_set"]),
        ({"DATABASE_URL": "nonsense"}, says["invalid"]),
        ({"DATABASE_URL": "postgresq://app@db/app"}, says["unknown_backend"]),
        ({"APP_ENV": "qa", "DATABASE_URL": "postgresql://app@db/app"}, says["environment"]),
    ]
    for env, expected in cases:
        for command in (["current"], ["upgrade", "head", "--sql"]):
            assert_speaks(language, project.alembic(*command, env=env, check=False), expected)
    project.edit("alembic.ini", "[alembic]\n", "[alembic]\nsqlalchemy.url = sqlite:///x.db\n")
    url = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    assert_speaks(language, project.alembic("current", env=url, check=False), says["url_in_ini"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_connection_errors_speak_the_bake_language(bake, language):
    project = bake(docs_language=language, database="postgresql")
    says = SAYS[language]
    unreachable = {"DATABASE_URL": "postgresql://app:pw@127.0.0.1:1/app"}
    assert_speaks(language, project.alembic("current", env=unreachable, check=False), says["unreachable"])
    postgres, mysql = _admin_url("postgresql"), _admin_url("mysql")
    cases = [
        (url_string(mysql.set(password="wrong-password")), says["login"]),
        (url_string(postgres.set(database="cca_missing_db")), says["no_database"]),
        (url_string(mysql.set(database="cca_missing_db")), says["no_database"]),
    ]
    for url, expected in cases:
        line = assert_speaks(
            language, project.alembic("current", env={"DATABASE_URL": url}, check=False), expected
        )
        assert "wrong-password" not in line and make_url(url).username in line


MODELS_CHANGE = (
    "    name: Mapped[str] = mapped_column(String(50))\n",
    "    name: Mapped[str] = mapped_column(String(80))\n"
    "    nickname: Mapped[str | None] = mapped_column(String(30))\n",
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_check_drift_lines_speak_the_bake_language(bake, tmp_path, language):
    project = bake(docs_language=language)
    says = SAYS[language]
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'drift.sqlite3'}"}
    project.alembic("upgrade", "head", env=env)
    project.edit(f"{project.context['package_name']}/models.py", *MODELS_CHANGE)
    result = project.alembic("check", env=env, check=False)
    assert result.returncode != 0
    lines = our_lines(result)
    assert lines[0] == says["drift_header"]
    assert sorted(line.strip() for line in lines[1:]) == sorted([says["drift_column"], says["drift_type"]])
    for line in lines:
        assert bool(CJK.search(line)) == (language == "zh"), line
        if language == "zh":
            assert not english_sentences(line), line
    # Alembic's own line stays on stdout, as scripts (tools/tour.py) read it.
    assert result.stdout.startswith("FAILED: New upgrade operations detected")


def run_in(directory, *args: str, env: dict[str, str]):
    return subprocess.run(
        [str(BIN / "alembic"), *args], cwd=directory, env=environment(**env), capture_output=True, text=True
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_next_step_lines_speak_the_bake_language(bake, tmp_path, language):
    project = bake(docs_language=language)
    says = SAYS[language]
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'steps.sqlite3'}"}
    assert_speaks(
        language,
        project.alembic("upgrade", f"{FIRST_REVISION}:", "--sql", env=env, check=False),
        says["half_a_range"],
    )
    assert_speaks(
        language, project.alembic("upgrade", "nosuch", env=env, check=False), says["unknown_revision"]
    )
    subdirectory = project.path / "alembic"
    assert_speaks(language, run_in(subdirectory, "current", env=env), says["no_ini"], says["ini_above"])
    # Not up to date: autogenerate against an empty database.
    assert_speaks(
        language,
        project.alembic("revision", "--autogenerate", "-m", "x", env=env, check=False),
        says["not_up_to_date"],
    )
    # Two heads (the revisions' own messages are the user's words: digits here).
    write_revision(
        project, "left0001", FIRST_REVISION, 'op.create_table("l", sa.Column("id", sa.Integer))', message="1"
    )
    write_revision(
        project, "right001", FIRST_REVISION, 'op.create_table("r", sa.Column("id", sa.Integer))', message="2"
    )
    assert_speaks(
        language, project.alembic("upgrade", "head", env=env, check=False), says["heads"], says["merge"]
    )
    project.alembic("merge", "heads", "-m", "3", "--rev-id", "merge001", env=env)
    project.alembic("upgrade", "head", env=env)
    # An ALTER SQLite cannot do (the driver's own words stay: "near "ALTER": syntax error").
    write_revision(project, "alter001", "merge001", 'op.alter_column("users", "name", nullable=False)')
    line = assert_speaks(language, project.alembic("upgrade", "head", env=env, check=False), says["batch"])
    assert '`with op.batch_alter_table("users") as batch_op:`' in line
