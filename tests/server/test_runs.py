"""Events become runs: matching, run numbers, needs, outputs, logs, invalid files, the runs API."""

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
    env:
      SCAN: ${{ github.event.client_payload.scan_id }}
    steps:
      - id: v
        run: echo "version=1.${{ github.run_number }}" >> "$GITHUB_OUTPUT"
      - run: echo "shipping $SCAN as ${{ steps.v.outputs.version }} from $GITHUB_REF at $GITHUB_SHA"
"""

FOUND = """\
name: cve-found
on:
  repository_dispatch:
    types: [cve-check-failed]
jobs:
  triage:
    runs-on: ubuntu-latest
    outputs:
      title: ${{ steps.t.outputs.title }}
    steps:
      - id: t
        env:
          CVE: ${{ github.event.client_payload.cve }}
        run: echo "title=$CVE found" >> "$GITHUB_OUTPUT"
  report:
    needs: triage
    runs-on: ubuntu-latest
    steps:
      - run: 'echo "issue: ${{ needs.triage.outputs.title }}"'
  high:
    needs: triage
    if: github.event.client_payload.severity == 'HIGH'
    runs-on: ubuntu-latest
    steps:
      - run: echo never
  after-high:
    needs: high
    runs-on: ubuntu-latest
    steps:
      - run: echo never
"""

ANY = """\
on: repository_dispatch
jobs:
  any:
    runs-on: ubuntu-latest
    steps:
      - run: echo "any event ${{ github.event.action }}"
"""

PUSH_ONLY = """\
on: [push]
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: echo push
"""


async def test_event_runs_exactly_the_matching_workflows(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/ship.yml": SHIP, ".github/workflows/cve-found.yml": FOUND,
                          ".github/workflows/any.yaml": ANY, ".github/workflows/push.yml": PUSH_ONLY})
    srv = await start_server([f"acme/app={repo}"])
    assert (await srv.dispatch("acme/app", "cve-check-passed", {"scan_id": "s-1"})).status_code == 204
    runs = await srv.wait_runs("acme/app", 2)
    assert sorted(r["path"] for r in runs) == [".github/workflows/any.yaml", ".github/workflows/ship.yml"]
    ship = next(r for r in runs if r["name"] == "ship")
    assert ship["event"] == "repository_dispatch"
    assert ship["conclusion"] == "success"
    assert ship["run_number"] == 1 and ship["run_attempt"] == 1
    assert ship["head_branch"] == "main"
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert ship["head_sha"] == head
    [job] = await srv.jobs("acme/app", ship["id"])
    assert job["conclusion"] == "success"
    assert [s["conclusion"] for s in job["steps"]] == ["success", "success"]
    log = await srv.log("acme/app", job["id"])
    assert f"shipping s-1 as 1.1 from refs/heads/main at {head}" in log

    # A second event of the same type: run_number counts per workflow.
    await srv.dispatch("acme/app", "cve-check-passed", {"scan_id": "s-2"})
    runs = await srv.wait_runs("acme/app", 4)
    assert sorted(r["run_number"] for r in runs if r["name"] == "ship") == [1, 2]


async def test_needs_outputs_and_skip_propagation(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/cve-found.yml": FOUND})
    srv = await start_server([f"acme/app={repo}"])
    await srv.dispatch("acme/app", "cve-check-failed", {"cve": "CVE-2023-32681", "severity": "MEDIUM"})
    [run] = await srv.wait_runs("acme/app", 1)
    assert run["conclusion"] == "success"
    jobs = {j["name"]: j for j in await srv.jobs("acme/app", run["id"])}
    assert {k: j["conclusion"] for k, j in jobs.items()} == {
        "triage": "success", "report": "success", "high": "skipped", "after-high": "skipped"}
    assert "issue: CVE-2023-32681 found" in await srv.log("acme/app", jobs["report"]["id"])


async def test_failure_propagates_and_fails_the_run(start_server, make_git_repo):
    wf = """\
