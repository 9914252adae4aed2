"""The corpus workflows that need nothing but ``run:`` steps (README column "offline" = ``yes``)
run with their events to the conclusion GitHub gives them, through the server and through
``dispatchd run``, and print the payload values where the workflow prints them.

The expectations below were worked out by reading each workflow as GitHub runs it (default shell
``bash -e {0}``, expressions substituted into the script before it runs, ``toJSON`` indented by two
spaces), not from what dispatchd does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from shared_data import CORPUS


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
    #: the run's name: the workflow's ``name:``, else its path
    name: str
    #: ``(job name, (step names…))`` for every job; a ``run:`` step without ``name:`` is called
    #: ``Run <first line of the script>``
    jobs: tuple[tuple[str, tuple[str, ...]], ...]
    #: lines the job prints one after another (outside the ``##[group]Run …`` echo of the script)
    log: tuple[str, ...]

    def __str__(self) -> str:
        return self.workflow.split("__")[0]


CASES = [
    Case("Be-WTurner__fake-docs__receive-dispatch.yml", ".github/workflows/receive-dispatch.yml",
         "Be-WTurner__fake-docs__receive-dispatch__app-pr-analyzed.json",
         "success", "Receive Analysis from fake-app",
         (("handle", ("Print received payload",)),),
         ("Decision:    docs-update-needed",
          "PR Number:   42",
          "PR Title:    Add widget support",
          "PR URL:      https://github.com/octo-org/demo-app/pull/42",
          "Explanation: The PR adds a public configuration option that is not documented yet.")),
    # The file ends without a newline after the `run: |` block; the script is still one line.
    Case("clockcrockwork__ccc-summary-metrics__repository_dispatch.yml", ".github/workflows/repository_dispatch.yml",
         "clockcrockwork__ccc-summary-metrics__repository_dispatch__vps-summary-ready.json",
         "success", "VPS Dispatch Handler",
         (("handle", ("Acknowledge",)),),
         ("Triggered by VPS dispatch: daily summary ready for 2025-06-01",)),
    # github.event.action is the event type; toJSON(client_payload) is pretty-printed with two
    # spaces and survives the single quotes because it contains none.
    Case("FeedbackLoopEngineering__gitops-manifest-example__receive-dispatch.yml",
         ".github/workflows/receive-dispatch.yml",
         "FeedbackLoopEngineering__gitops-manifest-example__receive-dispatch__new-tag.json",
         "success", "Receive dispatch",
         (("log-dispatch", ("Log dispatch payload",)),),
         ("Event type: new-tag",
          "Tag: v1.4.0",
          "Type: release",
          "Project: demo-service",
          "PR number: 42",
          "PR URL: https://github.com/octo-org/demo/pull/42",
          "",
          "Full payload:",
          "{",
          '  "tag": "v1.4.0",',
          '  "type": "release",',
          '  "project": "demo-service",',
          '  "pr_number": 42,',
          '  "pr_url": "https://github.com/octo-org/demo/pull/42"',
          "}")),
    Case("henrywhitaker3__trigger-external-workflow-action__example-receiver.yml",
         ".github/workflows/example-receiver.yml",
         "henrywhitaker3__trigger-external-workflow-action__example-receiver__some_event.json",
         "success", "Example Receiver",
         (("some_event", ("Some event",)),),
         ("some_event trigger received", "bar")),
    # No `name:`: GitHub names the run after the file's path. The payload reaches the script
    # through the step's env; `echo $MESSAGE` word-splits it back with single spaces.
    Case("hyunho1027__lotto-bot__repository_dispatch.yml", ".github/workflows/repository_dispatch.yml",
         "hyunho1027__lotto-bot__repository_dispatch__on-demand-test.json",
         "success", ".github/workflows/repository_dispatch.yml",
         (("echo_message", ("Run echo $MESSAGE",)),),
         ("on-demand test from dashboard",)),
    # No payload use; `!` is no history expansion in a non-interactive bash.
    Case("JamesManningR__action-examples__repository_dispatch.yml", ".github/workflows/repository_dispatch.yml",
         "JamesManningR__action-examples__repository_dispatch__an-event.json",
         "success", "Repository Dispatch Event",
         (("echo", ("Say Something",)),),
         ("The Rest API told me to do it!",)),
    Case("remarkablemark__github-actions-workflows__repository-dispatch-workflow.yml",
         ".github/workflows/repository-dispatch-workflow.yml",
         "remarkablemark__github-actions-workflows__repository-dispatch-workflow__repository_dispatch_event.json",
         "success", "Repository Dispatch Workflow",
         (("repository-dispatch-workflow", ("Run echo Repository Dispatch Workflow",)),),
         ("Repository Dispatch Workflow",)),
]

_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?")


def printed(log: str) -> str:
    """What the steps printed: the log without timestamps and without the ``##[group]``…
    ``##[endgroup]`` blocks that echo each script and its shell."""
    lines, in_group = [], False
    for raw in log.splitlines():
        line = _TIMESTAMP.sub("", raw, count=1)
        if line.startswith("##[group]"):
            in_group = True
        elif line.startswith("##[endgroup]"):
            in_group = False
        elif not in_group:
            lines.append(line)
    return "\n".join(lines)


