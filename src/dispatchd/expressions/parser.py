"""Parser: tokens → syntax tree, by recursive descent with one method per precedence level.

GitHub: ``actions/languageservices: expressions/src/parser.ts`` (ported method for method,
including where the nesting depth is counted) and ``funcs.ts`` (``validateFunction``).

Precedence, lowest first: ``||``, ``&&``, ``== !=``, ``< <= > >=``, ``!``, member/index access,
then primaries (literals, named values, function calls, groupings).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

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
from .errors import MAX_DEPTH, ExpressionError
from .functions import FunctionInfo
from .lexer import Token, TokenType, lex

__all__ = ["Parser", "parse_tokens"]

T = TokenType
_EQUALITY = (T.BANG_EQUAL, T.EQUAL_EQUAL)
_COMPARISON = (T.GREATER, T.GREATER_EQUAL, T.LESS, T.LESS_EQUAL)


class Parser:
    """Builds the tree for one token list.

    ``names`` are the allowed top-level named values (lower case); ``functions`` maps lower-case
    function names to their :class:`FunctionInfo` (arity). Errors are ``ExpressionError`` of kind
    ``"parsing"`` with GitHub's messages: ``Unexpected symbol``, ``Unexpected end of expression``,
    ``Unrecognized named-value``, ``Unrecognized function``, ``Too few/many parameters supplied``,
    ``Even number of parameters supplied, …``, ``Exceeded max expression depth 50``.
    """

    def __init__(
        self,
        expression: str,
        tokens: list[Token],
        names: Collection[str],
        functions: Mapping[str, FunctionInfo],
    ) -> None:
        self.expression = expression
        self.tokens = tokens
        self.names = names
        self.functions = functions
        self.offset = 0
        self.depth = 0

    # -- entry point -------------------------------------------------------------------------
    def parse(self) -> Node | None:
        """The tree, or ``None`` for an empty expression (which evaluates to null)."""
        if self._at_end():
            return None
        result = self._expression()
        if not self._at_end():
            raise self._error("Unexpected symbol", self._peek())
        return result

    # -- one method per precedence level -----------------------------------------------------
    def _expression(self) -> Node:
        self._enter()
        try:
            return self._logical_or()
        finally:
            self.depth -= 1

    def _logical_or(self) -> Node:
        return self._logical(T.OR, self._logical_and)

    def _logical_and(self) -> Node:
        return self._logical(T.AND, self._equality)

    def _logical(self, operator: TokenType, operand: Callable[[], Node]) -> Node:
        expr = operand()
        if not self._check(operator):
            return expr
        self._enter()
        try:
            node = Logical(self._peek(), [expr])
            while self._match(operator):
                node.args.append(operand())
            return node
        finally:
            self.depth -= 1

    def _equality(self) -> Node:
        expr = self._comparison()
        while self._match(*_EQUALITY):
            operator = self._previous()
            expr = Binary(expr, operator, self._comparison())
        return expr

    def _comparison(self) -> Node:
        expr = self._unary()
        while self._match(*_COMPARISON):
            operator = self._previous()
            expr = Binary(expr, operator, self._unary())
        return expr

    def _unary(self) -> Node:
        if self._match(T.BANG):
            self._enter()
            operator = self._previous()
            try:
                return Unary(operator, self._unary())
            finally:
                self.depth -= 1
        return self._index()

    def _index(self) -> Node:
        expr = self._call()
        if not isinstance(expr, (Grouping, FunctionCall, ContextAccess)):
            return expr  # '…'[0] and 1.x are not accesses: the caller reports the symbol
        entered = 0
        try:
            while True:
                if self._match(T.LEFT_BRACKET):
                    index: Node = Star() if self._match(T.STAR) else self._expression()
                    self._consume(T.RIGHT_BRACKET)
                    self._enter()
                    entered += 1
                    expr = IndexAccess(expr, index)
                elif self._match(T.DOT):
                    self._enter()
                    entered += 1
                    if self._match(T.IDENTIFIER):
                        prop = self._previous()
                        expr = IndexAccess(expr, Literal(prop.lexeme, prop))
                    elif self._match(T.STAR):
                        expr = IndexAccess(expr, Star())
                    else:
                        raise self._error("Unexpected symbol", self._peek())
                else:
                    return expr
        finally:
            self.depth -= entered

    def _call(self) -> Node:
        if not self._check(T.IDENTIFIER):
            return self._primary()
        identifier = self._next()
        if not self._match(T.LEFT_PAREN):
            if identifier.lexeme.lower() not in self.names:
                raise self._error("Unrecognized named-value", identifier)
            return ContextAccess(identifier.lexeme, identifier)
        args: list[Node] = []
        while not self._match(T.RIGHT_PAREN):
            args.append(self._expression())
            if not self._check(T.RIGHT_PAREN):
                self._consume(T.COMMA)
        self._validate_function(identifier, len(args))
        return FunctionCall(identifier.lexeme, args, identifier)

    def _primary(self) -> Node:
        tok = self._peek()
        if tok.type in (T.FALSE, T.TRUE, T.NULL, T.NUMBER, T.STRING):
            self._next()
            value = {T.FALSE: False, T.TRUE: True, T.NULL: None}.get(tok.type, tok.value)
            return Literal(value, tok)
        if self._match(T.LEFT_PAREN):
            expr = self._expression()
            if self._at_end():
                raise self._error("Unexpected end of expression", self._previous())
            self._consume(T.RIGHT_PAREN)
            return Grouping(expr)
        if self._at_end():
            raise self._error("Unexpected end of expression", self._previous())
        raise self._error("Unexpected symbol", tok)

    # -- helpers -----------------------------------------------------------------------------
    def _validate_function(self, identifier: Token, count: int) -> None:
        name = identifier.lexeme.lower()
        info = self.functions.get(name)
        if info is None:
            raise self._error("Unrecognized function", identifier)
        if count < info.min_args:
            raise self._error("Too few parameters supplied", identifier)
        if count > info.max_args:
            raise self._error("Too many parameters supplied", identifier)
        if info.odd_args and count % 2 == 0:
            raise self._error(
                "Even number of parameters supplied, requires an odd number of parameters", identifier
            )

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self._error(f"Exceeded max expression depth {MAX_DEPTH}", self._peek())

    def _peek(self) -> Token:
        return self.tokens[self.offset]

    def _previous(self) -> Token:
        return self.tokens[self.offset - 1]

    def _at_end(self) -> bool:
        return self.tokens[self.offset].type == T.EOF

    def _check(self, kind: TokenType) -> bool:
        return self.tokens[self.offset].type == kind and kind != T.EOF

    def _next(self) -> Token:
        if not self._at_end():
            self.offset += 1
        return self.tokens[self.offset - 1]

    def _match(self, *kinds: TokenType) -> bool:
        if self.tokens[self.offset].type in kinds and not self._at_end():
            self.offset += 1
            return True
        return False

    def _consume(self, kind: TokenType) -> None:
        if not self._check(kind):
            raise self._error("Unexpected symbol", self._peek())
        self._next()

    def _error(self, description: str, token: Token) -> ExpressionError:
        return ExpressionError(
            "parsing", f"{description}: '{token.describe()}'", token.offset + 1, self.expression
        )


def parse_tokens(
    expression: str, names: Collection[str], functions: Mapping[str, FunctionInfo]
) -> Node | None:
    """Lex and parse ``expression``; see :class:`Parser` for ``names``, ``functions`` and errors."""
    return Parser(expression, lex(expression), names, functions).parse()
