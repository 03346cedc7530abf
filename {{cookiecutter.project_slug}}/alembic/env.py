{%- import "i18n/" ~ cookiecutter.docs_language ~ ".jinja" as t -%}
{{ t.env_docstring }}

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from {{ cookiecutter.package_name }}.migrations import compare, online_ddl, retries, runtime
from {{ cookiecutter.package_name }}.migrations.guards import (
    Overrides,
    TableFilter,
    check_revision,
    split_list,
)
from {{ cookiecutter.package_name }}.migrations.messages import text
from {{ cookiecutter.package_name }}.schema import metadata

{{ t.env_config }}
config = context.config
runtime.refuse_url_in_ini(config)

{{ t.env_logging }}
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

{{ t.env_metadata }}
target_metadata = metadata
if runtime.compares_models(config):
    import {{ cookiecutter.package_name }}.models  # noqa: F401  (registers every model's table)

{{ t.env_environment }}
environment = runtime.migration_environment()
x_arguments = context.get_x_argument(as_dictionary=True)

{{ t.env_filter }}
table_filter = TableFilter(
    prefixes=split_list(config.get_main_option("ignored_table_prefixes")),
    suffixes=split_list(config.get_main_option("ignored_table_suffixes")),
)


def process_revision_directives(migration_context, revision, directives):
{{ t.env_directives }}
{{ t.env_tidy }}
    compare.tidy(migration_context, directives[0])
    if not getattr(config.cmd_opts, "autogenerate", False):
        return
    online = online_ddl.enabled(migration_context, config.get_main_option("postgresql_safe_ddl"))
    review = check_revision(
        directives[0],
        protected_tables=split_list(config.get_main_option("protected_tables")),
        overrides=Overrides.from_x_arguments(x_arguments),
        dialect=migration_context.dialect,
        online=online,
    )
    review += online_ddl.rewrite(migration_context, revision, directives, online)
    for point in review:
        print(f"  {text('review')}: {point}")


common_options = dict(
    target_metadata=target_metadata,
    include_name=table_filter.include_name,
    include_object=compare.without_unique_on_primary_key(table_filter.include_object),
    process_revision_directives=process_revision_directives,
{{ t.env_compare_type }}
    compare_type=compare.compare_type,
    compare_server_default=compare.compare_server_default,
{{ t.env_per_migration }}
    transaction_per_migration=True,
    env=environment,
)


def run_migrations_offline() -> None:
{{ t.env_offline }}
    url = runtime.migration_url(environment)
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.get_backend_name() == "sqlite",
        **common_options,
    )
    with context.begin_transaction():
        retries.offline_timeouts(context.get_context())
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
{{ t.env_do_run }}
    context.configure(
        connection=connection,
{{ t.env_batch }}
        render_as_batch=connection.dialect.name == "sqlite",
{{ t.env_transactional }}
        transactional_ddl=runtime.transactional_ddl(connection),
        **common_options,
    )
    runtime.guard_environment(context.get_context(), environment, x_arguments)
    with runtime.explain_failures(context.get_context()), context.begin_transaction():
        retries.run_with_lock_retries(connection, context.run_migrations)


def run_migrations_online() -> None:
{{ t.env_online }}
    runtime.run_online(
        config.attributes.get("connection"),
        lambda: runtime.migration_url(environment),
        do_run_migrations,
        lock=runtime.needs_lock(config),
    )


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
