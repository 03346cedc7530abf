"""Errors on the `alembic` command line: one `FAILED:` line on stderr, with the next step.

Alembic prints its `FAILED: <reason>` on stdout, so `alembic upgrade head --sql > up.sql`
would write the error into the SQL. From the command line (`config.cmd_opts` set) the
errors of a run go through `fail()` instead: the line on stderr, exit status 255 as
Alembic's own (sys.exit(-1)). Called from Python, a CommandError is raised as always.

`one_line_errors()` wraps what env.py runs and adds the next step to Alembic's errors that
lack one: a `--sql` range with one end missing (Alembic fails with an AssertionError
traceback), and several heads where `head` names one (`alembic merge heads`).

`refuse_missing_config()` is what the `alembic.plugins` entry point (_plugin.py) calls on
every start of `alembic`: when no alembic.ini is where the command looks, it says where the
project's is instead of Alembic's `No 'script_location' key found in configuration.`
Only the standard library and _messages load here: Alembic is half-way through its own
import then.
"""

from __future__ import annotations

import configparser
import os
import shlex
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NoReturn

from alembic.util import CommandError

from . import _messages as messages

# Alembic's own exit status for `FAILED:` (util.err's sys.exit(-1)).
EXIT_FAILED = 255
# Alembic commands that read alembic.ini (init and list_templates do not).
CONFIG_COMMANDS = frozenset(
    {
        "branches",
        "check",
        "current",
        "downgrade",
        "edit",
        "ensure_version",
        "heads",
        "history",
        "merge",
        "revision",
        "show",
        "stamp",
        "upgrade",
    }
)
# Alembic's global options that take a value (`-c FILE`, `-n NAME`, `-x KEY=VALUE`).
VALUE_OPTIONS = ("-c", "--config", "-n", "--name", "-x")


def from_command_line(config: Any) -> bool:
    """True under the `alembic` command; False for commands called from Python (cmd_opts None)."""
    return getattr(config, "cmd_opts", None) is not None


def print_failed(message: str) -> None:
    """`FAILED: message` on stderr, as Alembic words it."""
    with suppress(BrokenPipeError):
        sys.stderr.write(f"FAILED: {message}\n")
        sys.stderr.flush()


def fail(config: Any, message: str) -> NoReturn:
    """End the command with `message`: on stderr from the command line, a CommandError from Python."""
    if from_command_line(config):
        print_failed(message)
        raise SystemExit(EXIT_FAILED)
    raise CommandError(message)


@contextmanager
def one_line_errors(config: Any) -> Iterator[None]:
    """Around env.py's run: every CommandError becomes one line on stderr, with the next step."""
    if not from_command_line(config):
        yield
        return
    try:
        refuse_half_a_range(config)
        yield
    except CommandError as error:
        fail(config, explained(config, error))


def refuse_half_a_range(config: Any) -> None:
    """`alembic upgrade <rev>: --sql` (or `:<rev>`): Alembic would fail with an AssertionError."""
    options = config.cmd_opts
    command = getattr(options, "cmd", None)
    name = getattr(command[0] if command else None, "__name__", None)
    revision = getattr(options, "revision", None)
    if name not in ("upgrade", "downgrade") or not getattr(options, "sql", False) or not revision:
        return
    if ":" not in revision:
        return
    parts = revision.split(":")
    if len(parts) == 2 and all(part.strip() for part in parts):
        return
    start = parts[0].strip() or "<start>"
    end = (
        parts[-1].strip()
        if len(parts) > 1 and parts[-1].strip()
        else ("head" if name == "upgrade" else "base")
    )
    raise CommandError(
        messages.text("half_a_range", command=name, revision=revision, example=f"{start}:{end}")
    )


def explained(config: Any, error: CommandError) -> str:
    """The error's line, with the next step where Alembic gives none."""
    from alembic.script.revision import MultipleHeads, ResolutionError

    cause = error.__cause__
    if isinstance(cause, MultipleHeads):
        return _multiple_heads(config, cause)
    if isinstance(cause, ResolutionError) and messages.LANGUAGE != "en":
        return messages.text("unknown_revision", revision=cause.argument)
    if str(error) == "Target database is not up to date.":  # revision --autogenerate, check
        return messages.text("not_up_to_date")
    return str(error)


def _multiple_heads(config: Any, error: Any) -> str:
    from alembic.script import ScriptDirectory

    heads = list(error.heads)
    with suppress(Exception):  # the ids alone are enough when the scripts cannot be read
        script = ScriptDirectory.from_config(config)
        heads = [_named(script.get_revision(head)) or head for head in heads]
    options = config.cmd_opts
    command = getattr(options.cmd[0], "__name__", "upgrade")
    listed = messages.text("and_list", first=", ".join(heads[:-1]), last=heads[-1])
    return messages.text(
        "multiple_heads", count=len(heads), heads=listed, command=command, argument=error.argument or "head"
    )