def assert_printed(log: str, lines: tuple[str, ...]) -> None:
    block = "\n".join(lines)
    assert f"\n{block}\n" in f"\n{printed(log)}\n", f"{block!r} not printed in:\n{log}"


def user_steps(steps: list[dict]) -> tuple[str, ...]:
    """The workflow's own steps (GitHub's jobs API adds "Set up job" and "Complete job")."""
    return tuple(s["name"] for s in steps if s["name"] not in ("Set up job", "Complete job"))


def make_repo(case: Case, make_git_repo) -> Path:
    text = (CORPUS / "workflows" / case.workflow).read_text()
    return make_git_repo({case.path: text})


def event_of(case: Case) -> dict:
    return json.loads((CORPUS / "events" / case.event).read_text())


def test_the_table_is_the_corpus_offline_yes_list():
    index = json.loads((CORPUS / "index.json").read_text())
    listed = {(e["file"], e["original_path"], ev) for e in index if e["offline_runnable"] == "yes"
              for ev in e["events"]}
    assert {(c.workflow, c.path, c.event) for c in CASES} == listed
    assert len(CASES) == 7


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_through_the_server(case: Case, start_server, make_git_repo):
    repo = make_repo(case, make_git_repo)
    event = event_of(case)
    # Served under the name the events were written for, so github.repository matches them.
    srv = await start_server([f"octo-org/demo={repo}"])
    r = await srv.dispatch("octo-org/demo", event["action"], event["client_payload"])
    assert r.status_code == 204, r.text
    runs = await srv.wait_runs("octo-org/demo", 1)
    assert len(runs) == 1
    run = runs[0]
    assert (run["name"], run["path"], run["event"], run["status"], run["conclusion"]) == (
        case.name, case.path, "repository_dispatch", "completed", case.conclusion)
    jobs = await srv.jobs("octo-org/demo", run["id"])
    assert all(j["status"] == "completed" for j in jobs)
    assert sorted((j["name"], user_steps(j["steps"])) for j in jobs) == sorted(case.jobs)
    if case.conclusion == "success":
        assert {j["conclusion"] for j in jobs} == {"success"}
        assert {s["conclusion"] for j in jobs for s in j["steps"]} == {"success"}
    log = "".join([await srv.log("octo-org/demo", j["id"]) for j in jobs])
    assert_printed(log, case.log)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_through_dispatchd_run(case: Case, make_git_repo):
    repo = make_repo(case, make_git_repo)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCHD_")}
    proc = subprocess.run(
        [sys.executable, "-m", "dispatchd", "run", "repository_dispatch",
         "--event", str(CORPUS / "events" / case.event), "--repo", str(repo), "--json"],
        check=False, capture_output=True, text=True, timeout=60, env=env, cwd=repo.parent)
    assert "Traceback" not in proc.stderr, proc.stderr
    result = json.loads(proc.stdout)
    assert proc.returncode == (0 if case.conclusion == "success" else 1), proc.stderr
    assert [(r["workflow"], r["name"], r["conclusion"]) for r in result["runs"]] == [
        (case.path, case.name, case.conclusion)]
    jobs = result["runs"][0]["jobs"]
    assert sorted((j["name"], user_steps(j["steps"])) for j in jobs) == sorted(case.jobs)
    if case.conclusion == "success":
        assert {j["conclusion"] for j in jobs} == {"success"}
        assert all(s["conclusion"] == "success" for j in jobs for s in j["steps"])
    assert_printed("".join(j["log"] for j in jobs), case.log)
