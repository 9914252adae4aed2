"""``GITHUB_TOKEN`` permissions: expansion of the shorthands and the reusable-workflow ceiling.

A called reusable workflow may not ask for more than its caller grants (GitHub docs, "Reusing
workflows › Access and permissions"; Go/C# reader cases ``errors-reusable-workflow-permissions-*``).
What a calling job grants is its own ``permissions``, else the calling workflow's, else what the
calling workflow itself was granted (at the top: the repository's default token policy).
"""

from __future__ import annotations

from typing import Any

#: The scopes ``read-all``/``write-all`` stand for, in the order GitHub lists them in messages.
SHORTHAND_SCOPES = ("actions", "checks", "contents", "deployments", "discussions", "issues", "packages",
                    "pages", "pull-requests", "repository-projects", "statuses", "security-events", "id-token")
_RANK = {"none": 0, "read": 1, "write": 2}


class Grant:
    """Token permissions as ``{scope: level}`` plus the level of every scope not listed."""

    def __init__(self, levels: dict[str, str], others: str = "none") -> None:
        self.levels = levels
        self.others = others

    def level(self, scope: str) -> str:
        return self.levels.get(scope, self.others)

    @classmethod
    def parse(cls, value: Any) -> Grant | None:
        """``read-all``, ``write-all``, ``{}`` or a mapping -> Grant; None for absent/expressions."""
        if value in ("read-all", "write-all"):
            level = value.split("-")[0]
            return cls(dict.fromkeys(SHORTHAND_SCOPES, level), level)
        if isinstance(value, dict):
            return cls({str(k): str(v) for k, v in value.items() if v in _RANK})
        return None

    @classmethod
    def policy(cls, name: str) -> Grant:
        """The repository default for ``GITHUB_TOKEN``: ``"Write"`` (permissive) or
        ``"LimitedRead"`` (restricted: contents and packages read, everything else none)."""
        if name == "LimitedRead":
            return cls({"contents": "read", "packages": "read"})
        return cls(dict.fromkeys(SHORTHAND_SCOPES, "write"), "write")

    def allows(self, scope: str, level: str) -> bool:
        """Whether the grant reaches ``level`` (``read``/``write``) on ``scope``; ``metadata: read``
        is always granted (GitHub: every token may read the repository's metadata)."""
        if scope == "metadata" and level == "read":
            return True
        if scope not in SHORTHAND_SCOPES and scope not in self.levels:
            return False  # secrets, hooks, administration: never a GITHUB_TOKEN's, even write-all
        return _RANK.get(self.level(scope), 0) >= _RANK[level]

    def to_json(self) -> dict[str, Any]:
        """``{"levels": {scope: level}, "others": level}``; :meth:`from_json` reads it back."""
        return {"levels": dict(self.levels), "others": self.others}

    @classmethod
    def from_json(cls, data: Any) -> Grant | None:
        if not isinstance(data, dict) or not isinstance(data.get("levels"), dict):
            return None
        return cls({str(k): str(v) for k, v in data["levels"].items()}, str(data.get("others") or "none"))

    def scopes(self) -> list[str]:
        extra = [s for s in self.levels if s not in SHORTHAND_SCOPES]
        return [s for s in SHORTHAND_SCOPES if s in self.levels] + extra


def excess(requested: Grant, allowed: Grant) -> tuple[str, str] | None:
    """The scopes ``requested`` asks above ``allowed``, as GitHub prints them:
    (``"actions: write, …"``, ``"actions: read, …"``), or None when within bounds."""
    over = [s for s in requested.scopes() if _RANK[requested.level(s)] > _RANK.get(allowed.level(s), 0)]
    if not over:
        return None
    return (", ".join(f"{s}: {requested.level(s)}" for s in over),
            ", ".join(f"{s}: {allowed.level(s)}" for s in over))
