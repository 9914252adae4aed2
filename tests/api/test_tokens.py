"""Repository tokens: made by the admin, stored hashed, scoped to one repository, revocable; and
the job's GITHUB_TOKEN, which works for its own repository only while the job runs."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time

from api_support import auth
from sqlalchemy import select

from dispatchd.engine import queue
from dispatchd.store.schema import jobs, tokens

FORBIDDEN = "Resource not accessible by personal access token"


async def test_created_token_is_shown_once_and_stored_as_its_sha256(srv):
    r = await srv.http.post("/dispatchd/tokens", json={"repository": "acme/app", "scope": "dispatch", "note": "ci"})
    assert r.status_code == 201
    data = r.json()
    token = data["token"]
    assert token.startswith("dpd_") and len(token) >= 40
    assert {k: data[k] for k in ("repository", "scope", "login", "note", "revoked_at")} == {
        "repository": "acme/app", "scope": "dispatch", "login": "dispatchd-admin", "note": "ci", "revoked_at": None}
    rows = await srv.server.engine.db.read(lambda c: list(c.execute(select(tokens))))
    [row] = rows
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(tuple(row))
    listing = (await srv.http.get("/dispatchd/tokens")).json()
    assert [t["id"] for t in listing] == [data["id"]]
    assert "token" not in listing[0]


async def test_scopes(srv, make_token):
    read, dispatch, write = [await make_token("acme/app", s) for s in ("read", "dispatch", "write")]
    body = {"event_type": "ping"}
    # read: reads only; dispatch: also dispatches; write: also cancels, re-runs, writes issues.
    r = await srv.http.post("/repos/acme/app/dispatches", json=body, headers=auth(read))
    assert r.status_code == 403
    assert r.json() == {"message": FORBIDDEN, "status": "403",
                        "documentation_url": "https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event"}
    assert (await srv.http.get("/repos/acme/app/actions/runs", headers=auth(read))).status_code == 200
    assert (await srv.http.post("/repos/acme/app/dispatches", json=body, headers=auth(dispatch))).status_code == 204
    assert (await srv.http.post("/repos/acme/app/dispatches", json=body, headers=auth(write))).status_code == 204
    [run] = await srv.wait_runs("acme/app", 2) and (await srv.runs("acme/app"))[:1]
    assert (await srv.http.get(f"/repos/acme/app/actions/runs/{run['id']}", headers=auth(dispatch))).status_code == 200
    for token, expected in ((read, 403), (dispatch, 403), (write, 201)):
        r = await srv.http.post("/repos/acme/app/issues", json={"title": "t"}, headers=auth(token))
        assert r.status_code == expected, r.text
        r = await srv.http.post(f"/repos/acme/app/actions/runs/{run['id']}/rerun", headers=auth(token))
        assert r.status_code == expected, r.text
        if expected == 201:
            await srv.wait_runs("acme/app", 2)
    # Only the admin manages tokens and webhooks.
    r = await srv.http.post("/dispatchd/tokens", json={"repository": "acme/app", "scope": "write"},
                            headers=auth(write))
    assert r.status_code == 403
    assert (await srv.http.get("/repos/acme/app/hooks", headers=auth(write))).status_code == 403


async def test_a_token_cannot_see_another_repository(srv, make_token):
    token = await make_token("acme/app", "write")
    for method, path in (("GET", "/repos/acme/other"), ("GET", "/repos/acme/other/actions/runs"),
                         ("POST", "/repos/acme/other/dispatches"), ("GET", "/repos/acme/other/issues")):
        r = await srv.http.request(method, path, json={"event_type": "ping"}, headers=auth(token))
        assert r.status_code == 404, path
        assert r.json()["message"] == "Not Found"
    # The same answer as for a repository that does not exist: nothing is revealed.
    assert (await srv.http.get("/repos/acme/nothing", headers=auth(token))).status_code == 404
    assert (await srv.http.get("/repos/acme/app", headers=auth(token))).json()["permissions"]["push"] is True


async def test_missing_bad_and_revoked_tokens_are_401(srv, make_token):
    r = await srv.http.get("/repos/acme/app", headers={"Authorization": ""})
    assert r.status_code == 401 and r.json()["message"] == "Requires authentication"
    for bad in ("dpd_nope", "nope", "dpd_" + "x" * 500):
        r = await srv.http.get("/repos/acme/app", headers=auth(bad))
        assert r.status_code == 401 and r.json()["message"] == "Bad credentials"
    token = await make_token("acme/app", "read")
    assert (await srv.http.get("/repos/acme/app", headers={"Authorization": f"token {token}"})).status_code == 200
    r = await srv.http.post("/dispatchd/tokens/revoke", json={"token": token})
    assert r.status_code == 204
    assert (await srv.http.get("/repos/acme/app", headers=auth(token))).status_code == 401
    assert (await srv.http.post("/dispatchd/tokens/revoke", json={"token": token})).status_code == 404
    other = await make_token("acme/app", "read")
    token_id = (await srv.http.get("/dispatchd/tokens")).json()[0]["id"]
    assert (await srv.http.delete(f"/dispatchd/tokens/{token_id}")).status_code == 204
    assert (await srv.http.get("/repos/acme/app", headers=auth(other))).status_code == 401


async def test_user_is_the_tokens_identity(srv, make_token):
    assert (await srv.http.get("/user")).json()["login"] == "dispatchd-admin"
    token = await make_token("acme/app", "dispatch", login="scanner-bot")
    r = await srv.http.get("/user", headers=auth(token))
    assert r.status_code == 200 and r.json()["login"] == "scanner-bot"
    # The token's login is the sender of what it dispatches.
    await srv.http.post("/repos/acme/app/dispatches", json={"event_type": "ping"}, headers=auth(token))
    [run] = await srv.wait_runs("acme/app", 1)
    assert run["actor"]["login"] == "scanner-bot"


async def test_create_token_validation(srv):
    for body, status in (({"repository": "acme/app", "scope": "admin"}, 422), ({"scope": "read"}, 422),
                         ({"repository": "acme/none", "scope": "read"}, 404),
                         ({"repository": "acme/app", "scope": "read", "login": 5}, 422)):
        r = await srv.http.post("/dispatchd/tokens", json=body)
        assert r.status_code == status, body
        assert r.json()["status"] == str(status)


JOB_TOKEN = """\
on:
  repository_dispatch:
    types: [use-token]
