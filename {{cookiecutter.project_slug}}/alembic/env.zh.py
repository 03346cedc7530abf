"""Alembic 的入口：连哪个数据库、对比哪些模型、遵守哪些规则。

每条 alembic 命令都会执行这个文件。它的结构与 Alembic 自带的 `generic`
模板一致；安全规则来自 alembic-guardrails 库（vendor/alembic-guardrails），
在 alembic.ini 中配置。你自己的代码在 {{ cookiecutter.package_name }}/ 里：
模型，以及 settings（连接 URL 与运行环境）。
"""

from logging.config import fileConfig

from alembic import context
from alembic_guardrails import Guardrails, compares_models, refuse_url_in_ini, settings_errors
from sqlalchemy import Connection

from {{ cookiecutter.package_name }} import settings
from {{ cookiecutter.package_name }}.schema import metadata

# Alembic 的 Config 对象：用来读取 alembic.ini 中的配置。
config = context.config
# 数据库 URL 来自 DATABASE_URL，从不写在 alembic.ini 里。
refuse_url_in_ini(config)

# 按 alembic.ini 配置日志，但不关闭应用自己的 logger。
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

# autogenerate 拿数据库和谁对比：模型的元数据（命名约定在 schema.py）。
# 只执行迁移的命令只需要命名约定，因此只有需要对比的命令才会导入模型（以及背后的 ORM）。
target_metadata = metadata
if compares_models(config):
    import {{ cookiecutter.package_name }}.models  # noqa: F401  (注册每个模型的表)

# 本次运行属于哪个环境（dev、test、staging、prod）：取自 APP_ENV，迁移时可用 ALEMBIC_ENV 覆盖。
# 迁移脚本用 alembic_guardrails.helpers.environment() 读取。
with settings_errors(settings.SettingsError):
    environment = settings.environment_name(for_migrations=True)

# 在 alembic.ini 中配置的防护：忽略的表与受保护的表、拒绝空的和危险的 autogenerate 迁移、
# 需要复核的变更、按各数据库的实际存储方式对比类型与默认值。
guardrails = Guardrails.from_config(
    config, environment=environment, environment_conflict=settings.disagreeing_environments()
)


def database_url():
    with settings_errors(settings.SettingsError):
        return settings.database_url(environment=environment)


def run_migrations_offline() -> None:
    """把 SQL 写到标准输出（`--sql`），而不是执行它。"""
    url = database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **guardrails.options(url),
    )
    with context.begin_transaction():
        guardrails.offline_timeouts(context.get_context())
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    """在一个连接上配置上下文并执行迁移。"""
    context.configure(
        connection=connection, target_metadata=target_metadata, **guardrails.options(connection)
    )
    # 生产环境保护；迁移失败时只打印一行说明而不是整段 traceback；
    # 锁等待超时很短并带退避重试，线上流量不会排在迁移后面。
    with guardrails.guarded(context.get_context()), context.begin_transaction():
        guardrails.run_with_lock_retries(connection, context.run_migrations)


def run_migrations_online() -> None:
    """连接数据库（或使用 pytest-alembic 等工具传入的连接），取得迁移锁，
    保证同一时间只有一个进程迁移这个数据库，然后执行迁移。"""
    guardrails.run_online(config.attributes.get("connection"), database_url, do_run_migrations)


# 从 `alembic` 命令运行时，每个错误都是 stderr 上的一行 FAILED，并给出下一步做法
# （绝不会写进 `--sql` 的输出）；从 Python 调用时照常抛出 CommandError。
with guardrails.one_line_errors():
    if context.is_offline_mode():
        run_migrations_offline()
    else:
        run_migrations_online()
