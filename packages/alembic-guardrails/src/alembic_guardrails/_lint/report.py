"""The findings, printed: `text` for people, `json` for tools, `github` for Actions annotations."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from .finding import LintFinding

FORMATS = ("text", "json", "github")


def shown_path(path: str) -> str:
    """Relative to the working directory when under it (as GitHub annotations want), else as is."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return path
    return path if relative.startswith(os.pardir) else relative


def text(findings: Sequence[LintFinding]) -> str:
    return "".join(f"{shown_path(f.file)}:{f.line}: [{f.rule}] {f.message}\n" for f in findings)


def as_json(findings: Sequence[LintFinding]) -> str:
    objects = [
        {
            "file": shown_path(f.file),
            "line": f.line,
            "rule": f.rule,
            "severity": f.severity,
            "message": f.message,
            "revision": f.revision,
        }
        for f in findings
    ]
    return json.dumps(objects, indent=2, ensure_ascii=False) + "\n"


def _escape_data(value: str) -> str:
    # GitHub workflow commands: https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(findings: Sequence[LintFinding]) -> str:
    lines = []
    for f in findings:
        command = "error" if f.severity == "refuse" else "warning"
        properties = (
            f"file={_escape_property(shown_path(f.file))},line={f.line},title={_escape_property(f.rule)}"
        )
        lines.append(f"::{command} {properties}::{_escape_data(f'[{f.rule}] {f.message}')}\n")
    return "".join(lines)


def render(findings: Sequence[LintFinding], format_: str) -> str:
    if format_ == "json":
        return as_json(findings)
    if format_ == "github":
        return github(findings)
    return text(findings)


def summary(findings: Sequence[LintFinding], revisions: int) -> str:
    refused = sum(f.severity == "refuse" for f in findings)
    return (
        f"alembic-guardrails lint: {revisions} revision(s), {len(findings)} finding(s), "
        f"{refused} refused, {len(findings) - refused} to review"
    )
