"""The template's own README: commands a user can run as written, and the facts the tests use."""

import json
import re

from conftest import SERVERS, TEMPLATE

README = (TEMPLATE / "README.md").read_text()


def test_no_placeholder_stands_where_a_command_is_copied():
    assert "gh:OWNER" not in README and "OWNER/" not in README


def test_server_variables_are_the_ones_the_skip_messages_name():
    # A skipped server test says `export VARIABLE=EXAMPLE`: the README says the same.
    exported = dict(re.findall(r"^export (TEST_\w+_URL)=(\S+)", README, re.MULTILINE))
    assert exported == dict(SERVERS.values())


def test_the_slug_prompt_names_what_the_check_accepts():
    prompt = json.loads((TEMPLATE / "cookiecutter.json").read_text())["__prompts__"]["project_slug"]
    assert "_" in prompt and "-" in prompt and "64" in prompt
