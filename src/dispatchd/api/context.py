"""What every route needs: the engine, the authenticator, and the server's public base URL."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.service import Engine
from ..repos import Repository
from .auth import Authenticator
from .errors import DOCS, not_found


@dataclass
class ApiContext:
    engine: Engine
    auth: Authenticator
    base_url: str

    def repository(self, owner: str, name: str, doc: str = DOCS) -> tuple[int, Repository]:
        """The served repository ``owner/name`` or GitHub's 404."""
        found = self.engine.find_repository(owner, name)
        if found is None:
            raise not_found(doc)
        return found
