"""Events become runs: one run per matching workflow, decided once per event, recorded with why.

The intake calls :meth:`Orchestrator.accept` on its writer thread: an event is stored, matched
against every workflow of the repository, and its runs created, in one transaction. Events
that could not be decided then (or were stored by a process that died first) stay unprocessed;
the orchestrator's loop decides them later, claiming each with a conditional update so that
servers sharing a database never decide one event twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from .. import expressions as expr
from ..events import repository_dispatch_payload, repository_object, user_object, workflow_dispatch_payload
from ..repos import Repository, RepositoryError
from ..store import events as stored_events
from ..store.database import Database
from ..store.schema import events, jobs, workflow_runs, workflows
from ..workflow import Workflow, WorkflowError, match_event
from . import concurrency, waits
from .contexts import github_context
from .config import PlannerConfig
from .planner import advance_run
from .workflows import load_cached

log = logging.getLogger(__name__)


@dataclass
class Decision:
    """Why a workflow did or did not run for an event (the event's decision trace)."""

    path: str
    matched: bool
    reason: str
    name: str | None = None
    text: str | None = None  # the file, kept for the run when matched
    error: str | None = None  # an invalid workflow file: file:line and reason

    def public(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "matched": self.matched, "reason": self.reason}
        if self.error:
            out["error"] = self.error
        return out


def _invalid_file_triggers(text: str) -> dict[str, Any] | None:
    """The ``on:`` of a file that failed validation, read leniently, to tell whether the event
    would have matched it. None when even that cannot be read."""
    try:
        data = YAML(typ="safe", pure=True).load(text)
    except Exception:  # the YAML itself is broken: nothing can be known about its triggers
        return None
    on = data.get("on") if isinstance(data, dict) else None
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {str(e): None for e in on}
    if isinstance(on, dict):
        return {str(k): v for k, v in on.items()}
    return None


def decide(repo: Repository, event_name: str, event_payload: dict[str, Any], sha: str,
           only_path: str | None = None) -> list[Decision]:
    """Match every workflow of the repository at ``sha`` against the event."""
    out: list[Decision] = []
    for path, text in repo.workflow_files(sha).items():
        if only_path is not None and path != only_path:
            continue
        loaded = load_cached(path, text)
        if isinstance(loaded, WorkflowError):
            triggers = _invalid_file_triggers(text)
            would_match = triggers is None or event_name in triggers
            if would_match and event_name == "repository_dispatch" and triggers:
                cfg = triggers.get("repository_dispatch")
                types = cfg.get("types") if isinstance(cfg, dict) else None
                if isinstance(types, str):
                    types = [types]
                if isinstance(types, list) and event_payload.get("action") not in types:
                    would_match = False
            out.append(Decision(path=path, matched=would_match, text=text, error=str(loaded),
                                reason=f"invalid workflow file: {loaded}"))
            continue
        assert isinstance(loaded, Workflow)
        result = match_event(loaded, event_name, event_payload)
        out.append(Decision(path=path, matched=result.matched, reason=result.reason,
                            name=loaded.display_name, text=text))
    return out


@dataclass
class Accepted:
    """One event as the intake stored it: its id, whether it is new (not an idempotent retry),
    the runs it started and the decision trace (``public()`` of each :class:`Decision`)."""

    event_id: int
    created: bool
    run_ids: list[int] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    queued: list[int] = field(default_factory=list)
    decided: bool = True


class Orchestrator:
    """Turns stored events into runs. ``wake()`` after committing events; ``on_queued`` is told
    the job ids that became ready so runners can claim them at once."""

    def __init__(self, db: Database, repos: dict[int, Repository], cfg: PlannerConfig, server_url: str,
                 on_queued: Callable[[list[int]], None]) -> None:
        self.db = db
        self.repos = repos
        self.cfg = cfg
        self.server_url = server_url
        self.on_queued = on_queued
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="orchestrator")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    def wake(self) -> None:
        self._wakeup.set()

    async def _loop(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout=1.0)
            except TimeoutError:
                pass
            self._wakeup.clear()
            try:
                while await self.process_pending():
                    pass
                self.on_queued(await self.db.write(waits.expire))
            except Exception:  # keep deciding later events; this one stays unprocessed and is retried
                log.exception("processing events failed")
                await asyncio.sleep(0.5)

    async def process_pending(self) -> int:
        """Decide a batch of events left unprocessed (stored by a server that died before deciding
        them, or whose decision failed); returns how many were processed."""
        rows = await self.db.read(stored_events.unprocessed)
        if not rows:
            return 0
        queued = await self.db.write(self._decide_stored, rows)
        self.on_queued(queued)
        return len(rows)

    def accept(self, conn: Connection, batch: list[stored_events.NewEvent]) -> list[Accepted]:
        """Store ``batch`` and, in the same transaction, decide which workflows each event starts
        and create their runs. The trigger match is the one thing decided at arrival (DESIGN):
        the event and its runs commit together, so each acknowledged event gets its runs exactly
        once, and the caller can be told which runs it started.

        An event whose decision fails is stored unprocessed; the orchestrator's loop retries it.
        """
        preps: list[dict[str, Any] | None] = []
        # The events of one batch arrive within a commit of each other and commit together: they
        # see one head per repository. Reading the ref files once per batch, not per event, also
        # spares this thread a GIL hand-off per file read (each costs up to the switch interval
        # while the event loop is busy), which was most of a batch's commit time under load.
        heads: dict[int, tuple[str, str]] = {}
        for event in batch:
            try:
                prep = self._prepare(event, heads)
                event.decisions = self._trace(prep)
                event.head_sha = prep.get("sha")
            except Exception:
                log.exception("deciding an event for repository %s failed; it is retried", event.repository_id)
                prep = None
            preps.append(prep)
        out: list[Accepted] = []
        stored = stored_events.append(conn, batch)
        open_waits = waits.open_wait_types(conn, {e.repository_id for e in batch if e.event_name == "repository_dispatch"})
        for event, prep, (event_id, created) in zip(batch, preps, stored, strict=True):
            resumed: list[int] = []
            if created and event.event_name == "repository_dispatch" and (
                    event.target_job_id is not None or (event.repository_id, event.event_type) in open_waits
                    or (event.repository_id, None) in open_waits):
                # A dispatch resumes the jobs waiting for it, and still starts its workflows.
                payload = prep["payload"] if prep and "payload" in prep else {
                    "action": event.event_type, "client_payload": event.client_payload or {}}
                resumed = waits.on_dispatch(conn, event.repository_id, event_id, event.event_type or "", payload,
                                            event.target_job_id)
            if not created:
                out.append(Accepted(event_id, created=False))
            elif prep is None:
                out.append(Accepted(event_id, created=True, decided=False))
            elif not any(d.matched for d in prep["decisions"]):
                out.append(Accepted(event_id, True, [], event.decisions or []))
            else:
                try:
                    with conn.begin_nested():
                        run_ids, queued, trace = self._start_runs(conn, event_id, event, prep)
                except Exception:
                    log.exception("starting the runs of event %s failed; it is retried", event_id)
                    conn.execute(update(events).where(events.c.id == event_id).values(processed=False))
                    out.append(Accepted(event_id, created=True, decided=False))
                    continue
                out.append(Accepted(event_id, True, run_ids, trace, queued))
            if resumed:
                out[-1].queued = [*out[-1].queued, *resumed]
        return out

    @staticmethod
    def _trace(prep: dict[str, Any]) -> list[dict[str, Any]]:
        trace = [d.public() for d in prep.get("decisions", [])]
        if prep.get("error"):
            trace.append({"path": None, "matched": False, "reason": prep["error"]})
        return trace

    def _decide_stored(self, conn: Connection, rows: list[Any]) -> list[int]:
        queued: list[int] = []
        for row in rows:
            # Another server may have processed it meanwhile (several replicas share one database).
            claimed = conn.execute(update(events).where(events.c.id == row.id, events.c.processed.is_(False))
                                   .values(processed=True)).rowcount
            if claimed:
                queued.extend(self._start_runs(conn, row.id, row, self._prepare(row))[1])
        return queued

    def _prepare(self, row: Any, heads: dict[int, tuple[str, str]] | None = None) -> dict[str, Any]:
        """The event payload GitHub would deliver, and the decision for every workflow file.
        ``heads`` (repository id → ``(default branch, head sha)``) is filled and reused across
        the events of one batch."""
        repo = self.repos.get(row.repository_id)
        if repo is None:
            return {"error": "repository is no longer served", "decisions": []}
        try:
            if row.event_name == "workflow_dispatch" and row.ref:
                branch = repo.default_branch()
                ref, sha = repo.resolve_ref(row.ref)
            else:
                head = heads.get(row.repository_id) if heads is not None else None
                if head is None:
                    branch = repo.default_branch()
                    head = (branch, repo.head_sha(branch))
                    if heads is not None:
                        heads[row.repository_id] = head
                branch, sha = head
                ref = f"refs/heads/{branch}"
        except RepositoryError as e:
            return {"error": str(e), "decisions": []}
        repo_obj = repository_object(row.repository_id, repo.owner, repo.name, branch, self.server_url)
        sender = user_object(row.sender, self.server_url)
        if row.payload is not None:
            payload = dict(row.payload)
            payload.setdefault("repository", repo_obj)
            payload.setdefault("sender", sender)
        elif row.event_name == "repository_dispatch":
            payload = repository_dispatch_payload(row.event_type, row.client_payload, branch, repo_obj, sender)
        elif row.event_name == "workflow_dispatch":
            payload = workflow_dispatch_payload(row.inputs or {}, ref, row.workflow_path or "", repo_obj, sender)
        else:
            payload = dict(row.client_payload or {})
            payload.setdefault("repository", repo_obj)
            payload.setdefault("sender", sender)
        decisions = decide(repo, row.event_name, payload, sha, only_path=row.workflow_path)
        return {"payload": payload, "sha": sha, "ref": ref, "branch": branch, "repo": repo_obj,
                "decisions": decisions}

    def _start_runs(self, conn: Connection, event_id: int, event: Any,
                    prep: dict[str, Any]) -> tuple[list[int], list[int], list[dict[str, Any]]]:
        """Create the runs of the matching workflows; mark the event processed with its trace
        (which names each run). Returns ``(run ids, queued job ids, trace)``."""
        decisions: list[Decision] = prep.get("decisions", [])
        trace = self._trace(prep)
        run_ids: list[int] = []
        queued: list[int] = []
        for d, t in zip(decisions, trace, strict=False):
            if d.matched:
                run_id, q = self._create_run(conn, event_id, event, prep, d)
                t["run_id"] = run_id
                run_ids.append(run_id)
                queued.extend(q)
        stored_events.mark_processed(conn, event_id, trace, prep.get("sha"))
        return run_ids, queued, trace

    def _create_run(self, conn: Connection, event_id: int, event: Any, prep: dict[str, Any],
                    d: Decision) -> tuple[int, list[int]]:
        now = time.time()
        wf = conn.execute(select(workflows).where(workflows.c.repository_id == event.repository_id,
                                                  workflows.c.path == d.path)).first()
        if wf is None:
            wf_id = conn.execute(workflows.insert().values(
                repository_id=event.repository_id, path=d.path, name=d.name or d.path, last_run_number=0,
                created_at=now, updated_at=now)).inserted_primary_key[0]
            run_number = 1
        else:
            wf_id, run_number = wf.id, wf.last_run_number + 1
        conn.execute(update(workflows).where(workflows.c.id == wf_id).values(
            last_run_number=run_number, name=d.name or d.path, updated_at=now))
        loaded = load_cached(d.path, d.text or "")
        name = loaded.display_name if isinstance(loaded, Workflow) else d.path
        run_id = conn.execute(workflow_runs.insert().values(
            repository_id=event.repository_id, workflow_id=wf_id, event_id=event_id, path=d.path, name=name,
            display_title=name, event=event.event_name, status="queued", run_number=run_number, run_attempt=1,
            head_sha=prep["sha"], head_branch=prep["ref"].rsplit("/", 1)[-1] if prep["ref"].startswith("refs/heads/") else None,
            actor=event.sender, workflow={"path": d.path, "text": d.text or ""}, contexts={},
            error=d.error, created_at=now, updated_at=now, run_started_at=now,
        )).inserted_primary_key[0]
        inputs = self._inputs(loaded, event) if isinstance(loaded, Workflow) else {}
        github = github_context(
            event_name=event.event_name, event=prep["payload"], repository=prep["repo"], sha=prep["sha"],
            ref=prep["ref"], actor=event.sender, workflow_name=name, workflow_path=d.path, run_id=run_id,
            run_number=run_number, run_attempt=1, server_url=self.server_url, api_url=self.server_url)
        contexts = {"github": github, "vars": {}, "inputs": inputs}
        title = name
        if isinstance(loaded, Workflow) and loaded.run_name is not None:
            try:
                title = str(expr.evaluate_template(loaded.run_name, {"github": github, "inputs": inputs, "vars": {}}))
            except expr.ExpressionError:
                title = name
        values: dict[str, Any] = {"contexts": contexts, "display_title": title}
        group, cancel_in_progress, group_error = None, False, None
        if isinstance(loaded, Workflow) and loaded.concurrency is not None:
            try:
                group, cancel_in_progress = concurrency.evaluate(
                    loaded.concurrency, {"github": github, "inputs": inputs, "vars": {}})
            except expr.ExpressionError as e:
                group_error = f"{d.path}: concurrency: {e}"
        if d.error or group_error:
            values.update(status="completed", conclusion="failure", error=d.error or group_error)
        else:
            values.update(status="in_progress", concurrency_group=group, concurrency_cancel=cancel_in_progress)
        conn.execute(update(workflow_runs).where(workflow_runs.c.id == run_id).values(**values))
        if d.error or group_error or not isinstance(loaded, Workflow):
            return run_id, []
        to_advance: list[int] = []
        if group is not None:
            run_row = conn.execute(select(workflow_runs).where(workflow_runs.c.id == run_id)).first()
            admitted, to_advance = concurrency.admit_run(conn, run_row, group, cancel_in_progress)
            if not admitted:
                conn.execute(update(workflow_runs).where(workflow_runs.c.id == run_id).values(status="pending"))
        for key, job in loaded.jobs.items():
            conn.execute(jobs.insert().values(
                run_id=run_id, run_attempt=1, job_key=key, name=job.name if isinstance(job.name, str) and "${{" not in job.name else key,
                state="pending", created_at=now, continue_on_error=False))
        queued = [j for other in to_advance for j in advance_run(conn, other, self.cfg)]
        return run_id, queued + advance_run(conn, run_id, self.cfg)

    @staticmethod
    def _inputs(workflow: Workflow, event: Any) -> dict[str, Any]:
        """The ``inputs`` context: workflow_dispatch inputs typed by their declaration, defaults filled."""
        if event.event_name != "workflow_dispatch":
            return {}
        cfg = workflow.on.get("workflow_dispatch") or {}
        declared = cfg.get("inputs") if isinstance(cfg, dict) else None
        given = dict(event.inputs or {})
        out: dict[str, Any] = {}
        for name, spec in (declared or {}).items():
            spec = spec if isinstance(spec, dict) else {}
            value = given.get(name, spec.get("default"))
            kind = spec.get("type", "string")
            if kind == "boolean":
                value = value if isinstance(value, bool) else str(value).lower() == "true"
            elif kind == "number" and value is not None:
                try:
                    value = float(value) if "." in str(value) else int(value)
                except ValueError:
                    pass
            elif value is not None:
                value = str(value) if not isinstance(value, str) else value
            out[name] = "" if value is None else value
        return out