def _named(script: Any) -> str | None:
    if script is None:
        return None
    doc = " ".join(str(script.doc or "").split())
    return f"{script.revision} ({doc})" if doc else str(script.revision)


# --- no alembic.ini where the command looks ----------------------------------------------------


def refuse_missing_config(argv: Sequence[str] | None = None, cwd: Path | None = None) -> None:
    """Under the `alembic` command, when its configuration file is missing: say where it is, exit.

    Does nothing (and reads nothing but argv and the file system's view of the config paths)
    unless the process is the `alembic` console script running a command that reads a config,
    no alembic.ini is where it looks, and no pyproject.toml in the current directory has a
    [tool.alembic] section.
    """
    if argv is None:
        argv = sys.argv
        if argv[:1] == ["-m"]:  # `python -m alembic ...` while Python imports the package
            original = list(getattr(sys, "orig_argv", []))
            at = next((i for i in range(len(original) - 1) if original[i : i + 2] == ["-m", "alembic"]), None)
            argv = ["alembic", *original[at + 2 :]] if at is not None else argv
    if not argv or Path(argv[0]).stem != "alembic":
        return
    parsed = _parse_command_line(list(argv[1:]))
    if parsed is None:
        return
    command, given_configs, rest = parsed
    if command not in CONFIG_COMMANDS:
        return
    cwd = Path.cwd() if cwd is None else cwd
    ini, toml = _config_files(given_configs)
    if (cwd / ini).is_file() or _has_alembic_section(cwd / toml):
        return
    found = _alembic_ini_above(cwd)
    if found is not None:
        with suppress(ValueError):
            messages.set_language(_language_of(found))
        relative = os.path.relpath(found, cwd)
        rerun = shlex.join(["alembic", "-c", relative, *rest])
        hint = messages.text(
            "config_above", ini=found, directory=shlex.quote(str(found.parent)), command=rerun
        )
    else:
        hint = messages.text(
            "config_nowhere", command=shlex.join(["alembic", "-c", "path/to/alembic.ini", *rest])
        )
    print_failed(messages.text("config_missing", ini=cwd / ini) + hint)
    raise SystemExit(EXIT_FAILED)


def _parse_command_line(arguments: list[str]) -> tuple[str, list[str], list[str]] | None:
    """(command, the -c values, the arguments without -c); None for --help, --version, no command."""
    configs: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        if argument in ("-h", "--help", "--version"):
            return None
        if argument in VALUE_OPTIONS:
            value = arguments[index + 1] if index + 1 < len(arguments) else ""
            if argument in ("-c", "--config"):
                configs.append(value)
            else:
                rest += [argument, value]
            index += 2
            continue
        if argument.startswith("--config="):
            configs.append(argument.partition("=")[2])
        elif argument.startswith("-c") and not argument.startswith("--"):
            configs.append(argument[2:])
        elif argument.startswith("-"):
            rest.append(argument)
        else:
            tail = arguments[index + 1 :]
            if "-h" in tail or "--help" in tail:
                return None
            return argument, configs, [*rest, argument, *tail]
        index += 1
    return None


def _config_files(given: list[str]) -> tuple[str, str]:
    """(the ini file, the pyproject.toml) the command reads, as Alembic's CommandLine picks them."""
    toml = next((name for name in given if os.path.basename(name) == "pyproject.toml"), None)
    ini = next((name for name in given if os.path.basename(name) != "pyproject.toml"), None)
    from_environment = os.environ.get("ALEMBIC_CONFIG", "")
    if os.path.basename(from_environment) == "pyproject.toml":
        default_toml, default_ini = from_environment, "alembic.ini"
    else:
        default_toml, default_ini = "pyproject.toml", from_environment or "alembic.ini"
    return ini or default_ini, toml or default_toml


def _has_alembic_section(toml: Path) -> bool:
    try:
        return "[tool.alembic" in toml.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def _alembic_ini_above(directory: Path) -> Path | None:
    for parent in directory.resolve().parents:
        candidate = parent / "alembic.ini"
        if candidate.is_file():
            return candidate
    return None


def _language_of(ini: Path) -> str:
    """alembic.ini's `language` (the guards' language), English when unreadable."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(ini, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return "en"
    return parser.get("alembic", "language", fallback="en").strip() or "en"
