"""The release built-ins (``ncipollo/release-action``, ``actions/create-release``) and Octokit's
release calls from ``actions/github-script``, in a job whose ``GITHUB_API_URL`` is a real server
serving ``acme/app``; what they did is read back through the API and the served git repository.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from fixtures_server import TOKEN

from .test_builtins import github, needs_toolkit

NCIPOLLO = "ncipollo/release-action@v1"
CREATE_DOC = "https://docs.github.com/rest/releases/releases#create-a-release"


@pytest.fixture
async def served(start_server, make_git_repo) -> tuple[Any, Path]:
    repo = make_git_repo({"README.md": "app\n"})
    return await start_server([f"acme/app={repo}"]), repo


def rev(repo: Path, ref: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "rev-parse", "--verify", "-q", ref], check=False,
                          capture_output=True, text=True).stdout.strip()


async def releases(srv: Any) -> list[dict[str, Any]]:
    r = await srv.http.get("/repos/acme/app/releases")
    assert r.status_code == 200, r.text
    return list(r.json())


def errors(reporter: Any) -> list[str]:
    return [line for line in reporter.lines if line.startswith("##[error]")]


async def test_release_action_creates_updates_and_uploads(run, served) -> None:
    srv, repo = served
    steps = [
        {"run": "mkdir -p dist/sub && echo a > dist/a.txt && echo bb > dist/b.bin && printf 'Notes\\n' > body.md"},
        {"id": "rel", "uses": NCIPOLLO,
         "with": {"tag": "v1.0.0", "commit": "main", "bodyFile": "body.md", "prerelease": "true",
                  "artifacts": "dist/*.txt, dist/b.bin\nmissing/*,dist/sub"}},
        {"run": "echo 'O:${{ steps.rel.outputs.id }} ${{ steps.rel.outputs.html_url }} ${{ steps.rel.outputs.tarball_url }}'"},
        {"run": "echo 'A:${{ steps.rel.outputs.assets }}'"},
        # The same tag again without allowUpdates: GitHub refuses a second release of it.
        {"uses": NCIPOLLO, "continue-on-error": True, "with": {"tag": "v1.0.0", "commit": "main"}},
        {"run": "echo changed > dist/a.txt"},
        {"id": "upd", "uses": NCIPOLLO,
         "with": {"tag": "v1.0.0", "allowUpdates": "true", "name": "Renamed", "omitBodyDuringUpdate": "true",
                  "omitPrereleaseDuringUpdate": "true", "artifacts": "dist/a.txt", "artifactContentType": "text/plain"}},
        {"uses": NCIPOLLO, "with": {"tag": "v1.0.0", "skipIfReleaseExists": "true", "name": "never"}},
        # A published full release is not "unreleased".
        {"uses": NCIPOLLO, "with": {"tag": "v2.0.0", "commit": "main", "name": "Two"}},
        {"uses": NCIPOLLO, "continue-on-error": True,
         "with": {"tag": "v2.0.0", "allowUpdates": "true", "updateOnlyUnreleased": "true"}},
    ]
    result, reporter = await run(steps, github=github(srv))
    assert [s.outcome for s in result.steps] == ["success"] * 4 + ["failure"] + ["success"] * 4 + ["failure"]
    assert "dispatchd built-in ncipollo/release-action (in place of ncipollo/release-action@v1)" in reporter.lines
    [two, one] = await releases(srv)
    assert (one["tag_name"], one["name"], one["body"], one["prerelease"], one["draft"], one["target_commitish"]) == (
        "v1.0.0", "Renamed", "Notes\n", True, False, "main")
    assert (two["tag_name"], two["name"], two["prerelease"]) == ("v2.0.0", "Two", False)
    assert rev(repo, "refs/tags/v1.0.0") == rev(repo, "main")
    assets = {a["name"]: a for a in one["assets"]}
    assert sorted(assets) == ["a.txt", "b.bin"]
    assert (assets["b.bin"]["content_type"], assets["a.txt"]["content_type"]) == ("raw", "text/plain")
    download = await srv.http.get(assets["a.txt"]["browser_download_url"])
    assert download.content == b"changed\n"  # replaced by the update
    out = next(line for line in reporter.lines if line.startswith("O:"))
    assert out == (f"O:{one['id']} {srv.base_url}/acme/app/releases/tag/v1.0.0 "
                   f"{srv.base_url}/repos/acme/app/tarball/v1.0.0")
    first_a = next(line for line in reporter.lines if line.startswith("A:"))
    download_url = f"{srv.base_url}/acme/app/releases/download/v1.0.0"
    assert first_a == f'A:{{"a.txt":"{download_url}/a.txt","b.bin":"{download_url}/b.bin"}}'
    assert result.steps[6].outputs["id"] == str(one["id"])
    assert [line for line in reporter.lines if line.startswith("##[warning]")] == [
        "##[warning]Artifact pattern :missing/* did not match any files",
        "##[warning]Artifact pattern:missing/* did not match any files",
        "##[warning]Artifact is a directory:dist/sub. Directories can not be uploaded to a release.",
    ]
    assert "##[notice]Skipping action, release already exists and skipIfReleaseExists is enabled." in reporter.lines
    assert errors(reporter) == [
        ('##[error]Error 422: Validation Failed: {"resource":"Release","code":"already_exists","field":"tag_name"} '
         f"- {CREATE_DOC}"),
        ('##[error]Error undefined: Tried to update "Two" which is neither a draft or prerelease. '
         "(updateOnlyUnreleased is on)"),
    ]


async def test_release_action_tag_and_token(run, served) -> None:
    srv, repo = served
    steps = [
        {"uses": NCIPOLLO, "continue-on-error": True, "with": {"commit": "main"}},
        {"uses": NCIPOLLO, "continue-on-error": True, "with": {"tag": "v1", "token": ""}},
        {"uses": NCIPOLLO, "continue-on-error": True, "with": {"tag": "v1", "commit": "nowhere"}},
        {"uses": NCIPOLLO, "continue-on-error": True, "with": {"tag": "v1", "commit": "main", "repo": "nothing"}},
    ]
    result, reporter = await run(steps, github=github(srv))
    assert [s.outcome for s in result.steps] == ["failure"] * 4
    assert errors(reporter) == [
        "##[error]Error undefined: No tag found in ref or input!",
        "##[error]Error undefined: Parameter token or opts.auth is required",
        ('##[error]Error 422: Validation Failed: {"resource":"Release","code":"invalid","field":"target_commitish"} '
         f"- {CREATE_DOC}"),
        f"##[error]Error 404: Not Found - {CREATE_DOC}",
    ]
    assert "Make sure your github token has access to the repo and has permission to author releases" in reporter.lines
    assert await releases(srv) == []
    # Without a tag input, the tag of github.ref; a draft has no tag yet, and no tarball.
    steps = [{"id": "d", "uses": NCIPOLLO, "with": {"commit": "main", "draft": "true"}},
             {"run": "echo 'T:${{ steps.d.outputs.tarball_url }}.'"}]
    result, reporter = await run(steps, github=github(srv, ref="refs/tags/v7"))
    assert result.conclusion == "success", reporter.text
    assert "T:." in reporter.lines
    [draft] = await releases(srv)
    assert (draft["tag_name"], draft["draft"]) == ("v7", True)
    assert rev(repo, "refs/tags/v7") == ""


async def test_create_release_action(run, served) -> None:
    srv, repo = served
    head = rev(repo, "main")
    with_token = {"GITHUB_TOKEN": TOKEN}
    steps = [
        {"run": "printf 'From the file.\\n' > NOTE.md"},
        {"id": "cr", "uses": "actions/create-release@v1", "env": with_token,
         "with": {"tag_name": "refs/tags/v2.0.0", "release_name": "Release refs/tags/v2.0.0",
                  "body_path": "NOTE.md", "body": "unused", "prerelease": "true"}},
        {"run": "echo 'O:${{ steps.cr.outputs.id }} ${{ steps.cr.outputs.html_url }} ${{ steps.cr.outputs.upload_url }}'"},
        # A body_path that cannot be read fails the step, and the release is still created.
        {"id": "missing", "uses": "actions/create-release@v1", "env": with_token, "continue-on-error": True,
         "with": {"tag_name": "v3", "release_name": "Three", "body": "fallback", "body_path": "nothing.md",
                  "draft": "true", "commitish": "main"}},
        {"uses": "actions/create-release@v1", "env": with_token, "continue-on-error": True,
         "with": {"tag_name": "v2.0.0", "release_name": "again"}},
        {"uses": "actions/create-release@v1", "continue-on-error": True, "with": {"tag_name": "v4"}},
        {"uses": "actions/create-release@v1", "env": with_token, "continue-on-error": True,
         "with": {"release_name": "no tag"}},
    ]
    result, reporter = await run(steps, github=github(srv, sha=head))
    assert [s.outcome for s in result.steps] == ["success"] * 3 + ["failure"] * 4
    assert "dispatchd built-in actions/create-release (in place of actions/create-release@v1)" in reporter.lines
    by_tag = {r["tag_name"]: r for r in await releases(srv)}
    assert sorted(by_tag) == ["v2.0.0", "v3"]
    two = by_tag["v2.0.0"]
    assert (two["name"], two["body"], two["prerelease"], two["draft"], two["target_commitish"]) == (
        "Release v2.0.0", "From the file.\n", True, False, head)
    assert rev(repo, "refs/tags/v2.0.0") == head
    assert (by_tag["v3"]["body"], by_tag["v3"]["draft"]) == ("fallback", True)
    out = next(line for line in reporter.lines if line.startswith("O:"))
    assert out == f"O:{two['id']} {two['html_url']} {two['upload_url']}"
    assert errors(reporter) == [
        "##[error]ENOENT: no such file or directory, open 'nothing.md'",
        '##[error]Validation Failed: {"resource":"Release","code":"already_exists","field":"tag_name"}',
        "##[error]Bad credentials",
        "##[error]Input required and not supplied: tag_name",
    ]


@needs_toolkit
async def test_octokit_release_calls_from_github_script(run, served) -> None:
    srv, repo = served
    script = """
        const tag = 'ubuntu24/20250601.1'
        const { data: created } = await github.rest.repos.createRelease({ ...context.repo, tag_name: tag,
            name: 'Ubuntu', body: 'first', target_commitish: 'main', prerelease: true })
        const { data: found } = await github.rest.repos.getReleaseByTag({ ...context.repo, tag })
        await github.rest.repos.updateRelease({ ...context.repo, release_id: found.id, prerelease: false })
        const { data: asset } = await github.rest.repos.uploadReleaseAsset({ ...context.repo, release_id: found.id,
            url: created.upload_url, name: 'notes.txt', data: 'hello', headers: { 'content-type': 'text/plain' } })
        const assets = await github.paginate(github.rest.repos.listReleaseAssets, { ...context.repo, release_id: found.id })
        const { data: latest } = await github.rest.repos.getLatestRelease(context.repo)
        let missing
        try { await github.rest.repos.getReleaseByTag({ ...context.repo, tag: 'nope' }) } catch (e) { missing = e.status }
        core.info(`R:${found.id === created.id} ${latest.tag_name} ${latest.prerelease} ${asset.name} ${assets.length} ${missing}`)
    """
    result, reporter = await run([{"uses": "actions/github-script@v7", "with": {"script": script}}],
                                 github=github(srv))
    assert result.conclusion == "success", reporter.text
    assert "R:true ubuntu24/20250601.1 false notes.txt 1 404" in reporter.lines
    assert rev(repo, "refs/tags/ubuntu24/20250601.1") == rev(repo, "main")
