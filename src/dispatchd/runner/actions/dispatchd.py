"""dispatchd's own actions: wait for a dispatch without holding a runner, and mint a callback URL.

``uses: dispatchd/wait-for-dispatch@v1`` with inputs ``event-type`` (the repository_dispatch
``event_type`` to wait for; empty: any), ``match`` (an expression written without ``${{ }}``,
evaluated for each incoming dispatch with ``github.event`` bound to it and the job's other
contexts as they stood when the wait began) and ``timeout-minutes`` (default 1440). The first
time the step runs it *suspends* the job (see :mod:`dispatchd.runner.suspension`); when the
engine resumes the job the step ends with outputs ``event`` and ``client_payload`` (JSON text),
or fails when the wait timed out or the run was cancelled.

``uses: dispatchd/callback-url@v1`` with input ``event-type`` (and ``expires-in-minutes``) asks
the server (with the job's ``GITHUB_TOKEN``) for a signed, single-use URL that an outside
service may POST its result to without a token; output ``url``. The dispatch it makes resumes
this job's wait and starts the workflows of that event type, like any dispatch.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from dispatchd.runner.actions.action import action_header, step_inputs
from dispatchd.runner.jobstate import JobState, StepRun
from dispatchd.runner.suspension import wait_contexts

WAIT = "dispatchd/wait-for-dispatch"
CALLBACK_URL = "dispatchd/callback-url"
#: A wait without timeout-minutes waits a day.
DEFAULT_WAIT_MINUTES = 1440.0


class WaitForDispatch:
    def __init__(self, uses: str) -> None:
        self.uses = uses

    async def run(self, job: JobState, step: StepRun) -> str:
        resume = job.resume_outcome if job.resume_step == step.number else None
        if resume is not None:
            job.resume_outcome = None
            for key, value in (resume.get("outputs") or {}).items():
                step.outputs[key] = value
            if resume.get("outcome") == "success":
                payload = json.loads(resume.get("outputs", {}).get("client_payload") or "{}")
                job.log.write(f"Resumed by a dispatch: client_payload {job.masker.mask(json.dumps(payload))}")
                return "success"
            step.error(job, resume.get("message") or "The wait ended without a dispatch.")
            return "failure"
        inputs = step_inputs(job, step)
        for line in action_header(self.uses, inputs, {}):
            job.log.write(line)
        try:
            minutes = float(inputs.get("timeout-minutes") or DEFAULT_WAIT_MINUTES)
        except ValueError:
            step.error(job, f"timeout-minutes must be a number, not '{inputs.get('timeout-minutes')}'")
            return "failure"
        if minutes <= 0:
            step.error(job, "timeout-minutes must be greater than 0")
            return "failure"
        if job.post_steps:
            job.log.write("##[warning]Post steps of earlier actions do not run after a wait for a dispatch.")
        job.suspend = {
            "step_number": step.number,
            "wait": {
                "event_type": inputs.get("event-type") or None,
                "match": inputs.get("match") or "",
                "timeout_minutes": minutes,
                "contexts": wait_contexts(step.contexts),
            },
        }
        job.log.write("Suspending the job until a matching dispatch arrives (no runner is held).")
        return "suspended"


class CallbackUrl:
    def __init__(self, uses: str) -> None:
        self.uses = uses

    async def run(self, job: JobState, step: StepRun) -> str:
        inputs = step_inputs(job, step)
        for line in action_header(self.uses, inputs, {}):
            job.log.write(line)
        github = job.contexts["github"]
        token = github.get("token") or (job.contexts.get("secrets") or {}).get("GITHUB_TOKEN")
        body: dict[str, Any] = {"event_type": inputs.get("event-type") or ""}
        if inputs.get("expires-in-minutes"):
            body["expires_in_minutes"] = inputs["expires-in-minutes"]
        url = f"{github.get('api_url')}/repos/{github.get('repository')}/dispatchd/callbacks"
        try:
            async with httpx.AsyncClient(timeout=30) as http:
                response = await http.post(url, json=body, headers={"Authorization": f"token {token}"})
        except httpx.HTTPError as e:
            step.error(job, f"Cannot reach the dispatchd server at {github.get('api_url')}: {e}")
            return "failure"
        if response.status_code != 201:
            step.error(
                job, f"The server refused a callback URL ({response.status_code}): {response.text[:500]}"
            )
            return "failure"
        data = response.json()
        # The URL is the whole credential (whoever has it may resume the job): hide it in every
        # log line from now on, as ::add-mask:: would.
        job.masker.add(data["url"])
        step.outputs["url"] = data["url"]
        step.outputs["expires-at"] = data.get("expires_at", "")
        job.log.write(
            f"Callback URL for event type '{body['event_type']}' (single use), expires {data.get('expires_at')}"
        )
        return "success"
