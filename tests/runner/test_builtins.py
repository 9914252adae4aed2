"""Built-in actions and a toolkit-written JavaScript action against a running dispatchd.

Each test starts a real server on 127.0.0.1 serving ``acme/app`` and runs a job whose
``GITHUB_API_URL`` is that server, so the actions' REST calls (Octokit in ``node``, httpx in the
Python built-ins) reach it for real; what they did is then read back through the API.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fixtures_server import TOKEN

from dispatchd.runner.actions.builtins.github_script import missing_packages, node_modules

HERE = Path(__file__).resolve().parent
needs_toolkit = pytest.mark.skipif(
    shutil.which("node") is None or bool(missing_packages(node_modules())),
    reason="needs node and the npm packages (npm ci at the repository root)",
)


@pytest.fixture
async def server(start_server, make_git_repo):
    repo = make_git_repo({"README.md": "app\n"})
    return await start_server([f"acme/app={repo}"])


def github(srv: Any, **extra: Any) -> dict[str, Any]:
    """The ``github`` context of a job of ``acme/app`` whose API is ``srv``."""
    return {"api_url": srv.base_url, "server_url": srv.base_url, "repository": "acme/app", "token": TOKEN,
            "repository_owner": "acme", **extra}


async def issues(srv: Any) -> list[dict[str, Any]]:
    r = await srv.http.get("/repos/acme/app/issues", params={"state": "all"})
    assert r.status_code == 200, r.text
    return list(reversed(r.json()))


@needs_toolkit
async def test_toolkit_action_runs_unchanged(run, server, tmp_path: Path) -> None:
    # The action stays where it is written (an actions folder links to it), so `import '@actions/core'`
    # resolves from the node_modules at the checkout's root.
    folder = tmp_path / "actions" / "acme"
    folder.mkdir(parents=True)
    (folder / "toolkit-action@v1").symlink_to(HERE / "toolkit_action")
    steps = [
        {"id": "tk", "uses": "acme/toolkit-action@v1", "with": {"title": "Found CVE-2023-32681",
                                                                 "secret-word": "swordfish-42"}},
        {"run": "echo 'T:outputs ${{ steps.tk.outputs.greeting }} #${{ steps.tk.outputs.issue-number }}'"},
    ]
    result, reporter = await run(steps, actions_dir=str(tmp_path / "actions"), github=github(server))
    assert result.conclusion == "success", reporter.text
    assert [line for line in reporter.lines if line.startswith("T:")] == [
        "T:the word is ***",
        "T:issue 1 Found CVE-2023-32681",
        "T:outputs hello Found CVE-2023-32681 #1",
    ]
    # GitHub echoes the step's `with:` before the action runs; from the moment the action masks the
    # value, no line shows it.
    after_header = reporter.lines[reporter.lines.index("##[endgroup]") + 1:]
    assert not any("swordfish-42" in line for line in after_header)
    assert result.steps[0].outputs == {"greeting": "hello Found CVE-2023-32681", "issue-number": "1"}
    assert result.summary == "<h1>Toolkit summary</h1>\nOpened for acme"
    [issue] = await issues(server)
    assert (issue["number"], issue["title"], issue["body"]) == (
        1, "Found CVE-2023-32681", "event repository_dispatch, run 42")


@needs_toolkit
async def test_github_script_has_githubs_toolkit_in_scope(run, server, tmp_path: Path) -> None:
    script = """
        const { data: issue } = await github.rest.issues.create({ ...context.repo, title: `from ${context.eventName}` })
        core.info(`S:issue ${issue.number} ${context.payload.client_payload.cve}`)
        await io.mkdirP('out/deep')
        await exec.exec('sh', ['-c', 'echo hi > out/deep/a.txt'])
        const globber = await glob.create('out/**/*.txt')
        core.info(`S:files ${(await globber.glob()).map(f => require('path').relative(process.cwd(), f))}`)
        return { number: issue.number, same: octokit === github }
    """
    steps = [
        {"id": "js", "uses": "actions/github-script@v7", "with": {"script": script}},
        {"id": "str", "uses": "actions/github-script@v7",
         "with": {"result-encoding": "string", "script": "return 'plain ' + 42"}},
        {"run": "echo 'S:${{ steps.js.outputs.result }} ${{ steps.str.outputs.result }}'"},
    ]
    result, reporter = await run(steps, github=github(server))
    assert result.conclusion == "success", reporter.text
    assert "dispatchd built-in actions/github-script (in place of actions/github-script@v7)" in reporter.lines
    assert [line for line in reporter.lines if line.startswith("S:")] == [
        "S:issue 1 CVE-2023-32681",
        "S:files out/deep/a.txt",
        'S:{"number":1,"same":true} plain 42',
    ]
    assert [i["title"] for i in await issues(server)] == ["from repository_dispatch"]


@needs_toolkit
async def test_github_script_failures_fail_the_step(run, server) -> None:
    steps = [
        # An API call that is not awaited still fails the step (unhandledRejection), as in GitHub's.
        {"uses": "actions/github-script@v8", "continue-on-error": True,
         "with": {"script": "github.rest.issues.get({ ...context.repo, issue_number: 99 })"}},
        {"uses": "actions/github-script@v8", "continue-on-error": True,
         "with": {"script": "return 1", "result-encoding": "yaml"}},
        {"uses": "actions/github-script@v8", "with": {"script": "return 1", "github-token": ""}},
    ]
    result, reporter = await run(steps, github=github(server))
    assert [s.outcome for s in result.steps] == ["failure", "failure", "failure"]
    errors = [line for line in reporter.lines if line.startswith("##[error]")]
    assert errors == [
        "##[error]Unhandled error: HttpError: Not Found - https://docs.github.com/rest/issues/issues#get-an-issue",
        '##[error]Unhandled error: Error: "result-encoding" must be either "string" or "json"',
        "##[error]Unhandled error: Error: Input required and not supplied: github-token",
    ]


async def test_github_script_without_the_npm_packages_says_so(run, server, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPATCHD_NODE_MODULES", str(tmp_path / "nowhere"))
    result, reporter = await run([{"uses": "actions/github-script@v7", "with": {"script": "return 1"}}],
                                 github=github(server))
    assert result.conclusion == "failure"
    assert (f"##[error]The built-in actions/github-script needs the npm packages @actions/core, @actions/github, "
            f"@actions/exec, @actions/glob, @actions/io in '{tmp_path / 'nowhere'}': run 'npm ci' in the dispatchd "
            "source checkout, or set DISPATCHD_NODE_MODULES to a node_modules folder that has them.") in reporter.lines


async def test_an_action_in_the_actions_folder_wins_over_the_built_in(run, server, tmp_path: Path) -> None:
    where = tmp_path / "actions" / "peter-evans" / "close-issue@v2"
    where.mkdir(parents=True)
    (where / "action.yml").write_text("name: x\nruns:\n  using: composite\n  steps:\n"
                                      "    - run: echo 'the real one'\n      shell: bash\n")
    result, reporter = await run([{"uses": "peter-evans/close-issue@v2"}], actions_dir=str(tmp_path / "actions"),
                                 github=github(server))
    assert result.conclusion == "success", reporter.text
    assert "the real one" in reporter.lines
    assert not any("dispatchd built-in" in line for line in reporter.lines)


async def test_comment_issue_and_close_built_ins(run, server, tmp_path: Path) -> None:
    workspace = Path(tmp_path / "work" / "scanner" / "scanner")
    template = workspace / ".github" / "ISSUE_TEMPLATE" / "cve.md"
    template.parent.mkdir(parents=True)
    template.write_text('---\ntitle: "CVE {{ payload.client_payload.cve }} in {{ repo.repo }}"\n'
                        "labels: security, triage\nassignees:\n  - octocat\n---\n"
                        "Found by {{ env.SCANNER }} (run {{ runId }}); {{ missing.value }}end\n")
    (workspace / "body.md").write_text("from a file\n")
    steps = [
        {"id": "issue", "uses": "JasonEtco/create-an-issue@v2",
         "env": {"GITHUB_TOKEN": TOKEN, "SCANNER": "grype"},
         "with": {"filename": ".github/ISSUE_TEMPLATE/cve.md"}},
        {"id": "c", "uses": "peter-evans/create-or-update-comment@v4",
         "with": {"issue-number": "${{ steps.issue.outputs.number }}", "body-path": "body.md",
                  "reactions": "rocket, eyes"}},
        {"uses": "peter-evans/create-or-update-comment@v4",
         "with": {"comment-id": "${{ steps.c.outputs.comment-id }}", "reactions": "heart\neyes",
                  "reactions-edit-mode": "replace"}},
        {"uses": "peter-evans/close-issue@v2",
         "with": {"issue-number": "${{ steps.issue.outputs.number }}", "comment": "fixed",
                  "close-reason": "not_planned"}},
        {"run": "echo 'O:${{ steps.issue.outputs.number }} ${{ steps.issue.outputs.url }} ${{ steps.c.outputs.comment-id }}'"},
    ]
    result, reporter = await run(steps, github=github(server))
    assert result.conclusion == "success", reporter.text
    [issue] = await issues(server)
    assert (issue["title"], issue["body"], issue["state"], issue["state_reason"]) == (
        "CVE CVE-2023-32681 in app", "Found by grype (run 42); end\n", "closed", "not_planned")
    assert sorted(label["name"] for label in issue["labels"]) == ["security", "triage"]
    assert [a["login"] for a in issue["assignees"]] == ["octocat"]
    comments = (await server.http.get("/repos/acme/app/issues/1/comments")).json()
    assert [c["body"] for c in comments] == ["from a file\n", "fixed"]
    out = next(line for line in reporter.lines if line.startswith("O:"))
    assert out == f"O:1 {server.base_url}/acme/app/issues/1 {comments[0]['id']}"
    assert f"Created issue CVE CVE-2023-32681 in app#1: {server.base_url}/acme/app/issues/1" in reporter.lines
    # The second step replaced the token user's reactions: rocket went, eyes stayed, heart came.
    assert not [line for line in reporter.lines if line.startswith("##[warning]")]
    cid = comments[0]["id"]
    assert [line for line in reporter.lines if " reaction " in line] == [
        f"Added reaction 'rocket' to comment id '{cid}'.", f"Added reaction 'eyes' to comment id '{cid}'.",
        f"Removed reaction 'rocket' from comment id '{cid}'.", f"Added reaction 'heart' to comment id '{cid}'.",
        f"Added reaction 'eyes' to comment id '{cid}'."]
    reactions = (await server.http.get(f"/repos/acme/app/issues/comments/{cid}/reactions")).json()
    assert [r["content"] for r in reactions] == ["eyes", "heart"]


async def test_comment_inputs_are_checked_as_the_action_does(run, server) -> None:
    steps = [
        {"uses": "peter-evans/create-or-update-comment@v5", "continue-on-error": True, "with": {"body": "x"}},
        {"uses": "peter-evans/create-or-update-comment@v5", "continue-on-error": True,
         "with": {"issue-number": "1", "reactions": "heart"}},
        {"uses": "peter-evans/create-or-update-comment@v5", "continue-on-error": True,
         "with": {"issue-number": "1", "body": "x", "edit-mode": "merge"}},
        {"uses": "peter-evans/create-or-update-comment@v5", "with": {"issue-number": "1", "body": "x",
                                                                    "token": ""}},
    ]
    _, reporter = await run(steps, github=github(server))
    assert [line for line in reporter.lines if line.startswith("##[error]")] == [
        "##[error]Missing either 'issue-number' or 'comment-id'.",
        "##[error]Missing comment 'body' or 'body-path'.",
        "##[error]Invalid edit-mode 'merge'.",
        "##[error]Parameter token or opts.auth is required",
    ]


async def test_repository_dispatch_starts_the_other_repositorys_workflow(start_server, make_git_repo,
                                                                          tmp_path: Path) -> None:
    sender = make_git_repo({".github/workflows/send.yml": """
