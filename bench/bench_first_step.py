"""Dispatch-to-first-step latency on an idle server, p50/p99.

The clock starts when the client has the 204 in hand and stops when the job's first step
(bash) reads ``$EPOCHREALTIME``. The baseline, in the same run, is the same bash command
spawned directly from Python: the part of the latency no server can remove.

    python bench/bench_first_step.py [--events 50]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import tempfile
import time
from pathlib import Path

from _server import Connection, ServerProcess, make_repo, percentile


def workflow(out: Path) -> str:
    return f"""\
on:
  repository_dispatch:
    types: [go]
jobs:
  first:
    runs-on: ubuntu-latest
    steps:
      - run: echo "$EPOCHREALTIME" >> {out}
"""


def bare_bash_latency(n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.time()
        stamp = subprocess.run(["bash", "-c", "echo $EPOCHREALTIME"], capture_output=True, text=True).stdout
        out.append(float(stamp) - t0)
    return out


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp()) / "stamps"
    out.write_text("")
    repo = make_repo({".github/workflows/w.yml": workflow(out)})
    server = ServerProcess(repo, runners=2)
    latencies: list[float] = []
    try:
        conn = await Connection.open(server.port)
        for i in range(args.events + 3):
            seen = len(out.read_text().splitlines())
            status, _ = await conn.request("POST", "/repos/acme/bench/dispatches", {"event_type": "go"})
            t0 = time.time()
            assert status == 204
            deadline = time.monotonic() + 10
            while True:
                lines = out.read_text().splitlines()
                if len(lines) > seen:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("the step did not run")
                await asyncio.sleep(0.0005)
            if i >= 3:  # the first events warm caches
                latencies.append(float(lines[seen]) - t0)
            await asyncio.sleep(0.05)  # idle server between events
        await conn.close()
    finally:
        server.stop()
    bare = bare_bash_latency(args.events)
    print(f"{args.events} events, one at a time, idle server")
    print(f"dispatch 204 → first step   p50 {percentile(latencies, 50) * 1000:6.2f} ms   "
          f"p99 {percentile(latencies, 99) * 1000:6.2f} ms")
    print(f"bare bash spawn (baseline)  p50 {percentile(bare, 50) * 1000:6.2f} ms   "
          f"p99 {percentile(bare, 99) * 1000:6.2f} ms")
    print(f"ratio p50: {percentile(latencies, 50) / percentile(bare, 50):.1f}x")


if __name__ == "__main__":
    asyncio.run(main())
