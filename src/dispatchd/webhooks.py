"""Outgoing webhooks: ``workflow_run`` and ``workflow_job`` events, signed, retried, recorded.

Off the request path: a background task watches the store for runs and jobs whose state moved
on since the last look (for each active hook of their repository), writes one delivery row per
GitHub action (``workflow_run``: ``requested``, ``in_progress``, ``completed``;
``workflow_job``: ``queued``, ``in_progress``, ``completed``), and a sender posts due deliveries.
The actions an object reached are derived from its state, so a job that went from queued to
completed between two looks still gets its three deliveries, in order, and each exactly once
per hook (``webhook_emitted`` remembers the last one).

Each POST carries GitHub's headers (docs "Webhook events and payloads › Delivery headers"):
``X-GitHub-Event``, ``X-GitHub-Delivery`` (a GUID, kept by redeliveries), ``X-GitHub-Hook-ID``,
``X-GitHub-Hook-Installation-Target-Type``/``-ID``, ``User-Agent: GitHub-Hookshot/…``, and with
a secret ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`` (and the legacy
``X-Hub-Signature: sha1=…``). A non-2xx answer or a network error is retried after
``retry_delays`` seconds (1, 5, 30, 120, 600 by default); then the delivery is ``failed``.
Every attempt is recorded, and any delivery can be sent again through the API.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.engine import Connection

from .api.serialize import iso, job_json, run_json
from .events import repository_object, user_object
from .repos import Repository, RepositoryError
from .store import webhooks as stored
from .store.database import Database
from .store.secrets import SecretBox
from .store.schema import jobs, webhook_emitted, workflow_runs, workflows

log = logging.getLogger(__name__)

RUN_ACTIONS = ("requested", "in_progress", "completed")
JOB_ACTIONS = ("queued", "in_progress", "completed")
USER_AGENT = "GitHub-Hookshot/dispatchd"
#: Runs updated this recently are looked at whatever their id (re-runs of old runs).
RECENT_SECONDS = 120.0
#: GitHub gives a receiver 10 seconds to answer.
TIMEOUT_SECONDS = 10.0


def signature_256(secret: str, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 of ``body`` keyed with ``secret`` (GitHub's
    ``X-Hub-Signature-256``; docs "Validating webhook deliveries")."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_1(secret: str, body: bytes) -> str:
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def run_actions(status: str) -> tuple[str, ...]:
    if status == "completed":
        return RUN_ACTIONS
    if status == "in_progress":
        return RUN_ACTIONS[:2]
    return RUN_ACTIONS[:1]


def job_actions(state: str, started: bool) -> tuple[str, ...]:
    if state == "completed":
        return JOB_ACTIONS if started else (JOB_ACTIONS[0], JOB_ACTIONS[2])
    if state == "in_progress":
        return JOB_ACTIONS[:2]
    if state == "queued":
        return JOB_ACTIONS[:1]
    return ()


def encode_body(payload: str, content_type: str) -> tuple[bytes, str]:
    """The bytes sent and their Content-Type: JSON, or GitHub's form encoding (``payload=<json>``)."""
    if content_type == "form":
        return urlencode({"payload": payload}).encode(), "application/x-www-form-urlencoded"
    return payload.encode(), "application/json"


