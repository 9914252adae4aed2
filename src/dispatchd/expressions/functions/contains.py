"""``contains(search, item)``.

GitHub: ``expressions/src/funcs/contains.ts``, ``Sdk/Functions/Contains.cs``.
"""

from __future__ import annotations

from typing import Any

from ..coercion import ARRAY, equals, is_primitive, kind_of, to_string, upper_special
from . import CallContext, FunctionInfo


def call(args: list[Any], context: CallContext) -> bool:
    """A primitive ``search`` is searched for the string form of a primitive ``item``
    (case-insensitive substring; ``''`` is always found). An array ``search`` (also a filtered
    one) contains ``item`` if any element is loosely equal (``==``) to it. Anything else: false.
    """
    search, item = args
    if is_primitive(search):
        if not is_primitive(item):
            return False
        return upper_special(to_string(item)) in upper_special(to_string(search))
    if kind_of(search) == ARRAY:
        return any(equals(item, element) for element in search)
    return False


INFO = FunctionInfo("contains", 2, 2, call)
