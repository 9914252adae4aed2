"""Hostile branch, tag and commitish names against pull requests, releases, check runs and
statuses: each is GitHub's 4xx, none reaches the file system or git as something else, and the
served repository's refs change only as the API promises."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from api_support import WORKFLOWS

from dispatchd.repos import valid_branch_name

HOSTILE = ["../../../../outside", "../../HEAD", "../config", "--upload-pack=touch x", "-x", "a..b", "main~0",
           "main^", "main@{0}", "a:b", "a b", "a\\b", "a?", "a*", "a[", ".hidden", "a/.b", "a.lock", "x.lock/y",
           "/main", "main/", "a//b", "main.", "HEAD", "@", "x" * 300]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def refs(repo: Path) -> str:
    return git(repo, "for-each-ref", "--format=%(refname) %(objectname)")


@pytest.fixture
async def served(start_server, make_git_repo):
    """``(server, repository)``: acme/app with branch ``feature`` one commit ahead of ``main``, and
    a file beside the repository that no request may read."""
    repo = make_git_repo(WORKFLOWS)
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "f.txt").write_text("f\n")
    git(repo, "add", "f.txt")
    git(repo, "-c", "user.name=octo", "-c", "user.email=octo@example.com", "commit", "-q", "-m", "f")
    git(repo, "checkout", "-q", "main")
    git(repo, "branch", "dev", "main")
    (repo.parent / "outside").write_text("0123456789abcdef0123456789abcdef01234567\n")
    return await start_server([f"acme/app={repo}"]), repo


def test_branch_names_follow_git_check_ref_format(tmp_path):
    names = HOSTILE + ["main", "feature/x", "release-1.0", "é/ü", "a@b", "v1", "a.b/c_d", "a\x7f", "a\tb", "a\nb"]
    for name in names:
        git_says = subprocess.run(["git", "check-ref-format", "--branch", name], capture_output=True, check=False,
                                  cwd=tmp_path).returncode == 0
        # git's --branch expands "@" to the current branch; as a name of its own it is refused.
        expected = git_says and name != "@" and len(name) <= 255
        assert valid_branch_name(name) is expected, name


async def test_hostile_branch_names_are_422_and_read_nothing(served):
    srv, repo = served
    before = refs(repo)
    r = await srv.http.post("/repos/acme/app/pulls", json={"title": "ok", "head": "feature", "base": "dev"})
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    for name in HOSTILE:
        for body in ({"title": "t", "head": name, "base": "main"}, {"title": "t", "head": "feature", "base": name}):
            r = await srv.http.post("/repos/acme/app/pulls", json=body)
            assert r.status_code == 422, (name, r.text)
            field = "head" if body["head"] == name else "base"
            assert r.json()["errors"][0]["field"] == field, name
        # A ref file outside refs/heads (here: a file holding a sha) must never become a base.
        r = await srv.http.patch(f"/repos/acme/app/pulls/{number}", json={"base": name})
        assert r.status_code == 422, (name, r.text)
        r = await srv.http.get(f"/repos/acme/app/pulls/{number}")
        assert r.status_code == 200 and r.json()["base"]["ref"] == "dev", name
        assert r.json()["base"]["sha"] == git(repo, "rev-parse", "dev")
        r = await srv.http.get("/repos/acme/app/pulls", params={"head": f"acme:{name}", "base": name})
        assert r.status_code == 200 and r.json() == [], name
    r = await srv.http.put(f"/repos/acme/app/pulls/{number}/merge")
    assert r.status_code == 200, r.text
    after = refs(repo).splitlines()
    assert [x for x in after if not x.startswith("refs/heads/dev ")] == \
        [x for x in before.splitlines() if not x.startswith("refs/heads/dev ")]


async def test_a_release_target_is_a_branch_or_a_full_sha_and_nothing_else(served):
    srv, repo = served
    before = refs(repo)
    for name in HOSTILE:
        r = await srv.http.post("/repos/acme/app/releases", json={"tag_name": "v1", "target_commitish": name})
        assert r.status_code == 422, (name, r.text)
        assert r.json()["errors"] == [{"resource": "Release", "code": "invalid", "field": "target_commitish"}], name
        if name not in ("HEAD", "@"):  # git (and GitHub) allow these as tag names
            r = await srv.http.post("/repos/acme/app/releases", json={"tag_name": name})
            assert r.status_code == 422, (name, r.text)
        r = await srv.http.get(f"/repos/acme/app/releases/tags/{quote(name, safe='')}")
        assert r.status_code == 404, (name, r.text)
        for path in (f"commits/{quote(name, safe='')}/check-runs", f"commits/{quote(name, safe='')}/status"):
            r = await srv.http.get(f"/repos/acme/app/{path}")
            # git resolves some of these (HEAD, main~0) as the commits API does; none is a 5xx.
            assert r.status_code in (200, 404, 422), (name, r.text)
    assert refs(repo) == before
    r = await srv.http.post("/repos/acme/app/releases", json={"tag_name": "v1", "target_commitish": "refs/heads/feature"})
    assert r.status_code == 201, r.text
    assert git(repo, "rev-parse", "refs/tags/v1") == git(repo, "rev-parse", "feature")


async def test_paging_links_of_a_unicode_ref_are_followable(served):
    srv, repo = served
    tag = "é-\u202e"  # a right-to-left override: git takes it, and so does GitHub
    git(repo, "tag", tag, "main")
    for i in range(3):
        r = await srv.http.post("/repos/acme/app/statuses/main", json={"state": "success", "context": f"c{i}"})
        assert r.status_code == 201, r.text
    for what in ("statuses", "status", "check-runs"):
        r = await srv.http.get(f"/repos/acme/app/commits/{quote(tag)}/{what}", params={"per_page": 1})
        assert r.status_code == 200, r.text
        if what == "check-runs":
            assert "link" not in r.headers  # no job ran on this commit
            continue
        link = r.headers["link"]
        assert link.isascii() and f"/commits/{quote(tag)}/{what}?per_page=1&page=2" in link, link
        following = link.split(">", 1)[0].lstrip("<")
        r = await srv.http.get(following)
        assert r.status_code == 200, r.text
        page = r.json() if what == "statuses" else r.json()["statuses"]
        assert [x["context"] for x in page] == ["c1"]
