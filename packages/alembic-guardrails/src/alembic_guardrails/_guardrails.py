"""The object env.py talks to: the guards configured from alembic.ini and `-x`, in one place.

`Guardrails.options()` is what `context.configure()` needs for autogenerate and
`alembic check` (filters, refusals, review points, comparisons); the rest is
the run-time session (`run_online`, `guarded`, `run_with_lock_retries`,
`offline_timeouts`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError
from sqlalchemy import Connection
from sqlalchemy.engine import URL

from . import (
    _command_line,
    _compare,
    _drift,
    _expand_contract,
    _failures,
    _locks,
    _messages,
    _online_ddl,
    _phases,
    _plugin,
    _retire,
    _retries,
    _runtime,
)
from ._guards import Overrides, TableFilter, check_revision, split_list
from ._lint.offline import watch_data_steps

Directives = Callable[[MigrationContext, Any, list[Any]], None]


@dataclass
class Guardrails:
    """The guards of one Alembic run. Build it with `Guardrails.from_config(context.config)`."""

    config: Config
    environment: str = "dev"
    # (APP_ENV, ALEMBIC_ENV) when they disagree about production: announced, and it blocks downgrades.
    environment_conflict: tuple[str, str] | None = None
    table_filter: TableFilter = field(default_factory=TableFilter)
    protected_tables: tuple[str, ...] = ()
    x_arguments: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(
        cls,
        config: Config,
        *,
        environment: str = "dev",
        environment_conflict: tuple[str, str] | None = None,
    ) -> Guardrails:
        """Read the guards' settings from alembic.ini's [alembic] section and the `-x` arguments.

        Settings (all optional): `ignored_table_prefixes`, `ignored_table_suffixes`,
        `protected_tables` (comma-separated), `postgresql_safe_ddl` (true/false),
        `language` (en, zh), `migration_lock_name`.
        """
        option = config.get_main_option
        try:
            _messages.set_language(option("language") or "en")
        except ValueError as error:
            _command_line.fail(config, str(error))
        version_table = option("version_table") or "alembic_version"
        _locks.set_lock_name(option("migration_lock_name") or f"alembic-migrations:{version_table}")
        return cls(
            config=config,
            environment=environment,
            environment_conflict=environment_conflict,
            table_filter=TableFilter(
                prefixes=split_list(option("ignored_table_prefixes")),
                suffixes=split_list(option("ignored_table_suffixes")),
            ),
            protected_tables=split_list(option("protected_tables")),
            x_arguments=_x_arguments(config),
        )

    # --- autogenerate and `alembic check` -------------------------------------------------

    def options(self, target: Connection | URL | str | None = None) -> dict[str, Any]:
        """Keyword arguments for `context.configure()`.

        `target` is the connection (online) or the URL or backend name (offline --sql):
        SQLite gets batch mode and, on a connection made by `run_online`, transactional DDL.
        """
        backend = _backend_name(target)
        options: dict[str, Any] = dict(
            include_name=self.table_filter.include_name,
            include_object=_compare.without_unique_on_primary_key(self.table_filter.include_object),
            process_revision_directives=self.process_revision_directives,
            # Alembic compares types and server defaults (it skips defaults unless asked); the
            # alembic_guardrails plugin corrects both per database and adds enum value changes.
            compare_type=True,
            compare_server_default=True,
            autogenerate_plugins=["alembic.autogenerate.*", _plugin.register()],
            # One transaction per revision: a failure keeps every revision before it.
            transaction_per_migration=True,
            render_as_batch=backend == "sqlite",
            # Revisions read it as op.get_context().opts["env"] (helpers.environment()).
            env=self.environment,
        )
        if isinstance(target, Connection):
            options["transactional_ddl"] = _runtime.transactional_ddl(target)
        return options

    def process_revision_directives(
        self, migration_context: MigrationContext, revision: Any, directives: list[Any]
    ) -> None:
        """Correct what autogenerate found, then refuse empty and dangerous revisions.

        Runs for `alembic check` too, where it only corrects, and says on stderr what
        differs, one line per difference (Alembic's own error, its wording and exit status,
        follow): the refusals apply when a file would be written (`revision --autogenerate`).
        """
        metadata = migration_context.opts.get("target_metadata")
        post_deploy = _phases.post_deploy_flag(self.x_arguments)
        # Retired columns stay in the database until a post-deploy revision drops them.
        _retire.leave_retired_alone(directives[0], metadata, post_deploy=post_deploy)
        _compare.tidy(migration_context, directives[0])
        if not getattr(self.config.cmd_opts, "autogenerate", False):
            drift = _drift.report(directives[0], migration_context.dialect)
            if drift:
                print(drift, file=sys.stderr, flush=True)
            return
        if post_deploy:
            _phases.require_post_deploy_template(migration_context)
        online = _online_ddl.enabled(migration_context, self.config.get_main_option("postgresql_safe_ddl"))
        retired_drops = [
            drop
            for upgrade_ops in directives[0].upgrade_ops_list
            for drop in (_retire.retired_drops(upgrade_ops, metadata) if post_deploy else ())
        ]
        # `-x expand_contract=true`: column renames become an expand revision and a post-deploy
        # contract revision (_expand_contract.py); the rest of the revision is checked as ever.
        plan = _expand_contract.Plan.take(
            migration_context, directives[0], Overrides.from_x_arguments(self.x_arguments), self.x_arguments
        )
        review = (
            []
            if plan.emptied
            else check_revision(
                directives[0],
                protected_tables=self.protected_tables,
                overrides=plan.overrides,
                dialect=migration_context.dialect,
                online=online,
                connection=migration_context.connection,
                retired_drops=retired_drops,
            )
        )
        review += plan.write(migration_context, directives, online=online)
        review += _online_ddl.rewrite(migration_context, revision, directives, online)
        for point in review:
            print(f"  {_messages.text('review')}: {point}")

    # --- running revisions ------------------------------------------------------------------

    @contextmanager
    def one_line_errors(self) -> Iterator[None]:
        """Around what env.py runs: from the `alembic` command, an error is one `FAILED:` line on
        stderr (never in `--sql` output), with the next step for a half `--sql` range and for
        several heads; from Python, CommandError as always."""
        with _command_line.one_line_errors(self.config):
            yield

    def run_online(
        self,
        handed_over: Any,
        url: Callable[[], URL],
        migrate: Callable[[Connection], None],
    ) -> None:
        """Connect (or use the Engine/Connection a tool handed over), hold the migration lock,
        apply the lock timeouts, and call `migrate(connection)`. Async URLs run through asyncio
        as in Alembic's `async` template. Read-only commands (`current`, `check`) take no lock."""
        _runtime.run_online(handed_over, url, migrate, lock=_runtime.needs_lock(self.config))

    @contextmanager
    def guarded(self, migration_context: MigrationContext) -> Iterator[None]:
        """Around `context.run_migrations()`: the production guard, the deploy phase (`-x phase=pre`
        holds the post-deploy revisions back), then one line per failure."""
        _runtime.guard_environment(
            migration_context, self.environment, self.x_arguments, self.environment_conflict
        )
        _phases.apply_phase(migration_context, _phases.phase_of(self.x_arguments))
        with _failures.explain_failures(migration_context):
            yield

    @staticmethod
    def run_with_lock_retries(connection: Connection, run: Callable[[], None]) -> None:
        """Run the revisions, retrying a revision whose lock wait timed out (back-off, jitter)."""
        _retries.run_with_lock_retries(connection, run)

    def offline_timeouts(self, migration_context: MigrationContext) -> None:
        """Write the lock timeouts at the top of `--sql` output, as an online run would set them.

        And watch `op.get_bind()`: a revision that works on its data that way fails the command
        once its SQL is written, which is not what an online run does (_lint/offline.py). The
        deploy phase applies as online (`-x phase=pre`: no post-deploy revision in the SQL)."""
        _phases.apply_phase(migration_context, _phases.phase_of(self.x_arguments))
        _retries.offline_timeouts(migration_context)
        watch_data_steps(migration_context)


