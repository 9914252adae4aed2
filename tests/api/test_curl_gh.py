"""curl and GitHub's own CLI (``gh api``) with a full ``http://127.0.0.1:PORT/...`` URL.

gh sends a token to a host that is not github.com from ``GH_ENTERPRISE_TOKEN`` (with
``GH_HOST`` naming that host); the test skips when gh is not installed.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess

import pytest
from fixtures_server import TOKEN


async def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(subprocess.run, list(args), capture_output=True, text=True, timeout=60,
                                   env={**os.environ, **(env or {})})


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
async def test_curl_dispatch_runs_issue_and_logs(srv):
    base = srv.base_url
    headers = ["-H", f"Authorization: Bearer {TOKEN}", "-H", "Accept: application/vnd.github+json",
               "-H", "X-GitHub-Api-Version: 2022-11-28"]
    done = await run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", *headers,
                     f"{base}/repos/acme/app/dispatches", "-d", '{"event_type":"ping","client_payload":{"n":"curl"}}')
    assert done.stdout == "204", done.stderr
    await srv.wait_runs("acme/app", 1)
    done = await run("curl", "-sS", "-D", "-", *headers, f"{base}/repos/acme/app/actions/runs?per_page=1")
    head, _, body = done.stdout.replace("\r\n", "\n").partition("\n\n")
    assert head.startswith("HTTP/1.1 200") and "x-github-request-id:" in head.lower()
    [run_] = json.loads(body)["workflow_runs"]
    assert run_["conclusion"] == "success"
    done = await run("curl", "-sS", "-L", *headers, f"{base}/repos/acme/app/actions/runs/{run_['id']}/jobs")
    job = json.loads(done.stdout)["jobs"][0]
    done = await run("curl", "-sS", "-L", *headers, f"{base}/repos/acme/app/actions/jobs/{job['id']}/logs")
    assert "pong curl" in done.stdout
    done = await run("curl", "-sS", "-w", "\n%{http_code}", *headers, f"{base}/repos/acme/app/issues",
                     "-d", '{"title":"from curl","labels":["x"]}')
    body, _, code = done.stdout.rpartition("\n")
    assert code == "201" and json.loads(body)["number"] == 1
    done = await run("curl", "-sS", "-w", "\n%{http_code}", f"{base}/repos/acme/app/issues")
    body, _, code = done.stdout.rpartition("\n")
    assert code == "401" and json.loads(body)["message"] == "Requires authentication"


@pytest.mark.skipif(shutil.which("gh") is None, reason="gh (GitHub CLI) is not installed")
async def test_gh_api_with_a_full_url(srv, tmp_path):
    host = srv.base_url.removeprefix("http://")
    env = {"GH_ENTERPRISE_TOKEN": TOKEN, "GH_HOST": host, "GH_CONFIG_DIR": str(tmp_path / "gh"),
           "GH_PROMPT_DISABLED": "1", "GH_NO_UPDATE_NOTIFIER": "1", "NO_COLOR": "1"}
    base = srv.base_url
    done = await run("gh", "api", f"{base}/repos/acme/app", "--jq", ".full_name", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "acme/app"
    done = await run("gh", "api", "--method", "POST", f"{base}/repos/acme/app/dispatches",
                     "-f", "event_type=ping", "-F", "client_payload[n]=7", env=env)
    assert done.returncode == 0, done.stderr
    await srv.wait_runs("acme/app", 1)
    done = await run("gh", "api", f"{base}/repos/acme/app/actions/runs",
                     "--jq", ".workflow_runs[0] | [.event, .conclusion] | join(\" \")", env=env)
    assert done.stdout.strip() == "repository_dispatch success"
    done = await run("gh", "api", "--method", "POST", f"{base}/repos/acme/app/actions/workflows/manual.yml/dispatches",
                     "-f", "ref=main", "-f", "inputs[cve]=CVE-1", "-F", "return_run_details=true", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["workflow_run_id"] > 0
    done = await run("gh", "api", f"{base}/repos/acme/app/issues", "-f", "title=from gh", "--jq", ".number", env=env)
    assert done.stdout.strip() == "1"
    # Errors come back as gh prints GitHub's: the message and the status.
    done = await run("gh", "api", f"{base}/repos/acme/nothing", env=env)
    assert done.returncode != 0 and "Not Found (HTTP 404)" in done.stderr
    done = await run("gh", "api", "--method", "POST", f"{base}/repos/acme/app/dispatches", "-F", "event_type=5",
                     env=env)
    assert done.returncode != 0 and "HTTP 422" in done.stderr
