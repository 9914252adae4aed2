"""Check-run updates with hostile times: a time that is no date in UTC is GitHub's 422 and leaves
the check run readable (it used to be stored, then every read of it was a 500)."""

from __future__ import annotations

import pytest
from api_support import WORKFLOWS


@pytest.fixture
async def check_run(start_server, make_git_repo):
    srv = await start_server([f"acme/app={make_git_repo(WORKFLOWS)}"])
    assert (await srv.dispatch("acme/app", "ping", {"n": 1})).status_code == 204
    [run] = await srv.wait_runs("acme/app", 1)
    r = await srv.http.get("/repos/acme/app/commits/main/check-runs")
    [job] = r.json()["check_runs"]
    assert job["check_suite"]["id"] == run["id"]
    return srv, job["id"]


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+05:00", "2024-13-01T00:00:00Z",
                                  "yesterday", 1700000000, True])
async def test_a_time_outside_utc_dates_is_422_and_the_check_run_stays_readable(check_run, when):
    srv, job_id = check_run
    for field in ("started_at", "completed_at"):
        r = await srv.http.patch(f"/repos/acme/app/check-runs/{job_id}",
                                 json={"conclusion": "neutral", field: when})
        assert r.status_code == 422, r.text
        assert r.json()["message"].startswith(f"Invalid request.\n\nFor 'properties/{field}', ")
    r = await srv.http.get(f"/repos/acme/app/check-runs/{job_id}")
    assert r.status_code == 200 and r.json()["conclusion"] == "success", r.text
    assert (await srv.http.get("/repos/acme/app/commits/main/check-runs")).status_code == 200


async def test_the_first_and_last_utc_seconds_are_kept(check_run):
    srv, job_id = check_run
    r = await srv.http.patch(f"/repos/acme/app/check-runs/{job_id}", json={
        "conclusion": "neutral", "started_at": "0001-01-01T00:00:00Z", "completed_at": "9999-12-31T09:59:59-14:00"})
    assert r.status_code == 200, r.text
    assert (r.json()["started_at"], r.json()["completed_at"]) == ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z")
    r = await srv.http.get(f"/repos/acme/app/check-runs/{job_id}")
    assert r.json()["conclusion"] == "neutral" and r.json()["completed_at"] == "9999-12-31T23:59:59Z"
