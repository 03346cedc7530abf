"""Run a revision's upgrade() without a database, recording the operations it asks for.

Every `op.*` call builds an operation object of alembic.operations.ops (the
objects autogenerate produces) and hands it to `Operations.invoke`. Here that
invoke is a `RecordingOperations` one: it keeps the object and the line of the
revision file that made the call, and runs nothing. The module-level
`alembic.op` proxy points at it while the revision runs. Its MigrationContext is
an offline one (`as_sql`) for the dialect linted, so `op.get_context()`,
`autocommit_block()`, `is_offline()` and dialect checks work as under `--sql`.

`batch_alter_table` yields a `RecordingBatchOperations`: its operations are the
plain column operations on that table (the batch is never run, so SQLite's
table copy is not reflected or rendered).

`op.get_bind()` returns a stand-in connection: its `dialect` answers, anything
else (execute, inspect...) raises `DataStep`, which stops the revision there:
a data step cannot be checked without the data.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any, Literal

from alembic import op as op_module
from alembic.operations import BatchOperations, Operations, ops
from alembic.operations.batch import BatchOperationsImpl
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Table
from sqlalchemy.engine import URL, Dialect
from sqlalchemy.inspection import _inspects
from sqlalchemy.util import immutabledict

SQUAWK_IGNORE = "-- squawk-ignore"


class DataStep(BaseException):
    """The revision used the connection `op.get_bind()` returned: it reads or writes data.

    A BaseException, so that a revision's own `except Exception` does not swallow it."""


def normal_path(path: str | os.PathLike[str]) -> str:
    return os.path.normcase(os.path.realpath(path))


@dataclass(frozen=True)
class Recorded:
    """One operation the revision invoked, and where.

    `autocommit`: invoked inside `op.get_context().autocommit_block()`;
    `squawk_ignores`: `-- squawk-ignore` lines `helpers.squawk_ignore()` wrote just before it."""

    operation: ops.MigrateOperation
    line: int
    autocommit: bool = False
    squawk_ignores: tuple[str, ...] = ()
    # Invoked through `op.batch_alter_table()`'s batch_op.
    batch: bool = False


class Recorder:
    """What one revision's upgrade() invoked, each with its line in the revision file."""

    def __init__(self, path: str | os.PathLike[str], output: io.StringIO) -> None:
        self.path = normal_path(path)
        self.recorded: list[Recorded] = []
        # The line of the first op.get_bind() call, once the revision made one.
        self.bind_line: int | None = None
        self.autocommit = False
        self._output = output
        self._read = 0
        self._paths: dict[str, str] = {}

    def line(self) -> int:
        """The line of the revision file the current call came from (its innermost frame there).

        0 when the call did not come from the revision file (a module it imports, called at import)."""
        frame: FrameType | None = sys._getframe(1)
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename not in self._paths:
                self._paths[filename] = normal_path(filename)
            if self._paths[filename] == self.path:
                return frame.f_lineno
            frame = frame.f_back
        return 0

    def record(self, operation: ops.MigrateOperation, *, batch: bool = False) -> None:
        self.recorded.append(
            Recorded(
                operation,
                self.line(),
                autocommit=self.autocommit,
                squawk_ignores=self._squawk_ignores(),
                batch=batch,
            )
        )

    def bind_requested(self) -> None:
        if self.bind_line is None:
            self.bind_line = self.line()

    def _squawk_ignores(self) -> tuple[str, ...]:
        """The `-- squawk-ignore` comments written since the previous operation."""
        written = self._output.getvalue()
        new, self._read = written[self._read :], len(written)
        return tuple(line.strip() for line in new.splitlines() if line.strip().startswith(SQUAWK_IGNORE))


class OfflineEngine:
    """`op.get_bind().engine` while linting: what picks a database's DDL (`engine.url`,
    `engine.dialect`, `engine.name`), and no data."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.name = dialect.name
        self.url = URL.create(f"{dialect.name}+{dialect.driver}" if dialect.driver else dialect.name)

    def __getattr__(self, name: str) -> Any:
        raise DataStep(name)


class OfflineBind:
    """What `op.get_bind()` returns while linting: the dialect and the engine's URL, and no data."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.engine = OfflineEngine(dialect)

    def __getattr__(self, name: str) -> Any:
        raise DataStep(name)


