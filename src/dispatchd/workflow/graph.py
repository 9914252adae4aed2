"""The ``needs`` graph: GitHub's dependency checks and a topological job order.

``check_needs`` is a port of ``validateNeeds`` in actions/languageservices
``workflow-parser/src/model/converter/jobs.ts`` (the same algorithm is in the runner's C#
``WorkflowTemplateConverter``): repeatedly release jobs whose needs are all satisfied; whatever
stays unsatisfied is reported per remaining need, as a cycle when the needed job exists and as an
unknown job otherwise. Job ids are matched case-insensitively (the C# parser does; ids are unique
case-insensitively anyway).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from typing import TypeVar

from .errors import Diagnostic, WorkflowError

P = TypeVar("P")


def check_needs(jobs: Sequence[tuple[str, Sequence[tuple[str, P]]]]) -> list[tuple[P | None, str]]:
    """Find GitHub's ``needs`` errors.

    ``jobs`` is ``[(job id, [(needed id, position), ...]), ...]`` in file order; a position is any
    value the caller uses to locate the need (a YAML node). Returns ``[(position or None, message)]``:
    ``The workflow must contain at least one job with no dependencies.`` (position ``None``: the
    caller places it at ``jobs:``), ``Job 'a' depends on unknown job 'b'.`` and ``Job 'a' depends on
    job 'b' which creates a cycle in the dependency graph.``
    """
    waiting: dict[int, list[tuple[str, P]]] = {}
    waiters: dict[str, list[int]] = {}  # needed id (lower case) -> indexes of jobs waiting on it
    ready: deque[str] = deque()
    for index, (job_id, needs) in enumerate(jobs):
        if needs:
            waiting[index] = list(needs)
            for need, _ in needs:
                waiters.setdefault(need.lower(), []).append(index)
        else:
            ready.append(job_id)
    if not ready:
        return [(None, "The workflow must contain at least one job with no dependencies.")]
    # Release jobs whose needs are all satisfied; what stays waiting keeps its unreleased needs
    # in their original order, exactly as GitHub's quadratic loop leaves them.
    while ready:
        current = ready.popleft().lower()
        for index in waiters.pop(current, ()):
            pending = waiting.get(index)
            if pending is None:
                continue
            pending[:] = [n for n in pending if n[0].lower() != current]
            if not pending:
                del waiting[index]
                ready.append(jobs[index][0])
    known = {job_id.lower() for job_id, _ in jobs}
    errors: list[tuple[P | None, str]] = []
    for index in sorted(waiting):
        job_id, needs = jobs[index][0], waiting[index]
        for need, pos in needs:
            if need.lower() in known:
                errors.append((pos, (f"Job '{job_id}' depends on job '{need}' which creates a cycle "
                                    "in the dependency graph.")))
            else:
                errors.append((pos, f"Job '{job_id}' depends on unknown job '{need}'."))
    return errors


def job_stages(needs: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Group jobs into stages: every job comes after all jobs it needs.

    ``needs`` maps job id -> needed ids, in file order. Stage *n* holds the jobs whose longest
    chain of needs has length *n*; inside a stage jobs keep file order. Raises ``WorkflowError``
    with GitHub's messages for unknown jobs and cycles.
    """
    problems = check_needs([(job, [(n, None) for n in deps]) for job, deps in needs.items()])
    if problems:
        raise WorkflowError([Diagnostic("", None, None, message) for _, message in problems])
    by_lower = {job.lower(): job for job in needs}
    depth: dict[str, int] = {}

    def level(job: str) -> int:
        # Iterative to survive long chains without hitting Python's recursion limit.
        stack: list[tuple[str, bool]] = [(job, False)]
        while stack:
            current, expanded = stack.pop()
            if current in depth:
                continue
            deps = [by_lower[d.lower()] for d in needs[current]]
            if expanded:
                depth[current] = 1 + max((depth[d] for d in deps), default=-1)
                continue
            stack.append((current, True))
            stack.extend((d, False) for d in deps if d not in depth)
        return depth[job]

    stages: dict[int, list[str]] = {}
    for job in needs:
        stages.setdefault(level(job), []).append(job)
    return [stages[i] for i in sorted(stages)]


def topological_order(needs: Mapping[str, Sequence[str]]) -> list[str]:
    """Job ids in an order where each job follows everything it needs (stages flattened)."""
    return [job for stage in job_stages(needs) for job in stage]


def transitive_needs(needs: Mapping[str, Sequence[str]], job: str) -> set[str]:
    """Every job ``job`` depends on, directly or through other jobs."""
    by_lower = {j.lower(): j for j in needs}
    seen: set[str] = set()
    stack = [by_lower.get(d.lower(), d) for d in needs.get(job, ())]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(by_lower.get(d.lower(), d) for d in needs.get(current, ()))
    return seen


