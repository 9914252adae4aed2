"""Status functions ``success()``, ``failure()``, ``cancelled()``, ``always()`` for ``if:``.

GitHub: ``actions/runner: src/Runner.Worker/Expressions/{Success,Failure,Cancelled,Always}Function.cs``.
They answer for the current job (or composite action) status in ``CallContext.job_status``;
a job still running without a result counts as ``success``.
"""

from __future__ import annotations

from typing import Any

from . import CallContext, FunctionInfo

#: Names that, anywhere in an ``if:``, turn off the implicit ``success() &&``.
STATUS_FUNCTION_NAMES = frozenset({"success", "failure", "cancelled", "always"})


def _status(context: CallContext) -> str:
    return context.job_status or "success"


def success(args: list[Any], context: CallContext) -> bool:
    """True while nothing failed and the run is not cancelled."""
    return _status(context) == "success"


def failure(args: list[Any], context: CallContext) -> bool:
    """True when a previous step (or a needed job) failed."""
    return _status(context) == "failure"


def cancelled(args: list[Any], context: CallContext) -> bool:
    """True when the run was cancelled."""
    return _status(context) == "cancelled"


def always(args: list[Any], context: CallContext) -> bool:
    """Always true."""
    return True


INFOS = (
    FunctionInfo("success", 0, 0, success),
    FunctionInfo("failure", 0, 0, failure),
    FunctionInfo("cancelled", 0, 0, cancelled),
    FunctionInfo("always", 0, 0, always),
)
