"""The embedded runner pool: in-process workers that claim jobs from the queue and run them.

Workers wait on a wake-up that the engine sets whenever jobs become queued, so a job starts as
soon as its row commits (no sleep-and-poll); a one-second fallback covers jobs queued by
another process. Logs and step records are buffered and written in one transaction per flush
for all running jobs, so a chatty job costs a few commits a second, not one per line.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import Callable
from typing import Any

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

        # One log row and one steps update per job per flush, however many lines and step
        # events arrived (a row per event made a flush cost ~20 ms of a 50-step job's ~80 ms).
        texts: dict[int, list[str]] = {}
        for job_id, text in chunks:
            texts.setdefault(job_id, []).append(text)
        entries: dict[int, list[dict[str, Any]]] = {}
        for job_id, step in steps:
            entries.setdefault(job_id, []).append(step)

        def write(conn: Any) -> None:
            stored_logs.append_many(conn, [(job_id, "".join(parts)) for job_id, parts in texts.items()])
            for job_id, job_steps in entries.items():
                queue.record_steps(conn, job_id, job_steps)

        await self._db.write(write)


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
        self._work = asyncio.Event()
        self._running: dict[int, StoreReporter] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self.idle = asyncio.Event()

    def start(self) -> None:
        for n in range(self.size):
            self._tasks.append(asyncio.create_task(self._worker(f"{self.name_prefix}-{n + 1}")))
        self._tasks.append(asyncio.create_task(self._housekeeping()))

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.sink.flush()

    def notify(self) -> None:
        self._work.set()

    async def _worker(self, name: str) -> None:
        while True:
            self._work.clear()
            try:
                claimed = await self.db.write(queue.claim, name, self.labels, self.lease_seconds, 1, self.cfg)
            except Exception:
                log.exception("claim failed")
                claimed = []
            if not claimed:
                try:
                    await asyncio.wait_for(self._work.wait(), timeout=1.0)
                except TimeoutError:
                    pass
                continue
            self._work.set()  # there may be more: let another idle worker look too
            for assignment in claimed:
                await self._run(assignment)

    async def _run(self, assignment: JobAssignment) -> None:
        reporter = StoreReporter(assignment.job_id, self.sink)
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
            await self.sink.flush()
            queued = await self.db.write(planner.complete_job, assignment.job_id, result, self.cfg)
        except Exception:  # the lease will expire and recovery fails the job with a reason
            log.exception("recording the result of job %s failed", assignment.job_id)
            queued = []
        self.on_queued(queued)  # also tells waiters that this job's run changed
        # A job waiting for a dispatch keeps its workspace: the runner that resumes it goes on there.
        if not self.keep_workspaces and not self.cfg.fixed_workspace and result.conclusion != "waiting":
            shutil.rmtree(assignment.workspace, ignore_errors=True)

    async def _record_shutdown(self, assignment: JobAssignment, reporter: StoreReporter) -> None:
        message = ("The runner has received a shutdown signal. This can happen when the runner service is "
                   "stopped, or a manually started runner is canceled.")
        try:
            await reporter.log([f"##[error]{message}"])
            await self.sink.flush()
            await self.db.write(planner.complete_job, assignment.job_id,
                                JobResult(conclusion="failure", error=message), self.cfg)
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
