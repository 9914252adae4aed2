"""``${{ }}`` templates: finding expressions in a string and rewriting it into one expression.

GitHub: ``actions/languageservices: workflow-parser/src/templates/template-reader.ts``
(``parseScalar``): a scalar holding exactly one ``${{ expr }}`` *is* that expression (its value
keeps its type); a scalar mixing text and expressions becomes one ``format()`` call,
``'Hello ${{ a }}!'`` → ``format('Hello {0}!', a)``, so every value is printed with the
string rules of :func:`dispatchd.expressions.coercion.to_string`.

The rewrites are cached per template text (a workflow's templates are evaluated many times).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from .errors import ExpressionError

__all__ = [
    "CLOSE",
    "OPEN",
    "Segment",
    "find_expressions",
    "has_expression",
    "is_single_expression",
    "single_expression",
    "split_template",
    "to_expression",
]

OPEN = "${{"
CLOSE = "}}"
_NOT_CLOSED = (
    "The expression is not closed. An unescaped ${{ sequence was found, "
    "but the closing }} sequence was not found."
)


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a template: literal ``text``, or an ``expression`` (trimmed, without braces).

    ``start``/``end`` are the piece's 0-based offsets in the template (an expression's span
    includes its ``${{`` and ``}}``).
    """

    text: str | None
    expression: str | None
    start: int
    end: int


def has_expression(template: str) -> bool:
    """Whether the string contains ``${{`` at all (cheap pre-check)."""
    return OPEN in template


def split_template(template: str) -> list[Segment]:
    """Split a template into literal and expression segments, in order.

    The closing ``}}`` is the first one outside single-quoted strings (a ``'`` toggles; ``''``
    toggles twice). Raises ``ExpressionError`` (kind ``"parsing"``, position of the ``${{``):
    ``The expression is not closed. …`` or ``An expression was expected`` for ``${{ }}``.
    """
    segments: list[Segment] = []
    start = template.find(OPEN)
    i = 0
    n = len(template)
    while i < n:
        if start < 0:
            segments.append(Segment(template[i:], None, i, n))
            break
        if i < start:
            segments.append(Segment(template[i:start], None, i, start))
        end = -1
        in_string = False
        j = start + len(OPEN)
        while j < n:
            c = template[j]
            if c == "'":
                in_string = not in_string
            elif not in_string and c == "}" and template[j - 1] == "}":
                end = j
                break
            j += 1
        if end < 0:
            raise ExpressionError("parsing", _NOT_CLOSED, start + 1, template)
        expression = template[start + len(OPEN) : end - 1].strip()
        if not expression:
            raise ExpressionError("parsing", "An expression was expected", start + 1, template)
        segments.append(Segment(None, expression, start, end + 1))
        i = end + 1
        start = template.find(OPEN, i)
    return segments


def find_expressions(template: str) -> list[str]:
    """The expressions of a template, trimmed and without braces, in order.

    ``"a ${{ x }} b ${{ y.z }}"`` → ``["x", "y.z"]``. Errors as :func:`split_template`.
    """
    return [s.expression for s in split_template(template) if s.expression is not None]


@functools.lru_cache(maxsize=4096)
def single_expression(template: str) -> str | None:
    """The expression when the template is exactly one ``${{ expr }}`` (blank space around it
    allowed), else ``None``. Errors as :func:`split_template`."""
    if OPEN not in template:
        return None
    segments = [s for s in split_template(template) if s.expression is not None or s.text.strip()]  # type: ignore[union-attr]
    if len(segments) == 1 and segments[0].expression is not None:
        return segments[0].expression
    return None


def is_single_expression(template: str) -> bool:
    """Whether :func:`single_expression` finds one expression (the value then keeps its type)."""
    return single_expression(template) is not None


def _escape(text: str) -> str:
    return text.replace("'", "''").replace("{", "{{").replace("}", "}}")


@functools.lru_cache(maxsize=4096)
def to_expression(template: str, *, force_format: bool = False) -> str | None:
    """The one expression GitHub evaluates for a template, or ``None`` if it has no ``${{``.

    ``"${{ a }}"`` → ``"a"``; ``"x ${{ a }} ${{ b }}"`` → ``"format('x {0} {1}', a, b)"``;
    with ``force_format`` a lone expression is wrapped too (``"format('{0}', a)"``), which
    makes the result a string.
    """
    if OPEN not in template:
        return None
    segments = split_template(template)
    if len(segments) == 1 and segments[0].expression is not None and not force_format:
        return segments[0].expression
    parts: list[str] = []
    args: list[str] = []
    for s in segments:
        if s.expression is None:
            parts.append(_escape(s.text or ""))
        else:
            parts.append("{" + str(len(args)) + "}")
            args.append(s.expression)
    return "format('" + "".join(parts) + "'" + "".join(", " + a for a in args) + ")"
