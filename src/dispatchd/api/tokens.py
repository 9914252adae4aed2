"""dispatchd's own token administration (admin token only; ``dispatchd token create|revoke``).

``POST /dispatchd/tokens`` ``{"repository": "OWNER/NAME", "scope": "read"|"dispatch"|"write"}``
→ 201 with the token (shown this once: only its sha256 is stored). ``GET /dispatchd/tokens``
lists them without the secret. ``POST /dispatchd/tokens/revoke`` ``{"token": T}`` or ``{"id": N}``
→ 204 (the token goes in the body, not the URL, so it does not reach access logs);
``DELETE /dispatchd/tokens/{id}`` → 204.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse

from ..store import tokens as stored_tokens
from . import models
from .auth import ADMIN_LOGIN, require_admin
from .context import ApiContext
from .dispatches import parse_json_object
from .errors import not_found
from .serialize import iso
from .validation import invalid_request

DOC = "https://docs.github.com/rest"


def token_json(row: Any, full_name: str) -> dict[str, Any]:
    return {"id": row.id, "repository": full_name, "scope": row.scope, "login": row.login, "note": row.note,
            "created_at": iso(row.created_at), "expires_at": iso(row.expires_at), "revoked_at": iso(row.revoked_at)}


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(tags=["dispatchd"])
    db = ctx.engine.db

    def _full_name(repo_id: int) -> str:
        repo = ctx.engine.repos.get(repo_id)
        return repo.full_name if repo is not None else str(repo_id)

    @r.post("/dispatchd/tokens", status_code=201, responses=models.ok(models.TokenCreated, 201),
            openapi_extra=models.body(models.TokenCreateRequest))
    async def create_token(request: Request) -> Response:
        """Make a token for one repository with one scope; the answer holds it, once."""
        require_admin(await ctx.auth.identify(request))
        body = parse_json_object(await request.body(), DOC)
        full = body.get("repository")
        scope = body.get("scope")
        login = body.get("login") or ADMIN_LOGIN
        note = body.get("note")
        problems = []
        if not isinstance(full, str) or full.count("/") != 1:
            problems.append("repository must be OWNER/NAME.")
        if scope not in stored_tokens.SCOPES:
            problems.append(f"scope must be one of {', '.join(stored_tokens.SCOPES)}.")
        if not isinstance(login, str) or not login.strip() or len(login) > 100 or "\x00" in login:
            problems.append("login must be a name of at most 100 characters.")
        if note is not None and (not isinstance(note, str) or len(note) > 1000 or "\x00" in note):
            problems.append("note must be a string of at most 1000 characters.")
        if problems:
            raise invalid_request(problems, DOC)
        assert isinstance(full, str) and isinstance(scope, str)
        owner, name = full.split("/")
        repo_id, repository = ctx.repository(owner, name, DOC)
        token_id, token = await db.write(lambda c: stored_tokens.create(c, repo_id, scope, login, note=note))
        rows = await db.read(stored_tokens.listing, repo_id)
        row = next(x for x in rows if x.id == token_id)
        return JSONResponse({**token_json(row, repository.full_name), "token": token}, status_code=201)

    @r.get("/dispatchd/tokens", responses=models.ok(models.TokenList))
    async def list_tokens(request: Request) -> Response:
        """Every token made through the API, newest first (never the tokens themselves)."""
        require_admin(await ctx.auth.identify(request))
        rows = await db.read(stored_tokens.listing)
        return JSONResponse([token_json(x, _full_name(x.repository_id)) for x in rows])

    @r.post("/dispatchd/tokens/revoke", status_code=204, response_class=Response,
            responses={204: {"description": "Revoked"}}, openapi_extra=models.body(models.TokenRevokeRequest))
    async def revoke_token(request: Request) -> Response:
        """Revoke by ``token`` or ``id``; 404 when there is no such live token."""
        require_admin(await ctx.auth.identify(request))
        body = parse_json_object(await request.body(), DOC)
        token, token_id = body.get("token"), body.get("id")
        if isinstance(token, str) and token:
            done = await db.write(lambda c: stored_tokens.revoke(c, token=token))
        elif isinstance(token_id, int) and not isinstance(token_id, bool) and 0 < token_id < 2**63:
            done = await db.write(lambda c: stored_tokens.revoke(c, token_id=token_id))
        else:
            raise invalid_request(['Give "token" (a string) or "id" (an integer).'], DOC)
        if not done:
            raise not_found(DOC)
        return Response(status_code=204)

    @r.delete("/dispatchd/tokens/{token_id}", status_code=204, response_class=Response,
              responses={204: {"description": "Revoked"}})
    async def delete_token(request: Request, token_id: int = Path(ge=1, le=2**63 - 1)) -> Response:
        """Revoke a token by id."""
        require_admin(await ctx.auth.identify(request))
        if not await db.write(lambda c: stored_tokens.revoke(c, token_id=token_id)):
            raise not_found(DOC)
        return Response(status_code=204)

    return r