on: {repository_dispatch: {types: [go]}}
jobs:
  send:
    runs-on: ubuntu-latest
    steps:
      - uses: peter-evans/repository-dispatch@v3
        with:
          token: ${{ secrets.PAT }}
          repository: acme/receiver
          event-type: scanned
          client-payload: '{"from": "${{ github.repository }}", "n": ${{ github.event.client_payload.n }}}'
      - uses: peter-evans/repository-dispatch@v3
        continue-on-error: true
        with:
          repository: acme/nowhere
          event-type: scanned
"""}, path=tmp_path / "sender")
    receiver = make_git_repo({".github/workflows/receive.yml": """
on: {repository_dispatch: {types: [scanned]}}
jobs:
  show:
    runs-on: ubuntu-latest
    steps:
      - run: echo "R:${{ github.event.client_payload.from }} ${{ github.event.client_payload.n }}"
"""}, path=tmp_path / "receiver")
    srv = await start_server([f"acme/sender={sender}", f"acme/receiver={receiver}"])
    assert (await srv.http.put("/repos/acme/sender/dispatchd/secrets/PAT", json={"value": TOKEN})).status_code == 201
    assert (await srv.dispatch("acme/sender", "go", {"n": 7})).status_code == 204
    [sent] = await srv.wait_runs("acme/sender", 1)
    assert sent["conclusion"] == "success"
    log = await srv.log("acme/sender", (await srv.jobs("acme/sender", sent["id"]))[0]["id"])
    assert "##[error]Repository not found, OR token has insufficient permissions." in log
    [received] = await srv.wait_runs("acme/receiver", 1)
    assert (received["event"], received["conclusion"]) == ("repository_dispatch", "success")
    log = await srv.log("acme/receiver", (await srv.jobs("acme/receiver", received["id"]))[0]["id"])
    assert "R:acme/sender 7" in log


async def test_artifacts_are_stored_listed_and_downloaded(start_server, make_git_repo, tmp_path: Path) -> None:
    repo = make_git_repo({".github/workflows/build.yml": """
