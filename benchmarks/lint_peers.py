"""alembic-guardrails' revision linter against its peers, on hand-written revisions of known danger.

The corpus (benchmarks/_lint_corpus.py) holds each classic dangerous change and
its safe form, with the ground truth per database from strong_migrations,
squawk and the MySQL manual. It is written as a tiny Alembic project per
database. Every tool lints every case of every database it supports:

- alembic-guardrails: `alembic-guardrails lint --format json` (the one next to
  this interpreter, else on PATH), with no squawk on PATH, and on PostgreSQL
  again with the pinned squawk on PATH (it then hands raw op.execute() SQL to it);
- squawk-cli: the SQL `alembic upgrade A:B --sql` renders for each revision
  alone, PostgreSQL, without the rules that flag every statement or judge
  column types (_lint_corpus.SQUAWK_EXCLUDED: the template's .squawk.toml and
  two more), and again with all of squawk's default rules;
- alembic-migration-linter (`alembic-lint --warnings-as-errors`): PostgreSQL,
  MySQL, SQLite;
- alembic-guard (`alembic-guard --format json`): PostgreSQL (its rules target it).

The peers are pinned and installed into a venv of their own with uv (once; the
venv is kept under ~/.cache and reused while the pins stay the same).

A case is caught when the tool reports anything on its revision; a safe case
reported on is a false positive; a crash (the tool fails, or says it could not
check the revision: guardrails' lint-error, squawk's syntax-error) counts as
neither. The lint time is the median wall time of linting the whole corpus,
per 100 revisions.

    python benchmarks/lint_peers.py [--rounds 3] [--json results.json] [--venv DIR] [--dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from _common import environment, machine, scratch_root
from _lint_corpus import CASES, DIALECTS, Project, case_name, write_project

# The peers, pinned: the newest on PyPI when measured (`pip index versions NAME`).
PEERS = {"squawk-cli": "2.70.0", "alembic-migration-linter": "0.1.4", "alembic-guard": "0.1.1"}
# What the peers run the revisions with (alembic-migration-linter imports them and renders their
# SQL; squawk's SQL is rendered with it): the versions this repository tests with.
SUPPORT = {"alembic": "1.20.1", "sqlalchemy": "2.1.9", "django-migration-linter": "6.0.0", "django": "5.2.19"}
PG_VERSION = "15"  # squawk --pg-version: the PostgreSQL of the other benchmarks
TIMEOUT = 600  # seconds for one tool run; longer counts as a crash

GUARDRAILS = "alembic-guardrails"
GUARDRAILS_SQUAWK = "alembic-guardrails + squawk"
SQUAWK = "squawk"
SQUAWK_ALL = "squawk (all rules)"
MIGRATION_LINTER = "alembic-migration-linter"
ALEMBIC_GUARD = "alembic-guard"
# The peers the side-by-side check asks: "squawk (all rules)" flags every revision (lock and
# statement timeouts), so it stays in the table only.
PEER_TOOLS = (SQUAWK, MIGRATION_LINTER, ALEMBIC_GUARD)
# Rule ids that say the tool could not check the revision: a crash, not a verdict.
CRASH_RULES = {
    GUARDRAILS: {"lint-error", "squawk-error"},
    GUARDRAILS_SQUAWK: {"lint-error", "squawk-error"},
    SQUAWK: {"syntax-error"},
    SQUAWK_ALL: {"syntax-error"},
}
# Variables that would point a tool at another project or database.
UNSET = ("ALEMBIC_CONFIG", "DATABASE_URL", "VIRTUAL_ENV", "PYTHONPATH")


@dataclass
class Outcome:
    """What one tool said about one revision."""

    flagged: bool = False
    crashed: bool = False
    rules: list[str] = field(default_factory=list)
    error: str = ""


class Unparsable(ValueError):
    """A tool's output is not what it prints when it finishes: rerun it one revision at a time."""


# ---- Reading each tool's output: {case name: [rule ids]} -----------------------------------


def _json_list(text: str) -> list[dict]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise Unparsable(f"not JSON: {error}") from None
    if not isinstance(data, list):
        raise Unparsable("not a JSON list")
    return data


