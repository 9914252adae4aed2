"""Composite actions (``runs.using: composite``): their steps run in a scope of their own.

GitHub source: ``actions/runner: Handlers/CompositeActionHandler.cs``; reference/runner-protocol.md
§7.5: ``inputs`` and an isolated ``steps`` context, ``github.action_path``/``GITHUB_ACTION_PATH``,
no ``secrets``, ``success()``/``failure()`` on the composite's own status, no job ``defaults.run``,
``shell`` required on ``run`` steps, ``$GITHUB_ENV``/``$GITHUB_PATH`` shared with the job, outputs
mapped from ``outputs.<id>.value``, at most 9 levels of nesting.
"""

from __future__ import annotations

from typing import Any

from dispatchd.runner.actions import ActionRef
from dispatchd.runner.actions.manifest import ActionManifest
from dispatchd.runner.evaluation import render
from dispatchd.runner.jobstate import JobState, StepRun

MAX_DEPTH = 9


async def run_composite(
    job: JobState, step: StepRun, ref: ActionRef, manifest: ActionManifest, inputs: dict[str, str]
) -> str:
    from dispatchd.runner.steps import Scope, run_step, step_ids

    parent = step.scope
    depth = (parent.depth if parent is not None else 0) + 1
    if depth > MAX_DEPTH:
        step.error(job, f"Composite action depth exceeded max depth {MAX_DEPTH}")
        return "failure"
    steps: list[dict[str, Any]] = [dict(s) for s in manifest.runs.get("steps") or [] if isinstance(s, dict)]
    for index, inner in enumerate(steps):
        if "run" in inner and not inner.get("shell"):
            step.error(job, f"{manifest.file}: steps[{index}]: Required property is missing: shell")
            return "failure"
    github = {**job.contexts["github"], "action_path": manifest.directory, "action_status": "success"}
    if ref.kind == "repository":
        github["action_repository"] = f"{ref.owner}/{ref.repo}"
        github["action_ref"] = ref.ref
    scope = Scope(
        steps={},
        overrides={"inputs": inputs, "github": github, "secrets": None},
        extra_env={"GITHUB_ACTION_PATH": manifest.directory},
        top=False,
        depth=depth,
        state_prefix=f"{step.state_key}/",
        env={k: v for k, v in step.env.items() if job.user_env().get(k) != v},
    )
    for inner, (inner_id, explicit) in zip(steps, step_ids(steps), strict=True):
        github["action_status"] = scope.status
        await run_step(job, step.number, inner, inner_id, explicit, scope)
    github["action_status"] = scope.status
    contexts = {**step.contexts, "inputs": inputs, "github": github, "steps": scope.steps}
    contexts.pop("secrets", None)
    for name, spec in manifest.outputs.items():
        value = spec.get("value")
        if value is not None:
            step.outputs[name] = render(value, contexts, job_status=scope.status)
    if job.status == "cancelled":
        return "cancelled"
    return "failure" if scope.status == "failure" else "success"