on: repository_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: exit 3
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - run: echo never
  cleanup:
    needs: b
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo "a was ${{ needs.b.result }}"
  on-failure:
    needs: a
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: echo reporting
"""
    repo = make_git_repo({".github/workflows/f.yml": wf})
    srv = await start_server([f"acme/app={repo}"])
    await srv.dispatch("acme/app", "go")
    [run] = await srv.wait_runs("acme/app", 1)
    assert run["conclusion"] == "failure"
    jobs = {j["name"]: j for j in await srv.jobs("acme/app", run["id"])}
    assert {k: j["conclusion"] for k, j in jobs.items()} == {
        "a": "failure", "b": "skipped", "cleanup": "success", "on-failure": "success"}
    assert "a was skipped" in await srv.log("acme/app", jobs["cleanup"]["id"])
    assert "Process completed with exit code 3." in await srv.log("acme/app", jobs["a"]["id"])


async def test_workflows_come_from_the_default_branch_head(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/ship.yml": SHIP})
    # Uncommitted edits and other branches are not what GitHub runs.
    (repo / ".github/workflows/ship.yml").write_text(SHIP.replace("shipping", "UNCOMMITTED"))
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "-b", "feature"], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-qam", "feature change"], check=True,
                   env={"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a",
                        "GIT_COMMITTER_EMAIL": "a@b", "PATH": "/usr/bin:/bin"})
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "main"], check=True)
    srv = await start_server([f"acme/app={repo}"])
    await srv.dispatch("acme/app", "cve-check-passed", {"scan_id": "s"})
    [run] = await srv.wait_runs("acme/app", 1)
    [job] = await srv.jobs("acme/app", run["id"])
    log = await srv.log("acme/app", job["id"])
    assert "shipping s" in log and "UNCOMMITTED" not in log


async def test_invalid_workflow_fails_alone_with_file_and_line(start_server, make_git_repo):
    broken = """\
on:
  repository_dispatch:
    types: [cve-check-passed]
jobs:
  one:
    needs: missing
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
  two:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
"""
    repo = make_git_repo({".github/workflows/ship.yml": SHIP, ".github/workflows/broken.yml": broken})
    srv = await start_server([f"acme/app={repo}"])
    await srv.dispatch("acme/app", "cve-check-passed", {"scan_id": "s"})
    runs = await srv.wait_runs("acme/app", 2)
    by_path = {r["path"]: r for r in runs}
    assert by_path[".github/workflows/ship.yml"]["conclusion"] == "success"
    bad = by_path[".github/workflows/broken.yml"]
    assert bad["conclusion"] == "failure"
    assert ".github/workflows/broken.yml (Line: 6, Col: 12)" in bad["error"]
    assert "Job 'one' depends on unknown job 'missing'." in bad["error"]
    # An event the broken file would not have matched starts no failed run for it.
    await srv.dispatch("acme/app", "unrelated")
    await srv.wait_runs("acme/app", 2)
    assert len(await srv.runs("acme/app")) == 2


async def test_runs_api_filters_and_paging(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/any.yml": ANY})
    srv = await start_server([f"acme/app={repo}"])
    for i in range(5):
        await srv.dispatch("acme/app", f"e{i}")
    await srv.wait_runs("acme/app", 5)
    r = await srv.http.get("/repos/acme/app/actions/runs", params={"per_page": 2, "page": 2})
    data = r.json()
    assert data["total_count"] == 5
    assert [x["run_number"] for x in data["workflow_runs"]] == [3, 2]
    assert 'rel="next"' in r.headers["link"] and 'rel="prev"' in r.headers["link"]
    assert len(await srv.runs("acme/app", status="success")) == 5
    assert await srv.runs("acme/app", status="failure") == []
    assert len(await srv.runs("acme/app", event="repository_dispatch")) == 5
    assert await srv.runs("acme/app", event="push") == []
    r = await srv.http.get("/repos/acme/app/actions/runs/999999")
    assert r.status_code == 404
