"""GET /repos/{owner}/{repo}/commits/{ref}: GitHub's commit object, and PyGithub's default
(non-lazy) ``get_commit`` reaching a commit's check runs and statuses through it."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

from api_support import WORKFLOWS
from fixtures_server import TOKEN
from github import Auth, Github, GithubException

ENV = {**os.environ, "GIT_AUTHOR_NAME": "Octo Cat", "GIT_AUTHOR_EMAIL": "octo@example.com",
       "GIT_AUTHOR_DATE": "2024-05-01T12:00:00+02:00", "GIT_COMMITTER_NAME": "Mona",
       "GIT_COMMITTER_EMAIL": "mona@example.com", "GIT_COMMITTER_DATE": "2024-05-02T08:30:00-01:00"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=ENV).stdout.strip()


async def test_a_commit_as_github_shows_it(start_server, make_git_repo):
    repo = make_git_repo({**WORKFLOWS, "old.txt": "a\nb\nc\nd\ne\nf\n", "gone.txt": "x\ny\n"})
    root = git(repo, "rev-list", "--max-parents=0", "HEAD")
    parent = git(repo, "rev-parse", "HEAD")
    git(repo, "mv", "old.txt", "new.txt")
    (repo / "new.txt").write_text("a\nb\nc\nd\ne\nF\n")
    git(repo, "rm", "-q", "gone.txt")
    (repo / "added.bin").write_bytes(b"\x00\x01\x02")
    (repo / "sub dir").mkdir()
    (repo / "sub dir" / "é.txt").write_text("1\n2\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Rename and add\n\nThe body.")
    sha = git(repo, "rev-parse", "HEAD")
    git(repo, "tag", "v1")
    srv = await start_server([f"acme/app={repo}"])
    base = f"{srv.base_url}/repos/acme/app"

    for ref in (sha, sha[:7], "main", "v1", "refs/heads/main"):
        r = await srv.http.get(f"/repos/acme/app/commits/{ref}")
        assert r.status_code == 200, (ref, r.text)
        assert r.json()["sha"] == sha
    c = r.json()
    assert c["url"] == f"{base}/commits/{sha}" and c["html_url"] == f"{srv.base_url}/acme/app/commit/{sha}"
    assert c["commit"]["message"] == "Rename and add\n\nThe body."
    assert c["commit"]["author"] == {"name": "Octo Cat", "email": "octo@example.com", "date": "2024-05-01T10:00:00Z"}
    assert c["commit"]["committer"] == {"name": "Mona", "email": "mona@example.com", "date": "2024-05-02T09:30:00Z"}
    assert c["commit"]["tree"]["sha"] == git(repo, "rev-parse", "HEAD^{tree}")
    assert c["parents"] == [{"url": f"{base}/commits/{parent}", "html_url": f"{srv.base_url}/acme/app/commit/{parent}",
                             "sha": parent}]
    files = {f["filename"]: f for f in c["files"]}
    assert {k: (f["status"], f["additions"], f["deletions"], f["changes"]) for k, f in files.items()} == {
        "new.txt": ("renamed", 1, 1, 2), "gone.txt": ("removed", 0, 2, 2), "added.bin": ("added", 0, 0, 0),
        "sub dir/é.txt": ("added", 2, 0, 2)}
    assert files["new.txt"]["previous_filename"] == "old.txt"
    assert files["new.txt"]["sha"] == git(repo, "rev-parse", "HEAD:new.txt")
    assert files["gone.txt"]["sha"] == git(repo, "rev-parse", "HEAD~1:gone.txt")
    assert c["stats"] == {"total": 6, "additions": 3, "deletions": 3}

    r = await srv.http.get(f"/repos/acme/app/commits/{root}")
    assert r.status_code == 200 and r.json()["parents"] == []
    assert {f["status"] for f in r.json()["files"]} == {"added"}

    for ref in ("0" * 40, "nope", "main~1..main", "--output=x"):
        r = await srv.http.get(f"/repos/acme/app/commits/{ref}")
        assert r.status_code == 422, (ref, r.text)
        assert r.json()["message"] == f"No commit found for SHA: {ref}"


async def test_pygithub_reads_a_commit_then_its_checks_and_statuses(start_server, make_git_repo):
    repo = make_git_repo(WORKFLOWS)
    srv = await start_server([f"acme/app={repo}"])
    assert (await srv.dispatch("acme/app", "ping", {"n": 1})).status_code == 204
    await srv.wait_runs("acme/app", 1)
    head = git(repo, "rev-parse", "HEAD")

    def calls() -> tuple[list[str], str, str, int]:
        gh = Github(base_url=srv.base_url, auth=Auth.Token(TOKEN), retry=None)  # not lazy: reads the commit
        try:
            commit = gh.get_repo("acme/app").get_commit("main")
            names = [c.name for c in commit.get_check_runs()]
            commit.create_status("failure", context="ci/test", description="red")
            state = commit.get_combined_status().state
            try:
                gh.get_repo("acme/app").get_commit("0" * 40)
                missing = 0
            except GithubException as e:
                missing = e.status
            return names, commit.sha, state, missing
        finally:
            gh.close()

    names, sha, state, missing = await asyncio.to_thread(calls)
    assert names == ["one"] and sha == head and state == "failure" and missing == 422
