"""Dispatches accepted per second, with p50/p99 latency, from concurrent clients on loopback.

Every 204 is durable (SQLite WAL, synchronous=FULL, group commit). The baseline in the same run
is `GET /repos/{owner}/{repo}` on the same server: a request that touches no disk, so the ratio
shows what durability and validation cost on top of the HTTP stack.

    python bench/bench_dispatch.py [--seconds 10] [--clients 32]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from _server import Connection, ServerProcess, make_repo, percentile

WORKFLOW = """\
on:
  repository_dispatch:
    types: [bench-match]
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: "true"
"""


async def load(port: int, clients: int, seconds: float, method: str, path: str, body: dict | None,
               expect: int) -> tuple[int, list[float], int]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client(n: int) -> None:
        nonlocal errors
        conn = await Connection.open(port)
        i = 0
        try:
            while time.perf_counter() < deadline:
                payload = None if body is None else {**body, "client_payload": {"client": n, "i": i}}
                t0 = time.perf_counter()
                status, _ = await conn.request(method, path, payload)
                latencies.append(time.perf_counter() - t0)
                if status != expect:
                    errors += 1
                i += 1
        finally:
            await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    elapsed = time.perf_counter() - started
    return int(len(latencies) / elapsed), latencies, errors


async def sequential(port: int, path: str, count: int) -> list[float]:
    conn = await Connection.open(port)
    out = []
    try:
        for i in range(count):
            t0 = time.perf_counter()
            status, _ = await conn.request("POST", path, {"event_type": "bench-match", "client_payload": {"i": i}})
            out.append(time.perf_counter() - t0)
            assert status in (200, 204), status
            await asyncio.sleep(0.005)
    finally:
        await conn.close()
    return out


def report(name: str, rate: int, latencies: list[float], errors: int) -> None:
    print(f"{name:<34} {rate:>7} req/s   p50 {percentile(latencies, 50) * 1000:6.2f} ms   "
          f"p99 {percentile(latencies, 99) * 1000:6.2f} ms   errors {errors}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--receipts", type=int, default=300, help="sequential dispatches per receipt measurement")
    args = parser.parse_args()
    repo = make_repo({".github/workflows/w.yml": WORKFLOW})
    server = ServerProcess(repo)
    try:
        # Warm up connections, caches and the workflow parse.
        await load(server.port, 4, 1.0, "POST", "/repos/acme/bench/dispatches", {"event_type": "bench-none"}, 204)
        base_rate, base_lat, base_err = await load(server.port, args.clients, args.seconds, "GET",
                                                   "/repos/acme/bench", None, 200)
        rate, lat, err = await load(server.port, args.clients, args.seconds, "POST", "/repos/acme/bench/dispatches",
                                    {"event_type": "bench-none"}, 204)
        print(f"{args.clients} clients on loopback, {args.seconds:.0f} s each, server with its engine running")
        report("baseline GET /repos/{o}/{r}", base_rate, base_lat, base_err)
        report("POST dispatches (durable 204)", rate, lat, err)
        print(f"dispatch/baseline throughput ratio: {rate / base_rate:.2f}")
        # Receipts: one client, one request at a time, an event that starts a run each time.
        plain = await sequential(server.port, "/repos/acme/bench/dispatches", args.receipts)
        receipt = await sequential(server.port, "/repos/acme/bench/dispatches?return_run_details=true", args.receipts)
        print(f"{args.receipts} sequential dispatches that each start a run:")
        print(f"  plain 204      p50 {percentile(plain, 50) * 1000:6.2f} ms   p99 {percentile(plain, 99) * 1000:6.2f} ms")
        print(f"  with receipt   p50 {percentile(receipt, 50) * 1000:6.2f} ms   p99 {percentile(receipt, 99) * 1000:6.2f} ms"
              f"   (p50 ratio {percentile(receipt, 50) / percentile(plain, 50):.2f})")
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
