"""What the benchmarks share: baking, running the real alembic CLI, timing, reporting.

Every figure is a ratio against a baseline measured side by side on the same
machine in the same run, alternating which goes first, so a busy or slow
machine moves both sides alike.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
FIRST_REVISION = "5f3a9c2e1b7d"  # the template's create_users_table revision

REVISION = '''"""{message}

Revision ID: {revision}
Revises: {down_revision}
"""

{imports}
revision = "{revision}"
down_revision = "{down_revision}"
branch_labels = None
depends_on = None


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''


def revision_file(
    revision: str,
    message: str,
    imports: str,
    upgrade: str,
    downgrade: str,
    down_revision: str = FIRST_REVISION,
) -> str:
    """A revision's text (after the template's first one unless told); bodies come indented."""
    return REVISION.format(
        revision=revision,
        message=message,
        down_revision=down_revision,
        imports=imports,
        upgrade=upgrade.rstrip(),
        downgrade=downgrade.rstrip(),
    )


# The alembic of this interpreter's environment, not a shell shim in front of it.
_BIN = Path(sys.executable).parent / "alembic"
ALEMBIC = str(_BIN) if _BIN.exists() else (shutil.which("alembic") or "alembic")

# Caller variables that would change what a baked project does. PYTHONDONTWRITEBYTECODE
# goes too: a user's machine caches the revisions' bytecode, and recompiling every
# revision on every command would hide the fixed costs being measured.
SCRUBBED = {
    "DATABASE_URL",
    "APP_ENV",
    "ALEMBIC_ENV",
    "TEST_DATABASE_URL",
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "PYTHONDONTWRITEBYTECODE",
    "MIGRATION_LOCK_TIMEOUT",
    "MIGRATION_STATEMENT_TIMEOUT",
}


def arguments(description: str, target: float) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds per side (default 7)")
    parser.add_argument(
        "--check", action="store_true", help=f"exit 1 when the median ratio is above {target}"
    )
    parser.add_argument(
        "--dir",
        default=scratch_root(),
        help="where the projects and databases go (default: memory-backed /dev/shm when there is one, "
        "else the temp dir; a disk adds the latency of its syncs to both sides)",
    )
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def bake(output_dir: Path, **answers: str) -> Path:
    """Bake the template with its defaults (SQLite) plus `answers`; the project's path."""
    return Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(output_dir), extra_context=answers))


def environment(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in SCRUBBED}
    env.update(extra)
    return env


def alembic(cwd: Path, *args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([ALEMBIC, *args], cwd=cwd, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise SystemExit(
            f"alembic {' '.join(args)} failed in {cwd.name} (exit {result.returncode}):\n{result.stderr}"
        )
    return result


@dataclass
class Timings:
    """Seconds per round: wall clock (the verdict) and the children's CPU time (a cross-check
    that a busy machine inflates far less than the wall clock)."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cwd: Path, commands: list[tuple[str, ...]], env: dict[str, str], into: Timings) -> None:
    """Run `commands` one after another, each a fresh alembic process; record the round."""
    cpu, start = _children_cpu(), time.perf_counter()
    for args in commands:
        alembic(cwd, *args, env=env)
    into.wall.append(time.perf_counter() - start)
    into.cpu.append(_children_cpu() - cpu)


def scratch_root() -> str | None:
    """Where the databases live: memory (tmpfs) when the system has it, so the figures
    measure the work of env.py and not the latency of the disk's syncs."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return str(shm)
    return None


@contextmanager
def scratch_directory(args: argparse.Namespace, prefix: str) -> Iterator[Path]:
    """A temporary directory under --dir (the machine and the directory printed first: where the
    figures come from)."""
    print(f"machine: {machine()}")
    print(f"scratch directory: {args.dir or tempfile.gettempdir()}")
    with tempfile.TemporaryDirectory(prefix=prefix, dir=args.dir) as tmp:
        yield Path(tmp)


def remove_database(path: Path) -> None:
    """A fresh SQLite file: the database, its journal and the migration lock file beside it."""
    for candidate in path.parent.glob(path.name + "*"):
        candidate.unlink()


def median_ratio(measured: list[float], baseline: list[float]) -> tuple[float, list[float]]:
    ratios = [m / b for m, b in zip(measured, baseline, strict=True)]
    return statistics.median(ratios), ratios


def report(label: str, baseline_label: str, measured: Timings, baseline: Timings, target: float) -> bool:
    """Print medians and the median of per-round ratios; True when the wall ratio is within target."""
    width = max(len(label), len(baseline_label))
    print(f"rounds: {len(measured.wall)}")
    for name, times in ((label, measured), (baseline_label, baseline)):
        print(
            f"{name:<{width}}  median {statistics.median(times.wall):.3f} s wall "
            f"(min {min(times.wall):.3f}), {statistics.median(times.cpu):.3f} s CPU"
        )
    ratio, ratios = median_ratio(measured.wall, baseline.wall)
    cpu_ratio, _ = median_ratio(measured.cpu, baseline.cpu)
    print(f"wall ratio per round: {' '.join(f'{r:.3f}' for r in ratios)}")
    print(f"median CPU ratio {cpu_ratio:.3f}")
    passed = ratio <= target
    print(f"median wall ratio {ratio:.3f} (target <= {target}): {'PASS' if passed else 'FAIL'}")
    return passed


def machine() -> str:
    """The figures the README's results table records, without any path."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{len(os.sched_getaffinity(0))} cores, {cpu}; Python {platform.python_version()}; "
        f"alembic {version('alembic')}; SQLAlchemy {version('sqlalchemy')}"
    )


def write_chain(
    versions: Path,
    numbers: range,
    first_down: str,
    *,
    label: str,
    operations: Callable[[int], tuple[str, str]],
) -> str:
    """Chain one revision per number after `first_down`, each with `operations(number)` as its
    upgrade and downgrade, ids derived from `label`; the head's id."""
    down_revision = first_down
    for number in numbers:
        revision = hashlib.sha1(f"{label}-{number}".encode()).hexdigest()[:12]
        upgrade, downgrade = operations(number)
        text = revision_file(
            revision,
            f"bench {number}",
            "import sqlalchemy as sa\nfrom alembic import op\n",
            f"    {upgrade}",
            f"    {downgrade}",
            down_revision=down_revision,
        )
        (versions / f"20251129_{label}_{number:06d}_bench_{number:03d}.py").write_text(text)
        down_revision = revision
    return down_revision
