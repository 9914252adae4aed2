"""Evaluator: a syntax tree compiled once into nested closures, then run against contexts.

GitHub: ``actions/languageservices: expressions/src/evaluator.ts`` (node semantics),
``idxHelper.ts`` and ``filtered_array.ts`` (index access and ``.*`` filters).

A compiled expression is a function ``run(contexts, call_context) -> value`` where ``contexts``
maps *lower-case* context names to their values. Compiling once makes the per-evaluation
cost a few Python calls per node (see bench/bench_expressions.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from .ast import (
    Binary,
    ContextAccess,
    FunctionCall,
    Grouping,
    IndexAccess,
    Literal,
    Logical,
    Node,
    Star,
    Unary,
)
from .coercion import (
    ARRAY,
    MISSING,
    OBJECT,
    FilteredArray,
    equals,
    get_property,
    greater_than,
    kind_of,
    less_than,
    to_number,
    to_string,
    truthy,
    upper_special,
)
from .functions import CallContext, FunctionInfo

__all__ = ["Compiled", "compile_tree"]

#: ``run(contexts_by_lower_name, call_context) -> value``
Compiled = Callable[[Mapping[str, Any], CallContext], Any]


def compile_tree(node: Node | None, functions: Mapping[str, FunctionInfo]) -> Compiled:
    """Compile a tree from the parser; ``None`` (empty expression) compiles to null."""
    if node is None:
        return lambda c, x: None
    return _compile(node, functions)


def _compile(node: Node, functions: Mapping[str, FunctionInfo]) -> Compiled:
    if isinstance(node, Literal):
        value = node.value
        return lambda c, x: value
    if isinstance(node, ContextAccess):
        name = node.name.lower()
        return lambda c, x: c.get(name)
    if isinstance(node, IndexAccess) and _property_path(node) is not None:
        return _compile_path(*_property_path(node))  # type: ignore[misc]
    if isinstance(node, Grouping):
        return _compile(node.group, functions)
    if isinstance(node, Unary):
        operand = _compile(node.expr, functions)
        return lambda c, x: not truthy(operand(c, x))
    if isinstance(node, Binary):
        return _compile_binary(node, functions)
    if isinstance(node, Logical):
        return _compile_logical(node, functions)
    if isinstance(node, IndexAccess):
        return _compile_index(node, functions)
    if isinstance(node, FunctionCall):
        info = functions[node.name.lower()]
        call = info.call
        args = [_compile(a, functions) for a in node.args]
        return lambda c, x: call([a(c, x) for a in args], x)
    raise TypeError(f"cannot compile {type(node).__name__}")  # parser never builds one


def _property_path(node: IndexAccess) -> tuple[str, list[str]] | None:
    """``ctx.a.b.c`` (only names, no ``*`` or ``[…]``) as ``("ctx", ["a", "b", "c"])``."""
    keys: list[str] = []
    current: Node = node
    while isinstance(current, IndexAccess):
        index = current.index
        if not (isinstance(index, Literal) and type(index.value) is str and _is_name(index)):
            return None
        keys.append(index.value)
        current = current.expr
    if not isinstance(current, ContextAccess):
        return None
    keys.reverse()
    return current.name.lower(), keys


def _is_name(literal: Literal) -> bool:
    # `.name` (an identifier token), not `['name']`: both behave the same, but only a name
    # can never be read as an array position, which the fused path relies on.
    return bool(literal.token.lexeme == literal.value)


def _compile_path(name: str, keys: list[str]) -> Compiled:
    """One closure for a whole ``ctx.a.b.c`` chain: the hot path of real workflows."""
    steps = [(k, k.lower()) for k in keys]

    def run(c: Mapping[str, Any], x: CallContext) -> Any:
        obj = c.get(name)
        for key, key_lower in steps:
            if type(obj) is dict:
                v = obj.get(key, MISSING)
                if v is MISSING:
                    v = get_property(obj, key, key_lower)
                obj = None if v is MISSING else v
            else:
                obj = _access(obj, key, None)
        return obj

    return run


def _equal(a: Any, b: Any) -> bool:
    if type(a) is str and type(b) is str and a == b:
        return True
    return equals(a, b)


_BINARY: dict[str, Callable[[Any, Any], bool]] = {
    "==": _equal,
    "!=": lambda a, b: not equals(a, b),
    ">": greater_than,
    "<": less_than,
    ">=": lambda a, b: equals(a, b) or greater_than(a, b),
    "<=": lambda a, b: equals(a, b) or less_than(a, b),
}


def _compile_binary(node: Binary, functions: Mapping[str, FunctionInfo]) -> Compiled:
    # Comparison chains are left-deep and not depth-limited by GitHub's parser (`a == b == c …`
    # may be thousands long within 21,000 characters): walk the spine iteratively.
    chain: list[tuple[Callable[[Any, Any], bool], Node]] = []
    left: Node = node
    while isinstance(left, Binary):
        chain.append((_BINARY[left.operator.lexeme], left.right))
        left = left.left
    chain.reverse()
    if len(chain) == 1 and chain[0][0] in (_equal, _BINARY["!="]):
        right_node = chain[0][1]
        positive = chain[0][0] is _equal
        # (compare with None: '' is a literal too)
        if (literal := _string_literal(right_node)) is not None:
            return _compile_string_equality(_compile(left, functions), literal, positive)
        if (literal := _string_literal(left)) is not None:
            return _compile_string_equality(_compile(right_node, functions), literal, positive)
    first = _compile(left, functions)
    steps = [(op, _compile(right, functions)) for op, right in chain]
    if len(steps) == 1:
        op, right = steps[0]
        return lambda c, x: op(first(c, x), right(c, x))

    def run(c: Mapping[str, Any], x: CallContext) -> Any:
        value = first(c, x)
        for op, right in steps:
            value = op(value, right(c, x))
        return value

    return run


def _string_literal(node: Node) -> str | None:
    if isinstance(node, Literal) and type(node.value) is str:
        return node.value
    return None


def _compile_string_equality(other: Compiled, literal: str, positive: bool) -> Compiled:
    """``x == 'lit'`` / ``x != 'lit'`` with the literal folded once at compile time."""
    folded = upper_special(literal)

    def run(c: Mapping[str, Any], x: CallContext) -> bool:
        v = other(c, x)
        if type(v) is str:
            same = v == literal or upper_special(v) == folded
        else:
            same = equals(v, literal)
        return same if positive else not same

    return run


def _compile_logical(node: Logical, functions: Mapping[str, FunctionInfo]) -> Compiled:
    args = [_compile(a, functions) for a in node.args]
    if node.operator.lexeme == "&&":
        if len(args) == 2:
            a0, a1 = args
            # `v is True` first: conditions are mostly booleans, and it spares a call.
            return lambda c, x: a1(c, x) if (v := a0(c, x)) is True or truthy(v) else v

        def run_and(c: Mapping[str, Any], x: CallContext) -> Any:
            value = None
            for a in args:
                value = a(c, x)
                if not truthy(value):
                    break
            return value

        return run_and
    if len(args) == 2:
        b0, b1 = args
        return lambda c, x: v if (v := b0(c, x)) is True or truthy(v) else b1(c, x)

    def run_or(c: Mapping[str, Any], x: CallContext) -> Any:
        value = None
        for a in args:
            value = a(c, x)
            if truthy(value):
                break
        return value

    return run_or


def _compile_index(node: IndexAccess, functions: Mapping[str, FunctionInfo]) -> Compiled:
    target = _compile(node.expr, functions)
    index = node.index
    if isinstance(index, Star):
        return lambda c, x: _star(target(c, x))
    if isinstance(index, Literal) and type(index.value) is str:
        key = index.value
        key_lower = key.lower()
        position = _position(key)  # x['1'] reads an array's element 1

        def prop(c: Mapping[str, Any], x: CallContext) -> Any:
            obj = target(c, x)
            if type(obj) is dict:  # the common case: a context's property
                v = obj.get(key, MISSING)
                if v is MISSING:
                    v = get_property(obj, key, key_lower)
                return None if v is MISSING else v
            return _access(obj, key, position)

        return prop
    index_run = _compile(index, functions)

    def item(c: Mapping[str, Any], x: CallContext) -> Any:
        i = index_run(c, x)  # GitHub evaluates the index before the object
        obj = target(c, x)
        key = to_string(i) if kind_of(i) < ARRAY else None
        return _access(obj, key, _position(i))

    return item


def _position(index: Any) -> int | None:
    """An index as an array position: its number form, floored; None if NaN, infinite or < 0."""
    number = to_number(index)
    return math.floor(number) if math.isfinite(number) and number >= 0 else None


def _access(obj: Any, key: str | None, position: int | None) -> Any:
    """``obj[key or position]`` (``.name`` passes only ``key``; ``position`` for arrays)."""
    kind = kind_of(obj)
    if kind == OBJECT:
        if key is None:
            return None
        v = get_property(obj, key)
        return None if v is MISSING else v
    if kind != ARRAY:
        return None
    if isinstance(obj, FilteredArray):
        result = FilteredArray()
        for element in obj:
            ek = kind_of(element)
            if ek == OBJECT:
                if key is not None:
                    v = get_property(element, key)
                    if v is not MISSING:
                        result.append(v)
            elif ek == ARRAY and position is not None and position < len(element):
                result.append(element[position])
        return result
    if position is not None and position < len(obj):
        return obj[position]
    return None


def _star(obj: Any) -> FilteredArray:
    kind = kind_of(obj)
    if kind == OBJECT:
        return FilteredArray(obj.values())
    if kind != ARRAY:
        return FilteredArray()
    if isinstance(obj, FilteredArray):
        result = FilteredArray()
        for element in obj:
            ek = kind_of(element)
            if ek == OBJECT:
                result.extend(element.values())
            elif ek == ARRAY:
                result.extend(element)
        return result
    return FilteredArray(obj)
