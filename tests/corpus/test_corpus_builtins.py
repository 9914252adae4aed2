"""The corpus workflows that need built-in actions (README column "offline" = ``yes (built-ins)``)
run with their events through a real server to the conclusion GitHub gives them.

Each workflow is served as ``octo-org/demo`` (the repository its event was written for) from a
git repository holding the workflow file plus what the workflow reads from its checkout (branches,
tags, files named in the table). The expected conclusion was worked out by reading the workflow
as GitHub runs it against that repository state: payload values substituted into scripts, secrets
the repository does not have are empty, ``if: always()`` steps run after a failure, API calls for
objects that do not exist answer 404. Where dispatchd still lacks what GitHub has (an action with
no built-in, a REST endpoint dispatchd does not serve), the case keeps GitHub's conclusion and is
marked ``xfail`` (strict) with the reason.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fixtures_server import TOKEN
from ruamel.yaml import YAML
from shared_data import CORPUS
from test_corpus_runs import printed

Check = Callable[[Any, dict[str, Any], int], Awaitable[None]]
Setup = Callable[[Any], Awaitable[None]]


@dataclass(frozen=True)
class Case:
    #: file under corpus/workflows/
    workflow: str
    #: where the workflow lives in its repository (corpus index "original_path")
    path: str
    #: file under corpus/events/
    event: str
    #: the run's conclusion on GitHub
    conclusion: str
    #: strings the job logs contain (each a whole line or part of one, after the timestamp)
    log: tuple[str, ...] = ()
    #: more files of the served repository (relative path → text)
    files: dict[str, str] = field(default_factory=dict)
    #: branches and refs to create at the repository's commit (``refs/...`` as given, else branches)
    refs: tuple[str, ...] = ()
    #: branches made from the repository's commit with one more commit of these files
    #: (branch → relative path → text)
    commits: dict[str, dict[str, str]] = field(default_factory=dict)
    #: repository secrets (``TOKEN`` stands for a token of the server's admin)
    secrets: dict[str, str] = field(default_factory=dict)
    #: issues to open before the dispatch (their numbers are 1, 2, …)
    issues: int = 0
    #: what the API shows afterwards (issues, comments, other runs)
    check: Check | None = None
    #: what happens on the server before the dispatch (other runs, pull requests), after the issues
    setup: Setup | None = None
    #: why dispatchd cannot give GitHub's conclusion yet (the case is an expected failure)
    missing: str = ""
    #: the served repository's name
    repo: str = "octo-org/demo"
    #: top-level client_payload properties left out of the dispatch
    drop: tuple[str, ...] = ()
    #: client_payload properties naming a commit: they name the served repository's commit (the
    #: example's sha is not in it; GitHub refuses a release target it does not have)
    shas: tuple[str, ...] = ()
    #: the slash command's comment exists: it is posted on the payload's issue first, and the
    #: payload names it (the server gives comments their own ids)
    comment: bool = False

    def __str__(self) -> str:
        return self.event.removesuffix(".json")


def served_git(srv: Any, *args: str) -> str:
    """git's output in the (first) served repository."""
    path = srv.server.config.repos[0].path
    return subprocess.run(["git", "-C", str(path), *args], check=False, capture_output=True,
                          text=True).stdout.strip()


async def runner_images_release_check(srv: Any, event: dict[str, Any], run_id: int) -> None:
    # ncipollo/release-action with allowUpdates: no release has the tag, so it is created, by the
    # job's token, with the tag made at the payload's commit.
    payload = event["client_payload"]
    releases = (await srv.http.get("/repos/octo-org/demo/releases")).json()
    assert [(r["tag_name"], r["name"], r["body"], r["draft"], r["prerelease"], r["target_commitish"],
             r["author"]["login"]) for r in releases] == [
        (payload["ReleaseBranchName"], payload["ReleaseTitle"], payload["ReleaseBody"], False, True,
         payload["Commitish"], "github-actions[bot]")]
    assert served_git(srv, "rev-parse", f"refs/tags/{payload['ReleaseBranchName']}") == payload["Commitish"]
    # A prerelease is never the latest release.
    assert (await srv.http.get("/repos/octo-org/demo/releases/latest")).status_code == 404


