"""Proof under live traffic: a schema change the template's way against the naive way, on a running app.

An application (benchmarks/_live_app.py: readers and writers through a copy of the baked
package's own models and `db.session_scope()`) runs the old code, then the new code, while the
database changes under it. Every operation's start, wait and error is recorded. Two changes:

- retire: drop `users.nickname`. Ours: the model retires it (`__table_args__ =
  retire("nickname")`, nothing to migrate before the deploy), and the drop is a post-deploy
  revision (`alembic -x post_deploy=true revision --autogenerate`). Naive: one revision with
  `op.drop_column`.
- rename: `users.fullname` becomes `users.display_name`. Ours: `alembic -x
  rename=users.fullname:display_name -x expand_contract=true revision --autogenerate` (expand:
  new column, sync triggers, batched backfill; contract, post-deploy: triggers and old column
  dropped). Naive: one revision with `op.alter_column(..., new_column_name=...)`. Run only when
  that command writes its two revisions; reported as not run otherwise.

The sequence, each side on a freshly created database with --rows users:

- ours: old code running, `alembic -x phase=pre upgrade head`, deploy (the new code starts,
  both run for --overlap seconds as in a rolling deploy, the old code stops), `alembic -x
  phase=post upgrade head`;
- naive: old code running, `alembic upgrade head`, then the same deploy. Alembic's own lock
  behaviour (MIGRATION_LOCK_TIMEOUT=0: no lock timeout), as a project without the template has.

A migration command that fails stops the sequence there, as it stops a deploy pipeline: the code
that is running keeps running, and the side is reported as failed. Every alembic command of both
sides runs against a long transaction: it reads users before the command starts and stays open
until --hold seconds after the migration's connection shows up (or the command ends).

Reported per database, change and side: the errors the application saw (by kind), its longest
wait and its p99 wait, naive against ours (each app thread's first 5 operations, which connect
and compile, are start-up and left out), and whether the migrations were done; afterwards, the table must have
the new code's columns, every row a display_name, and no trigger left. Goals for ours: every
migration done, no error, longest wait <= 250 ms (--check: exit 1 otherwise). The chart
(--chart, default benchmarks/live_traffic.png; needs matplotlib, see
live_traffic.requirements.txt) draws every operation's wait over time with the phases marked;
--json keeps the records, --from-json draws and tabulates them again without a run.

    python benchmarks/live_traffic.py [--databases postgresql,mysql] [--scenarios retire,rename]
        [--rows 20000] [--hold 3] [--ours-env MIGRATION_LOCK_TIMEOUT=1s] [--json PATH] [--check]

Databases: throwaway lt_pg on --pg-url's server and lt_my on --mysql-url's, dropped and created
again for each side, dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import ALEMBIC, alembic, bake, environment, machine, revision_file
from sqlalchemy import create_engine, make_url, text

HERE = Path(__file__).resolve().parent
LIBRARY = HERE.parent / "packages" / "alembic-guardrails" / "src" / "alembic_guardrails"
MAX_WAIT_GOAL = 0.25  # seconds, ours
DATABASES = {
    "postgresql": ("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", "lt_pg"),
    "mysql": ("mysql+pymysql://root@127.0.0.1:3306/mysql", "lt_my"),
}
NAIVE_ENV = {"MIGRATION_LOCK_TIMEOUT": "0"}  # Alembic's own behaviour: wait for locks forever

NAME = "    name: Mapped[str] = mapped_column(String(50))\n"
TABLENAME = '    __tablename__ = "users"\n'
IMPORT = "from .schema import metadata"
COLUMNS = {
    "nickname": '    nickname: Mapped[str] = mapped_column(String(20), server_default="")\n',
    "fullname": '    fullname: Mapped[str] = mapped_column(String(50), server_default="")\n',
    "display_name": '    display_name: Mapped[str] = mapped_column(String(50), server_default="")\n',
}
NAIVE_REVISIONS = {
    "retire": (
        'op.drop_column("users", "nickname")',
        'op.add_column("users", sa.Column("nickname", sa.String(20), server_default="", nullable=False))',
    ),
    "rename": (
        'op.alter_column("users", "fullname", new_column_name="display_name", '
        'existing_type=sa.String(50), existing_nullable=False, existing_server_default="")',
        'op.alter_column("users", "display_name", new_column_name="fullname", '
        'existing_type=sa.String(50), existing_nullable=False, existing_server_default="")',
    ),
}
OURS_STEPS = (
    ("pre", ("-x", "phase=pre", "upgrade", "head")),
    ("deploy", ()),
    ("post", ("-x", "phase=post", "upgrade", "head")),
)
NAIVE_STEPS = (("migration", ("upgrade", "head")), ("deploy", ()))


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="postgresql,mysql")
    parser.add_argument("--scenarios", default="retire,rename")
    parser.add_argument("--rows", type=int, default=20_000, help="users rows (default 20,000)")
    parser.add_argument("--hold", type=float, default=3.0, help="long transaction, seconds (default 3)")
    parser.add_argument("--warm", type=float, default=2.0, help="old code alone before the first step (s)")
    parser.add_argument("--gap", type=float, default=2.0, help="between the steps (s)")
    parser.add_argument("--overlap", type=float, default=2.0, help="old and new code both running (s)")
    parser.add_argument("--pace", type=float, default=0.02, help="pause between one thread's operations (s)")
    parser.add_argument("--readers", type=int, default=2, help="reader threads per app process")
    parser.add_argument("--writers", type=int, default=1, help="writer threads per app process")
    parser.add_argument("--pg-url", default=DATABASES["postgresql"][0])
    parser.add_argument("--mysql-url", default=DATABASES["mysql"][0])
    parser.add_argument("--chart", default=str(HERE / "live_traffic.png"), help="'' for none")
    parser.add_argument("--json", default="", help="write every operation's record here")
    parser.add_argument(
        "--ours-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for ours' alembic commands (e.g. MIGRATION_LOCK_TIMEOUT=1s); repeatable",
    )
    parser.add_argument("--from-json", default="", help="no run: the table and chart of a --json file")
    parser.add_argument("--check", action="store_true", help="exit 1 when ours misses a goal")
    args = parser.parse_args()
    args.ours_env = dict(item.split("=", 1) for item in args.ours_env)
    args.databases = [name for name in args.databases.split(",") if name]
    args.scenarios = [name for name in args.scenarios.split(",") if name]
    if set(args.databases) - set(DATABASES) or set(args.scenarios) - {"retire", "rename"}:
        parser.error("--databases: postgresql,mysql; --scenarios: retire,rename")
    return args


def expand_contract_available() -> bool:
    return any("expand_contract" in path.read_text(encoding="utf-8") for path in LIBRARY.rglob("*.py"))


# --- the databases -------------------------------------------------------------------------


@dataclass
class Database:
    backend: str
    admin_url: str
    name: str

    @property
    def mysql(self) -> bool:
        return self.backend == "mysql"

    @property
    def url(self) -> str:
        return make_url(self.admin_url).set(database=self.name).render_as_string(hide_password=False)

    def recreate(self, drop_only: bool = False) -> None:
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            force = "" if self.mysql else " WITH (FORCE)"
            connection.execute(text(f"DROP DATABASE IF EXISTS {self.name}{force}"))
            if not drop_only:
                connection.execute(text(f"CREATE DATABASE {self.name}"))
        admin.dispose()

    def server(self) -> str:
        engine = create_engine(self.admin_url)
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version()")).scalar()
        engine.dispose()
        return found.split(" on ")[0] if not self.mysql else f"MariaDB {found.split('-')[0]}"

    def seed(self, rows: int, column: str) -> None:
        engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            if self.mysql:
                connection.execute(
                    text(
                        f"INSERT INTO users (name, {column}) SELECT CONCAT('user ', seq), CONCAT('n', seq) "
                        f"FROM seq_1_to_{rows}"
                    )
                )
                connection.execute(text("ANALYZE TABLE users"))
            else:
                connection.execute(
                    text(
                        f"INSERT INTO users (name, {column}) SELECT 'user ' || n, 'n' || n "
                        "FROM generate_series(1, :rows) AS n"
                    ),
                    {"rows": rows},
                )
                connection.execute(text("VACUUM ANALYZE users"))
                connection.execute(text("CHECKPOINT"))
        engine.dispose()

    def connection_ids(self, connection) -> set[int]:
        if self.mysql:
            query = "SELECT id FROM information_schema.processlist WHERE db = DATABASE()"
        else:
            query = "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        return {row[0] for row in connection.execute(text(query))}


# --- the projects --------------------------------------------------------------------------


@dataclass
class Side:
    """One side of one change: its project, the old and the new code, the revision the app starts at."""

    project: Path
    package: str
    old_code: Path
    new_code: Path
    start_revision: str
    column: str  # the column the old code writes, seeded
    steps: tuple
    env: dict[str, str] = field(default_factory=dict)


def revision_of(path: Path) -> str:
    return re.search(r'^revision(?:: str)? = "([^"]+)"', path.read_text(), re.MULTILINE).group(1)


def versions(project: Path) -> set[Path]:
    return set((project / "alembic" / "versions").glob("*.py"))


def edit(path: Path, old: str, new: str) -> None:
    source = path.read_text()
    if old not in source:
        raise SystemExit(f"{old!r} not in {path}")
    path.write_text(source.replace(old, new, 1))


def snapshot(project: Path, package: str, into: Path) -> Path:
    """A copy of the package as this version of the code has it: what the app process imports."""
    shutil.copytree(project / package, into / package, ignore=shutil.ignore_patterns("__pycache__"))
    return into


def new_revisions(project: Path, env: dict[str, str], *arguments: str) -> list[Path]:
    before = versions(project)
    alembic(project, *arguments, env=env)
    return sorted(versions(project) - before)


class NotWritten(Exception):
    """The library could not write our side of a change (a feature not there yet)."""


def feature_revisions(project: Path, env: dict[str, str], *arguments: str) -> list[Path]:
    """new_revisions() for a command of a feature that may not exist yet: NotWritten if it fails."""
    before = versions(project)
    result = alembic(project, *arguments, env=env, check=False)
    written = sorted(versions(project) - before)
    if result.returncode != 0 or len(written) != 2:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise NotWritten(f"`alembic {' '.join(arguments)}` wrote {len(written)} revision(s): {last}")
    return written


def prepare(base: Path, work: Path, database: Database, scenario: str) -> dict[str, Side]:
    """Both sides of one change, written from the same old state, as each way writes them."""
    package = base.name.replace("-", "_")
    env = environment(DATABASE_URL=database.url)
    database.recreate()
    old = work / f"{scenario}-old-project"
    shutil.copytree(base, old)
    models = old / package / "models.py"
    column = "nickname" if scenario == "retire" else "fullname"
    alembic(old, "upgrade", "head", env=env)
    edit(models, NAME, NAME + COLUMNS[column])
    (added,) = new_revisions(old, env, "revision", "--autogenerate", "-m", f"add {column}")
    alembic(old, "upgrade", "head", env=env)
    start = revision_of(added)
    old_code = snapshot(old, package, work / f"{scenario}-old-code")

    # Naive: the new model, and the change as one plain revision.
    naive = work / f"{scenario}-naive"
    shutil.copytree(old, naive)
    naive_models = naive / package / "models.py"
    if scenario == "retire":
        edit(naive_models, COLUMNS["nickname"], "")
    else:
        edit(naive_models, COLUMNS["fullname"], COLUMNS["display_name"])
    upgrade, downgrade = NAIVE_REVISIONS[scenario]
    (naive / "alembic" / "versions" / f"20270101_000001_naive_{scenario}.py").write_text(
        revision_file(
            f"naive{scenario}",
            f"{scenario} the naive way",
            "import sqlalchemy as sa\nfrom alembic import op\n",
            "    " + upgrade,
            "    " + downgrade,
            down_revision=start,
        )
    )
    naive_code = snapshot(naive, package, work / f"{scenario}-naive-code")

    # Ours: as the README says.
    ours = work / f"{scenario}-ours"
    shutil.copytree(old, ours)
    ours_models = ours / package / "models.py"
    if scenario == "retire":
        edit(ours_models, COLUMNS["nickname"], "")
        edit(ours_models, TABLENAME, TABLENAME + '    __table_args__ = retire("nickname")\n')
        edit(ours_models, IMPORT, "from alembic_guardrails import retire\n\n" + IMPORT)
        retiring = alembic(ours, "revision", "--autogenerate", "-m", "retire nickname", env=env, check=False)
        if retiring.returncode == 0:
            raise SystemExit("retiring nickname wrote a revision; expected none (it has a server default)")
        written = new_revisions(
            ours, env, "-x", "post_deploy=true", "revision", "--autogenerate", "-m", "drop nickname"
        )
    else:
        edit(ours_models, COLUMNS["fullname"], COLUMNS["display_name"])
        written = feature_revisions(
            ours,
            env,
            "-x",
            "rename=users.fullname:display_name",
            "-x",
            "expand_contract=true",
            "revision",
            "--autogenerate",
            "-m",
            "rename fullname to display_name",
        )
    if not any("\npost_deploy = True" in path.read_text() for path in written):
        raise SystemExit(f"no post-deploy revision among {[path.name for path in written]}")
    if scenario == "rename" and "TRIGGER" not in "".join(path.read_text().upper() for path in written):
        raise SystemExit(
            f"no sync trigger in the expand/contract revisions {[path.name for path in written]}"
        )
    print(f"{database.backend} {scenario} ours wrote: {', '.join(path.name for path in written)}", flush=True)
    ours_code = snapshot(ours, package, work / f"{scenario}-ours-code")
    return {
        "naive": Side(naive, package, old_code, naive_code, start, column, NAIVE_STEPS, dict(NAIVE_ENV)),
        "ours": Side(ours, package, old_code, ours_code, start, column, OURS_STEPS),
    }


# --- one run -------------------------------------------------------------------------------


class App:
    """One application process of one version of the code."""

    running: list[App] = []  # killed if the benchmark stops half-way

    def __init__(self, code: Path, package: str, url: str, label: str, args: argparse.Namespace, out: Path):
        self.output = out / f"{label}-{time.monotonic_ns()}.json"
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "_live_app.py"),
                str(code),
                package,
                str(self.output),
                f"--readers={args.readers}",
                f"--writers={args.writers}",
                f"--pace={args.pace}",
                f"--rows={args.rows}",
                f"--label={label}",
            ],
            cwd=code,
            env=environment(DATABASE_URL=url),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        App.running.append(self)
        line = self.process.stdout.readline()
        if line.strip() != "READY":
            self.process.kill()
            raise SystemExit(f"the {label} app did not start: {line!r}")
        self.ready = time.time()

    def stop(self) -> dict:
        self.process.stdin.close()
        App.running.remove(self)
        if self.process.wait(timeout=120) != 0:
            raise SystemExit(f"an app process exited {self.process.returncode}")
        self.stopped = time.time()
        return json.loads(self.output.read_text())


def migrate(database: Database, side: Side, arguments: tuple[str, ...], hold: float) -> dict:
    """Run one alembic command against a long transaction; when each happened, and its output."""
    holder = create_engine(database.url)
    watcher = create_engine(database.url, isolation_level="AUTOCOMMIT")
    env = environment(DATABASE_URL=database.url, **side.env)
    with holder.connect() as holding, watcher.connect() as watch:
        holding.execute(text("SELECT count(*) FROM users"))  # ACCESS SHARE / a shared metadata lock
        known = database.connection_ids(watch)
        started = time.time()
        process = subprocess.Popen(
            [ALEMBIC, *arguments],
            cwd=side.project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        seen = None
        while process.poll() is None:
            if seen is None and database.connection_ids(watch) - known:
                seen = time.time()  # the migration connected
            if seen is not None and time.time() - seen >= hold:
                break
            time.sleep(0.01)
        holding.rollback()
        released = time.time()
        stdout, stderr = process.communicate(timeout=300)
        ended = time.time()
    holder.dispose()
    watcher.dispose()
    failed = None
    if process.returncode != 0:
        failed = next(
            (line for line in stderr.splitlines() if line.startswith("FAILED")),
            (stderr.strip().splitlines() or [f"exit {process.returncode}"])[-1],
        )
    return {
        "start": started,
        "end": ended,
        "held": [started, released],
        "failed": failed,
        "output": (stdout + stderr).strip().splitlines()[-3:],
    }


def check_result(database: Database, side: Side, rows: int) -> None:
    """The change really happened, and no row lost its value: users has the new code's columns,
    and every row (seeded, or written by either code) has the renamed column filled."""
    engine = create_engine(database.url)
    with engine.connect() as connection:
        columns = {row[0] for row in connection.execute(text(COLUMNS_QUERY[database.mysql]))}
        expected = {"id", "name"} | ({"display_name"} if side.column == "fullname" else set())
        if columns != expected:
            raise SystemExit(f"{side.project.name}: users has {sorted(columns)}, expected {sorted(expected)}")
        count = connection.execute(text("SELECT count(*) FROM users")).scalar()
        if count < rows:
            raise SystemExit(f"{side.project.name}: {count} users left of {rows}")
        if side.column == "fullname":
            empty = connection.execute(
                text("SELECT count(*) FROM users WHERE display_name IS NULL OR display_name = ''")
            ).scalar()
            if empty:
                raise SystemExit(f"{side.project.name}: {empty} users without display_name")
        if not database.mysql:
            triggers = connection.execute(
                text("SELECT count(*) FROM information_schema.triggers WHERE event_object_table = 'users'")
            ).scalar()
        else:
            triggers = connection.execute(
                text(
                    "SELECT count(*) FROM information_schema.triggers "
                    "WHERE event_object_schema = DATABASE() AND event_object_table = 'users'"
                )
            ).scalar()
        if triggers:
            raise SystemExit(f"{side.project.name}: {triggers} trigger(s) left on users")
    engine.dispose()


COLUMNS_QUERY = {
    False: "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' "
    "AND table_schema = current_schema()",
    True: "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' "
    "AND table_schema = DATABASE()",
}


def run_side(database: Database, side: Side, args: argparse.Namespace, out: Path) -> dict:
    database.recreate()
    alembic(side.project, "upgrade", side.start_revision, env=environment(DATABASE_URL=database.url))
    database.seed(args.rows, side.column)
    records: list = []
    samples: dict[str, str] = {}
    phases: list[dict] = []
    old = App(side.old_code, side.package, database.url, "old", args, out)
    origin = old.ready
    time.sleep(args.warm)
    current = old
    for index, (phase, command) in enumerate(side.steps):
        if index:
            time.sleep(args.gap)
        if phase == "deploy":
            started = time.time()
            new = App(side.new_code, side.package, database.url, "new", args, out)
            time.sleep(args.overlap)
            stopped = old.stop()
            records += stopped["records"]
            samples.update(stopped["samples"])
            phases.append({"phase": phase, "start": started, "end": time.time(), "ready": new.ready})
            current = new
        else:
            step = migrate(database, side, command, args.hold)
            phases.append({"phase": phase, **step})
            if step["failed"]:
                # The deploy pipeline stops here: the code that is running keeps running.
                print(f"  {side.project.name}, {phase}: migration failed: {step['failed']}", flush=True)
                break
    time.sleep(args.gap)
    last = current.stop()
    records += last["records"]
    samples.update(last["samples"])
    failed = next((f"{p['phase']}: {p['failed']}" for p in phases if p.get("failed")), None)
    if failed is None:
        check_result(database, side, args.rows)
    records.sort()
    rebase = lambda moment: moment - origin  # noqa: E731
    return {
        "records": [[rebase(r[0]), *r[1:]] for r in records],
        "samples": samples,
        "failed": failed,
        "phases": [
            {
                **phase,
                "start": rebase(phase["start"]),
                "end": rebase(phase["end"]),
                **({"held": [rebase(moment) for moment in phase["held"]]} if "held" in phase else {}),
                **({"ready": rebase(phase["ready"])} if "ready" in phase else {}),
            }
            for phase in phases
        ],
    }


# --- figures -------------------------------------------------------------------------------


def traffic(run: dict) -> list[list]:
    """The records the figures count: each app thread's first operations (start-up) left out."""
    return [record for record in run["records"] if not record[5]]


