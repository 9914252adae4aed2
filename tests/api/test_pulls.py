"""Pull requests, check runs and commit statuses, through PyGithub and plain HTTP, against a
served repository with branches: GitHub's fields, filters and refusals."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest
from api_support import WORKFLOWS, auth
from fixtures_server import TOKEN
from github import Auth, Github, GithubException

CREATE_DOC = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "octo", "GIT_AUTHOR_EMAIL": "octo@example.com",
           "GIT_COMMITTER_NAME": "octo", "GIT_COMMITTER_EMAIL": "octo@example.com"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True,
                          text=True).stdout.strip()


def commit_on(repo: Path, branch: str, path: str, text: str, *, start: str = "main") -> str:
    """Commit ``path`` = ``text`` on ``branch`` (made from ``start`` when new) without touching the
    working tree's checkout; returns the new tip."""
    parent = git(repo, "rev-parse", f"refs/heads/{branch}") if git(repo, "branch", "--list", branch) \
        else git(repo, "rev-parse", f"refs/heads/{start}")
    blob = subprocess.run(["git", "-C", str(repo), "hash-object", "-w", "--stdin"], input=text, text=True,
                          capture_output=True, check=True).stdout.strip()
    index = repo / ".git" / f"index-{branch.replace('/', '-')}"
    env = {**os.environ, "GIT_INDEX_FILE": str(index)}
    subprocess.run(["git", "-C", str(repo), "read-tree", parent], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}"],
                   check=True, env=env)
    tree = subprocess.run(["git", "-C", str(repo), "write-tree"], check=True, env=env, capture_output=True,
                          text=True).stdout.strip()
    sha = git(repo, "commit-tree", tree, "-p", parent, "-m", f"{path} on {branch}")
    git(repo, "update-ref", f"refs/heads/{branch}", sha)
    return sha


@pytest.fixture
async def served(start_server, make_git_repo):
    """``(server, repository path)``: acme/app with ``feature`` (one commit that adds a file),
    ``release`` (main as it is) and ``clash`` (a README that conflicts with feature's)."""
    repo = make_git_repo({**WORKFLOWS, "README.md": "app\n"})
    commit_on(repo, "feature", "README.md", "app, with widgets\n")
    git(repo, "branch", "release", "main")
    commit_on(repo, "clash", "README.md", "app, without widgets\n")
    other = make_git_repo({"x": "y"}, path=repo.parent / "other")
    return await start_server([f"acme/app={repo}", f"acme/other={other}"]), repo


@pytest.fixture
def make_token_for():
    """``await make_token_for(srv, "acme/app", "read")`` → a new token of that server."""

    async def make(srv, repository: str, scope: str) -> str:
        r = await srv.http.post("/dispatchd/tokens", json={"repository": repository, "scope": scope})
        assert r.status_code == 201, r.text
        return str(r.json()["token"])

    return make


@pytest.fixture
def gh(served):
    client = Github(base_url=served[0].base_url, auth=Auth.Token(TOKEN), retry=None)
    yield client
    client.close()


