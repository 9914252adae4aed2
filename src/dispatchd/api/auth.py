"""Who is calling and what they may do: the ``Authorization`` header (``Bearer T`` or ``token T``,
scheme case-insensitive), the admin token, and repository tokens with a scope.

GitHub's answers (REST "Troubleshooting"): no token where one is needed is 401 ``Requires
authentication``; an unknown, revoked or expired token is 401 ``Bad credentials``; a token that
may not see a repository gets 404 ``Not Found`` (GitHub hides what it will not show); a token
that sees it but lacks the permission gets 403 ``Resource not accessible by personal access
token`` (``... by integration`` for a job's ``GITHUB_TOKEN``).

The admin token comes from ``DISPATCHD_TOKEN`` or is generated once and kept under the data
directory. Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request

from ..store import tokens as stored_tokens
from ..workflow import Grant
from ..store.database import Database
from .errors import DOCS, GitHubError

ADMIN_LOGIN = "dispatchd-admin"


@dataclass(frozen=True)
class Identity:
    """The caller. ``repository_id`` is None for the admin, who sees every repository."""

    login: str
    admin: bool = True
    repository_id: int | None = None
    scope: str = "write"
    token_id: int | None = None
    job_id: int | None = None
    #: A job token's ``GITHUB_TOKEN`` permissions (``Grant.to_json()``); None for other tokens.
    permissions: dict[str, Any] | None = None

    @property
    def forbidden_message(self) -> str:
        if self.job_id is not None:
            return "Resource not accessible by integration"
        return "Resource not accessible by personal access token"


def load_admin_token(data_dir: Path) -> tuple[str, bool]:
    """``(token, generated_now)``: ``DISPATCHD_TOKEN`` if set, else the stored one, else a new one
    written to ``<data_dir>/admin-token`` (mode 0600)."""
    env = os.environ.get("DISPATCHD_TOKEN")
    if env:
        return env, False
    path = data_dir / "admin-token"
    if path.exists():
        return path.read_text().strip(), False
    data_dir.mkdir(parents=True, exist_ok=True)
    token = "dpd_" + secrets.token_urlsafe(30)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    return token, True


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() in ("bearer", "token") and value.strip():
        return value.strip()
    return None


class Authenticator:
    """Turns a request's token into an :class:`Identity` (admin token in memory, others from the
    store by their hash)."""

    def __init__(self, admin_token: str, db: Database | None = None) -> None:
        self._admin = admin_token.encode()
        self._db = db

    async def identify(self, request: Request) -> Identity:
        """The caller, or GitHubError 401 (``Requires authentication`` / ``Bad credentials``)."""
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            raise GitHubError(401, "Requires authentication", DOCS)
        if hmac.compare_digest(token.encode("utf-8", "surrogatepass"), self._admin):
            return Identity(login=ADMIN_LOGIN)
        if self._db is not None and token.startswith(stored_tokens.PREFIX) and len(token) < 200:
            record = await self._db.read(stored_tokens.lookup, token)
            if record is not None:
                return Identity(login=record.login, admin=False, repository_id=record.repository_id,
                                scope=record.scope, token_id=record.id, job_id=record.job_id,
                                permissions=record.permissions)
        raise GitHubError(401, "Bad credentials", DOCS)


def check_access(identity: Identity, repository_id: int, needed: str, doc: str,
                 permission: tuple[str, str] | None = None) -> None:
    """GitHub's 404 for a repository the token cannot see, 403 for a scope it lacks, or — for a
    job's token — for a ``permission`` (``(name, "read" | "write")``, see
    :mod:`dispatchd.api.permissions`) its job's ``permissions`` do not grant."""
    if identity.admin:
        return
    if identity.repository_id != repository_id:
        raise GitHubError(404, "Not Found", doc)
    if not stored_tokens.allows(identity.scope, needed):
        raise GitHubError(403, identity.forbidden_message, doc)
    if identity.permissions is not None and permission is not None:
        grant = Grant.from_json(identity.permissions)
        if grant is None or not grant.allows(*permission):
            raise GitHubError(403, identity.forbidden_message, doc)


def require_admin(identity: Identity, doc: str = DOCS) -> None:
    if not identity.admin:
        raise GitHubError(403, identity.forbidden_message, doc)
