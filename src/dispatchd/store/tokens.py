"""API tokens: made once, stored as their sha256, scoped to one repository.

A token is ``dpd_`` + 40 random URL-safe characters; only its sha256 (hex) is stored, so the
database never holds a usable token. Lookup is by that hash, and the hashes are compared
again with :func:`hmac.compare_digest` so the answer's timing does not depend on the token.

Scopes (each includes the ones before it):

* ``read``: read runs, jobs, logs, workflows and issues;
* ``dispatch``: also ``POST .../dispatches`` and workflow dispatches;
* ``write``: also cancel, re-run and delete runs, and create or edit issues and comments.

A job's ``GITHUB_TOKEN`` is a ``write`` token for the job's repository whose row names the job and
holds the job's ``permissions`` (checked per request by the API, :mod:`dispatchd.api.permissions`);
it is revoked when the job completes (GitHub: "the token expires when the job finishes").
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from .schema import tokens

SCOPES = ("read", "dispatch", "write")
PREFIX = "dpd_"
#: GitHub's login for the job token's actions (issues it opens, dispatches it sends).
JOB_TOKEN_LOGIN = "github-actions[bot]"
#: A job token outlives its job by at most this many seconds after the job timeout, even if
#: the job's completion is never recorded (a crashed server that never comes back).
JOB_TOKEN_GRACE = 600.0


def hash_token(token: str) -> str:
    """The stored form: sha256 of the token's UTF-8 bytes, lowercase hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(30)


def allows(scope: str, needed: str) -> bool:
    """Whether a token of ``scope`` may do what needs ``needed`` (``read`` < ``dispatch`` < ``write``)."""
    return SCOPES.index(scope) >= SCOPES.index(needed)


@dataclass(frozen=True)
class TokenRecord:
    id: int
    repository_id: int
    scope: str
    login: str
    job_id: int | None
    permissions: dict[str, Any] | None = None


def create(conn: Connection, repository_id: int, scope: str, login: str, *, job_id: int | None = None,
           note: str | None = None, expires_at: float | None = None,
           permissions: dict[str, Any] | None = None) -> tuple[int, str]:
    """Store a new token; returns ``(id, token)``. The token is not kept: show it once.
    ``permissions``: a job token's ``GITHUB_TOKEN`` permissions (``Grant.to_json()``), checked
    on top of ``scope``."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    token = new_token()
    token_id = conn.execute(tokens.insert().values(
        token_hash=hash_token(token), repository_id=repository_id, scope=scope, login=login, job_id=job_id,
        note=note, created_at=time.time(), expires_at=expires_at, permissions=permissions)).inserted_primary_key[0]
    return int(token_id), token


def lookup(conn: Connection, token: str, now: float | None = None) -> TokenRecord | None:
    """The live (not revoked, not expired) token, or None."""
    digest = hash_token(token)
    row = conn.execute(select(tokens).where(tokens.c.token_hash == digest)).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    now = time.time() if now is None else now
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return TokenRecord(id=row.id, repository_id=row.repository_id, scope=row.scope, login=row.login,
                       job_id=row.job_id, permissions=row.permissions)


def revoke(conn: Connection, *, token_id: int | None = None, token: str | None = None) -> bool:
    """Revoke by id or by the token itself; False when there is no such live token."""
    cond = tokens.c.id == token_id if token_id is not None else tokens.c.token_hash == hash_token(token or "")
    return bool(conn.execute(update(tokens).where(cond, tokens.c.revoked_at.is_(None))
                             .values(revoked_at=time.time())).rowcount)


def revoke_for_jobs(conn: Connection, job_ids: list[int]) -> None:
    """End the ``GITHUB_TOKEN`` of each job in ``job_ids`` (called as the jobs complete)."""
    if job_ids:
        conn.execute(update(tokens).where(tokens.c.job_id.in_(job_ids), tokens.c.revoked_at.is_(None))
                     .values(revoked_at=time.time()))


def listing(conn: Connection, repository_id: int | None = None) -> list[Any]:
    """Tokens made through the API (not jobs' tokens), newest first."""
    cond: list[Any] = [tokens.c.job_id.is_(None)]
    if repository_id is not None:
        cond.append(tokens.c.repository_id == repository_id)
    return list(conn.execute(select(tokens).where(*cond).order_by(tokens.c.id.desc())))
