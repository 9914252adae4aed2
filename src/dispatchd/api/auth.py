"""Who is calling: the ``Authorization`` header (``Bearer T`` or ``token T``, scheme case-insensitive).

The admin token comes from ``DISPATCHD_TOKEN`` or is generated once and kept under the data
directory. Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request

from .errors import GitHubError

ADMIN_LOGIN = "dispatchd-admin"


@dataclass(frozen=True)
class Identity:
    login: str
    admin: bool = True


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
    def __init__(self, admin_token: str) -> None:
        self._admin = admin_token.encode()

    def identify(self, request: Request) -> Identity:
        """The caller, or GitHubError 401 (``Requires authentication`` / ``Bad credentials``)."""
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            raise GitHubError(401, "Requires authentication")
        if hmac.compare_digest(token.encode(), self._admin):
            return Identity(login=ADMIN_LOGIN)
        raise GitHubError(401, "Bad credentials")
