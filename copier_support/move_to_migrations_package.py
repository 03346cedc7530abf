"""copier `_migrations` step for projects baked before 0.2.0: point the project's own code at the new layout.

0.2.0 moved the migration machinery from the package's top level into
`<package>/migrations/`. `copier update` itself replaces the template's files
(env.py, the moved modules, the baked tests); what it cannot know about is the
project's own code that imports the old modules. This runs after the update
(`_stage == 'after'`) and rewrites those imports. An old module the project had
edited is kept where it is, and named, so the edits can be carried over by hand.

Usage (copier runs it from the project root): move_to_migrations_package.py PACKAGE
"""

import re
import sys
from pathlib import Path

# Old module (top level of the package) -> new module in <package>/migrations/.
MOVED = {
    "migration_guards": "guards",
    "migration_locks": "locks",
    "migration_runtime": "runtime",
    "revision_helpers": "helpers",
    "batched": "backfill",
    "messages": "messages",
}


def rewrite(source: str, package: str) -> str:
    for old, new in MOVED.items():
        # `from pkg import batched` keeps the old name bound: the code below it uses it.
        source = re.sub(
            rf"^(\s*)from {package} import {old}\b(?! as)",
            rf"\1from {package}.migrations import {new} as {old}",
            source,
            flags=re.MULTILINE,
        )
        source = re.sub(
            rf"^(\s*)from {package} import {old} as ",
            rf"\1from {package}.migrations import {new} as ",
            source,
            flags=re.MULTILINE,
        )
        # Dotted paths: `from pkg.batched import backfill`, `import pkg.revision_helpers`, strings.
        source = re.sub(rf"\b{package}\.{old}\b", f"{package}.migrations.{new}", source)
    return source


def main(package: str) -> None:
    project = Path.cwd()
    for path in sorted(project.rglob("*.py")):
        if any(part.startswith(".") for part in path.relative_to(project).parts):
            continue  # .venv, .nox, .git
        text = path.read_text(encoding="utf-8")
        updated = rewrite(text, package)
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            print(f"  rewrote imports in {path.relative_to(project)}")
    for old, new in MOVED.items():
        leftover = project / package / f"{old}.py"
        if leftover.exists():
            print(
                f"  kept {leftover.relative_to(project)}: it has your edits; carry them into "
                f"{package}/migrations/{new}.py and delete it"
            )


if __name__ == "__main__":
    main(sys.argv[1])
