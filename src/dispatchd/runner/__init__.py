"""The runner: runs one job on this host (see :func:`run_job` and :mod:`.protocol`)."""

from dispatchd.runner.job import run_job
from dispatchd.runner.protocol import JobAssignment, JobReporter, JobResult, StepResult

__all__ = ["JobAssignment", "JobReporter", "JobResult", "StepResult", "run_job"]
