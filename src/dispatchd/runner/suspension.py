"""Saving a job's state at a ``dispatchd/wait-for-dispatch`` step and restoring it to go on.

A waiting job holds no process: the runner returns it *suspended* with what the remaining
steps need (plain JSON), and a runner — this one or another — restores it when the engine
resumes the job. The workspace stays on disk between the two. What is kept: the ``steps``
context, ``$GITHUB_ENV`` and ``$GITHUB_PATH`` additions, the job status, ``$GITHUB_STATE``
values, the step results, annotations and summaries so far, and the masked values (including
``::add-mask::`` ones). Post stages registered before the wait are not kept: actions with a
``post`` step before a wait get a warning, and their post stage does not run.
"""

from __future__ import annotations

from typing import Any

from dispatchd.runner.jobstate import JobState
from dispatchd.runner.protocol import StepResult

#: Contexts never written into a wait's record (it is stored server-side and matched there).
PRIVATE_CONTEXTS = ("secrets",)


def wait_contexts(contexts: dict[str, Any]) -> dict[str, Any]:
    """The contexts a wait's ``match`` expression sees (its ``github.event`` is replaced by each
    incoming dispatch): everything but secrets and the job token."""
    out = {k: v for k, v in contexts.items() if k not in PRIVATE_CONTEXTS}
    github = dict(out.get("github") or {})
    github.pop("token", None)
    github.pop("event", None)
    out["github"] = github
    return out


def snapshot(job: JobState, pre_stages: int) -> dict[str, Any]:
    return {
        "pre_stages": pre_stages,
        "steps": job.contexts.get("steps", {}),
        "global_env": job.global_env,
        "prepend_path": job.prepend_path,
        "status": job.status,
        "states": job.states,
        "results": [dict(r.__dict__) for r in job.results],
        "annotations": job.annotations,
        "summaries": job.summaries,
        "masks": job.masker.originals,
    }


def restore(job: JobState, state: dict[str, Any]) -> int:
    """Put ``state`` back into a freshly set-up job; returns the number of pre stages it had."""
    job.contexts["steps"] = dict(state.get("steps") or {})
    job.global_env = dict(state.get("global_env") or {})
    job.prepend_path = list(state.get("prepend_path") or [])
    job.status = state.get("status") or "success"
    job.states = {k: dict(v) for k, v in (state.get("states") or {}).items()}
    job.results = [StepResult(**r) for r in state.get("results") or []]
    job.annotations = list(state.get("annotations") or [])
    job.summaries = list(state.get("summaries") or [])
    for value in state.get("masks") or []:
        job.masker.add(value)
    return int(state.get("pre_stages") or 0)
