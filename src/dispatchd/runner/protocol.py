"""The contract between the engine (which decides what runs) and a runner (which runs one job).

The engine hands a runner a :class:`JobAssignment` — plain JSON-able data, so the same shape
travels in-process today and over HTTP (``dispatchd runner --server URL``) later, the way
GitHub's runner receives a job message. The runner reports through a :class:`JobReporter` and
returns a :class:`JobResult`.

Who evaluates what (GitHub's order, see reference/workflow-syntax.md §9):

* the engine, when the job becomes ready: ``if``, ``runs-on``, ``strategy`` (matrix expansion),
  ``timeout-minutes``, ``continue-on-error``, ``concurrency``, the job ``name``;
* the runner, inside the job: job ``env`` and ``defaults``, every step key just before that step
  (``if``, ``name``, ``env``, ``with``, ``run``, ``shell``, ``working-directory``,
  ``timeout-minutes``, ``continue-on-error``), and the job ``outputs`` at the end of the job.

Values that may still hold ``${{ }}`` are left exactly as they were read from YAML (``str``,
``int``, ``float``, ``bool``, ``None``, ``list``, ``dict``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

#: GitHub's step and job conclusions (REST API values).
CONCLUSIONS = ("success", "failure", "cancelled", "skipped", "timed_out")


@dataclass
class JobAssignment:
    """One job to run, as the engine hands it to a runner.

    Attributes:
        job_id: the job's database id (``GITHUB_JOB`` is ``job_key``, not this).
        run_id, run_number, run_attempt: the workflow run's identity (``GITHUB_RUN_*``).
        job_key: the job id in the workflow file (``jobs.<job_key>``).
        name: the display name, already evaluated (``build (3.11, ubuntu)`` for a matrix leg).
        workflow_path: ``.github/workflows/x.yml`` — used in messages and ``github.workflow_ref``.
        repository_path: absolute path of the local git repository (for checkout and ``./`` actions).
        workspace: absolute path of the job's workspace directory (``GITHUB_WORKSPACE``); the runner
            creates it if missing. In one-shot mode it may be the working tree itself.
        contexts: ``github``, ``env`` (workflow-level, already evaluated), ``vars``, ``secrets``,
            ``inputs``, ``needs`` (``{job: {"result": str, "outputs": {str: str}}}``), ``matrix``,
            ``strategy``, ``job`` — everything the job's expressions may read except ``steps``,
            ``runner`` and the job env, which the runner adds.
        env: the job-level ``env`` mapping, unevaluated.
        defaults: the merged ``defaults.run`` mapping (workflow < job), unevaluated:
            ``{"shell": ..., "working-directory": ...}`` (keys optional).
        steps: the job's ``steps`` list as read from YAML, unevaluated; each item is a mapping with
            GitHub's keys (``id``, ``name``, ``if``, ``run``, ``shell``, ``uses``, ``with``, ``env``,
            ``working-directory``, ``continue-on-error``, ``timeout-minutes``).
        outputs: the job's ``outputs`` mapping (name → template), evaluated at the end of the job.
        timeout_minutes: the job timeout, already evaluated (GitHub default 360).
        secrets_to_mask: values the runner masks from the first line (secrets, the job token).
        debug: step debug logging (``RUNNER_DEBUG=1``), set when a run is re-run with debug.
    """

    job_id: int
    run_id: int
    run_number: int
    run_attempt: int
    job_key: str
    name: str
    workflow_path: str
    repository_path: str
    workspace: str
    contexts: dict[str, Any]
    env: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    timeout_minutes: float = 360.0
    secrets_to_mask: list[str] = field(default_factory=list)
    debug: bool = False
    #: A job suspended by ``dispatchd/wait-for-dispatch`` continues here: ``{"next_step": n,
    #: "state": <what the runner saved>, "wait_outcome": {"outcome": "success"|"failure",
    #: "outputs": {...}, "message": str}}`` — the wait step's result, given by the engine.
    resume: dict[str, Any] | None = None
    #: ``dispatchd/callback-url``: a signed, single-use URL that resumes this job's wait.
    callback_url: str | None = None
    #: The job's ``GITHUB_TOKEN`` permissions (``Grant.to_json()``): its ``permissions``, else its
    #: workflow's (or its caller's), else the repository default. The token is minted with them.
    permissions: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobAssignment:
        return cls(**data)


@dataclass
class StepResult:
    """What one step ended with (GitHub: ``steps.<id>.outcome`` before ``continue-on-error`` is
    applied, ``conclusion`` after)."""

    number: int
    name: str
    id: str | None
    conclusion: str
    outcome: str
    outputs: dict[str, str] = field(default_factory=dict)
    started_at: float | None = None
    completed_at: float | None = None


@dataclass
class JobResult:
    """The job's end. ``conclusion`` is one of :data:`CONCLUSIONS`; ``outputs`` are the evaluated
    job ``outputs`` (strings; a value that masking would hide is dropped as GitHub does).

    ``annotations`` are the job's ``::error``/``::warning``/``::notice`` annotations and the
    runner's own errors, in GitHub's check-run shape (``annotation_level`` ``failure``/``warning``/
    ``notice``, ``message``, ``title``, ``path``, ``start_line``, ``end_line``, ``start_column``,
    ``end_column``) plus ``step_number``. ``summary`` is the job summary: the step summaries
    (``$GITHUB_STEP_SUMMARY``, masked) joined in step order."""

    conclusion: str
    outputs: dict[str, str] = field(default_factory=dict)
    steps: list[StepResult] = field(default_factory=list)
    error: str | None = None
    annotations: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""
    #: With conclusion ``waiting``: the job stopped at a ``dispatchd/wait-for-dispatch`` step and
    #: holds no process: ``{"step_number", "wait": {"event_type", "match", "timeout_minutes",
    #: "contexts"}, "state": <opaque runner state>}``. The engine resumes it with ``resume``.
    suspended: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "conclusion": self.conclusion,
            "outputs": self.outputs,
            "steps": [dict(s.__dict__) for s in self.steps],
            "error": self.error,
            "annotations": self.annotations,
            "summary": self.summary,
            "suspended": self.suspended,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobResult:
        return cls(
            conclusion=data["conclusion"],
            outputs=dict(data.get("outputs") or {}),
            steps=[StepResult(**s) for s in data.get("steps") or []],
            error=data.get("error"),
            annotations=list(data.get("annotations") or []),
            summary=data.get("summary") or "",
            suspended=data.get("suspended"),
        )


class JobReporter(Protocol):
    """How a running job talks back. The in-process pool writes to the store; an HTTP runner
    sends the same calls to the server. Every method may be called from the job's event loop.

    Log lines are already masked and carry no timestamp; the reporter adds GitHub's
    ``2024-01-01T00:00:00.0000000Z`` prefix when it stores them.
    """

    async def log(self, lines: list[str]) -> None: ...

    async def step_started(self, number: int, name: str) -> None: ...

    async def step_completed(self, result: StepResult) -> None: ...

    def cancel_requested(self) -> bool:
        """True once the run was cancelled; the runner then kills the current step's process
        group and ends the job ``cancelled``."""
        ...
