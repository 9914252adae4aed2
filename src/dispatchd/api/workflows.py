"""Workflows (REST "Workflows"): list, get, the runs of one workflow, and ``workflow_dispatch``.

``workflow_id`` is the numeric id or the file name (``ci.yml``). GitHub lists the workflow
files of the default branch; a workflow gets its id the first time dispatchd sees it.

``POST .../workflows/{workflow_id}/dispatches`` (REST "Create a workflow dispatch event"): the
body has ``ref`` (required: a branch or tag), ``inputs`` (the declared
``on.workflow_dispatch.inputs``, typed and checked as GitHub does) and ``return_run_details``
(GitHub, 2026-02-19: answer 200 ``{"workflow_run_id", "run_url", "html_url"}`` instead of 204).
The workflow must exist on the default branch; the file at ``ref`` is the one that runs.
"""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..engine.workflows import load_cached
from ..repos import Repository, RepositoryError
from ..store import queries
from ..store.events import NewEvent
from ..store.schema import workflows
from ..workflow import InputError, Workflow, resolve_dispatch_inputs
from . import models
from .context import ApiContext
from .dispatches import parse_json_object
from .errors import GitHubError, not_found
from .paging import link_headers, page_params
from .runs import runs_page
from .serialize import workflow_json
from .validation import invalid_request, missing_problem, not_permitted_problem, type_problem

DOC = "https://docs.github.com/rest/actions/workflows"
DISPATCH_DOC = "https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event"
MAX_INPUTS_CHARS = 65_535
DISPATCH_KEYS = ("ref", "inputs", "return_run_details")


def _ensure_rows(conn: Connection, repo_id: int, files: dict[str, str]) -> list[Any]:
    """Every workflow row of the repository, after adding the files at the default branch's head
    that have none yet."""
    known = {r.path: r for r in conn.execute(select(workflows).where(workflows.c.repository_id == repo_id))}
    now = time.time()
    for path, text in files.items():
        if path not in known:
            loaded = load_cached(path, text)
            name = loaded.display_name if isinstance(loaded, Workflow) else path
            conn.execute(workflows.insert().values(repository_id=repo_id, path=path, name=name, last_run_number=0,
                                                   created_at=now, updated_at=now))
    return list(conn.execute(select(workflows).where(workflows.c.repository_id == repo_id).order_by(workflows.c.id)))


