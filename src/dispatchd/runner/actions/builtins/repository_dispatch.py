"""Built-in ``peter-evans/repository-dispatch``: ``POST /repos/{owner}/{repo}/dispatches`` at
``GITHUB_API_URL``, so a workflow can start workflows in its own or another repository on the
same dispatchd server (a chained dispatch).

GitHub source: ``peter-evans/repository-dispatch: src/main.ts`` (``client-payload`` is parsed as
JSON; a 404 is reported as ``Repository not found, OR token has insufficient permissions.``).
"""

from __future__ import annotations

import json
from typing import ClassVar

from dispatchd.runner.actions.builtins import Api, Builtin, StepFailed, http_error, info
from dispatchd.runner.jobstate import JobState, StepRun


class RepositoryDispatch(Builtin):
    action = "peter-evans/repository-dispatch"
    # action.yml of peter-evans/repository-dispatch v3.
    inputs: ClassVar[dict[str, str | None]] = {
        "token": "${{ github.token }}",
        "repository": "${{ github.repository }}",
        "event-type": None,
        "client-payload": "{}",
    }

    async def act(self, job: JobState, step: StepRun, inputs: dict[str, str]) -> str:
        api = Api(job, inputs.get("token") or "")
        try:
            payload = json.loads(inputs["client-payload"])
        except ValueError as error:
            raise StepFailed(f"client-payload is not JSON: {error}") from None
        repository = inputs["repository"]
        response = await api.call(
            "POST",
            f"/repos/{repository}/dispatches",
            {"event_type": inputs.get("event-type") or "", "client_payload": payload},
            ok=tuple(range(400, 600)),
        )
        if response.status_code == 404:
            raise StepFailed("Repository not found, OR token has insufficient permissions.")
        if response.status_code >= 400:
            raise StepFailed(http_error(response))
        info(job, f"Dispatched '{inputs.get('event-type')}' to {repository}.")
        return "success"
