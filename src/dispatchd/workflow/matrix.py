"""Matrix expansion and matrix-leg display names.

Ported from the rules of GitHub's workflow parser (actions/runner
``src/Sdk/WorkflowParser/Conversion/MatrixBuilder.cs``, ``JobNameBuilder.cs``):

1. The cross product of the vectors in declaration order (first vector varies slowest).
2. A leg is dropped when it matches any ``exclude`` entry. An entry matches when every *leaf* of
   the entry equals the leg's value at that path under expression ``==`` (loose, strings
   case-insensitive); keys absent from the entry are wildcards.
3. An ``include`` entry splits into a filter (its keys that are vector names) and extras (the
   rest). Every cross-product leg the filter matches gets the extras merged in (later entries
   overwrite earlier extras). An entry that matched no leg is appended as a leg of its own.
4. The display name of a leg is ``<job> (<v1>, <v2>, …)`` over the scalar leaves of the leg's
   *vector* values (include extras merged into a leg are not part of it), cut to 100 characters.
"""

from __future__ import annotations

import math
from typing import Any

from .errors import Diagnostic, WorkflowError

#: GitHub: "a job matrix can generate a maximum of 256 jobs per workflow run".
MAX_MATRIX_LEGS = 256
#: JobNameBuilder.Build: names longer than this are cut and end in "...".
MAX_NAME_LENGTH = 100


class MatrixLeg(dict[str, Any]):
    """One matrix combination: a plain ``dict`` (the ``matrix`` context) that also remembers the
    values GitHub uses for the leg's display name in ``name_values``."""

    name_values: list[Any]

    def __init__(self, values: dict[str, Any], name_values: list[Any]) -> None:
        super().__init__(values)
        self.name_values = name_values


def _fail(message: str) -> WorkflowError:
    return WorkflowError([Diagnostic("", None, None, message)])


def _get_ci(mapping: dict[str, Any], key: str) -> tuple[bool, Any]:
    # Expression property access is case-insensitive (matrix.OS == matrix.os).
    if key in mapping:
        return True, mapping[key]
    lowered = key.lower()
    for k, v in mapping.items():
        if isinstance(k, str) and k.lower() == lowered:
            return True, v
    return False, None


def _to_number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return 0.0
        try:
            if text.lower().startswith(("0x", "-0x", "+0x")):
                return float(int(text, 16))
            if text.lower().startswith("0o"):
                return float(int(text, 0))
            return float(text)
        except ValueError:
            return math.nan
    return math.nan


def loose_equals(left: Any, right: Any) -> bool:
    """GitHub expression ``==``: same kind compares by value (strings case-insensitively);
    different primitive kinds compare as numbers; objects/arrays only by identity."""
    if isinstance(left, (dict, list)) or isinstance(right, (dict, list)):
        return left is right
    lt, rt = type(left), type(right)
    number = (int, float)
    if left is None and right is None:
        return True
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    if isinstance(left, bool) and isinstance(right, bool):
        return left == right
    if lt in number and rt in number and not isinstance(left, bool) and not isinstance(right, bool):
        return float(left) == float(right)
    return _to_number(left) == _to_number(right)


def _filter_matches(filter_value: Any, leg_value: Any) -> bool:
    """Leaf-wise match of an include/exclude entry value against a leg value."""
    if isinstance(filter_value, dict):
        if not isinstance(leg_value, dict):
            # Every leaf comparison would read null from a non-object.
            return all(_filter_matches(v, None) for v in filter_value.values())
        for key, sub in filter_value.items():
            _, actual = _get_ci(leg_value, str(key))
            if not _filter_matches(sub, actual):
                return False
        return True
    if isinstance(filter_value, list):
        for index, sub in enumerate(filter_value):
            actual = leg_value[index] if isinstance(leg_value, list) and index < len(leg_value) else None
            if not _filter_matches(sub, actual):
                return False
        return True
    return loose_equals(leg_value, filter_value)


def _entry_matches(entry: dict[str, Any], leg: dict[str, Any]) -> bool:
    for key, value in entry.items():
        _, actual = _get_ci(leg, str(key))
        if not _filter_matches(value, actual):
            return False
    return True


