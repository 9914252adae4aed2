"""What a running job knows between its steps (contexts, env layers, status, masks, the log) and
what one step knows while it runs.

One :class:`JobState` is built by :mod:`dispatchd.runner.job` and handed to every step kind
(``run`` scripts, ``uses`` actions), so a new step kind needs nothing but this object.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dispatchd.runner import file_commands
from dispatchd.runner.env import step_environment
from dispatchd.runner.evaluation import condition, to_string
from dispatchd.runner.file_commands import StepFiles
from dispatchd.runner.masking import SecretMasker
from dispatchd.runner.protocol import JobAssignment, JobReporter, StepResult
from dispatchd.runner.workflow_commands import CommandProcessor, make_annotation


class JobLog:
    """Masks lines and hands them to the reporter in batches.

    Lines are masked when written, with the masks known at that moment (GitHub does the same:
    masks are not retroactive). :meth:`flush` sends what is buffered as one ``reporter.log`` call.
    """

    def __init__(self, reporter: JobReporter, masker: SecretMasker) -> None:
        self.reporter = reporter
        self.masker = masker
        self._buffer: list[str] = []

    def write(self, *lines: str) -> None:
        self.write_lines(lines)

    def write_lines(self, lines: Any) -> None:
        masker = self.masker
        if masker:
            self._buffer.extend(masker.mask(line) for line in lines)
        else:
            self._buffer.extend(lines)

    def error(self, message: str) -> None:
        """``##[error]message`` (a multi-line message continues on plain lines)."""
        first, *rest = message.split("\n")
        self.write(f"##[error]{first}", *rest)

    async def flush(self) -> None:
        if self._buffer:
            lines, self._buffer = self._buffer, []
            await self.reporter.log(lines)


