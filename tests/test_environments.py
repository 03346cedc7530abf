"""Environment-aware migrations: the second tutorial's demo-data revision, and production safety."""

import pytest
from sqlalchemy import create_engine, inspect, text

# The tutorial's revision, pasted as written (with its placeholder insert filled in).
TUTORIAL_DEMO_DATA = '''"""demo data

Revision ID: d3m0d474
Revises: 5f3a9c2e1b7d
"""
from alembic import op
import sqlalchemy as sa

revision = "d3m0d474"
down_revision = "5f3a9c2e1b7d"
branch_labels = None
depends_on = None


def upgrade() -> None:
    context = op.get_context()
    env = context.opts.get("env", "dev")

    if env == "prod":
        # 生产环境跳过 demo 数据初始化
        return

    # 开发 / 测试环境执行 demo 数据插入
    conn = op.get_bind()
    conn.execute(sa.text("INSERT INTO users (name) VALUES ('demo')"))


def downgrade() -> None:
    op.execute("DELETE FROM users WHERE name = 'demo'")
'''

# The same intent through the package's helper.
HELPER_DEMO_DATA = '''"""demo data via helper

Revision ID: h3lp3r00
Revises: d3m0d474
"""
import sqlalchemy as sa
from alembic import op

from alembic_guardrails.helpers import environment

revision = "h3lp3r00"
down_revision = "d3m0d474"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if environment() != "prod":
        op.bulk_insert(sa.table("users", sa.column("name", sa.String)), [{{"name": "helper-demo"}}])


def downgrade() -> None:
    op.execute("DELETE FROM users WHERE name = 'helper-demo'")
'''


@pytest.fixture(params=["sqlite", "postgresql"])
def project_with_demo_data(request, bake, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'envs.sqlite3'}"
    else:
        # Trust authentication ignores the password: it is here to prove it is never shown.
        url = request.getfixturevalue("postgresql_url").replace("postgres@", "postgres:hunter2%40pw@")
    project = bake(database=request.param)
    versions = project.path / "alembic" / "versions"
    (versions / "20251129_000000_demo_data.py").write_text(TUTORIAL_DEMO_DATA)
    (versions / "20251129_000001_demo_data_via_helper.py").write_text(
        HELPER_DEMO_DATA.format(package=project.context["package_name"])
    )
    return project, url


def user_names(url):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(text("SELECT name FROM users ORDER BY name")))
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, ["demo", "helper-demo"]),
        ({"APP_ENV": "staging"}, ["demo", "helper-demo"]),
        ({"APP_ENV": "prod"}, []),
        ({"APP_ENV": "production"}, []),
        ({"APP_ENV": "dev", "ALEMBIC_ENV": "prod"}, []),
    ],
)
def test_demo_data_only_outside_production(project_with_demo_data, environment, expected):
    project, url = project_with_demo_data
    project.alembic("upgrade", "head", env={"DATABASE_URL": url, **environment})
    assert user_names(url) == expected


def test_production_downgrade_is_refused_before_any_ddl(project_with_demo_data):
    project, url = project_with_demo_data
    prod = {"DATABASE_URL": url, "APP_ENV": "prod"}
    upgrade = project.alembic("upgrade", "head", env=prod)
    assert "Environment: prod" in upgrade.stderr and "command: upgrade" in upgrade.stderr

    refused = project.alembic("downgrade", "base", env=prod, check=False)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0
    assert "Refusing to downgrade a production database" in output
    assert "alembic -x allow_downgrade=true downgrade" in output
    assert "hunter2" not in output
    assert "h3lp3r00 (head)" in project.alembic("current", env=prod).stdout
    engine = create_engine(url)
    assert inspect(engine).has_table("users")
    engine.dispose()

    allowed = project.alembic("-x", "allow_downgrade=true", "downgrade", "base", env=prod)
    assert "command: downgrade" in allowed.stderr
    assert "hunter2" not in allowed.stdout + allowed.stderr
    engine = create_engine(url)
    assert not inspect(engine).has_table("users")
    engine.dispose()


def test_downgrade_outside_production_needs_no_flag(project_with_demo_data):
    project, url = project_with_demo_data
    env = {"DATABASE_URL": url, "APP_ENV": "staging"}
    project.alembic("upgrade", "head", env=env)
    result = project.alembic("downgrade", "base", env=env)
    assert "Environment: prod" not in result.stderr