async def test_pygithub_creates_gets_and_lists_pull_requests(served, gh):
    srv, repo = served
    main_sha, feature_sha = git(repo, "rev-parse", "main"), git(repo, "rev-parse", "feature")
    assert (await srv.http.post("/repos/acme/app/issues", json={"title": "widgets"})).status_code == 201

    def work():
        r = gh.get_repo("acme/app")
        pr = r.create_pull(base="main", head="feature", title="Add widgets", body="Closes #1.")
        got = r.get_pull(pr.number)
        listed = [p.number for p in r.get_pulls(state="open", head="acme:feature", base="main")]
        elsewhere = [p.number for p in r.get_pulls(head="acme:release")]
        issue = r.get_issue(pr.number)
        return pr, got, listed, elsewhere, issue.pull_request is not None, [i.number for i in r.get_issues()]

    pr, got, listed, elsewhere, is_pull, issues = await asyncio.to_thread(work)
    # A pull request takes the next issue number and is an issue too.
    assert (pr.number, pr.title, pr.body, pr.state, pr.draft) == (2, "Add widgets", "Closes #1.", "open", False)
    assert (pr.head.ref, pr.head.sha, pr.head.label, pr.head.repo.full_name) == (
        "feature", feature_sha, "acme:feature", "acme/app")
    assert (pr.base.ref, pr.base.sha, pr.base.label) == ("main", main_sha, "acme:main")
    assert (got.mergeable, got.mergeable_state, got.merged, got.commits, got.additions, got.deletions,
            got.changed_files) == (True, "clean", False, 1, 1, 1, 1)
    assert pr.html_url == f"{srv.base_url}/acme/app/pull/2" and pr.user.login == "dispatchd-admin"
    assert (listed, elsewhere, is_pull, issues) == ([2], [], True, [2, 1])
    issue = (await srv.http.get("/repos/acme/app/issues/2")).json()
    assert issue["pull_request"]["url"] == f"{srv.base_url}/repos/acme/app/pulls/2"
    assert issue["html_url"] == f"{srv.base_url}/acme/app/pull/2" and issue["pull_request"]["merged_at"] is None
    assert "pull_request" not in (await srv.http.get("/repos/acme/app/issues/1")).json()
    # A plain issue is not a pull request.
    assert (await srv.http.get("/repos/acme/app/pulls/1")).status_code == 404


async def test_list_filters(served):
    srv, repo = served
    commit_on(repo, "docs", "docs.md", "docs\n")
    for head, base in (("feature", "main"), ("docs", "main"), ("feature", "release")):
        r = await srv.http.post("/repos/acme/app/pulls", json={"title": f"{head} into {base}", "head": head,
                                                               "base": base})
        assert r.status_code == 201, r.text
    await srv.http.patch("/repos/acme/app/pulls/2", json={"state": "closed"})

    async def numbers(**params: str) -> list[int]:
        r = await srv.http.get("/repos/acme/app/pulls", params=params)
        assert r.status_code == 200, r.text
        return [p["number"] for p in r.json()]

    assert await numbers() == [3, 1]
    assert await numbers(state="all") == [3, 2, 1]
    assert await numbers(state="closed") == [2]
    assert await numbers(head="acme:feature") == [3, 1]
    assert await numbers(head="ACME:feature", base="release") == [3]
    # GitHub ignores a head without its owner, and another owner's branch is not here.
    assert await numbers(head="feature", base="main") == [1]
    assert await numbers(head="someone:feature") == []
    assert await numbers(sort="created", direction="asc") == [1, 3]
    assert await numbers(sort="popularity") == [1, 3]  # asc by default, as GitHub's other sorts
    # Opened under a month ago: none is long-running yet.
    assert await numbers(sort="long-running") == []
    r = await srv.http.get("/repos/acme/app/pulls", params={"state": "all", "per_page": 1, "page": 2})
    assert [p["number"] for p in r.json()] == [2] and 'rel="next"' in r.headers["link"]
    r = await srv.http.get("/repos/acme/app/pulls", params={"sort": "comments"})
    assert r.status_code == 422 and r.json()["message"] == "Validation Failed"


