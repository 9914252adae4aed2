"""GitHub's JSON shapes for runs, jobs, workflows and repositories (REST: workflow-runs,
workflow-jobs, workflows)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..events import repository_object, user_object


def iso(t: float | None) -> str | None:
    """GitHub's timestamp form: ``YYYY-MM-DDTHH:MM:SSZ`` (UTC)."""
    if t is None:
        return None
    # isoformat, not strftime: glibc's %Y writes year 1 as "1", not "0001".
    return datetime.fromtimestamp(t, tz=timezone.utc).replace(microsecond=0).isoformat()[:-6] + "Z"


def run_json(run: Any, repo: Any, repo_id: int, base: str) -> dict[str, Any]:
    full = f"{repo.owner}/{repo.name}"
    api = f"{base}/repos/{full}/actions/runs/{run.id}"
    repository = repository_object(repo_id, repo.owner, repo.name, run.head_branch or "main", base)
    actor = user_object(run.actor, base)
    github = (run.contexts or {}).get("github") or {} if isinstance(run.contexts, dict) else {}
    triggering = getattr(run, "triggering_actor", None) or github.get("triggering_actor") or run.actor
    return {
        "id": run.id,
        "name": run.name,
        "node_id": f"WFR_{run.id}",
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "path": run.path,
        "display_title": run.display_title,
        "run_number": run.run_number,
        "event": run.event,
        "status": run.status,
        "conclusion": run.conclusion,
        "workflow_id": run.workflow_id,
        "check_suite_id": run.id,
        "check_suite_node_id": f"CS_{run.id}",
        "url": api,
        "html_url": f"{base}/{full}/actions/runs/{run.id}",
        "pull_requests": [],
        "created_at": iso(run.created_at),
        "updated_at": iso(run.updated_at),
        "actor": actor,
        "triggering_actor": user_object(triggering, base),
        "run_attempt": run.run_attempt,
        "referenced_workflows": [],
        "run_started_at": iso(run.run_started_at),
        "jobs_url": f"{api}/jobs",
        "logs_url": f"{api}/logs",
        "check_suite_url": f"{base}/repos/{full}/check-suites/{run.id}",
        "artifacts_url": f"{api}/artifacts",
        "cancel_url": f"{api}/cancel",
        "rerun_url": f"{api}/rerun",
        "previous_attempt_url": f"{api}/attempts/{run.run_attempt - 1}" if run.run_attempt > 1 else None,
        "workflow_url": f"{base}/repos/{full}/actions/workflows/{run.workflow_id}",
        "head_commit": {"id": run.head_sha, "tree_id": None, "message": "", "timestamp": iso(run.created_at),
                        "author": None, "committer": None},
        "repository": repository,
        "head_repository": repository,
        # Not in GitHub's shape: why a run failed before any job could start (invalid workflow file).
        "error": run.error,
    }


JOB_STATUS = {"pending": "queued", "queued": "queued", "held": "queued", "blocked": "pending",
              "in_progress": "in_progress", "completed": "completed",
              "waiting": "waiting"}


def job_json(job: Any, run: Any, repo: Any, base: str) -> dict[str, Any]:
    full = f"{repo.owner}/{repo.name}"
    steps = [
        {"name": s.get("name"), "status": s.get("status"), "conclusion": s.get("conclusion"),
         "number": s.get("number"), "started_at": iso(s.get("started_at")), "completed_at": iso(s.get("completed_at"))}
        for s in (job.steps or [])
    ]
    return {
        "id": job.id,
        "run_id": job.run_id,
        "run_url": f"{base}/repos/{full}/actions/runs/{job.run_id}",
        "run_attempt": job.run_attempt,
        "node_id": f"J_{job.id}",
        "head_sha": run.head_sha,
        "head_branch": run.head_branch,
        "url": f"{base}/repos/{full}/actions/jobs/{job.id}",
        "html_url": f"{base}/{full}/actions/runs/{job.run_id}/job/{job.id}",
        "status": JOB_STATUS.get(job.state, job.state),
        "conclusion": job.conclusion,
        "created_at": iso(job.created_at),
        "started_at": iso(job.started_at or job.created_at),
        "completed_at": iso(job.completed_at),
        "name": job.name,
        "steps": steps,
        "check_run_url": f"{base}/repos/{full}/check-runs/{job.id}",
        "labels": list(job.labels or []),
        "runner_id": None,
        "runner_name": job.runner_name,
        "runner_group_id": None,
        "runner_group_name": None,
        "workflow_name": run.name,
        "annotations": job.annotations or [],
    }


def workflow_json(row: Any, repo: Any, base: str, state: str = "active") -> dict[str, Any]:
    """GitHub's workflow object (REST "Workflows")."""
    full = f"{repo.owner}/{repo.name}"
    file = row.path.rsplit("/", 1)[-1]
    return {
        "id": row.id,
        "node_id": f"W_{row.id}",
        "name": row.name or row.path,
        "path": row.path,
        "state": state,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "url": f"{base}/repos/{full}/actions/workflows/{row.id}",
        "html_url": f"{base}/{full}/blob/HEAD/{row.path}",
        "badge_url": f"{base}/{full}/workflows/{file}/badge.svg",
    }
