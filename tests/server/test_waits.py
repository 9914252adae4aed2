"""Jobs that wait for a dispatch hold no runner, resume on the matching dispatch, and survive
a restart; capability callback URLs resume exactly their job, once."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from dispatchd.oneshot import run_once

WAITING = """\
on:
  repository_dispatch:
    types: [start-scan]
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - id: start
        run: echo "scan_id=${{ github.event.client_payload.scan_id }}" >> "$GITHUB_OUTPUT"
      - id: wait
        uses: dispatchd/wait-for-dispatch@v1
        with:
          event-type: scan-done
          match: github.event.client_payload.scan_id == steps.start.outputs.scan_id
          timeout-minutes: ${{ github.event.client_payload.timeout }}
      - name: Report
        run: echo "scan ${{ steps.start.outputs.scan_id }} found ${{ fromJSON(steps.wait.outputs.client_payload).cve }}"
      - if: always()
        run: echo "cleanup after ${{ steps.wait.outcome }}"
"""


async def job_of(srv, repo: str, title_status: str | None = None, timeout: float = 20.0) -> dict:
    for _ in range(int(timeout / 0.05)):
        runs = await srv.runs(repo)
        if runs:
            jobs = await srv.jobs(repo, runs[0]["id"])
            if jobs and (title_status is None or jobs[0]["status"] == title_status):
                return jobs[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no job reached {title_status}")


async def test_wait_resumes_on_the_matching_dispatch_only(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/scan.yml": WAITING})
    srv = await start_server([f"acme/app={repo}"], runners=1)
    await srv.dispatch("acme/app", "start-scan", {"scan_id": "S-1", "timeout": 5})
    job = await job_of(srv, "acme/app", "waiting")
    assert job["runner_name"] is None  # the runner slot is free while the job waits
    # The one runner is free: another run can use it meanwhile.
    await srv.dispatch("acme/app", "start-scan", {"scan_id": "S-2", "timeout": 5})
    for _ in range(200):
        runs = await srv.runs("acme/app")
        statuses = [(await srv.jobs("acme/app", r["id"]))[0]["status"] for r in runs]
        if statuses == ["waiting", "waiting"]:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("both jobs should be waiting at once on one runner")
    # A dispatch of the type with another scan id resumes nothing; the right one resumes S-1 only.
    await srv.dispatch("acme/app", "scan-done", {"scan_id": "S-9", "cve": "CVE-0"})
    # GitHub's == ignores case; the receipt names the job it resumed.
    resumed = await srv.http.post("/repos/acme/app/dispatches?return_run_details=true",
                                  json={"event_type": "scan-done",
                                        "client_payload": {"scan_id": "s-1", "cve": "CVE-2023-32681"}})
    assert resumed.json()["resumed_jobs"] == [job["id"]]
    for _ in range(200):
        statuses = sorted(r["status"] for r in await srv.runs("acme/app"))
        if statuses == ["completed", "in_progress"]:
            break
        await asyncio.sleep(0.05)
    done = next(r for r in await srv.runs("acme/app") if r["status"] == "completed")
    assert done["conclusion"] == "success"
    [job] = await srv.jobs("acme/app", done["id"])
    log = await srv.log("acme/app", job["id"])
    assert "scan S-1 found CVE-2023-32681" in log
    assert "cleanup after success" in log
    assert [s["conclusion"] for s in job["steps"]] == ["success", "success", "success", "success"]
    waiting = next(r for r in await srv.runs("acme/app") if r["status"] != "completed")
    assert (await srv.jobs("acme/app", waiting["id"]))[0]["status"] == "waiting"


async def test_wait_timeout_fails_the_step_and_cleanup_still_runs(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/scan.yml": WAITING})
    srv = await start_server([f"acme/app={repo}"])
    await srv.dispatch("acme/app", "start-scan", {"scan_id": "S-1", "timeout": 0.02})
    [run] = await srv.wait_runs("acme/app", 1, timeout=30)
    assert run["conclusion"] == "failure"
    [job] = await srv.jobs("acme/app", run["id"])
    log = await srv.log("acme/app", job["id"])
    assert "timed out after 0.02 minutes" in log
    assert "cleanup after failure" in log
    assert [s["conclusion"] for s in job["steps"]] == ["success", "failure", "skipped", "success"]


async def test_waits_survive_a_restart(start_server, make_git_repo, tmp_path):
    repo = make_git_repo({".github/workflows/scan.yml": WAITING})
    first = await start_server([f"acme/app={repo}"], data_dir=tmp_path / "state")
    await first.dispatch("acme/app", "start-scan", {"scan_id": "S-7", "timeout": 5})
    await job_of(first, "acme/app", "waiting")
    db_url = first.server.engine.config.db_url
    await first.http.aclose()
    await first.server.stop()
    second = await start_server([f"acme/app={repo}"], data_dir=tmp_path / "state", db_url=db_url)
    await second.dispatch("acme/app", "scan-done", {"scan_id": "S-7", "cve": "CVE-2024-22195"})
    [run] = await second.wait_runs("acme/app", 1)
    assert run["conclusion"] == "success"
    [job] = await second.jobs("acme/app", run["id"])
    assert "scan S-7 found CVE-2024-22195" in await second.log("acme/app", job["id"])


CALLBACK = """\
on:
  repository_dispatch:
    types: [start-scan]
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - id: cb
        uses: dispatchd/callback-url@v1
        with:
          event-type: scan-done
      - run: echo "${{ steps.cb.outputs.url }}" > "${{ github.event.client_payload.url_file }}"
      - run: echo "url is ${{ steps.cb.outputs.url }}"
      - id: wait
        uses: dispatchd/wait-for-dispatch@v1
        with:
          event-type: scan-done
          match: github.event.client_payload.scan == 'S-5'
          timeout-minutes: 1
      - run: 'echo "got ${{ fromJSON(steps.wait.outputs.client_payload).result }}"'
