"""`# guardrails: ignore[<rule>] <reason>`: a deliberate exception, written in the revision.

The comment silences the findings of that rule (several: `ignore[a, b]`) on its
own line or on the line below it, the line of the `op.*` call:

    # guardrails: ignore[drop-column] unused since v2.3, the code no longer maps it
    op.drop_column("users", "legacy")

The reason is required: it is what the reviewer reads instead of the finding.
A comment without one silences nothing and is itself a finding
(ignore-without-reason, refused).
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .finding import IGNORE_WITHOUT_REASON, LintFinding

COMMENT = re.compile(r"#\s*guardrails:\s*ignore\b(?:\[(?P<rules>[^\]]*)\])?(?P<reason>.*)$")


@dataclass(frozen=True)
class Ignore:
    line: int
    rules: frozenset[str]
    reason: str

    def silences(self, finding: LintFinding) -> bool:
        on_it = finding.line in (self.line, self.line + 1)
        return bool(self.reason) and finding.rule in self.rules and on_it


def _comments(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) of each comment: through tokenize, so that a `#` inside a string is no comment."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string
    except (tokenize.TokenError, SyntaxError):
        # A file Python cannot tokenize fails to import too (lint-error): read its lines instead.
        for number, line in enumerate(source.splitlines(), start=1):
            if "#" in line:
                yield number, line[line.index("#") :]


def ignores(path: str) -> list[Ignore]:
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    found = []
    for line, comment in _comments(source):
        match = COMMENT.match(comment)
        if match:
            rules = frozenset(r.strip() for r in (match["rules"] or "").split(",") if r.strip())
            # "-- reason", ": reason" and "reason" alike.
            reason = match["reason"].strip().lstrip("-:–— ").strip()
            found.append(Ignore(line, rules, reason))
    return found


def apply(findings: Iterable[LintFinding], path: str, revision: str | None) -> list[LintFinding]:
    """The findings in the revision file `path` no ignore comment with a reason silences, and
    one finding per ignore comment without a reason (or without a rule)."""
    comments = ignores(path)
    kept = [f for f in findings if not any(ignore.silences(f) for ignore in comments)]
    for ignore in comments:
        if not ignore.rules or not ignore.reason:
            kept.append(
                LintFinding(
                    path,
                    ignore.line,
                    IGNORE_WITHOUT_REASON,
                    "refuse",
                    "an ignore comment names the rule and says why, "
                    "`# guardrails: ignore[<rule>] <reason>`: this one silences nothing",
                    revision,
                )
            )
    return kept
