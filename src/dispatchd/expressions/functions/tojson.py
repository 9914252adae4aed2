"""``toJSON(value)``.

GitHub: ``expressions/src/funcs/tojson.ts``: ``JSON.stringify(value, replacer, "  ")``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..coercion import ARRAY, BOOLEAN, NULL, NUMBER, OBJECT, js_number_string, kind_of, to_number, to_string
from . import CallContext, FunctionError, FunctionInfo

_encode_string = json.encoder.py_encode_basestring  # JSON.stringify's escapes: " \\ \b \f \n \r \t \u00xx


def to_json(value: Any, indent: str = "") -> str:
    """Pretty JSON as GitHub prints it: two-space indent, ``": "`` after keys, ``[]``/``{}`` when
    empty, numbers in JavaScript's form (``-0`` → ``0``, NaN/Infinity → ``null``), key order kept.
    """
    kind = kind_of(value)
    if kind == NULL:
        return "null"
    if kind == BOOLEAN:
        return "true" if value else "false"
    if kind == NUMBER:
        x = to_number(value)
        return js_number_string(x) if math.isfinite(x) else "null"
    if kind == ARRAY:
        if not value:
            return "[]"
        inner = indent + "  "
        items = [inner + to_json(v, inner) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    if kind == OBJECT:
        if not value:
            return "{}"
        inner = indent + "  "
        items = [
            inner + _encode_string(k if type(k) is str else to_string(k)) + ": " + to_json(v, inner)
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    return _encode_string(to_string(value))


def call(args: list[Any], context: CallContext) -> str:
    """The pretty JSON text of the argument (see :func:`to_json`)."""
    try:
        text = to_json(args[0])
    except RecursionError as e:  # a self-containing context, or absurdly deep data
        raise FunctionError("The maximum allowed memory size was exceeded") from e
    return context.account(text)


INFO = FunctionInfo("toJSON", 1, 1, call)
