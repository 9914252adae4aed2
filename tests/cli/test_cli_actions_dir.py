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


def test_run_with_nothing_to_run_fails_and_w_takes_a_bare_file_name(make_git_repo, tmp_path):
    repo = make_git_repo({".github/workflows/w.yml": WORKFLOW})
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "hi", "client_payload": {"who": "octo"}}))
    base = [sys.executable, "-m", "dispatchd", "run", "push", "--event", str(event), "--repo", str(repo)]
    nothing = subprocess.run(base, capture_output=True, text=True, timeout=120)
    assert nothing.returncode == 1
    assert "no workflow is triggered by push:" in nothing.stderr
    assert "w.yml: workflow is not triggered by push (it runs on repository_dispatch)" in nothing.stderr
    missing = subprocess.run([*base, "-W", "nope.yml"], capture_output=True, text=True, timeout=60)
    assert (missing.returncode, missing.stderr.strip()) == (1, f"error: -W nope.yml: no such workflow file or "
                                                                f"folder in {repo}")
    (tmp_path / "actions" / "acme" / "greet@v2").mkdir(parents=True)
    (tmp_path / "actions" / "acme" / "greet@v2" / "action.yml").write_text(ACTION)
    by_name = subprocess.run([sys.executable, "-m", "dispatchd", "run", "repository_dispatch", "--event", str(event),
                              "--repo", str(repo), "-W", "w.yml", "--actions-dir", str(tmp_path / "actions")],
                             capture_output=True, text=True, timeout=120)
    assert by_name.returncode == 0, by_name.stdout + by_name.stderr
    assert "greetings, octo" in by_name.stdout
