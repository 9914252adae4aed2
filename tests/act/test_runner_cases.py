"""nektos/act's runner fixtures, run with `dispatchd run`'s engine (no Docker, no network).

The table is act's own (conformance/act/runner-cases.json, transcribed from act's Go tests):
each row names a folder or file of workflows under act's testdata, the event, and whether act
expects the run to succeed. Like act, the workspace is the testdata folder itself (copied, since
some workflows write into it) and `event.json` in the folder is the event when present.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from shared_data import CONFORMANCE
from dotenv import dotenv_values

from dispatchd.oneshot import run_once

ACT = CONFORMANCE / "act"
ROWS = [r for r in json.loads((ACT / "runner-cases.json").read_text())
        if r["runnable_without_docker_or_network"] and not r.get("act_disabled")]

#: Where dispatchd follows GitHub and GitHub's outcome differs from act's table: row id → (outcome, why).
GITHUB_DIFFERS: dict[str, tuple[str, str]] = {
    "docker:defaults-run:push": (
        "failure",
        "the steps check `echo $SHELL | grep -v bash`: act's node container sets no SHELL, but a job on a "
        "host runner (GitHub's Ubuntu runners included) inherits the runner's SHELL=/bin/bash; act disables "
        "its own host-mode row of this fixture for the same reason"),
    "docker:workflow_call_inputs:workflow_call": (
        "failure",
        "its on.workflow_call.inputs omit `type`, which GitHub's workflow schema requires "
        "(\"Required property is missing: type\"): GitHub rejects the file, act does not check it"),
}


def row_id(r: dict[str, Any]) -> str:
    return f"{r['variant']}:{r['path']}:{r['event']}"


@pytest.fixture(scope="module")
def workdirs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of act's testdata folders (rows name theirs in ``workdir``)."""
    root = tmp_path_factory.mktemp("act")
    for name in {r["workdir"] for r in ROWS}:
        shutil.copytree(ACT / name, root / name, symlinks=True)
    return root


def _event(workdir: Path, row: dict[str, Any]) -> dict[str, Any]:
    config = row.get("config") or {}
    path = workdir / row["path"]
    candidates = [workdir / config["event_path"]] if config.get("event_path") else []
    candidates.append((path if path.is_dir() else path.parent) / "event.json")
    for candidate in candidates:
        if candidate.is_file():
            return json.loads(candidate.read_text())
    event: dict[str, Any] = {}
    if config.get("inputs"):
        event["inputs"] = dict(config["inputs"])
    return event


def _dotenv(path: Path) -> dict[str, str]:
    # act reads these with godotenv: double-quoted values expand \n, as python-dotenv does.
    return {k: v or "" for k, v in dotenv_values(path).items()}


@pytest.mark.parametrize("row", ROWS, ids=[row_id(r) for r in ROWS])
def test_act_runner_case(row: dict[str, Any], workdirs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The rows assume a host runner as GitHub's: its service environment has SHELL=/bin/bash. A CI
    # shell may have none, and defaults-run's `echo $SHELL | grep -v bash` would then pass.
    monkeypatch.setenv("SHELL", "/bin/bash")
    workdir = workdirs / row["workdir"]
    config = row.get("config") or {}
    secrets = dict(row.get("secrets") or {})
    if config.get("secrets_file"):
        secrets.update(_dotenv(workdir / config["secrets_file"]))
    env = {"ACT": "true"}  # act marks its runs so; several fixtures branch on env.ACT
    if config.get("env_file"):
        env.update(_dotenv(workdir / config["env_file"]))
    # act's harness runs inside its own repository: nektos/act, with that as the actor.
    matrix = {k: [str(v) for v in vs] for k, vs in (config.get("matrix_filter") or {}).items()}
    result = asyncio.run(run_once(row["event"], _event(workdir, row), workdir, workflow_file=row["path"],
                                  secrets=secrets, timeout=120, owner_name=("nektos", "act"), actor="nektos/act",
                                  env=env, matrix=matrix))
    expected = GITHUB_DIFFERS.get(row_id(row), (row["expect"], ""))[0]
    triggered = [w for w in row["workflows"] if w.get("triggered")]
    summary = [(r["workflow"], r["conclusion"], r.get("error"),
                [(j["name"], j["conclusion"], j["log"][-1500:]) for j in r["jobs"] if j["conclusion"] != "success"])
               for r in result.runs]
    assert len(result.runs) == len(triggered), (result.decisions, summary)
    outcome = "success" if result.ok else "failure"
    assert outcome == expected, summary
