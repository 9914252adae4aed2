"""Evaluations per second of a typical ``if:`` expression, dispatchd beside GitHub's evaluator.

    python bench/bench_expressions.py [--seconds 1] [--repeat 3]

dispatchd is measured with a warm cache (the expression is parsed and compiled once, as in
a running server); GitHub's TypeScript evaluator (``@actions/expressions``, installed by
``npm ci`` at the repository root) parses once and evaluates in a loop in one Node process
(tests/oracle/bench.mjs). Prints both figures and their ratio.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from dispatchd.expressions import evaluate, evaluate_condition

REPO_ROOT = Path(__file__).resolve().parents[1]
EXPRESSION = "github.event.client_payload.severity == 'HIGH' && needs.scan.result == 'success'"
CONTEXTS = {
    "github": {
        "event_name": "repository_dispatch",
        "event": {"action": "scan-finished", "client_payload": {"severity": "high", "cve": "CVE-2024-0001"}},
        "repository": "octo/app",
    },
    "needs": {"scan": {"result": "success", "outputs": {"count": "3"}}},
    "env": {"CI": "true"},
}


def bench_dispatchd(seconds: float, repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    """Best of ``repeat`` rounds of ``seconds`` each (other processes only ever slow a round)."""
    result = run()  # warm the cache
    best = 0.0
    for _ in range(repeat):
        n = 0
        start = time.perf_counter()
        deadline = start + seconds
        now = start
        while now < deadline:
            for _ in range(1000):
                result = run()
            n += 1000
            now = time.perf_counter()
        best = max(best, n / (now - start))
    return best, result


def bench_github(seconds: float, repeat: int) -> tuple[float, object] | None:
    node = shutil.which("node")
    if node is None or not (REPO_ROOT / "node_modules" / "@actions" / "expressions").is_dir():
        return None
    out = subprocess.run(
        [node, str(REPO_ROOT / "tests" / "oracle" / "bench.mjs")],
        input=json.dumps({"expr": EXPRESSION, "contexts": CONTEXTS, "seconds": seconds, "repeat": repeat}),
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    )
    report = json.loads(out.stdout)
    return report["evals_per_second"], report["result"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one measuring round")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per evaluator; the best counts")
    args = parser.parse_args()
    print(f"expression: {EXPRESSION}")
    ours, result = bench_dispatchd(args.seconds, args.repeat, lambda: evaluate(EXPRESSION, CONTEXTS))
    print(f"dispatchd (Python, warm cache): {ours:12,.0f} evaluations/s   -> {result!r}")
    as_if, _ = bench_dispatchd(
        args.seconds, args.repeat, lambda: evaluate_condition(EXPRESSION, CONTEXTS, job_status="success")
    )
    print(f"  as an if: (evaluate_condition): {as_if:10,.0f} evaluations/s")
    github = bench_github(args.seconds, args.repeat)
    if github is None:
        print("GitHub's TypeScript evaluator: not installed (run `npm ci` at the repository root)")
        return
    theirs, their_result = github
    print(f"GitHub @actions/expressions (Node): {theirs:8,.0f} evaluations/s   -> {their_result!r}")
    print(f"ratio dispatchd / GitHub TS: {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
