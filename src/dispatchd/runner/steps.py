"""One step's life: generated id, ``env``, display name, ``if``, the kind's run, file commands,
outcome vs conclusion, and the ``steps`` context.

GitHub source: ``actions/runner: src/Runner.Worker/StepsRunner.cs`` (order: ``GITHUB_ACTION``, the
step env evaluated into the ``env`` context, display name, condition, ``timeout-minutes`` and
``continue-on-error``, run, file commands, result), ``ActionRunner.cs``;
reference/workflow-syntax.md §9.4 and §10.
"""

from __future__ import annotations

import re
import time
from typing import Any

from dispatchd.runner import file_commands
from dispatchd.runner.actions import default_display_name, generated_id_base, step_kind
from dispatchd.runner.env import add_paths
from dispatchd.runner.evaluation import condition, env_map, evaluate, render, truthy
from dispatchd.runner.jobstate import JobState, StepRun
from dispatchd.runner.protocol import StepResult
from dispatchd.runner.workflow_commands import CommandProcessor

#: GitHub: generated ids are at most 100 characters.
MAX_ID = 100


def step_ids(steps: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    """(id, explicit) per step: the explicit ``id`` or a generated one, ``_2``, ``_3`` … on
    collision (case-insensitive, explicit ids taken first), as GitHub's parser numbers them."""
    used = {str(s["id"]).lower() for s in steps if s.get("id")}
    next_suffix: dict[str, int] = {}
    out: list[tuple[str, bool]] = []
    for raw in steps:
        if raw.get("id"):
            out.append((str(raw["id"]), True))
            continue
        base = re.sub(r"[^A-Za-z0-9_-]", "_", generated_id_base(raw))[:MAX_ID]
        candidate, n = base, next_suffix.get(base.lower(), 2)
        if candidate.lower() in used:
            candidate = f"{base}_{n}"
            while candidate.lower() in used:
                n += 1
                candidate = f"{base}_{n}"
            next_suffix[base.lower()] = n + 1
        used.add(candidate.lower())
        out.append((candidate, False))
    return out


def _allow(env: dict[str, str], name: str, base: dict[str, str]) -> bool:
    return (env.get(name) or base.get(name) or "").lower() == "true"


def _contexts_for(job: JobState, env: dict[str, str]) -> dict[str, Any]:
    contexts = dict(job.contexts)
    contexts["env"] = env
    contexts["job"] = {**job.contexts.get("job", {}), "status": job.status}
    return contexts


async def run_step(
    job: JobState, number: int, raw: dict[str, Any], step_id: str, explicit: bool
) -> StepResult:
    """Run one step to its end and update the job (status, env, PATH, ``steps`` context), reporting
    ``step_started``/``step_completed`` (a skipped step gets ``step_completed`` only).

    Never raises for a step's own failure; the returned result carries outcome and conclusion.
    """
    started = time.time()
    job.contexts["github"]["action"] = step_id
    user_env = job.user_env()
    contexts = _contexts_for(job, user_env)
    error: str | None = None
    # The step env is evaluated first; the env context of every other key includes it.
    try:
        step_env = env_map(raw.get("env"), contexts, job_status=job.status)
    except Exception as exc:  # noqa: BLE001 - expression errors fail the step (StepsRunner)
        step_env, error = {}, str(exc)
    env = {**user_env, **step_env} if step_env else user_env
    contexts["env"] = env
    name = raw.get("name")
    try:
        display = render(name, contexts, job_status=job.status) if name not in (None, "") else None
    except Exception:  # noqa: BLE001 - GitHub falls back to the unevaluated name
        display = str(name)
    display = job.masker.mask(display or default_display_name(raw))

    if job.reporter.cancel_requested() and job.status != "cancelled":
        job.status = "cancelled"
    run = error is None
    if run:
        try:
            run = condition(raw.get("if"), contexts, job_status=job.status)
        except Exception as exc:  # noqa: BLE001 - the step fails with the reason
            error = f"The step's 'if' could not be evaluated: {exc}"
    if not run and error is None:
        # A skipped step is reported with step_completed only (it never started).
        result = _finish(job, number, raw, step_id, explicit, display, "skipped", False, {}, started, False)
        await job.reporter.step_completed(result)
        return result

    await job.reporter.step_started(number, display)
    files = job.take_step_files()
    per_step = {"GITHUB_ACTION": step_id, **files.paths}
    processor = CommandProcessor(
        job.masker,
        debug=job.debug,
        workspace=job.workspace,
        allow_unsecure=_allow(env, "ACTIONS_ALLOW_UNSECURE_COMMANDS", job.base_env),
        allow_unsecure_stop_tokens=_allow(env, "ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS", job.base_env),
    )
    step = StepRun(number, raw, step_id, explicit, display, env, contexts, processor, files, per_step)
    continue_on_error = False
    outcome = "failure"
    if error is None:
        try:
            continue_on_error = truthy(
                evaluate(raw.get("continue-on-error", False), contexts, job_status=job.status)
            )
            _set_timeout(job, step, evaluate(raw.get("timeout-minutes"), contexts, job_status=job.status))
        except Exception as exc:  # noqa: BLE001 - the step fails with the reason
            error = str(exc)
    if error is not None:
        step.error(job, error)
    else:
        try:
            outcome = await step_kind(raw).run(job, step)
        except Exception as exc:  # noqa: BLE001 - an expression in run/shell/with, or a bug: the step fails
            step.error(job, str(exc))
            outcome = "failure"
        if step.job_limited and job.timed_out:
            outcome = "cancelled"
    outputs, files_failed = _apply_effects(job, step)
    if outcome == "success" and (processor.effects.failed or files_failed):
        outcome = "failure"
    await job.log.flush()
    result = _finish(
        job, number, raw, step_id, explicit, display, outcome, continue_on_error, outputs, started, True
    )
    await job.reporter.step_completed(result)
    return result


def _set_timeout(job: JobState, step: StepRun, minutes: Any) -> None:
    remaining = None if job.deadline is None else max(0.0, job.deadline - time.monotonic())
    if minutes not in (None, ""):
        value = float(minutes)
        if value <= 0:
            raise ValueError(f"The timeout-minutes value '{minutes}' must be greater than 0")
        step.timeout_minutes = value
        step.timeout = value * 60.0
    if remaining is not None and (step.timeout is None or remaining < step.timeout):
        step.timeout = remaining
        step.job_limited = True


def _apply_effects(job: JobState, step: StepRun) -> tuple[dict[str, str], bool]:
    """Apply workflow-command and file-command effects after the step's process exited
    (GitHub processes the files whether the step succeeded or not). Returns the step outputs and
    whether a file command failed the step."""
    effects = step.processor.effects
    for annotation in effects.annotations:
        job.annotate(annotation, step.number)
    outputs = dict(effects.outputs)
    result = file_commands.collect(step.files)
    job.release_step_files(step.files, result.untouched)
    for message in result.warnings:
        step.error(job, message)
    for message in result.errors:
        step.error(job, message)
    for key, value in [*effects.env, *result.env]:
        job.global_env[key] = value
    add_paths(job.prepend_path, [*effects.paths, *result.paths])
    outputs.update(result.outputs)
    if result.summary is not None:
        job.summaries[step.number] = "\n".join(job.masker.mask_lines(result.summary.split("\n")))
    if effects.state or result.state:
        job.states[step.id] = {**effects.state, **result.state}
    return outputs, bool(result.errors)


def _finish(
    job: JobState,
    number: int,
    raw: dict[str, Any],
    step_id: str,
    explicit: bool,
    display: str,
    outcome: str,
    continue_on_error: bool,
    outputs: dict[str, str],
    started: float,
    ran: bool,
) -> StepResult:
    conclusion = "success" if outcome == "failure" and continue_on_error else outcome
    if conclusion == "failure" and job.status == "success":
        job.status = "failure"
    elif outcome == "cancelled":
        job.status = "cancelled"
    kept = outputs if explicit else {}
    if explicit:
        job.contexts["steps"][step_id] = {"outputs": kept, "outcome": outcome, "conclusion": conclusion}
    result = StepResult(
        number=number,
        name=display,
        id=step_id if explicit else None,
        conclusion=conclusion,
        outcome=outcome,
        outputs=kept,
        started_at=started if ran else None,
        completed_at=time.time() if ran else None,
    )
    job.results.append(result)
    return result
