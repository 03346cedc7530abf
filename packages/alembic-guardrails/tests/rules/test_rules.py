"""The rules as a set: ids, verdicts, words, and one module per rule."""

import pkgutil
import re

import pytest

from alembic_guardrails import rules
from alembic_guardrails._messages import set_language
from alembic_guardrails.rules import DIALECTS, MODULES, RULES, drop_column

KEBAB_CASE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def test_rule_ids_are_unique_and_kebab_case():
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    for rule_id in ids:
        assert KEBAB_CASE.fullmatch(rule_id), rule_id


def test_each_rule_lives_in_the_module_named_after_it():
    for module in MODULES:
        assert module.__name__ == "alembic_guardrails.rules." + module.RULE.id.replace("-", "_")


def test_every_rule_module_is_listed():
    # A module left out of MODULES would never run.
    on_disk = {info.name for info in pkgutil.iter_modules(rules.__path__) if not info.name.startswith("_")}
    assert on_disk == {module.__name__.rsplit(".", 1)[1] for module in MODULES}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_every_rule_is_complete(rule):
    assert rule.verdict in ("refuse", "review")
    assert rule.dialects and set(rule.dialects) <= set(DIALECTS)
    assert rule.authority.strip()
    assert rule.overridable or rule.verdict == "refuse"


@pytest.mark.parametrize(
    "rule", [rule for rule in RULES if rule.verdict == "refuse"], ids=lambda rule: rule.id
)
def test_every_refusal_says_the_safe_way(rule):
    # A refusal stops the work: it must say how to make the change safely, or how to override it.
    assert rule.safe.keys() == rule.message.keys()
    for language, safe in rule.safe.items():
        assert safe.strip(), (rule.id, language)


def test_refusals_come_before_reviews():
    verdicts = [rule.verdict for rule in RULES]
    assert verdicts == sorted(verdicts)  # "refuse" < "review"


def test_rules_speak_the_language_set_for_the_project():
    try:
        set_language("zh")
        assert drop_column.RULE.says() == drop_column.RULE.message["zh"]
    finally:
        set_language("en")
    assert drop_column.RULE.says() == "drop column (its values are lost)"
