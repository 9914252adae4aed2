"""``dispatchd demo``: the scenario end to end on the embedded SQLite default.

A server starts on a temporary database with the example repository (a git repository made
from ``examples/cve-scanner/repo``); an outside scanner's two callbacks arrive over HTTP — one
clean, one with a CVE; the runs they start are followed to their end and shown with their logs.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from .repos import open_repository
from .server import Server, ServerConfig

REPO_NAME = "acme/scanner-demo"

#: What the demo expects of each callback: event type → {workflow name: conclusion}.
EXPECTED = {"cve-check-passed": {"ship": "success"}, "cve-check-failed": {"cve-found": "success"}}


def examples_dir() -> Path:
    """``examples/cve-scanner`` of the source tree (or of the current directory)."""
    for base in (Path(__file__).resolve().parents[2], Path.cwd()):
        candidate = base / "examples" / "cve-scanner"
        if (candidate / "repo").is_dir():
            return candidate
    raise FileNotFoundError("examples/cve-scanner not found: run the demo from a dispatchd checkout")


def make_repository(source: Path, target: Path) -> Path:
    """Copy ``source`` to ``target`` and commit it on ``main`` (GitHub reads the default branch)."""
    shutil.copytree(source, target)
    env = {**os.environ, "GIT_AUTHOR_NAME": "acme", "GIT_AUTHOR_EMAIL": "dev@acme.example",
           "GIT_COMMITTER_NAME": "acme", "GIT_COMMITTER_EMAIL": "dev@acme.example"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "scanner demo"]):
        subprocess.run(["git", "-C", str(target), *args], check=True, env=env, capture_output=True)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


CALLBACKS: list[dict[str, Any]] = [
    {"event_type": "cve-check-passed",
     "client_payload": {"scan_id": "scan-0001", "packages": 2, "requirements": "requirements.txt"}},
    {"event_type": "cve-check-failed",
     "client_payload": {"scan_id": "scan-0002", "cve": "CVE-2023-32681", "package": "requests",
                        "installed_version": "2.30.0", "fixed_version": "2.31.0", "severity": "MEDIUM"}},
]


async def run_demo(console: Console, *, keep: bool = False, port: int = 0) -> int:
    """Run the scenario; returns the exit code (0 when every run ended as expected)."""
    tmp = Path(tempfile.mkdtemp(prefix="dispatchd-demo-"))
    token = "demo-" + os.urandom(8).hex()
    os.environ.setdefault("DISPATCHD_TOKEN", token)
    token = os.environ["DISPATCHD_TOKEN"]
    try:
        repo_path = make_repository(examples_dir() / "repo", tmp / "scanner-demo")
        repo = open_repository(f"{REPO_NAME}={repo_path}")
        server = Server(ServerConfig(repos=[repo], port=port or free_port(), data_dir=tmp / "state"))
        await server.start()
        base = server.config.base_url
        console.print(f"[bold]dispatchd[/bold] serving {REPO_NAME} at {base} (SQLite in {tmp / 'state'})",
                      highlight=False)
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"}
        try:
            async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
                started = time.monotonic()
                for callback in CALLBACKS:
                    response = await http.post(f"/repos/{REPO_NAME}/dispatches", json=callback)
                    console.print(f"scanner → POST /repos/{REPO_NAME}/dispatches "
                                  f"{callback['event_type']} {callback['client_payload'].get('cve', '')} "
                                  f"→ {response.status_code}", highlight=False)
                    if response.status_code != 204:
                        console.print(response.text, highlight=False)
                        return 1
                runs = await _wait_for_runs(http, console, expected=len(CALLBACKS))
                elapsed = time.monotonic() - started
                return await _report(http, console, runs, elapsed)
        finally:
            await server.stop()
    finally:
        if keep:
            console.print(f"kept {tmp}", highlight=False)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


async def _wait_for_runs(http: httpx.AsyncClient, console: Console, expected: int,
                         timeout: float = 60.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    shown = ""
    while True:
        data = (await http.get(f"/repos/{REPO_NAME}/actions/runs")).json()
        runs = data["workflow_runs"]
        line = ", ".join(f"{r['name']} #{r['run_number']}: {r['conclusion'] or r['status']}" for r in runs)
        if line != shown:
            console.print(f"  runs: {line or '(none yet)'}", highlight=False)
            shown = line
        if len(runs) >= expected and all(r["status"] == "completed" for r in runs):
            return runs
        if time.monotonic() > deadline:
            return runs
        await asyncio.sleep(0.1)


async def _report(http: httpx.AsyncClient, console: Console, runs: list[dict[str, Any]], elapsed: float) -> int:
    table = Table("run", "workflow", "event", "status", "conclusion", title="workflow runs")
    ok = True
    by_name = {r["name"]: r for r in runs}
    for expectations in EXPECTED.values():
        for name, conclusion in expectations.items():
            if name not in by_name or by_name[name]["conclusion"] != conclusion:
                ok = False
    for r in sorted(runs, key=lambda r: r["id"]):
        table.add_row(str(r["id"]), r["name"], r["event"], r["status"], r["conclusion"] or "")
    console.print(table)
    for r in sorted(runs, key=lambda r: r["id"]):
        jobs = (await http.get(f"/repos/{REPO_NAME}/actions/runs/{r['id']}/jobs")).json()["jobs"]
        for job in jobs:
            console.print(f"[bold]── {r['name']} / {job['name']}: {job['conclusion']}[/bold]", highlight=False)
            text = (await http.get(f"/repos/{REPO_NAME}/actions/jobs/{job['id']}/logs")).text
            for line in text.splitlines():
                console.print("   " + line.split(" ", 1)[-1], highlight=False, markup=False)
    console.print(f"{len(runs)} runs in {elapsed:.2f}s — "
                  + ("[green]all as expected[/green]" if ok else "[red]not as expected[/red]"))
    return 0 if ok else 1
