"""A step that cannot run here (malformed ``uses``, Docker, an action that was not found)."""

from __future__ import annotations

from dispatchd.runner.jobstate import JobState, StepRun


class Unavailable:
    """Fails the step with ``message`` (logged as ``##[error]`` and kept as an annotation)."""

    def __init__(self, message: str) -> None:
        self.message = message

    async def run(self, job: JobState, step: StepRun) -> str:
        step.error(job, self.message)
        return "failure"
