"""The needs graph: stages, order, cycles — and act's planner fixtures."""

from __future__ import annotations

import json

import pytest
from shared_data import CONFORMANCE

from dispatchd.workflow import (
    WorkflowError,
    check_needs,
    job_stages,
    load_workflow,
    match_event,
    topological_order,
    transitive_needs,
)


def test_stages_group_by_longest_needs_chain() -> None:
    needs = {"lint": [], "build": [], "test": ["build"], "deploy": ["test", "lint"], "notify": ["build"]}
    assert job_stages(needs) == [["lint", "build"], ["test", "notify"], ["deploy"]]
    assert topological_order(needs) == ["lint", "build", "test", "notify", "deploy"]
    assert transitive_needs(needs, "deploy") == {"test", "lint", "build"}


def test_long_chain_has_no_recursion_limit() -> None:
    needs = {"j0": []} | {f"j{i}": [f"j{i - 1}"] for i in range(1, 5000)}
    assert len(job_stages(needs)) == 5000
    assert topological_order(needs)[-1] == "j4999"


def test_cycles_and_unknown_jobs_use_githubs_messages() -> None:
    problems = check_needs([("one", []), ("two", [("one", 1), ("three", 2)]), ("three", [("two", 3)]),
                            ("four", [("nope", 4)])])
    assert problems == [
        (2, "Job 'two' depends on job 'three' which creates a cycle in the dependency graph."),
        (3, "Job 'three' depends on job 'two' which creates a cycle in the dependency graph."),
        (4, "Job 'four' depends on unknown job 'nope'."),
    ]
    assert check_needs([("a", [("b", 1)]), ("b", [("a", 2)])]) == [
        (None, "The workflow must contain at least one job with no dependencies.")]
    with pytest.raises(WorkflowError, match="depends on unknown job 'x'"):
        job_stages({"a": ["x"], "b": []})


PLANNER = json.loads((CONFORMANCE / "act" / "planner-cases.json").read_text())["planner"]


def _plan(case: dict) -> list[list[str]]:
    """act's planner over a folder or file: the matching workflows' stages, merged stage by stage."""
    base = CONFORMANCE / "act" / case["workdir"] / case["path"]
    files = sorted(p for p in base.iterdir() if p.suffix in (".yml", ".yaml")) if base.is_dir() else [base]
    merged: list[list[str]] = []
    for path in files:
        workflow = load_workflow(f".github/workflows/{path.name}", path.read_text())
        if case["event"] != "*" and not match_event(workflow, case["event"], {}).matched:
            continue
        for i, stage in enumerate(job_stages({k: j.needs for k, j in workflow.jobs.items()})):
            if i == len(merged):
                merged.append([])
            merged[i].extend(stage)
    return merged


@pytest.mark.parametrize("case", [c for c in PLANNER if c["expect"] == "plan" and not c.get("recurse")],
                         ids=lambda c: f"{c['test']}-{c['path']}-{c['event']}")
def test_act_planner_stages(case: dict) -> None:
    try:
        stages = _plan(case)
    except WorkflowError:
        # act skips a file it cannot plan (no `on:`); GitHub rejects it — either way it plans nothing.
        stages = []
    assert [sorted(s) for s in stages] == [sorted(s) for s in case["stages"]]


#: GitHub reserves ids starting with "__" (reader case errors-job-id-leading-underscores.yml); act does not.
_ACT_ONLY = {"invalid-job-name/valid-2.yml": "GitHub rejects job id '___valid-…': ids starting with '__' are reserved"}


@pytest.mark.parametrize("case", [
    pytest.param(c, marks=pytest.mark.xfail(reason=_ACT_ONLY[c["path"]], strict=True)) if c["path"] in _ACT_ONLY else c
    for c in PLANNER if c["expect"] in ("ok", "error") and "path" in c and not c.get("recurse")],
    ids=lambda c: f"{c['test']}-{c['path']}")
def test_act_planner_accepts_and_rejects_the_same_files(case: dict) -> None:
    base = CONFORMANCE / "act" / case["workdir"] / case["path"]
    files = sorted(p for p in base.iterdir() if p.suffix in (".yml", ".yaml")) if base.is_dir() else [base]
    rejected = []
    for path in files:
        try:
            load_workflow(f".github/workflows/{path.name}", path.read_text())
        except WorkflowError as error:
            rejected.append((path.name, str(error)))
    if case["expect"] == "ok":
        assert rejected == []
    else:
        assert rejected, case.get("error")