def _collect(pairs: Iterable[tuple[str | None, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for case, rule in pairs:
        if case is not None:
            found.setdefault(case, []).append(rule)
    return found


def parse_guardrails(text: str) -> dict[str, list[str]]:
    """`alembic-guardrails lint --format json`: objects with file, line, rule, severity, message."""
    return _collect(
        (case_name(item.get("revision") or item["file"]), item["rule"]) for item in _json_list(text)
    )


def parse_alembic_guard(text: str) -> dict[str, list[str]]:
    """`alembic-guard --format json`: objects with path, line, rule, severity, message."""
    return _collect((case_name(item["path"]), item["rule"]) for item in _json_list(text))


def parse_squawk(text: str) -> dict[str, list[str]]:
    """`squawk --reporter json`: objects with file, rule_name, level, message."""
    return _collect((case_name(item["file"]), item["rule_name"]) for item in _json_list(text))


_LINTER_LINE = re.compile(r"^\((?P<revision>[^)]+)\)\.\.\. (?P<status>OK|ERR|WARNING|IGNORE)$")


def parse_migration_linter(text: str) -> dict[str, list[str]]:
    """`alembic-lint --warnings-as-errors`: `(revision)... ERR` then one tab-indented code a line."""
    if "*** Summary ***" not in text:
        raise Unparsable("no summary: the run stopped before the end")
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        match = _LINTER_LINE.match(line)
        if match:
            current = case_name(match["revision"])
            if current is not None:
                found.setdefault(current, [])
        elif line.startswith("\t") and current is not None:
            found[current].append(line.strip())
    return {case: codes for case, codes in found.items() if codes}


def classify(found: Mapping[str, list[str]], crash_rules: set[str] = frozenset()) -> dict[str, Outcome]:
    """Outcomes of the cases a tool said something about; a crash rule makes it a crash."""
    outcomes = {}
    for case, rules in found.items():
        crashes = [rule for rule in rules if rule in crash_rules]
        outcomes[case] = Outcome(
            flagged=not crashes and bool(rules),
            crashed=bool(crashes),
            rules=sorted(set(rules)),
            error=", ".join(sorted(set(crashes))),
        )
    return outcomes


# ---- Running the tools ----------------------------------------------------------------------


def tool_env(path: list[str] | None = None) -> dict[str, str]:
    env = environment()
    for name in UNSET:
        env.pop(name, None)
    if path is not None:
        env["PATH"] = os.pathsep.join(path)
    return env


def path_without_squawk() -> list[str]:
    """PATH less every directory with a squawk in it: guardrails alone, as installed without squawk."""
    return [
        d for d in os.environ.get("PATH", "").split(os.pathsep) if d and not (Path(d) / "squawk").exists()
    ]


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess | None:
    """The finished process, or None when it ran past TIMEOUT."""
    try:
        return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None


def last_line(result: subprocess.CompletedProcess | None) -> str:
    if result is None:
        return f"timed out after {TIMEOUT} s"
    lines = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
    last = lines[-1].strip() if lines else "(no output)"
    return f"exit {result.returncode}: {last if len(last) <= 160 else last[:157] + '...'}"


@dataclass
class Tool:
    """A linter as the benchmark runs it: `command(project, file)` lints the whole project (file
    None) or one revision; `parse` reads its stdout; exit codes other than `ok_codes` are crashes."""

    name: str
    dialects: tuple[str, ...]
    command: Callable[[Project, Path | None], list[str]]
    parse: Callable[[str], dict[str, list[str]]]
    env: dict[str, str]
    ok_codes: tuple[int, ...] = (0, 1)
    # Run before each lint of a project; returns the cases it could not prepare, with why.
    prepare: Callable[[Project], dict[str, str]] | None = None
    # Where the tool runs (default: the project's directory).
    cwd: Callable[[Project], Path] | None = None

    def lint(self, project: Project, file: Path | None = None) -> tuple[dict[str, Outcome], float]:
        """Outcomes by case, and the wall time of the run (including `prepare`)."""
        started = time.perf_counter()
        prepared = self.prepare(project) if self.prepare else {}
        crashed = {case: Outcome(crashed=True, error=error) for case, error in prepared.items()}
        if file is not None and case_name(file.name) in crashed:  # nothing to lint
            return crashed, time.perf_counter() - started
        cwd = self.cwd(project) if self.cwd else project.root
        result = run(self.command(project, file), cwd, self.env)
        seconds = time.perf_counter() - started
        if result is None or result.returncode not in self.ok_codes:
            raise Unparsable(last_line(result))
        try:
            found = self.parse(result.stdout)
        except Unparsable as error:
            raise Unparsable(f"{error} ({last_line(result)})") from None
        return {**classify(found, CRASH_RULES.get(self.name, set())), **crashed}, seconds

    def lint_each(self, project: Project) -> dict[str, Outcome]:
        """One run per revision, after a run of the whole project failed: which revisions crash it."""
        outcomes: dict[str, Outcome] = {}
        for path in project.revisions.values():
            case = case_name(path.name)
            if case is None:
                continue
            try:
                single, _ = self.lint(project, path)
            except Unparsable as error:
                outcomes[case] = Outcome(crashed=True, error=str(error))
                continue
            outcomes[case] = single.get(case, Outcome())
        return outcomes


def guardrails_tool(name: str, executable: str, path: list[str], dialects: tuple[str, ...]) -> Tool:
    def command(project: Project, file: Path | None) -> list[str]:
        cmd = [executable, "lint", "--dialect", project.dialect, "--format", "json", "-c", str(project.ini)]
        return cmd + ([str(file)] if file else [])

    return Tool(name, dialects, command, parse_guardrails, tool_env(path))


# Renders each revision's SQL alone (`alembic upgrade A:B --sql`), in the peers' venv, in one process.
RENDER = r"""
import contextlib, io, json, sys
from pathlib import Path
from alembic import command
from alembic.config import Config

ini, out, steps = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3])
config = Config(ini)
failed = {}
for down, revision in steps:
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            command.upgrade(config, f"{down}:{revision}", sql=True)
    except Exception as error:
        failed[revision] = f"alembic upgrade --sql: {type(error).__name__}: {error}".splitlines()[0]
        continue
    (out / f"{revision}.sql").write_text(buffer.getvalue())
print(json.dumps(failed))
"""


def squawk_tool(name: str, venv: Path, scratch: Path, configured: bool) -> Tool:
    python, squawk = str(venv / "bin" / "python"), str(venv / "bin" / "squawk")
    env = tool_env()

    def sql_dir(project: Project) -> Path:
        return scratch / f"squawk-sql-{project.dialect}"

    def prepare(project: Project) -> dict[str, str]:
        out = sql_dir(project)
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        ids = list(project.revisions)
        steps = json.dumps([[down, revision] for down, revision in zip(ids, ids[1:], strict=False)])
        result = subprocess.run(
            [python, "-c", RENDER, str(project.ini), str(out), steps],
            cwd=project.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        if result.returncode != 0:
            raise Unparsable(last_line(result))
        return {case_name(revision): error for revision, error in json.loads(result.stdout).items()}

    def command(project: Project, file: Path | None) -> list[str]:
        files = [sql_dir(project) / f"{file.stem}.sql"] if file else sorted(sql_dir(project).glob("*.sql"))
        files = [f for f in files if f.exists() and case_name(f.name)]
        config = ["-c", str(project.root / ".squawk.toml")] if configured else []
        return [squawk, "--reporter", "json", "--pg-version", PG_VERSION, *config, *map(str, files)]

    # In the directory of the SQL, outside the project: there squawk finds no .squawk.toml by itself.
    return Tool(name, ("postgresql",), command, parse_squawk, env, prepare=prepare, cwd=sql_dir)


def migration_linter_tool(venv: Path) -> Tool:
    executable = str(venv / "bin" / "alembic-lint")

    def command(project: Project, file: Path | None) -> list[str]:
        cmd = [executable, "-c", str(project.ini), "--dialect", project.dialect, "--no-cache"]
        return cmd + ["--warnings-as-errors"] + (["--revision", file.stem] if file else [])

    return Tool(MIGRATION_LINTER, DIALECTS, command, parse_migration_linter, tool_env())


def alembic_guard_tool(venv: Path) -> Tool:
    executable = str(venv / "bin" / "alembic-guard")

    def command(project: Project, file: Path | None) -> list[str]:
        return [executable, "--format", "json", str(file or project.versions)]

    return Tool(ALEMBIC_GUARD, ("postgresql",), command, parse_alembic_guard, tool_env())


# ---- Setting up --------------------------------------------------------------------------------


def find_uv() -> str:
    beside = Path(sys.executable).parent / "uv"
    found = str(beside) if beside.exists() else shutil.which("uv")
    if not found:
        raise SystemExit("uv not found (beside this Python or on PATH): pip install uv")
    return found


def peers_venv(directory: str | None) -> Path:
    """The peers' venv: created and installed with uv unless it already holds these pins."""
    pins = [f"{name}=={version}" for name, version in {**PEERS, **SUPPORT}.items()]
    if directory:
        venv = Path(directory)
    else:
        cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        digest = hashlib.sha256(" ".join(pins).encode()).hexdigest()[:12]
        venv = cache / "alembic-guardrails-benchmarks" / f"lint-peers-{digest}"
    marker = venv / "lint-peers-pins.txt"
    if marker.exists() and marker.read_text() == "\n".join(pins):
        return venv
    uv = find_uv()
    print(f"installing the peers into {venv}: {' '.join(pins)}", flush=True)
    for cmd in (
        [uv, "venv", "--quiet", "--clear", "--python", sys.executable, str(venv)],
        [uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), *pins],
    ):
        result = subprocess.run(cmd, capture_output=True, text=True, env=tool_env())
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(cmd[:3])} failed:\n{result.stderr}")
    marker.write_text("\n".join(pins))
    return venv


def guardrails_executable(given: str | None) -> tuple[str | None, str]:
    """The alembic-guardrails to measure and its version, or None and why not."""
    beside = Path(sys.executable).parent / "alembic-guardrails"
    executable = given or (str(beside) if beside.exists() else shutil.which("alembic-guardrails"))
    if not executable:
        return None, "not found (beside this Python or on PATH)"
    probe = subprocess.run([executable, "lint", "--help"], capture_output=True, text=True, env=tool_env())
    if probe.returncode != 0 or "--dialect" not in probe.stdout:
        return None, f"{executable} has no `lint` command yet"
    version = subprocess.run([executable, "--version"], capture_output=True, text=True).stdout.strip()
    return executable, version


# ---- Measuring and reporting ---------------------------------------------------------------


@dataclass
class Row:
    tool: str
    dialect: str
    caught: int
    dangerous: int
    false_positives: int
    safe: int
    crashes: int
    seconds_per_100: float | None


def measure(tool: Tool, project: Project, rounds: int) -> tuple[dict[str, Outcome], list[float], str]:
    """The outcome of every case, the timed rounds, and a note when the whole run failed."""
    note = ""
    times: list[float] = []
    outcomes: dict[str, Outcome] | None = None
    for _ in range(rounds):
        try:
            result, seconds = tool.lint(project)
        except Unparsable as error:
            note = f"whole-project run failed ({error}); linted one revision at a time"
            break
        times.append(seconds)
        outcomes = outcomes or result
    if outcomes is None:
        outcomes = tool.lint_each(project)
    return {case.name: outcomes.get(case.name, Outcome()) for case in project.cases}, times, note


def one_revision_times(tool: Tool, project: Project, rounds: int) -> list[float]:
    """Wall times of linting the first revision alone: the fixed start-up of a run."""
    first = next(iter(project.revisions.values()))
    times = []
    for _ in range(rounds):
        try:
            times.append(tool.lint(project, first)[1])
        except Unparsable:
            return []
    return times


def print_guardrails_time(
    rows: list[Row], projects: Mapping[str, Project], alone: Mapping[str, list[float]]
) -> None:
    print("\nalembic-guardrails lint time (median wall time of each whole corpus, scaled to 100 revisions):")
    for row in rows:
        if row.tool != GUARDRAILS or row.seconds_per_100 is None:
            continue
        count = len(projects[row.dialect].revisions)
        whole = row.seconds_per_100 * count / 100
        line = f"  - {row.dialect}: {row.seconds_per_100:.2f} s per 100 ({count} revisions in {whole:.2f} s)"
        if alone.get(row.dialect):
            line += f"; start-up (one revision alone) {statistics.median(alone[row.dialect]):.2f} s"
        print(line)


def score(tool: str, project: Project, outcomes: Mapping[str, Outcome], times: list[float]) -> Row:
    dialect = project.dialect
    dangerous = [c.name for c in project.cases if c.dangerous(dialect)]
    safe = [c.name for c in project.cases if not c.dangerous(dialect)]
    counted = {name: o for name, o in outcomes.items() if not o.crashed}
    per_100 = statistics.median(times) * 100 / len(project.revisions) if times else None
    return Row(
        tool,
        dialect,
        caught=sum(1 for n in dangerous if n in counted and counted[n].flagged),
        dangerous=len(dangerous),
        false_positives=sum(1 for n in safe if n in counted and counted[n].flagged),
        safe=len(safe),
        crashes=sum(1 for o in outcomes.values() if o.crashed),
        seconds_per_100=per_100,
    )


def print_table(rows: list[Row]) -> None:
    print(
        "| Tool | Database | Dangerous caught | Safe flagged (false positives) | Crashes "
        "| Lint time per 100 revisions (median) |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        timing = f"{r.seconds_per_100:.2f} s" if r.seconds_per_100 is not None else "n/a"
        print(
            f"| {r.tool} | {r.dialect} | {r.caught}/{r.dangerous} | {r.false_positives}/{r.safe} "
            f"| {r.crashes} | {timing} |"
        )


def side_by_side(results: Mapping[str, Mapping[str, Mapping[str, Outcome]]]) -> dict[str, list[dict]]:
    """What guardrails misses that a peer catches, what it flags that is safe, what nobody catches."""
    ours = results.get(GUARDRAILS, {})
    misses, false_positives, nobody = [], [], []
    for dialect in DIALECTS:
        if dialect not in ours:
            continue
        for case in CASES:
            if dialect not in case.truth:
                continue
            mine = ours[dialect][case.name]
            by_peer = {
                tool: results[tool][dialect][case.name].rules
                for tool in PEER_TOOLS
                if dialect in results.get(tool, {}) and results[tool][dialect][case.name].flagged
            }
            entry = {"dialect": dialect, "case": case.name, "truth": case.truth[dialect].reason}
            if case.dangerous(dialect) and not mine.flagged:
                with_squawk = results.get(GUARDRAILS_SQUAWK, {}).get(dialect, {}).get(case.name, Outcome())
                entry["with_squawk_on_path"] = with_squawk.rules if with_squawk.flagged else []
                if by_peer:
                    misses.append({**entry, "peers": by_peer, "crashed": mine.error})
                else:
                    nobody.append({**entry, "crashed": mine.error})
            if not case.dangerous(dialect) and mine.flagged:
                false_positives.append({**entry, "rules": mine.rules, "peers": by_peer})
    return {"misses": misses, "false_positives": false_positives, "caught_by_nobody": nobody}


def print_side_by_side(found: Mapping[str, list[dict]]) -> None:
    def peers(entry: dict) -> str:
        return "; ".join(f"{tool} [{', '.join(rules)}]" for tool, rules in entry["peers"].items())

    def squawk(entry: dict) -> str:
        rules = entry["with_squawk_on_path"]
        return f" (caught with squawk on PATH: [{', '.join(rules)}])" if rules else ""

    print(f"\nDangerous cases a peer ({', '.join(PEER_TOOLS)}) catches and alembic-guardrails misses:")
    for e in found["misses"] or [None]:
        if e is None:
            print("  (none)")
            continue
        print(f"  - {e['dialect']} {e['case']}: {peers(e)}{squawk(e)}\n      truth: {e['truth']}")
    print("\nSafe cases alembic-guardrails flags (false positives):")
    for e in found["false_positives"] or [None]:
        if e is None:
            print("  (none)")
            continue
        also = f"; also flagged by {peers(e)}" if e["peers"] else ""
        print(f"  - {e['dialect']} {e['case']}: [{', '.join(e['rules'])}]{also}\n      truth: {e['truth']}")
    print("\nDangerous cases neither alembic-guardrails nor those peers catch:")
    for e in found["caught_by_nobody"] or [None]:
        if e is None:
            print("  (none)")
            continue
        print(f"  - {e['dialect']} {e['case']}{squawk(e)}\n      truth: {e['truth']}")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=3, help="timed runs of each tool on each corpus (default 3)"
    )
    parser.add_argument("--json", metavar="PATH", help="write the raw results (every case, every tool) here")
    parser.add_argument(
        "--venv", help="the peers' venv (default: ~/.cache/alembic-guardrails-benchmarks/lint-peers-<pins>)"
    )
    parser.add_argument(
        "--guardrails", help="the alembic-guardrails executable (default: beside this Python, else on PATH)"
    )
    parser.add_argument(
        "--dir",
        default=scratch_root(),
        help="where the corpus projects go (default: /dev/shm when there is one)",
    )
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def main() -> int:
    args = arguments()
    venv = peers_venv(args.venv)
    guardrails, guardrails_version = guardrails_executable(args.guardrails)
    print(f"machine: {machine()}")
    print(f"peers: {', '.join(f'{n} {v}' for n, v in PEERS.items())}")
    print(f"alembic-guardrails: {guardrails_version}")
    print(
        f"corpus: {len(CASES)} cases; "
        + ", ".join(f"{d} {sum(d in c.truth for c in CASES)}" for d in DIALECTS)
    )
    with tempfile.TemporaryDirectory(prefix="lint-peers-", dir=args.dir) as tmp:
        scratch = Path(tmp)
        projects = {d: write_project(scratch / d, d) for d in DIALECTS}
        tools: list[Tool] = []
        if guardrails:
            tools.append(guardrails_tool(GUARDRAILS, guardrails, path_without_squawk(), DIALECTS))
            squawk_path = [str(venv / "bin"), *path_without_squawk()]
            tools.append(guardrails_tool(GUARDRAILS_SQUAWK, guardrails, squawk_path, ("postgresql",)))
        tools += [
            squawk_tool(SQUAWK, venv, scratch, configured=True),
            squawk_tool(SQUAWK_ALL, venv, scratch, configured=False),
            migration_linter_tool(venv),
            alembic_guard_tool(venv),
        ]
        results: dict[str, dict[str, dict[str, Outcome]]] = {}
        timings: dict[str, dict[str, list[float]]] = {}
        notes: list[str] = []
        rows: list[Row] = []
        alone: dict[str, list[float]] = {}
        for tool in tools:
            for dialect in tool.dialects:
                project = projects[dialect]
                print(f"running {tool.name} on {dialect} ({len(project.revisions)} revisions)", flush=True)
                outcomes, times, note = measure(tool, project, args.rounds)
                results.setdefault(tool.name, {})[dialect] = outcomes
                timings.setdefault(tool.name, {})[dialect] = times
                if note:
                    notes.append(f"{tool.name} on {dialect}: {note}")
                rows.append(score(tool.name, project, outcomes, times))
                if tool.name == GUARDRAILS:
                    alone[dialect] = one_revision_times(tool, project, args.rounds)
    print(f"\nrounds: {args.rounds}; a crash counts as neither caught nor flagged")
    print_table(rows)
    if guardrails:
        print_guardrails_time(rows, projects, alone)
    else:
        print(f"\nalembic-guardrails: {guardrails_version}; only the peers were measured")
    for note in notes:
        print(f"note: {note}")
    crashes = [
        (tool, dialect, case, outcome.error)
        for tool, by_dialect in results.items()
        for dialect, by_case in by_dialect.items()
        for case, outcome in by_case.items()
        if outcome.crashed
    ]
    if crashes:
        print("\nCrashes:")
        for tool, dialect, case, error in crashes:
            print(f"  - {tool} on {dialect} {case}: {error}")
    found = (
        side_by_side(results) if guardrails else {"misses": [], "false_positives": [], "caught_by_nobody": []}
    )
    if guardrails:
        print_side_by_side(found)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "versions": {**PEERS, **SUPPORT, "alembic-guardrails": guardrails_version},
                    "rounds": args.rounds,
                    "cases": [
                        {
                            "name": case.name,
                            "dialects": list(case.dialects),
                            "truth": {d: asdict(t) for d, t in case.truth.items()},
                            "upgrade": {d: case.bodies(d)[0].strip() for d in case.dialects},
                        }
                        for case in CASES
                    ],
                    "results": {
                        tool: {
                            d: {c: asdict(o) for c, o in by_case.items()} for d, by_case in by_dialect.items()
                        }
                        for tool, by_dialect in results.items()
                    },
                    "timings_seconds": timings,
                    "guardrails_one_revision_seconds": alone,
                    "table": [asdict(row) for row in rows],
                    "side_by_side": found,
                    "notes": notes,
                },
                indent=2,
            )
            + "\n"
        )
        print(f"\nraw results: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