async def test_refusals_are_githubs(served, make_token_for):
    srv, _ = served

    async def create(body: object) -> tuple[int, dict]:
        r = await srv.http.post("/repos/acme/app/pulls", json=body)
        return r.status_code, r.json()

    status, body = await create({"title": "t", "head": "nope", "base": "main"})
    assert (status, body["message"], body["errors"]) == (
        422, "Validation Failed", [{"resource": "PullRequest", "field": "head", "code": "invalid"}])
    assert body["documentation_url"] == CREATE_DOC
    status, body = await create({"title": "t", "head": "feature", "base": "nope"})
    assert (status, body["errors"]) == (422, [{"resource": "PullRequest", "field": "base", "code": "invalid"}])
    status, body = await create({"title": "t", "head": "someone:feature", "base": "main"})
    assert (status, body["errors"][0]["field"]) == (422, "head")
    status, body = await create({"title": "t", "head": "release", "base": "main"})
    assert (status, body["errors"]) == (
        422, [{"resource": "PullRequest", "code": "custom", "message": "No commits between main and release"}])
    status, body = await create({"title": "t", "head": "main", "base": "main"})
    assert body["errors"][0]["message"] == "No commits between main and main"
    status, body = await create({"title": "t", "base": "main"})
    assert (status, body["message"]) == (422, 'Invalid request.\n\n"head" wasn\'t supplied.')
    status, body = await create({"head": "feature", "base": "main"})
    assert (status, body["errors"]) == (422, [{"resource": "PullRequest", "field": "title", "code": "missing_field"}])
    status, body = await create({"title": ["t"], "head": "feature", "base": "main"})
    assert (status, body["message"]) == (422, "Invalid request.\n\nFor 'properties/title', [\"t\"] is not a string.")
    status, body = await create({"title": "t", "head": "feature", "base": "main", "draft": "yes"})
    assert status == 422 and "is not a boolean" in body["message"]
    r = await srv.http.post("/repos/acme/app/pulls", content=b"{not json")
    assert (r.status_code, r.json()["message"]) == (400, "Problems parsing JSON")

    assert (await create({"title": "t", "head": "acme:feature", "base": "main"}))[0] == 201
    status, body = await create({"title": "again", "head": "feature", "base": "main"})
    assert (status, body["errors"]) == (
        422, [{"resource": "PullRequest", "code": "custom", "message": "A pull request already exists for acme:feature."}])
    # The same head into another base is another pull request.
    assert (await create({"title": "t", "head": "feature", "base": "release"}))[0] == 201

    reader = await make_token_for(srv, "acme/app", "read")
    r = await srv.http.post("/repos/acme/app/pulls", json={"title": "t", "head": "clash", "base": "main"},
                            headers=auth(reader))
    assert (r.status_code, r.json()["message"]) == (403, "Resource not accessible by personal access token")
    stranger = await make_token_for(srv, "acme/other", "write")
    assert (await srv.http.get("/repos/acme/app/pulls/1", headers=auth(stranger))).status_code == 404
    assert (await srv.http.get("/repos/acme/app/pulls/99")).status_code == 404


async def test_update_close_reopen_and_moving_branches(served):
    srv, repo = served
    r = await srv.http.post("/repos/acme/app/pulls", json={"title": "t", "head": "feature", "base": "main", "draft": True})
    assert r.status_code == 201 and r.json()["draft"] is True
    # A push to the head shows at once.
    tip = commit_on(repo, "feature", "more.txt", "more\n")
    pull = (await srv.http.get("/repos/acme/app/pulls/1")).json()
    assert (pull["head"]["sha"], pull["commits"], pull["changed_files"]) == (tip, 2, 2)

    r = await srv.http.patch("/repos/acme/app/pulls/1", json={"title": "Widgets", "body": "b", "base": "release"})
    pull = r.json()
    assert (r.status_code, pull["title"], pull["body"], pull["base"]["ref"]) == (200, "Widgets", "b", "release")
    r = await srv.http.patch("/repos/acme/app/pulls/1", json={"base": "nope"})
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "base")

    closed = (await srv.http.patch("/repos/acme/app/pulls/1", json={"state": "closed"})).json()
    assert (closed["state"], closed["merged"], closed["mergeable"]) == ("closed", False, None)
    assert closed["closed_at"] is not None
    issue = (await srv.http.get("/repos/acme/app/issues/1")).json()
    assert (issue["state"], issue["title"]) == ("closed", "Widgets")
    # A closed pull request keeps the tip it was closed with.
    commit_on(repo, "feature", "later.txt", "later\n")
    assert (await srv.http.get("/repos/acme/app/pulls/1")).json()["head"]["sha"] == tip

    # Another open pull request for the same branches blocks reopening.
    assert (await srv.http.post("/repos/acme/app/pulls", json={"title": "t2", "head": "feature",
                                                               "base": "release"})).status_code == 201
    r = await srv.http.patch("/repos/acme/app/pulls/1", json={"state": "open"})
    assert (r.status_code, r.json()["errors"][0]["message"]) == (422, "A pull request already exists for acme:feature.")
    await srv.http.patch("/repos/acme/app/pulls/2", json={"state": "closed"})
    reopened = (await srv.http.patch("/repos/acme/app/pulls/1", json={"state": "open"})).json()
    assert (reopened["state"], reopened["closed_at"], reopened["head"]["sha"]) == (
        "open", None, git(repo, "rev-parse", "feature"))
    # Closing through the issue closes the pull request.
    await srv.http.patch("/repos/acme/app/issues/1", json={"state": "closed"})
    assert (await srv.http.get("/repos/acme/app/pulls/1")).json()["state"] == "closed"


