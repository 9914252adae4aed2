"""workflow_dispatch and workflow_call inputs: declarations, typing, GitHub's refusals."""

from __future__ import annotations

import pytest

from dispatchd.workflow import (
    InputError,
    InputSpec,
    dispatch_inputs,
    load_workflow,
    resolve_call_inputs,
    resolve_dispatch_inputs,
)

DISPATCH = """\
on:
  workflow_dispatch:
    inputs:
      cve:
        required: true
      level:
        type: choice
        options: [low, high]
        default: low
      dry-run:
        type: boolean
        default: true
      retries:
        type: number
        default: 3
      note:
jobs:
  a:
    runs-on: x
    steps: [{run: echo}]
"""


@pytest.fixture
def workflow():
    return load_workflow(".github/workflows/d.yml", DISPATCH)


def test_declarations(workflow) -> None:
    specs = dispatch_inputs(workflow)
    assert list(specs) == ["cve", "level", "dry-run", "retries", "note"]
    assert specs["cve"] == InputSpec("cve", required=True)
    assert specs["level"] == InputSpec("level", "choice", default="low", options=["low", "high"])
    assert specs["note"] == InputSpec("note")


def test_typed_context_and_string_event_inputs(workflow) -> None:
    typed, texts = resolve_dispatch_inputs(workflow, {"cve": "CVE-2023-32681", "dry-run": "false", "retries": "5"})
    assert typed == {"cve": "CVE-2023-32681", "level": "low", "dry-run": False, "retries": 5, "note": ""}
    assert texts == {"cve": "CVE-2023-32681", "level": "low", "dry-run": "false", "retries": "5", "note": ""}
    typed, _ = resolve_dispatch_inputs(workflow, {"cve": "x", "dry-run": True, "retries": 2.5})
    assert typed["dry-run"] is True and typed["retries"] == 2.5


@pytest.mark.parametrize(("given", "message"), [
    ({"cve": "x", "extra": "1", "more": "2"}, 'Unexpected inputs provided: ["extra", "more"]'),
    ({}, "Required input 'cve' not provided"),
    ({"cve": "x", "level": "medium"}, "Provided value 'medium' for input 'level' not in the list of allowed values"),
    ({"cve": "x", "dry-run": "yes"}, "Provided value 'yes' for input 'dry-run' not in the list of allowed values"),
    ({"cve": "x", "retries": "many"}, "Provided value 'many' for input 'retries' is not a valid number"),
    ({f"i{n}": "v" for n in range(26)}, "A maximum of 25 inputs can be provided"),
])
def test_refusals(workflow, given: dict, message: str) -> None:
    with pytest.raises(InputError) as info:
        resolve_dispatch_inputs(workflow, given)
    assert str(info.value) == message


CALLED = """\
on:
  workflow_call:
    inputs:
      cve: {type: string, required: true}
      strict: {type: boolean}
      limit: {type: number, default: 10}
      label: {type: string}
jobs:
  a:
    runs-on: x
    steps: [{run: echo}]
"""


def test_call_inputs_defaults_and_types() -> None:
    workflow = load_workflow(".github/workflows/c.yml", CALLED)
    assert resolve_call_inputs(workflow, {"cve": "X"}) == {"cve": "X", "strict": False, "limit": 10, "label": ""}
    assert resolve_call_inputs(workflow, {"cve": 12, "strict": True})["cve"] == "12"
    with pytest.raises(InputError, match="Input cve is required, but not provided while calling."):
        resolve_call_inputs(workflow, {})
    with pytest.raises(InputError, match="Invalid input, other is not defined in the referenced workflow."):
        resolve_call_inputs(workflow, {"cve": "X", "other": 1})
    with pytest.raises(InputError, match="Unexpected value 'yes'"):
        resolve_call_inputs(workflow, {"cve": "X", "strict": "yes"})
