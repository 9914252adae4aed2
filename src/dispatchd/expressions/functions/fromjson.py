"""``fromJSON(value)``.

GitHub: ``expressions/src/funcs/fromjson.ts`` (``JSON.parse``), ``Sdk/Functions/FromJson.cs``.
"""

from __future__ import annotations

import json
from typing import Any

from ..coercion import JS_WHITESPACE, to_string
from . import CallContext, FunctionError, FunctionInfo

_MESSAGE = "Error parsing JSON when evaluating fromJson"


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN and Infinity; JSON (and JSON.parse) does not.
    raise ValueError(f"invalid JSON constant {name}")


def _number(text: str) -> float | int:
    # JSON numbers are doubles (JSON.parse); whole ones come back as ints so that callers
    # printing them with str() see "5", not "5.0" (a matrix from fromJSON, say).
    value = float(text)
    if (
        value.is_integer()
        and abs(value) < 9007199254740992.0
        and not (value == 0 and text.lstrip().startswith("-"))
    ):
        return int(value)
    return value


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # JSON.parse keeps the last of duplicate keys; GitHub's dictionary then keeps the first of
    # keys that differ only by case ({"a":1,"A":2}.a is 1).
    exact: dict[str, Any] = {}
    for key, value in pairs:
        exact[key] = value
    if len(exact) < 2:
        return exact
    result: dict[str, Any] = {}
    seen: set[str] = set()
    for key, value in exact.items():
        lower = key.lower()
        if lower not in seen:
            seen.add(lower)
            result[key] = value
    return result


_DECODER = json.JSONDecoder(
    object_pairs_hook=_object, parse_int=_number, parse_float=_number, parse_constant=_reject_constant
)


def call(args: list[Any], context: CallContext) -> Any:
    """Parse the string form of ``value`` as strict JSON (any JSON value at top level).

    Numbers are doubles: whole ones within 2**53 are returned as ``int``, others as ``float``
    (``-0`` stays a float). Raises ``empty input`` for blank text and
    ``Error parsing JSON when evaluating fromJson`` for anything that is not JSON (including
    ``NaN``, trailing commas, comments, trailing text, nesting Python cannot recurse into).
    """
    text = to_string(args[0])
    if not text.strip(JS_WHITESPACE):
        raise FunctionError("empty input")
    context.account(text)
    try:
        value = _DECODER.decode(text)
    except (ValueError, RecursionError) as e:
        raise FunctionError(_MESSAGE) from e
    return value


INFO = FunctionInfo("fromJSON", 1, 1, call)
