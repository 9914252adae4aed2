"""Octokit (``@octokit/rest`` from npm), run with node against a real dispatchd server.

The test is skipped only when node or the package is missing (``npm ci`` installs it from
the repository's package.json).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from fixtures_server import TOKEN

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("test_octokit_calls.mjs")

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "@octokit" / "rest").is_dir(),
    reason="node or @octokit/rest (npm ci) is not installed")

PING = """\
on:
  repository_dispatch:
    types: [ping]
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - run: echo "pong ${{ github.event.client_payload.n }}"
"""

MANUAL = """\
name: manual
on:
  workflow_dispatch:
    inputs:
      cve:
        required: true
jobs:
  show:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ inputs.cve }}"
"""


async def test_octokit_calls(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/ping.yml": PING, ".github/workflows/manual.yml": MANUAL})
    srv = await start_server([f"acme/app={repo}"])
    done = await asyncio.to_thread(subprocess.run, ["node", str(SCRIPT), srv.base_url, TOKEN], cwd=ROOT,
                                   capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out == {
        "full_name": "acme/app",
        "dispatch_status": 204,
        "workflow_dispatch_status": 204,
        "runs": [["repository_dispatch", "success"], ["workflow_dispatch", "success"]],
        "jobs": [["one", "success"]],
        "log_has_pong": True,
        "workflows": [".github/workflows/manual.yml", ".github/workflows/ping.yml"],
        "issue_number": 1,
        "paginated": [5, 4, 3, 2, 1],
        "closed": ["closed", 1],
        "missing": [404, "Not Found"],
        "invalid": [422, "Invalid request.\n\nevent_type can't be blank."],
    }
