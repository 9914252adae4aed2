"""``dispatchd run``: one event, the matching workflows of a working tree, no server.

The same engine and runner as ``dispatchd serve`` (SQLite in a temporary directory, embedded
runners), as nektos/act does for local runs: the workflows come from the working tree so a
change can be tried before it is committed, and the working tree is the workspace.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engine.service import Engine, EngineConfig
from .repos import WORKFLOWS_DIR, Repository
from .store import logs as stored_logs
from .store import queries
from .store.events import NewEvent


@dataclass
class OneShotResult:
    """What ``dispatchd run`` prints: ``runs`` in the ``--json`` shape, and the decisions."""

    runs: list[dict[str, Any]]
    decisions: list[dict[str, Any]]

    @property
    def ok(self) -> bool:
        return all(r["conclusion"] == "success" for r in self.runs)


async def run_once(event_name: str, payload: dict[str, Any], repo_path: Path, *, workflow_file: str | None = None,
                   secrets: dict[str, str] | None = None, runners: int = 4, timeout: float | None = None,
                   owner_name: tuple[str, str] | None = None, env: dict[str, str] | None = None,
                   actor: str | None = None, matrix: dict[str, list[str]] | None = None) -> OneShotResult:
    """Run every workflow of ``repo_path`` that ``event_name`` with ``payload`` (``github.event``)
    triggers; ``env`` is given to every job (below the workflow's own ``env``), ``actor`` is
    ``github.actor`` when the payload has no ``sender``; ``matrix`` keeps only the matrix legs
    whose values are listed (act's ``--matrix``). ``workflow_file`` (relative to the repository, or absolute inside it) is one workflow
    file or a folder of them (``act -W``); the default is ``.github/workflows``."""
    repo_path = repo_path.resolve()
    owner, name = owner_name or ("local", repo_path.name)
    workflows_dir, only = WORKFLOWS_DIR, None
    if workflow_file:
        target = Path(workflow_file)
        target = (target if target.is_absolute() else repo_path / target).resolve()
        rel = target.relative_to(repo_path).as_posix()
        if target.is_dir():
            workflows_dir = rel
        else:
            workflows_dir, only = (target.parent.relative_to(repo_path).as_posix() or "."), rel
    repo = Repository(owner=owner, name=name, path=repo_path, working_tree=True, workflows_dir=workflows_dir)
    tmp = Path(tempfile.mkdtemp(prefix="dispatchd-run-"))
    engine = Engine(EngineConfig(db_url=f"sqlite:///{tmp / 'run.db'}", data_dir=tmp, runners=runners,
                                 fixed_workspace=str(repo_path), secrets=dict(secrets or {}),
                                 extra_env=dict(env or {}), skip_unrunnable=True, accepts_dispatches=False,
                                 matrix_filter=dict(matrix or {}), throwaway_db=True), [repo])
    try:
        await engine.start()
        repo_id = next(iter(engine.repos))
        sender = (payload.get("sender") or {}).get("login") if isinstance(payload.get("sender"), dict) else None
        accepted = await engine.submit(NewEvent(
            repository_id=repo_id, event_name=event_name, sender=sender or actor or "dispatchd",
            event_type=payload.get("action") if event_name == "repository_dispatch" else None,
            client_payload=payload.get("client_payload") if event_name == "repository_dispatch" else None,
            payload=payload, workflow_path=only,
            inputs=payload.get("inputs") if event_name == "workflow_dispatch" else None))
        event_id = accepted.event_id
        event = await engine.wait_event_processed(event_id, timeout=60)
        decisions = list(event.decisions or []) if event is not None else []
        runs = await engine.db.read(queries.runs_of_event, event_id)
        await engine.wait_runs_completed([r.id for r in runs], timeout=timeout)
        return OneShotResult(runs=[await _describe(engine, r.id) for r in runs], decisions=decisions)
    finally:
        await engine.stop()
        shutil.rmtree(tmp, ignore_errors=True)


async def _describe(engine: Engine, run_id: int) -> dict[str, Any]:
    run = await engine.db.read(queries.get_run, run_id)
    jobs = await engine.db.read(queries.run_jobs, run_id, None)
    out_jobs = []
    for job in jobs:
        log = await engine.db.read(stored_logs.read, job.id)
        out_jobs.append({
            "id": job.job_key,
            "name": job.name,
            "conclusion": job.conclusion,
            "outputs": job.outputs or {},
            "log": log,
            "steps": [{"name": s.get("name"), "conclusion": s.get("conclusion"), "outcome": s.get("outcome"),
                       "outputs": s.get("outputs") or {}} for s in (job.steps or [])],
        })
    return {"workflow": run.path, "name": run.name, "conclusion": run.conclusion, "status": run.status,
            "error": run.error, "jobs": out_jobs}
