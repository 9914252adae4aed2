"""Built-in ``peter-evans/create-or-update-comment``: create a comment on an issue or pull
request, or update one (``edit-mode`` append/replace), and add reactions.

GitHub source: ``peter-evans/create-or-update-comment: src/main.ts`` (input checks and their
messages) and ``src/create-or-update-comment.ts`` (an update in ``append`` mode reads the comment
first and joins the bodies with ``append-separator``; reactions are added one by one and a failed
one is only a warning, ``Failed to set reaction on comment ID '<id>'.``). Output ``comment-id``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from dispatchd.runner.actions.builtins import Api, Builtin, StepFailed, info, multiline, warning
from dispatchd.runner.jobstate import JobState, StepRun

REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
SEPARATORS = {"newline": "\n", "space": " ", "none": ""}
#: GitHub's limit on a comment body; the action truncates with a warning.
MAX_BODY = 65_536


class CreateOrUpdateComment(Builtin):
    action = "peter-evans/create-or-update-comment"
    # action.yml of peter-evans/create-or-update-comment v5.
    inputs: ClassVar[dict[str, str | None]] = {
        "token": "${{ github.token }}",
        "repository": "${{ github.repository }}",
        "issue-number": None,
        "comment-id": None,
        "body": None,
        "body-path": None,
        "body-file": None,
        "edit-mode": "append",
        "append-separator": "newline",
        "reactions": None,
        "reactions-edit-mode": "append",
    }

    async def act(self, job: JobState, step: StepRun, inputs: dict[str, str]) -> str:
        edit_mode = inputs["edit-mode"]
        if edit_mode not in ("append", "replace"):
            raise StepFailed(f"Invalid edit-mode '{edit_mode}'.")
        if inputs["reactions-edit-mode"] not in ("append", "replace"):
            raise StepFailed(f"Invalid reactions edit-mode '{inputs['reactions-edit-mode']}'.")
        separator = inputs["append-separator"]
        if separator not in SEPARATORS:
            raise StepFailed(f"Invalid append-separator '{separator}'.")
        body_path = inputs.get("body-path") or inputs.get("body-file") or ""
        if body_path and inputs.get("body"):
            raise StepFailed("Only one of 'body' or 'body-path' can be set.")
        body = inputs.get("body") or ""
        if body_path:
            path = os.path.join(job.workspace, body_path)
            if not os.path.isfile(path):
                raise StepFailed(f"File '{body_path}' does not exist.")
            body = Path(path).read_text(encoding="utf-8")
        if len(body) > MAX_BODY:
            warning(job, step, f"Comment body is too long. Truncating to {MAX_BODY} characters.")
            body = body[:MAX_BODY]
        reactions = multiline(inputs.get("reactions") or "")
        comment_id = inputs.get("comment-id") or ""
        issue_number = inputs.get("issue-number") or ""
        if comment_id:
            if not body and not reactions:
                raise StepFailed("Missing comment 'body', 'body-path', or 'reactions'.")
        elif issue_number:
            if not body:
                raise StepFailed("Missing comment 'body' or 'body-path'.")
        else:
            raise StepFailed("Missing either 'issue-number' or 'comment-id'.")
        api = Api(job, inputs.get("token") or "")
        repository = inputs["repository"]
        if comment_id:
            if body:
                if edit_mode == "append":
                    current = await api.call("GET", f"/repos/{repository}/issues/comments/{comment_id}")
                    body = (current.json().get("body") or "") + SEPARATORS[separator] + body
                await api.call("PATCH", f"/repos/{repository}/issues/comments/{comment_id}", {"body": body})
                info(job, f"Updated comment id '{comment_id}'.")
            step.outputs["comment-id"] = comment_id
        else:
            created = await api.call(
                "POST", f"/repos/{repository}/issues/{issue_number}/comments", {"body": body}
            )
            comment_id = str(created.json()["id"])
            info(job, f"Created comment id '{comment_id}' on issue '{issue_number}'.")
            step.outputs["comment-id"] = comment_id
        await self.add_reactions(job, step, api, repository, comment_id, reactions)
        return "success"

    async def add_reactions(
        self, job: JobState, step: StepRun, api: Api, repository: str, comment_id: str, reactions: list[str]
    ) -> None:
        wanted = [r for r in dict.fromkeys(reactions) if r in REACTIONS]
        for reaction in wanted:
            response = await api.call(
                "POST",
                f"/repos/{repository}/issues/comments/{comment_id}/reactions",
                {"content": reaction},
                ok=tuple(range(400, 600)),
            )
            if response.status_code < 400:
                info(job, f"Added reaction '{reaction}' to comment id '{comment_id}'.")
            else:
                warning(job, step, f"Failed to set reaction on comment ID '{comment_id}'.")
