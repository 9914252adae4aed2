"""schemathesis against the served OpenAPI document: no 5xx, and no response that breaks the
document (status codes, content types, bodies), within a bounded time.

Path parameters are pinned to a served repository and to real runs, jobs, issues and hooks, so
that requests get past the 404s and responses carrying those objects are checked too.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from fixtures_server import TOKEN

#: Seconds schemathesis may spend in all (its --max-time); the whole test stays near a minute.
BUDGET = 50
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


async def test_no_5xx_and_no_response_breaking_the_schema(srv, tmp_path: Path):
    # Real objects first, so that responses with runs, jobs, issues and hooks are checked too.
    await srv.dispatch("acme/app", "flaky")
    r = await srv.http.post("/repos/acme/app/actions/workflows/manual.yml/dispatches",
                            json={"ref": "main", "inputs": {"cve": "c"}})
    assert r.status_code == 204
    runs = await srv.wait_runs("acme/app", 2)
    flaky = next(x for x in runs if x["name"] == "flaky")
    job = (await srv.jobs("acme/app", flaky["id"]))[0]
    issue = (await srv.http.post("/repos/acme/app/issues", json={"title": "t", "labels": ["x"]})).json()
    await srv.http.post(f"/repos/acme/app/issues/{issue['number']}/comments", json={"body": "b"})
    hook = (await srv.http.post("/repos/acme/app/hooks", json={"config": {"url": "http://127.0.0.1:9/x"}})).json()
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "[parameters]\n"
        '"path.owner" = "acme"\n"path.repo" = "app"\n'
        f'"path.run_id" = {flaky["id"]}\n"path.job_id" = {job["id"]}\n"path.attempt_number" = 1\n'
        f'"path.issue_number" = {issue["number"]}\n"path.hook_id" = {hook["id"]}\n'
        '"path.workflow_id" = "manual.yml"\n')
    # Deleting the objects above early would leave the rest of the run with 404s; deletes have
    # their own tests.
    cmd = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color", "run",
           f"{srv.base_url}/openapi.json", "-H", f"Authorization: Bearer {TOKEN}", "--checks", CHECKS,
           "--phases", "examples,coverage,fuzzing", "--max-time", str(BUDGET), "--workers", "1",
           "--exclude-method", "DELETE"]
    done = await asyncio.to_thread(subprocess.run, cmd, capture_output=True, text=True, timeout=BUDGET + 120,
                                   cwd=tmp_path)
    summary = done.stdout[-6000:]
    assert done.returncode == 0, summary + done.stderr[-3000:]
    # Failures are listed under "Failures:"; warnings (e.g. "Authentication failed: an operation
    # returned only 401/403", which random data can provoke) are not failures of these checks.
    tail = summary.split("SUMMARY", 1)[-1]
    assert " passed" in summary and "Failures:" not in tail, summary
