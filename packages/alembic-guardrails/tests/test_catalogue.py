"""docs/rules.md is what `python -m alembic_guardrails._catalogue` prints: generated, never hand-edited."""

from pathlib import Path

from alembic_guardrails import _catalogue
from alembic_guardrails.rules import RULES

DOCS = Path(__file__).parents[1] / "docs" / "rules.md"


def test_docs_rules_md_is_the_generated_catalogue():
    assert DOCS.read_text(encoding="utf-8") == _catalogue.catalogue(), (
        "docs/rules.md is out of date: regenerate it in packages/alembic-guardrails with "
        f"`{_catalogue.COMMAND}`"
    )


def test_the_module_prints_the_catalogue(capsys):
    _catalogue.main()
    assert capsys.readouterr().out == _catalogue.catalogue()


def test_every_rule_has_a_section_with_its_safe_way():
    text = _catalogue.catalogue()
    for rule in RULES:
        section = text.split(f"\n## {rule.id}\n", 1)[1].split("\n## ", 1)[0]
        assert rule.safe["en"] in section and rule.authority in section, rule.id
