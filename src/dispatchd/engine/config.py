"""What the planner needs to know about the server it plans for, and how job rows keep secrets."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..runner.protocol import JobAssignment
from .labels import DEFAULT_RUNNER_LABELS


@dataclass
class PlannerConfig:
    """What the planner needs to know about this server.

    ``workspace_root``: where job workspaces are made (``<root>/<run_id>/<job_id>``);
    ``fixed_workspace``: one-shot mode runs in the repository's working tree instead (as act does).
    ``runner_labels``: label patterns of the runners that exist, for the "no runner" message.
    ``secrets_for``: ``(conn, repository id) → {name: value}``, the job's ``secrets``.
    ``extra_env``: variables every job gets below the workflow's own ``env`` (``dispatchd run --env``).
    ``skip_unrunnable``: a job whose ``runs-on`` no runner has is skipped with the reason, instead of
    waiting for such a runner as GitHub does: in a one-shot run no runner will ever appear (act
    skips such jobs too).
    """

    workspace_root: str
    fixed_workspace: str | None = None
    runner_labels: tuple[str, ...] = DEFAULT_RUNNER_LABELS
    secrets_for: Any = None
    extra_env: dict[str, str] = field(default_factory=dict)
    skip_unrunnable: bool = False
    #: False in one-shot runs: nothing can resume a wait there, so a wait fails at once.
    accepts_dispatches: bool = True
    repository_paths: dict[int, str] = field(default_factory=dict)
    #: ``(repository id, sha, path) -> text | None``: files of the run's commit (reusable workflows).
    read_file: Any = None
    #: One-shot ``--matrix key:value``: only legs whose ``key`` is one of the values run (act's flag).
    matrix_filter: dict[str, list[str]] = field(default_factory=dict)
    #: Encrypt/decrypt text stored in the database (secrets in job rows are kept sealed until a
    #: runner claims the job). Identity when there is no key (one-shot runs, a throwaway database).
    seal: Any = None
    unseal: Any = None
    #: The repository's default ``GITHUB_TOKEN`` permissions where a workflow sets none (GitHub's
    #: "Workflow permissions" setting): ``"Write"`` (read and write) or ``"LimitedRead"``.
    token_policy: str = "Write"

    def seal_secrets(self, secrets: dict[str, str]) -> dict[str, str]:
        text = json.dumps(secrets)
        return {SEALED: self.seal(text) if self.seal else text}

    def open_secrets(self, stored: dict[str, Any] | None) -> dict[str, str]:
        stored = stored or {}
        if SEALED not in stored:
            return {k: str(v) for k, v in stored.items()}
        text = self.unseal(stored[SEALED]) if self.unseal else stored[SEALED]
        return dict(json.loads(text)) if text else {}


#: The key under which a job row keeps its secrets sealed.
SEALED = "__sealed__"


def open_assignment_secrets(assignment: JobAssignment, cfg: PlannerConfig) -> None:
    """At claim time: the job's secrets, unsealed into its contexts and mask list."""
    secrets = cfg.open_secrets(assignment.contexts.get("secrets"))
    assignment.contexts["secrets"] = secrets
    assignment.secrets_to_mask = [*assignment.secrets_to_mask, *(v for v in secrets.values() if v)]