def _x_arguments(config: Config) -> dict[str, str]:
    """`-x key=value` from the command line (`config.cmd_opts`), none when run from Python."""
    values: dict[str, str] = {}
    for argument in getattr(getattr(config, "cmd_opts", None), "x", None) or ():
        key, _, value = argument.partition("=")
        values[key] = value
    return values


def _backend_name(target: Connection | URL | str | None) -> str | None:
    if isinstance(target, Connection):
        return target.dialect.name
    if isinstance(target, URL):
        return target.get_backend_name()
    return target.partition("://")[0].partition("+")[0] if target else None  # "sqlite:///x.db" or "sqlite"


def compares_models(config: Config) -> bool:
    """Whether this command compares the models with the database (revision --autogenerate,
    check, tools such as pytest-alembic); upgrade, downgrade, stamp and current only run
    revisions and can skip importing the models."""
    return _runtime.compares_models(config)


@contextmanager
def settings_errors(*errors: type[BaseException]) -> Iterator[None]:
    """Turn the project's own settings errors into Alembic's one-line `FAILED:`, not a traceback."""
    try:
        yield
    except errors as error:
        _command_line.fail(_running_config(), str(error))


def _running_config() -> Config | None:
    """The Config of the command env.py runs for; None outside one."""
    from alembic import context

    return getattr(context, "config", None)


def refuse_url_in_ini(config: Config) -> None:
    """For projects that read the URL from the environment: a `sqlalchemy.url` in alembic.ini
    would be silently ignored, so it is refused with the fix."""
    try:
        _runtime.refuse_url_in_ini(config)
    except CommandError as error:
        _command_line.fail(config, str(error))
