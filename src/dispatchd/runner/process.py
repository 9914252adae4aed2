"""Run one step process: spawn in its own process group, stream merged output line by line,
enforce a timeout and cancellation by signalling the whole group.

No thread and no asyncio child watcher is used (Python 3.11's default watcher starts a thread per
child, which costs more than a trivial step): the process is started by :mod:`.spawn`, its output
pipe and a pidfd (Linux ≥ 5.3) are watched with ``loop.add_reader``.

Kill sequence on a timeout or a cancellation, GitHub's (``ProcessInvoker.cs``,
``CancelAndKillProcessTree``): SIGINT, 7.5 s later SIGTERM, 2.5 s later SIGKILL, so a script can
clean up on ``trap ... INT`` as it can on GitHub. GitHub signals the step's process and then kills
its tree; here each signal goes to the step's whole process group, so grandchildren die too
unless they left the group with ``setsid`` (those are found at job end by their
``RUNNER_TRACKING_ID``).
"""

from __future__ import annotations

import asyncio
import codecs
import os
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from dispatchd.runner.spawn import Child, start

#: Output is taken from the pipe in chunks of this many bytes.
READ_SIZE = 65536
#: Reading pauses while this many lines wait for the log handler (bounded memory on huge output).
MAX_PENDING_LINES = 20000
#: A line longer than this many characters is cut and logged in pieces.
MAX_LINE = 1024 * 1024


class ProcessStartError(Exception):
    """The program or the working directory does not exist (message in GitHub's words)."""


