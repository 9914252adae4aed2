"""``dispatchd demo`` — the README's first command — as a user runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest


@pytest.mark.skipif(shutil.which("node") is None, reason="the example's issue-opening action runs with node")
def test_demo_runs_the_whole_scenario():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPATCHD_TOKEN", "DISPATCHD_SERVER", "COLUMNS")}
    proc = subprocess.run([sys.executable, "-m", "dispatchd", "demo"], capture_output=True, text=True, env=env,
                          timeout=180)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "Traceback" not in out + proc.stderr
    # The scans start on the outside scanner and end at once; the callbacks start ship and cve-found.
    assert "scan-requested (requirements-clean.txt): started .github/workflows/scan.yml #1" in out
    assert "scan-requested (requirements.txt): started .github/workflows/scan.yml #2" in out
    assert "of requirements.txt is queued (202)" in out
    assert "checked 2 packages, no known vulnerability" in out
    # requests 2.30.0 is affected by CVE-2023-32681 (GHSA-j8r2-6x86-q33q, fixed in 2.31.0).
    assert "opened issue #1: CVE-2023-32681 in requests 2.30.0" in out
    assert "issue #1 opened by a workflow: CVE-2023-32681 in requests 2.30.0 (security, MODERATE)" in out
    assert "the scanner worked that long with no runner held" in out
    assert out.rstrip().endswith("all as expected")
