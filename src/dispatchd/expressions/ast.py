"""Syntax tree of an expression, and small read-only queries over it.

GitHub: ``actions/languageservices: expressions/src/ast.ts``. Every node keeps the token it
came from (``token.offset`` is its 0-based position in the expression).

The workflow validator uses :func:`named_values` and :func:`function_names` to learn which
contexts and functions an expression refers to without evaluating it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .lexer import Token

__all__ = [
    "Binary",
    "ContextAccess",
    "FunctionCall",
    "Grouping",
    "IndexAccess",
    "Literal",
    "Logical",
    "Node",
    "Star",
    "Unary",
    "function_names",
    "named_values",
    "walk",
]


class Node:
    """Base class of all syntax-tree nodes."""

    __slots__ = ()

    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(slots=True, eq=False)
class Literal(Node):
    """``null``, ``true``, a number (always ``float``) or a string."""

    value: Any
    token: Token


@dataclass(slots=True, eq=False)
class ContextAccess(Node):
    """A top-level named value such as ``github`` (``name`` as written; matched case-insensitively)."""

    name: str
    token: Token


@dataclass(slots=True, eq=False)
class Star(Node):
    """The ``*`` of ``x.*`` or ``x[*]``."""


@dataclass(slots=True, eq=False)
class IndexAccess(Node):
    """``expr[index]``; ``expr.name`` is ``expr['name']`` with a :class:`Literal` index."""

    expr: Node
    index: Node

    def children(self) -> tuple[Node, ...]:
        return (self.expr, self.index)


@dataclass(slots=True, eq=False)
class Grouping(Node):
    """``( expr )``."""

    group: Node

    def children(self) -> tuple[Node, ...]:
        return (self.group,)


@dataclass(slots=True, eq=False)
class Unary(Node):
    """``!expr``."""

    operator: Token
    expr: Node

    def children(self) -> tuple[Node, ...]:
        return (self.expr,)


@dataclass(slots=True, eq=False)
class Binary(Node):
    """``left <op> right`` for ``== != < <= > >=``; ``operator.lexeme`` is the operator."""

    left: Node
    operator: Token
    right: Node

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(slots=True, eq=False)
class Logical(Node):
    """``a && b && …`` or ``a || b || …`` (n-ary; ``operator.lexeme`` is ``&&`` or ``||``)."""

    operator: Token
    args: list[Node]

    def children(self) -> tuple[Node, ...]:
        return tuple(self.args)


@dataclass(slots=True, eq=False)
class FunctionCall(Node):
    """``name(args…)``; ``name`` as written (functions are matched case-insensitively)."""

    name: str
    args: list[Node]
    token: Token

    def children(self) -> tuple[Node, ...]:
        return tuple(self.args)


def walk(node: Node | None) -> Iterator[Node]:
    """Every node of the tree, parents before children (iterative: long ``==`` chains are deep)."""
    if node is None:
        return
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children()))


def named_values(node: Node | None) -> set[str]:
    """Lower-cased names of the contexts an expression reads, e.g. ``{"github", "needs"}``."""
    return {n.name.lower() for n in walk(node) if isinstance(n, ContextAccess)}


def function_names(node: Node | None) -> set[str]:
    """Lower-cased names of the functions an expression calls, e.g. ``{"success", "contains"}``."""
    return {n.name.lower() for n in walk(node) if isinstance(n, FunctionCall)}
