"""The engine as one object: database, repositories, intake, orchestrator and runner pool.

``dispatchd serve``, ``dispatchd run`` (one shot) and ``dispatchd demo`` all drive this same
object — the embedded mode is the server's code path in one process, not a second engine.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from ..repos import Repository
from ..store import events as stored_events
from ..store import queries
from ..store import secrets as stored_secrets
from ..store.database import Database
from ..store.schema import repositories, workflow_runs
from . import attempts, waits
from .config import PlannerConfig
from .intake import EventIntake
from .labels import DEFAULT_RUNNER_LABELS
from .orchestrator import Accepted, Orchestrator
from .planner import advance_run
from .pool import RunnerPool
from .queue import DEFAULT_LEASE_SECONDS, recover_expired

log = logging.getLogger(__name__)

#: Seconds between reads of a run someone waits for when no change is announced (a change made
#: by another server sharing the database is not announced here).
RECHECK_SECONDS = 0.5


@dataclass
class EngineConfig:
    """Settings of one engine. ``server_url`` is what jobs see as ``GITHUB_SERVER_URL`` and
    ``GITHUB_API_URL``; ``runners`` is the embedded pool's size (0: only remote runners)."""

    db_url: str
    data_dir: Path
    server_url: str = "http://127.0.0.1:8080"
    runners: int = 4
    runner_labels: tuple[str, ...] = DEFAULT_RUNNER_LABELS
    lease_seconds: float = DEFAULT_LEASE_SECONDS
    fixed_workspace: str | None = None
    secrets: dict[str, str] = field(default_factory=dict)
    #: Stored repository secrets are encrypted with a key derived from this (the admin token);
    #: None: no stored secrets (one-shot runs).
    secret_key: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    skip_unrunnable: bool = False
    accepts_dispatches: bool = True
    matrix_filter: dict[str, list[str]] = field(default_factory=dict)
    #: The database is new and deleted after use (one-shot runs): its tables are created
    #: directly instead of through the migrations.
    throwaway_db: bool = False


