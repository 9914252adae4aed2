"""Fixtures for runner tests: an assignment factory and a helper that runs a job."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from dispatchd.runner import JobAssignment, JobResult, run_job

from .reporter import MemoryReporter

SHA = "0123456789abcdef0123456789abcdef01234567"
#: The shared conformance data (beside the checkout unless DISPATCHD_SHARED says otherwise). Defined
#: here because a bare ``from shared_data import`` may find another folder's conftest first.
SHARED = Path(
    os.environ.get("DISPATCHD_SHARED", Path(__file__).resolve().parents[2].parent / "shared")
).resolve()
CONFORMANCE = SHARED / "conformance"


def github_context(workspace: str, **extra: Any) -> dict[str, Any]:
    event = {"action": "cve-found", "client_payload": {"cve": "CVE-2023-32681", "n": 3}}
    ctx = {
        "server_url": "http://127.0.0.1:8080",
        "api_url": "http://127.0.0.1:8080/api/v3",
        "repository": "acme/scanner",
        "sha": SHA,
        "ref": "refs/heads/main",
        "event": event,
        "event_name": "repository_dispatch",
        "run_id": "42",
        "run_number": "7",
        "run_attempt": "1",
        "actor": "octocat",
        "workspace": workspace,
        "token": "ghs_supersecrettoken123",
        "workflow": "scan",
    }
    ctx.update(extra)
    return ctx


@pytest.fixture
def make_assignment(tmp_path: Path):
    def make(steps: list[dict[str, Any]], **kwargs: Any) -> JobAssignment:
        workspace = str(tmp_path / "work" / "scanner" / "scanner")
        contexts = kwargs.pop("contexts", {})
        github_extra = kwargs.pop("github", {})
        base_contexts: dict[str, Any] = {
            "github": github_context(workspace, **github_extra),
            "env": {},
            "vars": {},
            "secrets": {},
            "inputs": {},
            "needs": {},
            "matrix": {},
            "strategy": {},
            "job": {},
        }
        base_contexts.update(contexts)
        values: dict[str, Any] = {
            "job_id": 1,
            "run_id": 42,
            "run_number": 7,
            "run_attempt": 1,
            "job_key": "build",
            "name": "build",
            "workflow_path": ".github/workflows/scan.yml",
            "repository_path": str(tmp_path / "repo"),
            "workspace": workspace,
            "contexts": base_contexts,
            "steps": steps,
        }
        values.update(kwargs)
        return JobAssignment(**values)

    return make


@pytest.fixture
def run(make_assignment):
    """``await run(steps, **assignment_fields)`` → (JobResult, MemoryReporter)."""

    async def go(
        steps: list[dict[str, Any]],
        reporter: MemoryReporter | None = None,
        env_base: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> tuple[JobResult, MemoryReporter]:
        reporter = reporter or MemoryReporter()
        base = dict(os.environ) if env_base is None else env_base
        base.pop("CI", None)
        actions_dir = kwargs.pop("actions_dir", None)
        result = await run_job(
            make_assignment(steps, **kwargs), reporter, env_base=base, actions_dir=actions_dir
        )
        return result, reporter

    return go
