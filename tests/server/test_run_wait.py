"""Waiting for a run without polling (dispatchd's ``GET .../actions/runs/{id}?wait=SECONDS``), and
jobs handed to an idle embedded runner in the dispatch's own transaction."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import select

from dispatchd.cli import follow_runs
from dispatchd.client import Client
from dispatchd.engine import queue
from dispatchd.store.schema import jobs, tokens

SLEEPS = """\
name: sleeps
on: repository_dispatch
jobs:
  nap:
    runs-on: ubuntu-latest
    steps:
      - run: sleep ${{ github.event.client_payload.seconds }}
"""


async def start_run(srv, seconds: float) -> int:
    r = await srv.http.post("/repos/acme/app/dispatches?return_run_details=true",
                            json={"event_type": "go", "client_payload": {"seconds": seconds}})
    assert r.status_code == 200, r.text
    [run] = r.json()["workflow_runs"]
    return int(run["id"])


async def test_wait_answers_when_the_run_completes(start_server, make_git_repo):
    srv = await start_server([f"acme/app={make_git_repo({'.github/workflows/s.yml': SLEEPS})}"])
    run_id = await start_run(srv, 1)
    started = time.monotonic()
    r = await srv.http.get(f"/repos/acme/app/actions/runs/{run_id}", params={"wait": 20})
    waited = time.monotonic() - started
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["conclusion"]) == ("completed", "success")
    assert 0.8 < waited < 10, waited  # it held the request for the run, and no longer
    # A completed run is answered at once, and without ``wait`` nothing waits (GitHub's GET).
    started = time.monotonic()
    assert (await srv.http.get(f"/repos/acme/app/actions/runs/{run_id}", params={"wait": 20})).status_code == 200
    assert time.monotonic() - started < 2


async def test_wait_ends_after_its_seconds_with_the_run_as_it_stands(start_server, make_git_repo):
    srv = await start_server([f"acme/app={make_git_repo({'.github/workflows/s.yml': SLEEPS})}"])
    run_id = await start_run(srv, 30)
    started = time.monotonic()
    r = await srv.http.get(f"/repos/acme/app/actions/runs/{run_id}", params={"wait": "0.5"})
    waited = time.monotonic() - started
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "in_progress"
    assert 0.4 < waited < 5, waited
    r = await srv.http.get(f"/repos/acme/app/actions/runs/{run_id}")  # no wait: at once
    assert r.json()["status"] == "in_progress"
    assert (await srv.http.post(f"/repos/acme/app/actions/runs/{run_id}/cancel")).status_code == 202


async def test_a_bad_wait_is_a_github_error_and_an_unknown_run_a_404(start_server, make_git_repo):
    srv = await start_server([f"acme/app={make_git_repo({'.github/workflows/s.yml': SLEEPS})}"])
    for bad in ("soon", "nan", "inf", "1e999"):
        r = await srv.http.get("/repos/acme/app/actions/runs/1", params={"wait": bad})
        assert r.status_code == 422, (bad, r.text)
        body = r.json()
        assert body["message"] == f"Invalid request.\n\nFor 'wait', {bad!r} is not a number of seconds."
        assert body["documentation_url"].startswith("https://docs.github.com/rest/actions/workflow-runs")
    started = time.monotonic()
    r = await srv.http.get("/repos/acme/app/actions/runs/999999", params={"wait": 20})
    assert r.status_code == 404, r.text
    assert time.monotonic() - started < 2  # nothing will ever complete it: no waiting


async def test_send_wait_sees_the_end_at_once_not_at_its_next_poll(start_server, make_git_repo):
    srv = await start_server([f"acme/app={make_git_repo({'.github/workflows/s.yml': SLEEPS})}"])
    run_id = await start_run(srv, 0.3)

    def follow() -> int:
        with Client(srv.base_url, "test-admin-token") as client:
            return follow_runs(client, "acme/app", [run_id], poll=8.0)

    started = time.monotonic()
    assert await asyncio.to_thread(follow) == 0
    assert time.monotonic() - started < 6  # a poll every 8 s would have taken at least 8


async def test_an_idle_runner_is_handed_the_job_in_the_dispatchs_transaction(start_server, make_git_repo):
    srv = await start_server([f"acme/app={make_git_repo({'.github/workflows/s.yml': SLEEPS})}"], runners=1)
    first = await start_run(srv, 60)  # long enough to stay busy on a loaded machine; cancelled below
    # Committed together with the event: when the dispatch is answered the job is already the
    # runner's (no claim of its own after the commit).
    [job] = await srv.jobs("acme/app", first)
    assert job["status"] == "in_progress", job
    assert job["runner_name"].startswith("dispatchd-"), job
    # The one runner is busy: the next job waits in the queue and runs once the runner is free.
    second = await start_run(srv, 0)
    [job] = await srv.jobs("acme/app", second)
    assert job["status"] == "queued", job
    assert (await srv.http.post(f"/repos/acme/app/actions/runs/{first}/cancel")).status_code == 202
    runs = await srv.wait_runs("acme/app", 2)
    assert {r["id"]: r["conclusion"] for r in runs} == {first: "cancelled", second: "success"}


async def test_claimed_jobs_that_never_started_go_back_to_the_queue(start_server, make_git_repo):
    # No embedded runner: the job stays queued for the claims made here.
    srv = await start_server([f"acme/app={make_git_repo({'.github/workflows/s.yml': SLEEPS})}"], runners=0)
    run_id = await start_run(srv, 0)
    db, cfg = srv.server.engine.db, srv.server.engine.planner_config
    [queued] = await db.read(lambda c: list(c.execute(select(jobs.c.id, jobs.c.state).where(jobs.c.run_id == run_id))))
    assert queued.state == "queued"
    labels = ("ubuntu-latest", "self-hosted", "linux", "x64")
    claimed = await db.write(queue.claim_jobs, [queued.id, 10**9], ["runner-a", "runner-b"], labels, 30.0, cfg)
    assert [(name, a.job_id) for name, a in claimed] == [("runner-a", queued.id)]
    assert claimed[0][1].contexts["secrets"]["GITHUB_TOKEN"]  # a job token, as a claim gives one
    assert await db.write(queue.claim_jobs, [queued.id], ["runner-b"], labels, 30.0, cfg) == []  # taken
    await db.write(queue.release, [queued.id])

    def state(conn):
        job = conn.execute(select(jobs.c.state, jobs.c.runner_name, jobs.c.started_at).where(jobs.c.id == queued.id)).one()
        revoked = conn.execute(select(tokens.c.revoked_at).where(tokens.c.job_id == queued.id)).scalars().all()
        return job, revoked

    job, revoked = await db.read(state)
    assert (job.state, job.runner_name, job.started_at) == ("queued", None, None)
    assert len(revoked) == 1 and revoked[0] is not None
    # A runner with other labels is not handed it.
    assert await db.write(queue.claim_jobs, [queued.id], ["gpu"], ("gpu",), 30.0, cfg) == []
