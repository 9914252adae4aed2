"""Built-in ``peter-evans/create-or-update-comment``: create a comment on an issue or pull
request, or update one (``edit-mode`` append/replace), and add reactions.

GitHub source: ``peter-evans/create-or-update-comment: src/main.ts`` (input checks and their
messages) and ``src/create-or-update-comment.ts`` (an update in ``append`` mode reads the comment
first and joins the bodies with ``append-separator``; a body over 65,536 characters is truncated
with a warning; unknown reactions are skipped with a warning; reactions are added one by one and a
failed one is only a warning, ``Adding reaction '<r>' to comment id '<id>' failed.``; with
``reactions-edit-mode: replace`` the token user's other reactions are removed first). Output
``comment-id``, set before the reactions are added.

``reactions`` is an array in the action, and an empty array is truthy in JavaScript: a
``comment-id`` with neither body nor reactions passes the action's "missing" check and does
nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from dispatchd.runner.actions.builtins import Api, Builtin, StepFailed, http_error, info, multiline, warning
from dispatchd.runner.jobstate import JobState, StepRun

REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
SEPARATORS = {"newline": "\n", "space": " ", "none": ""}
#: GitHub's limit on a comment body; the action truncates with a warning and this marker.
MAX_BODY = 65_536
TRUNCATED = "...*[Comment body truncated]*"
ANY_ERROR = tuple(range(400, 600))


def truncate(job: JobState, step: StepRun, body: str) -> str:
    if len(body) > MAX_BODY:
        warning(job, step, f"Comment body is too long. Truncating to {MAX_BODY} characters.")
        return body[: MAX_BODY - len(TRUNCATED)] + TRUNCATED
    return body


def valid_reactions(job: JobState, step: StepRun, reactions: list[str]) -> list[str]:
    """The action's ``getReactionsSet``: known reactions, each once; others skipped with a warning."""
    valid: list[str] = []
    for reaction in reactions:
        if reaction not in REACTIONS:
            warning(job, step, f"Skipping invalid reaction '{reaction}'.")
        elif reaction not in valid:
            valid.append(reaction)
    return valid


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
        reactions = multiline(inputs.get("reactions") or "")
        comment_id = inputs.get("comment-id") or ""
        issue_number = inputs.get("issue-number") or ""
        if not comment_id:
            if not issue_number:
                raise StepFailed("Missing either 'issue-number' or 'comment-id'.")
            if not body:
                raise StepFailed("Missing comment 'body' or 'body-path'.")
        api = Api(job, inputs.get("token") or "")
        repository = inputs["repository"]
        comments = f"/repos/{repository}/issues/comments"
        if comment_id:
            if body:
                if edit_mode == "append":
                    current = await api.call("GET", f"{comments}/{comment_id}")
                    body = (current.json().get("body") or "") + SEPARATORS[separator] + body
                body = truncate(job, step, body)
                await api.call("PATCH", f"{comments}/{comment_id}", {"body": body})
                info(job, f"Updated comment id '{comment_id}'.")
        else:
            body = truncate(job, step, body)
            created = await api.call(
                "POST", f"/repos/{repository}/issues/{issue_number}/comments", {"body": body}
            )
            comment_id = str(created.json()["id"])
            info(job, f"Created comment id '{comment_id}' on issue '{issue_number}'.")
        step.outputs["comment-id"] = comment_id
        wanted = valid_reactions(job, step, reactions)
        if inputs.get("comment-id") and inputs["reactions-edit-mode"] == "replace":
            await self.remove_other_reactions(job, step, api, f"{comments}/{comment_id}", wanted)
        for reaction in wanted:
            added = await api.call(
                "POST", f"{comments}/{comment_id}/reactions", {"content": reaction}, ok=ANY_ERROR
            )
            if added.status_code < 400:
                info(job, f"Added reaction '{reaction}' to comment id '{comment_id}'.")
            else:
                warning(job, step, f"Adding reaction '{reaction}' to comment id '{comment_id}' failed.")
        return "success"

    async def remove_other_reactions(
        self, job: JobState, step: StepRun, api: Api, comment: str, keep: list[str]
    ) -> None:
        comment_id = comment.rsplit("/", 1)[-1]
        me = await api.call("GET", "/user", ok=ANY_ERROR)
        if me.status_code < 400:
            login = me.json().get("login")
        elif "Resource not accessible by integration" in http_error(me):
            login = "github-actions[bot]"  # the job's GITHUB_TOKEN
        else:
            raise StepFailed(http_error(me))
        listed = await api.call("GET", f"{comment}/reactions?per_page=100")
        for reaction in listed.json():
            if (reaction.get("user") or {}).get("login") != login or reaction.get("content") in keep:
                continue
            gone = await api.call("DELETE", f"{comment}/reactions/{reaction['id']}", ok=ANY_ERROR)
            content = reaction.get("content")
            if gone.status_code < 400:
                info(job, f"Removed reaction '{content}' from comment id '{comment_id}'.")
            else:
                warning(job, step, f"Removing reaction '{content}' from comment id '{comment_id}' failed.")