"""


async def test_callback_url_needs_no_token_and_works_once(start_server, make_git_repo, tmp_path):
    repo = make_git_repo({".github/workflows/scan.yml": CALLBACK})
    srv = await start_server([f"acme/app={repo}"])
    url_file = tmp_path / "url"
    await srv.dispatch("acme/app", "start-scan", {"url_file": str(url_file)})
    await job_of(srv, "acme/app", "waiting")
    url = url_file.read_text().strip()
    assert url.startswith(srv.base_url + "/dispatchd/callbacks/")
    async with httpx.AsyncClient() as outside:  # no Authorization header
        # The wait's match is checked first; a refused payload does not spend the URL.
        refused = await outside.post(url, json={"client_payload": {"scan": "S-6", "result": "forged"}})
        assert refused.status_code == 422, refused.text
        assert "match expression does not accept" in refused.json()["message"]
        r = await outside.post(url, json={"client_payload": {"scan": "S-5", "result": "clean"}})
        assert r.status_code == 204, r.text
        again = await outside.post(url, json={"client_payload": {"result": "forged"}})
        assert again.status_code == 410
        assert again.json()["message"] == "This callback URL was already used."
        tampered = await outside.post(url[:-3] + "abc", json={"client_payload": {}})
        assert tampered.status_code == 404
        wrong_type = await outside.post(url, json={"event_type": "other", "client_payload": {}})
        assert wrong_type.status_code == 422
    [run] = await srv.wait_runs("acme/app", 1)
    assert run["conclusion"] == "success"
    [job] = await srv.jobs("acme/app", run["id"])
    log = await srv.log("acme/app", job["id"])
    assert "got clean" in log and "forged" not in log
    # The URL is the credential: masked in the log like a secret.
    assert "url is ***" in log and url.rsplit("/", 1)[1] not in log


async def test_a_one_shot_run_cannot_wait(make_git_repo):
    repo = make_git_repo({".github/workflows/scan.yml": WAITING})
    event = {"action": "start-scan", "client_payload": {"scan_id": "S-1", "timeout": 5}}
    result = await run_once("repository_dispatch", event, Path(repo), timeout=60)
    [run] = result.runs
    assert run["conclusion"] == "failure"
    log = run["jobs"][0]["log"]
    assert "cannot receive dispatches" in log
    assert "cleanup after failure" in log
    assert json.dumps(result.runs)  # plain data
