"""Run one job on this host: :func:`run_job`.

GitHub source: ``actions/runner: src/Runner.Worker/JobRunner.cs``, ``JobExtension.cs`` (set-up:
workspace, temp, event file, job env; finalisation: job outputs, orphan processes),
``StepsRunner.cs``; reference/runner-protocol.md §1–§2, workflow-syntax.md §9.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

from dispatchd.runner import suspension
from dispatchd.runner.actions.download import cache_root, download_base
from dispatchd.runner.env import complete_github_context, job_defaults, runner_context
from dispatchd.runner.evaluation import env_map, render, to_string
from dispatchd.runner.jobstate import JobLog, JobState
from dispatchd.runner.masking import SecretMasker
from dispatchd.runner.protocol import JobAssignment, JobReporter, JobResult
from dispatchd.runner.steps import run_step, step_ids
from dispatchd.runner.workflow_commands import make_annotation

SKIP_SECRET_OUTPUT = "Skip output '{}' since it may contain secret."


def _tool_cache(base: Mapping[str, str]) -> str:
    # GitHub keeps RUNNER_TOOL_CACHE when the runner's environment already sets it.
    path = base.get("RUNNER_TOOL_CACHE") or os.path.join(tempfile.gettempdir(), "dispatchd-tool-cache")
    os.makedirs(path, exist_ok=True)
    return path


def _scratch_dir(base: Mapping[str, str], prefix: str) -> str | None:
    """A per-job directory in memory (tmpfs) for the files written at every step — the script and
    the five file-command files — or None to use ``RUNNER_TEMP``.

    Creating and writing a small file on a journaled disk costs 0.1–0.4 ms, several times what a
    whole trivial step may add over bare ``bash -c``; on tmpfs it is ~20 µs. GitHub keeps these
    files under ``RUNNER_TEMP``, but nothing reads them by location: their paths reach the step
    through ``GITHUB_OUTPUT`` etc. and the shell's ``{0}``. ``DISPATCHD_RUNNER_SCRATCH`` chooses
    another directory (an empty value disables this).
    """
    root = base.get("DISPATCHD_RUNNER_SCRATCH", os.environ.get("DISPATCHD_RUNNER_SCRATCH", "/dev/shm"))
    if not root or not os.path.isdir(root) or not os.access(root, os.W_OK | os.X_OK):
        return None
    try:
        return tempfile.mkdtemp(prefix=prefix, dir=root)
    except OSError:
        return None


def _masker(assignment: JobAssignment) -> SecretMasker:
    masker = SecretMasker(assignment.secrets_to_mask)
    # Every secret the job can read is masked, and the job token with them (GitHub: HostContext).
    for value in (assignment.contexts.get("secrets") or {}).values():
        masker.add(str(value) if value is not None else None)
    token = (assignment.contexts.get("github") or {}).get("token")
    if token:
        masker.add(str(token))
    return masker


def _action_roots(base: Mapping[str, str], actions_dir: str | None) -> list[str]:
    """The offline actions folder(s), then the download cache (``DISPATCHD_ACTIONS_DIR`` may list
    several folders separated by ``os.pathsep``)."""
    roots = [actions_dir] if actions_dir else []
    for name in ("DISPATCHD_ACTIONS_DIR", "DISPATCHD_ACTIONS_CACHE"):
        value = base.get(name) or os.environ.get(name) or ""
        roots.extend(p for p in value.split(os.pathsep) if p)
    if download_base(base):  # downloads land in the cache: search it even when it is the default
        roots.append(cache_root(base))
    return list(dict.fromkeys(os.path.abspath(r) for r in roots))


def _setup(assignment: JobAssignment, reporter: JobReporter, env_base: Mapping[str, str] | None) -> JobState:
    """Workspace, ``RUNNER_TEMP`` with the event file and the file-command folder, contexts."""
    base = dict(os.environ if env_base is None else env_base)
    workspace = os.path.abspath(assignment.workspace)
    os.makedirs(workspace, exist_ok=True)
    prefix = f"dispatchd-{assignment.run_id}-{assignment.job_key}-"
    temp = tempfile.mkdtemp(prefix=prefix)
    scratch = _scratch_dir(base, prefix)
    # The event file and the file-command files go to the in-memory scratch folder too: nothing
    # finds them by location (GITHUB_EVENT_PATH says where), and a disk write costs ~0.4 ms.
    event_dir = os.path.join(scratch or temp, "_github_workflow")
    os.makedirs(event_dir)
    file_commands_dir = os.path.join(scratch or temp, "_runner_file_commands")
    os.makedirs(file_commands_dir)
    github_in = dict(assignment.contexts.get("github") or {})
    event_path = os.path.join(event_dir, "event.json")
    with open(event_path, "w", encoding="utf-8") as handle:
        json.dump(github_in.get("event") or {}, handle, indent=2)
    github = complete_github_context(
        github_in,
        job_key=assignment.job_key,
        run_id=assignment.run_id,
        run_number=assignment.run_number,
        run_attempt=assignment.run_attempt,
        workspace=workspace,
        event_path=event_path,
        workflow_path=assignment.workflow_path,
    )
    runner = runner_context(
        temp=temp, tool_cache=_tool_cache(base), workspace=workspace, debug=assignment.debug
    )
    contexts: dict[str, Any] = {key: value for key, value in assignment.contexts.items()}
    contexts.update(github=github, runner=runner, steps={})
    contexts["env"] = {str(k): to_string(v) for k, v in (assignment.contexts.get("env") or {}).items()}
    contexts["job"] = dict(assignment.contexts.get("job") or {})
    for name in ("vars", "secrets", "inputs", "needs", "matrix", "strategy"):
        contexts.setdefault(name, {})
    masker = _masker(assignment)
    # GitHub: step debug logging is on for a re-run with debug, or when the secret or variable
    # ACTIONS_STEP_DEBUG is true.
    debug = assignment.debug or any(
        str((contexts.get(name) or {}).get("ACTIONS_STEP_DEBUG", "")).lower() == "true"
        for name in ("secrets", "vars")
    )
    if debug:
        runner["debug"] = "1"
    defaults = job_defaults(github, runner)
    # GitHub marks every process of a job this way and finds leftovers by it at job end.
    tracking_id = f"github_{uuid.uuid4()}"
    defaults["RUNNER_TRACKING_ID"] = tracking_id
    state = JobState(
        assignment=assignment,
        reporter=reporter,
        masker=masker,
        log=JobLog(reporter, masker),
        contexts=contexts,
        job_env=dict(contexts["env"]),
        base_env=base,
        defaults=defaults,
        workspace=workspace,
        temp=temp,
        file_commands_dir=file_commands_dir,
        scratch=scratch or temp,
        debug=debug,
        tracking_id=tracking_id,
    )
    if assignment.timeout_minutes:
        state.deadline = time.monotonic() + float(assignment.timeout_minutes) * 60.0
    return state


def _evaluate_job_keys(job: JobState) -> None:
    """Job ``env`` (seeing the workflow env) and ``defaults.run``; raises on expression errors."""
    assignment = job.assignment
    job_env = env_map(assignment.env, job.contexts, job_status=job.status)
    job.job_env = {**job.contexts["env"], **job_env}
    job.contexts["env"] = job.job_env
    defaults = assignment.defaults or {}
    run_defaults = defaults.get("run", defaults) if isinstance(defaults, dict) else {}
    job.run_defaults = {
        key: render(value, job.contexts, job_status=job.status)
        for key, value in (run_defaults or {}).items()
        if key in ("shell", "working-directory") and value is not None
    }


def _job_outputs(job: JobState) -> dict[str, str]:
    """Evaluate ``outputs`` with the final ``steps`` context; values holding a secret are dropped."""
    outputs: dict[str, str] = {}
    contexts = {**job.contexts, "env": job.user_env()}
    for name, template in (job.assignment.outputs or {}).items():
        try:
            value = render(template, contexts, job_status=job.status)
        except Exception as exc:  # noqa: BLE001 - any expression error drops only this output
            job.log.error(job.masker.mask(f"Error evaluating job output '{name}': {exc}"))
            continue
        if job.masker.contains_secret(value):
            job.log.write(f"##[warning]{SKIP_SECRET_OUTPUT.format(name)}")
            job.annotate(make_annotation("warning", SKIP_SECRET_OUTPUT.format(name)), None)
            continue
        outputs[str(name)] = value
    return outputs


def _remove_later(*paths: str) -> None:
    """Delete the job's temporary folders in a background thread: removing directories on a
    journaled disk takes milliseconds, which the job's result and the next job need not wait
    for (GitHub empties RUNNER_TEMP at job end; here it is gone moments after)."""

    def remove() -> None:
        for path in dict.fromkeys(paths):
            shutil.rmtree(path, ignore_errors=True)

    threading.Thread(target=remove, name="dispatchd-job-cleanup", daemon=True).start()


async def _run_pre_stages(job: JobState, steps: list[dict[str, Any]], ids: list[tuple[str, bool]]) -> int:
    """``pre`` stages of repository JavaScript actions, in step order, before the first step
    (display name ``Pre <step name>``, condition ``pre-if``, default ``always()``); returns how
    many step numbers they used."""
    from dispatchd.runner.actions import default_display_name
    from dispatchd.runner.actions.node import pre_stage

    number = 0
    for raw, (step_id, explicit) in zip(steps, ids, strict=True):
        stage = pre_stage(job, raw, step_id)
        if stage is None:
            continue
        number += 1
        name = raw.get("name")
        display = str(name) if name and "${{" not in str(name) else default_display_name(raw)
        condition = str(stage.manifest.runs.get("pre-if") or "always()")
        pre_raw = {k: v for k, v in raw.items() if k in ("env", "with", "uses", "timeout-minutes")}
        pre_raw.update({"if": condition, "name": f"Pre {display}"})
        await run_step(job, number, pre_raw, step_id, explicit, kind=stage, keep_context=False)
    return number


async def _run_post_stages(job: JobState, number: int) -> None:
    """Post stages of actions, last registered first (GitHub: ``Post <step name>``)."""
    while job.post_steps:
        post = job.post_steps.pop()
        number += 1
        raw = {**post.raw, "if": post.condition, "name": f"Post {post.display_name}"}
        await run_step(job, number, raw, post.step_id, post.explicit, kind=post.stage, keep_context=False)


async def run_job(
    assignment: JobAssignment,
    reporter: JobReporter,
    *,
    env_base: Mapping[str, str] | None = None,
    actions_dir: str | None = None,
) -> JobResult:
    """Run ``assignment`` to its end on this host.

    Args:
        assignment: the job (see :class:`~dispatchd.runner.protocol.JobAssignment`).
        reporter: receives log batches (masked, no timestamps), step start/completion, and is polled
            for cancellation every 150 ms while a step runs.
        env_base: the environment step processes inherit (default ``os.environ``).
        actions_dir: offline actions folder laid out ``owner/repo@ref/`` (also
            ``DISPATCHD_ACTIONS_DIR``; ``DISPATCHD_ACTIONS_CACHE`` is searched after it).

    Returns:
        :class:`JobResult` with ``conclusion`` ``success``, ``failure`` or ``cancelled`` (a job that
        exceeds ``timeout_minutes`` is cancelled, as on GitHub: ``always()`` steps still run, the
        job-level annotation and ``error`` say ``The job has exceeded the maximum execution time
        of 5m0s``),
        the evaluated job outputs, every step's result, the annotations and the step summaries.
        Never raises for a failure inside the job; a bug in the runner ends the job ``failure`` with
        ``error`` set.
    """
    job = _setup(assignment, reporter, env_base)
    job.action_roots = _action_roots(job.base_env, actions_dir)
    error: str | None = None
    outputs: dict[str, str] = {}
    try:
        try:
            _evaluate_job_keys(job)
        except Exception as exc:  # noqa: BLE001 - the job fails with the reason
            error = f"Error evaluating the job's env or defaults: {exc}"
            job.log.error(job.masker.mask(error))
            job.status = "failure"
        if error is None:
            ids = step_ids(assignment.steps)
            resume = assignment.resume or None
            if resume:  # a job that waited for a dispatch: go on after what already ran
                pre_stages = suspension.restore(job, resume.get("state") or {})
                job.resume_step = int(resume.get("next_step") or 0)
                job.resume_outcome = resume.get("wait_outcome") or {"outcome": "failure"}
                number = pre_stages
            else:
                number = pre_stages = await _run_pre_stages(job, assignment.steps, ids)
            for raw, (step_id, explicit) in zip(assignment.steps, ids, strict=True):
                number += 1
                if job.resume_step is not None and number < job.resume_step:
                    continue  # ran before the wait
                await run_step(job, number, dict(raw), step_id, explicit)
                if job.suspend is not None:
                    break
            if job.suspend is None:
                await _run_post_stages(job, number)
                outputs = _job_outputs(job)
            else:
                job.suspend["state"] = suspension.snapshot(job, pre_stages)
    except Exception as exc:  # noqa: BLE001 - a runner bug must still end the job with a reason
        error = f"dispatchd runner error: {type(exc).__name__}: {exc}"
        job.log.error(job.masker.mask(error))
        job.status = "failure"
    finally:
        job.kill_leftovers()
        await job.log.flush()
        _remove_later(job.temp, job.scratch)
    if job.suspend is not None and error is None:
        return JobResult(
            conclusion="waiting",
            steps=job.results,
            annotations=job.annotations,
            summary="\n".join(job.summaries),
            suspended=job.suspend,
        )
    if job.timed_out:
        conclusion = "cancelled"
        error = error or job.timeout_message()
    elif job.status == "cancelled" or reporter.cancel_requested():
        conclusion = "cancelled"
    elif job.status == "failure":
        conclusion = "failure"
    else:
        conclusion = "success"
    summary = "\n".join(job.summaries)
    return JobResult(
        conclusion=conclusion,
        outputs=outputs,
        steps=job.results,
        error=error,
        annotations=job.annotations,
        summary=summary,
    )
