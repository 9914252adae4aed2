"""Load-time checks of ``${{ }}`` expressions: syntax, and which contexts/functions a key allows.

GitHub validates every expression when it reads the file, against the ``context`` list of the
schema definition the expression sits in (``ExpressionToken.validateExpression`` in
actions/languageservices ``workflow-parser/src/templates/tokens/expression-token.ts``): a list
such as ``["github", "inputs", "vars", "needs", "always(0,0)", "success(0,MAX)"]`` — bare names
are the named values allowed, ``name(min,max)`` the extra functions with their arity (job-level
``success()`` takes job ids, step-level does not). Parsing is ``dispatchd.expressions``'.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from dispatchd.expressions import ExpressionError
from dispatchd.expressions.functions import BUILTINS, FunctionInfo
from dispatchd.expressions.parser import parse_tokens

_FUNC_SPEC = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\((\d+),(\d+|MAX)\)$")
#: ``MAX`` in a schema arity: as many arguments as an expression can hold.
_MAX_ARGS = 2**31 - 1


class ExpressionProblem(Exception):
    """An expression GitHub's parser would reject; ``str()`` is GitHub's full message."""


def split_context(allowed: Sequence[str]) -> tuple[frozenset[str], dict[str, tuple[int, int]]]:
    """Schema context list -> (lower-case named values, {lower-case function: (min, max)})."""
    names: set[str] = set()
    functions: dict[str, tuple[int, int]] = {}
    for item in allowed:
        match = _FUNC_SPEC.match(item)
        if match:
            high = _MAX_ARGS if match.group(3) == "MAX" else int(match.group(3))
            functions[match.group(1).lower()] = (int(match.group(2)), high)
        else:
            names.add(item.lower())
    return frozenset(names), functions


def _never_called(args: Any, context: Any) -> Any:  # pragma: no cover - load-time parsing only
    raise RuntimeError("functions are not evaluated while loading a workflow")


@lru_cache(maxsize=64)
def _environment(allowed: tuple[str, ...]) -> tuple[frozenset[str], dict[str, FunctionInfo]]:
    names, extra = split_context(allowed)
    functions = dict(BUILTINS)
    for name, (low, high) in extra.items():
        functions[name] = FunctionInfo(name, low, high, _never_called)
    return names, functions


def check_expression(expression: str, allowed: Sequence[str]) -> None:
    """Raise ``ExpressionProblem`` when ``expression`` (the text inside ``${{ }}``) would not load.

    ``allowed`` is the schema context list for the key (see the module doc). The message is
    GitHub's, e.g. ``Unrecognized named-value: 'env'. Located at position 1 within expression: env``.
    """
    names, functions = _environment(tuple(allowed))
    try:
        parse_tokens(expression, names, functions)
    except ExpressionError as error:
        raise ExpressionProblem(str(error)) from None
