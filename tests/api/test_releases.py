"""Releases and release assets over real HTTP: GitHub's shapes, validation and the tags a published
release creates in the served git repository; then the same through PyGithub."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
from pathlib import Path
from typing import Any

import pytest
from api_support import auth
from fixtures_server import TOKEN
from github import Auth, Github, GithubException

DOCS = "https://docs.github.com/rest/releases/releases"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], check=False, capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def served(srv: Any) -> Path:
    return next(r.path for r in srv.server.config.repos if r.full_name == "acme/app")


def failed(r: Any, status: int, errors: list[dict[str, Any]], doc: str = f"{DOCS}#create-a-release") -> None:
    assert r.status_code == status, r.text
    assert r.json() == {"message": "Validation Failed", "documentation_url": doc, "status": str(status),
                        "errors": errors}


async def create(srv: Any, **body: Any) -> dict[str, Any]:
    r = await srv.http.post("/repos/acme/app/releases", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_a_published_release_has_githubs_shape_and_creates_its_tag(srv):
    repo = served(srv)
    head = git(repo, "rev-parse", "HEAD")
    r = await srv.http.post("/repos/acme/app/releases", json={"tag_name": "v1.0.0", "name": "One", "body": "notes"})
    assert r.status_code == 201, r.text
    release = r.json()
    rid = release["id"]
    api = f"{srv.base_url}/repos/acme/app/releases/{rid}"
    assert r.headers["location"] == api
    assert {k: v for k, v in release.items() if k not in ("created_at", "updated_at", "published_at", "author")} == {
        "url": api, "assets_url": f"{api}/assets", "upload_url": f"{api}/assets{{?name,label}}",
        "html_url": f"{srv.base_url}/acme/app/releases/tag/v1.0.0", "id": rid, "node_id": f"RE_{rid}",
        "tag_name": "v1.0.0", "target_commitish": "main", "name": "One", "body": "notes", "draft": False,
        "immutable": False, "prerelease": False, "assets": [],
        "tarball_url": f"{srv.base_url}/repos/acme/app/tarball/v1.0.0",
        "zipball_url": f"{srv.base_url}/repos/acme/app/zipball/v1.0.0",
    }
    assert release["author"]["login"] == "dispatchd-admin"
    assert release["published_at"] is not None and release["created_at"].endswith("Z")
    # GitHub creates the missing tag at target_commitish (the default branch here).
    assert git(repo, "rev-parse", "refs/tags/v1.0.0") == head
    for path in (f"/repos/acme/app/releases/{rid}", "/repos/acme/app/releases/tags/v1.0.0",
                 "/repos/acme/app/releases/latest"):
        got = await srv.http.get(path)
        assert got.status_code == 200 and got.json() == release, path
    assert [x["id"] for x in (await srv.http.get("/repos/acme/app/releases")).json()] == [rid]
    # A second published release of the tag.
    failed(await srv.http.post("/repos/acme/app/releases", json={"tag_name": "v1.0.0"}), 422,
           [{"resource": "Release", "code": "already_exists", "field": "tag_name"}])


async def test_what_github_refuses(srv):
    repo = served(srv)
    head = git(repo, "rev-parse", "HEAD")
    git(repo, "tag", "old", head)
    post = srv.http.post
    failed(await post("/repos/acme/app/releases", json={"name": "no tag"}), 422,
           [{"resource": "Release", "code": "missing_field", "field": "tag_name"}])
    failed(await post("/repos/acme/app/releases", json={"tag_name": "bad..tag"}), 422,
           [{"resource": "Release", "code": "custom", "field": "tag_name", "message": "tag_name is not a valid tag"}])
    # target_commitish is a branch or a full sha of a commit the repository has: not a tag, not a
    # short sha, not an unknown commit.
    for target in ("old", head[:7], "0123456789abcdef0123456789abcdef01234567", "nope", ""):
        failed(await post("/repos/acme/app/releases", json={"tag_name": "v9", "target_commitish": target}), 422,
               [{"resource": "Release", "code": "invalid", "field": "target_commitish"}])
    assert git(repo, "tag", "--list") == "old"
    r = await post("/repos/acme/app/releases", json={"tag_name": "v9", "draft": "yes"})
    assert r.status_code == 422
    assert r.json()["message"] == "Invalid request.\n\nFor 'properties/draft', \"yes\" is not a boolean."
    r = await post("/repos/acme/app/releases", json={"tag_name": "v9", "make_latest": True})
    assert r.status_code == 422 and "make_latest" in r.json()["message"]
    r = await post("/repos/acme/app/releases", json={"tag_name": "v9", "body": "x" * 125_001})
    failed(r, 422, [{"resource": "Release", "code": "custom", "field": "body",
                     "message": "body is too long (maximum is 125000 characters)"}])
    r = await post("/repos/acme/app/releases", content=b"{")
    assert (r.status_code, r.json()["message"]) == (400, "Problems parsing JSON")
    assert (await srv.http.get("/repos/acme/app/releases/latest")).json()["message"] == "Not Found"
    assert (await srv.http.get("/repos/acme/app/releases/tags/old")).status_code == 404
    assert (await srv.http.get("/repos/acme/app/releases/424242")).status_code == 404
    # The full sha of a commit is a target, and an existing tag is used where it is.
    release = await create(srv, tag_name="old", target_commitish=head)
    assert release["target_commitish"] == head


async def test_drafts_publishing_and_the_latest_release(srv, make_token):
    repo = served(srv)
    draft = await create(srv, tag_name="v2.0.0", draft=True)
    assert (draft["draft"], draft["published_at"], draft["tarball_url"], draft["zipball_url"]) == (True, None, None, None)
    assert "/releases/tag/untagged-" in draft["html_url"]
    assert git(repo, "tag", "--list") == ""  # a draft's tag is made when it is published
    assert (await srv.http.get("/repos/acme/app/releases/tags/v2.0.0")).status_code == 404
    reader = auth(await make_token("acme/app", "read"))
    assert (await srv.http.get(f"/repos/acme/app/releases/{draft['id']}", headers=reader)).status_code == 404
    assert (await srv.http.get("/repos/acme/app/releases", headers=reader)).json() == []
    assert [x["id"] for x in (await srv.http.get("/repos/acme/app/releases")).json()] == [draft["id"]]
    assert (await srv.http.get("/repos/acme/app/releases/latest")).status_code == 404

    one = await create(srv, tag_name="v1.0.0")
    r = await srv.http.patch(f"/repos/acme/app/releases/{draft['id']}", json={"draft": False, "name": "Two"})
    assert r.status_code == 200, r.text
    published = r.json()
    assert (published["draft"], published["name"], published["html_url"]) == (
        False, "Two", f"{srv.base_url}/acme/app/releases/tag/v2.0.0")
    assert published["published_at"] is not None
    assert git(repo, "rev-parse", "refs/tags/v2.0.0") == git(repo, "rev-parse", "main")

    async def latest() -> str:
        return str((await srv.http.get("/repos/acme/app/releases/latest")).json()["tag_name"])

    assert await latest() == "v2.0.0"  # publishing makes a release latest
    await create(srv, tag_name="v3.0.0-rc1", prerelease=True)
    await create(srv, tag_name="v4.0.0", make_latest="false")
    assert await latest() == "v2.0.0"
    r = await srv.http.patch(f"/repos/acme/app/releases/{one['id']}", json={"make_latest": "true"})
    assert r.status_code == 200
    assert await latest() == "v1.0.0"
    # The release of a tag that a published release holds cannot be published again.
    other = await create(srv, tag_name="v1.0.0", draft=True)
    failed(await srv.http.patch(f"/repos/acme/app/releases/{other['id']}", json={"draft": False}), 422,
           [{"resource": "Release", "code": "already_exists", "field": "tag_name"}], f"{DOCS}#update-a-release")
    assert (await srv.http.delete(f"/repos/acme/app/releases/{other['id']}")).status_code == 204
    # Deleting the latest release leaves its tag; the newest published full release is latest again.
    assert (await srv.http.delete(f"/repos/acme/app/releases/{one['id']}")).status_code == 204
    assert (await srv.http.get(f"/repos/acme/app/releases/{one['id']}")).status_code == 404
    assert git(repo, "rev-parse", "--verify", "-q", "refs/tags/v1.0.0") != ""
    assert await latest() == "v2.0.0"
    tags = [x["tag_name"] for x in (await srv.http.get("/repos/acme/app/releases", params={"per_page": 2})).json()]
    assert tags == ["v4.0.0", "v3.0.0-rc1"]
    page = await srv.http.get("/repos/acme/app/releases", params={"per_page": 2, "page": 2})
    assert [x["tag_name"] for x in page.json()] == ["v2.0.0"] and 'rel="prev"' in page.headers["link"]
    # A read token reads published releases but writes none.
    assert (await srv.http.get("/repos/acme/app/releases/latest", headers=reader)).status_code == 200
    r = await srv.http.post("/repos/acme/app/releases", json={"tag_name": "v5"}, headers=reader)
    assert r.status_code == 403
    other_repo = auth(await make_token("acme/other", "write"))
    assert (await srv.http.get("/repos/acme/app/releases/latest", headers=other_repo)).status_code == 404


async def test_a_tag_with_a_slash(srv):
    release = await create(srv, tag_name="ubuntu24/20250601.1", name="Ubuntu", prerelease=True)
    assert release["html_url"].endswith("/releases/tag/ubuntu24%2F20250601.1")
    for path in ("/repos/acme/app/releases/tags/ubuntu24/20250601.1",
                 "/repos/acme/app/releases/tags/ubuntu24%2F20250601.1"):
        got = await srv.http.get(path)
        assert got.status_code == 200 and got.json()["id"] == release["id"], path
    assert git(served(srv), "rev-parse", "refs/tags/ubuntu24/20250601.1") == git(served(srv), "rev-parse", "main")


async def test_assets_upload_list_download_rename_delete(srv):
    release = await create(srv, tag_name="v1.0.0")
    upload = release["upload_url"].split("{", 1)[0]
    data = b"binary \x00\xff bytes\n" * 10
    r = await srv.http.post(upload, params={"name": "my tool (linux).tar.gz", "label": "Linux"}, content=data,
                            headers={"Content-Type": "application/gzip"})
    assert r.status_code == 201, r.text
    asset = r.json()
    aid = asset["id"]
    assert {k: asset[k] for k in ("name", "label", "state", "content_type", "size", "digest", "download_count")} == {
        "name": "my.tool..linux..tar.gz", "label": "Linux", "state": "uploaded", "content_type": "application/gzip",
        "size": len(data), "digest": "sha256:" + hashlib.sha256(data).hexdigest(), "download_count": 0}
    assert asset["url"] == f"{srv.base_url}/repos/acme/app/releases/assets/{aid}"
    assert asset["browser_download_url"] == f"{srv.base_url}/acme/app/releases/download/v1.0.0/my.tool..linux..tar.gz"
    assert asset["uploader"]["login"] == "dispatchd-admin"
    again = await srv.http.post(upload, params={"name": "my tool (linux).tar.gz"}, content=b"x")
    failed(again, 422, [{"resource": "ReleaseAsset", "code": "already_exists", "field": "name"}],
           "https://docs.github.com/rest/releases/assets#upload-a-release-asset")
    # An asset is a file: larger than the 1 MB of other request bodies (up to 100 MiB).
    big = bytes(range(256)) * 12_000
    r = await srv.http.post(upload, params={"name": "big.bin"}, content=big,
                            headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 201, r.text
    assert r.json()["size"] == len(big)
    got = await srv.http.get(r.json()["url"], headers={"Accept": "application/octet-stream"}, follow_redirects=True)
    assert got.content == big
    assert (await srv.http.delete(r.json()["url"])).status_code == 204
    too_big = await srv.http.post("/repos/acme/app/issues", content=b"{" + b" " * 1_100_000 + b"}")
    assert too_big.status_code == 413
    assert (await srv.http.post(upload, content=b"x")).status_code == 422  # no name
    listed = (await srv.http.get(f"/repos/acme/app/releases/{release['id']}/assets")).json()
    assert listed == [asset]
    assert (await srv.http.get(f"/repos/acme/app/releases/{release['id']}")).json()["assets"] == [asset]
    assert (await srv.http.get(f"/repos/acme/app/releases/assets/{aid}")).json() == asset
    raw = await srv.http.get(f"/repos/acme/app/releases/assets/{aid}", headers={"Accept": "application/octet-stream"})
    assert (raw.status_code, raw.content, raw.headers["content-type"]) == (200, data, "application/gzip")
    browser = await srv.http.get(asset["browser_download_url"])
    assert (browser.status_code, browser.content) == (200, data)
    assert (await srv.http.get(f"{srv.base_url}/acme/app/releases/download/v1.0.0/nothing")).status_code == 404
    assert (await srv.http.get(f"/repos/acme/app/releases/assets/{aid}")).json()["download_count"] == 2
    r = await srv.http.patch(f"/repos/acme/app/releases/assets/{aid}", json={"name": "tool.tgz", "label": "L"})
    assert (r.status_code, r.json()["name"], r.json()["label"]) == (200, "tool.tgz", "L")
    assert (await srv.http.delete(f"/repos/acme/app/releases/assets/{aid}")).status_code == 204
    assert (await srv.http.get(f"/repos/acme/app/releases/assets/{aid}")).status_code == 404
    assert (await srv.http.get(f"/repos/acme/app/releases/{release['id']}/assets")).json() == []


async def test_generated_release_notes(srv):
    r = await srv.http.post("/repos/acme/app/releases/generate-notes", json={"tag_name": "v1.0.0"})
    assert r.json() == {"name": "v1.0.0", "body": f"**Full Changelog**: {srv.base_url}/acme/app/commits/v1.0.0"}
    await create(srv, tag_name="v1.0.0")
    release = await create(srv, tag_name="v1.1.0", body="Fixes.", generate_release_notes=True)
    assert release["body"] == f"Fixes.\n\n**Full Changelog**: {srv.base_url}/acme/app/compare/v1.0.0...v1.1.0"


@pytest.fixture
def gh(srv):
    client = Github(base_url=srv.base_url, auth=Auth.Token(TOKEN), retry=None)
    yield client
    client.close()


async def test_pygithub_release_calls(srv, gh, tmp_path: Path):
    asset_file = tmp_path / "notes.txt"
    asset_file.write_text("hello\n")

    def work() -> tuple[Any, ...]:
        repo = gh.get_repo("acme/app")
        release = repo.create_git_release("v1.0.0", "First", "The first one.", target_commitish="main")
        uploaded = release.upload_asset(str(asset_file), label="Notes", content_type="text/plain")
        by_id = repo.get_release(release.id)
        by_tag = repo.get_release("v1.0.0")
        latest = repo.get_latest_release()
        updated = by_id.update_release("First!", "Edited.", prerelease=True)
        assets = [(a.name, a.label, a.size) for a in repo.get_release(release.id).get_assets()]
        listed = [r.tag_name for r in repo.get_releases()]
        try:
            repo.get_latest_release()
            missing = 200
        except GithubException as error:
            missing = error.status
        updated.delete_release()
        deleted = [r.tag_name for r in repo.get_releases()]
        return (by_id.name, by_tag.id == release.id, latest.tag_name, updated.name, updated.body,
                updated.prerelease, uploaded.name, assets, listed, missing, deleted)

    assert await asyncio.to_thread(work) == (
        "First", True, "v1.0.0", "First!", "Edited.", True, "notes.txt", [("notes.txt", "Notes", 6)], ["v1.0.0"],
        404, [])
