"""Built-in ``peter-evans/create-issue-from-file``: an issue whose body is a file's content,
created, or updated when ``issue-number`` is given; then labels and assignees. Output
``issue-number``.

GitHub source: ``peter-evans/create-issue-from-file: src/main.ts`` (a missing
``content-filepath`` only logs ``File not found at path '<path>'`` and ends the step with success; labels
and assignees are added, never replaced). dispatchd's issues API sets labels and assignees with
``PATCH /repos/{owner}/{repo}/issues/{number}``, so "add" is the union with what the issue has.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from dispatchd.runner.actions.builtins import Api, Builtin, info, multiline
from dispatchd.runner.jobstate import JobState, StepRun


class CreateIssueFromFile(Builtin):
    action = "peter-evans/create-issue-from-file"
    # action.yml of peter-evans/create-issue-from-file v6.
    inputs: ClassVar[dict[str, str | None]] = {
        "token": "${{ github.token }}",
        "repository": "${{ github.repository }}",
        "issue-number": None,
        "title": None,
        "content-filepath": None,
        "labels": None,
        "assignees": None,
    }

    async def act(self, job: JobState, step: StepRun, inputs: dict[str, str]) -> str:
        path = inputs.get("content-filepath") or ""
        full = os.path.join(job.workspace, path)
        if not path or not os.path.isfile(full):
            info(job, f"File not found at path '{path}'")
            return "success"
        content = Path(full).read_text(encoding="utf-8")
        api = Api(job, inputs.get("token") or "")
        repository = inputs["repository"]
        labels = multiline(inputs.get("labels") or "")
        assignees = multiline(inputs.get("assignees") or "")
        number = inputs.get("issue-number") or ""
        if number:
            issue = (
                await api.call(
                    "PATCH",
                    f"/repos/{repository}/issues/{number}",
                    {"title": inputs.get("title"), "body": content},
                )
            ).json()
            info(job, f"Updated issue #{number}")
        else:
            issue = (
                await api.call(
                    "POST", f"/repos/{repository}/issues", {"title": inputs.get("title"), "body": content}
                )
            ).json()
            number = str(issue["number"])
            info(job, f"Created issue #{number}")
        change: dict[str, list[str]] = {}
        if labels:
            info(job, f"Applying labels '{','.join(labels)}'")
            have = [label["name"] for label in issue.get("labels") or []]
            change["labels"] = list(dict.fromkeys(have + labels))
        if assignees:
            info(job, f"Applying assignees '{','.join(assignees)}'")
            have = [user["login"] for user in issue.get("assignees") or []]
            change["assignees"] = list(dict.fromkeys(have + assignees))
        if change:
            await api.call("PATCH", f"/repos/{repository}/issues/{number}", change)
        step.outputs["issue-number"] = number
        return "success"
