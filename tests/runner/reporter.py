"""An in-memory JobReporter for runner tests (real processes, real files, no mock library)."""

from __future__ import annotations

import time

from dispatchd.runner.protocol import StepResult


class MemoryReporter:
    """Keeps every call; ``cancel_after`` (seconds from the first step start) or :meth:`cancel`
    make :meth:`cancel_requested` answer True."""

    def __init__(self, cancel_after: float | None = None) -> None:
        self.lines: list[str] = []
        self.batches: list[list[str]] = []
        self.batch_times: list[float] = []
        self.started: list[tuple[int, str]] = []
        self.completed: list[StepResult] = []
        self.cancel_after = cancel_after
        self._cancelled = False
        self._first_start: float | None = None

    async def log(self, lines: list[str]) -> None:
        self.batches.append(list(lines))
        self.batch_times.append(time.monotonic())
        self.lines.extend(lines)

    async def step_started(self, number: int, name: str) -> None:
        if self._first_start is None:
            self._first_start = time.monotonic()
        self.started.append((number, name))

    async def step_completed(self, result: StepResult) -> None:
        self.completed.append(result)

    def cancel(self) -> None:
        self._cancelled = True

    def cancel_requested(self) -> bool:
        if self._cancelled:
            return True
        if self.cancel_after is not None and self._first_start is not None:
            return time.monotonic() - self._first_start >= self.cancel_after
        return False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)
