"""Built-in ``peter-evans/close-issue``: optionally comment, then close an issue with a reason.

GitHub source: ``peter-evans/close-issue: src/main.ts`` (v2: ``comment`` first, then
``issues.update`` with ``state: closed`` and ``state_reason`` from ``close-reason``).
"""

from __future__ import annotations

from typing import ClassVar

from dispatchd.runner.actions.builtins import Api, Builtin, StepFailed, info
from dispatchd.runner.jobstate import JobState, StepRun


class CloseIssue(Builtin):
    action = "peter-evans/close-issue"
    # action.yml of peter-evans/close-issue v2.
    inputs: ClassVar[dict[str, str | None]] = {
        "token": "${{ github.token }}",
        "repository": "${{ github.repository }}",
        "issue-number": "${{ github.event.issue.number }}",
        "close-reason": "completed",
        "comment": None,
    }

    async def act(self, job: JobState, step: StepRun, inputs: dict[str, str]) -> str:
        number = inputs.get("issue-number") or ""
        if not number:
            raise StepFailed("Missing 'issue-number'.")
        api = Api(job, inputs.get("token") or "")
        repository = inputs["repository"]
        if inputs.get("comment"):
            await api.call(
                "POST", f"/repos/{repository}/issues/{number}/comments", {"body": inputs["comment"]}
            )
            info(job, f"Commented on issue #{number}.")
        await api.call(
            "PATCH",
            f"/repos/{repository}/issues/{number}",
            {"state": "closed", "state_reason": inputs.get("close-reason") or "completed"},
        )
        info(job, f"Closed issue #{number}.")
        return "success"
