"""For the reader cases GitHub accepts, our model has the same jobs, needs and step ids.

The expected JSON is GitHub's internal model (``{"jobs": [{"id", "needs", "steps": [{"id"}]}]}``);
ids may be plain strings or source-carrying tokens (``{"lit": ...}``).
"""

from __future__ import annotations

from typing import Any

import pytest
from reader_cases import ReaderCase, all_cases, parse_options

from dispatchd.workflow import load_workflow

ACCEPTED = [c for c in all_cases() if c.expected_errors is None and "jobs" in c.model
            and c.name != "on-workflow_dispatch-unknown-keys-ignored.yml"]  # see the conformance test


def _literal(token: Any) -> Any:
    return token.get("lit", token.get("value")) if isinstance(token, dict) else token


@pytest.mark.parametrize("case", ACCEPTED, ids=[c.name for c in ACCEPTED])
def test_jobs_needs_and_step_ids_match_githubs_model(case: ReaderCase) -> None:
    workflow = load_workflow(case.path, case.workflow, resolve=case.called.get, options=parse_options(case.options))
    expected_jobs = case.model["jobs"]
    assert list(workflow.jobs) == [_literal(j["id"]) for j in expected_jobs]
    for expected in expected_jobs:
        job = workflow.jobs[_literal(expected["id"])]
        assert job.needs == [_literal(n) for n in expected.get("needs") or []]
        if expected.get("steps"):
            assert job.step_ids == [_literal(s["id"]) for s in expected["steps"]]