def _default_branch_files(repository: Repository) -> dict[str, str]:
    try:
        return repository.workflow_files(repository.head_sha())
    except RepositoryError:
        return {}


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(tags=["actions"])
    db = ctx.engine.db

    async def _all(repo_id: int, repository: Repository) -> tuple[list[Any], dict[str, str]]:
        files = _default_branch_files(repository)
        rows = await db.write(_ensure_rows, repo_id, files)
        return rows, files

    async def _find(repo_id: int, repository: Repository, workflow_id: str, doc: str) -> tuple[Any, dict[str, str]]:
        rows, files = await _all(repo_id, repository)
        for row in rows:
            if workflow_id.isascii() and workflow_id.isdigit() and len(workflow_id) < 19 and row.id == int(workflow_id):
                return row, files
            if row.path.rsplit("/", 1)[-1] == workflow_id:
                return row, files
        raise not_found(doc)

    @r.get("/repos/{owner}/{repo}/actions/workflows", responses=models.ok(models.WorkflowList),
           openapi_extra=models.query("per_page", "page"))
    async def list_workflows(owner: str, repo: str, request: Request) -> Response:
        """The repository's workflows: the files of the default branch (and earlier ones, ``deleted``)."""
        a = await ctx.access(request, owner, repo, "read", DOC)
        rows, files = await _all(a.repo_id, a.repository)
        page = page_params(request)
        items = [workflow_json(w, a.repository, ctx.base_url, "active" if w.path in files else "deleted")
                 for w in rows]
        return JSONResponse({"total_count": len(items), "workflows": page.slice(items)},
                            headers=link_headers(request, page, len(items)))

    @r.get("/repos/{owner}/{repo}/actions/workflows/{workflow_id}", responses=models.ok(models.Workflow))
    async def get_workflow(owner: str, repo: str, workflow_id: str, request: Request) -> Response:
        """One workflow, by id or file name."""
        a = await ctx.access(request, owner, repo, "read", DOC)
        row, files = await _find(a.repo_id, a.repository, workflow_id, DOC)
        return JSONResponse(workflow_json(row, a.repository, ctx.base_url, "active" if row.path in files else "deleted"))

    @r.get("/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs", responses=models.ok(models.WorkflowRunList),
           openapi_extra=models.query("branch", "event", "status", "created", "per_page", "page"))
    async def list_workflow_runs(owner: str, repo: str, workflow_id: str, request: Request) -> Response:
        """The runs of one workflow, newest first, with the filters of ``GET .../actions/runs``."""
        a = await ctx.access(request, owner, repo, "read", DOC)
        row, _ = await _find(a.repo_id, a.repository, workflow_id, DOC)
        return await runs_page(ctx, request, a.repo_id, a.repository, row.id)

    @r.post("/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", status_code=204,
            responses={204: {"description": "Accepted"}, **models.ok(models.WorkflowDispatchDetails)},
            openapi_extra=models.body(models.WorkflowDispatchRequest), response_class=Response)
    async def dispatch_workflow(owner: str, repo: str, workflow_id: str, request: Request) -> Response:
        """Start the workflow on ``ref`` with ``inputs``: 204, or 200 with the run when
        ``return_run_details`` is true."""
        a = await ctx.access(request, owner, repo, "dispatch", DISPATCH_DOC)
        body = parse_json_object(await request.body(), DISPATCH_DOC)
        unknown = [k for k in body if k not in DISPATCH_KEYS]
        problems = []
        if unknown:
            problems.append(not_permitted_problem(unknown))
        ref = body.get("ref")
        if "ref" not in body:
            problems.append(missing_problem("ref"))
        elif not isinstance(ref, str):
            problems.append(type_problem("ref", ref, "a string"))
        inputs = body.get("inputs")
        if inputs is None:
            inputs = {}
        if not isinstance(inputs, dict):
            problems.append(type_problem("inputs", inputs, "an object"))
        details = body.get("return_run_details", False)
        if details is not None and not isinstance(details, bool):
            problems.append(type_problem("return_run_details", details, "a boolean"))
        if problems:
            raise invalid_request(problems, DISPATCH_DOC)
        assert isinstance(ref, str) and isinstance(inputs, dict)
        if len(json.dumps(inputs, ensure_ascii=False)) > MAX_INPUTS_CHARS:
            raise GitHubError(422, "inputs are too large.", DISPATCH_DOC)
        row, files = await _find(a.repo_id, a.repository, workflow_id, DISPATCH_DOC)
        if row.path not in files:  # GitHub: the workflow must be on the default branch
            raise not_found(DISPATCH_DOC)
        if "\x00" in ref or not ref.strip() or len(ref) > 255:
            raise GitHubError(422, f"No ref found for: {ref.replace(chr(0), '')[:255]}", DISPATCH_DOC)
        try:
            _full_ref, sha = a.repository.resolve_ref(ref)
        except RepositoryError:
            raise GitHubError(422, f"No ref found for: {ref}", DISPATCH_DOC) from None
        text = a.repository.workflow_files(sha).get(row.path)
        loaded = load_cached(row.path, text) if text is not None else None
        if not isinstance(loaded, Workflow) or "workflow_dispatch" not in loaded.on:
            raise GitHubError(422, "Workflow does not have 'workflow_dispatch' trigger", DISPATCH_DOC)
        try:
            _typed, texts = resolve_dispatch_inputs(loaded, inputs)
        except InputError as e:
            raise GitHubError(422, str(e), DISPATCH_DOC) from None
        if any("\x00" in v for v in texts.values()):
            # PostgreSQL cannot store NUL in text; refuse it everywhere so both stores agree.
            raise invalid_request(["inputs contain a NUL character."], DISPATCH_DOC)
        accepted = await ctx.engine.submit(NewEvent(
            repository_id=a.repo_id, event_name="workflow_dispatch", sender=a.identity.login, ref=ref,
            inputs=texts, workflow_path=row.path))
        if not details:
            return Response(status_code=204)
        run_ids = list(accepted.run_ids)
        if not run_ids:  # decided later by the orchestrator's loop
            await ctx.engine.wait_event_processed(accepted.event_id, timeout=10.0)
            run_ids = [x.id for x in await db.read(queries.runs_of_event, accepted.event_id)]
        if not run_ids:
            return Response(status_code=204)
        full = a.repository.full_name
        return JSONResponse({"workflow_run_id": run_ids[0],
                             "run_url": f"{ctx.base_url}/repos/{full}/actions/runs/{run_ids[0]}",
                             "html_url": f"{ctx.base_url}/{full}/actions/runs/{run_ids[0]}"})

    return r