@dataclass
class ProcessResult:
    """How a step process ended.

    Attributes:
        exit_code: the exit status; a process killed by signal N reports ``128 + N`` as a shell would.
        timed_out: the timeout expired and the group was killed.
        cancelled: cancellation was requested and the group was killed.
        pgid: the process group id (the runner may kill leftovers at job end).
    """

    exit_code: int
    timed_out: bool = False
    cancelled: bool = False
    pgid: int = 0


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    """Signal a process group, ignoring a group that is already gone."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class _LineSplitter:
    """Decodes UTF-8 (invalid bytes replaced) and splits on ``\\r\\n``, ``\\n`` and ``\\r`` like
    .NET's ``StreamReader.ReadLine``, which GitHub's runner uses on step output."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._partial = ""

    def feed(self, data: bytes, out: list[str]) -> None:
        text = self._partial + self._decoder.decode(data)
        if not text:
            return
        held = ""
        if text.endswith("\r"):
            # The "\n" of a "\r\n" may arrive in the next chunk.
            text, held = text[:-1], "\r"
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        parts = text.split("\n")
        self._partial = parts.pop() + held
        if len(self._partial) > MAX_LINE:
            parts.append(self._partial)
            self._partial = ""
        out.extend(parts)

    def close(self, out: list[str]) -> None:
        text = self._partial + self._decoder.decode(b"", final=True)
        self._partial = ""
        text = text.removesuffix("\r")
        if text:
            out.extend(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def spawn(argv: Sequence[str], cwd: str, env: dict[str, str]) -> tuple[Child, int]:
    """Start ``argv`` in a new session with stdout and stderr on one pipe; returns (process, read fd).

    Raises:
        ProcessStartError: missing program or working directory.
    """
    read_fd, write_fd = os.pipe()
    try:
        process = start(argv, cwd, env, write_fd)
    except OSError as error:
        os.close(read_fd)
        reason = error.strerror or str(error)
        raise ProcessStartError(
            f"An error occurred trying to start process '{argv[0]}' with working directory '{cwd}'. {reason}"
        ) from error
    finally:
        os.close(write_fd)
    os.set_blocking(read_fd, False)
    return process, read_fd


async def run_process(
    argv: Sequence[str],
    *,
    cwd: str,
    env: dict[str, str],
    on_lines: Callable[[list[str]], Awaitable[None]],
    timeout: float | None = None,
    cancel_requested: Callable[[], bool] | None = None,
    poll_interval: float = 0.15,
    int_grace: float = 7.5,
    term_grace: float = 2.5,
    on_spawn: Callable[[], None] | None = None,
) -> ProcessResult:
    """Run ``argv`` to the end, handing its output lines to ``on_lines`` in batches as they come.

    Args:
        timeout: seconds before the group is killed (``timed_out``); None for no limit.
        cancel_requested: polled every ``poll_interval`` seconds; True kills the group (``cancelled``).
        int_grace: seconds between SIGINT and SIGTERM; term_grace: between SIGTERM and SIGKILL.
        on_spawn: called once the process has started (the caller's housekeeping then overlaps
            the child's run instead of adding to the step's time).

    Returns when the process has exited and its output (what is in the pipe at that moment) has
    been handed over. Processes it left running in the background keep running (GitHub leaves
    them until the job ends); the caller kills the group then.
    """
    loop = asyncio.get_running_loop()
    process, read_fd = spawn(argv, cwd, env)
    pgid = process.pid
    splitter = _LineSplitter()
    pending: list[str] = []
    wake = asyncio.Event()
    state = {"eof": False, "exited": False, "reading": True}

    def on_readable() -> None:
        try:
            data = os.read(read_fd, READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            state["eof"] = True
            loop.remove_reader(read_fd)
            state["reading"] = False
            return
        splitter.feed(data, pending)
        if len(pending) >= MAX_PENDING_LINES:
            loop.remove_reader(read_fd)
            state["reading"] = False
            wake.set()

    loop.add_reader(read_fd, on_readable)
    pidfd: int | None
    try:
        pidfd = os.pidfd_open(process.pid)
    except (AttributeError, OSError):
        pidfd = None

    def on_exit() -> None:
        state["exited"] = True
        wake.set()

    if pidfd is not None:
        loop.add_reader(pidfd, on_exit)
    if on_spawn is not None:
        on_spawn()
    # Without a pidfd the exit is polled, so the tick must be short.
    tick = poll_interval if pidfd is not None else min(poll_interval, 0.01)
    deadline = time.monotonic() + timeout if timeout is not None else None
    reason: str | None = None
    kill_at: float | None = None
    #: The signals still to send once the process has outlived the previous one, with the grace
    #: each leaves before the next.
    ladder: list[tuple[int, float]] = []
    try:
        while True:
            if pidfd is None and process.poll() is not None:
                state["exited"] = True
            if state["exited"]:
                break
            now = time.monotonic()
            wait = tick
            if deadline is not None and reason is None:
                wait = max(0.0, min(wait, deadline - now))
            if kill_at is not None:
                wait = max(0.0, min(wait, kill_at - now))
            timer = loop.call_later(wait, wake.set)
            await wake.wait()
            wake.clear()
            timer.cancel()
            if pending:
                lines = pending[:]
                pending.clear()
                await on_lines(lines)
            if not state["reading"] and not state["eof"]:
                loop.add_reader(read_fd, on_readable)
                state["reading"] = True
            now = time.monotonic()
            if reason is None:
                if cancel_requested is not None and cancel_requested():
                    reason = "cancelled"
                elif deadline is not None and now >= deadline:
                    reason = "timed_out"
                if reason is not None:
                    kill_group(pgid, signal.SIGINT)
                    kill_at = now + int_grace
                    ladder = [(signal.SIGTERM, term_grace), (signal.SIGKILL, 0.0)]
            elif kill_at is not None and now >= kill_at:
                sig, grace = ladder.pop(0)
                kill_group(pgid, sig)
                kill_at = now + grace if ladder else None
    except BaseException:
        # The job itself is being torn down (task cancelled, handler error): the step must not
        # outlive it.
        reason = reason or "cancelled"
        raise
    finally:
        if pidfd is not None:
            loop.remove_reader(pidfd)
            os.close(pidfd)
        if state["reading"]:
            loop.remove_reader(read_fd)
        if reason is not None:
            # Grandchildren that ignored SIGINT and SIGTERM, or outlived the leader, go now.
            kill_group(pgid, signal.SIGKILL)
        code = process.wait()
        # Take what the process wrote before it exited; stop at "would block" because a
        # background child may hold the pipe open for the rest of the job.
        drained = 0
        while drained < 64 * READ_SIZE * 16:
            try:
                data = os.read(read_fd, READ_SIZE)
            except (BlockingIOError, OSError):
                break
            if not data:
                break
            drained += len(data)
            splitter.feed(data, pending)
        splitter.close(pending)
        os.close(read_fd)
    if pending:
        await on_lines(pending)
    if code < 0:
        code = 128 - code
    return ProcessResult(code, timed_out=reason == "timed_out", cancelled=reason == "cancelled", pgid=pgid)
