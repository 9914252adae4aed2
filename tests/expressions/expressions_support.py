"""Helpers shared by the data-driven expression tests: case loading and type-aware equality."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from dispatchd.expressions.coercion import kind_name


def load_groups(path: Path) -> list[tuple[str, int, dict[str, Any]]]:
    """``[(group, index, case)]`` of a ``{group: [case, …]}`` JSON file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(group, i, case) for group, cases in data.items() for i, case in enumerate(cases)]


def _number(v: Any) -> float:
    if isinstance(v, str):  # the data writes non-finite numbers as strings
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[v]
    return float(v)


def same_value(kind: str, expected: Any, actual: Any) -> bool:
    """Type-aware equality of conformance/README.md: kinds first, numbers numerically (NaN equal
    to NaN), strings exactly, arrays element-wise, objects as key → value maps."""
    if kind_name(actual) != kind:
        return False
    if kind == "Number":
        a, e = float(actual), _number(expected)
        return (math.isnan(a) and math.isnan(e)) or a == e
    if kind == "Array":
        return len(expected) == len(actual) and all(
            same_value(_kind_of_json(e), e, a) for e, a in zip(expected, actual, strict=True)
        )
    if kind == "Object":
        return set(expected) == set(actual) and all(
            same_value(_kind_of_json(expected[k]), expected[k], actual[k]) for k in expected
        )
    return bool(expected == actual)


def _kind_of_json(value: Any) -> str:
    return kind_name(value)
