"""What a newcomer reads in the baked README, checked against what the project does."""

import re
import subprocess

import pytest

CJK = re.compile(r"[\u4e00-\u9fff]")
TUTORIAL_HEADINGS = {"en": "## Coming from the tutorial", "zh": "## 从教程过来的读者请看"}


def code_blocks(markdown: str) -> list[str]:
    return re.findall(r"```\w*\n(.*?)```", markdown, re.DOTALL)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_coming_from_the_tutorial_names_files_as_they_are(bake, language):
    project = bake(docs_language=language)
    readme = (project.path / "README.md").read_text()
    assert TUTORIAL_HEADINGS[language] in readme
    section = readme.split(TUTORIAL_HEADINGS[language])[1].split("\n## ")[0]
    for topic in ("alembic init", "create_users_table", "batch_alter_table", "DATABASE_URL", "ruff format"):
        assert topic in section, topic
    # The file name it quotes is the shipped first revision, and its id is that revision's id.
    (quoted,) = set(re.findall(r"\d{8}_\d{4}_(\w+?)_create_users_table\.py", section))
    (first,) = [path for path in project.versions() if path.name.endswith("_create_users_table.py")]
    assert f'revision: str = "{quoted}"' in first.read_text()
    assert first.name == f"20251128_1234_{quoted}_create_users_table.py"


def test_pre_commit_instructions_start_with_git_init(bake):
    project = bake()
    readme = (project.path / "README.md").read_text()
    (block,) = [block for block in code_blocks(readme) if "pre-commit install" in block]
    assert block.index("git init") < block.index("pre-commit install")
    # A fresh bake is no git repository; after the README's first line it is one.
    assert not (project.path / ".git").exists()
    subprocess.run(["git", "init", "-q"], cwd=project.path, check=True)
    assert (project.path / ".git").is_dir()


def test_chinese_readme_comments_its_commands_in_chinese(bake):
    project = bake(docs_language="zh")
    readme = (project.path / "README.md").read_text()
    comments = [
        line.split("  #", 1)[1]
        for block in code_blocks(readme)
        for line in block.splitlines()
        if "  #" in line
    ]
    assert len(comments) >= 10
    assert [comment for comment in comments if not CJK.search(comment)] == []


def test_offline_sql_file_of_the_readme_is_ignored_by_git(bake):
    project = bake()
    (project.path / "migrations.sql").write_text("-- review copy\n")
    subprocess.run(["git", "init", "-q"], cwd=project.path, check=True)
    ignored = subprocess.run(
        ["git", "check-ignore", "migrations.sql", "build/migrations.sql"],
        cwd=project.path,
        capture_output=True,
        text=True,
    )
    assert ignored.stdout.split() == ["migrations.sql", "build/migrations.sql"]


def test_postgresql_check_prints_no_sequence_noise(bake, postgresql_url):
    project = bake(database="postgresql")
    env = {"DATABASE_URL": postgresql_url}
    project.alembic("upgrade", "head", env=env)
    result = project.alembic("check", env=env)
    output = result.stdout + result.stderr
    assert "No new upgrade operations detected" in output
    assert "Detected sequence" not in output
