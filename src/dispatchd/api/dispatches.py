"""``POST /repos/{owner}/{repo}/dispatches`` — create a repository dispatch event.

GitHub's rules (REST docs, "Create a repository dispatch event"): the body has only
``event_type`` (required, 1–100 characters) and ``client_payload`` (an object of at most 10
top-level properties, at most 65,535 characters serialized). 204 means the event is stored —
on disk before the answer — whether or not a workflow matches.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from ..store import queries
from ..store.events import NewEvent
from . import models, receipts
from .context import ApiContext
from .errors import GitHubError

#: Event ids are 64-bit in the store; a larger number is a 422, not an overflow in SQL.
EventId = Path(ge=1, le=2**63 - 1)

DOC = "https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event"

MAX_EVENT_TYPE = 100
MAX_PAYLOAD_PROPERTIES = 10
MAX_PAYLOAD_CHARS = 65_535
#: A body larger than this is refused before parsing (the payload limit makes it useless anyway).
MAX_BODY_BYTES = 1_048_576


def _json_repr(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def parse_json_object(raw: bytes, doc: str) -> dict[str, Any]:
    """The body as a JSON object, or GitHub's 400 (``Problems parsing JSON`` / ``Body should be a
    JSON object``). Invalid UTF-8 and nesting too deep to parse are JSON problems too."""
    if len(raw) > MAX_BODY_BYTES:
        raise GitHubError(413, "Payload too large", doc)
    try:
        body = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise GitHubError(400, "Problems parsing JSON", doc) from None
    if not isinstance(body, dict):
        raise GitHubError(400, "Body should be a JSON object", doc)
    return body


def _contains_nul(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if depth > 200:
        return False
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(v, depth + 1) for v in value)
    return False


def validate_dispatch(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """``(event_type, client_payload)`` or GitHub's 422 ``Invalid request.`` with one line per problem."""
    problems: list[str] = []
    unknown = [k for k in body if k not in ("event_type", "client_payload")]
    if unknown:
        names = ", ".join(_json_repr(k) for k in unknown)
        problems.append(f"{names} {'is not a permitted key' if len(unknown) == 1 else 'are not permitted keys'}.")
    event_type = body.get("event_type")
    if "event_type" not in body:
        problems.append('"event_type" wasn\'t supplied.')
    elif not isinstance(event_type, str):
        problems.append(f"For 'properties/event_type', {_json_repr(event_type)} is not a string.")
    elif not event_type.strip():
        problems.append("event_type can't be blank.")
    elif len(event_type) > MAX_EVENT_TYPE:
        problems.append(f"event_type is too long (maximum is {MAX_EVENT_TYPE} characters).")
    elif "\x00" in event_type:
        problems.append("event_type contains a NUL character.")
    payload = body.get("client_payload", {})
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        problems.append(f"For 'properties/client_payload', {_json_repr(payload)[:100]} is not an object.")
    elif len(payload) > MAX_PAYLOAD_PROPERTIES:
        problems.append(f"No more than {MAX_PAYLOAD_PROPERTIES} properties are allowed; {len(payload)} were supplied.")
    if problems:
        raise GitHubError(422, "Invalid request.\n\n" + "\n".join(problems), DOC)
    if len(_json_repr(payload)) > MAX_PAYLOAD_CHARS:
        raise GitHubError(422, "client_payload is too large.", DOC)
    if _contains_nul(payload):
        # PostgreSQL cannot store NUL in text; refuse it everywhere so both stores agree.
        raise GitHubError(422, "Invalid request.\n\nclient_payload contains a NUL character.", DOC)
    assert isinstance(event_type, str)
    return event_type, payload


