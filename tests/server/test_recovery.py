"""SIGKILL the server while dispatches arrive and runs are in progress, then start it again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from fixtures_server import TOKEN, free_database_url_or_none, free_port

WORKFLOW = """\
run-name: "event ${{ github.event.client_payload.n }}"
on: repository_dispatch
jobs:
  work:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 0.3; echo "done ${{ github.event.client_payload.n }}"
"""


def start(repo: Path, data: Path, port: int, db: str | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DISPATCHD_TOKEN": TOKEN}
    data.mkdir(parents=True, exist_ok=True)
    with open(data / "server.log", "ab") as errors:
        return _start(repo, data, port, env, errors, db)


def _start(repo: Path, data: Path, port: int, env: dict[str, str], errors: object,
           db: str | None) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "dispatchd", "serve", f"acme/app={repo}", "--port", str(port), "--data-dir", str(data),
         "--lease-seconds", "2", "--runners", "4", *(["--db", db] if db else [])],
        env=env, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/repos/acme/app",
                         headers={"Authorization": f"token {TOKEN}"}).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise AssertionError((data / "server.log").read_text())


@pytest.mark.slow
def test_sigkill_loses_no_acknowledged_event_and_strands_no_run(tmp_path, make_git_repo):
    repo = make_git_repo({".github/workflows/w.yml": WORKFLOW})
    port = free_port()
    db = free_database_url_or_none()
    server = start(repo, tmp_path / "state", port, db)
    acknowledged: set[int] = set()
    lock = threading.Lock()
    stop = threading.Event()

    def client(first: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {TOKEN}"},
                          timeout=5) as http:
            n = first
            while not stop.is_set():
                try:
                    r = http.post("/repos/acme/app/dispatches", json={"event_type": "work", "client_payload": {"n": n}})
                except httpx.TransportError:
                    return  # the server is gone
                if r.status_code == 204:
                    with lock:
                        acknowledged.add(n)
                n += 4
                time.sleep(0.01)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)  # dispatches are arriving and the first runs are in progress
    os.killpg(server.pid, signal.SIGKILL)
    server.wait()
    stop.set()
    for t in threads:
        t.join()
    assert len(acknowledged) > 20

    server = start(repo, tmp_path / "state", port, db)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            deadline = time.monotonic() + 120
            while True:
                runs: list[dict] = []
                page = 1
                while True:
                    data = http.get("/repos/acme/app/actions/runs", params={"per_page": 100, "page": page}).json()
                    runs += data["workflow_runs"]
                    if len(runs) >= data["total_count"]:
                        break
                    page += 1
                titles = [r["display_title"] for r in runs]
                done = all(r["status"] == "completed" for r in runs)
                if done and {f"event {n}" for n in acknowledged} <= set(titles):
                    break
                assert time.monotonic() < deadline, f"runs still open: {[r for r in runs if r['status'] != 'completed'][:3]}"
                time.sleep(0.2)
            # Every acknowledged event got its run, exactly once.
            assert len(titles) == len(set(titles))
            assert {f"event {n}" for n in acknowledged} <= set(titles)
            conclusions = [r["conclusion"] for r in runs]
            assert set(conclusions) <= {"success", "failure"}
            # The kill caught jobs mid-step (4 runners were busy with 0.3 s steps).
            assert conclusions.count("failure") >= 1
            # Runs cut short by the kill say why.
            for r in runs:
                if r["conclusion"] == "failure":
                    [job] = http.get(f"/repos/acme/app/actions/runs/{r['id']}/jobs").json()["jobs"]
                    log = http.get(f"/repos/acme/app/actions/jobs/{job['id']}/logs", follow_redirects=True).text
                    assert "lost communication with the server" in log
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
