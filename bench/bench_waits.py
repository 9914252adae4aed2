"""Jobs waiting for a dispatch: what N waiting jobs cost, and how fast their callbacks resume them.

A real `dispatchd serve` (SQLite) gets N dispatches; each run's job suspends at
`dispatchd/wait-for-dispatch` (matching on its own scan id). With all N waiting, the script
reads the server's resident memory (against the same server before the waits) and counts the
processes it holds. Then N callbacks arrive from concurrent clients; callback-to-resume latency
is from the callback's commit to the job being queued again (the wait resolved, in the
callback's own transaction) and to the resumed job's completion (times read from the database).

    python bench/bench_waits.py [--jobs 10000] [--clients 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import time

from _server import Connection, ServerProcess, make_repo, percentile

WORKFLOW = """\
on:
  repository_dispatch:
    types: [start]
jobs:
  wait:
    runs-on: ubuntu-latest
    env:
      SCAN: ${{ github.event.client_payload.scan }}
    steps:
      - uses: dispatchd/wait-for-dispatch@v1
        with:
          event-type: done
          match: github.event.client_payload.scan == env.SCAN
          timeout-minutes: 120
"""


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def descendants(pid: int) -> int:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    count, stack = 0, list(children.get(pid, []))
    while stack:
        p = stack.pop()
        count += 1
        stack.extend(children.get(p, []))
    return count


async def send_all(port: int, clients: int, bodies: list[dict]) -> None:
    queue = list(reversed(bodies))

    async def client() -> None:
        conn = await Connection.open(port)
        try:
            while queue:
                status, _ = await conn.request("POST", "/repos/acme/bench/dispatches", queue.pop())
                assert status == 204, status
        finally:
            await conn.close()

    await asyncio.gather(*(client() for _ in range(clients)))


def db_count(db: str, sql: str) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return int(conn.execute(sql).fetchone()[0])


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    n = args.jobs
    repo = make_repo({".github/workflows/w.yml": WORKFLOW})
    server = ServerProcess(repo, runners=4, extra=["--lease-seconds", "120"])
    db = str(server.data / "dispatchd.db")
    try:
        await send_all(server.port, 1, [{"event_type": "warm-up"}])
        time.sleep(1)
        base_rss = rss_kib(server.proc.pid)
        t0 = time.monotonic()
        await send_all(server.port, args.clients,
                       [{"event_type": "start", "client_payload": {"scan": f"s-{i}"}} for i in range(n)])
        while db_count(db, "select count(*) from waits where status = 'waiting'") < n:
            await asyncio.sleep(0.5)
        suspend_time = time.monotonic() - t0
        time.sleep(1)
        waiting_rss = rss_kib(server.proc.pid)
        held = descendants(server.proc.pid)
        t1 = time.monotonic()
        await send_all(server.port, args.clients,
                       [{"event_type": "done", "client_payload": {"scan": f"s-{i}"}} for i in range(n)])
        sent = time.monotonic() - t1
        while db_count(db, "select count(*) from workflow_runs where status = 'completed'") < n:
            await asyncio.sleep(0.5)
        resume_all = time.monotonic() - t1
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            rows = conn.execute(
                "select w.resolved_at - e.created_at, j.completed_at - e.created_at from waits w "
                "join events e on e.id = w.event_id join jobs j on j.id = w.job_id").fetchall()
        resumed = [r[0] for r in rows]
        latencies = [r[1] for r in rows]
    finally:
        server.stop()
    print(f"{n} jobs waiting for a dispatch (4 embedded runners, SQLite)")
    print(f"  dispatch → all {n} suspended:   {suspend_time:7.1f} s")
    print(f"  server memory added by the waits: {(waiting_rss - base_rss) / 1024:7.1f} MiB "
          f"({(waiting_rss - base_rss) * 1024 / n:.0f} bytes per waiting job; RSS {waiting_rss / 1024:.0f} MiB)")
    print(f"  processes held while waiting:     {held}")
    print(f"  {n} callbacks sent in {sent:.1f} s; all resumed and completed in {resume_all:.1f} s")
    print(f"  callback → job resumed (queued again): p50 {percentile(resumed, 50) * 1000:.1f} ms, "
          f"p99 {percentile(resumed, 99) * 1000:.1f} ms")
    print(f"  callback → resumed job completed: p50 {percentile(latencies, 50) * 1000:.0f} ms, "
          f"p99 {percentile(latencies, 99) * 1000:.0f} ms (queueing behind the other resumed jobs "
          f"on 4 runners)")


if __name__ == "__main__":
    asyncio.run(main())
