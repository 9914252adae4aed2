"""Status functions and ``if:`` conditions.

Data: actions/runner's ``ConditionFunctionsL0.cs`` transcribed in
``conformance/actions-runner/condition-functions.json`` (conformance/README.md §3).
"""

from __future__ import annotations

import json

import pytest
from shared_data import CONFORMANCE

from dispatchd.expressions import ExpressionError, condition_expression, evaluate, evaluate_condition

CASES = json.loads((CONFORMANCE / "actions-runner" / "condition-functions.json").read_text())


def _status(case: dict) -> str:
    # Inside a composite action the functions answer for the action's own status when it has
    # one; a job (or action) still running without a result counts as success.
    if case["in_composite_action"] and case.get("action_status"):
        return case["action_status"]
    return case["job_status"] or "success"


@pytest.mark.parametrize(
    "case", CASES, ids=lambda c: f"{c['source']}-{c['job_status']}-{c.get('action_status')}"
)
def test_runner_case(case):
    assert evaluate(case["expr"], {}, job_status=_status(case)) is case["expected"]
    assert evaluate_condition(case["expr"], {}, job_status=_status(case)) is case["expected"]


def test_runner_case_count():
    assert len(CASES) == 26


def test_status_functions_are_unknown_without_a_job_status():
    with pytest.raises(ExpressionError) as info:
        evaluate("success()", {})
    assert info.value.kind == "parsing"
    assert info.value.message == "Unrecognized function: 'success'"


@pytest.mark.parametrize(
    ("condition", "status", "expected"),
    [
        (None, "success", True),
        (None, "failure", False),
        ("", "success", True),
        ("   ", "cancelled", False),
        (True, "success", True),
        (True, "failure", False),  # `if: true` is `success() && (true)`
        (False, "success", False),
        ("github.x == 'a'", "success", True),
        ("${{ github.x == 'a' }}", "success", True),
        ("  ${{ github.x == 'b' }}  ", "success", False),
        ("github.x == 'a'", "failure", False),
        ("failure() && github.x == 'a'", "failure", True),
        ("always()", "cancelled", True),
        ("cancelled() || github.x", "success", True),
        ("!cancelled()", "failure", True),
        ("ALWAYS()", "failure", True),  # function names are case-insensitive
        ("github.missing", "success", False),
        ("'false'", "success", True),  # a non-empty string is truthy
        # Mixed text is a format() string: always truthy (GitHub's documented trap).
        ("${{ false }} && ${{ false }}", "success", True),
    ],
)
def test_condition(condition, status, expected):
    assert evaluate_condition(condition, {"github": {"x": "A"}}, job_status=status) is expected


def test_condition_does_not_evaluate_after_a_failed_status():
    # success() && (fromJSON('x')): the right side is never evaluated when the job failed.
    assert evaluate_condition("fromJSON('not json')", {}, job_status="failure") is False
    with pytest.raises(ExpressionError) as info:
        evaluate_condition("fromJSON('not json')", {}, job_status="success")
    assert info.value.kind == "evaluation"


def test_condition_expression_rewrites():
    assert condition_expression(None) == "success()"
    assert condition_expression("${{ a }}") == "a"
    assert condition_expression("x ${{ a }}") == "format('x {0}', a)"
    assert condition_expression(True) == "true"


@pytest.mark.parametrize(
    ("condition", "status", "expected"),
    [
        ("failure('build')", "failure", True),
        ("failure('test')", "failure", False),
        ("success('test')", "failure", True),
        ("success('test', 'BUILD')", "failure", False),
        ("success('nope')", "success", False),
        ("success('test')", "cancelled", False),
    ],
)
def test_job_level_status_functions_with_job_ids(condition, status, expected):
    needs = {"needs": {"build": {"result": "failure"}, "test": {"result": "success"}}}
    assert evaluate_condition(condition, needs, job_status=status) is expected
