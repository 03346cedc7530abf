"""Let copier render this cookiecutter template unchanged (loaded by copier.yml's `_jinja_extensions`).

Copier renders with the same Jinja, but five things differ from cookiecutter, and
this extension supplies each, reading cookiecutter.json so there is one list of
questions and one list of verbatim files:

- the answers live at the top level: every file here says `cookiecutter.x`, so
  the answers are also exposed as a `cookiecutter` mapping;
- `_copy_without_render` does not exist: those files (GitHub's `${{ }}`
  expressions) are wrapped in `{% raw %}` as they are loaded, so they come out
  byte for byte;
- `{% import "i18n/..." %}` resolves against cookiecutter's `templates/`
  directory, not the template root: `templates/` is searched too;
- cookiecutter.json's private constants (`_guardrails_version`) are no copier questions:
  they join the `cookiecutter` mapping from cookiecutter.json;
- `slugify` and local_extensions.py's answer checks (copier.yml's per-question validators
  call them, so both tools refuse the same answers with the same line).

One thing copier itself gets wrong is fixed here too: a template copied from a relative path
(`copier copy ../cookiecutter-alembic my-service`) is recorded as given, relative to where
copier ran, and `copier update` run inside the project then finds no template. The answers
file records it relative to the project instead (`recorded_answers`).
"""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import os
import re
import unicodedata
from pathlib import Path

from copier.errors import UserMessageError
from copier_template_extensions import ContextHook
from jinja2 import ChoiceLoader, FileSystemLoader, pass_context

ROOT = Path(__file__).resolve().parent.parent
COOKIECUTTER_JSON = json.loads((ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
QUESTIONS = [key for key in COOKIECUTTER_JSON if not key.startswith("_")]
VERBATIM = COOKIECUTTER_JSON.get("_copy_without_render", [])
# cookiecutter.json's private constants (`_guardrails_version`): not questions, but the files use them.
CONSTANTS = {
    key: value
    for key, value in COOKIECUTTER_JSON.items()
    if key.startswith("_") and not key.startswith("__") and isinstance(value, str)
}


def _load_answer_checks():
    """local_extensions.py: the checks cookiecutter applies while it renders the answers."""
    spec = importlib.util.spec_from_file_location("local_extensions", ROOT / "local_extensions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PRE_GEN = _load_answer_checks()


def slugify(value: str, max_length: int = 0) -> str:
    """cookiecutter's `slugify` (python-slugify) where it is installed; an ASCII fold otherwise."""
    try:
        from slugify import slugify as python_slugify
    except ImportError:
        ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.replace("'", "").lower()).strip("-")
        return slug[:max_length].strip("-") if max_length else slug
    return python_slugify(value, max_length=max_length)


@pass_context
def answer_problem(context, value, key: str) -> str:
    """The answer check's message for one answer, or "" (copier's validators: empty means valid).

    Only for answers typed at the prompt (copier asks again). Without a prompt
    (`--defaults`, or an answer given with `--data`) copier reports a failed
    validator with its own traceback, so `refuse_bad_answers` checks those instead.
    """
    conf = context["_copier_conf"]
    if conf["defaults"] or key in conf["data"]:
        return ""
    if key == "project_slug":
        problem = PRE_GEN.slug_problem(value)
    elif key == "package_name":
        problem = PRE_GEN.package_problem(value)
    else:
        problem = PRE_GEN.list_problem(key, value)
    return problem or ""


@pass_context
def refuse_bad_answers(context) -> str:
    """All answers through local_extensions.py's checks, as cookiecutter applies them before baking.

    Answers that were not typed at a prompt (`--defaults`, `--data`, and what they
    derive: a project_name of "2048 Service" gives package_name "2048_service")
    meet the checks here: copier stops before any file is written, with the
    hook's ERROR lines and no traceback.
    """
    problems = PRE_GEN.problems({key: context[key] for key in QUESTIONS if key in context})
    if problems:
        raise UserMessageError("\n".join(f"ERROR: {problem}" for problem in problems))
    return "ok"


def recorded_answers(answers, dst_path) -> dict:
    """copier's answers as `.copier-answers.yml` records them: a template taken from a relative
    local path gets that path relative to the project (dst_path), where `copier update` runs.

    copier resolves `_src_path` against the working directory it runs in; recorded as typed
    (relative to wherever `copier copy` ran), it points nowhere from inside the project. A URL,
    an absolute path or `~/...` is kept as it is. While `copier update` renders, the recorded
    path is already relative to the project (its working directory), and stays so.
    """
    source = answers.get("_src_path")
    local = isinstance(source, str) and not source.startswith("~") and os.path.isdir(source)
    if not local or os.path.isabs(source):
        return answers
    relative = os.path.relpath(os.path.realpath(source), os.path.realpath(os.fspath(dst_path)))
    return {**answers, "_src_path": Path(relative).as_posix()}


class CookiecutterCompat(ContextHook):
    def __init__(self, environment):
        super().__init__(environment)
        environment.loader = ChoiceLoader([environment.loader, FileSystemLoader(str(ROOT / "templates"))])
        environment.filters["slugify"] = slugify
        environment.filters["answer_problem"] = answer_problem
        environment.filters["recorded_answers"] = recorded_answers
        # alembic.ini stores table lists tidied, through local_extensions.py's filter. Where
        # cookiecutter is installed, its simple_filter made that an extension that registers
        # the filter itself; without cookiecutter it is the plain function.
        table_list = PRE_GEN.table_list
        if isinstance(table_list, type):
            table_list(environment)
        else:
            environment.filters["table_list"] = table_list
        environment.globals["refuse_bad_answers"] = refuse_bad_answers
        environment.globals["template_root"] = str(ROOT)

    def hook(self, context):
        context["cookiecutter"] = {key: context[key] for key in QUESTIONS if key in context} | CONSTANTS

    def preprocess(self, source, name, filename=None):
        # Names are relative to the template root: "{{cookiecutter.project_slug}}/.gitlab-ci.yml".
        inside_project = (name or "").partition("/")[2]
        if any(fnmatch.fnmatch(inside_project, pattern) for pattern in VERBATIM):
            return "{% raw %}" + source + "{% endraw %}"
        return source
