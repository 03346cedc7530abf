"""Every message the migration machinery can print is printed by its code and asserted by a test.

Read from the sources, without baking: a key of alembic-guardrails' MESSAGES must be
used by the library (`text("key", ...)`), and either a library unit test names it
(`text("key", ...)`, compared with what the code said) or a test of this template
asserts a stretch of its English wording. (The rules' own messages are checked beside
each rule, in the library's tests/rules/.) A message that nothing
asserts can vanish unnoticed, as the NOT NULL review point once could.
"""

import ast
import re
from pathlib import Path

import pytest

from conftest import TEMPLATE

LIBRARY = TEMPLATE / "packages" / "alembic-guardrails"
SOURCE = LIBRARY / "src" / "alembic_guardrails"
MESSAGES_FILE = SOURCE / "_messages.py"


def catalogue() -> dict[str, dict[str, str]]:
    tree = ast.parse(MESSAGES_FILE.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "MESSAGES":
            return ast.literal_eval(node.value)
    raise AssertionError("messages.py has no MESSAGES")


def sources(*paths: Path) -> str:
    return "\n".join(path.read_text() for path in paths)


ENGLISH = catalogue()["en"]
CODE = sources(*(p for p in SOURCE.rglob("*.py") if p != MESSAGES_FILE))
LIBRARY_TESTS = sources(*(LIBRARY / "tests").rglob("test_*.py"))
TEMPLATE_TESTS = sources(
    *(p for p in (TEMPLATE / "tests").glob("test_*.py") if p.name != Path(__file__).name)
)


def uses(source: str, key: str) -> bool:
    return re.search(rf"""\btext\(\s*["']{re.escape(key)}["']""", source) is not None


def fixed_parts(message: str) -> list[str]:
    """The wording between placeholders: what a test can assert literally."""
    return [part for part in re.split(r"{\w+}", message) if part.strip()]


# A template test that asserts this much of a message's own wording fails when it goes.
WINDOW = 24


def wording_windows(message: str) -> list[str]:
    """Every WINDOW-character stretch of the fixed wording (the whole part when shorter)."""
    parts = [part.strip() for part in fixed_parts(message)]
    return [part[i : i + WINDOW] for part in parts for i in range(max(1, len(part) - WINDOW + 1))]


@pytest.mark.parametrize("key", sorted(ENGLISH))
def test_the_code_prints_the_message(key):
    assert uses(CODE, key), f"no text({key!r}) in alembic-guardrails: remove the message or use it"


@pytest.mark.parametrize("key", sorted(ENGLISH))
def test_a_test_asserts_the_message(key):
    by_name = uses(LIBRARY_TESTS, key)
    by_wording = any(window in TEMPLATE_TESTS for window in wording_windows(ENGLISH[key]))
    assert by_name or by_wording, (
        f"no test asserts the {key!r} message: name it in a baked unit test (text({key!r}, ...)) "
        "or assert its English wording in a template test"
    )
