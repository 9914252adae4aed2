"""schemathesis against the served OpenAPI document: no 5xx, and no response that breaks the
document (status codes, content types, bodies), within a bounded time.

Path parameters ``owner``/``repo`` are pinned to the served repository so that requests get
past the 404 for unknown repositories and reach the routes' own logic.
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
    config = tmp_path / "schemathesis.toml"
    config.write_text('[parameters]\n"path.owner" = "acme"\n"path.repo" = "app"\n')
    cmd = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color", "run",
           f"{srv.base_url}/openapi.json", "-H", f"Authorization: Bearer {TOKEN}", "--checks", CHECKS,
           "--phases", "examples,coverage,fuzzing", "--max-time", str(BUDGET), "--workers", "1"]
    done = await asyncio.to_thread(subprocess.run, cmd, capture_output=True, text=True, timeout=BUDGET + 120,
                                   cwd=tmp_path)
    summary = done.stdout[-6000:]
    assert done.returncode == 0, summary + done.stderr[-3000:]
    assert " passed" in summary and "failed" not in summary.split("SUMMARY", 1)[-1]
