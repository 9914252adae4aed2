"""Workflow runs and jobs (REST: "Workflow runs", "Workflow jobs"), with GitHub's fields,
filters, paging and ``Link`` headers."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from ..store import logs as stored_logs
from ..store import queries
from .context import ApiContext
from .errors import GitHubError, not_found
from .serialize import job_json, run_json

RUNS_DOC = "https://docs.github.com/rest/actions/workflow-runs"
JOBS_DOC = "https://docs.github.com/rest/actions/workflow-jobs"


def _int_param(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise GitHubError(422, f"Invalid request.\n\nFor '{name}', {raw!r} is not an integer.") from None
    return max(lo, min(hi, value))


def _created_range(spec: str | None) -> tuple[float | None, float | None]:
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


def link_header(request: Request, page: int, per_page: int, total: int) -> str | None:
    last = max(1, -(-total // per_page))
    parts = []
    base = str(request.url).split("?", 1)[0]
    params = dict(request.query_params)

    def url(p: int) -> str:
        return f"{base}?{urlencode({**params, 'per_page': per_page, 'page': p})}"

    if page > 1:
        parts.append(f'<{url(page - 1)}>; rel="prev"')
    if page < last:
        parts.append(f'<{url(page + 1)}>; rel="next"')
        parts.append(f'<{url(last)}>; rel="last"')
    if page > 1:
        parts.append(f'<{url(1)}>; rel="first"')
    return ", ".join(parts) or None


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter()
    db = ctx.engine.db

    async def _run_or_404(repo_id: int, run_id: int) -> Any:
        run = await db.read(queries.get_run, run_id)
        if run is None or run.repository_id != repo_id:
            raise not_found(RUNS_DOC)
        return run

    @r.get("/repos/{owner}/{repo}/actions/runs")
    async def list_runs(owner: str, repo: str, request: Request) -> Response:
        ctx.auth.identify(request)
        repo_id, repository = ctx.repository(owner, repo, RUNS_DOC)
        per_page = _int_param(request, "per_page", 30, 1, 100)
        page = _int_param(request, "page", 1, 1, 10**6)
        after, before = _created_range(request.query_params.get("created"))
        total, rows = await db.read(lambda c: queries.list_runs(
            c, repo_id, event=request.query_params.get("event"), status=request.query_params.get("status"),
            branch=request.query_params.get("branch"), created_after=after, created_before=before,
            per_page=per_page, page=page))
        body = {"total_count": total, "workflow_runs": [run_json(x, repository, repo_id, ctx.base_url) for x in rows]}
        link = link_header(request, page, per_page, total)
        return JSONResponse(body, headers={"Link": link} if link else None)

    @r.get("/repos/{owner}/{repo}/actions/runs/{run_id}")
    async def get_run(owner: str, repo: str, run_id: int, request: Request) -> dict[str, Any]:
        ctx.auth.identify(request)
        repo_id, repository = ctx.repository(owner, repo, RUNS_DOC)
        return run_json(await _run_or_404(repo_id, run_id), repository, repo_id, ctx.base_url)

    @r.get("/repos/{owner}/{repo}/actions/runs/{run_id}/jobs")
    async def list_jobs(owner: str, repo: str, run_id: int, request: Request) -> Response:
        ctx.auth.identify(request)
        repo_id, repository = ctx.repository(owner, repo, JOBS_DOC)
        run = await _run_or_404(repo_id, run_id)
        attempt = None if request.query_params.get("filter") == "all" else run.run_attempt
        rows = await db.read(queries.run_jobs, run_id, attempt)
        per_page = _int_param(request, "per_page", 30, 1, 100)
        page = _int_param(request, "page", 1, 1, 10**6)
        chunk = rows[(page - 1) * per_page: page * per_page]
        body = {"total_count": len(rows), "jobs": [job_json(j, run, repository, ctx.base_url) for j in chunk]}
        link = link_header(request, page, per_page, len(rows))
        return JSONResponse(body, headers={"Link": link} if link else None)

    async def _job_or_404(repo_id: int, job_id: int) -> tuple[Any, Any]:
        job = await db.read(queries.get_job, job_id)
        if job is None:
            raise not_found(JOBS_DOC)
        run = await db.read(queries.get_run, job.run_id)
        if run is None or run.repository_id != repo_id:
            raise not_found(JOBS_DOC)
        return job, run

    @r.get("/repos/{owner}/{repo}/actions/jobs/{job_id}")
    async def get_job(owner: str, repo: str, job_id: int, request: Request) -> dict[str, Any]:
        ctx.auth.identify(request)
        repo_id, repository = ctx.repository(owner, repo, JOBS_DOC)
        job, run = await _job_or_404(repo_id, job_id)
        return job_json(job, run, repository, ctx.base_url)

    @r.get("/repos/{owner}/{repo}/actions/jobs/{job_id}/logs")
    async def job_logs(owner: str, repo: str, job_id: int, request: Request) -> Response:
        # GitHub answers 302 to a short-lived plain-text URL; answering the text itself serves
        # clients that follow redirects and those that do not.
        ctx.auth.identify(request)
        repo_id, _ = ctx.repository(owner, repo, JOBS_DOC)
        job, _run = await _job_or_404(repo_id, job_id)
        return PlainTextResponse(await db.read(stored_logs.read, job.id))

    @r.post("/repos/{owner}/{repo}/actions/runs/{run_id}/cancel", status_code=202)
    async def cancel_run(owner: str, repo: str, run_id: int, request: Request) -> Response:
        ctx.auth.identify(request)
        repo_id, _ = ctx.repository(owner, repo, RUNS_DOC)
        await _run_or_404(repo_id, run_id)
        if not await ctx.engine.cancel_run(run_id):
            raise GitHubError(409, "Cannot cancel a workflow run that is completed.", RUNS_DOC)
        return JSONResponse({}, status_code=202)

    @r.get("/dispatchd/runs/{run_id}")
    async def find_run(run_id: int, request: Request) -> dict[str, Any]:
        """dispatchd's own: a run by id alone (``dispatchd logs RUN_ID`` does not know the repository)."""
        ctx.auth.identify(request)
        run = await db.read(queries.get_run, run_id)
        repository = ctx.engine.repos.get(run.repository_id) if run is not None else None
        if run is None or repository is None:
            raise not_found(RUNS_DOC)
        return run_json(run, repository, run.repository_id, ctx.base_url)

    return r
