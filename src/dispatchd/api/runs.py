"""Workflow runs and jobs (REST: "Workflow runs", "Workflow jobs"), with GitHub's fields,
filters, paging and ``Link`` headers; re-runs as new attempts; run logs as a zip of job logs."""

from __future__ import annotations

import io
import math
import re
import time
import zipfile
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from ..engine.attempts import AttemptRefused, attempt_row
from ..engine.service import RECHECK_SECONDS
from ..store import logs as stored_logs
from ..store import queries
from . import models
from .context import ApiContext
from .dispatches import parse_json_object
from .errors import GitHubError, not_found
from .paging import link_headers, page_params
from .serialize import job_json, run_json

#: Ids are 64-bit in the store; a larger number is a 422, not an overflow deep in SQL.
DbId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Attempt = Annotated[int, Path(ge=1, le=2**31 - 1)]

#: Seconds a log download link works (GitHub: one minute).
LOG_LINK_SECONDS = 60
#: The longest ``GET .../actions/runs/{run_id}?wait=`` (dispatchd's own) holds the request, in seconds.
MAX_WAIT_SECONDS = 60.0
RUNS_DOC = "https://docs.github.com/rest/actions/workflow-runs"
JOBS_DOC = "https://docs.github.com/rest/actions/workflow-jobs"
RERUN_DOC = "https://docs.github.com/rest/actions/workflow-runs#re-run-a-workflow"
USAGE_DOC = "https://docs.github.com/rest/actions/workflow-runs#get-workflow-run-usage"
DELETE_DOC = "https://docs.github.com/rest/actions/workflow-runs#delete-a-workflow-run"


def created_range(spec: str | None) -> tuple[float | None, float | None]:
    """GitHub's date-range syntax for ``created``: ``>=D``, ``<=D``, ``>D``, ``<D``, ``D..D``, ``D``."""
    if not spec:
        return None, None

    def ts(s: str) -> float:
        s = s.strip()
        try:
            dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
        except ValueError:
            raise GitHubError(422, f"Invalid request.\n\n'created' has an invalid date: {s!r}.") from None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return dt.timestamp()

    if ".." in spec:
        a, b = spec.split("..", 1)
        return (ts(a) if a and a != "*" else None), (ts(b) + (86399 if len(b.strip()) == 10 else 0) if b and b != "*" else None)
    for op in (">=", "<=", ">", "<"):
        if spec.startswith(op):
            t = ts(spec[len(op):])
            return (t, None) if op.startswith(">") else (None, t + (86399 if len(spec) - len(op) == 10 else 0))
    t = ts(spec)
    return t, t + 86399


def wait_param(request: Request) -> float:
    """dispatchd's ``wait`` query parameter: seconds, 0 to :data:`MAX_WAIT_SECONDS` (a larger
    value is clamped, as ``per_page`` is); 422 when it is not a number."""
    raw = request.query_params.get("wait")
    if raw is None or raw == "":
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise GitHubError(422, f"Invalid request.\n\nFor 'wait', {raw!r} is not a number of seconds.", RUNS_DOC)
    return max(0.0, min(MAX_WAIT_SECONDS, value))


_UNSAFE_IN_FILE_NAMES = re.compile(r'[/\\:*?"<>|\x00-\x1f]')


def _log_file_name(index: int, name: str) -> str:
    # GitHub's archive names each job's log "<n>_<job name>.txt"; '/' cannot be in a file name.
    safe = _UNSAFE_IN_FILE_NAMES.sub("_", name)[:200]
    return f"{index}_{safe}.txt"