async def test_merge_and_squash(served):
    srv, repo = served
    main_before = git(repo, "rev-parse", "main")
    for head, base in (("feature", "release"), ("feature", "main"), ("clash", "release")):
        assert (await srv.http.post("/repos/acme/app/pulls", json={"title": f"{head}", "head": head,
                                                                   "base": base})).status_code == 201
    # main is the branch the served repository has checked out: git would not update it either.
    r = await srv.http.put("/repos/acme/app/pulls/2/merge")
    assert r.status_code == 405 and "checked out" in r.json()["message"]
    assert git(repo, "rev-parse", "main") == main_before
    r = await srv.http.put("/repos/acme/app/pulls/1/merge", json={"sha": main_before})
    assert (r.status_code, r.json()["message"]) == (409, "Head branch was modified. Review and try the merge again.")
    r = await srv.http.put("/repos/acme/app/pulls/1/merge", json={"merge_method": "rebase"})
    assert r.status_code == 405

    feature, release = git(repo, "rev-parse", "feature"), git(repo, "rev-parse", "release")
    assert (await srv.http.get("/repos/acme/app/pulls/1/merge")).status_code == 404
    r = await srv.http.put("/repos/acme/app/pulls/1/merge", json={"sha": feature})
    assert r.status_code == 200, r.text
    merged = r.json()
    assert (merged["merged"], merged["message"]) == (True, "Pull Request successfully merged")
    assert git(repo, "rev-parse", "release") == merged["sha"]
    assert git(repo, "log", "-1", "--format=%P", merged["sha"]).split() == [release, feature]
    assert git(repo, "log", "-1", "--format=%s", merged["sha"]) == "Merge pull request #1 from acme/feature"
    assert git(repo, "show", f"{merged['sha']}:README.md") == "app, with widgets"
    pull = (await srv.http.get("/repos/acme/app/pulls/1")).json()
    assert (pull["state"], pull["merged"], pull["merge_commit_sha"], pull["merged_by"]["login"]) == (
        "closed", True, merged["sha"], "dispatchd-admin")
    assert (await srv.http.get("/repos/acme/app/pulls/1/merge")).status_code == 204
    assert (await srv.http.get("/repos/acme/app/issues/1")).json()["pull_request"]["merged_at"] == pull["merged_at"]
    assert (await srv.http.put("/repos/acme/app/pulls/1/merge")).status_code == 405
    r = await srv.http.patch("/repos/acme/app/pulls/1", json={"state": "open"})
    assert r.status_code == 422

    # clash now conflicts with release (which has feature's README): not mergeable.
    assert (await srv.http.get("/repos/acme/app/pulls/3")).json()["mergeable"] is False
    r = await srv.http.put("/repos/acme/app/pulls/3/merge", json={"merge_method": "squash"})
    assert (r.status_code, r.json()["message"]) == (405, "Pull Request is not mergeable")


CHECKED = """\
name: checked
on:
  repository_dispatch:
    types: [check]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo built
  test:
    runs-on: ubuntu-latest
    steps:
      - run: exit 1
"""


