"""``case(pred1, val1, pred2, val2, …, default)``.

GitHub: ``expressions/src/funcs/case.ts``. An odd number of arguments, at least three (checked
by the parser). Predicates must be booleans, not merely truthy.
"""

from __future__ import annotations

from typing import Any

from . import CallContext, FunctionError, FunctionInfo


def call(args: list[Any], context: CallContext) -> Any:
    """The value paired with the first ``true`` predicate, else the last argument.

    Raises ``case predicate must evaluate to a boolean value`` for a non-boolean predicate
    met before a match.
    """
    for i in range(0, len(args) - 1, 2):
        predicate = args[i]
        if type(predicate) is not bool:
            raise FunctionError("case predicate must evaluate to a boolean value")
        if predicate:
            return args[i + 1]
    return args[-1]


INFO = FunctionInfo("case", 3, 2**53 - 1, call, odd_args=True)
