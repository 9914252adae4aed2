"""Step and job keys through ``dispatchd.expressions``, with the fast paths a runner needs.

Most keys hold no ``${{ }}`` at all; those are returned as they are without touching the
expression engine, which keeps per-step overhead near zero. Values are converted to strings the
way GitHub converts an expression result for ``env``, ``run``, ``with``: null → ``""``, booleans
``true``/``false``, whole numbers without a decimal point, objects and arrays as JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from dispatchd import expressions
from dispatchd.expressions import ExpressionError

__all__ = ["ExpressionError", "condition", "env_map", "evaluate", "has_expression", "render", "to_string"]


def has_expression(value: Any) -> bool:
    """True when ``value`` (or anything inside a list/dict) holds ``${{``."""
    if isinstance(value, str):
        return "${{" in value
    if isinstance(value, Mapping):
        return any(has_expression(k) or has_expression(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_expression(v) for v in value)
    return False


def to_string(value: Any) -> str:
    """GitHub's string form of a value (expressions.md coercion to string)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2)


def render(value: Any, contexts: Mapping[str, Any], *, job_status: str | None = None) -> str:
    """A string key (``run``, ``name``, an ``env`` value): templates rendered, scalars stringified.

    Raises:
        ExpressionError: the engine's error, with its message.
    """
    if isinstance(value, str):
        if "${{" not in value:
            return value
        return expressions.render(value, contexts, job_status=job_status)
    return to_string(value)


def evaluate(value: Any, contexts: Mapping[str, Any], *, job_status: str | None = None) -> Any:
    """A typed key (``continue-on-error``, ``timeout-minutes``, ``with``): a lone ``${{ }}`` keeps
    its type, mixed text becomes a string, lists and dicts are walked."""
    if not has_expression(value):
        return value
    return expressions.evaluate_template(value, contexts, job_status=job_status)


def condition(cond: Any, contexts: Mapping[str, Any], *, job_status: str) -> bool:
    """A step ``if`` (GitHub's rules, implicit ``success()``); an empty condition is ``success()``."""
    if cond is None or (isinstance(cond, str) and not cond.strip()):
        return job_status == "success"
    if isinstance(cond, bool):
        # A YAML boolean has no status function, so GitHub reads it as success() && <bool>.
        return cond and job_status == "success"
    return bool(expressions.evaluate_condition(str(cond), contexts, job_status=job_status))


def truthy(value: Any) -> bool:
    """GitHub truthiness: false, 0, -0, NaN, "" and null are false."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return True


def env_map(env: Any, contexts: Mapping[str, Any], *, job_status: str | None = None) -> dict[str, str]:
    """An ``env`` mapping evaluated to name → string; a lone ``${{ }}`` may produce the whole map.

    Raises:
        ExpressionError: from the engine; TypeError when the result is not a mapping.
    """
    if env is None or env == {}:
        return {}
    if isinstance(env, str):
        env = evaluate(env, contexts, job_status=job_status)
    if not isinstance(env, Mapping):
        raise TypeError(f"Expected a mapping for env, got {type(env).__name__}")
    return {str(k): render(v, contexts, job_status=job_status) for k, v in env.items()}
