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
from dataclasses import dataclass, field
from typing import Any

from dispatchd.runner import file_commands
from dispatchd.runner.actions import StepKind, default_display_name, generated_id_base, step_kind
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


@dataclass
class Scope:
    """Where a step runs: the job itself, or inside a composite action.

    Attributes:
        steps: the ``steps`` context of this scope (a composite's own steps are isolated).
        status: ``success``/``failure`` of the scope — a composite's ``success()``/``failure()``
            test its own status (``github.action_status``); ``cancelled()`` always tests the job.
        overrides: contexts replaced in this scope (a composite's ``inputs``, ``github`` with
            ``action_path``); a None value removes the context (``secrets`` inside a composite).
        run_defaults: ``defaults.run`` (job defaults do not apply inside composite actions).
        extra_env: variables added to each step process (``GITHUB_ACTION_PATH``).
        top: steps of the job itself: reported to the reporter and kept in the job's results.
        depth: composite nesting depth (GitHub allows 9).
        state_prefix: prefixes ``GITHUB_STATE`` keys so that action instances do not mix.
        env: the ``env`` of the step that runs a composite action, seen by its inner steps.
    """

    steps: dict[str, Any]
    status: str = "success"
    overrides: dict[str, Any] = field(default_factory=dict)
    run_defaults: dict[str, Any] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    top: bool = True
    depth: int = 0
    state_prefix: str = ""
    env: dict[str, str] = field(default_factory=dict)


def job_scope(job: JobState) -> Scope:
    return Scope(steps=job.contexts["steps"], run_defaults=job.run_defaults)


def _status(job: JobState, scope: Scope) -> str:
    if job.status == "cancelled":
        return "cancelled"
    return job.status if scope.top else scope.status


def _contexts_for(job: JobState, scope: Scope, env: dict[str, str]) -> dict[str, Any]:
    contexts = dict(job.contexts)
    for key, value in scope.overrides.items():
        # None removes a context (``secrets`` is not available inside composite actions).
        if value is None:
            contexts.pop(key, None)
        else:
            contexts[key] = value
    contexts["steps"] = scope.steps
    contexts["env"] = env
    contexts["job"] = {**job.contexts.get("job", {}), "status": job.status}
    return contexts


