"""The embedded runner pool: in-process workers that claim jobs from the queue and run them.

A job queued by a dispatch is claimed for an idle runner in the dispatch's own transaction
(:meth:`RunnerPool.hand_off`) and handed to it once that commits: it starts without a claim of
its own. Other queued jobs (after ``needs``, re-runs, resumed waits) wake one idle runner, which
claims them; a one-second fallback covers jobs queued by another process. Logs and step records
are buffered and written in one transaction per flush for all running jobs, so a chatty job
costs a few commits a second, not one per line; a job's last ones share the transaction that
records its result.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection

from ..runner import run_job
from ..runner.protocol import JobAssignment, JobResult, StepResult
from ..store import logs as stored_logs
from ..store.database import Database
from . import planner, queue

log = logging.getLogger(__name__)

#: Seconds between log flushes while jobs run.
FLUSH_INTERVAL = 0.1


class LogSink:
    """Collects log lines and step records of every running job; one write per flush."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._chunks: list[tuple[int, str]] = []
        self._steps: list[tuple[int, dict[str, Any]]] = []

    def add_lines(self, job_id: int, lines: list[str]) -> None:
        ts = stored_logs.timestamp()
        self._chunks.append((job_id, "".join(f"{ts} {line}\n" for line in lines)))

    def add_step(self, job_id: int, step: dict[str, Any]) -> None:
        self._steps.append((job_id, step))

    async def flush(self) -> None:
        if not self._chunks and not self._steps:
            return
        chunks, self._chunks = self._chunks, []
        steps, self._steps = self._steps, []
        await self._db.write(self._write, chunks, steps)

    def take(self, job_id: int) -> tuple[list[tuple[int, str]], list[tuple[int, dict[str, Any]]]]:
        """Remove and return the buffered log chunks and step records of one job (to be written
        with :meth:`write` in the transaction that records the job's result)."""
        chunks = [c for c in self._chunks if c[0] == job_id]
        steps = [s for s in self._steps if s[0] == job_id]
        if chunks:
            self._chunks = [c for c in self._chunks if c[0] != job_id]
        if steps:
            self._steps = [s for s in self._steps if s[0] != job_id]
        return chunks, steps

    @staticmethod
    def _write(conn: Connection, chunks: list[tuple[int, str]], steps: list[tuple[int, dict[str, Any]]]) -> None:
        # One log row and one steps update per job per flush, however many lines and step
        # events arrived (a row per event made a flush cost ~20 ms of a 50-step job's ~80 ms).
        texts: dict[int, list[str]] = {}
        for job_id, text in chunks:
            texts.setdefault(job_id, []).append(text)
        entries: dict[int, list[dict[str, Any]]] = {}
        for job_id, step in steps:
            entries.setdefault(job_id, []).append(step)
        stored_logs.append_many(conn, [(job_id, "".join(parts)) for job_id, parts in texts.items()])
        for job_id, job_steps in entries.items():
            queue.record_steps(conn, job_id, job_steps)

    write = _write


class StoreReporter:
    """A :class:`~dispatchd.runner.protocol.JobReporter` that writes through a :class:`LogSink`."""

    def __init__(self, job_id: int, sink: LogSink) -> None:
        self.job_id = job_id
        self.sink = sink
        self.cancelled = False

    async def log(self, lines: list[str]) -> None:
        self.sink.add_lines(self.job_id, lines)

    async def step_started(self, number: int, name: str) -> None:
        self.sink.add_step(self.job_id, {"number": number, "name": name, "status": "in_progress",
                                         "conclusion": None, "started_at": time.time(), "completed_at": None})

    async def step_completed(self, result: StepResult) -> None:
        self.sink.add_step(self.job_id, {
            "number": result.number, "name": result.name, "status": "completed", "id": result.id,
            "conclusion": result.conclusion, "outcome": result.outcome, "outputs": result.outputs,
            "started_at": result.started_at,
            "completed_at": result.completed_at or time.time()})

    def cancel_requested(self) -> bool:
        return self.cancelled


def _remove_tree(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)


class _Parked:
    """An idle worker: its name, and the future that wakes it."""

    __slots__ = ("name", "wake")

    def __init__(self, name: str, wake: asyncio.Future[None]) -> None:
        self.name = name
        self.wake = wake


