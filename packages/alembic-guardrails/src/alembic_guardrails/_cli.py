"""`alembic-guardrails`: the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="alembic-guardrails",
        description="Guards for Alembic migrations: refuse data loss, review what may stall a live database.",
    )
    parser.add_argument("--version", action="version", version=f"alembic-guardrails {__version__}")
    parser.parse_args(argv)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
