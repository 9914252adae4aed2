"""``dispatchd token create|revoke`` and ``dispatchd webhook ...`` against a real server, as a
user runs them (a subprocess with DISPATCHD_SERVER and DISPATCHD_TOKEN)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from api_support import auth
from fixtures_server import TOKEN


async def cli(srv, *args: str, token: str = TOKEN) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DISPATCHD_SERVER": srv.base_url, "DISPATCHD_TOKEN": token}
    return await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "dispatchd", *args], env=env,
                                   capture_output=True, text=True, timeout=60)


async def test_token_create_prints_the_token_alone_and_revoke_ends_it(srv):
    done = await cli(srv, "token", "create", "acme/app", "--scope", "dispatch")
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert done.stdout == token + "\n" and token.startswith("dpd_")
    r = await srv.http.post("/repos/acme/app/dispatches", json={"event_type": "ping"}, headers=auth(token))
    assert r.status_code == 204
    # A dispatch token may not make tokens.
    denied = await cli(srv, "token", "create", "acme/app", "--scope", "write", token=token)
    assert denied.returncode == 1 and "Resource not accessible by personal access token" in denied.stderr
    assert (await cli(srv, "token", "revoke", token)).returncode == 0
    assert (await srv.http.get("/repos/acme/app", headers=auth(token))).status_code == 401
    again = await cli(srv, "token", "revoke", token)
    assert again.returncode == 1 and "no such live token" in again.stderr
    bad = await cli(srv, "token", "create", "acme/app", "--scope", "admin")
    assert bad.returncode != 0


async def test_webhook_commands(srv):
    added = await cli(srv, "webhook", "add", "acme/app", "http://127.0.0.1:9/hook", "--secret", "s",
                      "--event", "workflow_run")
    assert added.returncode == 0, added.stderr
    hook_id = int(added.stdout.strip())
    listed = await cli(srv, "webhook", "list", "acme/app")
    assert "http://127.0.0.1:9/hook" in listed.stdout and "workflow_run" in listed.stdout
    hook = (await srv.http.get(f"/repos/acme/app/hooks/{hook_id}")).json()
    assert hook["events"] == ["workflow_run"] and hook["config"]["secret"] == "********"
    assert (await cli(srv, "webhook", "remove", "acme/app", str(hook_id))).returncode == 0
    assert (await srv.http.get(f"/repos/acme/app/hooks/{hook_id}")).status_code == 404