class DirectRoute(APIRoute):
    """A route whose endpoint takes only its path parameters (as strings) and the request, and
    returns a Response: it is called with them directly. FastAPI's per-request parameter
    resolution (query string, headers and cookies parsed for parameters the endpoint does not
    declare, a sub-response for dependencies) was a sixth of the event loop's time per dispatch,
    the hottest request. The OpenAPI document is FastAPI's own, from the same signature."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            response: Response = await endpoint(request=request, **request.path_params)
            return response

        return handler


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(tags=["repos"])

    async def create_dispatch(owner: str, repo: str, request: Request) -> Response:
        """Create a repository dispatch event: 204 once it is on disk, whether or not a workflow matches."""
        a = await ctx.access(request, owner, repo, "dispatch", DOC)
        body = parse_json_object(await request.body(), DOC)
        event_type, payload = validate_dispatch(body)
        key = request.headers.get("idempotency-key")
        event = NewEvent(
            repository_id=a.repo_id, event_name="repository_dispatch", sender=a.identity.login,
            event_type=event_type, client_payload=payload, idempotency_key=key[:200] if key else None)
        # dispatchd's own query flags (GitHub ignores unknown query parameters).
        if _flag(request, "dry_run"):
            return JSONResponse(receipts.dry_run_receipt(await ctx.engine.dry_run(event)))
        accepted = await ctx.engine.submit(event)
        stored = None
        if not accepted.created:
            # A retry must be the same request: a key reused for another one is refused (as
            # idempotency keys are elsewhere) instead of silently dropping the new event.
            stored = await ctx.engine.receipt(accepted.event_id)
            assert stored is not None
            first = stored["event"]
            if (first.event_type, first.client_payload or {}) != (event_type, payload):
                raise GitHubError(422, "Invalid request.\n\nThis Idempotency-Key was used for a different "
                                       f"request (event {first.id}).", DOC)
        if not _flag(request, "return_run_details"):
            return Response(status_code=204)
        # An idempotent retry answers with the first request's receipt.
        stored = stored or await ctx.engine.receipt(accepted.event_id)
        assert stored is not None
        body = receipts.receipt(accepted.event_id, stored["runs"], stored["decisions"], ctx.base_url,
                                f"{owner}/{repo}", stored["resumed_jobs"])
        if not accepted.created:
            body["replayed_receipt"] = True
        return JSONResponse(body)

    r.add_api_route("/repos/{owner}/{repo}/dispatches", create_dispatch, methods=["POST"], status_code=204,
                    response_class=Response, responses={204: {"description": "The event is stored"}},
                    openapi_extra=models.body(models.RepositoryDispatchRequest), route_class_override=DirectRoute)

    @r.get("/repos/{owner}/{repo}/dispatches/{event_id}")
    async def get_dispatch(owner: str, repo: str, request: Request, event_id: int = EventId) -> JSONResponse:
        """dispatchd's own: an event, the runs it started and why the other workflows did not run."""
        a = await ctx.access(request, owner, repo, "read", DOC)
        stored = await ctx.engine.receipt(event_id)
        if stored is None or stored["event"].repository_id != a.repo_id:
            raise GitHubError(404, "Not Found", DOC)
        body = receipts.receipt(event_id, stored["runs"], stored["decisions"], ctx.base_url, f"{owner}/{repo}",
                                stored["resumed_jobs"])
        body["event"] = receipts.event_json(stored["event"])
        body["decisions"] = stored["decisions"]
        return JSONResponse(body)

    @r.get("/dispatchd/events/{event_id}")
    async def find_dispatch(request: Request, event_id: int = EventId) -> JSONResponse:
        """dispatchd's own: an event by id alone (``dispatchd replay EVENT_ID``), with its repository."""
        stored = await ctx.engine.receipt(event_id)
        repository = ctx.engine.repos.get(stored["event"].repository_id) if stored else None
        if stored is None or repository is None:
            await ctx.auth.identify(request)  # a bad token is still a 401, not a 404
            raise GitHubError(404, "Not Found", DOC)
        await ctx.access(request, repository.owner, repository.name, "read", DOC)
        body = receipts.receipt(event_id, stored["runs"], stored["decisions"], ctx.base_url, repository.full_name)
        body["event"] = receipts.event_json(stored["event"])
        body["repository"] = {"full_name": repository.full_name}
        return JSONResponse(body)

    @r.get("/repos/{owner}/{repo}/dispatches")
    async def list_dispatches(owner: str, repo: str, request: Request) -> JSONResponse:
        """dispatchd's own: the repository's latest events, newest first (``per_page`` ≤ 100)."""
        a = await ctx.access(request, owner, repo, "read", DOC)
        try:
            limit = max(1, min(100, int(request.query_params.get("per_page") or 30)))
        except ValueError:
            raise GitHubError(422, "Invalid request.\n\nFor 'per_page', expected an integer.", DOC) from None
        rows = await ctx.engine.db.read(queries.list_events, a.repo_id, limit)
        return JSONResponse({"events": [{**receipts.event_json(r), "decisions": r.decisions or []} for r in rows]})

    @r.post("/repos/{owner}/{repo}/dispatches/{event_id}/replay", status_code=201)
    async def replay_dispatch(owner: str, repo: str, request: Request, event_id: int = EventId) -> JSONResponse:
        """dispatchd's own: deliver a stored event again to today's workflows (a new event)."""
        a = await ctx.access(request, owner, repo, "dispatch", DOC)
        stored = await ctx.engine.receipt(event_id)
        if stored is None or stored["event"].repository_id != a.repo_id:
            raise GitHubError(404, "Not Found", DOC)
        accepted = await ctx.engine.replay(event_id, a.identity.login)
        assert accepted is not None
        again = await ctx.engine.receipt(accepted.event_id)
        assert again is not None
        body = receipts.receipt(accepted.event_id, again["runs"], again["decisions"], ctx.base_url, f"{owner}/{repo}")
        body["origin_event_id"] = event_id
        return JSONResponse(body, status_code=201)

    return r


def _flag(request: Request, name: str) -> bool:
    return (request.query_params.get(name) or "").lower() in ("1", "true", "yes")
