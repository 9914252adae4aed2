"""Fixtures of the API tests: a served repository with dispatch, workflow_dispatch and failing
workflows, and tokens made through the admin API."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import PING, WORKFLOWS


@pytest.fixture
async def srv(start_server, make_git_repo):
    """A server for ``acme/app`` (the workflows above) and ``acme/other`` (ping only)."""
    repo = make_git_repo(WORKFLOWS)
    other = make_git_repo({".github/workflows/ping.yml": PING}, path=repo.parent / "other")
    return await start_server([f"acme/app={repo}", f"acme/other={other}"])


@pytest.fixture
def make_token(srv):
    """``await make_token("acme/app", "read")`` → a new token (through the admin API)."""

    async def make(repository: str, scope: str, **extra: Any) -> str:
        r = await srv.http.post("/dispatchd/tokens", json={"repository": repository, "scope": scope, **extra})
        assert r.status_code == 201, r.text
        return str(r.json()["token"])

    return make
