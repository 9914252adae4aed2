"""Loading: YAML 1.2 rules, the plain-data model, and GitHub-formatted errors."""

from __future__ import annotations

import math

import pytest

from dispatchd.workflow import Diagnostic, Job, ParseOptions, Workflow, WorkflowError, load_workflow

PATH = ".github/workflows/ship.yml"


def errors_of(text: str, **kwargs) -> list[str]:
    with pytest.raises(WorkflowError) as info:
        load_workflow(PATH, text, **kwargs)
    return info.value.messages


MINIMAL = """\
on: repository_dispatch
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
"""


def test_minimal_workflow_model() -> None:
    workflow = load_workflow(PATH, MINIMAL)
    assert isinstance(workflow, Workflow)
    assert workflow.path == PATH
    assert workflow.name is None
    assert workflow.display_name == PATH
    assert workflow.on == {"repository_dispatch": None}
    assert list(workflow.jobs) == ["build"]
    job = workflow.jobs["build"]
    assert isinstance(job, Job)
    assert (job.id, job.name, job.needs, job.if_, job.runs_on) == ("build", None, [], None, "ubuntu-latest")
    assert job.steps == [{"run": "echo hi"}]
    assert (job.line, job.column) == (3, 3)
    assert job.step_ids == ["__run"]
    assert job.step_lines == [6]


def test_yaml_12_core_schema_scalars() -> None:
    text = """\
on:
  repository_dispatch:
    types: [yes, no, on, off]
env:
  OCTAL_LOOKING: 0755
  HEX: 0xff
  OCT: 0o10
  UNDERSCORE: 12_345
  DATE: 2002-12-14
  SEXAGESIMAL: 1:30
  FLOAT: 3.10
  INF: .inf
  NULLISH: ~
  BOOL: True
  QUOTED: "true"
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
"""
    workflow = load_workflow(PATH, text)
    assert workflow.on == {"repository_dispatch": {"types": ["yes", "no", "on", "off"]}}
    env = workflow.env
    assert env["OCTAL_LOOKING"] == 755
    assert env["HEX"] == 255
    assert env["OCT"] == 8
    assert env["UNDERSCORE"] == "12_345"
    assert env["DATE"] == "2002-12-14"
    assert env["SEXAGESIMAL"] == "1:30"
    assert env["FLOAT"] == 3.1
    assert math.isinf(env["INF"])
    assert env["NULLISH"] is None
    assert env["BOOL"] is True
    assert env["QUOTED"] == "true"


def test_on_key_is_a_string_in_every_form() -> None:
    for on, expected in [
        ("on: repository_dispatch", {"repository_dispatch": None}),
        ("on: [push, repository_dispatch]", {"push": None, "repository_dispatch": None}),
        ('"on":\n  repository_dispatch:\n    types: [deploy]', {"repository_dispatch": {"types": ["deploy"]}}),
    ]:
        text = on + "\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n"
        assert load_workflow(PATH, text).on == expected


def test_repository_dispatch_types_must_be_a_list() -> None:
    # GitHub's schema (both the languageservices and the runner copy): sequence-of-non-empty-string.
    text = "on:\n  repository_dispatch:\n    types: deploy\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n"
    assert errors_of(text) == [f"{PATH} (Line: 3, Col: 12): Unexpected value 'deploy'"]


def test_anchors_and_aliases_resolve() -> None:
    text = """\
on: repository_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    env: &shared
      A: "1"
    steps:
      - run: echo a
  b:
    runs-on: ubuntu-latest
    env: *shared
    steps:
      - run: echo b
"""
    workflow = load_workflow(PATH, text)
    assert workflow.jobs["b"].env == {"A": "1"}


def test_duplicate_keys_are_errors_case_insensitively() -> None:
    text = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    Runs-On: other
    steps: [{run: echo}]
"""
    assert errors_of(text) == [f"{PATH} (Line: 5, Col: 5): 'Runs-On' is already defined"]


def test_unknown_job_in_needs_message_and_position() -> None:
    text = """\
on: push
jobs:
  one:
    needs: two
    runs-on: ubuntu-latest
    steps: [{run: echo}]
  zero:
    runs-on: ubuntu-latest
    steps: [{run: echo}]
