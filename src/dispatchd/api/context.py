"""What every route needs: the engine, the authenticator, and the server's public base URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from ..engine.service import Engine
from ..repos import Repository
from .auth import Authenticator, Identity, check_access
from .permissions import UnmappedPath, permission_for
from .errors import DOCS, not_found


@dataclass
class Access:
    """A request allowed to touch one repository."""

    identity: Identity
    repo_id: int
    repository: Repository


@dataclass
class ApiContext:
    engine: Engine
    auth: Authenticator
    base_url: str
    #: The webhook sender (``dispatchd.webhooks.WebhookService``): a redelivery wakes it.
    webhooks: Any = None
    #: Signs the short-lived log download links the logs endpoints redirect to.
    log_links: Any = None

    def repository(self, owner: str, name: str, doc: str = DOCS) -> tuple[int, Repository]:
        """The served repository ``owner/name`` or GitHub's 404."""
        found = self.engine.find_repository(owner, name)
        if found is None:
            raise not_found(doc)
        return found

    async def access(self, request: Request, owner: str, name: str, needed: str, doc: str = DOCS) -> Access:
        """Authenticate (401), find the repository (404, also when the token may not see it), then
        check the token's scope (403): GitHub's order. ``needed`` is ``read``, ``dispatch`` or
        ``write``."""
        identity = await self.auth.identify(request)
        repo_id, repository = self.repository(owner, name, doc)
        permission: tuple[str, str] | None = None
        if identity.permissions is not None:
            try:
                permission = permission_for(request.method, request.url.path)
            except UnmappedPath:  # a route nobody decided for: a job's token may not use it
                permission = ("unmapped", "write")
        check_access(identity, repo_id, needed, doc, permission)
        return Access(identity, repo_id, repository)
