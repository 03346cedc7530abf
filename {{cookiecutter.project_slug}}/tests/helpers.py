"""Small helpers the tests share."""

import asyncio


def on_connection(engine, work):
    """work(connection) in a committed transaction, on a sync or an async (use_async) engine."""
    if not hasattr(engine, "sync_engine"):
        with engine.begin() as connection:
            return work(connection)

    async def run():
        try:
            async with engine.begin() as connection:
                return await connection.run_sync(work)
        finally:
            # asyncpg / aiomysql connections belong to this event loop, which ends here.
            await engine.dispose()

    return asyncio.run(run())