async def http4k_release_check(srv: Any, event: dict[str, Any], run_id: int) -> None:
    # actions/create-release: the body is NOTE.md (the CHANGELOG section), the tag is made at the
    # run's commit (commitish defaults to github.sha).
    version = event["client_payload"]["version"]
    head_sha = (await srv.http.get(f"/repos/octo-org/demo/actions/runs/{run_id}")).json()["head_sha"]
    latest = (await srv.http.get("/repos/octo-org/demo/releases/latest")).json()
    assert (latest["tag_name"], latest["name"], latest["body"], latest["draft"], latest["prerelease"],
            latest["target_commitish"]) == (version, version, "- http4k-core: new things\n", False, False, head_sha)
    assert served_git(srv, "rev-parse", f"refs/tags/{version}") == head_sha


def action_yml(name: str) -> str:
    return (CORPUS / "actions" / name / "action.yml").read_text()


async def issue_from_file_check(srv: Any, event: dict[str, Any], run_id: int) -> None:
    issues = (await srv.http.get("/repos/peter-evans/create-issue-from-file/issues", params={"state": "all"})).json()
    assert [(i["number"], i["title"]) for i in issues] == [(1, "An example issue")]
    issue = issues[0]
    assert issue["body"] == (CORPUS / "support/peter-evans__create-issue-from-file/example-content/output.md").read_text()
    assert sorted(label["name"] for label in issue["labels"]) == ["automated issue", "report"]
    assert [user["login"] for user in issue["assignees"]] == ["retepsnave"]


async def hello_comment_check(srv: Any, event: dict[str, Any], run_id: int) -> None:
    comments = (await srv.http.get("/repos/octo-org/demo/issues/17/comments")).json()
    assert [c["body"] for c in comments] == [
        (
            "Hello @octo-user!\n\n[Click here to see the command run output][1]\n\n"
            f"[1]: https://github.com/octo-org/demo/actions/runs/{run_id}"  # getInput trims the final newline
        )
    ]


async def child_response_check(srv: Any, event: dict[str, Any], run_id: int) -> None:
    # The chained dispatch started the parent's workflow with the child's payload.
    runs = await srv.wait_runs("octo-org/demo-parent", 1)
    assert [(r["event"], r["conclusion"]) for r in runs] == [("repository_dispatch", "success")]
    jobs = await srv.jobs("octo-org/demo-parent", runs[0]["id"])
    log = printed(await srv.log("octo-org/demo-parent", jobs[0]["id"]))
    payload = json.loads(log[log.index("{"): log.rindex("}") + 1])
    assert payload == {
        "child_repository": "octo-org/demo",
        "response_status": "success",
        "response_message": "✅ Child received and confirmed /build command (from PR #42)",
        "child_workflow_url": f"{srv.base_url}/octo-org/demo/actions/runs/{run_id}",
        "actor": payload["actor"],
        "is_pr_command": "true",
        "pr_number": "42",
        "command": "build",
        "processed_at": str(run_id),
        "confirmation_only": "true",
    }

