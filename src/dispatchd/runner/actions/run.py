"""The ``run:`` step kind: evaluates ``run``, ``shell``, ``working-directory`` just before the step
(with ``defaults.run`` as the fallback) and runs the script (see :mod:`dispatchd.runner.script`)."""

from __future__ import annotations

from dispatchd.runner.evaluation import render
from dispatchd.runner.jobstate import JobState, StepRun
from dispatchd.runner.script import run_script


class RunStep:
    async def run(self, job: JobState, step: StepRun) -> str:
        raw, contexts, status = step.raw, step.contexts, step.status
        defaults = step.scope.run_defaults if step.scope is not None else job.run_defaults
        script = render(raw.get("run") or "", contexts, job_status=status)
        shell = raw.get("shell", defaults.get("shell"))
        shell = render(shell, contexts, job_status=status) if shell is not None else None
        directory = raw.get("working-directory", defaults.get("working-directory"))
        directory = render(directory, contexts, job_status=status) if directory is not None else None
        return await run_script(job, step, script, shell, directory)
