"""Built-in ``actions/create-release`` (v1, archived): create a release; outputs ``id``, ``html_url``
and ``upload_url``.

GitHub source: ``actions/create-release: src/create-release.js`` (v1.1.4). The token is the
``GITHUB_TOKEN`` environment variable (``new GitHub(process.env.GITHUB_TOKEN)``: without it every
call answers 401 ``Bad credentials``). ``tag_name`` is required (``Input required and not
supplied: tag_name``); a ``refs/tags/`` prefix is dropped from it and from ``release_name``;
``body_path``'s file wins over ``body`` (a file that cannot be read fails the step, and the release
is still created with ``body``); ``commitish`` defaults to ``github.sha``; ``owner``/``repo``
default to the workflow's repository. Errors are Octokit 16's messages: the API's ``message``,
then ``: `` and each of its ``errors`` as JSON.
"""

from __future__ import annotations

import json
import os
from typing import ClassVar

import httpx

from dispatchd.runner.actions.builtins import Api, Builtin, StepFailed
from dispatchd.runner.jobstate import JobState, StepRun

ANY_ERROR = tuple(range(400, 600))


def read_file(job: JobState, path: str) -> str:
    """``fs.readFileSync(path, 'utf8')`` from the workspace (the action's working directory); an
    OSError carries Node's message (``ENOENT: no such file or directory, open '<path>'``)."""
    try:
        with open(os.path.join(job.workspace, path), encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        raise OSError(f"ENOENT: no such file or directory, open '{path}'") from None
    except IsADirectoryError:
        raise OSError("EISDIR: illegal operation on a directory, read") from None


def legacy_octokit_message(response: httpx.Response) -> str:
    """An ``HttpError`` message of ``@octokit/request`` 5.3 (bundled by the action): the API's
    ``message``, then ``: `` and its ``errors`` as compact JSON, comma-separated."""
    try:
        data = response.json()
    except ValueError:
        return response.text
    if not isinstance(data, dict) or "message" not in data:
        return response.text
    errors = data.get("errors")
    if isinstance(errors, list) and errors:
        listed = ", ".join(json.dumps(e, separators=(",", ":"), ensure_ascii=False) for e in errors)
        return f"{data['message']}: {listed}"
    return str(data["message"])


class CreateRelease(Builtin):
    action = "actions/create-release"
    # action.yml of actions/create-release v1.1.4.
    inputs: ClassVar[dict[str, str | None]] = {
        "tag_name": None,
        "release_name": None,
        "body": None,
        "body_path": None,
        "draft": "false",
        "prerelease": "false",
        "commitish": None,
        "owner": None,
        "repo": None,
    }

    async def act(self, job: JobState, step: StepRun, inputs: dict[str, str]) -> str:
        github = job.contexts["github"]
        tag_name = inputs.get("tag_name") or ""
        if not tag_name:
            raise StepFailed("Input required and not supplied: tag_name")
        outcome = "success"
        body = inputs.get("body") or ""
        if inputs.get("body_path"):
            try:
                body = read_file(job, inputs["body_path"]) or body
            except OSError as error:
                step.error(job, str(error))  # core.setFailed, and the action goes on
                outcome = "failure"
        current_owner, _, current_repo = str(github.get("repository") or "").partition("/")
        owner = inputs.get("owner") or current_owner
        repo = inputs.get("repo") or current_repo
        token = step.env.get("GITHUB_TOKEN") or ""
        if not token:
            # Octokit sends "token undefined", which the API refuses.
            raise StepFailed("Bad credentials")
        release = {
            "tag_name": tag_name.replace("refs/tags/", "", 1),
            "name": (inputs.get("release_name") or "").replace("refs/tags/", "", 1),
            "body": body,
            "draft": inputs.get("draft") == "true",
            "prerelease": inputs.get("prerelease") == "true",
            "target_commitish": inputs.get("commitish") or str(github.get("sha") or ""),
        }
        response = await Api(job, token).call("POST", f"/repos/{owner}/{repo}/releases", release, ok=ANY_ERROR)
        if response.status_code >= 400:
            raise StepFailed(legacy_octokit_message(response))
        created = response.json()
        for key in ("id", "html_url", "upload_url"):
            step.outputs[key] = str(created[key])
        return outcome