def figures(run: dict) -> dict:
    waits = sorted(record[1] for record in traffic(run))
    errors: dict[str, int] = {}
    for record in traffic(run):
        if record[3] is not None:
            errors[record[3]] = errors.get(record[3], 0) + 1
    p99 = statistics.quantiles(waits, n=100)[98] if len(waits) > 1 else waits[0]
    return {
        "queries": len(waits),
        "errors": sum(errors.values()),
        "by_kind": errors,
        "longest": waits[-1],
        "p99": p99,
        "median": statistics.median(waits),
        "failed": run.get("failed"),
    }


def describe(figure: dict) -> str:
    kinds = ", ".join(f"{kind}: {count}" for kind, count in sorted(figure["by_kind"].items())) or "none"
    return (
        f"{figure['queries']} queries, {figure['errors']} errors ({kinds}), longest {figure['longest'] * 1000:.0f} ms, "
        f"p99 {figure['p99'] * 1000:.1f} ms"
        + (f"; MIGRATION FAILED ({figure['failed'][:60]}...)" if figure["failed"] else "")
    )


def outcome(figure: dict) -> str:
    return f"FAILED ({figure['failed'].split(':')[0]})" if figure["failed"] else "done"


def table(results: dict, servers: dict[str, str], args: argparse.Namespace, skipped: list[str]) -> bool:
    print(f"\n{args.rows:,} rows, long transaction {args.hold:g} s per migration command; {machine()}")
    for backend, server in servers.items():
        print(f"{backend}: {server}")
    header = (
        "| Database | Change | Queries (naive / ours) | Errors, naive | Errors, ours | "
        "Longest wait (naive / ours) | Ratio | p99 wait (naive / ours) | Ratio | Migrations (naive / ours) |"
    )
    print("\n" + header)
    print("|" + " --- |" * 10)
    passed = True
    for (backend, scenario), sides in results.items():
        naive, ours = figures(sides["naive"]), figures(sides["ours"])

        def kinds(figure: dict) -> str:
            return (
                f"{figure['errors']} ("
                + ", ".join(f"{kind} x{count}" for kind, count in sorted(figure["by_kind"].items()))
                + ")"
                if figure["errors"]
                else "0"
            )

        print(
            f"| {backend} | {scenario} | {naive['queries']} / {ours['queries']} | {kinds(naive)} | {kinds(ours)} | "
            f"{naive['longest'] * 1000:,.0f} ms / {ours['longest'] * 1000:,.0f} ms | "
            f"{ours['longest'] / naive['longest']:.3f} | "
            f"{naive['p99'] * 1000:,.1f} ms / {ours['p99'] * 1000:,.1f} ms | {ours['p99'] / naive['p99']:.3f} | "
            f"{outcome(naive)} / {outcome(ours)} |"
        )
        passed = passed and ours["errors"] == 0 and ours["longest"] <= MAX_WAIT_GOAL and not ours["failed"]
    for line in skipped:
        print(line)
    for (backend, scenario), sides in results.items():
        for side, run in sides.items():
            if run.get("failed"):
                print(f"  {backend} {scenario} {side}, migration failed: {run['failed']}")
    for (backend, scenario), sides in results.items():
        for side, run in sides.items():
            for kind, sample in sorted(run["samples"].items()):
                print(f"  {backend} {scenario} {side}, {kind}: {sample}")
    print(
        f"ours: every migration done, no error and longest wait <= {MAX_WAIT_GOAL * 1000:.0f} ms: "
        f"{'PASS' if passed else 'FAIL'}"
    )
    return passed