async def create_pr_check(srv: Any, event: dict[str, Any], run_id: int) -> None:
    # The pull request github-script opened: the pushed -docs branch into the payload's base.
    payload = event["client_payload"]
    pulls = (await srv.http.get("/repos/octo-org/demo/pulls", params={"state": "all"})).json()
    assert [(p["number"], p["state"], p["head"]["ref"], p["base"]["ref"], p["title"], p["body"]) for p in pulls] == [
        (1, "open", f"{payload['ReleaseBranchName']}-docs", payload["PullRequestBase"], payload["PullRequestTitle"],
         payload["PullRequestBody"])]
    pull = (await srv.http.get("/repos/octo-org/demo/pulls/1")).json()
    release = (await srv.http.get(f"/repos/octo-org/demo/commits/{payload['ReleaseBranchName']}/status")).json()
    assert (pull["head"]["sha"], pull["commits"], pull["changed_files"], pull["mergeable"]) == (
        release["sha"], 1, 1, True)
    [job] = await srv.jobs("octo-org/demo", run_id)
    assert [(s["name"], s["conclusion"]) for s in job["steps"]] == [
        ("Run actions/checkout@v5", "success"), ("Clone release branch to create pull request", "success"),
        ("Create pull request for ubuntu24/20250601.1", "success"), ("Request reviewers", "failure")]


#: The fork's branch of the pull request /ok-to-test names. dispatchd does not run pull_request
#: events, so the branch's workflow also takes workflow_dispatch: run at the branch's head, it leaves
#: what GitHub's pull_request run leaves there — both jobs skipped (their `if:` wants another
#: event), each a check run of the head commit.
OK_TO_TEST_BRANCH = "feature/add-widget"


def ok_to_test_branch() -> dict[str, str]:
    text = (CORPUS / "workflows" / "imjohnbo__ok-to-test__integration.yml").read_text()
    return {".github/workflows/integration.yml": text.replace("  pull_request:\n", "  pull_request:\n  workflow_dispatch:\n", 1),
            "widget.txt": "widget support\n"}


async def ok_to_test_setup(srv: Any) -> None:
    r = await srv.http.post("/repos/octo-org/demo/actions/workflows/integration.yml/dispatches",
                            json={"ref": OK_TO_TEST_BRANCH})
    assert r.status_code == 204, r.text
    [run] = await srv.wait_runs("octo-org/demo", 1)
    jobs = await srv.jobs("octo-org/demo", run["id"])
    assert [(j["name"], j["conclusion"]) for j in jobs] == [("integration-trusted", "skipped"),
                                                            ("integration-fork", "skipped")]
    # Issues 1-41 exist: the pull request is #42, the number the payload names.
    r = await srv.http.post("/repos/octo-org/demo/pulls", json={
        "title": "Add widget support", "head": OK_TO_TEST_BRANCH, "base": "main",
        "body": "This pull request adds widget support.\n\nCloses #41."})
    assert (r.status_code, r.json()["number"]) == (201, 42), r.text


async def ok_to_test_check(srv: Any, event: dict[str, Any], run_id: int) -> None:
    # github-script found the skipped integration-fork check run of the pull request's head and set
    # it to the job's status.
    head = (await srv.http.get("/repos/octo-org/demo/pulls/42")).json()["head"]["sha"]
    checks = (await srv.http.get(f"/repos/octo-org/demo/commits/{head}/check-runs")).json()
    assert [(c["name"], c["status"], c["conclusion"]) for c in checks["check_runs"]] == [
        ("integration-trusted", "completed", "skipped"), ("integration-fork", "completed", "success")]
    [job] = [j for j in await srv.jobs("octo-org/demo", run_id) if j["name"] == "integration-fork"]
    assert job["conclusion"] == "success" and job["head_sha"] != head


PARENT_WORKFLOW = """\
name: Parent - Receive Child Responses
on:
  repository_dispatch:
    types: [child-response]
jobs:
  show:
    runs-on: ubuntu-latest
    steps:
      - run: echo '${{ toJSON(github.event.client_payload) }}'
"""

#: A stand-in for http4k's bin/build_release_note.sh (not in the corpus): the CHANGELOG section of
#: the version given.
RELEASE_NOTE = """\
#!/bin/bash
sed -n "/^### v$1/,/^### v/p" CHANGELOG.md | sed '1d;$d'
"""

