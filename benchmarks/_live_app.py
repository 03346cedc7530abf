"""The application of live_traffic.py: one process of one version of the code, through its models.

    python _live_app.py CODE_DIR PACKAGE OUTPUT [--readers 2] [--writers 1] [--pace 0.02] [--rows N]

CODE_DIR holds a copy of the baked package as that version of the code has it (its models.py,
db.py, settings.py); the process imports `PACKAGE.models` and `PACKAGE.db` from there and talks
to DATABASE_URL through the package's own `db.session_scope()`, as the application does.
Readers load random users (`session.get`, which names every mapped column); writers insert a
user and update a random one in turn, setting every mapped attribute. Each operation is one
session, committed; its start (epoch seconds), its wait (seconds, commit included) and its
error, if any, are recorded, and whether it was one of the thread's first --warmup operations
(which connect and compile the statements: start-up, not traffic, left out of the figures). It
prints READY once every thread has finished those, and stops when its stdin closes, writing
the records to OUTPUT as JSON.
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import sys
import threading
import time

from sqlalchemy import exc, inspect


def error_kind(error: BaseException) -> str:
    """What the application sees, by kind: the driver's error class and its code."""
    original = getattr(error, "orig", None)
    if isinstance(error, exc.DBAPIError) and original is not None:
        code = getattr(original, "sqlstate", None) or (original.args[0] if original.args else "")
        return f"{type(original).__name__} ({code})"
    return type(error).__name__


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("code")
    parser.add_argument("package")
    parser.add_argument("output")
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--writers", type=int, default=1)
    parser.add_argument("--pace", type=float, default=0.02, help="pause between one thread's operations")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--label", default="app")
    parser.add_argument("--warmup", type=int, default=5, help="each thread's first operations: start-up")
    args = parser.parse_args()
    args.warmup = max(args.warmup, 1)

    sys.path.insert(0, args.code)
    models = importlib.import_module(f"{args.package}.models")
    db = importlib.import_module(f"{args.package}.db")
    user = models.User
    # The attributes this version of the code maps besides id and name (nickname, fullname, ...).
    extra = [attribute.key for attribute in inspect(user).column_attrs if attribute.key not in ("id", "name")]

    records: list[tuple[float, float, str, str | None, str, bool]] = []
    samples: dict[str, str] = {}
    lock = threading.Lock()
    stopping = threading.Event()
    warm = threading.Barrier(args.readers + args.writers + 1)

    def record(
        started: float, waited: float, operation: str, error: BaseException | None, first: bool
    ) -> None:
        kind = None if error is None else error_kind(error)
        with lock:
            records.append((started, waited, operation, kind, args.label, first))
            if kind is not None and kind not in samples:
                samples[kind] = str(getattr(error, "orig", error)).splitlines()[0][:200]

    def read(rng: random.Random) -> None:
        with db.session_scope() as session:
            found = session.get(user, rng.randint(1, args.rows))
            for key in extra:
                getattr(found, key, None)

    def write(rng: random.Random, turn: int) -> None:
        with db.session_scope() as session:
            if turn % 2 == 0:
                session.add(user(name=f"new {turn}", **{key: f"x{turn}" for key in extra}))
            else:
                found = session.get(user, rng.randint(1, args.rows))
                if found is not None:
                    found.name = f"user {turn}"
                    for key in extra:
                        setattr(found, key, f"y{turn}")

    def loop(reader: bool, seed: int) -> None:
        rng = random.Random(seed)
        turn = 0
        while not stopping.is_set():
            warming = turn < args.warmup
            operation = "read" if reader else ("insert" if turn % 2 == 0 else "update")
            started, clock = time.time(), time.perf_counter()
            error: BaseException | None = None
            try:
                if reader:
                    read(rng)
                else:
                    write(rng, turn)
            except Exception as caught:  # noqa: BLE001 - every error the application sees is a figure
                error = caught
            record(started, time.perf_counter() - clock, operation, error, warming)
            turn += 1
            if turn == args.warmup:
                warm.wait()
            time.sleep(args.pace)

    threads = [
        threading.Thread(target=loop, args=(index < args.readers, index), daemon=True)
        for index in range(args.readers + args.writers)
    ]
    for thread in threads:
        thread.start()
    warm.wait()
    print("READY", flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin
    stopping.set()
    for thread in threads:
        thread.join(timeout=60)
    with open(args.output, "w", encoding="utf-8") as output:
        json.dump({"records": records, "samples": samples, "extra": extra}, output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
