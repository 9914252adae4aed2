"""Runs past the basics: attempts, re-runs, rerun-failed-jobs, delete, the logs archive."""

from __future__ import annotations

import io
import zipfile

from api_support import auth


async def test_rerun_failed_jobs_makes_a_new_attempt_and_keeps_the_old_one(srv):
    await srv.dispatch("acme/app", "flaky")
    [run] = await srv.wait_runs("acme/app", 1)
    assert run["conclusion"] == "failure" and run["run_attempt"] == 1
    first = {j["name"]: j for j in await srv.jobs("acme/app", run["id"])}
    assert {k: j["conclusion"] for k, j in first.items()} == {"good": "success", "bad": "failure", "after": "skipped"}

    r = await srv.http.post(f"/repos/acme/app/actions/runs/{run['id']}/rerun-failed-jobs")
    assert r.status_code == 201 and r.json() == {}
    [again] = await srv.wait_runs("acme/app", 1)
    assert (again["id"], again["run_number"], again["run_attempt"]) == (run["id"], 1, 2)
    assert again["conclusion"] == "success"
    assert again["previous_attempt_url"] == f"{srv.base_url}/repos/acme/app/actions/runs/{run['id']}/attempts/1"
    second = {j["name"]: j for j in await srv.jobs("acme/app", run["id"])}
    assert {k: (j["conclusion"], j["run_attempt"]) for k, j in second.items()} == {
        "good": ("success", 2), "bad": ("success", 2), "after": ("success", 2)}
    # "good" was carried over (its attempt-1 log), the others ran again.
    assert "good attempt 1" in await srv.log("acme/app", second["good"]["id"])
    assert "bad attempt 2" in await srv.log("acme/app", second["bad"]["id"])
    assert "after attempt 2" in await srv.log("acme/app", second["after"]["id"])

    old = (await srv.http.get(f"/repos/acme/app/actions/runs/{run['id']}/attempts/1")).json()
    assert (old["run_attempt"], old["status"], old["conclusion"]) == (1, "completed", "failure")
    assert old["previous_attempt_url"] is None
    old_jobs = (await srv.http.get(f"/repos/acme/app/actions/runs/{run['id']}/attempts/1/jobs")).json()
    assert {j["name"]: j["conclusion"] for j in old_jobs["jobs"]} == {"good": "success", "bad": "failure",
                                                                      "after": "skipped"}
    every = (await srv.http.get(f"/repos/acme/app/actions/runs/{run['id']}/jobs", params={"filter": "all"})).json()
    assert every["total_count"] == 6
    for n in (0, 3, 99):
        assert (await srv.http.get(f"/repos/acme/app/actions/runs/{run['id']}/attempts/{n}")).status_code in (404, 422)
    # Nothing failed any more: rerun-failed-jobs is refused; a full re-run is attempt 3.
    r = await srv.http.post(f"/repos/acme/app/actions/runs/{run['id']}/rerun-failed-jobs")
    assert r.status_code == 403 and r.json()["message"] == "This workflow run has no failed jobs to re-run"
    assert (await srv.http.post(f"/repos/acme/app/actions/runs/{run['id']}/rerun",
                                json={"enable_debug_logging": False})).status_code == 201
    [third] = await srv.wait_runs("acme/app", 1)
    assert third["run_attempt"] == 3 and third["conclusion"] == "success"
    jobs3 = {j["name"]: j for j in await srv.jobs("acme/app", run["id"])}
    assert "good attempt 3" in await srv.log("acme/app", jobs3["good"]["id"])


async def test_rerun_of_a_running_run_is_refused_and_cancel_then_rerun(start_server, make_git_repo):
    slow = """\
on: repository_dispatch
jobs:
  wait:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 30
"""
    repo = make_git_repo({".github/workflows/slow.yml": slow})
    srv = await start_server([f"acme/app={repo}"])
    await srv.dispatch("acme/app", "go")
    import asyncio

    for _ in range(200):
        runs = await srv.runs("acme/app")
        if runs and runs[0]["status"] == "in_progress":
            break
        await asyncio.sleep(0.05)
    run_id = runs[0]["id"]
    r = await srv.http.post(f"/repos/acme/app/actions/runs/{run_id}/rerun")
    assert r.status_code == 403 and r.json()["message"] == "This workflow is already running"
    r = await srv.http.delete(f"/repos/acme/app/actions/runs/{run_id}")
    assert r.status_code == 403
    assert (await srv.http.post(f"/repos/acme/app/actions/runs/{run_id}/cancel")).status_code == 202
    [run] = await srv.wait_runs("acme/app", 1)
    assert run["conclusion"] == "cancelled"
    assert (await srv.http.post(f"/repos/acme/app/actions/runs/{run_id}/cancel")).status_code == 409


async def test_run_logs_zip_and_delete(srv, make_token):
    await srv.dispatch("acme/app", "flaky")
    [run] = await srv.wait_runs("acme/app", 1)
    r = await srv.http.get(f"/repos/acme/app/actions/runs/{run['id']}/logs", follow_redirects=True)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        names = zf.namelist()
        assert names == ["1_good.txt", "2_bad.txt", "3_after.txt"]
        assert "good attempt 1" in zf.read("1_good.txt").decode()
        assert "Process completed with exit code 1." in zf.read("2_bad.txt").decode()
    jobs = await srv.jobs("acme/app", run["id"])
    read = await make_token("acme/app", "read")
    r = await srv.http.delete(f"/repos/acme/app/actions/runs/{run['id']}", headers=auth(read))
    assert r.status_code == 403
    r = await srv.http.delete(f"/repos/acme/app/actions/runs/{run['id']}")
    assert r.status_code == 204 and r.content == b""
    assert (await srv.http.get(f"/repos/acme/app/actions/runs/{run['id']}")).status_code == 404
    assert (await srv.http.get(f"/repos/acme/app/actions/jobs/{jobs[0]['id']}")).status_code == 404
    assert (await srv.http.delete(f"/repos/acme/app/actions/runs/{run['id']}")).status_code == 404
    assert await srv.runs("acme/app") == []


async def test_run_ids_out_of_range_are_4xx(srv):
    for path in ("/repos/acme/app/actions/runs/99999999999999999999999", "/repos/acme/app/actions/runs/-1",
                 "/repos/acme/app/actions/jobs/abc", "/repos/acme/app/actions/runs/1/attempts/99999999999999"):
        r = await srv.http.get(path)
        assert r.status_code in (404, 422), path
        assert "message" in r.json()
