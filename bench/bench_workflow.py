"""Workflow-model speed: load + validate the shared corpus, and plan a large workflow.

Prints (figures, not a timed test):
* the time to load and validate every file of ``shared/corpus/workflows/`` (best of N rounds);
* the planning time for an event that matches a workflow with a 3×3×3 matrix and a 20-job
  ``needs`` chain: trigger match + ``job_stages`` + matrix expansion and leg names.

The shared folder sits beside the checkout (``../shared``) unless DISPATCHD_SHARED says otherwise.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from dispatchd.workflow import expand_matrix, job_display_name, job_stages, load_workflow, match_event

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("DISPATCHD_SHARED", REPO_ROOT.parent / "shared")).resolve()
CORPUS = SHARED / "corpus" / "workflows"


def big_workflow(chain: int = 20) -> str:
    lines = ["on:", "  repository_dispatch:", "    types: [cve-check-passed]", "jobs:",
             "  build:", "    runs-on: ubuntu-latest", "    strategy:", "      matrix:",
             "        os: [ubuntu, debian, alpine]", "        py: ['3.10', '3.11', '3.12']",
             "        arch: [x64, arm64, riscv]", "    steps:",
             "      - run: echo ${{ matrix.os }} ${{ matrix.py }} ${{ matrix.arch }}"]
    previous = "build"
    for i in range(chain):
        name = f"step{i:02d}"
        lines += [f"  {name}:", f"    needs: {previous}", "    runs-on: ubuntu-latest",
                  "    steps:", f"      - run: echo {name} ${{{{ github.event.client_payload.cve }}}}"]
        previous = name
    return "\n".join(lines) + "\n"


def bench_corpus(rounds: int = 5) -> tuple[int, float]:
    files = [(p.name, p.read_text()) for p in sorted(CORPUS.glob("*.y*ml"))]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for name, text in files:
            load_workflow(f".github/workflows/{name}", text)
        times.append(time.perf_counter() - start)
    return len(files), min(times)


def plan(workflow, event: dict) -> int:
    if not match_event(workflow, "repository_dispatch", event).matched:
        raise SystemExit("the benchmark workflow should match")
    jobs = 0
    for stage in job_stages({k: j.needs for k, j in workflow.jobs.items()}):
        for job_id in stage:
            job = workflow.jobs[job_id]
            for leg in expand_matrix(job.matrix):
                job_display_name(job_id, leg)
                jobs += 1
    return jobs


def main() -> None:
    count, seconds = bench_corpus()
    print(f"corpus load+validate: {count} workflows in {seconds * 1000:.1f} ms "
          f"({seconds * 1000 / count:.2f} ms per file, best of 5)")

    text = big_workflow()
    start = time.perf_counter()
    workflow = load_workflow(".github/workflows/big.yml", text)
    load_ms = (time.perf_counter() - start) * 1000
    event = {"action": "cve-check-passed", "client_payload": {"cve": "CVE-2023-32681"}}
    samples = []
    for _ in range(200):
        start = time.perf_counter()
        jobs = plan(workflow, event)
        samples.append((time.perf_counter() - start) * 1000)
    print(f"3x3x3 matrix + 20-job needs chain: load+validate {load_ms:.2f} ms; "
          f"plan ({jobs} jobs) median {statistics.median(samples):.3f} ms, "
          f"p99 {sorted(samples)[int(len(samples) * 0.99) - 1]:.3f} ms")


if __name__ == "__main__":
    main()
