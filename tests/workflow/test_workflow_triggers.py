"""Trigger matching: which events start a workflow, and the reason when they do not."""

from __future__ import annotations

import pytest

from dispatchd.workflow import WorkflowError, load_workflow, match_event, match_invalid, pattern_match


def wf(on: str):
    return load_workflow(".github/workflows/t.yml", f"on: {on}\njobs:\n  a:\n    runs-on: x\n    steps: [{{run: echo}}]\n")


def test_repository_dispatch_types_filter_is_exact_and_case_sensitive() -> None:
    workflow = wf("\n  repository_dispatch:\n    types: [cve-check-passed, Deploy]")
    assert match_event(workflow, "repository_dispatch", {"action": "cve-check-passed"}).matched
    result = match_event(workflow, "repository_dispatch", {"action": "deploy"})
    assert not result.matched
    assert result.reason == "event type 'deploy' is not in types [cve-check-passed, Deploy]"


def test_repository_dispatch_without_types_matches_every_event_type() -> None:
    for on in ("repository_dispatch", "[push, repository_dispatch]", "\n  repository_dispatch:"):
        result = match_event(wf(on), "repository_dispatch", {"action": "anything"})
        assert result.matched and "no types filter" in result.reason


def test_other_event_names_do_not_match() -> None:
    result = match_event(wf("[push, workflow_dispatch]"), "repository_dispatch", {"action": "x"})
    assert not result.matched
    assert result.reason == "workflow is not triggered by repository_dispatch (it runs on push, workflow_dispatch)"
    assert match_event(wf("[push, workflow_dispatch]"), "workflow_dispatch", {}).matched


def test_push_branch_tag_and_path_filters() -> None:
    workflow = wf("\n  push:\n    branches: [main, 'release/**', '!release/old*']\n    paths-ignore: ['docs/**']")
    assert match_event(workflow, "push", {"ref": "refs/heads/main"}).matched
    assert match_event(workflow, "push", {"ref": "refs/heads/release/v1/x"}).matched
    assert not match_event(workflow, "push", {"ref": "refs/heads/release/old-1"}).matched
    result = match_event(workflow, "push", {"ref": "refs/heads/dev"})
    assert result.reason == "branch 'dev' does not match branches [main, release/**, !release/old*]"
    result = match_event(workflow, "push", {"ref": "refs/tags/v1"})
    assert not result.matched and "filters on branches only" in result.reason
    docs_only = {"ref": "refs/heads/main", "commits": [{"modified": ["docs/a.md"], "added": [], "removed": []}]}
    assert not match_event(workflow, "push", docs_only).matched
    mixed = {"ref": "refs/heads/main", "commits": [{"modified": ["docs/a.md", "src/x.py"]}]}
    assert match_event(workflow, "push", mixed).matched


def test_pull_request_default_activity_types() -> None:
    workflow = wf("pull_request")
    assert match_event(workflow, "pull_request", {"action": "opened"}).matched
    result = match_event(workflow, "pull_request", {"action": "closed"})
    assert result.reason == "activity type 'closed' is not in types [opened, synchronize, reopened]"


@pytest.mark.parametrize(("patterns", "value", "expected"), [
    (["*"], "main", True),
    (["*"], "feature/x", False),
    (["**"], "feature/x", True),
    (["v[12].*"], "v1.0", True),
    (["v[12].*"], "v3.0", False),
    (["v2?.0"], "v.0", True),   # ? = zero or one of the preceding character
    (["ma+in"], "maaain", True),
    (["**.js", "!docs/**"], "docs/a.js", False),
    (["!docs/**", "**.js"], "docs/a.js", True),
])
def test_filter_patterns(patterns: list[str], value: str, expected: bool) -> None:
    assert pattern_match(patterns, value) is expected


def test_invalid_files_are_matched_by_their_readable_triggers() -> None:
    broken = "on:\n  repository_dispatch:\n    types: [deploy]\njobs:\n  a:\n    steps: [{run: echo}]\n"
    with pytest.raises(WorkflowError, match="Required property is missing: runs-on"):
        load_workflow(".github/workflows/b.yml", broken)
    assert match_invalid(".github/workflows/b.yml", broken, "repository_dispatch", {"action": "deploy"}).matched
    other = match_invalid(".github/workflows/b.yml", broken, "repository_dispatch", {"action": "x"})
    assert (other.matched, other.reason) == (False, "event type 'x' is not in types [deploy]")
    unreadable = match_invalid(".github/workflows/b.yml", "on: [push\n", "repository_dispatch", {"action": "x"})
    assert unreadable.matched
    assert unreadable.reason == "the workflow file is invalid and its triggers cannot be read"


def test_tag_filters_and_branch_only_pushes() -> None:
    workflow = wf("\n  push:\n    tags: ['v*']\n    tags-ignore: ['v0*']")
    assert match_event(workflow, "push", {"ref": "refs/tags/v1.2"}).matched
    assert match_event(workflow, "push", {"ref": "refs/tags/v0.9"}).reason == (
        "tag 'v0.9' matches tags-ignore [v0*]")
    assert match_event(workflow, "push", {"ref": "refs/heads/main"}).reason == (
        "branch 'main' was pushed but the workflow filters on tags only")


def test_pull_request_base_branch_and_workflow_run_filters() -> None:
    pr = wf("\n  pull_request:\n    types: [opened]\n    branches: [main]")
    event = {"action": "opened", "pull_request": {"base": {"ref": "develop"}}}
    assert match_event(pr, "pull_request", event).reason == "base branch 'develop' does not match branches [main]"
    event["pull_request"]["base"]["ref"] = "main"
    assert match_event(pr, "pull_request", event).matched
    run = wf("\n  workflow_run:\n    workflows: [CI]\n    types: [completed]\n    branches-ignore: [wip]")
    ok = {"action": "completed", "workflow": {"name": "CI"}, "workflow_run": {"head_branch": "main"}}
    assert match_event(run, "workflow_run", ok).matched
    assert match_event(run, "workflow_run", {**ok, "workflow": {"name": "Lint"}}).reason == (
        "workflow 'Lint' is not in workflows [CI]")
    assert match_event(run, "workflow_run", {**ok, "workflow_run": {"head_branch": "wip"}}).reason == (
        "branch 'wip' matches branches-ignore [wip]")
    assert match_event(wf("workflow_dispatch"), "workflow_dispatch", {}).reason == "triggered by workflow_dispatch"
