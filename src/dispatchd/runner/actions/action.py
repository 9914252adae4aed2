"""The ``uses:`` step kind for actions with an ``action.yml``: find the action, load its
metadata, resolve inputs, show GitHub's header, and hand over to the kind its ``runs.using`` names
(:mod:`.node`, :mod:`.composite`; Docker fails with a clear message).

GitHub source: ``actions/runner: src/Runner.Worker/ActionManager.cs`` (where actions come from),
``ActionRunner.cs`` (inputs, header), ``Handlers/HandlerFactory.cs``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from dispatchd.runner.actions import ActionRef, StepKind, download
from dispatchd.runner.actions.locate import candidates, locate
from dispatchd.runner.actions.manifest import ActionError, ActionManifest, load, resolve_inputs
from dispatchd.runner.evaluation import evaluate, to_string
from dispatchd.runner.jobstate import JobState, StepRun
from dispatchd.runner.workflow_commands import make_annotation


def step_inputs(job: JobState, step: StepRun) -> dict[str, str]:
    """The step's ``with:`` evaluated just before the step, as strings."""
    raw = step.raw.get("with") or {}
    values: Any = evaluate(raw, step.contexts, job_status=step.status)
    if not isinstance(values, dict):
        raise ActionError("The 'with' of a step must be a mapping")
    return {str(k): to_string(v) for k, v in values.items()}


def action_header(uses: str, inputs: dict[str, str], env: dict[str, str]) -> list[str]:
    """GitHub's log header of an action step: the group, ``with:`` inputs, ``env:``."""
    lines = [f"##[group]Run {uses}"]
    if inputs:
        lines.append("with:")
        for key, value in inputs.items():
            first, *rest = value.split("\n")
            lines.append(f"  {key}: {first}")
            lines.extend(f"  {line}" for line in rest)
    if env:
        lines.append("env:")
        lines.extend(f"  {key}: {value}" for key, value in env.items())
    lines.append("##[endgroup]")
    return lines


def warn(job: JobState, step: StepRun, message: str) -> None:
    job.log.write(f"##[warning]{job.masker.mask(message)}")
    job.annotate(make_annotation("warning", job.masker.mask(message)), step.number)


class ActionStep:
    """A ``./path`` or ``owner/repo[/path]@ref`` action.

    ``builtin`` builds the built-in replacement used when the action is in no actions folder.
    """

    def __init__(self, ref: ActionRef, builtin: Callable[[], StepKind] | None = None) -> None:
        self.ref = ref
        self.builtin = builtin

    async def _download(self, job: JobState) -> tuple[str | None, str]:
        """Fetch the action into the download cache when downloads are on; ``(directory, note)``."""
        base = download.download_base(job.base_env)
        if base is None:
            return None, ""
        # GitHub's runner prints the same line before it downloads an action.
        job.log.write(f"Download action repository '{self.ref.owner}/{self.ref.repo}@{self.ref.ref}'")
        token = job.base_env.get("DISPATCHD_ACTIONS_DOWNLOAD_TOKEN")
        try:
            top = await download.fetch(self.ref, base, download.cache_root(job.base_env), token)
        except download.DownloadError as e:
            return None, f"; and the download failed: {e}"
        directory = os.path.join(top, self.ref.path) if self.ref.path else top
        return (directory if os.path.isdir(directory) else None), f"; downloaded {download.tarball_url(base, self.ref)}"

    def find(self, job: JobState) -> tuple[str | None, bool]:
        """(directory or None, whether a built-in should run instead)."""
        if self.ref.kind == "local":
            return os.path.normpath(os.path.join(job.workspace, self.ref.path)), False
        directory = locate(self.ref, job.action_roots)
        if directory is None and self.builtin is not None:
            return None, True
        return directory, False

    async def run(self, job: JobState, step: StepRun) -> str:
        directory, use_builtin = self.find(job)
        if use_builtin:
            assert self.builtin is not None
            return await self.builtin().run(job, step)
        tried = ""
        if directory is None and self.ref.kind == "repository":
            directory, tried = await self._download(job)
        if directory is None:
            looked = candidates(self.ref, job.action_roots)
            where = "; ".join(looked) if looked else "no actions folder or download cache is configured"
            where += tried
            step.error(
                job,
                f"Unable to resolve action '{self.ref.uses}': looked for "
                f"{self.ref.owner}/{self.ref.repo}@{self.ref.ref}"
                + (f" (path '{self.ref.path}')" if self.ref.path else "")
                + f" in: {where}",
            )
            return "failure"
        try:
            manifest = load(directory, self.ref.uses, local=self.ref.kind == "local")
            supplied = step_inputs(job, step)
            inputs, warnings = resolve_inputs(manifest, supplied, step.contexts, step.status)
        except ActionError as error:
            job.log.write_lines(action_header(self.ref.uses, {}, step.env))
            step.error(job, str(error))
            return "failure"
        job.log.write_lines(action_header(self.ref.uses, inputs, step.env))
        for message in warnings:
            warn(job, step, message)
        if self.ref.kind == "local" and manifest.using.startswith("node") and manifest.runs.get("pre"):
            warn(job, step, f"`pre` execution is not supported for local action from '{self.ref.path}'")
        return await run_manifest(job, step, self.ref, manifest, inputs)


async def run_manifest(
    job: JobState, step: StepRun, ref: ActionRef, manifest: ActionManifest, inputs: dict[str, str]
) -> str:
    """Run a loaded action's main stage by its ``runs.using``."""
    from dispatchd.runner.actions.composite import run_composite
    from dispatchd.runner.actions.node import NodeStage

    if manifest.using == "composite":
        return await run_composite(job, step, ref, manifest, inputs)
    if manifest.using == "docker":
        step.error(
            job,
            f"'{ref.uses}' is a Docker container action ({manifest.file}); dispatchd runs "
            "actions on the host and does not support Docker actions.",
        )
        return "failure"
    return await NodeStage(ref, manifest, inputs, "main").run(job, step)
