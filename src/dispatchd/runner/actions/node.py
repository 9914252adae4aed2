"""JavaScript actions (``runs.using: node12|16|20|24``) with the host's ``node``.

GitHub source: ``actions/runner: Handlers/NodeScriptActionHandler.cs`` (command line, working
directory, environment: ``INPUT_*``, ``STATE_*``, ``NODE_ICU_DATA`` removed), ``ActionRunner.cs``
and ``StepsRunner.cs`` (post stages: registered when the main stage runs, run after the last step
in reverse order with ``post-if``, default ``always()``, display name ``Post <name>``);
reference/runner-protocol.md §7.4. Node 12 and 16 actions run on whatever ``node`` is installed,
as GitHub now runs them on Node 20/24.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from dispatchd.runner.actions import ActionRef
from dispatchd.runner.actions.manifest import ActionManifest, input_env
from dispatchd.runner.jobstate import JobState, StepRun
from dispatchd.runner.process import ProcessStartError
from dispatchd.runner.script import execute
from dispatchd.runner.shells import which


@dataclass
class PostStage:
    """A registered post stage: the step it belongs to and what it runs."""

    raw: dict[str, Any]
    step_id: str
    explicit: bool
    display_name: str
    condition: str
    stage: NodeStage


class NodeStage:
    """One stage (``pre``, ``main`` or ``post``) of a JavaScript action, as a step kind."""

    def __init__(
        self,
        ref: ActionRef,
        manifest: ActionManifest,
        inputs: dict[str, str],
        stage: str,
        state_key: str | None = None,
    ) -> None:
        self.ref = ref
        self.manifest = manifest
        self.inputs = inputs
        self.stage = stage
        self.state_key = state_key

    def action_env(self, job: JobState, step: StepRun) -> dict[str, str]:
        """``INPUT_*``, ``STATE_*`` and the action's identity variables."""
        env = input_env(self.inputs)
        for name, value in job.states.get(self.state_key or step.state_key, {}).items():
            env[f"STATE_{name}"] = value
        # GitHub sets GITHUB_ACTION_PATH only inside composites; actions that read it anyway work
        # here too (runner-protocol.md §9.1).
        env["GITHUB_ACTION_PATH"] = self.manifest.directory
        if self.ref.kind == "repository":
            env["GITHUB_ACTION_REPOSITORY"] = f"{self.ref.owner}/{self.ref.repo}"
            env["GITHUB_ACTION_REF"] = self.ref.ref
        return env

    async def run(self, job: JobState, step: StepRun) -> str:
        if self.state_key is not None:
            step.state_key = self.state_key
        entry = self.manifest.runs.get(self.stage)
        env = step.process_env(job, self.action_env(job, step))
        env.pop("NODE_ICU_DATA", None)
        node = which("node", env.get("PATH"))
        if node is None:
            step.error(
                job,
                f"'{self.ref.uses}' is a JavaScript action ({self.manifest.using}) and needs "
                "Node.js: 'node' was not found on PATH.",
            )
            return "failure"
        script = os.path.join(self.manifest.directory, str(entry))
        try:
            result = await execute(job, step, [node, script], job.workspace, env)
        except ProcessStartError as error:
            step.error(job, str(error))
            return "failure"
        if self.stage == "main" and self.manifest.runs.get("post"):
            self.register_post(job, step)
        if result.cancelled:
            return "cancelled"
        if result.timed_out or result.exit_code != 0:
            return "failure"
        return "success"

    def register_post(self, job: JobState, step: StepRun) -> None:
        condition = str(self.manifest.runs.get("post-if") or "always()")
        stage = NodeStage(self.ref, self.manifest, self.inputs, "post", state_key=step.state_key)
        raw = {
            key: value
            for key, value in step.raw.items()
            if key in ("env", "continue-on-error", "timeout-minutes", "with", "uses")
        }
        job.post_steps.append(PostStage(raw, step.id, step.explicit_id, step.display_name, condition, stage))


class PreStage:
    """The ``pre`` stage of a repository JavaScript action, run before the job's first step
    (GitHub: ``pre-if`` default ``always()``; not supported for local actions)."""

    def __init__(self, ref: ActionRef, manifest: ActionManifest, step_id: str) -> None:
        self.ref = ref
        self.manifest = manifest
        self.step_id = step_id

    async def run(self, job: JobState, step: StepRun) -> str:
        from dispatchd.runner.actions.action import action_header, step_inputs, warn
        from dispatchd.runner.actions.manifest import resolve_inputs

        inputs, warnings = resolve_inputs(self.manifest, step_inputs(job, step), step.contexts, step.status)
        job.log.write_lines(action_header(self.ref.uses, inputs, step.env))
        for message in warnings:
            warn(job, step, message)
        return await NodeStage(self.ref, self.manifest, inputs, "pre", state_key=self.step_id).run(job, step)


def pre_stage(job: JobState, raw: dict[str, Any], step_id: str) -> PreStage | None:
    """The pre stage of the step ``raw`` when it uses a repository JavaScript action with ``pre``
    (the action is looked up at job start, as GitHub downloads actions in "Set up job")."""
    from dispatchd.runner.actions import parse_uses
    from dispatchd.runner.actions.locate import locate
    from dispatchd.runner.actions.manifest import ActionError, load

    uses = raw.get("uses")
    if not isinstance(uses, str):
        return None
    try:
        ref = parse_uses(uses)
    except ValueError:
        return None
    if ref.kind != "repository":
        return None
    directory = locate(ref, job.action_roots)
    if directory is None:
        return None
    try:
        manifest = load(directory, uses, local=False)
    except ActionError:
        return None  # the main stage reports it
    if not manifest.using.startswith("node") or not manifest.runs.get("pre"):
        return None
    return PreStage(ref, manifest, step_id)
