"""GitHub Actions' expression language: ``${{ }}`` templates, ``if:`` conditions, functions.

A pure package (no I/O except ``hashFiles`` reading the workspace): lexer → parser (recursive
descent) → syntax tree → compiled evaluator, with GitHub's coercions and built-in functions.
Behaviour follows GitHub's own implementations (``actions/languageservices: expressions/``,
``actions/runner``) and is checked against their shared test data and, differentially,
against GitHub's TypeScript evaluator (tests/expressions, tests/oracle).

What to call:

* ``evaluate(expr, contexts, job_status=None)`` — one expression (text inside ``${{ }}``) → value.
* ``render(template, contexts)`` — a string with ``${{ }}`` → string (``run:``, ``name:``, env values).
* ``evaluate_template(value, contexts)`` — a YAML value; a lone ``${{ x }}`` keeps its type.
* ``evaluate_condition(cond, contexts, job_status=...)`` — an ``if:`` → bool (implicit ``success() &&``).
* ``parse(expr, allowed_names)`` + ``named_values`` / ``function_names`` — load-time checks.
* ``find_expressions`` / ``single_expression`` / ``to_expression`` / ``if_expression`` — template text.
* ``to_string`` / ``truthy`` — GitHub's string form and truthiness of a value.

Errors are ``ExpressionError`` (``.kind``: lexing, parsing, evaluation; ``.message``; ``.position``).

>>> evaluate("github.event.client_payload.score >= 7", {"github": {"event": {"client_payload": {"score": "8"}}}})
True
>>> render("cve=${{ github.event.client_payload.cve }}", {"github": {"event": {"client_payload": {"cve": "X"}}}})
'cve=X'
"""

from .api import (
    JOB_STATUSES,
    condition_expression,
    evaluate,
    evaluate_condition,
    evaluate_template,
    if_expression,
    parse,
    render,
)
from .ast import Node, function_names, named_values
from .coercion import to_string, truthy
from .errors import MAX_DEPTH, MAX_EXPRESSION_LENGTH, ExpressionError
from .templates import find_expressions, is_single_expression, single_expression, to_expression

__all__ = [
    "JOB_STATUSES",
    "MAX_DEPTH",
    "MAX_EXPRESSION_LENGTH",
    "ExpressionError",
    "Node",
    "condition_expression",
    "evaluate",
    "evaluate_condition",
    "evaluate_template",
    "find_expressions",
    "function_names",
    "if_expression",
    "is_single_expression",
    "named_values",
    "parse",
    "render",
    "single_expression",
    "to_expression",
    "to_string",
    "truthy",
]
