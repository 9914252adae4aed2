"""``dispatchd demo``: the scenario end to end on the embedded SQLite default.

A dispatchd server starts on a temporary database with the example repository (a git
repository made from ``examples/cve-scanner/repo``), and the outside CVE scanner
(``examples/cve-scanner/scanner``) starts beside it. Two scans are requested — the clean and the
vulnerable requirements file. Each ``scan`` run sends its requirements to the scanner and ends
at once; the scanner works with no runner held and calls back with ``cve-check-passed`` or
``cve-check-failed``; ``ship`` or ``cve-found`` runs, and ``cve-found`` opens an issue titled
with the CVE through a JavaScript action calling dispatchd's API. The demo shows progress while
it waits and ends with the runs, their conclusions, the issue, and how long the scans took
while no runner was held.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .repos import open_repository
from .server import Server, ServerConfig

REPO_NAME = "acme/scanner-demo"
#: Seconds the scanner pretends to work on each scan.
SCAN_DELAY = 3.0
SCANS = [("requirements-clean.txt", "cve-check-passed", "ship"), ("requirements.txt", "cve-check-failed", "cve-found")]


def examples_dir() -> Path:
    """``examples/cve-scanner`` of the source tree (or of the current directory)."""
    for base in (Path(__file__).resolve().parents[2], Path.cwd()):
        candidate = base / "examples" / "cve-scanner"
        if (candidate / "repo").is_dir() and (candidate / "scanner" / "app.py").is_file():
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


class Scanner:
    """The example scanner service as its own process (it is an outside service)."""

    def __init__(self, examples: Path, log_path: Path) -> None:
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, str(examples / "scanner" / "app.py"), "--port", "0", "--delay", str(SCAN_DELAY)],
            stdout=subprocess.PIPE, stderr=self._log, start_new_session=True)
        self.url = ""

    async def started(self, timeout: float = 30.0) -> str:
        assert self.proc.stdout is not None
        loop = asyncio.get_running_loop()
        line = await asyncio.wait_for(loop.run_in_executor(None, self.proc.stdout.readline), timeout)
        match = re.search(r"(http://\S+)", line.decode())
        if not match:
            raise RuntimeError(f"the scanner did not start: {line.decode().strip()}")
        self.url = match.group(1)
        return self.url

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self._log.close()


async def run_demo(console: Console, *, keep: bool = False, port: int = 0) -> int:
    """Run the scenario; returns the exit code (0 when every run ended as expected)."""
    tmp = Path(tempfile.mkdtemp(prefix="dispatchd-demo-"))
    os.environ.setdefault("DISPATCHD_TOKEN", "demo-" + os.urandom(8).hex())
    token = os.environ["DISPATCHD_TOKEN"]
    examples = examples_dir()
    scanner = Scanner(examples, tmp / "scanner.log")
    try:
        repo_path = make_repository(examples / "repo", tmp / "scanner-demo")
        server = Server(ServerConfig(repos=[open_repository(f"{REPO_NAME}={repo_path}")], port=port or free_port(),
                                     data_dir=tmp / "state"))
        await server.start()
        scanner_url = await scanner.started()
        base = server.config.base_url
        console.print(f"[bold]dispatchd[/bold] serves {REPO_NAME} at {base} (SQLite in {tmp / 'state'})",
                      highlight=False)
        console.print(f"[bold]cve-scanner[/bold] (an outside service) listens at {scanner_url}, "
                      f"{SCAN_DELAY:g} s per scan", highlight=False)
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"}
        try:
            async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
                await _configure(http, console)
                started = time.monotonic()
                for requirements, _, _ in SCANS:
                    r = await http.post(f"/repos/{REPO_NAME}/dispatches", params={"return_run_details": "true"},
                                        json={"event_type": "scan-requested", "client_payload": {
                                            "requirements": requirements, "scanner_url": scanner_url}})
                    r.raise_for_status()
                    runs = ", ".join(f"{w['path']} #{w['run_number']}" for w in r.json()["workflow_runs"])
                    console.print(f"→ scan-requested ({requirements}): started {runs}", highlight=False)
                runs = await _wait_for_runs(http, console, expected=2 * len(SCANS))
                elapsed = time.monotonic() - started
                return await _report(http, console, runs, elapsed)
        finally:
            await server.stop()
    finally:
        scanner.stop()
        if keep:
            console.print(f"kept {tmp}", highlight=False)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


async def _configure(http: httpx.AsyncClient, console: Console) -> None:
    """Give the scanner a token that may only dispatch to this repository, as a secret."""
    made = await http.post("/dispatchd/tokens", json={"repository": REPO_NAME, "scope": "dispatch",
                                                      "note": "cve-scanner callbacks"})
    made.raise_for_status()
    r = await http.put(f"/repos/{REPO_NAME}/dispatchd/secrets/SCANNER_CALLBACK_TOKEN",
                       json={"value": made.json()["token"]})
    r.raise_for_status()
    console.print("a dispatch-only token for the scanner's callbacks is the secret SCANNER_CALLBACK_TOKEN",
                  highlight=False)


async def _wait_for_runs(http: httpx.AsyncClient, console: Console, expected: int,
                         timeout: float = 90.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    shown = ""
    while True:
        runs = (await http.get(f"/repos/{REPO_NAME}/actions/runs")).json()["workflow_runs"]
        line = ", ".join(f"{r['name']} #{r['run_number']}: {r['conclusion'] or r['status']}"
                         for r in sorted(runs, key=lambda r: r["id"]))
        if line != shown:
            console.print(f"  {time.strftime('%H:%M:%S')} runs: {line or '(none yet)'}", highlight=False)
            shown = line
        if len(runs) >= expected and all(r["status"] == "completed" for r in runs):
            return runs
        if time.monotonic() > deadline:
            console.print("[red]timed out waiting for the runs[/red]")
            return runs
        await asyncio.sleep(0.25)


def _seconds(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


async def _report(http: httpx.AsyncClient, console: Console, runs: list[dict[str, Any]], elapsed: float) -> int:
    runs = sorted(runs, key=lambda r: r["id"])
    table = Table("run", "workflow", "event", "status", "conclusion", title="workflow runs")
    for r in runs:
        table.add_row(*(Text(str(c)) for c in (r["id"], r["name"], r["event"], r["status"], r["conclusion"] or "")))
    console.print(table)
    ok = len(runs) == 2 * len(SCANS) and all(r["conclusion"] == "success" for r in runs)
    for r in runs:
        for job in (await http.get(f"/repos/{REPO_NAME}/actions/runs/{r['id']}/jobs")).json()["jobs"]:
            console.print(f"[bold]── {r['name']} / {job['name']}: {job['conclusion']}[/bold]", highlight=False)
            text = (await http.get(f"/repos/{REPO_NAME}/actions/jobs/{job['id']}/logs", follow_redirects=True)).text
            for line in text.splitlines():
                body = line.split(" ", 1)[-1]
                # The log as a person reads it: command output, not the group headers.
                if body.startswith(("##[group]", "##[endgroup]", "\x1b[36;1m", "shell:", "env:", "  ", "with:")):
                    continue
                console.print("   " + body, highlight=False, markup=False)
    issues = (await http.get(f"/repos/{REPO_NAME}/issues", params={"state": "all"})).json()
    for issue in issues:
        labels = ", ".join(label["name"] for label in issue["labels"])
        console.print(f"issue #{issue['number']} opened by a workflow: [bold]{issue['title']}[/bold] ({labels})",
                      highlight=False)
    ok = ok and len(issues) == 1 and re.search(r"CVE-\d{4}-\d+", issues[0]["title"]) is not None
    # While the scanner worked no runner was held: the scan job had ended, the callback not yet come.
    scans = [r for r in runs if r["name"] == "scan"]
    callbacks = [r for r in runs if r["name"] != "scan"]
    for scan, callback in zip(scans, callbacks, strict=False):
        jobs = (await http.get(f"/repos/{REPO_NAME}/actions/runs/{scan['id']}/jobs")).json()["jobs"]
        idle = _seconds(jobs[0]["completed_at"] if jobs else None, callback["created_at"])
        if idle is not None:
            console.print(f"scan run {scan['id']} ended, then {callback['name']} started {idle:.0f} s later: the "
                          f"scanner worked that long with no runner held", highlight=False)
    console.print(f"{len(runs)} runs in {elapsed:.1f} s — "
                  + ("[green]all as expected[/green]" if ok else "[red]not as expected[/red]"))
    return 0 if ok else 1
