"""Check runs (REST "Check runs"): a job is GitHub's check run for its run's head commit, with the
job's id and name, so the check-run reads of workflows (``github.rest.checks.listForRef`` to find
a job by name, then ``checks.update`` to set its result, as ok-to-test style workflows do) work.

GitHub's rules kept here:

- ``GET /commits/{ref}/check-runs``: ``ref`` is a sha (full or abbreviated), a branch or a tag; one
  that names no commit of the repository is 422 ``No commit found for SHA: <ref>``; a commit
  without jobs answers ``{"total_count": 0, "check_runs": []}``; ``filter=latest`` (default)
  shows only the current attempt of each run; ``check_name`` and ``status`` filter;
- ``PATCH /check-runs/{id}``: a ``conclusion`` sets ``status`` to ``completed``; ``completed``
  without a conclusion is 422; ``stale`` cannot be set (only GitHub sets it); only GitHub Apps may
  update check runs, so a personal access token is 403 — a job's ``GITHUB_TOKEN`` (the GitHub
  Actions app) and the server's admin may. A job completing after an update overwrites it, as the
  runner's own update does on GitHub;
- creating check runs (``POST /check-runs``) is not served: every check run here is a job.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ..events import user_object
from ..store import checks as stored_checks
from . import models
from .context import Access, ApiContext
from .dispatches import parse_json_object
from .errors import GitHubError
from .paging import link_headers, page_params
from .serialize import JOB_STATUS, iso
from .validation import found, invalid_query, invalid_type, string_field, validation_failed

LIST_DOC = "https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference"
GET_DOC = "https://docs.github.com/rest/checks/runs#get-a-check-run"
UPDATE_DOC = "https://docs.github.com/rest/checks/runs#update-a-check-run"
CheckRunId = Path(ge=1, le=2**63 - 1)

STATUSES = ("queued", "in_progress", "completed", "waiting", "requested", "pending")
#: What "Update a check run" accepts (GitHub: waiting, requested, pending are for Actions alone).
SETTABLE_STATUSES = ("queued", "in_progress", "completed")
CONCLUSIONS = ("action_required", "cancelled", "failure", "neutral", "success", "skipped", "timed_out")
#: The GitHub Actions app, which owns every job's check run.
ACTIONS_APP_ID = 15368


def no_commit(ref: str, doc: str) -> GitHubError:
    """GitHub's answer for a ref or sha that names no commit of the repository."""
    return GitHubError(422, f"No commit found for SHA: {ref}", doc)


async def resolve_commit(a: Access, ref: str, doc: str) -> str:
    """The full sha ``ref`` names (sha, abbreviated sha, branch or tag), or GitHub's 422."""
    sha = await run_in_threadpool(a.repository.commit_sha, ref)
    if sha is None:
        raise no_commit(ref, doc)
    return sha


def effective(row: Any) -> dict[str, Any]:
    """The check run's fields as they stand: the job's, or the update's unless the job completed
    after it (the runner's completion overwrites an earlier update, as on GitHub)."""
    job = {"name": row.name, "status": JOB_STATUS.get(row.state, row.state), "conclusion": row.conclusion,
           "started_at": row.started_at, "completed_at": row.completed_at, "details_url": None,
           "external_id": None, "output": None}
    if row.cr_updated_at is None or (row.completed_at is not None and row.completed_at > row.cr_updated_at):
        return job
    return {f: getattr(row, f"cr_{f}") for f in stored_checks.FIELDS}


def _app(base: str) -> dict[str, Any]:
    return {"id": ACTIONS_APP_ID, "slug": "github-actions", "node_id": f"A_{ACTIONS_APP_ID}",
            "name": "GitHub Actions", "owner": user_object("github", base), "description": "Automate your workflow",
            "external_url": f"{base}/features/actions", "html_url": f"{base}/apps/github-actions",
            "created_at": None, "updated_at": None, "permissions": {}, "events": []}


def check_run_json(row: Any, full: str, base: str) -> dict[str, Any]:
    """GitHub's check-run object for a job (``row`` from ``store.checks``)."""
    state = effective(row)
    html = f"{base}/{full}/actions/runs/{row.run_id}/job/{row.id}"
    api = f"{base}/repos/{full}/check-runs/{row.id}"
    output = state["output"] or {}
    return {
        "id": row.id,
        "head_sha": row.run_head_sha,
        "node_id": f"CR_{row.id}",
        "external_id": state["external_id"] or "",
        "url": api,
        "html_url": html,
        "details_url": state["details_url"] or html,
        "status": state["status"],
        "conclusion": state["conclusion"],
        "started_at": iso(state["started_at"] or row.created_at),
        "completed_at": iso(state["completed_at"]),
        "output": {"title": output.get("title"), "summary": output.get("summary"), "text": output.get("text"),
                   "annotations_count": len(row.annotations or []), "annotations_url": f"{api}/annotations"},
        "name": state["name"],
        "check_suite": {"id": row.run_id},
        "app": _app(base),
        "pull_requests": [],
    }


def _time(body: dict[str, Any], field: str) -> float | None:
    value = body.get(field)
    if value is None:
        return None
    try:
        # Python 3.11 reads GitHub's "Z" suffix; a date without an offset is UTC, as on GitHub.
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
        # In UTC it must still be a date (years 1-9999): it is shown in UTC on every later read.
        when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC) if when else None
    except (ValueError, OverflowError):
        when = None
    if when is None:
        raise invalid_type(field, value, "a date-time", UPDATE_DOC)
    return when.timestamp()


