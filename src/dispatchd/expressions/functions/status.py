"""Status functions ``success()``, ``failure()``, ``cancelled()``, ``always()`` for ``if:``.

GitHub: ``actions/runner: src/Runner.Worker/Expressions/{Success,Failure,Cancelled,Always}Function.cs``.
They answer for the current job (or composite action) status in ``CallContext.job_status``;
a job still running without a result counts as ``success``.

In a job-level ``if:`` GitHub also accepts job ids, ``success('build', 'test')`` /
``failure('build')`` (workflow schema: ``success(0,MAX)``, ``failure(0,MAX)`` in ``job-if``):
they then answer for those jobs, read from the ``needs`` context
(``needs.<id>.result``). Which keys allow arguments is the workflow validator's business.
"""

from __future__ import annotations

from typing import Any

from ..coercion import MISSING, get_property, to_string
from . import CallContext, FunctionInfo

#: Names that, anywhere in an ``if:``, turn off the implicit ``success() &&``.
STATUS_FUNCTION_NAMES = frozenset({"success", "failure", "cancelled", "always"})


def _status(context: CallContext) -> str:
    return context.job_status or "success"


def _results(args: list[Any], context: CallContext) -> list[str]:
    needs = context.needs if isinstance(context.needs, dict) else {}
    results = []
    for job in args:
        entry = get_property(needs, to_string(job)) if needs else MISSING
        result = get_property(entry, "result") if isinstance(entry, dict) else MISSING
        results.append("" if result is MISSING else to_string(result))
    return results


def success(args: list[Any], context: CallContext) -> bool:
    """True while nothing failed and the run is not cancelled; with job ids, when all of those
    jobs succeeded."""
    if args:
        return _status(context) != "cancelled" and all(r == "success" for r in _results(args, context))
    return _status(context) == "success"


def failure(args: list[Any], context: CallContext) -> bool:
    """True when a previous step (or a needed job) failed; with job ids, when one of those
    jobs failed."""
    if args:
        return any(r == "failure" for r in _results(args, context))
    return _status(context) == "failure"


def cancelled(args: list[Any], context: CallContext) -> bool:
    """True when the run was cancelled."""
    return _status(context) == "cancelled"


def always(args: list[Any], context: CallContext) -> bool:
    """Always true."""
    return True


INFOS = (
    FunctionInfo("success", 0, 2**31 - 1, success),
    FunctionInfo("failure", 0, 2**31 - 1, failure),
    FunctionInfo("cancelled", 0, 0, cancelled),
    FunctionInfo("always", 0, 0, always),
)
