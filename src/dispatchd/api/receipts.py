"""Receipts: what a dispatch started, and why the other workflows did not run.

``POST …/dispatches?return_run_details=true`` answers 200 with the receipt instead of GitHub's
204; ``GET /repos/{owner}/{repo}/dispatches/{event_id}`` gives it back later with the event.
Shape: ``{"event_id", "workflow_runs": [{"id", "path", "run_number", "html_url"}],
"not_matched": [{"path", "reason"}]}`` (``dry_run`` adds ``"dry_run": true`` and lists the
workflows that would run under ``would_run``).
"""

from __future__ import annotations

from typing import Any

from .serialize import iso


def receipt(event_id: int, runs: list[Any], decisions: list[dict[str, Any]], base_url: str,
            full_name: str, resumed_jobs: list[int] | None = None) -> dict[str, Any]:
    """``resumed_jobs``: the waiting jobs this dispatch resumed (``dispatchd/wait-for-dispatch``)."""
    return {
        "event_id": event_id,
        "workflow_runs": [
            {"id": r.id, "path": r.path, "run_number": r.run_number,
             "html_url": f"{base_url}/{full_name}/actions/runs/{r.id}"}
            for r in runs
        ],
        "not_matched": [{"path": d.get("path"), "reason": d.get("reason")}
                        for d in decisions if not d.get("matched")],
        "resumed_jobs": list(resumed_jobs or []),
    }


def dry_run_receipt(decisions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "event_id": None,
        "dry_run": True,
        "would_run": [{"path": d.get("path"), "reason": d.get("reason")} for d in decisions if d.get("matched")],
        "workflow_runs": [],
        "not_matched": [{"path": d.get("path"), "reason": d.get("reason")}
                        for d in decisions if not d.get("matched")],
    }


def event_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "event": row.event_name,
        "event_type": row.event_type,
        "client_payload": row.client_payload,
        "sender": row.sender,
        "created_at": iso(row.created_at),
        "origin_event_id": row.origin_event_id,
        "processed": bool(row.processed),
        "head_sha": row.head_sha,
    }
