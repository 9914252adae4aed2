"""Two servers sharing one database (PostgreSQL's scale-out shape; one SQLite file works the same)
take racing creates of the same thing: exactly one wins, the others get GitHub's 422 (or 200 for
a repeated reaction), never a 500 or a second row."""

from __future__ import annotations

import asyncio
import subprocess
from collections import Counter
from typing import Any

import httpx
import pytest
from api_support import WORKFLOWS
from fixtures_server import free_database_url_or_none

N = 10


async def race(servers: list[Any], method: str, path: str, **kwargs: Any) -> list[httpx.Response]:
    """``N`` identical requests at once, alternating between the servers."""
    return list(await asyncio.gather(*(servers[i % len(servers)].http.request(method, path, **kwargs)
                                       for i in range(N))))


def statuses(responses: list[httpx.Response]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


def git(repo: Any, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


async def test_racing_creates_on_two_servers_make_one_row(start_server, make_git_repo, tmp_path):
    repo = make_git_repo(WORKFLOWS)
    await asyncio.to_thread(subprocess.run, ["git", "-C", str(repo), "branch", "dev", "main"], check=True)
    make_git_repo({"feature.txt": "f\n"})  # main moves on: main has a commit that dev lacks
    db_url = free_database_url_or_none() or f"sqlite:///{tmp_path / 'shared.db'}"
    servers = [await start_server([f"acme/app={repo}"], db_url=db_url) for _ in range(2)]
    one = servers[0].http

    rs = await race(servers, "POST", "/repos/acme/app/issues", json={"title": "same"})
    assert statuses(rs) == {201: N}, [r.text for r in rs if r.status_code != 201]
    assert sorted(r.json()["number"] for r in rs) == list(range(1, N + 1))

    rs = await race(servers, "POST", "/repos/acme/app/pulls", json={"title": "t", "head": "main", "base": "dev"})
    assert statuses(rs) == {201: 1, 422: N - 1}, [r.text for r in rs]
    assert {r.json()["errors"][0]["message"] for r in rs if r.status_code == 422} == {
        "A pull request already exists for acme:main."}
    assert [r.json()["number"] for r in rs if r.status_code == 201] == [N + 1]
    r = await one.get("/repos/acme/app/pulls", params={"state": "all"})
    assert len(r.json()) == 1

    rs = await race(servers, "POST", "/repos/acme/app/releases", json={"tag_name": "v1"})
    assert statuses(rs) == {201: 1, 422: N - 1}, [r.text for r in rs]
    assert {r.json()["errors"][0]["code"] for r in rs if r.status_code == 422} == {"already_exists"}

    drafts = []
    for _ in range(N):
        r = await one.post("/repos/acme/app/releases", json={"tag_name": "v2", "draft": True})
        assert r.status_code == 201, r.text
        drafts.append(r.json()["id"])
    rs = await asyncio.gather(*(servers[i % 2].http.patch(f"/repos/acme/app/releases/{rid}", json={"draft": False})
                                for i, rid in enumerate(drafts)))
    assert statuses(rs) == {200: 1, 422: N - 1}, [r.text for r in rs]
    r = await one.get("/repos/acme/app/releases", params={"per_page": 100})
    assert Counter(x["tag_name"] for x in r.json() if not x["draft"]) == {"v1": 1, "v2": 1}

    release = (await one.get("/repos/acme/app/releases/tags/v1")).json()
    rs = await race(servers, "POST", f"/repos/acme/app/releases/{release['id']}/assets", params={"name": "a.txt"},
                    content=b"bytes", headers={"Content-Type": "text/plain"})
    assert statuses(rs) == {201: 1, 422: N - 1}, [r.text for r in rs]
    r = await one.get(f"/repos/acme/app/releases/{release['id']}/assets")
    assert [x["name"] for x in r.json()] == ["a.txt"]

    r = await one.post("/repos/acme/app/issues/1/comments", json={"body": "hi"})
    comment = r.json()["id"]
    for path in ("/repos/acme/app/issues/2/reactions", f"/repos/acme/app/issues/comments/{comment}/reactions"):
        rs = await race(servers, "POST", path, json={"content": "rocket"})
        assert statuses(rs) == {201: 1, 200: N - 1}, [r.text for r in rs]
        assert len({r.json()["id"] for r in rs}) == 1
        assert len((await one.get(path)).json()) == 1


async def test_uploads_racing_a_release_delete_are_201_or_404(start_server, make_git_repo, tmp_path):
    repo = make_git_repo(WORKFLOWS)
    db_url = free_database_url_or_none() or f"sqlite:///{tmp_path / 'shared.db'}"
    servers = [await start_server([f"acme/app={repo}"], db_url=db_url) for _ in range(2)]
    one = servers[0].http
    for round_ in range(3):
        r = await one.post("/repos/acme/app/releases", json={"tag_name": f"v{round_}"})
        assert r.status_code == 201, r.text
        rid = r.json()["id"]
        uploads = [servers[i % 2].http.post(f"/repos/acme/app/releases/{rid}/assets", params={"name": f"a{i}.bin"},
                                            content=b"x" * 100_000) for i in range(N)]
        deleted, *rs = await asyncio.gather(servers[1].http.delete(f"/repos/acme/app/releases/{rid}"), *uploads)
        assert deleted.status_code == 204, deleted.text
        assert set(statuses(rs)) <= {201, 404}, [r.text for r in rs]
        for r in rs:
            if r.status_code == 201:  # uploaded before the delete, and gone with it
                assert (await one.get(f"/repos/acme/app/releases/assets/{r.json()['id']}")).status_code == 404
        assert (await one.get(f"/repos/acme/app/releases/{rid}/assets")).status_code == 404


@pytest.mark.parametrize("servers_count", [1, 2])
@pytest.mark.parametrize("method", ["merge", "squash"])
async def test_racing_merges_of_one_pull_request_merge_it_once(start_server, make_git_repo, tmp_path, method,
                                                                servers_count):
    repo = make_git_repo(WORKFLOWS)
    base = await asyncio.to_thread(git, repo, "rev-parse", "main")
    await asyncio.to_thread(git, repo, "branch", "dev", "main")
    make_git_repo({"feature.txt": "f\n"})
    head = await asyncio.to_thread(git, repo, "rev-parse", "main")
    db_url = free_database_url_or_none() or f"sqlite:///{tmp_path / 'shared.db'}"
    servers = [await start_server([f"acme/app={repo}"], db_url=db_url) for _ in range(servers_count)]
    r = await servers[0].http.post("/repos/acme/app/pulls", json={"title": "t", "head": "main", "base": "dev"})
    assert r.status_code == 201, r.text
    rs = await race(servers, "PUT", "/repos/acme/app/pulls/1/merge", json={"merge_method": method})
    counts = statuses(rs)
    assert counts[200] == 1, [r.text for r in rs]
    # One server refuses the others once the first is recorded; across servers a merge may also
    # lose the base branch's compare-and-swap (409, as GitHub answers a base that moved).
    assert counts[405] + (counts[409] if servers_count > 1 else 0) == N - 1, [r.text for r in rs]
    assert {r.json()["message"] for r in rs if r.status_code == 405} == {"Pull Request is not mergeable"}
    [merged] = [r.json()["sha"] for r in rs if r.status_code == 200]
    assert await asyncio.to_thread(git, repo, "rev-parse", "dev") == merged
    parents = (await asyncio.to_thread(git, repo, "rev-list", "--parents", "-n", "1", merged)).split()[1:]
    assert parents == ([base, head] if method == "merge" else [base])