jobs:
  call:
    runs-on: ubuntu-latest
    steps:
      - name: the token works for this repository while the job runs
        env:
          TOKEN: ${{ secrets.GITHUB_TOKEN }}
        run: |
          echo "$TOKEN" > "${{ github.event.client_payload.out }}"
          code() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$@"; }
          echo "same=$(code "$GITHUB_API_URL/repos/${{ github.repository }}/actions/runs")"
          echo "other=$(code "$GITHUB_API_URL/repos/acme/other/actions/runs")"
          echo "issue=$(code -X POST -d '{"title":"from the job"}' "$GITHUB_API_URL/repos/${{ github.repository }}/issues")"
          echo "masked=$TOKEN"
"""


async def test_job_token_is_scoped_to_its_repository_and_ends_with_the_job(start_server, make_git_repo, tmp_path):
    repo = make_git_repo({".github/workflows/t.yml": JOB_TOKEN})
    other = make_git_repo({".github/workflows/t.yml": JOB_TOKEN}, path=repo.parent / "other")
    srv = await start_server([f"acme/app={repo}", f"acme/other={other}"])
    copy = tmp_path / "token-copy"
    await srv.dispatch("acme/app", "use-token", {"out": str(copy)})
    [run] = await srv.wait_runs("acme/app", 1)
    [job] = await srv.jobs("acme/app", run["id"])
    log = await srv.log("acme/app", job["id"])
    assert "same=200" in log and "other=404" in log and "issue=201" in log
    assert "masked=***" in log
    [issue] = (await srv.http.get("/repos/acme/app/issues")).json()
    assert issue["title"] == "from the job" and issue["user"]["login"] == "github-actions[bot]"
    assert issue["user"]["type"] == "Bot"
    # After the job: the token is revoked.
    token = copy.read_text().strip()
    assert token.startswith("dpd_")
    r = await srv.http.get("/repos/acme/app/actions/runs", headers=auth(token))
    assert r.status_code == 401


async def test_job_token_of_a_lost_runner_ends_when_its_lease_runs_out(start_server, make_git_repo):
    # No embedded runners: the test claims the job itself, as a remote runner would, and vanishes.
    repo = make_git_repo({".github/workflows/t.yml": JOB_TOKEN})
    srv = await start_server([f"acme/app={repo}"], runners=0)
    await srv.dispatch("acme/app", "use-token", {"out": "/dev/null"})
    db, cfg = srv.server.engine.db, srv.server.engine.planner_config
    claimed = []
    for _ in range(100):
        claimed = await db.write(queue.claim, "vanishing-runner", ("ubuntu-latest",), 30.0, 1, cfg)
        if claimed:
            break
        await asyncio.sleep(0.05)
    [assignment] = claimed
    token = assignment.contexts["secrets"]["GITHUB_TOKEN"]
    assert assignment.contexts["github"]["token"] == token and token in assignment.secrets_to_mask
    assert (await srv.http.get("/repos/acme/app/actions/runs", headers=auth(token))).status_code == 200
    stored = await db.read(lambda c: c.execute(select(jobs.c.assignment)).scalar_one())
    assert token not in json.dumps(stored)  # the stored assignment never holds the token
    await db.write(lambda c: queue.recover_expired(c, cfg, now=time.time() + 60))
    assert (await srv.http.get("/repos/acme/app/actions/runs", headers=auth(token))).status_code == 401
    [run] = await srv.wait_runs("acme/app", 1)
    assert run["conclusion"] == "failure"