def _changes(body: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The check run's new fields from an update ``body``, or GitHub's 422."""
    out = dict(current)
    for field, limit in (("name", 1024), ("details_url", 2048), ("external_id", 1024)):
        if field in body:
            value = string_field(body, field, UPDATE_DOC, resource="CheckRun", limit=limit)
            if field == "name" and not (value or "").strip():
                raise validation_failed("CheckRun", "name", "missing_field", UPDATE_DOC)
            out[field] = value
    if "started_at" in body:
        out["started_at"] = _time(body, "started_at")
    status = body.get("status")
    conclusion = body.get("conclusion")
    completed_at = _time(body, "completed_at")
    if status is not None and status not in SETTABLE_STATUSES:
        raise invalid_type("status", status, f"one of {', '.join(SETTABLE_STATUSES)}", UPDATE_DOC)
    if conclusion is not None and conclusion not in CONCLUSIONS:
        if conclusion == "stale":
            raise validation_failed("CheckRun", "conclusion", "custom", UPDATE_DOC,
                                    "conclusion cannot be stale, only GitHub can set it")
        raise invalid_type("conclusion", conclusion, f"one of {', '.join(CONCLUSIONS)}", UPDATE_DOC)
    if conclusion is None and (status == "completed" or completed_at is not None):
        raise validation_failed("CheckRun", "conclusion", "missing_field", UPDATE_DOC)
    if conclusion is not None:
        # GitHub: a conclusion sets the status to completed.
        out.update(status="completed", conclusion=conclusion, completed_at=completed_at or time.time())
    elif status is not None:
        out.update(status=status, conclusion=None, completed_at=None)
    if "output" in body and body["output"] is not None:
        output = body["output"]
        if not isinstance(output, dict):
            raise invalid_type("output", output, "an object", UPDATE_DOC)
        out["output"] = {k: string_field(output, k, UPDATE_DOC, resource="CheckRun", limit=65_535)
                         for k in ("title", "summary", "text")}
    return out


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(tags=["checks"])
    db = ctx.engine.db

    async def _get(a: Access, check_run_id: int, doc: str) -> Any:
        return found(await db.read(stored_checks.get, a.repo_id, check_run_id), doc)

    @r.get("/repos/{owner}/{repo}/commits/{ref:path}/check-runs", responses=models.ok(models.CheckRunList),
           openapi_extra=models.query("check_name", "status:checks", "filter:checks", "per_page", "page"))
    async def list_for_ref(owner: str, repo: str, ref: str, request: Request) -> Response:
        """The check runs (jobs) of the commit ``ref`` names, oldest first."""
        a = await ctx.access(request, owner, repo, "read", LIST_DOC)
        q = request.query_params
        filter_ = q.get("filter") or "latest"
        status = q.get("status")
        if filter_ not in ("latest", "all") or (status is not None and status not in STATUSES):
            raise invalid_query("CheckRun", "filter/status", LIST_DOC)
        sha = await resolve_commit(a, ref, LIST_DOC)
        rows = await db.read(lambda c: stored_checks.for_commit(c, a.repo_id, sha, latest=filter_ == "latest"))
        runs = [check_run_json(row, a.repository.full_name, ctx.base_url) for row in rows]
        if q.get("check_name") is not None:
            runs = [x for x in runs if x["name"] == q["check_name"]]
        if status is not None:
            runs = [x for x in runs if x["status"] == status]
        page = page_params(request)
        return JSONResponse({"total_count": len(runs), "check_runs": page.slice(runs)},
                            headers=link_headers(request, page, len(runs)))

    @r.get("/repos/{owner}/{repo}/check-runs/{check_run_id}", responses=models.ok(models.CheckRun))
    async def get_check_run(owner: str, repo: str, request: Request, check_run_id: int = CheckRunId) -> Response:
        """One check run (a job) by id."""
        a = await ctx.access(request, owner, repo, "read", GET_DOC)
        row = await _get(a, check_run_id, GET_DOC)
        return JSONResponse(check_run_json(row, a.repository.full_name, ctx.base_url))

    @r.patch("/repos/{owner}/{repo}/check-runs/{check_run_id}", responses=models.ok(models.CheckRun),
             openapi_extra=models.body(models.CheckRunUpdateRequest))
    async def update_check_run(owner: str, repo: str, request: Request, check_run_id: int = CheckRunId) -> Response:
        """Change a check run's ``name``, ``status``, ``conclusion``, times, ``details_url``,
        ``external_id`` or ``output``."""
        a = await ctx.access(request, owner, repo, "write", UPDATE_DOC)
        if not a.identity.admin and a.identity.job_id is None:
            # GitHub: only GitHub Apps update check runs; personal access tokens cannot.
            raise GitHubError(403, a.identity.forbidden_message, UPDATE_DOC)
        body = parse_json_object(await request.body(), UPDATE_DOC)
        row = await _get(a, check_run_id, UPDATE_DOC)
        values = _changes(body, effective(row))
        row = await db.write(stored_checks.update, row, values)
        return JSONResponse(check_run_json(row, a.repository.full_name, ctx.base_url))

    return r
