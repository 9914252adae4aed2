"""Repository secrets: GitHub's listing and deletion paths, and dispatchd's way to set one.

GitHub sets a secret with ``PUT …/actions/secrets/{name}`` and a value sealed with the
repository's public key (libsodium); dispatchd takes the value over its own authenticated API
(``PUT /repos/{owner}/{repo}/dispatchd/secrets/{name}`` ``{"value"}``, admin only) and keeps it
encrypted. No endpoint ever returns a value.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from ..store import secrets as stored_secrets
from .auth import require_admin
from .context import ApiContext
from .dispatches import parse_json_object
from .errors import GitHubError
from .serialize import iso

DOC = "https://docs.github.com/rest/actions/secrets"
#: GitHub: a secret is at most 48 KB.
MAX_VALUE_BYTES = 48 * 1024


def _secret_json(row: Any) -> dict[str, Any]:
    return {"name": row.name, "created_at": iso(row.created_at), "updated_at": iso(row.updated_at)}


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(tags=["secrets"])
    db = ctx.engine.db

    @r.get("/repos/{owner}/{repo}/actions/secrets")
    async def list_secrets(owner: str, repo: str, request: Request) -> JSONResponse:
        """Names and times of the repository's secrets (never values)."""
        a = await ctx.access(request, owner, repo, "write", DOC)
        rows = await db.read(stored_secrets.listing, a.repo_id)
        return JSONResponse({"total_count": len(rows), "secrets": [_secret_json(s) for s in rows]})

    @r.get("/repos/{owner}/{repo}/actions/secrets/{name}")
    async def get_secret(owner: str, repo: str, name: str, request: Request) -> JSONResponse:
        a = await ctx.access(request, owner, repo, "write", DOC)
        rows = [s for s in await db.read(stored_secrets.listing, a.repo_id) if s.name == name.upper()]
        if not rows:
            raise GitHubError(404, "Not Found", DOC)
        return JSONResponse(_secret_json(rows[0]))

    @r.delete("/repos/{owner}/{repo}/actions/secrets/{name}", status_code=204, response_class=Response)
    async def delete_secret(owner: str, repo: str, name: str, request: Request) -> Response:
        a = await ctx.access(request, owner, repo, "write", DOC)
        require_admin(a.identity, DOC)
        if not await db.write(stored_secrets.remove, a.repo_id, name):
            raise GitHubError(404, "Not Found", DOC)
        return Response(status_code=204)

    @r.put("/repos/{owner}/{repo}/dispatchd/secrets/{name}", status_code=201)
    async def put_secret(owner: str, repo: str, name: str, request: Request) -> Response:
        """dispatchd's own: set a secret from its value (admin token only); 201 created, 204 updated."""
        a = await ctx.access(request, owner, repo, "write", DOC)
        require_admin(a.identity, DOC)
        body = parse_json_object(await request.body(), DOC)
        value = body.get("value")
        if not isinstance(value, str):
            raise GitHubError(422, "Invalid request.\n\n\"value\" must be a string.", DOC)
        if len(value.encode()) > MAX_VALUE_BYTES or "\x00" in value:
            raise GitHubError(422, "Invalid request.\n\nA secret is at most 48 KB of text without NUL.", DOC)
        box = ctx.engine.secret_box
        if box is None:
            raise GitHubError(422, "This server keeps no secrets (it has no key).", DOC)
        if len(name) > 200:  # GitHub caps names; the column is 200 characters
            raise GitHubError(422, "Invalid request.\n\nSecret names are at most 200 characters.", DOC)
        try:
            created = await db.write(stored_secrets.put, box, a.repo_id, name, value)
        except stored_secrets.SecretNameError as e:
            raise GitHubError(422, f"Invalid request.\n\n{e}", DOC) from None
        return Response(status_code=201 if created else 204)

    return r
