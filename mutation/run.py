"""Apply each named mutation to a fresh copy of the template; run its tests; report survivors.

    python mutation/run.py [NAME ...]      (or: nox -s mutation -- [NAME ...])

A mutation is killed when its tests fail, survives when they pass, and is
stale when its snippet is no longer in the file (the code moved: rewrite the
mutation). Exit status 1 if any survives or is stale. Server tests need
TEST_POSTGRES_URL / TEST_MYSQL_URL, as for the suite.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from catalogue import MUTATIONS, Mutation

TEMPLATE = Path(__file__).resolve().parent.parent
SKIPPED = shutil.ignore_patterns(".git", ".nox", "__pycache__", "build", "*.sqlite3")


def verdict(mutation: Mutation, workspace: Path) -> tuple[str, str]:
    copy = workspace / "template"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(TEMPLATE, copy, ignore=SKIPPED)
    target = copy / mutation.file
    source = target.read_text()
    found = source.count(mutation.original)
    if found != 1:
        return "stale", f"snippet found {found} times in {mutation.file}"
    target.write_text(source.replace(mutation.original, mutation.replacement))
    command = [sys.executable, "-m", "pytest", "-q", "-x"]
    command += ["--basetemp", str(workspace / "pytest"), *mutation.tests]
    result = subprocess.run(command, cwd=copy, capture_output=True, text=True)
    last = (result.stdout.strip().splitlines() or [""])[-1]
    if result.returncode == 1:
        return "killed", last
    if result.returncode == 0:
        return "SURVIVED", last
    return "error", f"pytest exited {result.returncode}: {last}"


def main(names: list[str]) -> int:
    chosen = [m for m in MUTATIONS if not names or m.name in names]
    unknown = set(names) - {m.name for m in MUTATIONS}
    if unknown:
        print(f"unknown mutations: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    results = []
    with tempfile.TemporaryDirectory(prefix="mutation-") as workspace:
        for mutation in chosen:
            started = time.monotonic()
            outcome, detail = verdict(mutation, Path(workspace))
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
