"""Post-deploy revisions, and the two phases of a deploy that runs them.

A revision marks itself post-deploy with a module-level `post_deploy = True` (beside
`branch_labels`; `alembic revision -x post_deploy=true ...` writes it, through the
`post_deploy` template argument of script.py.mako). It holds what only the new code can live
with: the drop of a retired column (_retire.py), the contract step of an expand/contract change.
As GitLab's post-deployment migrations (SKIP_POST_DEPLOYMENT_MIGRATIONS) do:

- `alembic -x phase=pre upgrade head`, the deploy pipeline's step before the new code goes
  live, applies every revision except the post-deploy ones and those after them on their branch;
- `alembic -x phase=post upgrade head`, once the new code is live, applies the rest;
- a plain `alembic upgrade head` applies everything, as on a developer's machine.

The phase filters the steps Alembic is about to run (MigrationContext's migrations function, the
one place that list exists): nothing else of a run changes, so the lock, the retries and the
failure lines are the same in both phases.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError, to_tuple

from ._guards import FALSE_WORDS, TRUE_WORDS
from ._messages import text

PHASES = ("pre", "post")


def is_post_deploy(script: Any) -> bool:
    """A revision (alembic.script.Script) whose module says `post_deploy = True`."""
    return getattr(getattr(script, "module", None), "post_deploy", False) is True


def phase_of(x_arguments: Mapping[str, str]) -> str | None:
    phase = x_arguments.get("phase", "").strip().lower()
    if not phase:
        return None
    if phase not in PHASES:
        raise CommandError(text("bad_phase", value=x_arguments["phase"]))
    return phase


def post_deploy_flag(x_arguments: Mapping[str, str]) -> bool:
    """`-x post_deploy=true` on `alembic revision`: the written revision is post-deploy."""
    value = x_arguments.get("post_deploy", "").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise CommandError(text("bad_flag", flag="post_deploy", value=x_arguments["post_deploy"]))


def post_deploy_requested(config: Any) -> bool:
    """For script.py.mako (`config` is one of its template variables): whether this
    `alembic revision` run was given `-x post_deploy=true`. Works with and without
    --autogenerate, since the template renders either way:

        % if post_deploy_requested(config):
        post_deploy = True
        % endif
    """
    arguments = getattr(getattr(config, "cmd_opts", None), "x", None) or ()
    values = dict(argument.partition("=")[::2] for argument in arguments)
    return post_deploy_flag(values)


def require_post_deploy_template(migration_context: MigrationContext) -> None:
    """`-x post_deploy=true` with a script.py.mako that cannot write it: refused, with the lines."""
    environment = migration_context.environment_context
    if environment is None:
        return
    template = Path(environment.script.dir) / "script.py.mako"
    if template.is_file() and "post_deploy" not in template.read_text(encoding="utf-8"):
        raise CommandError(text("post_deploy_template", template=template))


def held_back(steps: Iterable[Any]) -> tuple[list[Any], list[Any]]:
    """Split upgrade steps (oldest first) into those the pre phase runs and those it holds back:
    each post-deploy revision, and every revision that builds on a held one (its branch)."""
    run: list[Any] = []
    held: list[Any] = []
    held_ids: set[str] = set()
    for step in steps:
        script = step.revision  # RevisionStep: the Script it runs, and which way
        parents = set(to_tuple(script.down_revision, default=()))
        if step.is_upgrade and (is_post_deploy(script) or parents & held_ids):
            held.append(step)
            held_ids.add(script.revision)
        else:
            run.append(step)
    return run, held


def pre_phase_heads(script_directory: ScriptDirectory) -> tuple[set[str], set[str]]:
    """The revisions the pre phase ends at (its heads), and those it holds back."""
    revisions = list(script_directory.walk_revisions())
    held: set[str] = set()
    for script in reversed(revisions):  # oldest first
        if is_post_deploy(script) or set(to_tuple(script.down_revision, default=())) & held:
            held.add(script.revision)
    kept = {script.revision: script for script in revisions if script.revision not in held}
    heads = {revision for revision, script in kept.items() if not set(script.nextrev) & kept.keys()}
    return heads, held


def apply_phase(migration_context: MigrationContext, phase: str | None) -> None:
    """In the pre phase, leave out the post-deploy revisions of this run, and say which; and let
    `alembic -x phase=pre current --check-heads` (a readiness check while the post-deploy
    revisions wait for the new code) pass at the pre phase's heads."""
    if phase != "pre":
        return
    # The steps are computed when run_migrations() starts: wrap the function that computes them.
    found = migration_context._migrations_fn
    environment = migration_context.environment_context
    if found is None or environment is None:
        return
    migrations: Callable[..., Any] = found
    script_directory = environment.script

    def pre_phase_steps(heads: Any, context: Any) -> Any:
        try:
            steps = migrations(heads, context)
        except CommandError:
            # `current --check-heads` raises when the database is not at the script's heads.
            targets, held = pre_phase_heads(script_directory)
            if getattr(found, "__name__", "") != "display_version" or set(heads) != targets or not held:
                raise
            pending = ", ".join(sorted(held))
            print(text("at_pre_phase_heads", heads=", ".join(sorted(targets)), pending=pending), flush=True)
            return []
        run, held_steps = held_back(steps)
        if held_steps:
            names = ", ".join(step.revision.revision for step in held_steps)
            print(
                text("post_deploy_held", count=len(held_steps), revisions=names), file=sys.stderr, flush=True
            )
        return run

    migration_context._migrations_fn = pre_phase_steps
