"""docs_language=zh: the guards speak Chinese, env.py and the first revision are commented in Chinese."""

import re

CJK = re.compile(r"[\u4e00-\u9fff]")


def comments(path):
    return [line for line in path.read_text().splitlines() if line.lstrip().startswith(("#", '"""'))]


def test_english_is_the_default(bake):
    project = bake()
    assert not CJK.search((project.path / "alembic" / "env.py").read_text())
    assert not CJK.search((project.path / "README.md").read_text())
    assert not list(project.path.glob("*.zh.md"))
    project.alembic("upgrade", "head")
    result = project.alembic("revision", "--autogenerate", "-m", "nothing", check=False)
    assert "No schema change detected" in result.stderr  # an error: on stderr, as every FAILED line


def test_chinese_bake_speaks_chinese_and_passes_its_checks(bake, tmp_path):
    project = bake(docs_language="zh", with_examples=True)
    for document in ("README.md", "EXAMPLES.md"):
        headings = [
            line for line in (project.path / document).read_text().splitlines() if line.startswith("## ")
        ]
        assert headings and all(CJK.search(heading) for heading in headings), document
    assert not list(project.path.glob("*.zh.md"))
    env_py = project.path / "alembic" / "env.py"
    assert sum(bool(CJK.search(line)) for line in comments(env_py)) >= 8
    first_revision = project.versions()[0]
    assert first_revision.name.endswith("_create_users_table.py") and CJK.search(first_revision.read_text())

    project.ruff()
    project.pytest()

    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'zh.sqlite3'}"}
    project.alembic("upgrade", "head", env=env)
    empty = project.alembic("revision", "--autogenerate", "-m", "nothing", env=env, check=False)
    assert empty.returncode != 0 and "没有检测到任何 schema 变更" in empty.stderr
    project.edit(
        f"{project.context['package_name']}/models.py",
        "    name: Mapped[str] = mapped_column(String(50))\n",
        "",
    )
    dropped = project.alembic("revision", "--autogenerate", "-m", "drop name", env=env, check=False)
    assert "拒绝生成会破坏受保护表的迁移" in dropped.stderr and "users.name: 删除列" in dropped.stderr
    assert len(project.versions()) == 4  # the first revision and the three examples: nothing written
