"""Workflow run artifacts (REST "Artifacts"): listed and downloaded as GitHub does, uploaded
through dispatchd's own endpoints by the built-in ``actions/upload-artifact``.

Artifacts are zip files kept under ``<data dir>/artifacts/<repository id>/<run id>/`` with an
``index.json`` of their metadata (id, name, size, digest, times). GitHub's routes:

* ``GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts`` → ``{"total_count", "artifacts"}``
  (newest first, optional ``name`` filter, paged with ``per_page``/``page``);
* ``GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}`` → one artifact;
* ``GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/zip`` → the zip itself (GitHub
  answers 302 to a short-lived blob URL; here the bytes come straight back).

dispatchd's own upload, in parts because a request body is at most 1 MB
(:mod:`dispatchd.api.limits`): ``PUT /repos/{owner}/{repo}/dispatchd/runs/{run_id}/artifacts/{name}?offset=N``
with the raw bytes of one part (offset 0 starts the upload), then
``POST /repos/{owner}/{repo}/dispatchd/runs/{run_id}/artifacts/{name}`` with
``{"size": total, "overwrite": bool}`` to finish it → 201 and the artifact. An artifact name is
unique in a run: finishing one that exists is 409 unless ``overwrite`` (upload-artifact v4's rule).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import FileResponse, JSONResponse

from ..store import queries
from .context import Access, ApiContext
from .dispatches import parse_json_object
from .errors import GitHubError, not_found
from .paging import link_headers, page_params

DOC = "https://docs.github.com/rest/actions/artifacts"
DbId = Annotated[int, Path(ge=1, le=2**63 - 1)]
#: GitHub keeps artifacts 90 days by default.
RETENTION_DAYS = 90
#: upload-artifact refuses these characters in a name (they are not valid in file systems).
_BAD_NAME = re.compile(r'["\:<>|*?\r\n\\/]')


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def artifact_json(meta: dict[str, Any], full_name: str, repo_id: int, base: str) -> dict[str, Any]:
    """GitHub's artifact object."""
    url = f"{base}/repos/{full_name}/actions/artifacts/{meta['id']}"
    created = float(meta["created_at"])
    expires = created + timedelta(days=RETENTION_DAYS).total_seconds()
    return {
        "id": meta["id"],
        "node_id": f"MDg6QXJ0aWZhY3Q{meta['id']}",
        "name": meta["name"],
        "size_in_bytes": meta["size"],
        "url": url,
        "archive_download_url": f"{url}/zip",
        "expired": False,
        "digest": f"sha256:{meta['sha256']}",
        "created_at": _iso(created),
        "updated_at": _iso(float(meta["updated_at"])),
        "expires_at": _iso(expires),
        "workflow_run": {
            "id": meta["run_id"],
            "repository_id": repo_id,
            "head_repository_id": repo_id,
            "head_branch": meta.get("head_branch"),
            "head_sha": meta.get("head_sha"),
        },
    }


