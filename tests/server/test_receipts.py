"""Past GitHub: receipts, the decision trace of an event, dry runs, idempotency keys, replay."""

from __future__ import annotations

import subprocess

SHIP = """\
name: ship
on:
  repository_dispatch:
    types: [cve-check-passed]
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - run: echo "shipping ${{ github.event.client_payload.version }}"
"""

FOUND = SHIP.replace("name: ship", "name: cve-found").replace("cve-check-passed", "cve-check-failed")
PUSH = "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n"
BROKEN = "on: repository_dispatch\njobs:\n  j:\n    needs: nothing\n    runs-on: x\n    steps: [{run: echo}]\n"


async def test_receipt_names_the_runs_and_why_the_others_did_not_run(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/ship.yml": SHIP, ".github/workflows/found.yml": FOUND,
                          ".github/workflows/push.yml": PUSH})
    srv = await start_server([f"acme/app={repo}"])
    r = await srv.http.post("/repos/acme/app/dispatches", params={"return_run_details": "true"},
                            json={"event_type": "cve-check-passed", "client_payload": {"version": "1.2"}})
    assert r.status_code == 200
    body = r.json()
    [run] = body["workflow_runs"]
    assert run["path"] == ".github/workflows/ship.yml" and run["run_number"] == 1
    assert run["html_url"] == f"{srv.base_url}/acme/app/actions/runs/{run['id']}"
    assert sorted(body["not_matched"], key=lambda d: d["path"]) == [
        {"path": ".github/workflows/found.yml",
         "reason": "event type 'cve-check-passed' is not in types [cve-check-failed]"},
        {"path": ".github/workflows/push.yml",
         "reason": "workflow is not triggered by repository_dispatch (it runs on push)"},
    ]
    # The same, later, with the event.
    again = (await srv.http.get(f"/repos/acme/app/dispatches/{body['event_id']}")).json()
    assert again["workflow_runs"] == body["workflow_runs"]
    assert again["event"]["event_type"] == "cve-check-passed"
    assert again["event"]["client_payload"] == {"version": "1.2"}
    # Without the flag it is GitHub's 204.
    plain = await srv.dispatch("acme/app", "cve-check-passed", {"version": "1.3"})
    assert plain.status_code == 204 and plain.content == b""
    assert (await srv.http.get("/repos/acme/app/dispatches/999999")).status_code == 404


async def test_an_event_that_started_nothing_says_why(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/ship.yml": SHIP, ".github/workflows/broken.yml": BROKEN})
    srv = await start_server([f"acme/app={repo}"])
    body = (await srv.http.post("/repos/acme/app/dispatches?return_run_details=1",
                                json={"event_type": "unknown-type"})).json()
    # The broken file would have matched (no types): it gets its failed run, with the error.
    [run] = body["workflow_runs"]
    assert run["path"] == ".github/workflows/broken.yml"
    assert body["not_matched"] == [
        {"path": ".github/workflows/ship.yml", "reason": "event type 'unknown-type' is not in types [cve-check-passed]"}]
    listed = (await srv.http.get("/repos/acme/app/dispatches")).json()["events"]
    assert listed[0]["id"] == body["event_id"]
    broken = next(d for d in listed[0]["decisions"] if d["path"].endswith("broken.yml"))
    assert "(Line: 3, Col: 3): The workflow must contain at least one job with no dependencies." in broken["error"]


async def test_dry_run_starts_nothing(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/ship.yml": SHIP, ".github/workflows/found.yml": FOUND})
    srv = await start_server([f"acme/app={repo}"])
    r = await srv.http.post("/repos/acme/app/dispatches?dry_run=true", json={"event_type": "cve-check-failed"})
    assert r.status_code == 200
    body = r.json()
    assert body["dry_run"] is True and body["event_id"] is None
    assert [w["path"] for w in body["would_run"]] == [".github/workflows/found.yml"]
    assert [w["path"] for w in body["not_matched"]] == [".github/workflows/ship.yml"]
    assert await srv.runs("acme/app") == []
    assert (await srv.http.get("/repos/acme/app/dispatches")).json()["events"] == []


async def test_idempotency_key_retries_start_nothing_new(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/ship.yml": SHIP})
    srv = await start_server([f"acme/app={repo}"])
    first = await srv.http.post("/repos/acme/app/dispatches?return_run_details=true",
                                json={"event_type": "cve-check-passed"}, headers={"Idempotency-Key": "scan-42"})
    retry = await srv.http.post("/repos/acme/app/dispatches?return_run_details=true",
                                json={"event_type": "cve-check-passed"}, headers={"Idempotency-Key": "scan-42"})
    assert retry.json() == {**first.json(), "replayed_receipt": True}
    await srv.wait_runs("acme/app", 1)
    assert len(await srv.runs("acme/app")) == 1
    # The same key for another request is refused, not silently dropped.
    other_body = await srv.http.post("/repos/acme/app/dispatches", json={"event_type": "cve-check-failed"},
                                     headers={"Idempotency-Key": "scan-42"})
    assert other_body.status_code == 422
    assert other_body.json()["message"] == ("Invalid request.\n\nThis Idempotency-Key was used for a different "
                                            f"request (event {first.json()['event_id']}).")
    other = await srv.http.post("/repos/acme/app/dispatches", json={"event_type": "cve-check-passed"},
                                headers={"Idempotency-Key": "scan-43"})
    assert other.status_code == 204
    await srv.wait_runs("acme/app", 2)


async def test_replay_delivers_to_todays_workflows(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/ship.yml": SHIP})
    srv = await start_server([f"acme/app={repo}"])
    body = (await srv.http.post("/repos/acme/app/dispatches?return_run_details=true",
                                json={"event_type": "cve-check-failed", "client_payload": {"version": "9"}})).json()
    assert body["workflow_runs"] == []  # nothing listened then
    make_git_repo({".github/workflows/found.yml": FOUND}, path=repo)  # a workflow added since
    r = await srv.http.post(f"/repos/acme/app/dispatches/{body['event_id']}/replay")
    assert r.status_code == 201
    replayed = r.json()
    assert replayed["origin_event_id"] == body["event_id"] and replayed["event_id"] != body["event_id"]
    [run] = replayed["workflow_runs"]
    assert run["path"] == ".github/workflows/found.yml"
    [done] = await srv.wait_runs("acme/app", 1)
    [job] = await srv.jobs("acme/app", done["id"])
    assert "shipping 9" in await srv.log("acme/app", job["id"])
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert done["head_sha"] == head