async def runs_page(ctx: ApiContext, request: Request, repo_id: int, repository: Any,
                    workflow_id: int | None) -> Response:
    """One page of ``{"total_count", "workflow_runs"}`` with GitHub's filters (``event``, ``status``,
    ``branch``, ``created``) and ``Link`` header; ``workflow_id`` narrows it to one workflow."""
    page = page_params(request)
    after, before = created_range(request.query_params.get("created"))
    q = request.query_params
    if any("\x00" in (q.get(k) or "") for k in ("event", "status", "branch")):
        # Nothing stored can hold NUL (PostgreSQL text cannot), so nothing matches.
        return JSONResponse({"total_count": 0, "workflow_runs": []})
    total, rows = await ctx.engine.db.read(lambda c: queries.list_runs(
        c, repo_id, event=q.get("event"), status=q.get("status"), branch=q.get("branch"),
        created_after=after, created_before=before, workflow_id=workflow_id,
        per_page=page.per_page, page=page.page))
    body = {"total_count": total, "workflow_runs": [run_json(x, repository, repo_id, ctx.base_url) for x in rows]}
    return JSONResponse(body, headers=link_headers(request, page, total))


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(tags=["actions"])
    db = ctx.engine.db

    async def _run_or_404(repo_id: int, run_id: int) -> Any:
        run = await db.read(queries.get_run, run_id)
        if run is None or run.repository_id != repo_id:
            raise not_found(RUNS_DOC)
        return run

    @r.get("/repos/{owner}/{repo}/actions/runs", responses=models.ok(models.WorkflowRunList),
           openapi_extra=models.query("branch", "event", "status", "created", "per_page", "page"))
    async def list_runs(owner: str, repo: str, request: Request) -> Response:
        """List workflow runs for a repository, newest first."""
        a = await ctx.access(request, owner, repo, "read", RUNS_DOC)
        return await runs_page(ctx, request, a.repo_id, a.repository, None)

    @r.get("/repos/{owner}/{repo}/actions/runs/{run_id}", responses=models.ok(models.WorkflowRun),
           openapi_extra=models.query("wait"))
    async def get_run(owner: str, repo: str, run_id: DbId, request: Request) -> Response:
        """Get a workflow run (its latest attempt).

        dispatchd's own ``wait=SECONDS`` (0 to 60, fractions allowed): answer once the run is
        ``completed``, or after that many seconds with the run as it then stands, so a client
        learns of the completion without polling (GitHub ignores unknown query parameters and
        answers at once)."""
        a = await ctx.access(request, owner, repo, "read", RUNS_DOC)
        wait = wait_param(request)
        # The first look of a waiting request reads the status alone: it comes while the run's
        # job starts, and the whole row (the run's contexts and workflow, decoded) would compete
        # with it. After a change the whole row is read: most likely it is the answer.
        if wait:
            deadline = time.monotonic() + wait
            change = ctx.engine.changed()  # taken before each read: a change after it still wakes
            if not await ctx.engine.runs_completed([run_id], repository_id=a.repo_id):
                while True:
                    await ctx.engine.until(change, min(max(0.0, deadline - time.monotonic()), RECHECK_SECONDS))
                    change = ctx.engine.changed()
                    run = await _run_or_404(a.repo_id, run_id)
                    if run.status == "completed" or time.monotonic() >= deadline:
                        return JSONResponse(run_json(run, a.repository, a.repo_id, ctx.base_url))
        return JSONResponse(run_json(await _run_or_404(a.repo_id, run_id), a.repository, a.repo_id, ctx.base_url))

    async def _attempt(repo_id: int, run_id: int, attempt: int) -> Any:
        run = await _run_or_404(repo_id, run_id)
        if attempt == run.run_attempt:
            return run
        snap = await db.read(attempt_row, run_id, attempt) if 0 < attempt < run.run_attempt else None
        if snap is None:
            raise not_found(RUNS_DOC)
        return SimpleNamespace(**{**dict(run._mapping), "run_attempt": attempt, "status": snap.status,
                                  "conclusion": snap.conclusion, "run_started_at": snap.run_started_at,
                                  "updated_at": snap.updated_at, "triggering_actor": snap.actor})

    @r.get("/repos/{owner}/{repo}/actions/runs/{run_id}/timing", responses=models.ok(models.WorkflowRunUsage))
    async def get_run_usage(owner: str, repo: str, run_id: DbId, request: Request) -> Response:
        """A run's usage (GitHub: "Get workflow run usage"). ``billable`` is ``{}``: runs on
        dispatchd's runners bill no minutes, as GitHub shows for self-hosted runners.
        ``run_duration_ms``: milliseconds from the latest attempt's start to its completion (to now
        while it runs)."""
        a = await ctx.access(request, owner, repo, "read", USAGE_DOC)
        run = await _run_or_404(a.repo_id, run_id)
        end = run.updated_at if run.status == "completed" else time.time()
        start = run.run_started_at or run.created_at
        return JSONResponse({"billable": {}, "run_duration_ms": max(0, round((end - start) * 1000))})

    @r.get("/repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}",
           responses=models.ok(models.WorkflowRun))
    async def get_attempt(owner: str, repo: str, run_id: DbId, attempt_number: Attempt, request: Request) -> Response:
        """Get one attempt of a workflow run."""
        a = await ctx.access(request, owner, repo, "read", RUNS_DOC)
        run = await _attempt(a.repo_id, run_id, attempt_number)
        return JSONResponse(run_json(run, a.repository, a.repo_id, ctx.base_url))

    async def _jobs_page(request: Request, a: Any, run: Any, attempt: int | None) -> Response:
        rows = await db.read(queries.run_jobs, run.id, attempt)
        page = page_params(request)
        body = {"total_count": len(rows),
                "jobs": [job_json(j, run, a.repository, ctx.base_url) for j in page.slice(rows)]}
        return JSONResponse(body, headers=link_headers(request, page, len(rows)))

    @r.get("/repos/{owner}/{repo}/actions/runs/{run_id}/jobs", responses=models.ok(models.JobList),
           openapi_extra=models.query("filter", "per_page", "page"))
    async def list_jobs(owner: str, repo: str, run_id: DbId, request: Request) -> Response:
        """Jobs of the latest attempt (``filter=latest``, default) or of every attempt (``filter=all``)."""
        a = await ctx.access(request, owner, repo, "read", JOBS_DOC)
        run = await _run_or_404(a.repo_id, run_id)
        attempt = None if request.query_params.get("filter") == "all" else run.run_attempt
        return await _jobs_page(request, a, run, attempt)

    @r.get("/repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs",
           responses=models.ok(models.JobList), openapi_extra=models.query("per_page", "page"))
    async def list_attempt_jobs(owner: str, repo: str, run_id: DbId, attempt_number: Attempt,
                                request: Request) -> Response:
        """Jobs of one attempt of a workflow run."""
        a = await ctx.access(request, owner, repo, "read", JOBS_DOC)
        run = await _attempt(a.repo_id, run_id, attempt_number)
        return await _jobs_page(request, a, run, attempt_number)

    async def _job_or_404(repo_id: int, job_id: int) -> tuple[Any, Any]:
        job = await db.read(queries.get_job, job_id)
        if job is None:
            raise not_found(JOBS_DOC)
        run = await db.read(queries.get_run, job.run_id)
        if run is None or run.repository_id != repo_id:
            raise not_found(JOBS_DOC)
        return job, run

    @r.get("/repos/{owner}/{repo}/actions/jobs/{job_id}", responses=models.ok(models.Job))
    async def get_job(owner: str, repo: str, job_id: DbId, request: Request) -> Response:
        """Get a job of a workflow run."""
        a = await ctx.access(request, owner, repo, "read", JOBS_DOC)
        job, run = await _job_or_404(a.repo_id, job_id)
        return JSONResponse(job_json(job, run, a.repository, ctx.base_url))

    def _log_link(kind: str, ident: int) -> Response:
        # GitHub answers 302 to a URL that works without a token for a minute.
        token = ctx.log_links.sign({"k": kind, "i": ident, "x": int(time.time()) + LOG_LINK_SECONDS})
        return Response(status_code=302, headers={"Location": f"{ctx.base_url}/dispatchd/logs/{token}"})

    @r.get("/repos/{owner}/{repo}/actions/jobs/{job_id}/logs", status_code=302,
           responses={302: {"description": "Location: the job's log as plain text (valid for a minute)"}},
           response_class=Response)
    async def job_logs(owner: str, repo: str, job_id: DbId, request: Request) -> Response:
        """Download a job's log: GitHub's 302 to a short-lived plain-text URL (``curl -L``)."""
        a = await ctx.access(request, owner, repo, "read", JOBS_DOC)
        job, _run = await _job_or_404(a.repo_id, job_id)
        return _log_link("job", job.id)

    @r.get("/repos/{owner}/{repo}/actions/runs/{run_id}/logs", status_code=302,
           responses={302: {"description": "Location: a zip of the run's job logs (valid for a minute)"}},
           response_class=Response)
    async def run_logs(owner: str, repo: str, run_id: DbId, request: Request) -> Response:
        """Download a run's logs: GitHub's 302 to a short-lived zip archive of its job logs."""
        a = await ctx.access(request, owner, repo, "read", RUNS_DOC)
        run = await _run_or_404(a.repo_id, run_id)
        return _log_link("run", run.id)

    @r.get("/dispatchd/logs/{token}", response_class=Response,
           responses={200: {"description": "A job's log (text/plain) or a run's logs (application/zip)"}})
    async def download_logs(token: str) -> Response:
        """Where the logs endpoints redirect to: no token needed, valid for a minute."""
        claim = ctx.log_links.check(token)
        if claim is None or not isinstance(claim.get("i"), int) or claim.get("k") not in ("job", "run"):
            raise not_found(RUNS_DOC)
        if time.time() > float(claim.get("x", 0)):
            raise GitHubError(410, "This log link has expired; ask the logs endpoint for a new one.", RUNS_DOC)
        if claim["k"] == "job":
            return PlainTextResponse(await db.read(stored_logs.read, claim["i"]))
        run = await db.read(queries.get_run, claim["i"])
        if run is None:
            raise not_found(RUNS_DOC)
        rows = await db.read(queries.run_jobs, run.id, run.run_attempt)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for index, job in enumerate(rows, start=1):
                zf.writestr(_log_file_name(index, job.name), await db.read(stored_logs.read, job.id))
        return Response(buf.getvalue(), media_type="application/zip", headers={
            "Content-Disposition": f'attachment; filename="logs_{run.id}.zip"'})

    @r.post("/repos/{owner}/{repo}/actions/runs/{run_id}/cancel", status_code=202,
            responses=models.ok(models.Empty, 202))
    async def cancel_run(owner: str, repo: str, run_id: DbId, request: Request) -> Response:
        """Cancel a run: 202 ``{}``, or 409 when it already completed."""
        a = await ctx.access(request, owner, repo, "write", RUNS_DOC)
        await _run_or_404(a.repo_id, run_id)
        if not await ctx.engine.cancel_run(run_id):
            raise GitHubError(409, "Cannot cancel a workflow run that is completed.", RUNS_DOC)
        return JSONResponse({}, status_code=202)

    async def _rerun(owner: str, repo: str, run_id: DbId, request: Request, failed_only: bool) -> Response:
        a = await ctx.access(request, owner, repo, "write", RERUN_DOC)
        await _run_or_404(a.repo_id, run_id)
        raw = await request.body()
        if raw.strip():  # optional {"enable_debug_logging": bool}
            body = parse_json_object(raw, RERUN_DOC)
            debug = body.get("enable_debug_logging", False)
            if not isinstance(debug, bool):
                raise GitHubError(422, f"Invalid request.\n\nFor 'properties/enable_debug_logging', "
                                       f"{str(debug)[:50]!r} is not a boolean.", RERUN_DOC)
        try:
            await ctx.engine.rerun_run(run_id, failed_only=failed_only, actor=a.identity.login)
        except AttemptRefused as e:
            raise GitHubError(403, str(e), RERUN_DOC) from None
        return JSONResponse({}, status_code=201)

    rerun_body = models.body(models.RerunRequest, required=False)

    @r.post("/repos/{owner}/{repo}/actions/runs/{run_id}/rerun", status_code=201,
            responses=models.ok(models.Empty, 201), openapi_extra=rerun_body)
    async def rerun(owner: str, repo: str, run_id: DbId, request: Request) -> Response:
        """Re-run every job of a completed run as its next attempt (201 ``{}``; 403 while it runs)."""
        return await _rerun(owner, repo, run_id, request, failed_only=False)

    @r.post("/repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs", status_code=201,
            responses=models.ok(models.Empty, 201), openapi_extra=rerun_body)
    async def rerun_failed(owner: str, repo: str, run_id: DbId, request: Request) -> Response:
        """Re-run the failed and cancelled jobs of a completed run, and the jobs that need them."""
        return await _rerun(owner, repo, run_id, request, failed_only=True)

    @r.delete("/repos/{owner}/{repo}/actions/runs/{run_id}", status_code=204,
              responses={204: {"description": "Deleted"}}, response_class=Response)
    async def delete_run(owner: str, repo: str, run_id: DbId, request: Request) -> Response:
        """Delete a completed run with its jobs and logs (403 while it runs)."""
        a = await ctx.access(request, owner, repo, "write", DELETE_DOC)
        await _run_or_404(a.repo_id, run_id)
        try:
            await ctx.engine.delete_run(run_id)
        except AttemptRefused as e:
            raise GitHubError(403, str(e), DELETE_DOC) from None
        return Response(status_code=204)

    @r.get("/dispatchd/runs/{run_id}", responses=models.ok(models.WorkflowRun), tags=["dispatchd"])
    async def find_run(run_id: DbId, request: Request) -> Response:
        """dispatchd's own: a run by id alone (``dispatchd logs RUN_ID`` does not know the repository)."""
        identity = await ctx.auth.identify(request)
        run = await db.read(queries.get_run, run_id)
        repository = ctx.engine.repos.get(run.repository_id) if run is not None else None
        if run is None or repository is None or (not identity.admin and identity.repository_id != run.repository_id):
            raise not_found(RUNS_DOC)
        return JSONResponse(run_json(run, repository, run.repository_id, ctx.base_url))

    return r
