"""Load-time checks of ``${{ }}`` expressions: syntax, and which contexts/functions a key allows.

GitHub validates every expression when it reads the file, against the ``context`` list of the
schema definition the expression sits in (``ExpressionToken.validateExpression`` in
actions/languageservices ``workflow-parser/src/templates/tokens/expression-token.ts``): a list
such as ``["github", "inputs", "vars", "needs", "always(0,0)", "success(0,MAX)"]`` — bare names
are the named values allowed, ``name(min,max)`` the extra functions with their arity.

The parsing itself belongs to ``dispatchd.expressions``; when its ``parse`` is importable it is
used (and gives GitHub's exact syntax errors). Otherwise a token scan here still reports the
two errors that matter most for validation, ``Unrecognized named-value`` and ``Unrecognized
function``, with GitHub's texts and positions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

#: Functions every expression may call (actions/languageservices ``expressions/src/funcs.ts``).
BUILTIN_FUNCTIONS = ("contains", "startswith", "endswith", "format", "join", "tojson", "fromjson", "case")
_LITERAL_WORDS = ("true", "false", "null", "nan", "infinity")
_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<str>'(?:[^']|'')*'?)
      | (?P<num>[+-]?(?:0x[0-9a-fA-F]+|0o[0-7]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?))
      | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
      | (?P<op>==|!=|<=|>=|&&|\|\||[<>!()\[\],.*])
      | (?P<bad>.)""",
    re.VERBOSE,
)
_FUNC_SPEC = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\((\d+),(\d+|MAX)\)$")


class ExpressionProblem(Exception):
    """An expression GitHub's parser would reject; ``str()`` is GitHub's full message."""


def split_context(allowed: Sequence[str]) -> tuple[set[str], dict[str, tuple[int, int]]]:
    """Schema context list -> (lower-case named values, {lower-case function: (min, max)})."""
    names: set[str] = set()
    functions: dict[str, tuple[int, int]] = {}
    for item in allowed:
        match = _FUNC_SPEC.match(item)
        if match:
            high = 2**31 - 1 if match.group(3) == "MAX" else int(match.group(3))
            functions[match.group(1).lower()] = (int(match.group(2)), high)
        else:
            names.add(item.lower())
    return names, functions


def _external_parser() -> Callable[[str, Sequence[str]], None] | None:
    """A checker built on ``dispatchd.expressions``' parser, or None while it is unavailable.

    The parser is given exactly the schema's functions and arities (job-level ``success()``
    takes job ids, step-level does not), which the public ``parse`` flags cannot express.
    """
    try:
        from dispatchd.expressions.functions import BUILTINS, FunctionInfo
        from dispatchd.expressions.parser import parse_tokens
    except ImportError:
        return None

    def unavailable(args: Any, context: Any) -> Any:  # pragma: no cover - never evaluated here
        raise RuntimeError("load-time check only")

    def check(expression: str, allowed: Sequence[str]) -> None:
        names, extra = split_context(allowed)
        functions = dict(BUILTINS)
        for name, (low, high) in extra.items():
            functions[name] = FunctionInfo(name, low, high, unavailable)
        parse_tokens(expression, names, functions)

    return check


def check_expression(expression: str, allowed: Sequence[str]) -> None:
    """Raise ``ExpressionProblem`` when ``expression`` (text inside ``${{ }}``) would not load.

    ``allowed`` is the schema context list for the key (see module doc).
    """
    check = _external_parser()
    if check is None:
        _scan(expression, allowed)
        return
    try:
        check(expression, allowed)
    except Exception as exc:  # ExpressionError carries GitHub's message and position
        raise ExpressionProblem(str(exc)) from None


def _scan(expression: str, allowed: Sequence[str]) -> None:
    names, functions = split_context(allowed)
    tokens = [(m.lastgroup, m.group(), m.start()) for m in _TOKEN.finditer(expression) if m.lastgroup != "ws"]
    for index, (kind, text, offset) in enumerate(tokens):
        where = f"Located at position {offset + 1} within expression: {expression}"
        if kind == "bad" or (kind == "str" and (len(text) < 2 or not text.endswith("'"))):
            if kind == "str":
                raise ExpressionProblem(f"Unexpected symbol: '{text}'. {where}")
            raise ExpressionProblem(f"Unexpected symbol: '{expression[offset:].split()[0]}'. {where}")
        if kind != "word":
            continue
        previous = tokens[index - 1][1] if index else ""
        following = tokens[index + 1][1] if index + 1 < len(tokens) else ""
        if previous == ".":
            continue  # a property name, not a named value
        lowered = text.lower()
        if following == "(":
            if lowered not in BUILTIN_FUNCTIONS and lowered not in functions:
                raise ExpressionProblem(f"Unrecognized function: '{text}'. {where}")
            continue
        if lowered in _LITERAL_WORDS:
            continue
        if lowered not in names:
            raise ExpressionProblem(f"Unrecognized named-value: '{text}'. {where}")


def condition_expression(value: Any) -> str | None:
    """The expression text of an ``if:`` value, as GitHub's converter reads it
    (workflow-parser ``model/converter/if-condition.ts``): a whole ``${{ x }}`` gives ``x``, a
    bare string is itself an expression, a string mixing text and ``${{ }}`` is a literal (always
    truthy, nothing to check) and booleans/numbers/null are literals."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if "${{" not in text:
        return text
    if text.startswith("${{") and text.endswith("}}") and text.count("${{") == 1:
        return text[3:-2].strip()
    return None