def command_comment_check(workflow: str) -> Check:
    """The command's comment got the step's ``body`` appended and a hooray reaction."""

    async def check(srv: Any, event: dict[str, Any], run_id: int) -> None:
        # create-or-update-comment v5: edit-mode append with the newline separator; the action reads
        # its body with core.getInput, which trims it.
        command = event["client_payload"]["github"]["payload"]["comment"]
        steps = YAML(typ="safe").load((CORPUS / "workflows" / workflow).read_text())["jobs"]
        body = next(iter(steps.values()))["steps"][0]["with"]["body"]
        body = body.replace("${{ github.event.client_payload.slash_command.args.all }}",
                            event["client_payload"]["slash_command"]["args"]["all"]).strip()
        comment = (await srv.http.get(f"/repos/octo-org/demo/issues/comments/{command['id']}")).json()
        assert comment["body"] == f"{command['body']}\n{body}"
        reactions = (await srv.http.get(f"/repos/octo-org/demo/issues/comments/{command['id']}/reactions")).json()
        assert [r["content"] for r in reactions] == ["hooray"]

    return check


CASES = [
    Case("actions__runner-images__create_github_release.yml", ".github/workflows/create_github_release.yml",
         "actions__runner-images__create_github_release__create-github-release.json", "success",
         log=(("dispatchd built-in ncipollo/release-action (in place of "
               "ncipollo/release-action@b7eabc95ff50cbeeedec83973935c8f306dfcd0b)"),),
         shas=("Commitish",), check=runner_images_release_check),
    # The release branch (one commit of updated docs ahead of main) is pushed as <branch>-docs to the
    # served repository; github-script finds no open pull request for it and opens one. The
    # repository has no PRAPPROVAL_SECRET secret: the reviewers step's github-token is empty, and
    # github-script fails before any API call (on GitHub too), as in merge_pull_request below.
    Case("actions__runner-images__create_pull_request.yml", ".github/workflows/create_pull_request.yml",
         "actions__runner-images__create_pull_request__create-pr.json", "failure",
         log=("No existing pull request found, creating new one",
              "Unhandled error: Error: Input required and not supplied: github-token"),
         commits={"ubuntu24/20250601.1": {"images/ubuntu/Ubuntu2404-Readme.md": "# Ubuntu 24.04\n- 20250601.1\n"}},
         check=create_pr_check),
    # The repository has no PRAPPROVAL_SECRET secret: `github-token: ${{ secrets.PRAPPROVAL_SECRET }}`
    # is empty, and github-script fails before any API call (on GitHub too). The merge and push
    # before it succeed (and the step sleeps 30 s as written).
    Case("actions__runner-images__merge_pull_request.yml", ".github/workflows/merge_pull_request.yml",
         "actions__runner-images__merge_pull_request__merge-pr.json", "failure",
         log=("Unhandled error: Error: Input required and not supplied: github-token",),
         refs=("ubuntu24/20250601.1-docs",)),
    # No release has the tag: getReleaseByTag answers 404 and the awaited call fails the script.
    Case("actions__runner-images__update_github_release.yml", ".github/workflows/update_github_release.yml",
         "actions__runner-images__update_github_release__update-github-release.json", "failure",
         log=("Unhandled error: HttpError: Not Found",)),
    Case("AutoModality__action-hello-world-docker__receive-dispatch.yml", ".github/workflows/receive-dispatch.yml",
         "AutoModality__action-hello-world-docker__receive-dispatch__release.json", "success",
         log=("3f4e5d6c7b8a99887766554433221100aabbccdd", "demo-package", "2.3.0",
              "Minor release with new widget API", "Minor Version"),
         refs=("refs/tags/v2.3.0",)),
    # ./scripts/*.sh are called without a checkout: the event's step fails (corpus README), the
    # `if: always()` github-script still runs and posts a commit status for a commit the
    # repository does not have, which fails too.
    *[Case("casa-vega__wf-dispatch__repository_dispatch.yml", ".github/workflows/repository_dispatch.yml",
           f"casa-vega__wf-dispatch__repository_dispatch__{event}.json", "failure",
           log=(f"Event type : {event}", f"./scripts/{script}.sh: No such file or directory"))
      for event, script in (("deploy", "deploy"), ("smoke-test", "smoke"), ("rollback", "rollback"))],
    # github-script@v2 with result-encoding string returns the tag name.
    Case("dzeyelid__playground-dispatch-event-receiver__repository-dispatch.yml",
         ".github/workflows/repository-dispatch.yml",
         "dzeyelid__playground-dispatch-event-receiver__repository-dispatch__generate-sdk.json", "success",
         log=('  "result": "v2.1.0"',
              "https://raw.githubusercontent.com/freee/freee-api-schema/v2.1.0/v2020_06_15/open-api-3/api-schema.yml")),
    # CHAINED dispatch: the second job sends child-response to octo-org/demo-parent (served by the
    # same server) with the PAT secret; the parent's workflow runs with that payload. GitHub refuses
    # the example event's 12 top-level properties (at most 10): the test checks that 422, then
    # sends it without `timestamp` and `repository`, which the workflow reads with fallbacks.
    Case("Endika__demo-repo-dispatch-child__receive-dispatch.yml", ".github/workflows/receive-dispatch.yml",
         "Endika__demo-repo-dispatch-child__receive-dispatch__trigger-build.json", "success",
         log=("📡 Event Type: trigger-build", "⚡ Command: /build",
              "dispatchd built-in peter-evans/repository-dispatch (in place of peter-evans/repository-dispatch@v3)",
              "📡 Target: octo-org/demo-parent"),
         secrets={"PAT": "TOKEN"}, check=child_response_check, drop=("timestamp", "repository")),
    Case("http4k__http4k__new-release-github.yml", ".github/workflows/new-release-github.yml",
         "http4k__http4k__new-release-github__http4k-release.json", "success",
         files={"bin/build_release_note.sh": RELEASE_NOTE,
                "CHANGELOG.md": "### v6.5.0.0\n- http4k-core: new things\n### v6.4.0.0\n- older\n"},
         log=(("dispatchd built-in actions/create-release (in place of "
               "actions/create-release@0cb9c9b65d5d1901c1f53e5e66eaf4afd303e70e)"),),
         check=http4k_release_check),
    # The fork's /ok-to-test: the job runs (the named sha prefixes the head sha) and checks out
    # refs/pull/42/merge; github-script then reads pull request #42, finds the integration-fork check
    # run of its head and completes it with the job's status.
    Case("imjohnbo__ok-to-test__integration.yml", ".github/workflows/integration.yml",
         "imjohnbo__ok-to-test__integration__ok-to-test-command.json", "success",
         log=("Integration tests... success! ;-)",),
         refs=("refs/pull/42/merge",), commits={OK_TO_TEST_BRANCH: ok_to_test_branch()}, issues=41,
         setup=ok_to_test_setup, check=ok_to_test_check),
    Case("k8s-school__gha-experiment__repository_dispatch.yml", ".github/workflows/repository_dispatch.yml",
         "k8s-school__gha-experiment__repository_dispatch__e2e.json", "success",
         log=("Branch received: main", "build success for image ", "Succeed to run e2e tests on cluster ")),
    # Served as the action's own repository, where `uses: ./` is the action: its action.yml without
    # the compiled dist/, so the built-in runs; it creates issue #1, then updates it.
    # The last step passes `reaction-type`, an input of create-or-update-comment v1 that v5 no longer
    # has: a warning, then a comment-id with neither body nor reactions, which v5 lets through (its
    # reactions are an empty array, truthy in JavaScript) and which does nothing.
    Case("peter-evans__create-issue-from-file__ciff-example-command.yml", ".github/workflows/ciff-example-command.yml",
         "peter-evans__create-issue-from-file__ciff-example-command__ciff-example-command.json", "success",
         log=("dispatchd built-in peter-evans/create-issue-from-file (in place of ./)", "Created issue #1",
              "Updated issue #1", "Applying labels 'report,automated issue'",
              ("##[warning]Unexpected input(s) 'reaction-type', valid inputs are ['token', 'repository', "
               "'issue-number', 'comment-id', 'body', 'body-path', 'body-file', 'edit-mode', 'append-separator', "
               "'reactions', 'reactions-edit-mode']")),
         files={"action.yml": action_yml("peter-evans__create-issue-from-file"),
                "example-content/output.md":
                    (CORPUS / "support/peter-evans__create-issue-from-file/example-content/output.md").read_text()},
         check=issue_from_file_check, repo="peter-evans/create-issue-from-file"),
    Case("peter-evans__repository-dispatch__on-repository-dispatch.yml", ".github/workflows/on-repository-dispatch.yml",
         "peter-evans__repository-dispatch__on-repository-dispatch__tests.json", "success",
         log=('  "ref": "refs/heads/main",', "3f4e5d6c7b8a99887766554433221100aabbccdd")),
    # The slash command's comment is not on this server: the reaction fails, which the action only
    # warns about.
    Case("peter-evans__slash-command-dispatch-processor__example-command.yml", ".github/workflows/example-command.yml",
         "peter-evans__slash-command-dispatch-processor__example-command__example-command.json", "success",
         log=("##[warning]Adding reaction 'hooray' to comment id '2500000017' failed.",),
         secrets={"ACTIONS_BOT_TOKEN": "TOKEN"}),
    # The PR branch is checked out, a commit is made and pushed with a bare `git push`.
    Case("peter-evans__slash-command-dispatch-processor__hello-world-pr-command.yml",
         ".github/workflows/hello-world-pr-command.yml",
         "peter-evans__slash-command-dispatch-processor__hello-world-pr-command__hello-world-pr-command.json", "success",
         refs=("fix/typo-in-docs",), secrets={"ACTIONS_BOT_TOKEN": "TOKEN"}),
    Case("peter-evans__slash-command-dispatch-processor__help-command.yml", ".github/workflows/help-command.yml",
         "peter-evans__slash-command-dispatch-processor__help-command__help-command.json", "success",
         secrets={"ACTIONS_BOT_TOKEN": "TOKEN"}, issues=17, comment=True,
         check=command_comment_check("peter-evans__slash-command-dispatch-processor__help-command.yml")),
    # The PR branch's last commit is not a bot's formatting commit: nothing is reverted.
    Case("peter-evans__slash-command-dispatch-processor__reset-demo.yml", ".github/workflows/reset-demo.yml",
         "peter-evans__slash-command-dispatch-processor__reset-demo__reset-demo-command.json", "success",
         log=("##[warning]Adding reaction 'hooray' to comment id '2500000043' failed.",),
         refs=("fix/typo-in-docs",), secrets={"ACTIONS_BOT_TOKEN": "TOKEN"}),
    # Issue #17 exists: the greeting is a new comment on it (the reaction on the command's comment,
    # which is not on this server, only warns).
    Case("peter-evans__slash-command-dispatch__hello-world-command.yml", ".github/workflows/hello-world-command.yml",
         "peter-evans__slash-command-dispatch__hello-world-command__hello-world-local-command.json", "success",
         log=("##[warning]Adding reaction 'hooray' to comment id '2500000017' failed.",),
         issues=17, check=hello_comment_check),
    Case("peter-evans__slash-command-dispatch__ping-command.yml", ".github/workflows/ping-command.yml",
         "peter-evans__slash-command-dispatch__ping-command__ping-local-command.json", "success",
         issues=17, comment=True, check=command_comment_check("peter-evans__slash-command-dispatch__ping-command.yml")),
    # The job's environment comes from the payload; secrets.FOO is not set, so it echoes an empty line.
    Case("technologiestiftung__repository-dispatch-poc__repository-dispatch.yml",
         ".github/workflows/repository-dispatch.yml",
         "technologiestiftung__repository-dispatch-poc__repository-dispatch__foo.json", "success",
         log=("staging",)),
]


