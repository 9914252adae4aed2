"""``dispatchd run --actions-dir``: repository actions from an offline folder laid out owner/repo@ref/."""

from __future__ import annotations

import json
import subprocess
import sys

WORKFLOW = """\
on: repository_dispatch
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - uses: acme/greet@v2
        with:
          who: ${{ github.event.client_payload.who }}
"""

ACTION = """\
name: greet
inputs:
  who: {required: true}
runs:
  using: composite
  steps:
    - run: echo "greetings, ${{ inputs.who }}"
      shell: bash
"""


def test_run_takes_actions_from_the_offline_folder(make_git_repo, tmp_path):
    repo = make_git_repo({".github/workflows/w.yml": WORKFLOW})
    (tmp_path / "actions" / "acme" / "greet@v2").mkdir(parents=True)
    (tmp_path / "actions" / "acme" / "greet@v2" / "action.yml").write_text(ACTION)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "hi", "client_payload": {"who": "octo"}}))
    base = [sys.executable, "-m", "dispatchd", "run", "repository_dispatch", "--event", str(event), "--repo", str(repo),
            "--json"]
    found = subprocess.run([*base, "--actions-dir", str(tmp_path / "actions")], capture_output=True, text=True,
                           timeout=120)
    assert found.returncode == 0, found.stdout + found.stderr
    assert "greetings, octo" in json.loads(found.stdout)["runs"][0]["jobs"][0]["log"]
    missing = subprocess.run(base, capture_output=True, text=True, timeout=120,
                             env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert missing.returncode == 1
    assert "Unable to resolve action 'acme/greet@v2'" in json.loads(missing.stdout)["runs"][0]["jobs"][0]["log"]
    bad = subprocess.run([*base, "--actions-dir", str(tmp_path / "nope")], capture_output=True, text=True, timeout=60)
    assert (bad.returncode, bad.stderr.strip()) == (1, f"error: --actions-dir {tmp_path / 'nope'}: no such directory")