@dataclass
class JobState:
    """The job as its steps see it.

    Attributes:
        contexts: the expression contexts (``github``, ``env``, ``job``, ``runner``, ``steps``…);
            ``env`` always holds the current user env (workflow < job < ``$GITHUB_ENV``).
        global_env: ``$GITHUB_ENV`` values set so far (GitHub's ``Global.EnvironmentVariables``).
        job_env: workflow env merged with the evaluated job env.
        prepend_path: ``$GITHUB_PATH`` entries, oldest first.
        status: ``success``, ``failure`` or ``cancelled`` — what status functions test.
        defaults: the job-wide default variables (``GITHUB_*`` that do not change per step).
        base_env: the runner's own environment for step processes.
        temp: ``RUNNER_TEMP``; scratch: where step scripts are written (tmpfs when available,
            else ``RUNNER_TEMP``); file_commands_dir: where the per-step files live.
        annotations: every annotation of the job, in order, each with a ``step_number``.
        summaries: the step summaries (masked), in step order.
        states: action instance (step id) → ``$GITHUB_STATE``/``save-state`` values, which its
            later stages (post) receive as ``STATE_<name>``.
        post_steps: post stages registered by actions, run after the last step in reverse order.
        action_roots: folders searched for ``owner/repo@ref`` actions (offline folder, cache).
        pgids: process groups of steps that left processes running (cleaned up at job end).
        tracking_id: the job's ``RUNNER_TRACKING_ID``, which marks every process it starts.
    """

    assignment: JobAssignment
    reporter: JobReporter
    masker: SecretMasker
    log: JobLog
    contexts: dict[str, Any]
    job_env: dict[str, str]
    base_env: dict[str, str]
    defaults: dict[str, str]
    workspace: str
    temp: str
    file_commands_dir: str
    scratch: str = ""
    run_defaults: dict[str, Any] = field(default_factory=dict)
    global_env: dict[str, str] = field(default_factory=dict)
    prepend_path: list[str] = field(default_factory=list)
    status: str = "success"
    deadline: float | None = None
    timed_out: bool = False
    results: list[StepResult] = field(default_factory=list)
    annotations: list[dict[str, Any]] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    states: dict[str, dict[str, str]] = field(default_factory=dict)
    post_steps: list[Any] = field(default_factory=list)
    action_roots: list[str] = field(default_factory=list)
    pgids: list[int] = field(default_factory=list)
    #: Set by ``dispatchd/wait-for-dispatch`` when the job suspends: ``{"step_number", "wait"}``.
    suspend: dict[str, Any] | None = None
    #: A resumed job: the wait step's number and the outcome the engine gives it.
    resume_step: int | None = None
    resume_outcome: dict[str, Any] | None = None
    spare_files: StepFiles | None = None
    stale_files: list[StepFiles] = field(default_factory=list)
    stale_paths: list[str] = field(default_factory=list)
    debug: bool = False
    tracking_id: str = ""

    def user_env(self) -> dict[str, str]:
        """workflow < job < ``$GITHUB_ENV`` (the ``env`` context before a step's own env)."""
        if not self.global_env:
            return self.job_env
        return {**self.job_env, **self.global_env}

    def cancel_requested(self) -> bool:
        """True once the run was cancelled or the job passed its ``timeout-minutes``.

        The first call after the deadline times the job out (:meth:`time_out`): GitHub cancels
        a job that exceeds its time, so it is then handled like any cancellation: the running
        step is killed unless its ``if`` still holds under ``cancelled()`` (``always()``),
        later steps run only if theirs does, and the job concludes ``cancelled``.
        """
        if self.status == "cancelled" or self.reporter.cancel_requested():
            return True
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.time_out()
            return True
        return False

    def time_out(self) -> None:
        """The job exceeded ``timeout-minutes``: it is cancelled from now on, with GitHub's
        job-level annotation ``The job has exceeded the maximum execution time of 5m0s`` (the
        limit as a Go duration). The message is an annotation of the job, not a log line: the
        step that was running logs ``The operation was canceled.``"""
        self.timed_out = True
        self.status = "cancelled"
        self.deadline = None
        self.annotate(make_annotation("error", self.timeout_message()), None)

    def timeout_message(self) -> str:
        minutes = float(self.assignment.timeout_minutes)
        return f"The job has exceeded the maximum execution time of {go_duration(minutes * 60.0)}"

    def take_step_files(self) -> StepFiles:
        """Empty file-command files for the step about to run: the previous step's when it left
        them untouched, else new ones. GitHub creates new files for every step; reusing empty
        ones is indistinguishable to a step except for the name, and saves five file creations
        per step (see :meth:`release_step_files`)."""
        files = self.spare_files or file_commands.prepare(self.file_commands_dir)
        self.spare_files = None
        return files

    def release_step_files(self, files: StepFiles, untouched: bool) -> None:
        """After the step: untouched files are kept for the next step, used ones are deleted
        while the next step's process runs (:meth:`while_step_runs`)."""
        if untouched:
            self.spare_files = files
        else:
            self.stale_files.append(files)

    def while_step_runs(self) -> None:
        """Housekeeping done while a step's process runs, so that its cost overlaps the child's
        run: delete the used file-command files and scripts of earlier steps."""
        for files in self.stale_files:
            file_commands.remove(files)
        self.stale_files.clear()
        for path in self.stale_paths:
            try:
                os.unlink(path)
            except OSError:
                pass
        self.stale_paths.clear()

    def annotate(self, annotation: dict[str, Any], step_number: int | None) -> None:
        self.annotations.append({**annotation, "step_number": step_number})

    def track(self, pgid: int) -> None:
        """Remember a step's process group if something in it still runs after the step."""
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        self.pgids.append(pgid)

    def kill_leftovers(self) -> None:
        """Kill what steps left running in the background (GitHub: "Cleaning up orphan processes").

        As GitHub's runner does, the processes are found by the ``RUNNER_TRACKING_ID`` value in
        their environment, not by group id alone: a group id whose processes all ended may since
        belong to an unrelated program. The scan of ``/proc`` runs only when a step's group
        outlived its step, so jobs that leave nothing behind pay nothing.
        """
        alive = []
        for pgid in self.pgids:
            try:
                os.killpg(pgid, 0)
                alive.append(pgid)
            except (ProcessLookupError, PermissionError):
                pass
        self.pgids.clear()
        if not alive:
            return
        marker = f"RUNNER_TRACKING_ID={self.tracking_id}".encode() + b"\0"
        try:
            entries = os.listdir("/proc")
        except OSError:
            return
        for entry in entries:
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry}/environ", "rb") as handle:
                    environ = handle.read()
            except OSError:
                continue
            if marker in environ or environ.endswith(marker[:-1]):
                try:
                    os.kill(int(entry), signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass


@dataclass
class StepRun:
    """One step while it runs: its evaluated keys and its per-step machinery.

    Attributes:
        number: 1-based position in the job (also used in annotations).
        raw: the step mapping as read from YAML.
        id: the explicit ``id`` or the generated one (``__run``, ``__actions_checkout_2``), which is
            also ``GITHUB_ACTION``; explicit_id: only those steps keep outputs.
        display_name: the evaluated ``name`` or GitHub's default.
        env: the user env of the process (workflow < job < ``$GITHUB_ENV`` < step).
        contexts: the contexts for this step's keys (``env`` includes the step env).
        timeout: seconds (the step's ``timeout-minutes``; the job's own limit acts through
            cancellation, see :meth:`JobState.cancel_requested`).
        timeout_minutes: the value shown in GitHub's timeout message.
        per_step_env: ``GITHUB_ACTION`` and the file-command paths.
    """

    number: int
    raw: dict[str, Any]
    id: str
    explicit_id: bool
    display_name: str
    env: dict[str, str]
    contexts: dict[str, Any]
    processor: CommandProcessor
    files: StepFiles
    per_step_env: dict[str, str]
    timeout: float | None = None
    timeout_minutes: float | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    keep_running_when_cancelled: bool | None = None
    #: The steps.Scope the step runs in, the status its status functions see, and the key of its
    #: action instance's saved state (set by steps.run_step).
    scope: Any = None
    status: str = "success"
    state_key: str = ""

    def process_env(self, job: JobState, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The full environment for this step's process (runner-protocol.md §2)."""
        per_step = self.per_step_env if not extra else {**self.per_step_env, **extra}
        return step_environment(job.base_env, self.env, job.defaults, per_step, job.prepend_path)

    def error(self, job: JobState, message: str) -> None:
        """Log ``##[error]message`` and record it as an error annotation of this step."""
        job.log.error(job.masker.mask(message))
        job.annotate(make_annotation("error", job.masker.mask(message)), self.number)

    def should_cancel(self, job: JobState) -> Callable[[], bool]:
        """The poll the process runner calls: True once the job is cancelled and this step's
        ``if`` no longer holds under ``cancelled`` (GitHub re-evaluates it; ``always()`` steps
        keep running)."""

        def poll() -> bool:
            if not job.cancel_requested():
                return False
            if self.keep_running_when_cancelled is None:
                job.status = "cancelled"
                try:
                    self.keep_running_when_cancelled = condition(
                        self.raw.get("if"), self.contexts, job_status="cancelled"
                    )
                except Exception:  # noqa: BLE001 - an unusable condition does not hold
                    self.keep_running_when_cancelled = False
            return not self.keep_running_when_cancelled

        return poll

    def timed_out(self, job: JobState) -> None:
        """The step exceeded its own ``timeout-minutes`` and was killed. GitHub (StepsRunner.cs)
        logs this error and fails the step (``continue-on-error`` still applies); the job goes on
        as after any failure: ``failure()`` holds, ``cancelled()`` does not."""
        self.error(
            job,
            f"The action '{self.display_name}' has timed out after {to_string(self.timeout_minutes)} minutes.",
        )


def go_duration(seconds: float) -> str:
    """``seconds`` as Go's ``time.Duration.String`` prints it (``5m0s``, ``1h0m0s``, ``1.5s``,
    ``600ms``): GitHub's job-timeout annotation shows the limit this way."""
    nanos = round(seconds * 1e9)
    if nanos == 0:
        return "0s"
    sign, nanos = ("-", -nanos) if nanos < 0 else ("", nanos)

    def fraction(value: int, unit: int) -> str:
        whole, rest = divmod(value, unit)
        if not rest:
            return str(whole)
        digits = str(rest).rjust(len(str(unit)) - 1, "0").rstrip("0")
        return f"{whole}.{digits}"

    if nanos < 1_000_000_000:
        if nanos < 1_000:
            return f"{sign}{nanos}ns"
        if nanos < 1_000_000:
            return f"{sign}{fraction(nanos, 1_000)}µs"
        return f"{sign}{fraction(nanos, 1_000_000)}ms"
    hours, rest = divmod(nanos, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    text = f"{hours}h" if hours else ""
    if hours or minutes:
        text += f"{minutes}m"
    return f"{sign}{text}{fraction(rest, 1_000_000_000)}s"