def main() -> int:
    args = arguments()
    scenarios = list(args.scenarios)
    skipped = []
    if "rename" in scenarios and not expand_contract_available():
        scenarios.remove("rename")
        skipped.append(
            "rename: not run (alembic-guardrails has no expand_contract yet: "
            "`alembic -x rename=... -x expand_contract=true revision --autogenerate`)"
        )
    if args.from_json:
        saved = json.loads(Path(args.from_json).read_text())
        results = {tuple(key.split(" ")): sides for key, sides in saved["results"].items()}
        servers, skipped = saved["servers"], saved["skipped"]
        args.rows, args.hold = saved["rows"], saved["hold"]
    else:
        results, servers = run_all(args, scenarios, skipped)
    passed = table(results, servers, args, skipped)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "results": {
                        f"{backend} {scenario}": sides for (backend, scenario), sides in results.items()
                    },
                    "servers": servers,
                    "skipped": skipped,
                    "rows": args.rows,
                    "hold": args.hold,
                }
            )
        )
    if args.chart:
        try:
            from _live_chart import draw
        except ImportError as error:
            print(f"no chart ({error}): uv pip install -r benchmarks/live_traffic.requirements.txt")
        else:
            draw(results, Path(args.chart), MAX_WAIT_GOAL, figures, traffic)
            print(f"chart: {args.chart}")
    return 0 if passed or not args.check else 1


