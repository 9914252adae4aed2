"""From a run's jobs to what happens next: GitHub's ``needs`` DAG, job ``if``, matrix legs, results.

Every function here takes an open write transaction (``conn``) and runs on the store's writer
thread, so a decision and the rows that record it commit together: a crash leaves either the
old state or the new one, never half a transition.

Job states (internal): ``pending`` (waiting for ``needs``), ``queued`` (ready for a runner),
``in_progress``, ``completed``. The API shows ``pending`` as GitHub's ``queued``.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from .. import expressions as expr
from ..runner.protocol import JobAssignment, JobResult
from ..store import logs as stored_logs
from ..store import tokens as stored_tokens
from ..store.schema import jobs, workflow_runs
from ..workflow import Grant, Job, Workflow, WorkflowError, expand_matrix, job_display_name
from . import calls, concurrency, waits
from .config import PlannerConfig
from .labels import labels_match, runs_on_labels
from .results import job_status, key_results, run_conclusion
from .workflows import load_cached

log = logging.getLogger(__name__)

def _leg_selected(leg: dict[str, Any], selection: dict[str, list[str]]) -> bool:
    def text(v: Any) -> str:
        return json.dumps(v) if isinstance(v, (dict, list)) else str(v).lower() if isinstance(v, bool) else str(v)

    return all(key not in leg or text(leg[key]) in allowed for key, allowed in selection.items())


@dataclass
class Scope:
    """The workflow a job belongs to: the run's own (``prefix`` empty), or a reusable workflow
    called by the job ``prefix[:-1]`` with its own ``inputs`` and ``secrets``."""

    workflow: Workflow
    prefix: str = ""
    inputs: dict[str, Any] | None = None
    secrets: dict[str, str] | None = None
    depth: int = 0
    #: What a job of this scope gets as ``GITHUB_TOKEN`` permissions when it sets none.
    grant: Grant | None = None

    def job_grant(self, job: Job) -> Grant:
        """The job's own ``permissions``, else its workflow's (GitHub: job level wins)."""
        return Grant.parse(job.permissions) or self.grant or Grant.policy("Write")


def _scopes(workflow: Workflow, rows: list[Any], cfg: PlannerConfig) -> dict[int | None, Scope]:
    """Scope by caller job id (None: the run's workflow)."""
    top = Grant.parse(workflow.permissions) or Grant.policy(cfg.token_policy)
    scopes: dict[int | None, Scope] = {None: Scope(workflow, grant=top)}
    for row in rows:
        call = row.call or {}
        if "text" in call:
            called = load_cached(call["path"], call["text"])
            if isinstance(called, Workflow):
                # A called workflow's token has its own permissions (within the caller's, checked when
                # it is loaded), else the calling job's.
                grant = Grant.parse(called.permissions) or Grant.from_json(call.get("permissions")) or top
                scopes[row.id] = Scope(called, row.job_key + "/", call.get("inputs") or {},
                                       cfg.open_secrets(call.get("secrets")), call.get("depth", 1), grant)
    return scopes


def _run_row(conn: Connection, run_id: int) -> Any:
    return conn.execute(select(workflow_runs).where(workflow_runs.c.id == run_id)).first()


def _complete_job(conn: Connection, job_id: int, conclusion: str, error: str | None = None,
                  log_lines: list[str] | None = None) -> None:
    now = time.time()
    conn.execute(update(jobs).where(jobs.c.id == job_id).values(
        state="completed", conclusion=conclusion, error=error, completed_at=now,
        started_at=jobs.c.started_at if conclusion != "skipped" else None, lease_expires_at=None))
    if log_lines:
        stored_logs.append(conn, job_id, log_lines)


def advance_run(conn: Connection, run_id: int, cfg: PlannerConfig) -> list[int]:
    """Decide every job of the run that can be decided now; returns the ids of jobs made queued.

    Repeats until nothing changes, so a skip cascades down the whole ``needs`` chain at once.
    When every job is completed, the run gets its conclusion.
    """
    run = _run_row(conn, run_id)
    if run is None or run.status in ("completed", "pending"):  # pending: waiting for its concurrency group
        return []
    workflow = load_cached(run.workflow["path"], run.workflow["text"])
    assert isinstance(workflow, Workflow)
    queued: list[int] = []
    changed = True
    while changed:
        changed = False
        rows = list(conn.execute(select(jobs).where(jobs.c.run_id == run_id, jobs.c.run_attempt == run.run_attempt)))
        results = key_results(rows)
        if calls.finish_calls(conn, rows, results, run.contexts):
            changed = True
            continue
        scopes = _scopes(workflow, rows, cfg)
        queued.extend(_promote_held(conn, rows))
        for row in rows:
            if row.state in ("queued", "blocked", "held") and run.cancel_requested:
                _complete_job(conn, row.id, "cancelled", log_lines=["##[error]The run was cancelled."])
                changed = True
                continue
            if row.state != "pending":
                continue
            scope = scopes.get((row.call or {}).get("parent"))
            if scope is None:  # the caller's workflow could not be read back: nothing can run
                _complete_job(conn, row.id, "failure", error="the called workflow is unavailable")
                changed = True
                continue
            job = scope.workflow.jobs[row.job_key[len(scope.prefix):]]
            if not all(results.get(scope.prefix + n, {}).get("done") for n in job.needs):
                continue
            started: list[int] = []
            try:
                with conn.begin_nested():
                    started = _start_job(conn, run, scope, job, row, results, cfg)
            except Exception as e:  # a bug here fails this job with a reason, never the whole run
                log.exception("planning job %s failed", row.id)
                _complete_job(conn, row.id, "failure", error=f"dispatchd: {type(e).__name__}: {e}",
                              log_lines=[f"##[error]dispatchd could not start this job: {type(e).__name__}: {e}"])
            queued.extend(started)
            # Another pass only when this may have made another job decidable: the job ended at
            # once (skipped, failed) or started a called workflow's jobs. Legs put in the queue
            # decide nothing another job waits for.
            if not started or job.uses:
                changed = True
    # The last pass changed no job's completion (at most held legs became queued), so its rows
    # tell whether every job is completed.
    if all(r.state == "completed" for r in rows):
        queued.extend(_conclude_run(conn, run, rows, cfg))
    return queued


def _promote_held(conn: Connection, rows: list[Any]) -> list[int]:
    """``max-parallel``: queue held matrix legs while fewer than that many legs are active."""
    promoted: list[int] = []
    by_key: dict[str, list[Any]] = {}
    for r in rows:
        by_key.setdefault(r.job_key, []).append(r)
    for legs in by_key.values():
        held = sorted((r for r in legs if r.state == "held"), key=lambda r: r.id)
        if not held:
            continue
        strategy = ((held[0].assignment or {}).get("contexts") or {}).get("strategy") or {}
        limit = max(1, int(strategy.get("max-parallel") or len(legs)))
        active = sum(1 for r in legs if r.state in ("queued", "in_progress"))
        for r in held[: max(0, limit - active)]:
            conn.execute(update(jobs).where(jobs.c.id == r.id).values(state="queued"))
            promoted.append(r.id)
    return promoted


def _conclude_run(conn: Connection, run: Any, rows: list[Any], cfg: PlannerConfig) -> list[int]:
    """Give the run its conclusion; start the run waiting for its concurrency group, if any."""
    conclusion = run_conclusion(run, rows)
    conn.execute(update(workflow_runs).where(workflow_runs.c.id == run.id).values(
        status="completed", conclusion=conclusion, updated_at=time.time()))
    waiting = concurrency.next_pending_run(conn, run)
    return advance_run(conn, waiting, cfg) if waiting is not None else []


def _start_job(conn: Connection, run: Any, scope: Scope, job: Job, row: Any,
               results: dict[str, dict[str, Any]], cfg: PlannerConfig) -> list[int]:
    """A job whose ``needs`` are done: evaluate its ``if``, expand its matrix, queue its legs
    (or, for a reusable workflow call, start the called workflow's jobs)."""
    workflow = scope.workflow
    contexts = run.contexts
    needs = {n: {"result": results[scope.prefix + n]["result"], "outputs": results[scope.prefix + n]["outputs"]}
             for n in job.needs}
    base = {
        "github": {**contexts["github"], "job": job.id},
        "needs": needs,
        "vars": contexts.get("vars", {}),
        "inputs": scope.inputs if scope.inputs is not None else contexts.get("inputs", {}),
    }
    status = job_status(scope.workflow, scope.prefix, job.id, results, bool(run.cancel_requested))
    try:
        if not expr.evaluate_condition(job.if_, base, job_status=status):
            _complete_job(conn, row.id, "skipped")
            return []
    except expr.ExpressionError as e:
        _complete_job(conn, row.id, "failure", error=str(e),
                      log_lines=[f"##[error]{workflow.path}: jobs.{job.id}.if: {e}"])
        return []
    if job.uses:
        if job.strategy is not None:
            msg = f"jobs.{job.id}: a matrix of reusable workflow calls is not supported yet"
            _complete_job(conn, row.id, "failure", error=msg, log_lines=[f"##[error]{msg}"])
            return []
        try:
            name = str(expr.evaluate_template(job.name, base)) if job.name is not None else job.id
        except expr.ExpressionError:
            name = job.id
        secrets = scope.secrets if scope.secrets is not None else dict(
            cfg.secrets_for(conn, run.repository_id) if cfg.secrets_for else {})
        error = calls.start_call(conn, run, row.job_key, name, job, row.id, {**base, "secrets": secrets},
                                 secrets, scope.depth, cfg.read_file, cfg.seal_secrets, scope.job_grant(job))
        if error:
            _complete_job(conn, row.id, "failure", error=error, log_lines=[f"##[error]{error}"])
        return []
    if job.container or job.services:
        what = "container" if job.container else "services"
        msg = (f"jobs.{job.id}.{what} needs Docker, which this dispatchd server does not provide; "
               "the job cannot run here.")
        _complete_job(conn, row.id, "failure", error=msg, log_lines=[f"##[error]{msg}"])
        return []
    try:
        strategy = expr.evaluate_template(job.strategy, base) if job.strategy is not None else {}
        strategy = strategy if isinstance(strategy, dict) else {}
        matrix = strategy.get("matrix")
        legs: list[dict[str, Any] | None] = list(expand_matrix(matrix)) if matrix is not None else [None]
    except (expr.ExpressionError, WorkflowError, ValueError) as e:
        _complete_job(conn, row.id, "failure", error=str(e),
                      log_lines=[f"##[error]{workflow.path}: jobs.{job.id}.strategy: {e}"])
        return []
    if cfg.matrix_filter and legs != [None]:
        legs = [leg for leg in legs if leg is not None and _leg_selected(leg, cfg.matrix_filter)]
        if not legs:
            _complete_job(conn, row.id, "skipped", log_lines=["Skipped: no matrix leg matches --matrix."])
            return []
    if not legs:
        msg = f"jobs.{job.id}.strategy.matrix: the matrix has no legs"
        _complete_job(conn, row.id, "failure", error=msg, log_lines=[f"##[error]{msg}"])
        return []
    queued = []
    fail_fast = strategy.get("fail-fast", True)
    max_parallel = strategy.get("max-parallel", len(legs))
    try:
        parallel = max(1, int(max_parallel))
    except (TypeError, ValueError):
        parallel = len(legs)
    for index, leg in enumerate(legs):
        leg_contexts = {
            **base,
            "matrix": dict(leg) if leg is not None else {},
            "strategy": {"fail-fast": fail_fast is not False, "job-index": index,
                         "job-total": len(legs), "max-parallel": max_parallel},
        }
        job_id = row.id if index == 0 else conn.execute(jobs.insert().values(
            run_id=run.id, run_attempt=run.run_attempt, job_key=row.job_key, name=job.id, state="pending",
            created_at=time.time(), continue_on_error=False, call=row.call)).inserted_primary_key[0]
        queued_id = _queue_leg(conn, run, scope, job, job_id, leg, leg_contexts, cfg, hold=index >= parallel)
        if queued_id is not None:
            queued.append(queued_id)
    return queued


def _queue_leg(conn: Connection, run: Any, scope: Scope, job: Job, job_id: int,
               leg: dict[str, Any] | None, contexts: dict[str, Any], cfg: PlannerConfig,
               hold: bool = False) -> int | None:
    """Build the leg's assignment and queue it; ``hold`` keeps it back for ``max-parallel``.
    Returns the job id when it was queued."""
    workflow = scope.workflow
    try:
        raw_name = job.name if job.name is not None else job.id
        name = expr.evaluate_template(raw_name, contexts) if isinstance(raw_name, str) else str(raw_name)
        name = str(name)
        if scope.prefix:  # GitHub names a called workflow's job "<caller> / <job>"
            parent = conn.execute(select(jobs.c.name).where(jobs.c.id == scope_parent_id(conn, job_id))).scalar()
            name = f"{parent} / {name}" if parent else name
        if leg is not None and not (isinstance(job.name, str) and "${{" in job.name and "matrix" in job.name.lower()):
            name = job_display_name(name, leg)
        labels = runs_on_labels(expr.evaluate_template(job.runs_on, contexts))
        timeout = expr.evaluate_template(job.timeout_minutes, contexts) if job.timeout_minutes is not None else 360
        continue_on_error = expr.evaluate_template(job.continue_on_error, contexts)
        group, cancel_in_progress = concurrency.evaluate(job.concurrency, contexts)
        wf_env = expr.evaluate_template({**cfg.extra_env, **(workflow.env or {})}, {
            "github": contexts["github"], "vars": contexts["vars"], "inputs": contexts["inputs"],
            "secrets": {}})
    except expr.ExpressionError as e:
        _complete_job(conn, job_id, "failure", error=str(e), log_lines=[f"##[error]{workflow.path}: jobs.{job.id}: {e}"])
        return None
    secrets = dict(scope.secrets) if scope.secrets is not None else dict(
        cfg.secrets_for(conn, run.repository_id) if cfg.secrets_for else {})
    # The job's own GITHUB_TOKEN is minted when a runner claims the job (issue_job_token), so the
    # stored assignment never holds a usable token; a configured GITHUB_TOKEN secret wins.
    token = secrets.get("GITHUB_TOKEN") or ""
    workspace = cfg.fixed_workspace or os.path.join(cfg.workspace_root, str(run.id), str(job_id))
    github = {**contexts["github"], "workspace": workspace, "token": token}
    defaults: dict[str, Any] = {}
    for level in (workflow.defaults, job.defaults):
        if isinstance(level, dict) and isinstance(level.get("run"), dict):
            defaults.update(level["run"])
    try:
        timeout_f = float(timeout)
    except (TypeError, ValueError):
        timeout_f = 360.0
    assignment = JobAssignment(
        job_id=job_id, run_id=run.id, run_number=run.run_number, run_attempt=run.run_attempt,
        job_key=job.id, name=name, workflow_path=workflow.path,
        repository_path=cfg.repository_paths.get(run.repository_id, ""), workspace=workspace,
        contexts={**contexts, "github": github, "env": wf_env if isinstance(wf_env, dict) else {},
                  # sealed in the row; opened when a runner claims the job
                  "secrets": cfg.seal_secrets(secrets), "job": {"status": "success"}},
        env=job.env if isinstance(job.env, dict) else {}, defaults=defaults, steps=list(job.steps or []),
        outputs=job.outputs if isinstance(job.outputs, dict) else {}, timeout_minutes=timeout_f,
        permissions=scope.job_grant(job).to_json(),
    )
    state = "held" if hold else "queued"
    if group is not None and not hold and not concurrency.admit_job(conn, run.repository_id, job_id, group,
                                                                    cancel_in_progress):
        state = "blocked"
        stored_logs.append(conn, job_id, [f"Waiting for a job of the concurrency group '{group}' to finish."])
    conn.execute(update(jobs).where(jobs.c.id == job_id).values(
        state=state, concurrency_group=group, name=name, matrix=dict(leg) if leg is not None else None,
        labels=labels,
        assignment=json.loads(json.dumps(assignment.to_json(), default=str)),
        continue_on_error=bool(continue_on_error is True or continue_on_error == "true"),
        steps=[]))
    if state != "queued":
        return None
    if not labels_match(labels, cfg.runner_labels) and cfg.skip_unrunnable:
        _complete_job(conn, job_id, "skipped", log_lines=[
            f"Skipped: no runner has the labels {labels} (runner labels: {list(cfg.runner_labels)})."])
        return None
    if not labels_match(labels, cfg.runner_labels):
        stored_logs.append(conn, job_id, [
            f"Waiting for a runner to pick up this job: no runner has the labels {labels} "
            f"(known runner labels: {list(cfg.runner_labels)})."])
    return job_id


def scope_parent_id(conn: Connection, job_id: int) -> int | None:
    call = conn.execute(select(jobs.c.call).where(jobs.c.id == job_id)).scalar()
    return (call or {}).get("parent")


def complete_job(conn: Connection, job_id: int, result: JobResult, cfg: PlannerConfig) -> list[int]:
    """Record a runner's result for ``job_id`` and advance its run; returns newly queued job ids.

    A result for a job that is no longer ``in_progress`` (its lease expired and it was failed
    meanwhile) is ignored: the first conclusion stands.
    """
    row = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
    if row is None or row.state != "in_progress":
        return []
    if result.conclusion == "waiting" and result.suspended:
        queued = waits.suspend(conn, row, result.suspended)
        if not cfg.accepts_dispatches and not queued:
            queued = waits.fail_waits_of_job(conn, row.id, "A one-shot run (dispatchd run) cannot receive "
                                             "dispatches: the wait fails at once. Serve the repository to wait.")
        return queued
    conn.execute(update(jobs).where(jobs.c.id == job_id).values(
        state="completed", conclusion=result.conclusion, outputs=result.outputs, error=result.error,
        completed_at=time.time(), lease_expires_at=None,
        annotations=getattr(result, "annotations", None) or None))
    stored_tokens.revoke_for_jobs(conn, [job_id])
    queued: list[int] = []
    released = concurrency.release_job(conn, row)
    if released is not None:
        queued.append(released)
    if result.conclusion in ("failure", "timed_out") and not row.continue_on_error:
        _fail_fast(conn, row)
    queued.extend(advance_run(conn, row.run_id, cfg))
    return queued


def _fail_fast(conn: Connection, row: Any) -> None:
    """GitHub's ``fail-fast`` (default true): a failed matrix leg cancels its queued siblings."""
    assignment = row.assignment or {}
    strategy = (assignment.get("contexts") or {}).get("strategy") or {}
    if not strategy.get("fail-fast", True) or strategy.get("job-total", 1) <= 1:
        return
    siblings = list(conn.execute(select(jobs.c.id, jobs.c.state).where(
        jobs.c.run_id == row.run_id, jobs.c.job_key == row.job_key, jobs.c.id != row.id,
        jobs.c.state.in_(("queued", "held", "in_progress")), jobs.c.run_attempt == row.run_attempt)))
    message = f"##[error]The strategy configuration was canceled because \"{row.job_key}\" failed"
    for sibling in siblings:
        if sibling.state == "in_progress":  # the runner sees it at its next heartbeat
            conn.execute(update(jobs).where(jobs.c.id == sibling.id).values(cancel_requested=True))
            stored_logs.append(conn, sibling.id, [message])
        else:
            _complete_job(conn, sibling.id, "cancelled", log_lines=[message])


def issue_job_token(conn: Connection, assignment: JobAssignment, repository_id: int) -> None:
    """Give a just-claimed job its ``GITHUB_TOKEN``: a token for its own repository limited to the
    job's ``permissions`` (see :mod:`dispatchd.api.permissions`), revoked when the job completes (:func:`complete_job`, ``queue.recover_expired``) and expiring
    on its own after the job timeout. Only the token's hash is stored."""
    secrets = assignment.contexts.setdefault("secrets", {})
    if secrets.get("GITHUB_TOKEN"):
        return  # a GITHUB_TOKEN secret configured for the repository
    expires = time.time() + assignment.timeout_minutes * 60 + stored_tokens.JOB_TOKEN_GRACE
    _, token = stored_tokens.create(conn, repository_id, "write", stored_tokens.JOB_TOKEN_LOGIN,
                                    job_id=assignment.job_id, expires_at=expires,
                                    permissions=assignment.permissions)
    secrets["GITHUB_TOKEN"] = token
    assignment.contexts.setdefault("github", {})["token"] = token
    assignment.secrets_to_mask = [*assignment.secrets_to_mask, token]