"""
    with pytest.raises(WorkflowError) as info:
        load_workflow(PATH, text)
    assert info.value.diagnostics == [Diagnostic(PATH, 4, 12, "Job 'one' depends on unknown job 'two'.")]
    assert str(info.value) == f"{PATH} (Line: 4, Col: 12): Job 'one' depends on unknown job 'two'."


def test_yaml_syntax_error_has_a_position() -> None:
    (message,) = errors_of("on: push\njobs: [a\n")
    assert message.startswith(f"{PATH} (Line: 3, Col: 1): ")


def test_unsupported_tag_is_reported_for_the_file() -> None:
    text = MINIMAL.replace("echo hi", "!!timestamp 2020-01-01")
    assert errors_of(text) == [f"{PATH}: Unexpected tag 'tag:yaml.org,2002:timestamp'"]


def test_contexts_allowed_per_key() -> None:
    text = """\
on: push
env:
  A: ${{ steps.x.outputs.y }}
jobs:
  build:
    if: env.FOO == 'x'
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ secrets.TOKEN }}
        if: secrets.TOKEN != ''
"""
    assert errors_of(text) == [
        (f"{PATH} (Line: 3, Col: 6): Unrecognized named-value: 'steps'. Located at position 1 within expression: "
        "steps.x.outputs.y"),
        (f"{PATH} (Line: 6, Col: 9): Unrecognized named-value: 'env'. Located at position 1 within expression: "
        "env.FOO == 'x'"),
        (f"{PATH} (Line: 10, Col: 13): Unrecognized named-value: 'secrets'. Located at position 1 within expression: "
        "secrets.TOKEN != ''"),
    ]


def test_job_level_status_functions_take_job_ids_step_level_do_not() -> None:
    ok = MINIMAL.replace("    runs-on", "    if: success('build') || failure()\n    runs-on")
    load_workflow(PATH, ok.replace("build:\n", "build:\n", 1))
    bad = MINIMAL.replace("      - run: echo hi", "      - run: echo hi\n        if: success('build')")
    (message,) = errors_of(bad)
    assert "Too many parameters supplied: 'success'" in message


def test_workflow_dispatch_inputs_rules() -> None:
    text = """\
on:
  workflow_dispatch:
    inputs:
      level:
        type: choice
      flag:
        type: boolean
        default: "yes"
      name:
        options: [a, b]
jobs:
  a:
    runs-on: x
    steps: [{run: echo}]
"""
    assert errors_of(text) == [
        f"{PATH} (Line: 5, Col: 9): Missing 'options' for choice input",
        f"{PATH} (Line: 8, Col: 18): Unexpected value 'yes'",
        f"{PATH} (Line: 10, Col: 18): Input type is not 'choice', but 'options' is defined",
    ]


def test_reusable_workflow_call_is_checked_against_the_called_file() -> None:
    called = """\
on:
  workflow_call:
    inputs:
      cve: {type: string, required: true}
      strict: {type: boolean}
jobs:
  x:
    runs-on: ubuntu-latest
    steps: [{run: echo}]
"""
    caller = """\
on: repository_dispatch
jobs:
  scan:
    uses: ./.github/workflows/scan.yml
    with:
      strict: maybe
      extra: 1
"""
    files = {"./.github/workflows/scan.yml": called}
    assert errors_of(caller, resolve=files.get) == [
        f"{PATH} (Line: 6, Col: 15): Unexpected value 'maybe'",
        f"{PATH} (Line: 7, Col: 14): Invalid input, extra is not defined in the referenced workflow.",
        f"{PATH} (Line: 4, Col: 11): Input cve is required, but not provided while calling.",
    ]
    workflow = load_workflow(PATH, caller.replace("maybe", "true").replace("extra: 1", "cve: x"), resolve=files.get)
    assert workflow.jobs["scan"].uses == "./.github/workflows/scan.yml"
    assert workflow.jobs["scan"].with_ == {"strict": True, "cve": "x"}


def test_limits_from_parse_options() -> None:
    assert errors_of(MINIMAL, options=ParseOptions(max_file_size=10)) == [
        f"{PATH}: The maximum file size of 10 characters has been exceeded"]
    assert errors_of(MINIMAL, options=ParseOptions(max_depth=3)) == [f"{PATH}: Maximum object depth exceeded"]


def test_at_most_ten_errors() -> None:
    jobs = "".join(f"  j{i}:\n    runs-on: x\n    bad{i}: 1\n    steps: [{{run: echo}}]\n" for i in range(15))
    assert len(errors_of("on: push\njobs:\n" + jobs)) == 10


def test_background_steps_are_rejected_unless_enabled() -> None:
    text = MINIMAL.replace("      - run: echo hi", "      - run: serve\n        background: true")
    assert errors_of(text) == [f"{PATH} (Line: 7, Col: 9): Unexpected value 'background'"]
    load_workflow(PATH, text, options=ParseOptions(background_steps=True))
