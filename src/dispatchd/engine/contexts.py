"""The ``github`` context of a run, as GitHub's runner fills it for each event."""

from __future__ import annotations

from typing import Any


def github_context(
    *,
    event_name: str,
    event: dict[str, Any],
    repository: dict[str, Any],
    sha: str,
    ref: str,
    actor: str,
    workflow_name: str,
    workflow_path: str,
    run_id: int,
    run_number: int,
    run_attempt: int,
    server_url: str,
    api_url: str,
) -> dict[str, Any]:
    """The ``github`` context (docs: "github context"), without the per-job keys
    (``job``, ``action``, ``workspace``, ``token``), which the engine and runner add.

    ``ref`` is fully formed (``refs/heads/main``); ``ref_name`` and ``ref_type`` derive from it.
    """
    if ref.startswith("refs/heads/"):
        ref_name, ref_type = ref[len("refs/heads/"):], "branch"
    elif ref.startswith("refs/tags/"):
        ref_name, ref_type = ref[len("refs/tags/"):], "tag"
    else:
        ref_name, ref_type = ref, "branch"
    full_name = repository["full_name"]
    # pull_request events: head_ref/base_ref are the PR's branches (empty for other events).
    pull_request = event.get("pull_request") if event_name.startswith("pull_request") else None
    head_ref = base_ref = ""
    if isinstance(pull_request, dict):
        head_ref = str((pull_request.get("head") or {}).get("ref") or "")
        base_ref = str((pull_request.get("base") or {}).get("ref") or "")
    return {
        "event_name": event_name,
        "event": event,
        "sha": sha,
        "ref": ref,
        "ref_name": ref_name,
        "ref_type": ref_type,
        "ref_protected": False,
        "base_ref": base_ref,
        "head_ref": head_ref,
        "repository": full_name,
        "repository_id": str(repository["id"]),
        "repository_owner": repository["owner"]["login"],
        "repository_owner_id": str(repository["owner"]["id"]),
        "repositoryUrl": f"{server_url}/{full_name}.git",
        "actor": actor,
        "actor_id": str(event.get("sender", {}).get("id", "")),
        "triggering_actor": actor,
        "workflow": workflow_name,
        "workflow_ref": f"{full_name}/{workflow_path}@{ref}",
        "workflow_sha": sha,
        "run_id": str(run_id),
        "run_number": str(run_number),
        "run_attempt": str(run_attempt),
        "retention_days": "90",
        "server_url": server_url,
        "api_url": api_url,
        "graphql_url": f"{api_url}/graphql",
        "secret_source": "Actions",
    }
