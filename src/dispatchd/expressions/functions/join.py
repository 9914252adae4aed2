"""``join(array, separator=',')``.

GitHub: ``expressions/src/funcs/join.ts``, ``Sdk/Functions/Join.cs``.
"""

from __future__ import annotations

from typing import Any

from ..coercion import ARRAY, is_primitive, kind_of, to_string
from . import CallContext, FunctionInfo


def call(args: list[Any], context: CallContext) -> str:
    """A primitive → its string form; an array → its elements' string forms joined by the
    separator (used only when it is a primitive, else ``,``); an object → ``''``."""
    items = args[0]
    if is_primitive(items):
        return to_string(items)
    if kind_of(items) != ARRAY:
        return ""
    separator = ","
    if len(args) > 1 and is_primitive(args[1]):
        separator = to_string(args[1])
    return context.account(separator.join(to_string(item) for item in items))


INFO = FunctionInfo("join", 1, 2, call)
