"""Running the server: engine + API app under uvicorn, on a host and port."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from .api.app import create_app
from .api.auth import load_admin_token
from .engine.labels import DEFAULT_RUNNER_LABELS
from .engine.queue import DEFAULT_LEASE_SECONDS
from .engine.service import Engine, EngineConfig
from .repos import Repository
from .store.database import default_url


class FreezeAfterStartup:
    """ASGI wrapper: once the app's start-up is done (engine started, migrations run), and before
    uvicorn opens its socket, move every object then alive out of the cyclic collector's reach
    (``gc.freeze``). The start-up heap — modules, the app, the workflow schema — is ~150,000
    objects; walking it in a full (generation 2) collection stopped the event loop for 60–200 ms
    every few seconds under load, which was the whole p99 of dispatch latency. Later full
    collections walk only what was made since (~1 ms).

    Process-wide, so only ``serve()`` uses it; an embedding process keeps its collector as is.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_frozen(message: dict[str, Any]) -> None:
            if message["type"] == "lifespan.startup.complete":
                gc.collect()  # start-up garbage is freed first, not kept for ever
                gc.freeze()
            await send(message)

        await self.app(scope, receive, send_frozen)


@dataclass
class ServerConfig:
    """``dispatchd serve`` settings. ``data_dir`` holds the SQLite file (unless ``db_url`` says
    otherwise), the admin token and job workspaces."""

    repos: list[Repository]
    host: str = "127.0.0.1"
    port: int = 8080
    db_url: str | None = None
    data_dir: Path = field(default_factory=lambda: Path(os.environ.get("DISPATCHD_DATA_DIR", ".dispatchd")))
    runners: int = 4
    runner_labels: tuple[str, ...] = DEFAULT_RUNNER_LABELS
    lease_seconds: float = DEFAULT_LEASE_SECONDS
    public_url: str | None = None

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"


class Server:
    """An engine and its API. ``start()``/``stop()`` for embedding (demo, tests); ``serve()`` to
    run until interrupted."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        data_dir = config.data_dir.resolve()
        self.admin_token, self.token_generated = load_admin_token(data_dir)
        self.engine = Engine(EngineConfig(
            db_url=config.db_url or default_url(data_dir), data_dir=data_dir, server_url=config.base_url,
            runners=config.runners, runner_labels=config.runner_labels, lease_seconds=config.lease_seconds,
            secret_key=self.admin_token,
        ), config.repos)
        self.app = create_app(self.engine, self.admin_token, config.base_url)
        self._uvicorn = uvicorn.Server(uvicorn.Config(
            self.app, host=config.host, port=config.port, log_level="warning", access_log=False,
            lifespan="on", timeout_graceful_shutdown=5, limit_concurrency=None,
            h11_max_incomplete_event_size=64 * 1024))
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start serving in the background; returns once the socket accepts connections."""
        self._task = asyncio.create_task(self._uvicorn.serve())
        while not self._uvicorn.started:
            if self._task.done():
                self._task.result()  # raises what went wrong (port in use, …)
                raise RuntimeError("server stopped during start-up")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self._uvicorn.should_exit = True
        if self._task:
            await self._task

    async def serve(self) -> None:
        # The store's writer thread and the event loop hand the GIL back and forth for every
        # commit; CPython's default 5 ms switch interval would make each hand-off wait that long.
        sys.setswitchinterval(0.0005)
        self._uvicorn.config.app = FreezeAfterStartup(self.app)
        await self._uvicorn.serve()
