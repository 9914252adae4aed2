"""PyGithub, pointed at a real dispatchd server, dispatches events and lists the runs they start.

PyGithub is synchronous (requests); its calls run in a worker thread so the server, which
lives in the test's event loop, keeps answering. PyGithub raises no warning against the server,
so pytest's ``filterwarnings = error`` stays as it is here.
"""

from __future__ import annotations

import asyncio
import subprocess

import pytest
from fixtures_server import TOKEN
from github import Auth, BadCredentialsException, Github, UnknownObjectException

OK = """\
name: scan passed
on:
  repository_dispatch:
    types: [evt]
jobs:
  report:
    runs-on: ubuntu-latest
    steps:
      - name: show
        run: echo "k=${{ github.event.client_payload.k }} type=${{ github.event.action }}"
"""

BROKEN = """\
name: scan failed
on:
  repository_dispatch:
    types: [evt]
jobs:
  report:
    runs-on: ubuntu-latest
    steps:
      - run: exit 3
"""

OTHER = """\
name: other
on:
  repository_dispatch:
    types: [something-else]
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: echo no
"""


def head_sha(repo) -> str:
    return subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()


async def test_create_repository_dispatch_starts_runs_listed_with_their_conclusions(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/ok.yml": OK, ".github/workflows/broken.yml": BROKEN,
                          ".github/workflows/other.yml": OTHER})
    srv = await start_server([f"acme/app={repo}"])
    gh = Github(base_url=srv.base_url, auth=Auth.Token(TOKEN))
    try:
        def dispatch():
            r = gh.get_repo("acme/app")
            return r.full_name, r.default_branch, r.create_repository_dispatch("evt", {"k": "v"})

        assert await asyncio.to_thread(dispatch) == ("acme/app", "main", True)
        await srv.wait_runs("acme/app", 2)
        # without a client_payload
        assert await asyncio.to_thread(lambda: gh.get_repo("acme/app").create_repository_dispatch("something-else"))
        await srv.wait_runs("acme/app", 3)

        def listing():
            r = gh.get_repo("acme/app")
            runs = r.get_workflow_runs()
            rows = sorted((w.name, w.path, w.event, w.status, w.conclusion, w.head_branch, w.head_sha, w.run_number)
                          for w in runs)
            failed = [w.name for w in r.get_workflow_runs(status="failure")]
            by_event = [w.name for w in r.get_workflow_runs(event="repository_dispatch")]
            ok_run = next(w for w in runs if w.name == "scan passed")
            jobs = [(j.name, j.status, j.conclusion, [(s.name, s.conclusion) for s in j.steps])
                    for j in ok_run.jobs()]
            again = r.get_workflow_run(ok_run.id)
            return runs.totalCount, rows, failed, sorted(by_event), jobs, (again.id, again.conclusion), ok_run.id

        total, rows, failed, by_event, jobs, again, ok_id = await asyncio.to_thread(listing)
    finally:
        gh.close()
    sha = head_sha(repo)
    assert total == 3
    assert rows == [
        ("other", ".github/workflows/other.yml", "repository_dispatch", "completed", "success", "main", sha, 1),
        ("scan failed", ".github/workflows/broken.yml", "repository_dispatch", "completed", "failure", "main", sha, 1),
        ("scan passed", ".github/workflows/ok.yml", "repository_dispatch", "completed", "success", "main", sha, 1),
    ]
    assert failed == ["scan failed"]
    assert by_event == ["other", "scan failed", "scan passed"]
    assert jobs == [("report", "completed", "success", [("show", "success")])]
    assert again == (ok_id, "success")
    # the payload reached the workflow
    (job,) = await srv.jobs("acme/app", ok_id)
    assert "k=v type=evt" in await srv.log("acme/app", job["id"])


async def test_errors_are_pygithub_exceptions(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/ok.yml": OK})
    srv = await start_server([f"acme/app={repo}"])
    bad = Github(base_url=srv.base_url, auth=Auth.Token("not-the-token"), retry=None)
    good = Github(base_url=srv.base_url, auth=Auth.Token(TOKEN), retry=None)
    try:
        with pytest.raises(BadCredentialsException) as e401:
            await asyncio.to_thread(lambda: bad.get_repo("acme/app").full_name)
        assert e401.value.status == 401
        with pytest.raises(UnknownObjectException) as e404:
            await asyncio.to_thread(lambda: good.get_repo("acme/nope").full_name)
        assert e404.value.status == 404
    finally:
        bad.close()
        good.close()
    assert await srv.runs("acme/app") == []


async def test_job_logs_url_is_a_redirect_to_the_text(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/ok.yml": OK})
    srv = await start_server([f"acme/app={repo}"])
    gh = Github(base_url=srv.base_url, auth=Auth.Token(TOKEN), retry=None)
    try:
        assert await asyncio.to_thread(lambda: gh.get_repo("acme/app").create_repository_dispatch("evt", {"k": "v"}))
        (run,) = await srv.wait_runs("acme/app", 1)

        def logs_url() -> str:
            (job,) = list(gh.get_repo("acme/app").get_workflow_run(run["id"]).jobs())
            return job.logs_url()

        url = await asyncio.to_thread(logs_url)
    finally:
        gh.close()
    r = await srv.http.get(url)
    assert r.status_code == 200
    assert "k=v type=evt" in r.text
