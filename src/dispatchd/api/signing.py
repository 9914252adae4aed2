"""Signed, expiring claims in URLs: capability callbacks, short-lived log download links.

A claim is a small JSON object, signed with HMAC-SHA256 under a key derived from the server's
admin token and a purpose (a log link cannot be used as a callback and the other way round).
Every server sharing a database shares the admin token, so any of them can check any URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    def __init__(self, secret: str, purpose: str) -> None:
        self._key = hashlib.sha256(f"dispatchd-{purpose}:".encode() + secret.encode()).digest()

    def sign(self, claim: dict[str, Any]) -> str:
        body = _b64(json.dumps(claim, separators=(",", ":"), sort_keys=True).encode())
        mac = hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()
        return f"{body}.{mac}"

    def check(self, token: str) -> dict[str, Any] | None:
        """The claim of a token this signer made, else None (tampered, foreign, malformed)."""
        body, _, mac = token.partition(".")
        try:
            expected = hmac.new(self._key, body.encode("ascii"), hashlib.sha256).hexdigest()
            if not mac or not hmac.compare_digest(mac.encode("ascii"), expected.encode("ascii")):
                return None
            claim = json.loads(_unb64(body))
        except (UnicodeEncodeError, ValueError):
            return None
        return claim if isinstance(claim, dict) else None
