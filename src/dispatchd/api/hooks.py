"""Repository webhooks (REST "Repository webhooks"): create, list, get, update, delete; their
deliveries (list, get) and redelivery (``POST .../deliveries/{id}/attempts`` → 202).

GitHub's body: ``{"name": "web", "config": {"url", "content_type": "json"|"form", "secret",
"insecure_ssl"}, "events": [...], "active": true}``. dispatchd sends ``workflow_run`` and
``workflow_job`` (``"*"`` means every event); without ``events`` a hook gets both (GitHub's
default, ``push``, never happens here). Managing hooks needs the admin token, as GitHub needs
repository admin rights; the secret is never shown back.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse

from ..store import webhooks as stored
from . import models
from .auth import require_admin
from .context import Access, ApiContext
from .dispatches import parse_json_object
from .paging import int_param
from .serialize import iso
from .validation import found, invalid_type, validation_failed

DOC = "https://docs.github.com/rest/repos/webhooks"
DELIVERY_DOC = "https://docs.github.com/rest/repos/webhooks#redeliver-a-delivery-for-a-repository-webhook"
DEFAULT_EVENTS = ["workflow_run", "workflow_job"]
KNOWN_EVENTS = {"*", "workflow_run", "workflow_job", "push", "repository_dispatch", "workflow_dispatch",
                "issues", "issue_comment", "ping"}
HookId = Path(ge=1, le=2**63 - 1)
DeliveryId = Path(ge=1, le=2**63 - 1)


def hook_json(row: Any, full: str, base: str) -> dict[str, Any]:
    api = f"{base}/repos/{full}/hooks/{row.id}"
    config: dict[str, Any] = {"url": row.url, "content_type": row.content_type, "insecure_ssl": "0"}
    if row.secret:
        config["secret"] = "********"
    return {"type": "Repository", "id": row.id, "name": "web", "active": bool(row.active),
            "events": list(row.events or []), "config": config, "updated_at": iso(row.updated_at),
            "created_at": iso(row.created_at), "url": api, "test_url": f"{api}/test", "ping_url": f"{api}/pings",
            "deliveries_url": f"{api}/deliveries"}


def delivery_json(row: Any, repository_id: int) -> dict[str, Any]:
    return {"id": row.id, "guid": row.guid, "delivered_at": iso(row.delivered_at), "redelivery": bool(row.redelivery),
            "duration": round(row.duration or 0.0, 3), "status": row.status or "pending",
            "status_code": row.status_code or 0, "event": row.event, "action": row.action,
            "installation_id": None, "repository_id": repository_id,
            "state": row.state, "attempts": row.attempts}


def _url_parts(url: Any) -> Any:
    """``urlsplit(url)``, or None for what is not a usable http(s) URL (urlsplit raises on some)."""
    if not isinstance(url, str) or len(url) > 2000 or "\x00" in url:
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # raises for a port that is not a number
    except ValueError:
        return None
    return parts


def _config(body: dict[str, Any], partial: bool) -> dict[str, Any]:
    """The stored columns from a create/update body; GitHub's 422 for a bad URL or shape."""
    out: dict[str, Any] = {}
    config = body.get("config")
    if config is None and not partial:
        raise validation_failed("Hook", "config", "missing_field", DOC)
    if config is not None:
        if not isinstance(config, dict):
            raise invalid_type("config", config, "an object", DOC)
        url = config.get("url")
        if url is not None or not partial:
            parts = _url_parts(url)
            if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
                raise validation_failed("Hook", "url", "custom", DOC, "url is not a valid URL")
            out["url"] = url
        if "content_type" in config:
            if config["content_type"] not in ("json", "form"):
                raise validation_failed("Hook", "content_type", "invalid", DOC)
            out["content_type"] = config["content_type"]
        if "secret" in config:
            secret = config["secret"]
            if secret is not None and (not isinstance(secret, str) or len(secret) > 1000 or "\x00" in secret):
                raise validation_failed("Hook", "secret", "invalid", DOC)
            out["secret"] = secret or None
    if "events" in body:
        events = body["events"]
        if not isinstance(events, list) or not events or any(not isinstance(e, str) or e not in KNOWN_EVENTS
                                                             for e in events):
            raise validation_failed("Hook", "events", "invalid", DOC,
                                    f"events must be a non-empty list of {sorted(KNOWN_EVENTS)}")
        out["events"] = list(dict.fromkeys(events))
    if "active" in body:
        if not isinstance(body["active"], bool):
            raise invalid_type("active", body["active"], "a boolean", DOC)
        out["active"] = body["active"]
    return out


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(tags=["repos"])
    db = ctx.engine.db

    async def _admin(request: Request, owner: str, repo: str) -> Access:
        a = await ctx.access(request, owner, repo, "write", DOC)
        require_admin(a.identity, DOC)
        return a

    async def _hook(a: Access, hook_id: int) -> Any:
        return found(await db.read(stored.get_hook, a.repo_id, hook_id), DOC)

    def _seal(values: dict[str, Any]) -> dict[str, Any]:
        # Stored encrypted with the repository secrets' key; the sender opens it to sign.
        box = ctx.engine.secret_box
        if values.get("secret") and box is not None:
            values["secret"] = box.seal(values["secret"])
        return values

    @r.post("/repos/{owner}/{repo}/hooks", status_code=201, responses=models.ok(models.Hook, 201),
            openapi_extra=models.body(models.HookCreateRequest))
    async def create_hook(owner: str, repo: str, request: Request) -> Response:
        """Add a webhook: 201 with the hook (the secret shown as ``********``)."""
        a = await _admin(request, owner, repo)
        values = _seal(_config(parse_json_object(await request.body(), DOC), partial=False))
        row = await db.write(lambda c: stored.create_hook(
            c, a.repo_id, values["url"], values.get("secret"), values.get("events", DEFAULT_EVENTS),
            values.get("active", True), values.get("content_type", "json")))
        data = hook_json(row, a.repository.full_name, ctx.base_url)
        return JSONResponse(data, status_code=201, headers={"Location": data["url"]})

    @r.get("/repos/{owner}/{repo}/hooks", responses=models.ok(models.HookList))
    async def list_hooks(owner: str, repo: str, request: Request) -> Response:
        """The repository's webhooks."""
        a = await _admin(request, owner, repo)
        rows = await db.read(stored.hooks_of, a.repo_id)
        return JSONResponse([hook_json(x, a.repository.full_name, ctx.base_url) for x in rows])

    @r.get("/repos/{owner}/{repo}/hooks/{hook_id}", responses=models.ok(models.Hook))
    async def get_hook(owner: str, repo: str, request: Request, hook_id: int = HookId) -> Response:
        """One webhook."""
        a = await _admin(request, owner, repo)
        return JSONResponse(hook_json(await _hook(a, hook_id), a.repository.full_name, ctx.base_url))

    @r.patch("/repos/{owner}/{repo}/hooks/{hook_id}", responses=models.ok(models.Hook),
             openapi_extra=models.body(models.HookCreateRequest, required=False))
    async def update_hook(owner: str, repo: str, request: Request, hook_id: int = HookId) -> Response:
        """Change a webhook's URL, secret, events or ``active``."""
        a = await _admin(request, owner, repo)
        await _hook(a, hook_id)
        values = _seal(_config(parse_json_object(await request.body(), DOC), partial=True))
        if values:
            await db.write(stored.update_hook, hook_id, values)
        return JSONResponse(hook_json(await _hook(a, hook_id), a.repository.full_name, ctx.base_url))

    @r.delete("/repos/{owner}/{repo}/hooks/{hook_id}", status_code=204, response_class=Response,
              responses={204: {"description": "Deleted"}})
    async def delete_hook(owner: str, repo: str, request: Request, hook_id: int = HookId) -> Response:
        """Delete a webhook and its deliveries."""
        a = await _admin(request, owner, repo)
        await _hook(a, hook_id)
        await db.write(stored.delete_hook, hook_id)
        return Response(status_code=204)

    @r.get("/repos/{owner}/{repo}/hooks/{hook_id}/deliveries", responses=models.ok(models.HookDeliveryList),
           openapi_extra=models.query("per_page"))
    async def list_deliveries(owner: str, repo: str, request: Request, hook_id: int = HookId) -> Response:
        """Deliveries of a webhook, newest first (``per_page``, and ``cursor``: older than this id)."""
        a = await _admin(request, owner, repo)
        await _hook(a, hook_id)
        per_page = int_param(request, "per_page", 30, 1, 100)
        cursor = int_param(request, "cursor", 0, 0, 2**62) or None
        rows = await db.read(lambda c: stored.deliveries_of(c, hook_id, per_page, cursor))
        return JSONResponse([delivery_json(x, a.repo_id) for x in rows])

    @r.get("/repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}",
           responses=models.ok(models.HookDeliveryDetail))
    async def get_delivery(owner: str, repo: str, request: Request, hook_id: int = HookId,
                           delivery_id: int = DeliveryId) -> Response:
        """One delivery with the request sent (headers, payload) and the response received."""
        a = await _admin(request, owner, repo)
        hook = await _hook(a, hook_id)
        row = found(await db.read(stored.get_delivery, hook_id, delivery_id), DOC)
        try:
            payload: Any = json.loads(row.payload)
        except ValueError:
            payload = row.payload
        return JSONResponse({**delivery_json(row, a.repo_id), "url": hook.url,
                             "request": {"headers": row.request_headers or {}, "payload": payload},
                             "response": {"headers": row.response_headers or {}, "payload": row.response_body}})

    @r.post("/repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts", status_code=202,
            responses=models.ok(models.Empty, 202))
    async def redeliver(owner: str, repo: str, request: Request, hook_id: int = HookId,
                        delivery_id: int = DeliveryId) -> Response:
        """Send a delivery again: a new delivery with the same GUID and ``redelivery: true``."""
        a = await _admin(request, owner, repo)
        await _hook(a, hook_id)
        row = found(await db.read(stored.get_delivery, hook_id, delivery_id), DELIVERY_DOC)
        await db.write(lambda c: stored.enqueue(c, hook_id, row.event, row.action, row.payload, guid=row.guid,
                                                redelivery=True))
        if ctx.webhooks is not None:
            ctx.webhooks.wake()
        return JSONResponse({}, status_code=202)

    return r