def _leaves(value: Any) -> list[Any]:
    # MatrixBuilder: matrix.Traverse(omitKeys: true) — depth-first, scalars only.
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def expand_matrix(matrix: Any) -> list[dict[str, Any]]:
    """Expand an *evaluated* ``strategy.matrix`` value into its legs.

    ``matrix`` is ``None`` (no matrix: one empty leg) or a mapping of vector name -> non-empty
    list, plus optional ``include``/``exclude`` lists of mappings. Returns the legs in GitHub's
    order as ``MatrixLeg`` dicts (``{"os": "ubuntu", "py": "3.11", ...}``). A matrix whose
    vectors all get excluded and that has no include yields ``[]`` (GitHub then runs no leg).

    Raises ``WorkflowError`` with GitHub's messages: ``Matrix vector 'os' does not contain any
    values``, ``Matrix exclude key 'x' does not match any key within the matrix``, ``Matrix
    exclude filter must not be empty``, ``Matrix include mapping does not contain any values``,
    and when more than ``MAX_MATRIX_LEGS`` legs result.
    """
    if matrix is None:
        return [MatrixLeg({}, [])]
    if not isinstance(matrix, dict):
        raise _fail("Unexpected type for matrix: expected a mapping")
    vectors: dict[str, list[Any]] = {}
    include: list[Any] = []
    exclude: list[Any] = []
    for key, value in matrix.items():
        if key == "include":
            include = _as_entries(value, "include")
        elif key == "exclude":
            exclude = _as_entries(value, "exclude")
        else:
            if not isinstance(value, list):
                raise _fail(f"Matrix vector '{key}' must be a sequence")
            if not value:
                raise _fail(f"Matrix vector '{key}' does not contain any values")
            vectors[str(key)] = value
    if not vectors and not include:
        # `matrix: {}` behaves like no matrix at all.
        return [MatrixLeg({}, [])]

    vector_keys_ci = {k.lower() for k in vectors}
    for entry in exclude:
        if not entry:
            raise _fail("Matrix exclude filter must not be empty")
        for key in entry:
            if str(key).lower() not in vector_keys_ci:
                raise _fail(f"Matrix exclude key '{key}' does not match any key within the matrix")

    filters: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for entry in include:
        flt = {k: v for k, v in entry.items() if str(k).lower() in vector_keys_ci}
        extra = {k: v for k, v in entry.items() if str(k).lower() not in vector_keys_ci}
        if not flt and not extra:
            raise _fail("Matrix include mapping does not contain any values")
        filters.append((flt, extra))
    matched = [False] * len(filters)

    size = 1
    for vector in vectors.values():
        size *= len(vector)
    if not vectors:
        size = 0
    if size > 100_000:  # refuse before building an absurd product; the cap below still names 256
        raise _fail(f"Strategy produces more than {MAX_MATRIX_LEGS} jobs ({size}).")

    legs: list[dict[str, Any]] = []
    names = list(vectors)
    for index in range(size):
        combo: dict[str, Any] = {}
        block = size
        for name in names:
            vector = vectors[name]
            block //= len(vector)
            combo[name] = vector[(index // block) % len(vector)]
        if any(_entry_matches(entry, combo) for entry in exclude):
            continue
        name_values = _leaves(combo)
        extras: dict[str, Any] | None = None
        for i, (flt, extra) in enumerate(filters):
            if _entry_matches(flt, combo):
                matched[i] = True
                extras = {**(extras or {}), **extra}
        if extras:
            combo.update(extras)
        legs.append(MatrixLeg(combo, name_values))
    for i, (flt, extra) in enumerate(filters):
        if not matched[i]:
            combo = {**flt, **extra}
            legs.append(MatrixLeg(combo, _leaves(combo)))
    if len(legs) > MAX_MATRIX_LEGS:
        raise _fail(f"Strategy produces more than {MAX_MATRIX_LEGS} jobs ({len(legs)}).")
    return legs


def _as_entries(value: Any, what: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(f"Matrix {what} must be a sequence of mappings")
    for item in value:
        if not isinstance(item, dict):
            raise _fail(f"Matrix {what} entries must be mappings")
    return value


def format_segment(value: Any) -> str:
    """How a matrix value prints in a display name (GitHub's ``ExpressionData.ToString``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if value is None:
        return ""
    return str(value)


def job_display_name(job_id_or_name: str, matrix_leg: dict[str, Any] | None) -> str:
    """GitHub's display name for one matrix leg: ``build (3.11, ubuntu)``.

    ``matrix_leg`` is a leg from ``expand_matrix`` (its ``name_values`` are used) or any mapping
    (all its scalar leaves are used). Empty segments are skipped; an empty leg gives the name
    unchanged; results longer than 100 characters end in ``...`` (JobNameBuilder.cs).
    """
    if not matrix_leg:
        values: list[Any] = []
    else:
        values = getattr(matrix_leg, "name_values", None) or _leaves(dict(matrix_leg))
    segments = [s for s in (format_segment(v) for v in values) if s]
    name = f"{job_id_or_name} ({', '.join(segments)})" if segments else job_id_or_name
    if len(name) > MAX_NAME_LENGTH:
        name = name[: MAX_NAME_LENGTH - 3] + "..."
    return name
