"""GITHUB_TOKEN permission grants and the reusable-workflow ceiling."""

from __future__ import annotations

import pytest

from dispatchd.workflow import Grant, ParseOptions, WorkflowError, load_workflow
from dispatchd.workflow.permissions import SHORTHAND_SCOPES, excess


def test_shorthands_and_mappings() -> None:
    read_all = Grant.parse("read-all")
    assert read_all is not None and read_all.scopes() == list(SHORTHAND_SCOPES)
    assert read_all.level("contents") == "read"
    mapping = Grant.parse({"contents": "write", "models": "read"})
    assert mapping is not None and mapping.level("issues") == "none" and mapping.level("models") == "read"
    assert Grant.parse(None) is None
    assert Grant.parse("${{ x }}") is None


def test_excess_lists_only_the_scopes_above_the_ceiling_in_githubs_order() -> None:
    requested = Grant({"packages": "write", "actions": "write", "contents": "read"})
    allowed = Grant.policy("LimitedRead")
    assert excess(requested, allowed) == ("actions: write, packages: write", "actions: none, packages: read")
    assert excess(Grant({"contents": "read"}), allowed) is None
    assert excess(Grant({"id-token": "write"}), Grant.policy("Write")) is None


CALLED = """\
on: workflow_call
jobs:
  deploy:
    name: Deploy
    permissions:
      deployments: write
    runs-on: ubuntu-latest
    steps: [{run: echo}]
"""
CALLER = """\
on: repository_dispatch
permissions:
  contents: read
jobs:
  ship:
    uses: ./.github/workflows/deploy.yml
"""


def test_called_job_may_not_exceed_the_caller() -> None:
    files = {"./.github/workflows/deploy.yml": CALLED}
    with pytest.raises(WorkflowError) as info:
        load_workflow(".github/workflows/ship.yml", CALLER, resolve=files.get)
    assert info.value.messages == [
        (".github/workflows/ship.yml (Line: 5, Col: 3): Error calling workflow './.github/workflows/deploy.yml'. "
        "The nested job 'Deploy' is requesting 'deployments: write', but is only allowed 'deployments: none'.")]
    granted = CALLER.replace("  contents: read", "  contents: read\n  deployments: write")
    load_workflow(".github/workflows/ship.yml", granted, resolve=files.get)


def test_repository_policy_is_the_ceiling_when_nothing_is_set() -> None:
    files = {"./.github/workflows/deploy.yml": CALLED}
    caller = CALLER.replace("permissions:\n  contents: read\n", "")
    load_workflow(".github/workflows/ship.yml", caller, resolve=files.get)  # permissive default
    with pytest.raises(WorkflowError, match="only allowed 'deployments: none'"):
        load_workflow(".github/workflows/ship.yml", caller, resolve=files.get,
                      options=ParseOptions(permissions_policy="LimitedRead"))
