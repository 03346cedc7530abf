"""`alembic upgrade --sql` over a revision that works on its data through `op.get_bind()`.

Under `--sql` the connection `op.get_bind()` returns only prints: a statement
it executes is written to the script, but a read returns nothing, so whatever
the revision decides from its data (which rows, how many batches, whether at
all) is not what the online upgrade would do. A DBA who runs that script gets a
database the online upgrade would not have made.

So, from `Guardrails.offline_timeouts()`, the run watches the connections
`op.get_bind()` hands out: a revision that uses one for anything but its
`dialect` is remembered (the same use lint reports as data-step-not-checkable).
Once the revisions have run, the script ends with a `-- WARNING` comment and the
command fails with one line naming the revision (exit status 1). A revision that
fails on what the printing connection returned fails with that line too.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

from alembic import op as op_module
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError


def _asking_revision() -> tuple[str, str]:
    """(revision id, file:line) of the revision code that called op.get_bind(): the innermost
    frame whose module names a revision."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals
        if "revision" in module and "down_revision" in module:
            return str(module["revision"]), f"{frame.f_code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "?", "unknown"


def _failure(asking: dict[str, str]) -> str:
    revisions = ", ".join(f"{revision} ({where})" for revision, where in asking.items())
    return (
        f"revision {revisions} works on its data through op.get_bind(), whose connection only prints "
        "under --sql (reads return nothing): this SQL is not what an online upgrade does"
    )


class _WatchedBind:
    """The connection op.get_bind() returned, telling `asking` when it is used beyond its dialect."""

    def __init__(self, bind: Any, revision: tuple[str, str], asking: dict[str, str]) -> None:
        self._bind = bind
        self._revision = revision
        self._asking = asking

    def __getattr__(self, name: str) -> Any:
        if name != "dialect":
            self._asking.setdefault(*self._revision)
        return getattr(self._bind, name)


def watch_data_steps(migration_context: MigrationContext) -> None:
    """Under `--sql`, make run_migrations() fail, after writing its SQL, when a revision used
    the connection of op.get_bind()."""
    if not migration_context.as_sql:
        return
    run_migrations: Callable[..., None] = migration_context.run_migrations
    # revision id -> where it called op.get_bind()
    asking: dict[str, str] = {}

    def watching(get_bind: Callable[[], Any]) -> Callable[[], Any]:
        def watched_get_bind() -> Any:
            return _WatchedBind(get_bind(), _asking_revision(), asking)

        return watched_get_bind

    def watched_run_migrations(**kw: Any) -> None:
        # EnvironmentContext.run_migrations() has installed the `op` proxy for this run.
        operations = vars(op_module).get("_proxy")
        if operations is not None:
            setattr(operations, "get_bind", watching(operations.get_bind))  # noqa: B010
        try:
            run_migrations(**kw)
        except Exception as error:
            if not asking:
                raise
            migration_context.impl.static_output(f"-- WARNING: {_failure(asking)}")
            raise CommandError(_failure(asking)) from error
        if asking:
            migration_context.impl.static_output(f"-- WARNING: {_failure(asking)}")
            raise CommandError(_failure(asking))

    setattr(migration_context, "run_migrations", watched_run_migrations)  # noqa: B010
