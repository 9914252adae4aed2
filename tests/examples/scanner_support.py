"""Support of the example scanner's tests: the scanner served on 127.0.0.1 in the test's event loop,
and a small dispatch receiver that records what it is sent and can be told to fail or to be away.
The fixtures are made available by this directory's conftest.py.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

SCANNER_HOME = Path(__file__).resolve().parents[2] / "examples" / "cve-scanner"
sys.path.insert(0, str(SCANNER_HOME))

from scanner.app import create_app
from scanner.callback import RetryPolicy

#: Quick retries, so that tests of the retry path take fractions of a second.
FAST_RETRY = RetryPolicy(attempts=6, backoff=0.05, max_backoff=0.4)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def serve(app: FastAPI, port: int) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("server stopped during start-up")
        await asyncio.sleep(0.01)
    return server, task


async def stop(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    await task


@dataclass
class Scanner:
    base_url: str
    http: httpx.AsyncClient
    app: FastAPI

    async def scan(self, **body: Any) -> httpx.Response:
        return await self.http.post("/scans", json=body)

    async def wait(self, scan_id: str, timeout: float = 20.0) -> dict[str, Any]:
        """The scan once its callback is delivered or has failed for good."""
        deadline = time.monotonic() + timeout
        while True:
            r = await self.http.get(f"/scans/{scan_id}")
            assert r.status_code == 200, r.text
            view = r.json()
            if view["status"] == "error" or view["callback"]["state"] in ("delivered", "failed"):
                return view
            if time.monotonic() > deadline:
                raise AssertionError(f"scan did not finish: {view}")
            await asyncio.sleep(0.02)


@pytest.fixture
async def start_scanner() -> AsyncIterator[Callable[..., Any]]:
    """``await start_scanner(advisories=None, delay=0.0, retry=FAST_RETRY)`` → :class:`Scanner`."""
    running: list[tuple[uvicorn.Server, asyncio.Task[None], httpx.AsyncClient]] = []

    async def start(advisories: Path | None = None, delay: float = 0.0, retry: RetryPolicy = FAST_RETRY) -> Scanner:
        app = create_app(advisories, delay, retry=retry)
        port = free_port()
        server, task = await serve(app, port)
        http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)
        running.append((server, task, http))
        return Scanner(f"http://127.0.0.1:{port}", http, app)

    yield start
    for server, task, http in running:
        await http.aclose()
        await stop(server, task)


@dataclass
class Receiver:
    """A stand-in for GitHub's dispatch endpoint: records every request, answers as told."""

    port: int
    fail_with: int | None = None  # answer this status …
    fail_times: int = 0  # … this many times first (-1: always)
    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/repos/acme/app/dispatches"

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/repos/{owner}/{repo}/dispatches")
        async def dispatches(owner: str, repo: str, request: Request) -> Response:
            self.requests.append({"repository": f"{owner}/{repo}", "body": await request.json(),
                                  "authorization": request.headers.get("authorization")})
            if self.fail_with is not None and (self.fail_times < 0 or len(self.requests) <= self.fail_times):
                return JSONResponse(status_code=self.fail_with, content={"message": "try again later"})
            return Response(status_code=204)

        return app


@pytest.fixture
async def start_receiver() -> AsyncIterator[Callable[..., Any]]:
    """``await start_receiver(receiver)`` serves a :class:`Receiver` on its port."""
    running: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []

    async def start(receiver: Receiver) -> Receiver:
        running.append(await serve(receiver.app(), receiver.port))
        return receiver

    yield start
    for server, task in running:
        await stop(server, task)
