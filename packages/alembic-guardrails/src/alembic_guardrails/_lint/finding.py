"""One line of `alembic-guardrails lint`'s report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# "refuse": the command exits 1; "review": reported, exit 0 (the verdicts of rules/).
Severity = Literal["refuse", "review"]

# Rule ids of the lint itself, next to those of rules/ and squawk's.
LINT_ERROR = "lint-error"
DATA_STEP = "data-step-not-checkable"
IGNORE_WITHOUT_REASON = "ignore-without-reason"
SQUAWK_ERROR = "squawk-error"


@dataclass(frozen=True)
class LintFinding:
    """`file` is absolute (report.py shows it relative to the working directory)."""

    file: str
    line: int
    rule: str
    severity: Severity
    message: str
    revision: str | None = None
