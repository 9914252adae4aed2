"""Request limits, answered in GitHub's error shape before a route runs.

* Headers larger than ``max_header_bytes`` in all: 431 ``Request Header Fields Too Large``.
* A body larger than ``max_body_bytes`` (by ``Content-Length`` or as it streams): 413
  ``Payload too large`` — the dispatch payload limit (65,535 characters) makes a larger body
  useless anyway. A release asset upload (``POST /repos/{o}/{r}/releases/{id}/assets``) is a file:
  it may be ``max_upload_bytes`` (GitHub takes assets up to 2 GiB; dispatchd keeps them in its
  database, so it holds them to 100 MiB).
* A client that sends its body slower than ``body_timeout`` seconds in all: 408 ``Request
  timeout``, so a slow client cannot hold a request open for ever.

The body is read here, within those limits, and handed to the app whole.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass
from typing import Any

from .errors import DOCS


@dataclass
class Limits:
    max_header_bytes: int = 16 * 1024
    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = 100 * 1_048_576
    body_timeout: float = 30.0


UPLOAD_PATH = re.compile(r"/repos/[^/]+/[^/]+/releases/[0-9]+/assets")


def body_limit(limits: Limits, scope: dict[str, Any]) -> int:
    """The largest body the request may send: uploads of release assets may be files."""
    if scope.get("method") == "POST" and UPLOAD_PATH.fullmatch(scope.get("path") or ""):
        return limits.max_upload_bytes
    return limits.max_body_bytes


def _error(status: int, message: str) -> tuple[dict[str, Any], bytes]:
    body = json.dumps({"message": message, "documentation_url": DOCS, "status": str(status)}).encode()
    start = {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json; charset=utf-8"),
                         (b"content-length", str(len(body)).encode()), (b"connection", b"close")]}
    return start, body


class RequestLimits:
    """Pure ASGI middleware applying :class:`Limits`."""

    def __init__(self, app: Any, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def _refuse(self, send: Any, status: int, message: str) -> None:
        start, body = _error(status, message)
        await send(start)
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limits = self.limits
        headers = scope.get("headers") or []
        if sum(len(k) + len(v) for k, v in headers) > limits.max_header_bytes:
            await self._refuse(send, 431, "Request Header Fields Too Large")
            return
        declared = next((v for k, v in headers if k == b"content-length"), None)
        max_body = body_limit(limits, scope)
        if declared is not None:
            try:
                if int(declared) > max_body:
                    await self._refuse(send, 413, "Payload too large")
                    return
            except ValueError:
                await self._refuse(send, 400, "Problems parsing JSON")
                return
        if scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE") and declared is None:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + limits.body_timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                if remaining <= 0:
                    raise TimeoutError
                async with asyncio.timeout(remaining):  # no task per read, unlike wait_for
                    message = await receive()
            except TimeoutError:
                await self._refuse(send, 408, "Request timeout")
                return
            if message["type"] == "http.disconnect":
                return  # the client went away: nothing to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_body:
                await self._refuse(send, 413, "Payload too large")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