async def test_jobs_are_the_check_runs_of_their_commit(start_server, make_git_repo, make_token_for):
    repo = make_git_repo({".github/workflows/checked.yml": CHECKED})
    commit_on(repo, "feature", "x.txt", "x\n")
    srv = await start_server([f"acme/app={repo}"])
    head = git(repo, "rev-parse", "main")
    r = await srv.http.get(f"/repos/acme/app/commits/{head}/check-runs")
    assert r.json() == {"total_count": 0, "check_runs": []}
    assert (await srv.dispatch("acme/app", "check")).status_code == 204
    [run] = await srv.wait_runs("acme/app", 1)
    jobs = {j["name"]: j for j in await srv.jobs("acme/app", run["id"])}

    for ref in ("main", head, head[:7]):
        r = await srv.http.get(f"/repos/acme/app/commits/{ref}/check-runs")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total_count"] == 2
        build, test = body["check_runs"]
        assert (build["id"], build["name"], build["status"], build["conclusion"], build["head_sha"]) == (
            jobs["build"]["id"], "build", "completed", "success", head)
        assert (test["name"], test["conclusion"]) == ("test", "failure")
        assert build["html_url"] == jobs["build"]["html_url"] and build["app"]["slug"] == "github-actions"
        assert (build["started_at"], build["completed_at"]) == (jobs["build"]["started_at"],
                                                                jobs["build"]["completed_at"])
    r = await srv.http.get("/repos/acme/app/commits/main/check-runs", params={"check_name": "test"})
    assert [c["name"] for c in r.json()["check_runs"]] == ["test"]
    feature = await srv.http.get("/repos/acme/app/commits/feature/check-runs")
    assert feature.json() == {"total_count": 0, "check_runs": []}
    r = await srv.http.get("/repos/acme/app/commits/0123456789abcdef0123456789abcdef01234567/check-runs")
    assert (r.status_code, r.json()["message"]) == (
        422, "No commit found for SHA: 0123456789abcdef0123456789abcdef01234567")

    # A re-run is a new attempt: latest shows its jobs, all shows both attempts'.
    assert (await srv.http.post(f"/repos/acme/app/actions/runs/{run['id']}/rerun")).status_code == 201
    await srv.wait_runs("acme/app", 1)
    latest = (await srv.http.get("/repos/acme/app/commits/main/check-runs")).json()
    every = (await srv.http.get("/repos/acme/app/commits/main/check-runs", params={"filter": "all"})).json()
    assert (latest["total_count"], every["total_count"]) == (2, 4)
    assert {c["id"] for c in latest["check_runs"]} == {
        j["id"] for j in await srv.jobs("acme/app", run["id"])}

    # Updating a check run: GitHub Apps (a job's token, the admin here) may; a personal token may not.
    test_id = latest["check_runs"][1]["id"]
    writer = await make_token_for(srv, "acme/app", "write")
    r = await srv.http.patch(f"/repos/acme/app/check-runs/{test_id}", json={"conclusion": "success"},
                             headers=auth(writer))
    assert (r.status_code, r.json()["message"]) == (403, "Resource not accessible by personal access token")
    r = await srv.http.patch(f"/repos/acme/app/check-runs/{test_id}", json={"status": "completed"})
    assert (r.status_code, r.json()["errors"]) == (
        422, [{"resource": "CheckRun", "field": "conclusion", "code": "missing_field"}])
    r = await srv.http.patch(f"/repos/acme/app/check-runs/{test_id}", json={"conclusion": "stale"})
    assert r.status_code == 422
    r = await srv.http.patch(f"/repos/acme/app/check-runs/{test_id}", json={
        "conclusion": "neutral", "output": {"title": "flaky", "summary": "retried by hand"}})
    assert r.status_code == 200, r.text
    updated = r.json()
    assert (updated["status"], updated["conclusion"], updated["output"]["title"]) == ("completed", "neutral", "flaky")
    assert (await srv.http.get(f"/repos/acme/app/check-runs/{test_id}")).json() == updated
    listed = (await srv.http.get("/repos/acme/app/commits/main/check-runs", params={"status": "completed"})).json()
    assert [c["conclusion"] for c in listed["check_runs"]] == ["success", "neutral"]
    assert (await srv.http.get("/repos/acme/app/check-runs/999999")).status_code == 404
    # Deleting the run deletes its check runs, updated or not.
    assert (await srv.http.delete(f"/repos/acme/app/actions/runs/{run['id']}")).status_code == 204
    assert (await srv.http.get(f"/repos/acme/app/check-runs/{test_id}")).status_code == 404


