"""``format(fmt, arg0, arg1, …)``.

GitHub: ``expressions/src/funcs/format.ts`` (ported step for step), ``Sdk/Functions/Format.cs``.
A format string is scanned once and the scan cached: ``${{ }}`` templates become ``format()``
calls with the same format string every time they are evaluated.
"""

from __future__ import annotations

import functools
from typing import Any

from ..coercion import to_string
from . import CallContext, FunctionError, FunctionInfo

#: A scanned format string: literal text (str) and argument indexes (int), in order; a final
#: ``None`` marks the point where the scan met an invalid brace.
_Pieces = tuple[str | int | None, ...]


@functools.lru_cache(maxsize=4096)
def _scan(fs: str) -> _Pieces:
    pieces: list[str | int | None] = []
    index = 0
    length = len(fs)
    while index < length:
        lbrace = fs.find("{", index)
        rbrace = fs.find("}", index)
        if lbrace >= 0 and (rbrace < 0 or rbrace > lbrace):
            if fs.startswith("{", lbrace + 1):  # escaped left brace
                pieces.append(fs[index : lbrace + 1])
                index = lbrace + 2
                continue
            if rbrace > lbrace + 1:
                digits_end = lbrace + 1
                while digits_end < length and "0" <= fs[digits_end] <= "9":
                    digits_end += 1
                if digits_end > lbrace + 1:
                    pieces.append(fs[index:lbrace])
                    pieces.append(int(fs[lbrace + 1 : digits_end]))
                    index = rbrace + 1
                    continue
            pieces.append(None)
            break
        if rbrace >= 0:
            if fs.startswith("}", rbrace + 1):  # escaped right brace
                pieces.append(fs[index : rbrace + 1])
                index = rbrace + 2
                continue
            pieces.append(None)
            break
        pieces.append(fs[index:])
        break
    return tuple(p for p in pieces if p != "")


def call(args: list[Any], context: CallContext) -> str:
    """Replace ``{N}`` in the string form of ``fmt`` by the string form of argument N;
    ``{{`` and ``}}`` are literal braces.

    Raises ``The following format string is invalid: <fmt>`` for a ``{`` not followed by digits
    and a ``}``, or a lone ``}``; ``The following format string references more arguments than
    were supplied: <fmt>`` when N ≥ the number of arguments after ``fmt`` (whichever the
    left-to-right scan meets first). As in the TypeScript evaluator, text between the digits and
    the closing ``}`` (a C# format specifier such as ``{0:x}``) is ignored.
    """
    fs = to_string(args[0])
    supplied = len(args) - 1
    out: list[str] = []
    for piece in _scan(fs):
        if isinstance(piece, str):
            out.append(piece)
        elif isinstance(piece, int):
            if piece >= supplied:
                raise FunctionError(
                    f"The following format string references more arguments than were supplied: {fs}"
                )
            out.append(to_string(args[1 + piece]))
        else:
            raise FunctionError(f"The following format string is invalid: {fs}")
    return context.account("".join(out))


INFO = FunctionInfo("format", 1, 255, call)
