"""copier `_migrations` step for projects baked before 0.3.0: the machinery leaves the package.

0.3.0 moved `<package>/migrations/` into the alembic-guardrails library (vendor/alembic-guardrails).
`copier update` itself removes the template's old modules and writes the new env.py; what it
cannot know about is the project's own code (hand-written revisions, jobs) that imports them.
This runs after the update (`_stage == 'after'`) and points those imports at the library's public
modules. A module of the old package the project had edited is kept, and named, so the edits can
be carried over by hand; a `migrations/` directory left with nothing of the project's goes.

Usage (copier runs it from the project root): move_to_alembic_guardrails.py PACKAGE
"""

import re
import shutil
import sys
from pathlib import Path

# Old module of <package>.migrations -> the library's public module that now holds what it exported.
PUBLIC = {
    "helpers": "alembic_guardrails.helpers",
    "backfill": "alembic_guardrails.backfill",
    "squawk": "alembic_guardrails.helpers",
}


def rewrite(source: str, package: str) -> str:
    old = re.escape(f"{package}.migrations")
    # `from pkg.migrations.online_ddl import set_not_null`: the helper is public in helpers now.
    source = re.sub(
        rf"^(\s*)from {old}\.online_ddl import set_not_null\b",
        r"\1from alembic_guardrails.helpers import set_not_null",
        source,
        flags=re.MULTILINE,
    )
    for module, public in PUBLIC.items():
        # `from pkg.migrations import backfill as batched` keeps the name it bound.
        source = re.sub(
            rf"^(\s*)from {old} import {module}\b",
            rf"\1from alembic_guardrails import {public.rpartition('.')[2]}",
            source,
            flags=re.MULTILINE,
        )
        source = re.sub(rf"\b{old}\.{module}\b", public, source)
    return source


def main(package: str) -> None:
    project = Path.cwd()
    for path in sorted(project.rglob("*.py")):
        parts = path.relative_to(project).parts
        if any(part.startswith(".") for part in parts) or parts[0] == "vendor":
            continue  # .venv, .nox, .git, and the library itself
        text = path.read_text(encoding="utf-8")
        updated = rewrite(text, package)
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            print(f"  rewrote imports in {path.relative_to(project)}")
    old_package = project / package / "migrations"
    if not old_package.is_dir():
        return
    kept = sorted(p for p in old_package.glob("*.py") if p.name != "__init__.py")
    for leftover in kept:
        print(
            f"  kept {leftover.relative_to(project)}: it has your edits; the code now lives in "
            "alembic-guardrails (vendor/alembic-guardrails): carry them over or delete it"
        )
    if not kept:
        shutil.rmtree(old_package)


if __name__ == "__main__":
    main(sys.argv[1])
