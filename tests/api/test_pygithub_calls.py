"""PyGithub, pointed at dispatchd, for the calls users write beyond repository dispatch:
workflow dispatch, runs of a workflow, re-runs, issues and comments, a scoped token.

PyGithub is synchronous (requests); its calls run in a worker thread so the server, which
lives in the test's event loop, keeps answering.
"""

from __future__ import annotations

import asyncio

import pytest
from fixtures_server import TOKEN
from github import Auth, Github, GithubException


@pytest.fixture
def gh(srv):
    client = Github(base_url=srv.base_url, auth=Auth.Token(TOKEN), retry=None)
    yield client
    client.close()


async def test_workflow_dispatch_runs_and_rerun(srv, gh):
    def dispatch():
        repo = gh.get_repo("acme/app")
        workflow = repo.get_workflow("manual.yml")
        ok = workflow.create_dispatch("main", {"cve": "CVE-2023-32681", "level": "high"})
        names = sorted(w.name for w in repo.get_workflows())
        return workflow.id, workflow.name, workflow.path, ok, names

    wf_id, name, path, ok, names = await asyncio.to_thread(dispatch)
    assert (name, path, ok) == ("manual", ".github/workflows/manual.yml", True)
    assert names == [".github/workflows/push.yml", "flaky", "manual", "ping"]
    await srv.wait_runs("acme/app", 1)

    def listing():
        repo = gh.get_repo("acme/app")
        [run] = list(repo.get_workflow(wf_id).get_runs())
        jobs = list(run.jobs())
        return run.id, run.event, run.conclusion, run.run_attempt, [(j.name, j.conclusion) for j in jobs]

    run_id, event, conclusion, attempt, jobs = await asyncio.to_thread(listing)
    assert (event, conclusion, attempt, jobs) == ("workflow_dispatch", "success", 1, [("show", "success")])

    def timing():
        run = gh.get_repo("acme/app").get_workflow_run(run_id)
        return run.timing(), run.run_started_at, run.updated_at

    usage, started, updated = await asyncio.to_thread(timing)
    # GitHub's seconds-resolution timestamps bound the duration in milliseconds.
    assert usage.billable == {}
    assert (updated - started).total_seconds() * 1000 - 1000 <= usage.run_duration_ms
    assert usage.run_duration_ms <= (updated - started).total_seconds() * 1000 + 1000

    def rerun():
        return gh.get_repo("acme/app").get_workflow_run(run_id).rerun()

    assert await asyncio.to_thread(rerun) is True
    [again] = await srv.wait_runs("acme/app", 1)
    assert (again["id"], again["run_attempt"]) == (run_id, 2)

    def bad_input():
        # PyGithub reports a refused dispatch as False (it checks for 204), without raising.
        return gh.get_repo("acme/app").get_workflow("manual.yml").create_dispatch("main", {"nope": "x"})

    assert await asyncio.to_thread(bad_input) is False
    assert len(await srv.runs("acme/app")) == 1


async def test_issues_and_comments(srv, gh):
    def work():
        repo = gh.get_repo("acme/app")
        issue = repo.create_issue("CVE-2023-32681 found", body="requests 2.30.0", labels=["security"])
        issue.create_comment("fixed in 2.31.0")
        issue.edit(state="closed")
        again = repo.get_issue(issue.number)
        return (issue.number, again.title, again.state, [label.name for label in again.labels],
                [c.body for c in again.get_comments()], [i.number for i in repo.get_issues(state="closed")],
                [i.number for i in repo.get_issues()])

    number, title, state, labels, comments, closed, open_ = await asyncio.to_thread(work)
    assert (number, title, state, labels, comments, closed, open_) == (
        1, "CVE-2023-32681 found", "closed", ["security"], ["fixed in 2.31.0"], [1], [])


async def test_a_scoped_token(srv, make_token):
    token = await make_token("acme/app", "read", login="reader")

    def work():
        gh = Github(base_url=srv.base_url, auth=Auth.Token(token), retry=None)
        try:
            login = gh.get_user().login
            repo = gh.get_repo("acme/app")
            dispatched = repo.create_repository_dispatch("ping", {})  # False: GitHub's 403
            try:
                repo.create_issue("no")
                status, message = None, None
            except GithubException as e:
                status, message = e.status, e.data["message"]
            try:
                gh.get_repo("acme/other")
                hidden = None
            except GithubException as e:
                hidden = e.status
            return login, dispatched, status, message, hidden
        finally:
            gh.close()

    assert await asyncio.to_thread(work) == (
        "reader", False, 403, "Resource not accessible by personal access token", 404)
    assert await srv.runs("acme/app") == []


async def test_repository_dispatch_with_a_dispatch_token(srv, make_token):
    token = await make_token("acme/app", "dispatch", login="scanner")

    def work():
        gh = Github(base_url=srv.base_url, auth=Auth.Token(token), retry=None)
        try:
            return gh.get_repo("acme/app").create_repository_dispatch("ping", {"n": "pygithub"})
        finally:
            gh.close()

    assert await asyncio.to_thread(work) is True
    [run] = await srv.wait_runs("acme/app", 1)
    assert (run["event"], run["conclusion"], run["actor"]["login"]) == ("repository_dispatch", "success", "scanner")
    [job] = await srv.jobs("acme/app", run["id"])
    assert "pong pygithub" in await srv.log("acme/app", job["id"])