class RunnerPool:
    """``size`` embedded runners named ``<prefix>-<n>`` with ``labels``."""

    def __init__(self, db: Database, cfg: planner.PlannerConfig, *, size: int, labels: tuple[str, ...],
                 name_prefix: str, lease_seconds: float, on_queued: Callable[[list[int]], None],
                 keep_workspaces: bool = False) -> None:
        self.db = db
        self.cfg = cfg
        self.size = size
        self.labels = labels
        self.name_prefix = name_prefix
        self.lease_seconds = lease_seconds
        self.on_queued = on_queued
        self.keep_workspaces = keep_workspaces
        self.sink = LogSink(db)
        #: Idle workers, oldest first. Read (never changed) by :meth:`hand_off` on the store's
        #: writer thread; a deque's length and iteration are safe there under the GIL.
        self._parked: deque[_Parked] = deque()
        #: Jobs claimed for this pool that no worker has started yet: by worker name, or for any.
        self._for_worker: dict[str, JobAssignment] = {}
        self._handed: deque[JobAssignment] = deque()
        #: Queued jobs were announced that no hand-off took: the next idle worker claims.
        self._claim_wanted = True
        self._running: dict[int, StoreReporter] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        for n in range(self.size):
            self._tasks.append(asyncio.create_task(self._worker(f"{self.name_prefix}-{n + 1}")))
        self._tasks.append(asyncio.create_task(self._housekeeping()))

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.sink.flush()
        # Hand-offs no worker started go back to the queue: nothing of them ran.
        unstarted = [a.job_id for a in [*self._for_worker.values(), *self._handed]]
        self._for_worker.clear()
        self._handed.clear()
        if unstarted:
            try:
                await self.db.write(queue.release, unstarted)
            except Exception:  # their leases expire instead
                log.exception("releasing unstarted jobs %s failed", unstarted)

    def notify(self) -> None:
        """Jobs became queued: wake one idle worker to claim (it wakes another if it got one)."""
        self._claim_wanted = True
        self._wake_one()

    def _wake_one(self) -> None:
        while self._parked:
            parked = self._parked.popleft()
            if not parked.wake.done():
                parked.wake.set_result(None)
                return

    def hand_off(self, conn: Connection, job_ids: list[int]) -> list[tuple[str, JobAssignment]]:
        """In the transaction that queued ``job_ids`` (on the store's writer thread): claim as
        many of them as there are idle workers with nothing handed yet, each for one of those
        workers by name. Returns ``(worker name, assignment)`` pairs for :meth:`deliver` once the
        transaction has committed; if it does not commit, nothing was claimed and nothing is
        owed (the jobs stay queued).

        A worker that stops being idle meanwhile (its one-second look for jobs queued elsewhere)
        leaves its hand-off to the next worker that is free; the claim's lease is kept alive
        meanwhile like a running job's."""
        if not job_ids:
            return []
        names = [p.name for p in list(self._parked) if p.name not in self._for_worker]
        names = names[: max(0, len(names) - len(self._handed))]
        if not names:
            return []
        return queue.claim_jobs(conn, job_ids, names, self.labels, self.lease_seconds, self.cfg)

    def deliver(self, handed: list[tuple[str, JobAssignment]]) -> None:
        """Start the jobs :meth:`hand_off` claimed, now that their transaction committed."""
        for name, assignment in handed:
            # Kept alive by the heartbeat (and told of a cancellation) from now on.
            self._running[assignment.job_id] = StoreReporter(assignment.job_id, self.sink)
            parked = next((p for p in self._parked if p.name == name and not p.wake.done()), None)
            if parked is not None:
                self._for_worker[name] = assignment
                self._parked.remove(parked)
                parked.wake.set_result(None)
            else:
                self._handed.append(assignment)
                self._wake_one()

    def _next_handed(self, name: str) -> JobAssignment | None:
        return self._for_worker.pop(name, None) or (self._handed.popleft() if self._handed else None)

    async def _claim(self, name: str) -> list[JobAssignment]:
        try:
            return await self.db.write(queue.claim, name, self.labels, self.lease_seconds, 1, self.cfg)
        except Exception:
            log.exception("claim failed")
            return []

    async def _worker(self, name: str) -> None:
        loop = asyncio.get_running_loop()
        while True:
            assignment = self._next_handed(name)
            if assignment is not None:
                await self._run(assignment)
                continue
            if self._claim_wanted:
                self._claim_wanted = False
                claimed = await self._claim(name)
                if claimed:
                    # There may be more: let another idle worker look too, and this one after.
                    self._claim_wanted = True
                    self._wake_one()
                    for assignment in claimed:
                        await self._run(assignment)
                continue  # something may have been handed or announced meanwhile
            parked = _Parked(name, loop.create_future())
            self._parked.append(parked)
            try:
                await asyncio.wait_for(parked.wake, timeout=1.0)
            except TimeoutError:
                # A look now and then for jobs queued by another process sharing the database.
                self._claim_wanted = True
            finally:
                if parked in self._parked:
                    self._parked.remove(parked)

    async def _run(self, assignment: JobAssignment) -> None:
        reporter = self._running.get(assignment.job_id) or StoreReporter(assignment.job_id, self.sink)
        self._running[assignment.job_id] = reporter
        try:
            result = await run_job(assignment, reporter)
        except asyncio.CancelledError:
            # The server is stopping (Ctrl-C, SIGTERM): the job's processes were killed as the
            # runner unwound; say so now rather than leave the job to a lease that expires later.
            await self._record_shutdown(assignment, reporter)
            raise
        except Exception as e:  # a runner bug fails this job, never the server
            log.exception("job %s crashed", assignment.job_id)
            await reporter.log([f"##[error]dispatchd runner error: {type(e).__name__}: {e}"])
            result = JobResult(conclusion="failure", error=str(e))
        finally:
            self._running.pop(assignment.job_id, None)
        try:
            queued = await self.db.write(self._finish, assignment.job_id, result, *self.sink.take(assignment.job_id))
        except Exception:  # the lease will expire and recovery fails the job with a reason
            log.exception("recording the result of job %s failed", assignment.job_id)
            queued = []
        self.on_queued(queued)  # also tells waiters that this job's run changed
        # A job waiting for a dispatch keeps its workspace: the runner that resumes it goes on there.
        if not self.keep_workspaces and not self.cfg.fixed_workspace and result.conclusion != "waiting":
            # In a thread: removing a tree takes milliseconds that the event loop (which answers
            # the clients waiting for this run) and the next job need not wait for.
            asyncio.get_running_loop().run_in_executor(None, _remove_tree, assignment.workspace)

    def _finish(self, conn: Connection, job_id: int, result: JobResult, chunks: list[tuple[int, str]],
                steps: list[tuple[int, dict[str, Any]]]) -> list[int]:
        """The job's last log lines and step records, and its result, in one transaction: the
        result is never stored without the log that explains it, and the job's end costs one
        commit, not two."""
        LogSink.write(conn, chunks, steps)
        return planner.complete_job(conn, job_id, result, self.cfg)

    async def _record_shutdown(self, assignment: JobAssignment, reporter: StoreReporter) -> None:
        message = ("The runner has received a shutdown signal. This can happen when the runner service is "
                   "stopped, or a manually started runner is canceled.")
        try:
            await reporter.log([f"##[error]{message}"])
            await self.db.write(self._finish, assignment.job_id, JobResult(conclusion="failure", error=message),
                                *self.sink.take(assignment.job_id))
        except Exception:  # the lease still expires and recovery fails the job
            log.exception("recording the shutdown of job %s failed", assignment.job_id)

    async def _housekeeping(self) -> None:
        """Flush logs often; heartbeat leases and pick up cancellations; recover lost jobs."""
        last_beat = 0.0
        while True:
            await asyncio.sleep(FLUSH_INTERVAL)
            try:
                await self.sink.flush()
                now = time.monotonic()
                if now - last_beat >= min(1.0, self.lease_seconds / 3):
                    last_beat = now
                    cancelled = await self.db.write(queue.heartbeat, list(self._running), self.lease_seconds)
                    for job_id in cancelled:
                        if job_id in self._running:
                            self._running[job_id].cancelled = True
                    queued = await self.db.write(queue.recover_expired, self.cfg)
                    if queued:
                        self.on_queued(queued)
            except Exception:
                log.exception("runner housekeeping failed")
