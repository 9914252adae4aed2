"""Capability callbacks: a URL an outside service POSTs its result to, with no token of its own.

A job asks for one (``dispatchd/callback-url@v1`` with its ``GITHUB_TOKEN``):
``POST /repos/{owner}/{repo}/dispatchd/callbacks`` ``{"event_type", "expires_in_minutes"}`` →
201 ``{"url", "expires_at"}``. The URL carries a signed claim — this job, this run attempt,
this event type, this expiry — so it needs no stored secret per URL. ``POST <url>`` with
``{"client_payload": {...}}`` (GitHub's dispatch body, ``event_type`` optional and fixed)
stores a repository_dispatch of that type that resumes exactly that job's wait (and starts the
workflows of that type, as any dispatch does). It is single-use: the first POST answers 204,
any later one 410; past its expiry, 410.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timezone

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from ..engine import waits
from ..store import queries
from ..store.events import NewEvent
from .context import ApiContext
from .dispatches import MAX_EVENT_TYPE, parse_json_object, validate_dispatch
from .errors import GitHubError
from .signing import Signer

DOC = "https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event"
#: A callback URL lives a day unless asked otherwise, and at most as long as a job may (35 days).
DEFAULT_MINUTES = 1440
MAX_MINUTES = 35 * 24 * 60
SENDER = "dispatchd-callback"


def router(ctx: ApiContext, admin_token: str) -> APIRouter:
    r = APIRouter(tags=["dispatchd"])
    signer = Signer(admin_token, "callback")

    @r.post("/repos/{owner}/{repo}/dispatchd/callbacks", status_code=201)
    async def create_callback(owner: str, repo: str, request: Request) -> JSONResponse:
        """dispatchd's own: a job mints a signed single-use callback URL (``dispatchd/callback-url``)."""
        a = await ctx.access(request, owner, repo, "write", DOC)
        body = parse_json_object(await request.body(), DOC)
        job_id = a.identity.job_id if a.identity.job_id is not None else body.get("job_id")
        if not isinstance(job_id, int) or isinstance(job_id, bool) or not 0 < job_id < 2**63:
            raise GitHubError(422, "Invalid request.\n\nOnly a job's GITHUB_TOKEN (or the admin, naming "
                                   "\"job_id\") can create a callback URL.", DOC)
        event_type = body.get("event_type")
        if not isinstance(event_type, str) or not event_type.strip() or len(event_type) > MAX_EVENT_TYPE:
            raise GitHubError(422, "Invalid request.\n\n\"event_type\" must be a string of 1 to 100 characters.", DOC)
        try:
            minutes = float(body.get("expires_in_minutes") or DEFAULT_MINUTES)
        except (TypeError, ValueError, OverflowError):
            raise GitHubError(422, "Invalid request.\n\n\"expires_in_minutes\" must be a number.", DOC) from None
        if not 0 < minutes <= MAX_MINUTES:  # NaN fails this too
            raise GitHubError(422, f"Invalid request.\n\n\"expires_in_minutes\" must be in (0, {MAX_MINUTES}].", DOC)
        job = await ctx.engine.db.read(queries.get_job, job_id)
        run = await ctx.engine.db.read(queries.get_run, job.run_id) if job is not None else None
        if job is None or run is None or run.repository_id != a.repo_id:
            raise GitHubError(404, "Not Found", DOC)
        expires = int(time.time() + minutes * 60)
        token = signer.sign({"r": a.repo_id, "j": job_id, "a": job.run_attempt, "e": event_type, "x": expires})
        return JSONResponse({
            "url": f"{ctx.base_url}/dispatchd/callbacks/{token}",
            "event_type": event_type,
            "expires_at": datetime.fromtimestamp(expires, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }, status_code=201)

    @r.post("/dispatchd/callbacks/{token}", status_code=204, response_class=Response)
    async def use_callback(token: str, request: Request) -> Response:
        """An outside service reports back through a callback URL (no token needed)."""
        claim = signer.check(token)
        if claim is None:
            raise GitHubError(404, "Not Found", DOC)
        if time.time() > float(claim.get("x", 0)):
            raise GitHubError(410, "This callback URL has expired.", DOC)
        body = parse_json_object(await request.body(), DOC)
        if "event_type" in body and body["event_type"] != claim["e"]:
            raise GitHubError(422, f"Invalid request.\n\nThis callback URL is for event_type '{claim['e']}'.", DOC)
        event_type, payload = validate_dispatch({**body, "event_type": claim["e"]})
        # A payload the wait's `match` would not take is refused without spending the URL.
        if await ctx.engine.db.read(waits.refuses, int(claim["j"]), event_type, payload):
            raise GitHubError(422, "Invalid request.\n\nThe waiting job's match expression does not accept "
                                   "this client_payload.", DOC)
        accepted = await ctx.engine.submit(NewEvent(
            repository_id=int(claim["r"]), event_name="repository_dispatch", sender=SENDER,
            event_type=event_type, client_payload=payload, target_job_id=int(claim["j"]),
            idempotency_key="callback:" + hashlib.sha256(token.encode()).hexdigest()))
        if not accepted.created:
            raise GitHubError(410, "This callback URL was already used.", DOC)
        return Response(status_code=204)

    return r
