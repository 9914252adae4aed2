"""Repository secrets: stored encrypted (Fernet: AES-128-CBC + HMAC-SHA256), never returned.

The key is derived from the server's admin token, so every server that shares the database
(and the token) can read them; changing the admin token makes stored secrets unreadable, and
they must be set again. GitHub's rules for names: letters, digits and ``_``, not starting with a
digit or ``GITHUB_``, case-insensitive (stored upper-case).
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from .schema import secrets

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SecretNameError(ValueError):
    """A name GitHub would refuse; the message says why."""


def check_name(name: str) -> str:
    """The stored form of ``name`` (upper-case) or SecretNameError (GitHub's naming rules)."""
    if not _NAME.match(name):
        raise SecretNameError("Secret names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or "
                              "underscores (_), and must not start with a number.")
    if name.upper().startswith("GITHUB_"):
        raise SecretNameError("Secret names must not start with the GITHUB_ prefix.")
    return name.upper()


class SecretBox:
    def __init__(self, admin_token: str) -> None:
        key = hashlib.sha256(b"dispatchd-secrets:" + admin_token.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def open(self, ciphertext: str) -> str | None:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:  # stored under another admin token
            return None


def put(conn: Connection, box: SecretBox, repository_id: int, name: str, value: str) -> bool:
    """Create or update; True when it was created."""
    now = time.time()
    name = check_name(name)
    row = conn.execute(select(secrets.c.id).where(secrets.c.repository_id == repository_id,
                                                  secrets.c.name == name)).first()
    if row is None:
        conn.execute(secrets.insert().values(repository_id=repository_id, name=name, ciphertext=box.seal(value),
                                             created_at=now, updated_at=now))
        return True
    conn.execute(secrets.update().where(secrets.c.id == row.id).values(ciphertext=box.seal(value), updated_at=now))
    return False


def remove(conn: Connection, repository_id: int, name: str) -> bool:
    return bool(conn.execute(delete(secrets).where(secrets.c.repository_id == repository_id,
                                                   secrets.c.name == name.upper())).rowcount)


def listing(conn: Connection, repository_id: int) -> list[Any]:
    """Names and times only."""
    return list(conn.execute(select(secrets.c.name, secrets.c.created_at, secrets.c.updated_at)
                             .where(secrets.c.repository_id == repository_id).order_by(secrets.c.name)))


def values(conn: Connection, box: SecretBox, repository_id: int) -> dict[str, str]:
    """``{NAME: value}`` of the repository's readable secrets (what a job's ``secrets`` holds)."""
    out: dict[str, str] = {}
    for row in conn.execute(select(secrets.c.name, secrets.c.ciphertext).where(secrets.c.repository_id == repository_id)):
        value = box.open(row.ciphertext)
        if value is not None:
            out[row.name] = value
    return out
