"""Lexer: expression text → tokens.

GitHub: ``actions/languageservices: expressions/src/lexer.ts``; the C# runner's
``Tokens/LexicalAnalyzer.cs`` has the same grammar. Summary (see reference/expressions.md §2):
punctuation ``( ) [ ] , . *``, operators ``! != == < <= > >= && ||``, single-quoted strings with
``''`` as an escaped quote, numbers read up to the next boundary character and parsed like
JavaScript's ``Number()``, keywords ``true false null NaN Infinity`` (ordinary names after a
``.``), identifiers ``[A-Za-z_][A-Za-z0-9_-]*``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .coercion import JS_WHITESPACE, string_to_number
from .errors import MAX_EXPRESSION_LENGTH, ExpressionError

__all__ = ["Token", "TokenType", "lex"]


class TokenType(enum.IntEnum):
    LEFT_PAREN = 1
    RIGHT_PAREN = 2
    LEFT_BRACKET = 3
    RIGHT_BRACKET = 4
    COMMA = 5
    DOT = 6
    BANG = 7
    BANG_EQUAL = 8
    EQUAL_EQUAL = 9
    GREATER = 10
    GREATER_EQUAL = 11
    LESS = 12
    LESS_EQUAL = 13
    AND = 14
    OR = 15
    STAR = 16
    NUMBER = 17
    STRING = 18
    IDENTIFIER = 19
    TRUE = 20
    FALSE = 21
    NULL = 22
    EOF = 23


@dataclass(slots=True)
class Token:
    """One token: its type, the raw text (``lexeme``), its value (numbers, strings) and its
    0-based character offset in the expression."""

    type: TokenType
    lexeme: str
    offset: int
    value: Any = field(default=None)

    def describe(self) -> str:
        """The token as GitHub's error messages quote it (a string token shows its value)."""
        if self.type == TokenType.EOF:
            return "EOF"
        if self.type == TokenType.STRING:
            return str(self.value)
        return self.lexeme


# Characters that end an identifier or number token (JS regex \s counts as one too).
_BOUNDARY = frozenset("([)],.!><=&|") | frozenset(JS_WHITESPACE)
_SIMPLE = {
    "(": TokenType.LEFT_PAREN,
    ")": TokenType.RIGHT_PAREN,
    "[": TokenType.LEFT_BRACKET,
    "]": TokenType.RIGHT_BRACKET,
    ",": TokenType.COMMA,
    "*": TokenType.STAR,
}
_KEYWORDS = {"true": TokenType.TRUE, "false": TokenType.FALSE, "null": TokenType.NULL}
# After these tokens a "." is member access; anywhere else it starts a number (".5").
_DOT_AFTER = frozenset({TokenType.IDENTIFIER, TokenType.RIGHT_BRACKET, TokenType.RIGHT_PAREN, TokenType.STAR})
_IDENT_FIRST = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_IDENT_REST = _IDENT_FIRST | frozenset("0123456789-")


def _is_identifier(text: str) -> bool:
    return bool(text) and text[0] in _IDENT_FIRST and all(c in _IDENT_REST for c in text[1:])


def lex(expression: str) -> list[Token]:
    """Split ``expression`` into tokens, ending with an ``EOF`` token.

    Raises:
        ExpressionError: kind ``"lexing"`` — ``Unexpected symbol: '<token>'`` for an illegal
            character, number or identifier, or an unterminated string (the token then runs
            from its opening quote to the end); ``Exceeded max expression length 21000``.
    """
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(
            "lexing", f"Exceeded max expression length {MAX_EXPRESSION_LENGTH}", 1, expression
        )
    tokens: list[Token] = []
    n = len(expression)
    i = 0

    def previous() -> TokenType:
        return tokens[-1].type if tokens else TokenType.EOF

    def bad(start: int, text: str) -> ExpressionError:
        return ExpressionError("lexing", f"Unexpected symbol: '{text}'", start + 1, expression)

    def read_word(start: int, allow_dot: bool) -> int:
        j = start
        while j < n and (expression[j] not in _BOUNDARY or (allow_dot and expression[j] == ".")):
            j += 1
        return j

    value: float | None
    while i < n:
        start = i
        c = expression[i]
        i += 1
        simple = _SIMPLE.get(c)
        if simple is not None:
            tokens.append(Token(simple, c, start))
        elif c in " \t\r\n":
            continue
        elif c == "." and previous() in _DOT_AFTER:
            tokens.append(Token(TokenType.DOT, c, start))
        elif c in ".-+" or "0" <= c <= "9":
            i = read_word(i, allow_dot=True)
            lexeme = expression[start:i]
            value = string_to_number(lexeme)
            # Number("") is 0 and Number(" 1") is 1, but a lexeme has no blanks and is never empty.
            if math.isnan(value):
                raise bad(start, lexeme)
            tokens.append(Token(TokenType.NUMBER, lexeme, start, value))
        elif c in "!<>" and i < n and expression[i] == "=":
            i += 1
            kind = {"!": TokenType.BANG_EQUAL, "<": TokenType.LESS_EQUAL, ">": TokenType.GREATER_EQUAL}[c]
            tokens.append(Token(kind, expression[start:i], start))
        elif c in "!<>":
            kind = {"!": TokenType.BANG, "<": TokenType.LESS, ">": TokenType.GREATER}[c]
            tokens.append(Token(kind, c, start))
        elif c in "=&|":
            if i < n and expression[i] == c:
                i += 1
                kind = {"=": TokenType.EQUAL_EQUAL, "&": TokenType.AND, "|": TokenType.OR}[c]
                tokens.append(Token(kind, c + c, start))
            else:
                # A lone '=', '&' or '|' swallows the following word into the bad token.
                raise bad(start, expression[start : read_word(i, allow_dot=False)])
        elif c == "'":
            i, text = _read_string(expression, start, bad)
            tokens.append(Token(TokenType.STRING, expression[start:i], start, text))
        else:
            i = read_word(i, allow_dot=False)
            lexeme = expression[start:i]
            kind = TokenType.IDENTIFIER
            value = None
            if previous() != TokenType.DOT:
                if lexeme in _KEYWORDS:
                    kind = _KEYWORDS[lexeme]
                elif lexeme == "NaN" or lexeme == "Infinity":
                    kind = TokenType.NUMBER
                    value = float(lexeme.lower().replace("infinity", "inf"))
            if not _is_identifier(lexeme):
                raise bad(start, lexeme)
            tokens.append(Token(kind, lexeme, start, value))
    tokens.append(Token(TokenType.EOF, "", n))
    return tokens


def _read_string(expression: str, start: int, bad: Callable[[int, str], ExpressionError]) -> tuple[int, str]:
    n = len(expression)
    i = start + 1
    while True:
        j = expression.find("'", i)
        if j < 0:
            raise bad(start, expression[start:])
        if j + 1 < n and expression[j + 1] == "'":
            i = j + 2
            continue
        # Every '' is one quote. (The TypeScript lexer replaces only the first: a known bug;
        # the C# runner and GitHub's reference replace all.)
        return j + 1, expression[start + 1 : j].replace("''", "'")
