"""The runner contract travels as JSON (in-process today, over HTTP for remote runners)."""

from __future__ import annotations

import json

from dispatchd import runner
from dispatchd.runner import JobAssignment, JobResult


def test_public_surface_is_complete() -> None:
    assert sorted(runner.__all__) == ["JobAssignment", "JobReporter", "JobResult", "StepResult", "run_job"]
    for name in runner.__all__:
        assert getattr(runner, name) is not None


async def test_assignment_and_result_round_trip_through_json(run, make_assignment) -> None:
    assignment = make_assignment(
        [{"id": "a", "run": 'echo "::warning::w"\necho "x=1" >> "$GITHUB_OUTPUT"'}],
        outputs={"x": "${{ steps.a.outputs.x }}"},
    )
    again = JobAssignment.from_json(json.loads(json.dumps(assignment.to_json())))
    assert again == assignment
    result, _ = await run(assignment.steps, outputs=assignment.outputs)
    back = JobResult.from_json(json.loads(json.dumps(result.to_json())))
    assert back == result
    assert back.outputs == {"x": "1"} and back.annotations[0]["message"] == "w"


def test_old_result_json_without_new_fields_still_loads() -> None:
    result = JobResult.from_json({"conclusion": "success", "outputs": {}, "steps": [], "error": None})
    assert result.annotations == [] and result.summary == ""
