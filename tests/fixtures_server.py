"""Fixtures: a real dispatchd server on 127.0.0.1 for each test, in the test's event loop."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from dispatchd.repos import open_repository
from dispatchd.server import Server, ServerConfig

TOKEN = "test-admin-token"

#: With DISPATCHD_TEST_BACKEND=postgres the servers these fixtures start use PostgreSQL at
#: DISPATCHD_TEST_PG (a fresh database per server); otherwise SQLite in the test's directory.
BACKEND = os.environ.get("DISPATCHD_TEST_BACKEND", "sqlite")


def free_database_url_or_none() -> str | None:
    """A new empty PostgreSQL database when the postgres backend is selected, else None."""
    if BACKEND != "postgres":
        return None
    import psycopg

    admin = os.environ["DISPATCHD_TEST_PG"]
    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.rsplit("/", 1)[0] + "/" + name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Running:
    server: Server
    base_url: str
    http: httpx.AsyncClient

    async def dispatch(self, repo: str, event_type: str, payload: dict[str, Any] | None = None) -> httpx.Response:
        body: dict[str, Any] = {"event_type": event_type}
        if payload is not None:
            body["client_payload"] = payload
        return await self.http.post(f"/repos/{repo}/dispatches", json=body)

    async def runs(self, repo: str, **params: Any) -> list[dict[str, Any]]:
        r = await self.http.get(f"/repos/{repo}/actions/runs", params=params)
        assert r.status_code == 200, r.text
        return r.json()["workflow_runs"]

    async def wait_runs(self, repo: str, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """The repository's runs once ``count`` exist and all are completed."""
        import asyncio
        import time

        deadline = time.monotonic() + timeout
        while True:
            runs = await self.runs(repo, per_page=100)
            if len(runs) >= count and all(r["status"] == "completed" for r in runs):
                return runs
            if time.monotonic() > deadline:
                raise AssertionError(f"runs did not complete: {[(r['name'], r['status']) for r in runs]}")
            await asyncio.sleep(0.05)

    async def jobs(self, repo: str, run_id: int) -> list[dict[str, Any]]:
        r = await self.http.get(f"/repos/{repo}/actions/runs/{run_id}/jobs")
        assert r.status_code == 200, r.text
        return r.json()["jobs"]

    async def log(self, repo: str, job_id: int) -> str:
        r = await self.http.get(f"/repos/{repo}/actions/jobs/{job_id}/logs", follow_redirects=True)
        assert r.status_code == 200, r.text
        return r.text


@pytest.fixture
async def start_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Callable[..., Any]]:
    """``await start_server(["acme/app=/path"], **ServerConfig fields)`` → :class:`Running`."""
    monkeypatch.setenv("DISPATCHD_TOKEN", TOKEN)
    started: list[Running] = []

    async def start(specs: list[str], **options: Any) -> Running:
        repos = [open_repository(s) for s in specs]
        options.setdefault("db_url", free_database_url_or_none())
        options.setdefault("data_dir", tmp_path / f"state{len(started)}")
        config = ServerConfig(repos=repos, port=free_port(), **options)
        server = Server(config)
        await server.start()
        http = httpx.AsyncClient(base_url=config.base_url, timeout=30,
                                 headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/vnd.github+json"})
        running = Running(server, config.base_url, http)
        started.append(running)
        return running

    yield start
    for running in started:
        await running.http.aclose()
        await running.server.stop()