def params() -> list[Any]:
    return [pytest.param(c, id=str(c), marks=[pytest.mark.xfail(reason=c.missing, strict=True)] if c.missing else [])
            for c in CASES]


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "octo", "GIT_AUTHOR_EMAIL": "octo@example.com",
           "GIT_COMMITTER_NAME": "octo", "GIT_COMMITTER_EMAIL": "octo@example.com"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)


def test_the_table_is_the_corpus_built_ins_list():
    index = json.loads((CORPUS / "index.json").read_text())
    listed = {(e["file"], e["original_path"], ev) for e in index if e["offline_runnable"] == "yes (built-ins)"
              for ev in e["events"]}
    assert {(c.workflow, c.path, c.event) for c in CASES} == listed
    assert len({c.workflow for c in CASES}) == 20


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Several workflows run `git config --global`: it must not reach the real home directory.
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)


@pytest.mark.parametrize("case", params())
async def test_corpus_workflow_with_built_ins(case: Case, start_server, make_git_repo, tmp_path: Path,
                                              isolated_home: None):
    text = (CORPUS / "workflows" / case.workflow).read_text()
    repo = make_git_repo({case.path: text, **case.files})
    if "bin/build_release_note.sh" in case.files:
        (repo / "bin/build_release_note.sh").chmod(0o755)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "executable")
    for ref in case.refs:
        git(repo, "update-ref", ref if ref.startswith("refs/") else f"refs/heads/{ref}", "HEAD")
    for branch, files in case.commits.items():
        git(repo, "checkout", "-q", "-b", branch)
        for rel, content in files.items():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            (repo / rel).write_text(content)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"on {branch}")
        git(repo, "checkout", "-q", "main")
    specs = [f"{case.repo}={repo}"]
    if case.check is child_response_check:
        parent = make_git_repo({".github/workflows/child-response.yml": PARENT_WORKFLOW}, path=tmp_path / "parent")
        specs.append(f"octo-org/demo-parent={parent}")
    srv = await start_server(specs)
    for name, value in case.secrets.items():
        r = await srv.http.put(f"/repos/{case.repo}/dispatchd/secrets/{name}",
                               json={"value": TOKEN if value == "TOKEN" else value})
        assert r.status_code == 201, r.text
    for n in range(case.issues):
        r = await srv.http.post(f"/repos/{case.repo}/issues", json={"title": f"issue {n + 1}"})
        assert r.status_code == 201, r.text
    event = json.loads((CORPUS / "events" / case.event).read_text())
    payload = event["client_payload"]
    for key in case.shas:
        payload[key] = served_git(srv, "rev-parse", "HEAD")
    if case.comment:
        command = payload["github"]["payload"]["comment"]
        r = await srv.http.post(f"/repos/{case.repo}/issues/{payload['github']['payload']['issue']['number']}/comments",
                                json={"body": command["body"]})
        assert r.status_code == 201, r.text
        command["id"] = r.json()["id"]
    if case.setup is not None:
        await case.setup(srv)
    before = len(await srv.runs(case.repo))
    if case.drop:
        r = await srv.dispatch(case.repo, event["action"], payload)
        assert r.status_code == 422 and "No more than 10 properties are allowed" in r.json()["message"], r.text
        payload = {k: v for k, v in payload.items() if k not in case.drop}
    r = await srv.dispatch(case.repo, event["action"], payload)
    assert r.status_code == 204, r.text
    runs = await srv.wait_runs(case.repo, before + 1, timeout=90)
    assert len(runs) == before + 1
    run = runs[0]  # the newest
    jobs = await srv.jobs(case.repo, run["id"])
    log = "\n".join([printed(await srv.log(case.repo, j["id"])) for j in jobs])
    assert run["conclusion"] == case.conclusion, log
    for expected in case.log:
        assert expected in log, f"{expected!r} not in:\n{log}"
    if case.check is not None:
        await case.check(srv, event, run["id"])
