"""``format(fmt, arg0, arg1, …)``.

GitHub: ``expressions/src/funcs/format.ts`` (ported step for step), ``Sdk/Functions/Format.cs``.
"""

from __future__ import annotations

from typing import Any

from ..coercion import to_string
from . import CallContext, FunctionError, FunctionInfo


def call(args: list[Any], context: CallContext) -> str:
    """Replace ``{N}`` in the string form of ``fmt`` by the string form of argument N;
    ``{{`` and ``}}`` are literal braces.

    Raises ``The following format string is invalid: <fmt>`` for a ``{`` not followed by digits
    and a ``}``, or a lone ``}``; ``The following format string references more arguments than
    were supplied: <fmt>`` when N ≥ the number of arguments after ``fmt``. As in the TypeScript
    evaluator, text between the digits and the closing ``}`` (a C# format specifier such as
    ``{0:x}``) is ignored.
    """
    fs = to_string(args[0])
    out: list[str] = []
    index = 0
    length = len(fs)
    while index < length:
        lbrace = fs.find("{", index)
        rbrace = fs.find("}", index)
        if lbrace >= 0 and (rbrace < 0 or rbrace > lbrace):
            if fs.startswith("{", lbrace + 1):  # escaped left brace
                out.append(fs[index : lbrace + 1])
                index = lbrace + 2
                continue
            if rbrace > lbrace + 1:
                digits_end = lbrace + 1
                while digits_end < length and "0" <= fs[digits_end] <= "9":
                    digits_end += 1
                if digits_end > lbrace + 1:
                    arg_index = int(fs[lbrace + 1 : digits_end])
                    if 1 + arg_index > len(args) - 1:
                        raise FunctionError(
                            f"The following format string references more arguments than were supplied: {fs}"
                        )
                    out.append(fs[index:lbrace])
                    out.append(to_string(args[1 + arg_index]))
                    index = rbrace + 1
                    continue
            raise FunctionError(f"The following format string is invalid: {fs}")
        if rbrace >= 0:
            if fs.startswith("}", rbrace + 1):  # escaped right brace
                out.append(fs[index : rbrace + 1])
                index = rbrace + 2
                continue
            raise FunctionError(f"The following format string is invalid: {fs}")
        out.append(fs[index:])
        break
    return context.account("".join(out))


INFO = FunctionInfo("format", 1, 255, call)
