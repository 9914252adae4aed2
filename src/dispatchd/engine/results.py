"""Results: a job key's result over its matrix legs, the job-level status functions, a run's
conclusion — GitHub's rules in one place (the planner, reusable-workflow callers and runs use them).
"""

from __future__ import annotations

from typing import Any

from ..workflow import Workflow


def effective(conclusion: str | None, continue_on_error: bool) -> str | None:
    """A failed job with ``continue-on-error: true`` counts as a success for its run and needs."""
    return "success" if conclusion == "failure" and continue_on_error else conclusion


def combine(conclusions: list[str | None]) -> str:
    """GitHub's combined result: any failure (or timeout) fails, else any cancellation cancels,
    else all skipped is skipped, else success."""
    if "failure" in conclusions or "timed_out" in conclusions:
        return "failure"
    if "cancelled" in conclusions:
        return "cancelled"
    if conclusions and all(c == "skipped" for c in conclusions):
        return "skipped"
    return "success"


def key_results(rows: list[Any]) -> dict[str, dict[str, Any]]:
    """Per job key: ``{"done": bool, "result": str, "outputs": {}}`` over its matrix legs."""
    by_key: dict[str, list[Any]] = {}
    for r in rows:
        by_key.setdefault(r.job_key, []).append(r)
    out: dict[str, dict[str, Any]] = {}
    for key, legs in by_key.items():
        outputs: dict[str, str] = {}
        for r in legs:  # GitHub: with a matrix, the outputs of the last leg to set a value win
            for k, v in (r.outputs or {}).items():
                if v not in (None, ""):
                    outputs[k] = v
        out[key] = {"done": all(r.state == "completed" for r in legs),
                    "result": combine([effective(r.conclusion, r.continue_on_error) for r in legs]),
                    "outputs": outputs}
    return out


def ancestors(workflow: Workflow, key: str) -> set[str]:
    """Every job ``key`` depends on, directly or through others."""
    seen: set[str] = set()
    stack = list(workflow.jobs[key].needs) if key in workflow.jobs else []
    while stack:
        k = stack.pop()
        if k not in seen:
            seen.add(k)
            stack.extend(workflow.jobs[k].needs if k in workflow.jobs else [])
    return seen


def job_status(workflow: Workflow, prefix: str, key: str, results: dict[str, dict[str, Any]],
               cancelled: bool) -> str:
    """GitHub's job-level status for ``success()``/``failure()``: over every ancestor job
    (``prefix`` names the jobs of a called reusable workflow)."""
    if cancelled:
        return "cancelled"
    found = [results[prefix + a]["result"] for a in ancestors(workflow, key) if prefix + a in results]
    if any(r == "failure" for r in found):
        return "failure"
    if any(r in ("cancelled", "skipped") for r in found):
        return "skipped"  # neither success() nor failure(): the default condition skips the job
    return "success"


def run_conclusion(run: Any, rows: list[Any]) -> str:
    """The run's conclusion from its jobs (an invalid file fails it; a cancel cancels it)."""
    combined = combine([effective(r.conclusion, r.continue_on_error) for r in rows])
    if run.error or combined == "failure":
        return "failure"
    if run.cancel_requested:
        return "cancelled"
    return combined