class Engine:
    def __init__(self, config: EngineConfig, repos: list[Repository]) -> None:
        self.config = config
        self.db = Database(config.db_url)
        self.secret_box = stored_secrets.SecretBox(config.secret_key) if config.secret_key else None
        self._initial_repos = repos
        self.repos: dict[int, Repository] = {}
        self.planner_config = PlannerConfig(
            workspace_root=str(config.data_dir / "workspaces"), fixed_workspace=config.fixed_workspace,
            runner_labels=config.runner_labels, secrets_for=self._secrets_for,
            extra_env=dict(config.extra_env), skip_unrunnable=config.skip_unrunnable,
            accepts_dispatches=config.accepts_dispatches,
            read_file=self._read_file,
            seal=self.secret_box.seal if self.secret_box else None,
            unseal=self.secret_box.open if self.secret_box else None, matrix_filter=dict(config.matrix_filter),
        )
        self.orchestrator = Orchestrator(self.db, self.repos, self.planner_config, config.server_url,
                                         self.notify_queued)
        self.intake = EventIntake(self.db, self._accept, self._events_committed)
        self.pool = RunnerPool(self.db, self.planner_config, size=config.runners, labels=config.runner_labels,
                               name_prefix=f"dispatchd-{os.getpid()}", lease_seconds=config.lease_seconds,
                               on_queued=self.notify_queued)
        #: The last batch the intake's transaction handled, and what idle runners claimed in it.
        self._handoff: tuple[list[object], list[tuple[str, Any]]] = ([], [])
        #: Completed (and replaced) at every change of jobs or runs; see :meth:`changed`.
        self._change: asyncio.Future[None] | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.db.create_schema if self.config.throwaway_db else self.db.migrate)
        for repo in self._initial_repos:
            await self.add_repository(repo)
        # Jobs that were running when a previous server died: their leases are the judge.
        queued = await self.db.write(recover_expired, self.planner_config)
        self.intake.start()
        self.orchestrator.start()
        if self.config.runners > 0:
            self.pool.start()
        self.notify_queued(queued)
        self.orchestrator.wake()

    async def stop(self) -> None:
        await self.intake.stop()
        await self.orchestrator.stop()
        if self.config.runners > 0:
            await self.pool.stop()
        self.db.close()

    async def add_repository(self, repo: Repository) -> int:
        """Register (or update the path of) ``owner/name``; returns its id."""
        def upsert(conn: Connection) -> int:
            row = conn.execute(select(repositories).where(repositories.c.owner == repo.owner,
                                                          repositories.c.name == repo.name)).first()
            if row is None:
                return conn.execute(repositories.insert().values(
                    owner=repo.owner, name=repo.name, path=str(repo.path), created_at=time.time())).inserted_primary_key[0]
            if row.path != str(repo.path):
                conn.execute(repositories.update().where(repositories.c.id == row.id).values(path=str(repo.path)))
            return int(row.id)

        repo_id = await self.db.write(upsert)
        self.repos[repo_id] = repo
        self.planner_config.repository_paths[repo_id] = str(repo.path)
        return repo_id

    def _secrets_for(self, conn: Connection, repository_id: int) -> dict[str, str]:
        """The repository's stored secrets, under the ones given to this engine (``--secret``)."""
        stored = stored_secrets.values(conn, self.secret_box, repository_id) if self.secret_box else {}
        return {**stored, **self.config.secrets}

    def _read_file(self, repository_id: int, sha: str, path: str) -> str | None:
        repo = self.repos.get(repository_id)
        return repo.read_file(sha, path) if repo is not None else None

    def find_repository(self, owner: str, name: str) -> tuple[int, Repository] | None:
        """GitHub treats owner and repository names case-insensitively."""
        owner_l, name_l = owner.lower(), name.lower()
        for repo_id, repo in self.repos.items():
            if repo.owner.lower() == owner_l and repo.name.lower() == name_l:
                return repo_id, repo
        return None

    # -- events in -------------------------------------------------------------------------

    async def submit(self, event: stored_events.NewEvent) -> Accepted:
        """Store an event durably and start its runs; returns once it is committed."""
        result = await self.intake.append(event)
        assert isinstance(result, Accepted)
        return result

    async def dry_run(self, event: stored_events.NewEvent) -> list[dict[str, Any]]:
        """The decision trace ``event`` would get (per workflow: matched, or why not), without
        storing it or starting anything."""
        loop = asyncio.get_running_loop()
        prep = await loop.run_in_executor(None, self.orchestrator._prepare, event)
        return self.orchestrator._trace(prep)

    async def replay(self, event_id: int, sender: str) -> Accepted | None:
        """Deliver a stored event again to today's workflows, as a new event naming its origin;
        None when there is no such event."""
        row = await self.db.read(stored_events.get, event_id)
        if row is None:
            return None
        return await self.submit(stored_events.NewEvent(
            repository_id=row.repository_id, event_name=row.event_name, sender=sender, event_type=row.event_type,
            client_payload=row.client_payload, payload=row.payload, ref=row.ref, inputs=row.inputs,
            workflow_path=row.workflow_path, origin_event_id=row.id))

    async def receipt(self, event_id: int) -> dict[str, Any] | None:
        """An event with its decision trace and the runs it started (``None``: no such event)."""
        def read(conn: Connection) -> tuple[Any, list[Any], list[int]]:
            return (stored_events.get(conn, event_id), queries.runs_of_event(conn, event_id),
                    waits.resumed_by(conn, event_id))

        row, runs, resumed = await self.db.read(read)
        if row is None:
            return None
        return {"event": row, "runs": runs, "decisions": list(row.decisions or []), "resumed_jobs": resumed}

    def _accept(self, conn: Connection, batch: list[stored_events.NewEvent]) -> list[object]:
        """The intake's transaction: store and decide the events (the orchestrator), and let idle
        embedded runners claim the jobs this queued, in the same transaction."""
        results: list[object] = list(self.orchestrator.accept(conn, batch))
        handed: list[tuple[str, Any]] = []
        queued = [j for r in results if isinstance(r, Accepted) for j in r.queued]
        if queued and self.config.runners > 0:
            try:
                # A savepoint: a failed claim must not undo the events, which are acknowledged
                # once this commits; their jobs then stay queued for an ordinary claim.
                with conn.begin_nested():
                    handed = self.pool.hand_off(conn, queued)
            except Exception:
                log.exception("handing jobs to idle runners failed; they stay queued")
                handed = []
        # Kept with the very list the intake hands to _events_committed once this commits (the
        # intake commits one batch after another); a batch that does not commit is replaced.
        self._handoff = (results, handed)
        return results

    def _events_committed(self, results: list[object]) -> None:
        batch, handed = self._handoff
        self._handoff = ([], [])
        if batch is not results and handed:  # cannot happen while the intake commits in order
            log.error("claims of another batch than the one committed: jobs %s are left to their leases",
                      [assignment.job_id for _, assignment in handed])
            handed = []
        if handed:
            self.pool.deliver(handed)
        taken = {assignment.job_id for _, assignment in handed}
        # Runners are woken to claim only what no runner was handed.
        queued = [j for r in results if isinstance(r, Accepted) for j in r.queued if j not in taken]
        self.notify_queued(queued)
        if any(isinstance(r, Accepted) and not r.decided for r in results):
            self.orchestrator.wake()  # an event left undecided: the loop retries it

    # -- change notification ---------------------------------------------------------------

    def notify_queued(self, job_ids: list[int]) -> None:
        if job_ids:
            self.pool.notify()
        self._notify_changed()

    def _notify_changed(self) -> None:
        change, self._change = self._change, None
        if change is not None and not change.done():
            change.set_result(None)

    def changed(self) -> asyncio.Future[None]:
        """A future that completes at the next change of jobs or runs. Take it *before* reading
        the state it guards: a change between the read and the wait then still wakes the waiter
        (an event cleared after the read would lose it)."""
        if self._change is None:
            self._change = asyncio.get_running_loop().create_future()
        return self._change

    @staticmethod
    async def until(change: asyncio.Future[None], timeout: float | None) -> None:
        """Wait for ``change`` (from :meth:`changed`) or ``timeout`` seconds, whichever is first."""
        try:
            # shield: a timeout cancels this wait, not the future other waiters share.
            await asyncio.wait_for(asyncio.shield(change), timeout)
        except TimeoutError:
            pass

    async def wait_for_change(self, timeout: float) -> None:
        """Return when jobs or runs may have changed (or after ``timeout`` seconds)."""
        await self.until(self.changed(), timeout)

    async def wait_event_processed(self, event_id: int, timeout: float = 30.0) -> Any:
        """The event row once the orchestrator decided it (None on timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            change = self.changed()
            row = await self.db.read(stored_events.get, event_id)
            if row is not None and row.processed:
                return row
            if time.monotonic() >= deadline:
                return None
            self.orchestrator.wake()
            await self.until(change, 0.02)

    async def wait_runs_completed(self, run_ids: list[int], timeout: float | None = None) -> list[Any]:
        """The run rows once every one is completed (or as they stand at ``timeout`` seconds)."""
        await self.wait_runs_status(run_ids, timeout)

        def read(conn: Connection) -> list[Any]:
            return list(conn.execute(select(workflow_runs).where(workflow_runs.c.id.in_(run_ids))))

        return await self.db.read(read)

    async def runs_completed(self, run_ids: list[int], *, repository_id: int | None = None) -> bool:
        """Whether every run of ``run_ids`` is ``completed``, reading their status alone. A run
        that does not exist (or, with ``repository_id``, belongs to another repository) counts
        as completed: nothing will change it."""
        c = workflow_runs.c
        query = select(c.status).where(c.id.in_(list(dict.fromkeys(run_ids))))
        if repository_id is not None:
            query = query.where(c.repository_id == repository_id)

        def statuses(conn: Connection) -> list[str]:
            return list(conn.execute(query).scalars())

        return all(s == "completed" for s in await self.db.read(statuses))

    async def wait_runs_status(self, run_ids: list[int], timeout: float | None = None, *,
                               repository_id: int | None = None) -> bool:
        """Wait until :meth:`runs_completed` (True) or ``timeout`` seconds passed (False).

        Woken by each change of jobs or runs; it also looks again every
        :data:`RECHECK_SECONDS`, for a change made by another server sharing the database,
        which this one is not told of."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            change = self.changed()  # taken before the read: a change after it still wakes
            if await self.runs_completed(run_ids, repository_id=repository_id):
                return True
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            await self.until(change, RECHECK_SECONDS if left is None else min(RECHECK_SECONDS, left))

    async def cancel_run(self, run_id: int) -> bool:
        """Ask a run to cancel; False when it already completed (GitHub answers 409)."""
        def cancel(conn: Connection) -> bool:
            row = conn.execute(select(workflow_runs.c.status).where(workflow_runs.c.id == run_id)).first()
            if row is None or row.status == "completed":
                return False
            if row.status == "pending":  # still waiting for its concurrency group: nothing started
                conn.execute(update(workflow_runs).where(workflow_runs.c.id == run_id).values(
                    cancel_requested=True, status="completed", conclusion="cancelled", updated_at=time.time()))
                return True
            conn.execute(update(workflow_runs).where(workflow_runs.c.id == run_id).values(cancel_requested=True))
            queued.extend(waits.cancel_for_run(conn, run_id))
            queued.extend(advance_run(conn, run_id, self.planner_config))
            return True

        queued: list[int] = []
        ok = await self.db.write(cancel)
        self.notify_queued(queued)
        return ok

    async def rerun_run(self, run_id: int, *, failed_only: bool, actor: str) -> None:
        """Start the run's next attempt (all jobs, or the failed ones and their dependents).

        Raises :class:`~dispatchd.engine.attempts.AttemptRefused` when the run is not completed
        or has no failed job to re-run."""
        queued = await self.db.write(lambda conn: attempts.rerun(conn, run_id, self.planner_config,
                                                                 failed_only=failed_only, actor=actor))
        self.notify_queued(queued)

    async def delete_run(self, run_id: int) -> None:
        """Delete a completed run (raises ``AttemptRefused`` while it runs)."""
        await self.db.write(attempts.delete_run, run_id)