def run_all(args: argparse.Namespace, scenarios: list[str], skipped: list[str]) -> tuple[dict, dict]:
    """Every database, change and side; (results, server versions)."""
    results: dict[tuple[str, str], dict] = {}
    servers: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="live-traffic-") as scratch:
        work = Path(scratch)
        for backend in args.databases:
            admin = args.pg_url if backend == "postgresql" else args.mysql_url
            database = Database(backend, admin, DATABASES[backend][1])
            servers[backend] = database.server()
            try:
                (work / backend).mkdir()
                base = bake(work / backend, database=backend)
                for scenario in scenarios:
                    try:
                        sides = prepare(base, work / backend, database, scenario)
                    except NotWritten as error:
                        skipped.append(f"{backend} {scenario}: not run ({error})")
                        print(skipped[-1], flush=True)
                        continue
                    sides["ours"].env.update(args.ours_env)
                    results[(backend, scenario)] = {}
                    order = ("naive", "ours") if len(results) % 2 else ("ours", "naive")
                    for side in order:
                        run = run_side(database, sides[side], args, work)
                        results[(backend, scenario)][side] = run
                        print(f"{backend} {scenario} {side:<5}: {describe(figures(run))}", flush=True)
            finally:
                for app in list(App.running):
                    app.process.kill()
                    app.process.wait()
                App.running.clear()
                database.recreate(drop_only=True)
    return results, servers


if __name__ == "__main__":
    sys.exit(main())
