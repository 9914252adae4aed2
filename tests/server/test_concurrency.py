"""concurrency groups, max-parallel and fail-fast, as GitHub schedules them."""

from __future__ import annotations

import asyncio

GROUPED = """\
concurrency: deploy-${{ github.event.client_payload.env }}
on: repository_dispatch
run-name: "deploy ${{ github.event.client_payload.n }}"
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: sleep ${{ github.event.client_payload.sleep }}
"""

CANCELLING = GROUPED.replace("concurrency: deploy-${{ github.event.client_payload.env }}", """\
concurrency:
  group: deploy
  cancel-in-progress: true""")


async def wait_status(srv, repo: str, title: str, status: str, timeout: float = 20.0) -> dict:
    for _ in range(int(timeout / 0.05)):
        runs = {r["display_title"]: r for r in await srv.runs(repo, per_page=100)}
        if title in runs and runs[title]["status"] == status:
            return runs[title]
        await asyncio.sleep(0.05)
    raise AssertionError(f"{title} never reached {status}: {runs.get(title)}")


async def test_one_running_one_pending_and_the_newest_pending_wins(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/d.yml": GROUPED})
    srv = await start_server([f"acme/app={repo}"])
    await srv.dispatch("acme/app", "go", {"n": 1, "env": "prod", "sleep": 1.5})
    await wait_status(srv, "acme/app", "deploy 1", "in_progress")
    await srv.dispatch("acme/app", "go", {"n": 2, "env": "prod", "sleep": 0})
    await wait_status(srv, "acme/app", "deploy 2", "pending")
    await srv.dispatch("acme/app", "go", {"n": 3, "env": "prod", "sleep": 0})
    await srv.dispatch("acme/app", "go", {"n": 4, "env": "staging", "sleep": 0})  # another group runs at once
    runs = {r["display_title"]: r for r in await srv.wait_runs("acme/app", 4)}
    assert runs["deploy 1"]["conclusion"] == "success"
    assert runs["deploy 2"]["conclusion"] == "cancelled"  # replaced by the newer pending run
    assert "higher priority waiting request for 'deploy-prod'" in runs["deploy 2"]["error"]
    assert runs["deploy 3"]["conclusion"] == "success"
    assert runs["deploy 4"]["conclusion"] == "success"
    assert runs["deploy 3"]["run_started_at"] >= runs["deploy 1"]["updated_at"]


async def test_cancel_in_progress_cancels_the_running_run(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/d.yml": CANCELLING})
    srv = await start_server([f"acme/app={repo}"])
    await srv.dispatch("acme/app", "go", {"n": 1, "sleep": 30})
    await wait_status(srv, "acme/app", "deploy 1", "in_progress")
    for _ in range(100):  # the step is running
        r = (await srv.runs("acme/app"))[0]
        jobs = await srv.jobs("acme/app", r["id"])
        if jobs and jobs[0]["status"] == "in_progress":
            break
        await asyncio.sleep(0.05)
    await srv.dispatch("acme/app", "go", {"n": 2, "sleep": 0})
    runs = {r["display_title"]: r for r in await srv.wait_runs("acme/app", 2, timeout=20)}
    assert runs["deploy 1"]["conclusion"] == "cancelled"
    assert runs["deploy 2"]["conclusion"] == "success"


MATRIX = """\
on: repository_dispatch
jobs:
  build:
    runs-on: ubuntu-latest
    strategy:
      max-parallel: 1
      fail-fast: ${{ github.event.client_payload.fail_fast }}
      matrix:
        n: [1, 2, 3]
    steps:
      - run: |
          echo "start ${{ matrix.n }} $(date +%s.%N)" >> "${{ github.event.client_payload.trace }}"
          sleep 0.3
          echo "end ${{ matrix.n }} $(date +%s.%N)" >> "${{ github.event.client_payload.trace }}"
          test "${{ matrix.n }}" != "${{ github.event.client_payload.fail }}"
"""


async def test_max_parallel_runs_legs_one_at_a_time(start_server, make_git_repo, tmp_path):
    repo = make_git_repo({".github/workflows/m.yml": MATRIX})
    srv = await start_server([f"acme/app={repo}"])
    trace = tmp_path / "trace"
    await srv.dispatch("acme/app", "go", {"trace": str(trace), "fail": 0, "fail_fast": True})
    [run] = await srv.wait_runs("acme/app", 1)
    assert run["conclusion"] == "success"
    events = [line.split()[0] + line.split()[1] for line in trace.read_text().splitlines()]
    # With max-parallel 1 each leg ends before the next starts.
    assert events == ["start1", "end1", "start2", "end2", "start3", "end3"]
    names = sorted(j["name"] for j in await srv.jobs("acme/app", run["id"]))
    assert names == ["build (1)", "build (2)", "build (3)"]


async def test_fail_fast_cancels_the_remaining_legs(start_server, make_git_repo, tmp_path):
    repo = make_git_repo({".github/workflows/m.yml": MATRIX})
    srv = await start_server([f"acme/app={repo}"])
    await srv.dispatch("acme/app", "go", {"trace": str(tmp_path / "t1"), "fail": 1, "fail_fast": True})
    [run] = await srv.wait_runs("acme/app", 1)
    jobs = {j["name"]: j["conclusion"] for j in await srv.jobs("acme/app", run["id"])}
    assert jobs == {"build (1)": "failure", "build (2)": "cancelled", "build (3)": "cancelled"}
    assert run["conclusion"] == "failure"
    # Without fail-fast every leg runs.
    await srv.dispatch("acme/app", "go", {"trace": str(tmp_path / "t2"), "fail": 1, "fail_fast": False})
    runs = await srv.wait_runs("acme/app", 2)
    jobs = {j["name"]: j["conclusion"] for j in await srv.jobs("acme/app", runs[0]["id"])}
    assert jobs == {"build (1)": "failure", "build (2)": "success", "build (3)": "success"}


JOB_GROUP = """\
on: repository_dispatch
jobs:
  deploy:
    runs-on: ubuntu-latest
    concurrency: the-one-deployment
    steps:
      - run: |
          echo "start $(date +%s.%N)" >> "${{ github.event.client_payload.trace }}"
          sleep 0.4
          echo "end $(date +%s.%N)" >> "${{ github.event.client_payload.trace }}"
"""


async def test_job_level_group_serialises_jobs_across_runs(start_server, make_git_repo, tmp_path):
    repo = make_git_repo({".github/workflows/j.yml": JOB_GROUP})
    srv = await start_server([f"acme/app={repo}"])
    trace = tmp_path / "trace"
    await srv.dispatch("acme/app", "go", {"trace": str(trace)})
    await asyncio.sleep(0.1)
    await srv.dispatch("acme/app", "go", {"trace": str(trace)})
    runs = await srv.wait_runs("acme/app", 2)
    assert [r["conclusion"] for r in runs] == ["success", "success"]
    assert [line.split()[0] for line in trace.read_text().splitlines()] == ["start", "end", "start", "end"]