# `sa.inspect(bind)` looks the class up in SQLAlchemy's inspection registry, not through
# __getattr__: register the stand-in, so reflecting through it is a data step too.
@_inspects(OfflineBind)
def _reflect_offline(bind: OfflineBind) -> Any:
    raise DataStep("inspect")


class RecordingOperations(Operations):
    """Operations whose invoke records instead of running."""

    def __init__(self, migration_context: MigrationContext, recorder: Recorder) -> None:
        super().__init__(migration_context)
        self.recorder = recorder

    def invoke(self, operation: ops.MigrateOperation) -> Any:
        self.recorder.record(operation)
        if isinstance(operation, ops.CreateTableOp):
            # op.create_table() returns its Table (revisions pass it to op.bulk_insert()).
            return operation.to_table(self.migration_context)
        return None

    def get_bind(self) -> Any:
        self.recorder.bind_requested()
        return OfflineBind(self.migration_context.dialect)

    @contextmanager
    def batch_alter_table(
        self,
        table_name: str,
        schema: str | None = None,
        recreate: Literal["auto", "always", "never"] = "auto",
        partial_reordering: list[tuple[str, ...]] | None = None,
        copy_from: Table | None = None,
        table_args: tuple[Any, ...] = (),
        table_kwargs: Mapping[str, Any] = immutabledict(),
        reflect_args: tuple[Any, ...] = (),
        reflect_kwargs: Mapping[str, Any] = immutabledict(),
        naming_convention: dict[str, str] | None = None,
    ) -> Iterator[BatchOperations]:
        # The batch's operations read their table from impl; it is never flushed (nothing runs).
        impl = BatchOperationsImpl(  # type: ignore[no-untyped-call]
            self,
            table_name,
            schema,
            recreate,
            copy_from,
            table_args,
            table_kwargs,
            reflect_args,
            reflect_kwargs,
            naming_convention,
            partial_reordering,
        )
        yield RecordingBatchOperations(self.migration_context, impl, self.recorder)


class RecordingBatchOperations(BatchOperations):
    """`batch_op.*` calls: the same operation objects, on the batch's table, recorded."""

    def __init__(
        self, migration_context: MigrationContext, impl: BatchOperationsImpl, recorder: Recorder
    ) -> None:
        super().__init__(migration_context, impl=impl)
        self.recorder = recorder

    def invoke(self, operation: ops.MigrateOperation) -> Any:
        self.recorder.record(operation, batch=True)
        return None

    def get_bind(self) -> Any:
        self.recorder.bind_requested()
        return OfflineBind(self.migration_context.dialect)


def offline_context(dialect_name: str, output: io.StringIO) -> MigrationContext:
    """A MigrationContext as `alembic upgrade --sql` has one: no connection, SQL into `output`."""
    return MigrationContext.configure(
        dialect_name=dialect_name,
        opts={"as_sql": True, "output_buffer": output, "literal_binds": True},
    )


@contextmanager
def recording(dialect_name: str, path: str | os.PathLike[str]) -> Iterator[Recorder]:
    """Point `alembic.op` at a RecordingOperations for the revision file `path`, and yield its Recorder."""
    output = io.StringIO()
    migration_context = offline_context(dialect_name, output)
    recorder = Recorder(path, output)
    autocommit_block = migration_context.autocommit_block

    @contextmanager
    def tracked_autocommit_block() -> Iterator[None]:
        recorder.autocommit = True
        try:
            with autocommit_block():
                yield
        finally:
            recorder.autocommit = False

    # On this instance only: operations invoked inside the block are marked autocommit.
    setattr(migration_context, "autocommit_block", tracked_autocommit_block)  # noqa: B010
    operations = RecordingOperations(migration_context, recorder)
    # What Operations.context() does, for a subclass: the module functions call `_proxy`.
    proxy = vars(op_module)
    previous = proxy.get("_proxy")
    proxy["_proxy"] = operations
    try:
        yield recorder
    finally:
        proxy["_proxy"] = previous
