"""The ``run:`` step kind: write the script, show GitHub's header, spawn the shell, stream.

GitHub source: ``actions/runner: src/Runner.Worker/Handlers/ScriptHandler.cs`` (header lines,
script file in ``RUNNER_TEMP``, ``Process completed with exit code N.``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Mapping

from dispatchd.runner import shells
from dispatchd.runner.jobstate import JobState, StepRun
from dispatchd.runner.process import ProcessResult, ProcessStartError, run_process

#: ANSI bright cyan around each script line, as in GitHub's raw logs.
SCRIPT_LINE = "\x1b[36;1m{}\x1b[0m"


def first_line(script: str) -> str:
    """The first line of a script after leading blanks (GitHub's display-name rule)."""
    text = script.lstrip(" \t\r\n")
    for i, char in enumerate(text):
        if char in "\r\n":
            return text[:i]
    return text


def header(script: str, shell: str, env: Mapping[str, str]) -> list[str]:
    """GitHub's step log header: ``##[group]Run <first line>``, the script lines, ``shell:``,
    ``env:`` with two-space indented ``NAME: value`` lines, ``##[endgroup]``."""
    lines = [f"##[group]Run {first_line(script)}"]
    lines.extend(SCRIPT_LINE.format(line) for line in script.replace("\r\n", "\n").rstrip("\n").split("\n"))
    lines.append(f"shell: {shell}")
    if env:
        lines.append("env:")
        lines.extend(f"  {key}: {value}" for key, value in env.items())
    lines.append("##[endgroup]")
    return lines


def resolve_directory(workspace: str, working_directory: str | None) -> str:
    """``working-directory`` joined to the workspace (``Path.Combine``: absolute replaces it)."""
    if not working_directory:
        return workspace
    return os.path.join(workspace, working_directory)


async def run_script(
    job: JobState,
    step: StepRun,
    script: str,
    shell_value: str | None,
    working_directory: str | None,
    *,
    extra_env: Mapping[str, str] | None = None,
) -> str:
    """Run ``script`` with ``shell_value`` for ``step``; returns the outcome (``success``,
    ``failure``, ``cancelled``). Errors are logged as GitHub words them."""
    env = step.process_env(job, extra_env)
    try:
        shell = shells.resolve(shell_value, env.get("PATH"))
    except shells.ShellError as error:
        job.log.write_lines(header(script, str(shell_value), step.env))
        step.error(job, str(error))
        return "failure"
    path = os.path.join(job.scratch or job.temp, f"{uuid.uuid4()}{shell.extension}")
    # A small synchronous write: cheaper than handing it to a thread, and the step waits for it.
    with open(path, "w", encoding="utf-8") as handle:  # noqa: ASYNC230
        handle.write(shell.script_text(script))
    cwd = resolve_directory(job.workspace, working_directory)

    def show_header() -> None:
        job.log.write_lines(header(script, shell.display(), step.env))

    try:
        # The header is built once the process runs (before any of its output is read), so that
        # this work overlaps the child's start instead of delaying it.
        result = await execute(job, step, shell.argv(path), cwd, env, before_output=show_header)
    except ProcessStartError as error:
        show_header()
        step.error(job, str(error))
        return "failure"
    finally:
        # Deleted by the next step's housekeeping (or with RUNNER_TEMP at job end).
        job.stale_paths.append(path)
    if result.cancelled:
        return "cancelled"
    if result.timed_out:
        return "failure"
    if result.exit_code != 0:
        step.error(job, f"Process completed with exit code {result.exit_code}.")
        return "failure"
    return "success"


async def execute(
    job: JobState,
    step: StepRun,
    argv: list[str],
    cwd: str,
    env: dict[str, str],
    *,
    before_output: Callable[[], None] | None = None,
) -> ProcessResult:
    """Spawn ``argv`` for ``step`` with its output through the step's command processor into the
    job log; applies the step timeout and the job's cancellation. Shared by every step kind that
    starts a process (scripts, node actions, built-ins that call git).

    ``before_output`` is called once the process has started, before its first output line is
    logged (not at all when it cannot start)."""
    processor = step.processor
    log = job.log

    def on_spawn() -> None:
        if before_output is not None:
            before_output()
        job.while_step_runs()

    async def on_lines(lines: list[str]) -> None:
        process = processor.process
        for line in lines:
            log.write_lines(process(line))
        await log.flush()

    result = await run_process(
        argv,
        cwd=cwd,
        env=env,
        on_lines=on_lines,
        timeout=step.timeout,
        cancel_requested=step.should_cancel(job),
        on_spawn=on_spawn,
    )
    job.track(result.pgid)
    if result.timed_out:
        step.timed_out(job)
    elif result.cancelled:
        step.error(job, "The operation was canceled.")
    return result
