"""Timeouts, cancellation and process groups with real processes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from dispatchd.runner.jobstate import go_duration
from dispatchd.runner.process import run_process

from .reporter import MemoryReporter


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_dead(pid: int, seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


async def test_step_timeout_kills_grandchildren_and_fails_the_step(run, tmp_path: Path) -> None:
    # GitHub (StepsRunner.cs): a step past its own timeout-minutes is a failed step, not a
    # cancelled one; the job fails and goes on as after any failure.
    pidfile = tmp_path / "grandchild.pid"
    script = f"sh -c 'echo $$ > {pidfile}; exec sleep 60' &\nsleep 60"
    started = time.monotonic()
    result, reporter = await run(
        [
            {"name": "slow", "run": script, "timeout-minutes": 0.01},
            {"run": "echo V:after"},
            {"if": "always()", "id": "x", "run": "echo V:cleanup"},
            {"if": "failure()", "run": "echo V:failure-fn"},
            {"if": "cancelled()", "run": "echo V:cancelled-fn"},
        ]
    )
    elapsed = time.monotonic() - started
    assert elapsed < 10
    step = result.steps[0]
    assert (step.outcome, step.conclusion) == ("failure", "failure")
    assert [s.conclusion for s in result.steps] == ["failure", "skipped", "success", "success", "skipped"]
    assert result.conclusion == "failure"
    assert "##[error]The action 'slow' has timed out after 0.01 minutes." in reporter.lines
    assert [line for line in reporter.lines if line.startswith("V:")] == ["V:cleanup", "V:failure-fn"]
    assert [a["message"] for a in result.annotations] == [
        "The action 'slow' has timed out after 0.01 minutes."
    ]
    assert wait_dead(int(pidfile.read_text()))


async def test_timeout_with_continue_on_error(run) -> None:
    result, _ = await run(
        [{"run": "sleep 30", "timeout-minutes": 0.005, "continue-on-error": True}, {"run": "echo ok"}]
    )
    assert (result.steps[0].outcome, result.steps[0].conclusion) == ("failure", "success")
    assert result.conclusion == "success"


async def test_sigterm_ignored_then_sigkill(run, tmp_path: Path) -> None:
    pidfile = tmp_path / "stubborn.pid"
    script = f"sh -c 'trap \"\" TERM; echo $$ > {pidfile}; while :; do sleep 0.1; done' &\nwait"
    result, _ = await run([{"run": script, "timeout-minutes": 0.005}])
    assert result.steps[0].outcome == "failure"
    assert wait_dead(int(pidfile.read_text()), 1.0)


async def test_cancellation_kills_the_step_and_runs_only_cancel_aware_steps(run, tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    reporter = MemoryReporter(cancel_after=0.3)
    started = time.monotonic()
    result, _ = await run(
        [
            {"run": f"sleep 60 & echo $! > {pidfile}\nwait"},
            {"run": "echo V:normal"},
            {"if": "cancelled()", "run": "echo V:cancelled-fn"},
            {"if": "always()", "run": "echo V:always"},
            {"if": "failure()", "run": "echo V:failure-fn"},
        ],
        reporter=reporter,
    )
    assert time.monotonic() - started < 5
    assert result.conclusion == "cancelled"
    assert [s.conclusion for s in result.steps] == ["cancelled", "skipped", "success", "success", "skipped"]
    printed = [line for line in reporter.lines if line.startswith("V:")]
    assert printed == ["V:cancelled-fn", "V:always"]
    assert "##[error]The operation was canceled." in reporter.lines
    assert wait_dead(int(pidfile.read_text()))


async def test_always_step_keeps_running_when_cancelled(run) -> None:
    reporter = MemoryReporter(cancel_after=0.2)
    result, _ = await run([{"if": "always()", "run": "sleep 0.6; echo V:finished"}], reporter=reporter)
    assert "V:finished" in reporter.lines
    assert result.steps[0].conclusion == "success"
    assert result.conclusion == "cancelled"


async def test_job_timeout_cancels_the_job(run) -> None:
    # GitHub cancels a job past its timeout-minutes: the running step is cancelled ("The
    # operation was canceled." in its log), steps run only if their `if` holds when cancelled,
    # and the limit is named by a job-level annotation (a Go duration), not by a log line.
    started = time.monotonic()
    result, reporter = await run(
        [
            {"run": "sleep 30"},
            {"run": "echo V:next"},
            {"if": "always()", "run": "echo V:cleanup"},
            {"if": "cancelled()", "run": "echo V:cancelled-fn"},
            {"if": "failure()", "run": "echo V:failure-fn"},
        ],
        timeout_minutes=0.02,
    )
    assert time.monotonic() - started < 10
    assert result.conclusion == "cancelled"
    assert [s.conclusion for s in result.steps] == ["cancelled", "skipped", "success", "success", "skipped"]
    assert [line for line in reporter.lines if line.startswith("V:")] == ["V:cleanup", "V:cancelled-fn"]
    assert "##[error]The operation was canceled." in reporter.lines
    message = "The job has exceeded the maximum execution time of 1.2s"
    assert result.error == message
    assert [(a["message"], a["step_number"]) for a in result.annotations] == [
        (message, None),
        ("The operation was canceled.", 1),
    ]
    assert not any("maximum execution time" in line for line in reporter.lines)


async def test_always_step_running_at_the_job_timeout_is_not_killed(run) -> None:
    # Cancellation re-evaluates the running step's `if` (StepsRunner.cs): always() still holds.
    result, reporter = await run(
        [{"if": "always()", "run": "sleep 1.5; echo V:finished"}, {"run": "echo V:next"}],
        timeout_minutes=0.01,
    )
    assert "V:finished" in reporter.lines and "V:next" not in reporter.lines
    assert [s.conclusion for s in result.steps] == ["success", "skipped"]
    assert result.conclusion == "cancelled"
    assert result.error == "The job has exceeded the maximum execution time of 600ms"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (300, "5m0s"),
        (3600, "1h0m0s"),
        (21600, "6h0m0s"),
        (90.5, "1m30.5s"),
        (3, "3s"),
        (0.6, "600ms"),
        (3661, "1h1m1s"),
        (0, "0s"),
    ],
)
def test_go_duration(seconds: float, text: str) -> None:
    # Go's time.Duration.String, which GitHub's "maximum execution time of 5m0s" uses.
    assert go_duration(seconds) == text


async def test_background_process_survives_step_but_not_job(run, tmp_path: Path) -> None:
    pidfile = tmp_path / "bg.pid"
    _result, reporter = await run(
        [
            {"run": f"nohup sleep 60 >/dev/null 2>&1 & echo $! > {pidfile}"},
            {"run": f'kill -0 "$(cat {pidfile})" && echo V:still-running'},
        ]
    )
    assert "V:still-running" in reporter.lines
    assert wait_dead(int(pidfile.read_text()))


async def test_leftovers_found_by_tracking_id_even_outside_the_group(run, tmp_path: Path) -> None:
    daemon, grouped = tmp_path / "daemon.pid", tmp_path / "grouped.pid"
    script = (
        f"setsid sh -c 'echo $$ > {daemon}; exec sleep 60' >/dev/null 2>&1 &\n"
        f"nohup sleep 60 >/dev/null 2>&1 & echo $! > {grouped}\n"
        'echo "V:$RUNNER_TRACKING_ID"\nsleep 0.2'
    )
    result, reporter = await run([{"run": script}])
    assert result.conclusion == "success"
    assert any(line.startswith("V:github_") for line in reporter.lines)
    assert wait_dead(int(grouped.read_text()))
    assert wait_dead(int(daemon.read_text()))


async def test_background_process_holding_stdout_does_not_block_the_step(run) -> None:
    started = time.monotonic()
    result, reporter = await run([{"run": "(sleep 20; echo late) &\necho V:main-done"}])
    assert time.monotonic() - started < 5
    assert result.conclusion == "success" and "V:main-done" in reporter.lines


@pytest.mark.parametrize("bad", ["0", "-1"])
async def test_bad_timeout_fails_the_step(run, bad: str) -> None:
    result, _reporter = await run([{"run": "echo hi", "timeout-minutes": bad}])
    assert result.steps[0].outcome == "failure"


async def test_a_timed_out_script_gets_sigint_first_and_can_clean_up(run) -> None:
    # GitHub sends SIGINT first and waits 7.5 s before SIGTERM (ProcessInvoker.cs), so a script
    # that traps INT runs its cleanup.
    script = "trap 'echo V:cleanup-on-int; exit 3' INT\nsleep 60"
    started = time.monotonic()
    result, reporter = await run([{"name": "slow", "run": script, "timeout-minutes": 0.005}])
    assert time.monotonic() - started < 5
    assert "V:cleanup-on-int" in reporter.lines
    assert result.steps[0].conclusion == "failure"
    assert "##[error]The action 'slow' has timed out after 0.005 minutes." in reporter.lines


async def test_kill_ladder_is_sigint_then_sigterm_then_sigkill(tmp_path: Path) -> None:
    lines: list[str] = []

    async def keep(batch: list[str]) -> None:
        lines.extend(batch)

    script = "trap 'echo got-INT' INT\ntrap 'echo got-TERM' TERM\necho ready\nwhile :; do sleep 0.05; done"
    started = time.monotonic()
    result = await run_process(
        ["bash", "-c", script],
        cwd=str(tmp_path),
        env=dict(os.environ),
        on_lines=keep,
        timeout=0.3,
        int_grace=0.5,
        term_grace=0.5,
    )
    elapsed = time.monotonic() - started
    assert result.timed_out and not result.cancelled
    # (bash may also report its sleep child as "Terminated")
    assert [line for line in lines if line.startswith(("ready", "got-"))] == ["ready", "got-INT", "got-TERM"]
    assert result.exit_code == 128 + 9  # SIGKILL
    assert 1.2 <= elapsed < 5
