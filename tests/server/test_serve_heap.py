"""``dispatchd serve`` takes its start-up heap out of the cyclic collector's reach once the app has
started, so that full collections under load walk only objects made since (dispatch p99)."""

from __future__ import annotations

import gc
from typing import Any

from dispatchd.server import FreezeAfterStartup


async def test_the_heap_is_frozen_when_startup_completes_and_requests_pass_through():
    marker: list[object] = [object()]  # alive before start-up: frozen with the rest
    seen: list[tuple[str, bool]] = []
    sent: list[dict[str, Any]] = []

    def tracked(obj: object) -> bool:
        return any(o is obj for o in gc.get_objects())

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            assert (await receive())["type"] == "lifespan.startup"
            seen.append(("before startup.complete", tracked(marker)))
            await send({"type": "lifespan.startup.complete"})
            seen.append(("after startup.complete", tracked(marker)))
            return
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> dict[str, Any]:
        return {"type": "lifespan.startup"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    wrapped = FreezeAfterStartup(app)
    frozen_before = gc.get_freeze_count()
    try:
        await wrapped({"type": "http", "method": "GET", "path": "/"}, receive, send)
        assert gc.get_freeze_count() == frozen_before  # a request freezes nothing
        assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
        await wrapped({"type": "lifespan"}, receive, send)
        assert seen == [("before startup.complete", True), ("after startup.complete", False)]
        assert gc.get_freeze_count() > frozen_before
        assert sent[-1] == {"type": "lifespan.startup.complete"}
    finally:
        gc.unfreeze()  # this test process keeps collecting as before
    assert tracked(marker)
