"""Refuse edits to revision files that are already on the default branch: new revisions only.

A revision that has been merged may already have run against some database; editing it
changes nothing there and makes databases disagree about what that revision did. Change
the schema with a new revision instead.

Usage: python tools/revisions_frozen.py [BASE]   (BASE defaults to origin/main)
Compares BASE...HEAD (what this branch changed since it left BASE) in alembic/versions.
"""

import subprocess
import sys

VERSIONS = "alembic/versions"
# git's status letters: Added is fine; Modified, Deleted, Renamed, Copied, Type-changed are not.
ALLOWED = {"A"}


def changed_revisions(base: str) -> list[tuple[str, str]]:
    result = subprocess.run(
        ["git", "diff", "--name-status", "--find-renames", f"{base}...HEAD", "--", VERSIONS],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.exit(f"cannot compare with {base}: {result.stderr.strip()} (fetch it, or pass the base branch)")
    entries = []
    for line in result.stdout.splitlines():
        status, *paths = line.split("\t")
        entries.append((status[0], paths[0]))
    return entries


def main(base: str) -> int:
    edited = [(status, path) for status, path in changed_revisions(base) if status not in ALLOWED]
    for status, path in edited:
        what = {"M": "edited", "D": "deleted", "R": "renamed"}.get(status, f"changed ({status})")
        print(
            f"ERROR: {path} is already on {base} and was {what}; "
            "revert that and change the schema in a new revision (alembic revision --autogenerate -m ...)",
            file=sys.stderr,
        )
    return 1 if edited else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "origin/main"))
