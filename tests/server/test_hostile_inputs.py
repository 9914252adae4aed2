"""dispatchd's own endpoints answer bad input with GitHub-shaped 4xx, never a 5xx (found by
schemathesis: a 2**70 job id reached SQLite)."""

from __future__ import annotations

import pytest

BIG = 2**70


@pytest.mark.parametrize(("method", "path", "body", "status"), [
    # an id no object can have names nothing: GitHub's 404
    ("GET", f"/dispatchd/events/{BIG}", None, 404),
    ("GET", f"/repos/acme/app/dispatches/{BIG}", None, 404),
    ("POST", f"/repos/acme/app/dispatches/{BIG}/replay", None, 404),
    ("GET", "/repos/acme/app/actions/runs/abc", None, 404),
    ("GET", "/repos/acme/app/issues/0", None, 404),
    ("GET", "/repos/acme/app/releases/-1", None, 404),
    ("POST", "/repos/acme/app/dispatchd/callbacks", {"event_type": "x", "job_id": BIG}, 422),
    ("POST", "/repos/acme/app/dispatchd/callbacks", {"event_type": "x", "job_id": True}, 422),
    ("POST", "/repos/acme/app/dispatchd/callbacks", {"event_type": "x", "job_id": 1, "expires_in_minutes": "nan"}, 422),
    ("POST", "/repos/acme/app/dispatchd/callbacks", {"event_type": "x", "job_id": 99}, 404),
    ("PUT", "/repos/acme/app/dispatchd/secrets/" + "A" * 300, {"value": "v"}, 422),
    ("PUT", "/repos/acme/app/dispatchd/secrets/OK", {"value": 5}, 422),
    ("POST", "/dispatchd/callbacks/not-a-token", {}, 404),
    ("POST", "/dispatchd/callbacks/abc.def", {"client_payload": {}}, 404),
    ("GET", "/repos/acme/app/dispatches?per_page=1e9", None, 422),
])
async def test_bad_input_is_a_4xx(start_server, make_git_repo, method, path, body, status):
    repo = make_git_repo({".github/workflows/w.yml": "on: push\njobs:\n  j:\n    runs-on: x\n    steps: [{run: echo}]\n"})
    srv = await start_server([f"acme/app={repo}"])
    r = await srv.http.request(method, path, json=body)
    assert r.status_code == status, r.text
    assert set(r.json()) >= {"message", "documentation_url"}
