"""The engine and sessions, built lazily from the settings.

Nothing connects at import time, so importing the models never needs a database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from .settings import load_settings


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    # The URL object goes straight to create_engine: a password with `%` or `@`
    # never passes through a config parser or string formatting.
    return create_engine(load_settings().database_url, pool_pre_ping=True)


@lru_cache(maxsize=1)
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
