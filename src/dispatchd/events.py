"""The event payloads a workflow sees as ``github.event`` (and in ``$GITHUB_EVENT_PATH``).

Shapes follow GitHub's webhook payloads (octokit/webhooks ``repository_dispatch`` and
``workflow_dispatch`` schemas): ``repository_dispatch`` has exactly ``action``, ``branch``,
``client_payload``, ``repository`` and ``sender``.
"""

from __future__ import annotations

from typing import Any
from zlib import crc32


def user_id(login: str) -> int:
    """A stable numeric id for a login (GitHub users have numeric ids; ours are derived)."""
    return crc32(login.encode()) & 0x7FFFFFFF or 1


def user_object(login: str, base_url: str) -> dict[str, Any]:
    """GitHub's simple-user object."""
    uid = user_id(login)
    return {
        "login": login,
        "id": uid,
        "node_id": f"U_{uid}",
        "avatar_url": "",
        "url": f"{base_url}/users/{login}",
        "html_url": f"{base_url}/{login}",
        "type": "User",
        "site_admin": False,
    }


def repository_object(repo_id: int, owner: str, name: str, default_branch: str, base_url: str) -> dict[str, Any]:
    """GitHub's repository object (the fields workflows and clients read)."""
    full = f"{owner}/{name}"
    return {
        "id": repo_id,
        "node_id": f"R_{repo_id}",
        "name": name,
        "full_name": full,
        "private": True,
        "visibility": "private",
        "owner": user_object(owner, base_url),
        "html_url": f"{base_url}/{full}",
        "url": f"{base_url}/repos/{full}",
        "default_branch": default_branch,
        "fork": False,
        "archived": False,
        "disabled": False,
        "has_issues": True,
        "permissions": {"admin": True, "maintain": True, "push": True, "triage": True, "pull": True},
    }


def repository_dispatch_payload(
    event_type: str, client_payload: dict[str, Any] | None, branch: str,
    repository: dict[str, Any], sender: dict[str, Any],
) -> dict[str, Any]:
    """The ``repository_dispatch`` webhook payload: ``action`` is the ``event_type``."""
    return {
        "action": event_type,
        "branch": branch,
        "client_payload": client_payload if client_payload is not None else {},
        "repository": repository,
        "sender": sender,
    }


def workflow_dispatch_payload(
    inputs: dict[str, Any], ref: str, workflow_path: str,
    repository: dict[str, Any], sender: dict[str, Any],
) -> dict[str, Any]:
    """The ``workflow_dispatch`` payload. GitHub: every ``github.event.inputs`` value is a string."""
    def as_string(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        return "" if v is None else str(v)

    return {
        "inputs": {k: as_string(v) for k, v in inputs.items()},
        "ref": ref,
        "repository": repository,
        "sender": sender,
        "workflow": workflow_path,
    }
