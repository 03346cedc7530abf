"""Apply each named mutation to a fresh copy of the template; run its tests; report survivors.

    python mutation/run.py [NAME ...]      (or: nox -s mutation -- [NAME ...])

A mutation is killed when its tests fail, survives when they pass, and is
stale when its snippet is no longer in the file (the code moved: rewrite the
mutation). A kill counts only if the same tests pass on the template as it is
(run once per test list): tests that fail anyway report "baseline", not a kill.
Exit status 1 if any is not killed. Server tests need TEST_POSTGRES_URL /
TEST_MYSQL_URL, as for the suite.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from catalogue import LIBRARY, MUTATIONS, Mutation

TEMPLATE = Path(__file__).resolve().parent.parent
SKIPPED = shutil.ignore_patterns(".git", ".nox", "__pycache__", "build", "*.sqlite3")


def run_tests(tests: tuple[str, ...], copy: Path, workspace: Path) -> tuple[int, str]:
    command = [sys.executable, "-m", "pytest", "-q", "-x"]
    command += ["--basetemp", str(workspace / "pytest"), *tests]
    result = subprocess.run(command, cwd=copy, capture_output=True, text=True)
    return result.returncode, (result.stdout.strip().splitlines() or [""])[-1]


def verdict(mutation: Mutation, workspace: Path, baselines: dict[tuple[str, ...], str]) -> tuple[str, str]:
    copy = workspace / "template"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(TEMPLATE, copy, ignore=SKIPPED)
    # The tests (and the bakes' alembic) import alembic-guardrails from the editable install of
    # this checkout, not from the copy: a library mutation is applied here, and always undone.
    target = (TEMPLATE if mutation.file.startswith(LIBRARY) else copy) / mutation.file
    source = target.read_text()
    found = source.count(mutation.original)
    if found != 1:
        return "stale", f"snippet found {found} times in {mutation.file}"
    target.write_text(source.replace(mutation.original, mutation.replacement))
    try:
        code, last = run_tests(mutation.tests, copy, workspace)
    finally:
        target.write_text(source)
    if code == 1:
        # A failure proves nothing if the tests fail without the mutation too.
        if mutation.tests not in baselines:
            baseline_code, baseline_last = run_tests(mutation.tests, copy, workspace)
            baselines[mutation.tests] = "" if baseline_code == 0 else baseline_last
        if baselines[mutation.tests]:
            return "baseline", f"the tests fail without the mutation too: {baselines[mutation.tests]}"
        return "killed", last
    if code == 0:
        return "SURVIVED", last
    return "error", f"pytest exited {code}: {last}"


def main(names: list[str]) -> int:
    chosen = [m for m in MUTATIONS if not names or m.name in names]
    unknown = set(names) - {m.name for m in MUTATIONS}
    if unknown:
        print(f"unknown mutations: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    results = []
    baselines: dict[tuple[str, ...], str] = {}
    with tempfile.TemporaryDirectory(prefix="mutation-") as workspace:
        for mutation in chosen:
            started = time.monotonic()
            outcome, detail = verdict(mutation, Path(workspace), baselines)
            results.append((mutation, outcome))
            seconds = time.monotonic() - started
            print(f"{outcome:8} {mutation.name} ({seconds:.0f} s): {detail}", flush=True)
    killed = sum(outcome == "killed" for _, outcome in results)
    print(f"\n{killed} killed / {len(results)} total")
    for mutation, outcome in results:
        if outcome != "killed":
            print(f"  {outcome}: {mutation.name} ({mutation.file}) breaks: {mutation.breaks}")
    return 0 if killed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
