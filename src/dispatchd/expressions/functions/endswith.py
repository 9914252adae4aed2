"""``endsWith(searchString, searchValue)``.

GitHub: ``expressions/src/funcs/endswith.ts``, ``Sdk/Functions/EndsWith.cs``.
"""

from __future__ import annotations

from typing import Any

from ..coercion import is_primitive, to_string, upper_special
from . import CallContext, FunctionInfo


def call(args: list[Any], context: CallContext) -> bool:
    """Case-insensitive suffix test on the string forms; false unless both are primitives."""
    left, right = args
    if not (is_primitive(left) and is_primitive(right)):
        return False
    return upper_special(to_string(left)).endswith(upper_special(to_string(right)))


INFO = FunctionInfo("endsWith", 2, 2, call)
