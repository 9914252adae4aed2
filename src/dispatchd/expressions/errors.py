"""Expression errors and the limits GitHub enforces on expressions.

GitHub: ``actions/languageservices: expressions/src/errors.ts`` (TypeScript) and
``actions/runner: src/Sdk/DTExpressions2/Expressions2/ParseException.cs`` (C#).
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPRESSION_LENGTH",
    "MAX_MEMORY_BYTES",
    "ErrorKind",
    "ExpressionError",
]

#: Longest expression text accepted (characters). GitHub: ``MAX_EXPRESSION_LENGTH``.
MAX_EXPRESSION_LENGTH = 21000
#: Deepest nesting the parser accepts. GitHub: ``MAX_PARSER_DEPTH``.
MAX_DEPTH = 50
#: Bytes of string data one evaluation may build (the C# runner's ``ExpressionConstants``
#: memory budget, 1 MiB; strings count two bytes per character as in .NET).
MAX_MEMORY_BYTES = 1024 * 1024

ErrorKind = Literal["lexing", "parsing", "evaluation"]


class ExpressionError(Exception):
    """A lexing, parsing or evaluation failure of one expression.

    Attributes:
        kind: ``"lexing"``, ``"parsing"`` or ``"evaluation"`` — the stage that failed.
        message: GitHub's description, e.g. ``Unexpected symbol: '='``.
        position: 1-based character offset of the offending token in ``expression``
            (counted across newlines, as GitHub's C# and Go parsers do), or ``None`` for
            evaluation errors, which have no token.
        expression: the expression text.

    ``str(error)`` is GitHub's form:
    ``<message>. Located at position <N> within expression: <expression>``; evaluation errors
    read ``<message>. Located within expression: <expression>`` like the TypeScript harness.
    """

    def __init__(self, kind: ErrorKind, message: str, position: int | None, expression: str) -> None:
        self.kind: ErrorKind = kind
        self.message = message
        self.position = position
        self.expression = expression
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.position is None:
            return f"{self.message}. Located within expression: {self.expression}"
        return f"{self.message}. Located at position {self.position} within expression: {self.expression}"

    def __reduce__(
        self,
    ) -> tuple[
        type[ExpressionError], tuple[str, str, int | None, str]
    ]:  # keep pickling (multiprocessing, logging) working with our signature
        return (type(self), (self.kind, self.message, self.position, self.expression))