async def run_step(
    job: JobState,
    number: int,
    raw: dict[str, Any],
    step_id: str,
    explicit: bool,
    scope: Scope | None = None,
    *,
    kind: StepKind | None = None,
    keep_context: bool = True,
) -> StepResult:
    """Run one step to its end and update the job (status, env, PATH, ``steps`` context).

    Steps of the job itself are reported with ``step_started``/``step_completed`` (a skipped step
    gets ``step_completed`` only) and kept in the job's results; steps inside a composite action
    only log. ``kind`` overrides the step kind (post stages of actions); ``keep_context=False``
    leaves the ``steps`` context alone (a post stage must not replace its main step's entry).

    Never raises for a step's own failure; the returned result carries outcome and conclusion.
    """
    scope = scope or job_scope(job)
    started = time.time()
    job.contexts["github"]["action"] = step_id
    user_env = {**job.user_env(), **scope.env} if scope.env else job.user_env()
    contexts = _contexts_for(job, scope, user_env)
    status = _status(job, scope)
    error: str | None = None
    # The step env is evaluated first; the env context of every other key includes it.
    try:
        step_env = env_map(raw.get("env"), contexts, job_status=status)
    except Exception as exc:  # noqa: BLE001 - expression errors fail the step (StepsRunner)
        step_env, error = {}, str(exc)
    env = {**user_env, **step_env} if step_env else user_env
    contexts["env"] = env
    name = raw.get("name")
    try:
        display = render(name, contexts, job_status=status) if name not in (None, "") else None
    except Exception:  # noqa: BLE001 - GitHub falls back to the unevaluated name
        display = str(name)
    display = job.masker.mask(display or default_display_name(raw))

    if job.status != "cancelled" and job.cancel_requested():  # a cancelled run, or the job's timeout
        job.status = "cancelled"
        status = "cancelled"
    run = error is None
    if run:
        try:
            run = condition(raw.get("if"), contexts, job_status=status)
        except Exception as exc:  # noqa: BLE001 - the step fails with the reason
            error = f"The step's 'if' could not be evaluated: {exc}"
    if not run and error is None:
        # A skipped step is reported with step_completed only (it never started).
        result = _finish(
            job, scope, number, step_id, explicit, display, "skipped", False, {}, started, False, keep_context
        )
        if scope.top:
            await job.reporter.step_completed(result)
        return result

    if scope.top:
        await job.reporter.step_started(number, display)
    files = job.take_step_files()
    per_step = {"GITHUB_ACTION": step_id, **scope.extra_env, **files.paths}
    processor = CommandProcessor(
        job.masker,
        debug=job.debug,
        workspace=job.workspace,
        allow_unsecure=_allow(env, "ACTIONS_ALLOW_UNSECURE_COMMANDS", job.base_env),
        allow_unsecure_stop_tokens=_allow(env, "ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS", job.base_env),
    )
    step = StepRun(number, raw, step_id, explicit, display, env, contexts, processor, files, per_step)
    step.scope = scope
    step.status = status
    step.state_key = scope.state_prefix + step_id
    continue_on_error = False
    outcome = "failure"
    if error is None:
        try:
            continue_on_error = truthy(
                evaluate(raw.get("continue-on-error", False), contexts, job_status=status)
            )
            _set_timeout(step, evaluate(raw.get("timeout-minutes"), contexts, job_status=status))
        except Exception as exc:  # noqa: BLE001 - the step fails with the reason
            error = str(exc)
    if error is not None:
        step.error(job, error)
    else:
        try:
            outcome = await (kind or step_kind(raw)).run(job, step)
        except Exception as exc:  # noqa: BLE001 - an expression in run/shell/with, or a bug: the step fails
            step.error(job, str(exc))
            outcome = "failure"
    if outcome == "suspended":
        # dispatchd/wait-for-dispatch: the job stops here and resumes later, maybe elsewhere;
        # the step's result comes when it does.
        job.release_step_files(files, True)
        await job.log.flush()
        return StepResult(
            number=number,
            name=display,
            id=step_id if explicit else None,
            conclusion="",
            outcome="suspended",
            started_at=started,
        )
    outputs, files_failed = _apply_effects(job, step)
    if outcome == "success" and (processor.effects.failed or files_failed):
        outcome = "failure"
    await job.log.flush()
    result = _finish(
        job,
        scope,
        number,
        step_id,
        explicit,
        display,
        outcome,
        continue_on_error,
        outputs,
        started,
        True,
        keep_context,
    )
    if scope.top:
        await job.reporter.step_completed(result)
    return result


def _set_timeout(step: StepRun, minutes: Any) -> None:
    """The step's own ``timeout-minutes`` (fractions are honoured, so that a test can use a few
    seconds; GitHub's runner truncates the value to whole minutes). The job's limit is not folded
    in: it cancels the job instead (:meth:`JobState.cancel_requested`)."""
    if minutes not in (None, ""):
        value = float(minutes)
        if value <= 0:
            raise ValueError(f"The timeout-minutes value '{minutes}' must be greater than 0")
        step.timeout_minutes = value
        step.timeout = value * 60.0


def _apply_effects(job: JobState, step: StepRun) -> tuple[dict[str, str], bool]:
    """Apply workflow-command and file-command effects after the step's process exited
    (GitHub processes the files whether the step succeeded or not). Returns the step outputs and
    whether a file command failed the step."""
    effects = step.processor.effects
    for annotation in effects.annotations:
        job.annotate(annotation, step.number)
    outputs = {**step.outputs, **effects.outputs}
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
        job.summaries.append("\n".join(job.masker.mask_lines(result.summary.split("\n"))))
    if effects.state or result.state:
        job.states.setdefault(step.state_key, {}).update({**effects.state, **result.state})
    return outputs, bool(result.errors)


def _finish(
    job: JobState,
    scope: Scope,
    number: int,
    step_id: str,
    explicit: bool,
    display: str,
    outcome: str,
    continue_on_error: bool,
    outputs: dict[str, str],
    started: float,
    ran: bool,
    keep_context: bool,
) -> StepResult:
    conclusion = "success" if outcome == "failure" and continue_on_error else outcome
    if outcome == "cancelled":
        job.status = "cancelled"
    elif conclusion == "failure":
        if scope.top and job.status == "success":
            job.status = "failure"
        scope.status = "failure"
    kept = outputs if explicit else {}
    if explicit and keep_context:
        scope.steps[step_id] = {"outputs": kept, "outcome": outcome, "conclusion": conclusion}
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
    if scope.top:
        job.results.append(result)
    return result