class ArtifactStore:
    """The artifact files of one data directory; one lock serialises index updates."""

    def __init__(self, root: FsPath) -> None:
        self.root = root
        self.lock = asyncio.Lock()

    def run_dir(self, repo_id: int, run_id: int) -> FsPath:
        return self.root / str(repo_id) / str(run_id)

    def _index_path(self) -> FsPath:
        return self.root / "index.json"

    def read_index(self) -> dict[str, Any]:
        try:
            return json.loads(self._index_path().read_text())
        except FileNotFoundError:
            return {"next_id": 1, "artifacts": {}}

    def write_index(self, index: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self._index_path().with_suffix(".tmp")
        tmp.write_text(json.dumps(index))
        os.replace(tmp, self._index_path())

    def part_path(self, repo_id: int, run_id: int, name: str) -> FsPath:
        return self.run_dir(repo_id, run_id) / (hashlib.sha256(name.encode()).hexdigest() + ".part")


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(tags=["artifacts"])
    store = ArtifactStore(FsPath(ctx.engine.config.data_dir) / "artifacts")
    db = ctx.engine.db

    async def _run_or_404(a: Access, run_id: int) -> Any:
        run = await db.read(queries.get_run, run_id)
        if run is None or run.repository_id != a.repo_id:
            raise not_found(DOC)
        return run

    def _check_name(name: str) -> None:
        if not name.strip() or _BAD_NAME.search(name):
            raise GitHubError(
                422,
                f"Invalid artifact name '{name}': it must not be empty nor contain "
                'any of " : < > | * ? \\r \\n \\ /',
                DOC,
            )

    @r.put(
        "/repos/{owner}/{repo}/dispatchd/runs/{run_id}/artifacts/{name}",
        status_code=204,
        response_class=Response,
    )
    async def put_artifact_part(owner: str, repo: str, run_id: DbId, name: str, request: Request) -> Response:
        """dispatchd's own: one part of an artifact's zip at ``offset`` (0 starts over)."""
        a = await ctx.access(request, owner, repo, "write", DOC)
        await _run_or_404(a, run_id)
        _check_name(name)
        try:
            offset = int(request.query_params.get("offset", "0"))
        except ValueError:
            raise GitHubError(422, "offset must be a number", DOC) from None
        body = await request.body()
        part = store.part_path(a.repo_id, run_id, name)
        part.parent.mkdir(parents=True, exist_ok=True)
        size = part.stat().st_size if part.exists() else 0
        if offset != 0 and offset != size:
            raise GitHubError(409, f"Upload out of order: expected offset {size}, got {offset}", DOC)
        # A part is at most the request body limit (1 MB): written in one go.
        with open(part, "wb" if offset == 0 else "ab") as f:  # noqa: ASYNC230
            f.write(body)
        return Response(status_code=204)

    @r.post("/repos/{owner}/{repo}/dispatchd/runs/{run_id}/artifacts/{name}", status_code=201)
    async def finish_artifact(owner: str, repo: str, run_id: DbId, name: str, request: Request) -> Response:
        """dispatchd's own: finish an uploaded artifact; 201 with GitHub's artifact object."""
        a = await ctx.access(request, owner, repo, "write", DOC)
        run = await _run_or_404(a, run_id)
        _check_name(name)
        body = parse_json_object(await request.body(), DOC)
        part = store.part_path(a.repo_id, run_id, name)
        if not part.exists():
            raise GitHubError(422, f"No upload was started for artifact '{name}'", DOC)
        size = part.stat().st_size
        if body.get("size") is not None and body.get("size") != size:
            raise GitHubError(
                422, f"Artifact '{name}' is incomplete: {size} of {body.get('size')} bytes", DOC
            )
        async with store.lock:
            index = store.read_index()
            existing = [
                m
                for m in index["artifacts"].values()
                if m["repo_id"] == a.repo_id and m["run_id"] == run_id and m["name"] == name
            ]
            if existing and not body.get("overwrite"):
                part.unlink(missing_ok=True)
                raise GitHubError(409, f"An artifact with the name '{name}' already exists in this run", DOC)
            for old in existing:
                (store.run_dir(a.repo_id, run_id) / f"{old['id']}.zip").unlink(missing_ok=True)
                del index["artifacts"][str(old["id"])]
            artifact_id = int(index["next_id"])
            index["next_id"] = artifact_id + 1
            target = store.run_dir(a.repo_id, run_id) / f"{artifact_id}.zip"
            os.replace(part, target)
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            now = time.time()
            meta = {
                "id": artifact_id,
                "repo_id": a.repo_id,
                "run_id": run_id,
                "name": name,
                "size": size,
                "sha256": digest,
                "created_at": now,
                "updated_at": now,
                "head_branch": getattr(run, "head_branch", None),
                "head_sha": getattr(run, "head_sha", None),
            }
            index["artifacts"][str(artifact_id)] = meta
            store.write_index(index)
        return JSONResponse(
            artifact_json(meta, a.repository.full_name, a.repo_id, ctx.base_url), status_code=201
        )

    @r.get("/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts")
    async def list_run_artifacts(owner: str, repo: str, run_id: DbId, request: Request) -> Response:
        """List workflow run artifacts (newest first; ``name`` filters by exact name)."""
        a = await ctx.access(request, owner, repo, "read", DOC)
        await _run_or_404(a, run_id)
        page = page_params(request)
        wanted = request.query_params.get("name")
        metas = sorted(
            (
                m
                for m in store.read_index()["artifacts"].values()
                if m["repo_id"] == a.repo_id
                and m["run_id"] == run_id
                and (wanted is None or m["name"] == wanted)
            ),
            key=lambda m: -int(m["id"]),
        )
        total = len(metas)
        body = {
            "total_count": total,
            "artifacts": [
                artifact_json(m, a.repository.full_name, a.repo_id, ctx.base_url) for m in page.slice(metas)
            ],
        }
        headers = link_headers(request, page, total)
        return JSONResponse(body, headers=headers)

    def _find(a: Access, artifact_id: int) -> dict[str, Any]:
        meta = store.read_index()["artifacts"].get(str(artifact_id))
        if meta is None or meta["repo_id"] != a.repo_id:
            raise not_found(DOC)
        return meta

    @r.get("/repos/{owner}/{repo}/actions/artifacts/{artifact_id}")
    async def get_artifact(owner: str, repo: str, artifact_id: DbId, request: Request) -> Response:
        """Get an artifact."""
        a = await ctx.access(request, owner, repo, "read", DOC)
        return JSONResponse(
            artifact_json(_find(a, artifact_id), a.repository.full_name, a.repo_id, ctx.base_url)
        )

    @r.get("/repos/{owner}/{repo}/actions/artifacts/{artifact_id}/zip")
    async def download_artifact(owner: str, repo: str, artifact_id: DbId, request: Request) -> Response:
        """Download an artifact: the zip archive itself."""
        a = await ctx.access(request, owner, repo, "read", DOC)
        meta = _find(a, artifact_id)
        path = store.run_dir(a.repo_id, int(meta["run_id"])) / f"{meta['id']}.zip"
        return FileResponse(path, media_type="application/zip", filename=f"{meta['name']}.zip")

    return r
