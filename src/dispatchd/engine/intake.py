"""Group commit for incoming events.

Every acknowledged event must be on disk before the API answers, and a commit costs an fsync.
Requests that arrive while a commit is in flight are gathered and committed together, so the
cost of one fsync is shared by every request waiting for it (the classic group commit).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ..store import events as stored_events
from ..store.database import Database, Txn

Accept = Callable[[Txn, list[stored_events.NewEvent]], list[object]]

#: Upper bound on events per transaction, to keep one commit's latency bounded.
MAX_BATCH = 256


class EventIntake:
    """Append events durably. ``await append(e)`` returns what ``accept`` answered for that event
    once the transaction committed. ``accept(conn, batch)`` stores a batch (and may create runs in
    the same transaction); ``on_committed(results)`` runs after each commit."""

    def __init__(self, db: Database, accept: Accept, on_committed: Callable[[list[object]], None]) -> None:
        self._db = db
        self._accept = accept
        self._on_committed = on_committed
        self._pending: list[tuple[stored_events.NewEvent, asyncio.Future[object]]] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="event-intake")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def append(self, event: stored_events.NewEvent) -> object:
        fut: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self._pending.append((event, fut))
        self._wakeup.set()
        return await fut

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                try:
                    results = await self._db.write(self._accept, [e for e, _ in batch])
                except Exception as exc:  # the requests get a 5xx-free error; nothing was stored
                    for _, fut in batch:
                        if not fut.done():
                            fut.set_exception(exc)
                    continue
                for (_, fut), result in zip(batch, results, strict=True):
                    if not fut.done():
                        fut.set_result(result)
                self._on_committed(results)