async def test_commit_statuses(served):
    srv, repo = served
    head = git(repo, "rev-parse", "main")
    combined = (await srv.http.get("/repos/acme/app/commits/main/status")).json()
    assert (combined["state"], combined["total_count"], combined["statuses"], combined["sha"]) == ("pending", 0, [], head)

    r = await srv.http.post(f"/repos/acme/app/statuses/{head}", json={
        "state": "pending", "context": "ci/build", "description": "building", "target_url": "https://ci.example/1"})
    assert r.status_code == 201, r.text
    first = r.json()
    assert (first["state"], first["context"], first["description"], first["creator"]["login"]) == (
        "pending", "ci/build", "building", "dispatchd-admin")
    assert r.headers["location"] == f"{srv.base_url}/repos/acme/app/statuses/{head}"
    for state, context in (("success", "ci/build"), ("success", None)):
        body = {"state": state, **({"context": context} if context else {})}
        assert (await srv.http.post(f"/repos/acme/app/statuses/{head[:10]}", json=body)).status_code == 201
    combined = (await srv.http.get(f"/repos/acme/app/commits/{head}/status")).json()
    assert (combined["state"], combined["total_count"]) == ("success", 2)
    assert [(s["context"], s["state"]) for s in combined["statuses"]] == [("default", "success"), ("ci/build", "success")]
    assert len((await srv.http.get("/repos/acme/app/commits/main/statuses")).json()) == 3
    await srv.http.post(f"/repos/acme/app/statuses/{head}", json={"state": "error", "context": "lint"})
    assert (await srv.http.get("/repos/acme/app/commits/main/status")).json()["state"] == "failure"

    missing = "3f4e5d6c7b8a99887766554433221100aabbccdd"
    r = await srv.http.post(f"/repos/acme/app/statuses/{missing}", json={"state": "success"})
    assert (r.status_code, r.json()["message"]) == (422, f"No commit found for SHA: {missing}")
    r = await srv.http.post(f"/repos/acme/app/statuses/{head}", json={"state": "done"})
    assert r.status_code == 422 and "is not one of error, failure, pending, success" in r.json()["message"]
    r = await srv.http.post(f"/repos/acme/app/statuses/{head}", json={"state": "success", "description": "x" * 141})
    assert (r.status_code, r.json()["errors"][0]["message"]) == (
        422, "description is too long (maximum is 140 characters)")
    # The PR's statuses_url names its head.
    pr = (await srv.http.post("/repos/acme/app/pulls", json={"title": "t", "head": "feature", "base": "main"})).json()
    assert pr["statuses_url"] == f"{srv.base_url}/repos/acme/app/statuses/{git(repo, 'rev-parse', 'feature')}"


async def test_pygithub_check_runs_and_statuses(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/checked.yml": CHECKED})
    srv = await start_server([f"acme/app={repo}"])
    head = git(repo, "rev-parse", "main")
    assert (await srv.dispatch("acme/app", "check")).status_code == 204
    await srv.wait_runs("acme/app", 1)

    def work():
        # lazy: the commit is not read first, so the status POST meets an unknown sha itself
        # (test_commits.py covers the default, which reads GET /commits/{sha}).
        gh = Github(base_url=srv.base_url, auth=Auth.Token(TOKEN), retry=None, lazy=True)
        try:
            commit = gh.get_repo("acme/app").get_commit(head)
            runs = [(c.name, c.status, c.conclusion) for c in commit.get_check_runs()]
            failing = [c.name for c in commit.get_check_runs(check_name="test")]
            status = commit.create_status("success", context="ci/pygithub", description="ok")
            combined = commit.get_combined_status()
            missing = gh.get_repo("acme/app").get_commit("0" * 40)
            try:
                missing.create_status("success")
                refused = None
            except GithubException as e:
                refused = (e.status, e.data["message"])
            return runs, failing, status.state, combined.state, [s.context for s in combined.statuses], refused
        finally:
            gh.close()

    runs, failing, state, combined, contexts, refused = await asyncio.to_thread(work)
    assert runs == [("build", "completed", "success"), ("test", "completed", "failure")]
    assert (failing, state, combined, contexts) == (["test"], "success", "success", ["ci/pygithub"])
    assert refused == (422, f"No commit found for SHA: {'0' * 40}")
