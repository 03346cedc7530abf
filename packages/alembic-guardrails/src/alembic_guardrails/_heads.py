"""One head per branch: refuse the accidental heads, accept the deliberate branches.

Two developers who each add a revision on the same parent leave two heads: `alembic upgrade
head` then fails, and one history must be merged (`alembic merge heads`). A branch made on
purpose is different: `alembic revision -m "billing base" --head=base --branch-label=billing`
starts a line of revisions of its own (a service sharing the database), and every revision on it
carries the label `billing`. So several heads are fine when each is on a branch of its own (its
branch labels, inherited from where the branch starts); two heads on one branch, both without a
label or both under the same labels, are the accident.

pytest-alembic's `test_single_head_revision` refuses the deliberate branches too; the baked
tests and `nox -s check` ask `head_problems` (or `alembic-guardrails heads`) instead.
"""

from __future__ import annotations

from collections import defaultdict

from alembic.script import ScriptDirectory

from ._messages import in_language

ACCIDENT = {
    "en": (
        "{count} heads on {where}: {heads}, revisions written on the same parent; merge them with "
        "`{merge}` (a deliberate branch starts with `alembic revision -m ... --head=base --branch-label=NAME`)"
    ),
    "zh": (
        "{where}上有 {count} 个 head：{heads}，它们是在同一个父版本上写的迁移；用 `{merge}` 合并它们"
        "（有意的分支这样开始：`alembic revision -m ... --head=base --branch-label=NAME`）"
    ),
}
BRANCH = {"en": "branch {labels}", "zh": "分支 {labels} "}
MAIN_LINE = {"en": "the main line (no branch label)", "zh": "主线（没有分支标签）"}


def head_problems(script: ScriptDirectory) -> list[str]:
    """One line per branch that has more than one head, with the command that merges them."""
    branches: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for head in script.get_revisions("heads"):
        if head is not None:
            branches[tuple(sorted(head.branch_labels))].append(head.revision)
    problems = []
    for labels, heads in sorted(branches.items()):
        if len(heads) < 2:
            continue
        heads.sort()
        where = in_language(BRANCH, labels=", ".join(labels)) if labels else in_language(MAIN_LINE)
        # `alembic merge heads` merges every head: beside deliberate branches, name the accident's.
        merge = "alembic merge heads"
        if len(branches) > 1:
            merge = f'alembic merge -m "merge heads" {" ".join(heads)}'
        problems.append(
            in_language(ACCIDENT, count=len(heads), where=where, heads=", ".join(heads), merge=merge)
        )
    return problems


def heads_listing(script: ScriptDirectory) -> list[str]:
    """`head REV, branch LABELS` for each head."""
    return [
        f"head {head.revision}, branch {', '.join(sorted(head.branch_labels)) or '(no label)'}"
        for head in script.get_revisions("heads")
        if head is not None
    ]
