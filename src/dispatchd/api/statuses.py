"""Commit statuses (REST "Commit statuses"): create one, list a ref's statuses, and the combined
status of a ref — what deployment and review workflows post with
``github.rest.repos.createCommitStatus``.

GitHub's rules kept here: ``state`` is ``error``, ``failure``, ``pending`` or ``success``
(required); ``context`` defaults to ``default``; ``description`` is at most 140 characters; a sha
that names no commit of the repository is 422 ``No commit found for SHA: <sha>``. The combined
state is ``failure`` when any context's latest status is ``error`` or ``failure``, ``pending``
when one is pending or there are none, else ``success``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from ..events import repository_object
from ..repos import RepositoryError
from ..store import statuses as stored_statuses
from . import models
from .checks import resolve_commit
from .context import Access, ApiContext
from .dispatches import parse_json_object
from .issues import user_json
from .paging import link_headers, page_params
from .serialize import iso
from .validation import invalid_type, not_supplied, string_field

CREATE_DOC = "https://docs.github.com/rest/commits/statuses#create-a-commit-status"
LIST_DOC = "https://docs.github.com/rest/commits/statuses#list-commit-statuses-for-a-reference"
COMBINED_DOC = "https://docs.github.com/rest/commits/statuses#get-the-combined-status-for-a-specific-reference"
STATES = ("error", "failure", "pending", "success")
MAX_DESCRIPTION = 140


def status_json(row: Any, full: str, base: str) -> dict[str, Any]:
    """GitHub's status object."""
    creator = user_json(row.creator, base)
    return {
        "url": f"{base}/repos/{full}/statuses/{row.sha}",
        "avatar_url": creator["avatar_url"],
        "id": row.id,
        "node_id": f"SC_{row.id}",
        "state": row.state,
        "description": row.description,
        "target_url": row.target_url,
        "context": row.context,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "creator": creator,
    }


def combined_state(latest: list[Any]) -> str:
    states = {row.state for row in latest}
    if states & {"error", "failure"}:
        return "failure"
    if not latest or "pending" in states:
        return "pending"
    return "success"


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(tags=["statuses"])
    db = ctx.engine.db

    def _repository_json(a: Access) -> dict[str, Any]:
        try:
            branch = a.repository.default_branch()
        except RepositoryError:
            branch = "main"
        return repository_object(a.repo_id, a.repository.owner, a.repository.name, branch, ctx.base_url)

    @r.post("/repos/{owner}/{repo}/statuses/{sha}", status_code=201, responses=models.ok(models.Status, 201),
            openapi_extra=models.body(models.StatusCreateRequest))
    async def create_status(owner: str, repo: str, sha: str, request: Request) -> Response:
        """Add a status to commit ``sha``: 201 with it and a ``Location`` header."""
        a = await ctx.access(request, owner, repo, "write", CREATE_DOC)
        body = parse_json_object(await request.body(), CREATE_DOC)
        state = body.get("state")
        if state is None:
            raise not_supplied("state", CREATE_DOC)
        if state not in STATES:
            raise invalid_type("state", state, f"one of {', '.join(STATES)}", CREATE_DOC)
        target_url = string_field(body, "target_url", CREATE_DOC, resource="Status", limit=2048)
        description = string_field(body, "description", CREATE_DOC, resource="Status", limit=MAX_DESCRIPTION)
        context = string_field(body, "context", CREATE_DOC, resource="Status", limit=255) or "default"
        full_sha = await resolve_commit(a, sha, CREATE_DOC)
        row = await db.write(lambda c: stored_statuses.create(
            c, a.repo_id, full_sha, state=state, target_url=target_url, description=description, context=context,
            creator=a.identity.login))
        data = status_json(row, a.repository.full_name, ctx.base_url)
        return JSONResponse(data, status_code=201, headers={"Location": data["url"]})

    @r.get("/repos/{owner}/{repo}/commits/{ref:path}/statuses", responses=models.ok(models.StatusList),
           openapi_extra=models.query("per_page", "page"))
    async def list_statuses(owner: str, repo: str, ref: str, request: Request) -> Response:
        """Every status of the commit ``ref`` names, newest first."""
        a = await ctx.access(request, owner, repo, "read", LIST_DOC)
        sha = await resolve_commit(a, ref, LIST_DOC)
        rows = await db.read(stored_statuses.for_commit, a.repo_id, sha)
        page = page_params(request)
        return JSONResponse([status_json(x, a.repository.full_name, ctx.base_url) for x in page.slice(rows)],
                            headers=link_headers(request, page, len(rows)))

    @r.get("/repos/{owner}/{repo}/commits/{ref:path}/status", responses=models.ok(models.CombinedStatus),
           openapi_extra=models.query("per_page", "page"))
    async def combined_status(owner: str, repo: str, ref: str, request: Request) -> Response:
        """The combined status of the commit ``ref`` names: the latest status of each context."""
        a = await ctx.access(request, owner, repo, "read", COMBINED_DOC)
        sha = await resolve_commit(a, ref, COMBINED_DOC)
        latest = stored_statuses.latest_per_context(await db.read(stored_statuses.for_commit, a.repo_id, sha))
        page = page_params(request)
        full = a.repository.full_name
        return JSONResponse({
            "state": combined_state(latest),
            "statuses": [status_json(x, full, ctx.base_url) for x in page.slice(latest)],
            "sha": sha,
            "total_count": len(latest),
            "repository": _repository_json(a),
            "commit_url": f"{ctx.base_url}/repos/{full}/commits/{sha}",
            "url": f"{ctx.base_url}/repos/{full}/commits/{sha}/status",
        }, headers=link_headers(request, page, len(latest)))

    return r