class WebhookService:
    """Emits deliveries for the engine's runs and jobs and sends them. ``start()``/``stop()``."""

    def __init__(self, db: Database, repos: dict[int, Repository], base_url: str, *,
                 poll_seconds: float = 0.25, secret_box: SecretBox | None = None) -> None:
        self.db = db
        self.secret_box = secret_box
        self.repos = repos
        self.base_url = base_url
        self.poll_seconds = poll_seconds
        self.retry_delays: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0, 600.0)
        self._tasks: list[asyncio.Task[None]] = []
        self._wake = asyncio.Event()
        self._http: httpx.AsyncClient | None = None
        # Per (hook, kind): every object with a smaller id has had all its deliveries, so a look
        # scans only the recent tail instead of the whole history (rebuilt after a restart).
        self._low_water: dict[tuple[int, str], int] = {}

    def start(self) -> None:
        self._http = httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False)
        self._tasks = [asyncio.create_task(self._emit_loop(), name="webhook-emit"),
                       asyncio.create_task(self._send_loop(), name="webhook-send")]

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.aclose()

    def _secret(self, stored_secret: str | None) -> str | None:
        """The hook's secret as given: stored sealed; a row written before sealing holds it as is."""
        if not stored_secret or self.secret_box is None:
            return stored_secret
        opened = self.secret_box.open(stored_secret)
        return stored_secret if opened is None else opened

    def wake(self) -> None:
        """A delivery was queued (a redelivery): send without waiting for the next poll."""
        self._wake.set()

    # -- emitting ------------------------------------------------------------------------------

    async def _emit_loop(self) -> None:
        while True:
            try:
                if await self.db.write(self.emit):
                    self._wake.set()
            except Exception:  # a failed look is retried at the next poll; nothing is marked emitted
                log.exception("emitting webhook deliveries failed")
            await asyncio.sleep(self.poll_seconds)

    def emit(self, conn: Connection) -> int:
        """Queue the deliveries every active hook is owed; returns how many were queued."""
        queued = 0
        for hook in stored.active_hooks(conn):
            wanted = set(hook.events or [])
            if wanted & {"*", "workflow_run"}:
                queued += self._emit_runs(conn, hook)
            if wanted & {"*", "workflow_job"}:
                queued += self._emit_jobs(conn, hook)
        return queued

    def _not_done(self, hook: Any, kind: str, object_id: Any, attempt: Any) -> Any:
        return ~exists().where(and_(
            webhook_emitted.c.hook_id == hook.id, webhook_emitted.c.kind == kind,
            webhook_emitted.c.object_id == object_id, webhook_emitted.c.run_attempt == attempt,
            webhook_emitted.c.last_action == "completed"))

    def _context(self, repo_id: int) -> tuple[Repository | None, dict[str, Any]]:
        repo = self.repos.get(repo_id)
        if repo is None:
            return None, {}
        try:
            branch = repo.default_branch()
        except RepositoryError:  # a detached HEAD does not stop deliveries
            branch = "main"
        return repo, repository_object(repo_id, repo.owner, repo.name, branch, self.base_url)

    def _emit_runs(self, conn: Connection, hook: Any) -> int:
        repo, repo_obj = self._context(hook.repository_id)
        if repo is None:
            return 0
        rows = list(conn.execute(select(workflow_runs).where(
            workflow_runs.c.repository_id == hook.repository_id, workflow_runs.c.created_at >= hook.created_at,
            # A re-run brings an old run back under a new attempt; it is recently updated.
            or_(workflow_runs.c.id >= self._low_water.get((hook.id, "workflow_run"), 0),
                workflow_runs.c.updated_at >= time.time() - RECENT_SECONDS),
            self._not_done(hook, "workflow_run", workflow_runs.c.id, workflow_runs.c.run_attempt),
        ).order_by(workflow_runs.c.id).limit(500)))
        self._advance(conn, hook.id, "workflow_run", rows, workflow_runs.c.id)
        if not rows:
            return 0
        known = stored.emitted(conn, hook.id, "workflow_run")
        queued = 0
        for run in rows:
            last = known.get((run.id, run.run_attempt))
            reached = run_actions(run.status)
            todo = reached[reached.index(last) + 1:] if last in reached else reached
            if not todo:
                continue
            wf = conn.execute(select(workflows).where(workflows.c.id == run.workflow_id)).first()
            run_obj = run_json(run, repo, hook.repository_id, self.base_url)
            for action in todo:
                snapshot = dict(run_obj)
                if action != "completed":
                    snapshot.update(status=_run_status(action, run), conclusion=None)
                body = {"action": action, "workflow_run": snapshot,
                        "workflow": _workflow_obj(wf, repo, self.base_url), "repository": repo_obj,
                        "sender": user_object(run.actor, self.base_url)}
                stored.enqueue(conn, hook.id, "workflow_run", action, json.dumps(body, separators=(",", ":")))
                queued += 1
            stored.mark_emitted(conn, hook.id, "workflow_run", run.id, run.run_attempt, todo[-1], last is not None)
        return queued

    def _advance(self, conn: Connection, hook_id: int, kind: str, rows: list[Any], id_column: Any,
                 pending: bool = False) -> None:
        """Move the low-water mark to the oldest object still owed a delivery (or past the newest
        object when none is). ``pending`` jobs are not candidates yet but will be: they hold it."""
        floor = rows[0].id if rows else None
        if pending:
            oldest_pending = conn.execute(select(func.min(jobs.c.id)).where(
                jobs.c.state == "pending", jobs.c.id >= self._low_water.get((hook_id, kind), 0))).scalar()
            if oldest_pending is not None:
                floor = oldest_pending if floor is None else min(floor, oldest_pending)
        if floor is None:
            newest = conn.execute(select(func.max(id_column))).scalar()
            floor = (newest or 0) + 1
        self._low_water[(hook_id, kind)] = floor

    def _emit_jobs(self, conn: Connection, hook: Any) -> int:
        repo, repo_obj = self._context(hook.repository_id)
        if repo is None:
            return 0
        rows = list(conn.execute(select(jobs, workflow_runs.c.actor.label("run_actor")).join(
            workflow_runs, workflow_runs.c.id == jobs.c.run_id).where(
            workflow_runs.c.repository_id == hook.repository_id, jobs.c.created_at >= hook.created_at,
            jobs.c.id >= self._low_water.get((hook.id, "workflow_job"), 0),
            jobs.c.state != "pending",
            self._not_done(hook, "workflow_job", jobs.c.id, jobs.c.run_attempt),
        ).order_by(jobs.c.id).limit(500)))
        self._advance(conn, hook.id, "workflow_job", rows, jobs.c.id, pending=True)
        if not rows:
            return 0
        known = stored.emitted(conn, hook.id, "workflow_job")
        runs: dict[int, Any] = {}
        queued = 0
        for job in rows:
            last = known.get((job.id, job.run_attempt))
            reached = job_actions(job.state, job.started_at is not None)
            todo = reached[reached.index(last) + 1:] if last in reached else reached
            if not todo:
                continue
            run = runs.get(job.run_id)
            if run is None:
                run = runs[job.run_id] = conn.execute(select(workflow_runs).where(
                    workflow_runs.c.id == job.run_id)).one()
            job_obj = job_json(job, run, repo, self.base_url)
            for action in todo:
                snapshot = dict(job_obj)
                if action != "completed":
                    snapshot.update(status=action, conclusion=None, completed_at=None)
                body = {"action": action, "workflow_job": snapshot, "repository": repo_obj,
                        "sender": user_object(job.run_actor, self.base_url)}
                stored.enqueue(conn, hook.id, "workflow_job", action, json.dumps(body, separators=(",", ":")))
                queued += 1
            stored.mark_emitted(conn, hook.id, "workflow_job", job.id, job.run_attempt, todo[-1], last is not None)
        return queued

    # -- sending -------------------------------------------------------------------------------

    async def _send_loop(self) -> None:
        while True:
            try:
                due = await self.db.write(stored.claim_due)
                if due:
                    await asyncio.gather(*(self.send(d) for d in due))
                    continue
            except Exception:
                log.exception("sending webhook deliveries failed")
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                pass

    async def send(self, delivery: Any) -> None:
        """POST one claimed delivery and record the outcome (retry or give up on failure)."""
        assert self._http is not None
        body, content_type = encode_body(delivery.payload, delivery.content_type or "json")
        headers = {
            "Content-Type": content_type,
            "User-Agent": USER_AGENT,
            "X-GitHub-Event": delivery.event,
            "X-GitHub-Delivery": delivery.guid,
            "X-GitHub-Hook-ID": str(delivery.hook_id),
            "X-GitHub-Hook-Installation-Target-Type": "repository",
            "X-GitHub-Hook-Installation-Target-ID": str(delivery.repository_id),
        }
        secret = self._secret(delivery.secret)
        if secret:
            headers["X-Hub-Signature-256"] = signature_256(secret, body)
            headers["X-Hub-Signature"] = signature_1(secret, body)
        started = time.monotonic()
        try:
            response = await self._http.post(delivery.url, content=body, headers=headers)
            code, ok = response.status_code, 200 <= response.status_code < 300
            status = "OK" if ok else f"Invalid HTTP Response: {code}"
            response_headers, response_body = dict(response.headers), response.text
        except httpx.HTTPError as e:
            code, ok, status = 0, False, f"failed to connect: {type(e).__name__}"
            response_headers, response_body = {}, str(e)
        attempt = delivery.attempts + 1
        retry_at = None
        if not ok and attempt <= len(self.retry_delays):
            retry_at = time.time() + self.retry_delays[attempt - 1]
        await self.db.write(lambda c: stored.record_attempt(
            c, delivery.id, ok=ok, status_code=code, status=status, duration=time.monotonic() - started,
            request_headers=headers, response_headers=response_headers, response_body=response_body,
            retry_at=retry_at))


def _run_status(action: str, run: Any) -> str:
    return {"requested": "queued", "in_progress": "in_progress"}.get(action, run.status)


def _workflow_obj(row: Any, repo: Repository, base: str) -> dict[str, Any] | None:
    if row is None:
        return None
    full = repo.full_name
    return {"id": row.id, "node_id": f"W_{row.id}", "name": row.name or row.path, "path": row.path,
            "state": "active", "created_at": iso(row.created_at), "updated_at": iso(row.updated_at),
            "url": f"{base}/repos/{full}/actions/workflows/{row.id}", "html_url": f"{base}/{full}/actions",
            "badge_url": f"{base}/{full}/workflows/{row.path.rsplit('/', 1)[-1]}/badge.svg"}