on: {repository_dispatch: {types: [build]}}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: |
          mkdir -p dist/sub && echo one > dist/a.txt && echo two > dist/sub/b.txt && echo h > dist/.hidden
          head -c 1500000 /dev/urandom > dist/big.bin
      - id: up
        uses: actions/upload-artifact@v4
        with:
          name: bundle
          path: |
            dist/
            !dist/big.bin
      - uses: actions/upload-artifact@v4
        with: {name: big, path: dist/big.bin}
      - uses: actions/upload-artifact@v4
        continue-on-error: true
        with: {name: bundle, path: dist/a.txt}
      - uses: actions/upload-artifact@v4
        with: {name: none, path: nothing/here}
      - run: echo "U:${{ steps.up.outputs.artifact-id }}"
  use:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - id: down
        uses: actions/download-artifact@v4
        with: {name: bundle, path: got}
      - run: cat got/a.txt got/sub/b.txt; test ! -e got/.hidden
      - uses: actions/download-artifact@v4
        with: {path: all}
      - run: ls all | sort | tr '\\n' ' '; cmp all/big/big.bin all/big/big.bin
"""})
    srv = await start_server([f"acme/app={repo}"])
    assert (await srv.dispatch("acme/app", "build")).status_code == 204
    [run_] = await srv.wait_runs("acme/app", 1, timeout=60)
    jobs = {j["name"]: j for j in await srv.jobs("acme/app", run_["id"])}
    build_log = await srv.log("acme/app", jobs["build"]["id"])
    use_log = await srv.log("acme/app", jobs["use"]["id"])
    assert run_["conclusion"] == "success", build_log + use_log
    assert "With the provided path, there will be 2 files uploaded" in build_log
    assert "##[warning]No files were found with the provided path: nothing/here. No artifacts will be uploaded." \
        in build_log
    assert "an artifact with this name already exists on the workflow run" in build_log
    assert "one\ntwo" in "\n".join(line.split(" ", 1)[-1] for line in use_log.splitlines())
    assert "big bundle" in use_log
    r = await srv.http.get(f"/repos/acme/app/actions/runs/{run_['id']}/artifacts")
    assert r.status_code == 200
    listing = r.json()
    assert listing["total_count"] == 2
    by_name = {a["name"]: a for a in listing["artifacts"]}
    assert set(by_name) == {"bundle", "big"}
    bundle = by_name["bundle"]
    assert f"U:{bundle['id']}" in build_log
    assert bundle["workflow_run"]["id"] == run_["id"]
    assert bundle["archive_download_url"] == f"{srv.base_url}/repos/acme/app/actions/artifacts/{bundle['id']}/zip"
    z = await srv.http.get(f"/repos/acme/app/actions/artifacts/{bundle['id']}/zip")
    assert z.status_code == 200
    with zipfile.ZipFile(io.BytesIO(z.content)) as archive:
        assert sorted(archive.namelist()) == ["a.txt", "sub/b.txt"]
        assert archive.read("sub/b.txt") == b"two\n"
    assert bundle["size_in_bytes"] == len(z.content)
    assert by_name["big"]["size_in_bytes"] > 1_048_576  # more than one request body: sent in parts
    one = await srv.http.get(f"/repos/acme/app/actions/artifacts/{bundle['id']}")
    assert one.json() == bundle
    assert (await srv.http.get(f"/repos/acme/app/actions/runs/{run_['id']}/artifacts",
                               params={"name": "big"})).json()["total_count"] == 1
    assert (await srv.http.get("/repos/acme/app/actions/artifacts/9999")).status_code == 404
    assert json.loads((await srv.http.get("/repos/acme/app/actions/runs/9999/artifacts")).text)["message"] == \
        "Not Found"
    assert os.path.isdir(srv.server.config.data_dir / "artifacts")
