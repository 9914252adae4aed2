"""Workflows and workflow_dispatch: ids and file names, typed inputs, GitHub's refusals, and
``return_run_details``."""

from __future__ import annotations

import asyncio
import subprocess

import pytest

DOC = "https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event"


async def test_list_and_get_workflows(srv):
    r = await srv.http.get("/repos/acme/app/actions/workflows")
    assert r.status_code == 200
    data = r.json()
    assert data["total_count"] == 4
    by_path = {w["path"]: w for w in data["workflows"]}
    assert sorted(by_path) == [".github/workflows/flaky.yml", ".github/workflows/manual.yml",
                               ".github/workflows/ping.yml", ".github/workflows/push.yml"]
    manual = by_path[".github/workflows/manual.yml"]
    assert manual["name"] == "manual" and manual["state"] == "active"
    assert manual["url"] == f"{srv.base_url}/repos/acme/app/actions/workflows/{manual['id']}"
    # The push-only workflow has no name: GitHub shows its path.
    assert by_path[".github/workflows/push.yml"]["name"] == ".github/workflows/push.yml"
    for key in (str(manual["id"]), "manual.yml"):
        r = await srv.http.get(f"/repos/acme/app/actions/workflows/{key}")
        assert r.status_code == 200 and r.json()["id"] == manual["id"]
    # Ids stay the same on the next listing.
    again = (await srv.http.get("/repos/acme/app/actions/workflows")).json()
    assert {w["path"]: w["id"] for w in again["workflows"]} == {p: w["id"] for p, w in by_path.items()}
    for missing in ("nope.yml", "999999", "..%2F..%2Fetc%2Fpasswd", "ping.yml%00"):
        assert (await srv.http.get(f"/repos/acme/app/actions/workflows/{missing}")).status_code == 404, missing
    r = await srv.http.get("/repos/acme/app/actions/workflows", params={"per_page": 3, "page": 2})
    assert len(r.json()["workflows"]) == 1 and 'rel="prev"' in r.headers["link"]


async def test_workflow_dispatch_with_typed_inputs_and_run_details(srv):
    r = await srv.http.post("/repos/acme/app/actions/workflows/manual.yml/dispatches",
                            json={"ref": "main", "inputs": {"cve": "CVE-2023-32681", "dry-run": False},
                                  "return_run_details": True})
    assert r.status_code == 200, r.text
    details = r.json()
    run_id = details["workflow_run_id"]
    assert details == {"workflow_run_id": run_id,
                       "run_url": f"{srv.base_url}/repos/acme/app/actions/runs/{run_id}",
                       "html_url": f"{srv.base_url}/acme/app/actions/runs/{run_id}"}
    [run] = await srv.wait_runs("acme/app", 1)
    assert run["id"] == run_id and run["event"] == "workflow_dispatch" and run["conclusion"] == "success"
    [job] = await srv.jobs("acme/app", run_id)
    log = await srv.log("acme/app", job["id"])
    assert ("cve=CVE-2023-32681 level=low dry=false retries=3 typed=false event=false ref=refs/heads/main "
            "actor=dispatchd-admin") in log
    # Without return_run_details: GitHub's 204; the workflow's runs list shows both.
    r = await srv.http.post("/repos/acme/app/actions/workflows/manual.yml/dispatches",
                            json={"ref": "main", "inputs": {"cve": "x", "retries": "7", "level": "high"}})
    assert r.status_code == 204 and r.content == b""
    await srv.wait_runs("acme/app", 2)
    wf_runs = (await srv.http.get("/repos/acme/app/actions/workflows/manual.yml/runs")).json()
    assert wf_runs["total_count"] == 2 and [x["run_number"] for x in wf_runs["workflow_runs"]] == [2, 1]
    assert (await srv.http.get("/repos/acme/app/actions/workflows/ping.yml/runs")).json()["total_count"] == 0


async def test_dispatch_on_another_branch_runs_that_branchs_file(srv, make_git_repo):
    path = srv.server.engine.repos[1].path
    await asyncio.to_thread(subprocess.run, ["git", "-C", str(path), "checkout", "-q", "-b", "feature"], check=True)
    text = (path / ".github/workflows/manual.yml").read_text().replace('echo "cve=', 'echo "feature cve=')
    make_git_repo({".github/workflows/manual.yml": text}, path=path, message="feature")
    await asyncio.to_thread(subprocess.run, ["git", "-C", str(path), "checkout", "-q", "main"], check=True)
    r = await srv.http.post("/repos/acme/app/actions/workflows/manual.yml/dispatches",
                            json={"ref": "feature", "inputs": {"cve": "c"}})
    assert r.status_code == 204
    [run] = await srv.wait_runs("acme/app", 1)
    assert run["head_branch"] == "feature"
    [job] = await srv.jobs("acme/app", run["id"])
    assert "feature cve=c" in await srv.log("acme/app", job["id"])


@pytest.mark.parametrize(("workflow", "body", "status", "message"), [
    ("manual.yml", {"ref": "main"}, 422, "Required input 'cve' not provided"),
    ("manual.yml", {"ref": "main", "inputs": {"cve": "x", "foo": 1}}, 422, 'Unexpected inputs provided: ["foo"]'),
    ("manual.yml", {"ref": "main", "inputs": {"cve": "x", "level": "mid"}}, 422,
     "Provided value 'mid' for input 'level' not in the list of allowed values"),
    ("manual.yml", {"ref": "main", "inputs": {"cve": "x", "dry-run": "maybe"}}, 422,
     "Provided value 'maybe' for input 'dry-run' not in the list of allowed values"),
    ("manual.yml", {"ref": "main", "inputs": {"cve": "x", "retries": "many"}}, 422,
     "Provided value 'many' for input 'retries' is not a valid number"),
    ("manual.yml", {"ref": "nope", "inputs": {"cve": "x"}}, 422, "No ref found for: nope"),
    ("manual.yml", {"ref": ""}, 422, "No ref found for: "),
    ("ping.yml", {"ref": "main"}, 422, "Workflow does not have 'workflow_dispatch' trigger"),
    ("manual.yml", {}, 422, "Invalid request.\n\n\"ref\" wasn't supplied."),
    ("manual.yml", {"ref": 5}, 422, "Invalid request.\n\nFor 'properties/ref', 5 is not a string."),
    ("manual.yml", {"ref": "main", "inputs": "x"}, 422, "Invalid request.\n\nFor 'properties/inputs', \"x\" is not an object."),
    ("manual.yml", {"ref": "main", "extra": 1}, 422, "Invalid request.\n\n\"extra\" is not a permitted key."),
    ("manual.yml", {"ref": "main", "inputs": {f"k{i}": "v" for i in range(26)}}, 422,
     "A maximum of 25 inputs can be provided"),
    ("nope.yml", {"ref": "main"}, 404, "Not Found"),
])
async def test_workflow_dispatch_refusals(srv, workflow, body, status, message):
    r = await srv.http.post(f"/repos/acme/app/actions/workflows/{workflow}/dispatches", json=body)
    assert r.status_code == status, r.text
    assert r.json() == {"message": message, "documentation_url": DOC, "status": str(status)}
    assert await srv.runs("acme/app") == []
