"""A baked project, and the commands a user would run in it."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent  # alembic, ruff, nox of this test environment


@dataclass
class BakedProject:
    path: Path
    context: dict

    @property
    def package(self) -> Path:
        return self.path / self.context["package_name"]

    def run(
        self, *command: str, env: dict[str, str] | None = None, check: bool = False, timeout: float = 300
    ):
        """Run a command in the project, with DATABASE_URL etc. from `env`, as a user would."""
        full_env = {key: value for key, value in os.environ.items() if key not in SCRUBBED}
        full_env["PATH"] = f"{BIN}{os.pathsep}{full_env.get('PATH', '')}"
        full_env.update(env or {})
        result = subprocess.run(
            command, cwd=self.path, env=full_env, capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(command)} exited {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
            )
        return result

    def alembic(self, *args: str, env: dict[str, str] | None = None, check: bool = True):
        return self.run(str(BIN / "alembic"), *args, env=env, check=check)

    def pytest(self, *args: str, env: dict[str, str] | None = None):
        return self.run(
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, env=env, check=True
        )

    def ruff(self):
        self.run(str(BIN / "ruff"), "check", ".", check=True)
        self.run(str(BIN / "ruff"), "format", "--check", ".", check=True)

    def versions(self) -> list[Path]:
        return sorted((self.path / "alembic" / "versions").glob("*.py"))

    def edit(self, relative: str, old: str, new: str) -> None:
        target = self.path / relative
        text = target.read_text()
        assert old in text, f"{old!r} not in {relative}"
        target.write_text(text.replace(old, new, 1))


# Variables of the caller that would change what a baked project does. nox's uv backend
# exports UV_PROJECT_ENVIRONMENT (the tests' own venv): a `uv sync` in a bake would
# replace that venv's packages with the bake's.
SCRUBBED = {
    "DATABASE_URL",
    "APP_ENV",
    "ALEMBIC_ENV",
    "TEST_DATABASE_URL",
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "UV_PROJECT_ENVIRONMENT",
}
