"""The public entry points: evaluate an expression, render a template, decide an ``if:``.

Each distinct expression is lexed, parsed and compiled once: an LRU cache keyed by the
expression text, the allowed context names, and which extra functions (status functions,
``hashFiles``) are available.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from . import templates
from .ast import Node
from .coercion import MISSING, FilteredArray, get_property, to_string, truthy
from .errors import ExpressionError
from .evaluator import Compiled, compile_tree
from .functions import CallContext, FunctionError, available_functions
from .functions.status import STATUS_FUNCTION_NAMES
from .lexer import TokenType, lex
from .parser import parse_tokens

__all__ = [
    "JOB_STATUSES",
    "evaluate",
    "evaluate_condition",
    "evaluate_template",
    "if_expression",
    "parse",
    "render",
]

#: Values of ``job_status``: what ``success()``, ``failure()`` and ``cancelled()`` answer for.
#: ``skipped`` is the job-level case of a needed job that was skipped or cancelled while the run
#: was not: then neither ``success()`` nor ``failure()`` holds (GitHub skips the dependent job
#: under the default condition, and runs it under ``always()`` or ``!failure()``).
JOB_STATUSES = frozenset({"success", "failure", "cancelled", "skipped"})
#: Distinct compiled expressions kept in memory.
CACHE_SIZE = 4096


def parse(
    expression: str,
    allowed_names: Any = (),
    *,
    status_functions: bool = False,
    hash_files: bool = False,
) -> Node | None:
    """Parse ``expression`` into its syntax tree (``None`` when empty) without evaluating it.

    ``allowed_names``: the context names the expression may use (any iterable of strings, or a
    mapping whose keys are used; matched case-insensitively). ``status_functions`` allows
    ``success()``/``failure()``/``cancelled()``/``always()``; ``hash_files`` allows ``hashFiles()``.
    Use :func:`dispatchd.expressions.ast.named_values` / ``function_names`` on the result.

    Raises:
        ExpressionError: kind ``"lexing"`` or ``"parsing"``.
    """
    names = frozenset(str(n).lower() for n in allowed_names)
    return _compiled(expression, names, status_functions, hash_files)[0]


@functools.lru_cache(maxsize=CACHE_SIZE)
def _compiled(
    expression: str, names: frozenset[str], status: bool, hash_files: bool
) -> tuple[Node | None, Compiled]:
    functions = available_functions(status=status, hash_files=hash_files)
    try:
        tree = parse_tokens(expression, names, functions)
    except RecursionError:  # cannot happen within MAX_DEPTH; kept as a last line of defence
        raise ExpressionError("parsing", "Exceeded max expression depth 50", 1, expression) from None
    return tree, compile_tree(tree, functions)


#: Context key sets seen → (their lower-case names, whether the keys were lower case already).
_KEY_SETS: dict[tuple[Any, ...], tuple[frozenset[str], bool]] = {}
_KEY_SETS_MAX = 1024


def _names(contexts: Mapping[str, Any]) -> tuple[frozenset[str], bool]:
    # The engine passes the same few key sets over and over: remember what they lower to.
    keys = tuple(contexts)
    known = _KEY_SETS.get(keys)
    if known is None:
        lowered = [k.lower() if type(k) is str else str(k).lower() for k in keys]
        known = (frozenset(lowered), lowered == list(keys))
        if len(_KEY_SETS) >= _KEY_SETS_MAX:
            _KEY_SETS.clear()
        _KEY_SETS[keys] = known
    return known


def _prepare(
    contexts: Mapping[str, Any], job_status: str | None
) -> tuple[Mapping[str, Any], frozenset[str], CallContext]:
    if job_status is not None and job_status not in JOB_STATUSES:
        raise ValueError(f"job_status must be one of {sorted(JOB_STATUSES)}, not {job_status!r}")
    names, already_lower = _names(contexts)
    lowered: Mapping[str, Any] = contexts
    if not already_lower:
        folded: dict[str, Any] = {}
        for key, value in contexts.items():
            lower = key.lower() if type(key) is str else str(key).lower()
            if lower not in folded:  # names are case-insensitive; the first one wins
                folded[lower] = value
        lowered = folded
    workspace = None
    github = lowered.get("github")
    if github:
        if type(github) is dict:
            ws = github.get("workspace")  # the runner writes this key itself, in lower case
        elif isinstance(github, Mapping):
            ws = get_property(github, "workspace")
            ws = None if ws is MISSING else ws
        else:
            ws = None
        if ws is not None and ws != "":
            workspace = to_string(ws)
    return lowered, names, CallContext(job_status, workspace, lowered.get("needs"))


def _plain(value: Any) -> Any:
    # Hand back plain data: a filtered array is a list; whole doubles are ints, so that
    # `timeout-minutes: ${{ fromJSON('5') }}` reads as 5.
    t = type(value)
    if t is float:
        if value.is_integer() and abs(value) < 9007199254740992.0:
            return int(value)
        return value
    if t is FilteredArray:
        return list(value)
    return value


def _run(expression: str, prepared: tuple[Mapping[str, Any], frozenset[str], CallContext]) -> Any:
    lowered, names, call_context = prepared
    _, run = _compiled(
        expression, names, call_context.job_status is not None, call_context.workspace is not None
    )
    try:
        return run(lowered, call_context)
    except FunctionError as e:
        raise ExpressionError("evaluation", str(e.args[0]), None, expression) from None
    except RecursionError:
        raise ExpressionError(
            "evaluation", "The maximum allowed memory size was exceeded", None, expression
        ) from None
    except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as e:
        # Odd values inside contexts (objects Python cannot compare, broken mappings): an
        # evaluation error, never a crash of the caller.
        raise ExpressionError("evaluation", f"{type(e).__name__}: {e}", None, expression) from e


def evaluate(expression: str, contexts: Mapping[str, Any], *, job_status: str | None = None) -> Any:
    """Evaluate one expression (the text inside ``${{ }}``) and return a plain value.

    Args:
        expression: e.g. ``"github.event.client_payload.score >= 7"``. Blank → ``None``.
        contexts: top-level named values (``github``, ``env``, ``needs``…); their keys are the
            only names the expression may use (case-insensitive).
        job_status: ``"success" | "failure" | "cancelled"`` makes the status functions
            available; ``None`` leaves them unknown (a parsing error if called).

    Returns ``None``, ``bool``, ``int``/``float`` (whole numbers as ``int``), ``str``, a list or a
    mapping (values from ``contexts`` are returned as they are, not copied).
    ``hashFiles()`` is available when ``contexts["github"]["workspace"]`` is set.

    Raises:
        ExpressionError: ``"lexing"``/``"parsing"`` (bad syntax, unknown names or functions,
            limits) or ``"evaluation"`` (``format``/``fromJSON``/``case`` failures, memory limit).
    """
    return _plain(_run(expression, _prepare(contexts, job_status)))


def render(template: str, contexts: Mapping[str, Any], *, job_status: str | None = None) -> str:
    """Interpolate every ``${{ }}`` of ``template`` and return the text.

    Values print as GitHub prints them: null → empty, booleans ``true``/``false``, numbers in
    GitHub's format (``1.5``, ``1e+21``), arrays ``Array``, objects ``Object``. A string without
    ``${{`` is returned unchanged. Errors: as :func:`evaluate`, plus template errors
    (``The expression is not closed…``, ``An expression was expected``) of kind ``"parsing"``.
    """
    expression = templates.to_expression(template)
    if expression is None:
        return template
    return to_string(_run(expression, _prepare(contexts, job_status)))


def evaluate_template(value: Any, contexts: Mapping[str, Any], *, job_status: str | None = None) -> Any:
    """Evaluate every ``${{ }}`` inside a YAML value (string, list, mapping, other scalars).

    A string that is exactly one ``${{ expr }}`` (blank space around it allowed) becomes the
    expression's typed value (``matrix: ${{ fromJSON(x) }}`` gives a mapping); any other string
    with ``${{`` is rendered to a string; lists and mappings are walked (keys rendered too);
    other scalars are returned unchanged. GitHub's template directives apply: a mapping key
    ``${{ insert }}`` merges its mapping value into the parent, and a list item that is one
    expression yielding a list is spliced into the parent list. Errors: as :func:`render`.
    """
    return _walk(value, _prepare(contexts, job_status))


def _walk(value: Any, prepared: tuple[Mapping[str, Any], frozenset[str], CallContext]) -> Any:
    if isinstance(value, str):
        if templates.OPEN not in value:
            return value
        single = templates.single_expression(value)
        if single is not None:
            return _plain(_run(single, prepared))
        return to_string(_run(templates.to_expression(value) or "", prepared))
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for k, v in value.items():
            if isinstance(k, str) and _is_insert(k):
                # GitHub's template insert directive: `${{ insert }}: <mapping>` merges the
                # mapping into its parent (actions/runner TemplateUnraveler, InsertExpressionToken).
                inserted = _walk(v, prepared)
                if isinstance(inserted, Mapping):
                    out.update(inserted)
                continue
            out[_walk(k, prepared) if isinstance(k, str) else k] = _walk(v, prepared)
        return out
    if isinstance(value, (list, tuple)):
        items: list[Any] = []
        for v in value:
            evaluated = _walk(v, prepared)
            # A sequence item that is one expression yielding a sequence is spliced into the
            # parent sequence (TemplateUnraveler: "Sequence end, closing a sequence insertion").
            if (
                isinstance(v, str)
                and isinstance(evaluated, list)
                and templates.single_expression(v) is not None
            ):
                items.extend(evaluated)
            else:
                items.append(evaluated)
        return items
    return value


def _is_insert(key: str) -> bool:
    single = templates.single_expression(key) if templates.OPEN in key else None
    return single is not None and single.strip() == "insert"


def condition_expression(condition: str | bool | float | None) -> str:
    """The expression GitHub evaluates for an ``if:`` value, before the status wrapping.

    ``None``/blank → ``success()``; ``True`` → ``true``; ``"${{ x }}"`` → ``x``; text mixing
    ``${{ }}`` and literals → a ``format()`` call (always truthy when non-empty — GitHub's trap).
    """
    if condition is None:
        return "success()"
    if isinstance(condition, bool):
        return "true" if condition else "false"
    text = condition if isinstance(condition, str) else to_string(condition)
    if templates.OPEN in text:
        text = templates.to_expression(text.strip()) or ""
    text = text.strip()
    return text or "success()"


def calls_status_function(expression: str) -> bool:
    """Whether the expression calls ``success()``, ``failure()``, ``cancelled()`` or ``always()``
    (any case). Text that does not lex counts as not calling one."""
    try:
        tokens = lex(expression)
    except ExpressionError:
        return False
    for previous, token, following in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if (
            token.type == TokenType.IDENTIFIER
            and following.type == TokenType.LEFT_PAREN
            and previous.type != TokenType.DOT
            and token.lexeme.lower() in STATUS_FUNCTION_NAMES
        ):
            return True
    first = tokens[0]
    return (
        len(tokens) > 1
        and first.type == TokenType.IDENTIFIER
        and tokens[1].type == TokenType.LEFT_PAREN
        and first.lexeme.lower() in STATUS_FUNCTION_NAMES
    )


def if_expression(condition: str | bool | float | None) -> str:
    """The whole expression GitHub evaluates for an ``if:`` value.

    :func:`condition_expression`, wrapped as ``success() && (<cond>)`` unless it calls a status
    function (GitHub: ``workflow-parser/src/model/converter/if-condition.ts``):
    ``"github.x == 'a'"`` → ``"success() && (github.x == 'a')"``; ``None`` → ``"success()"``;
    ``"always() && x"`` unchanged.
    """
    if isinstance(condition, str):
        return _if_expression_text(condition)
    return _wrap_condition(condition_expression(condition))


@functools.lru_cache(maxsize=CACHE_SIZE)
def _if_expression_text(condition: str) -> str:
    # Cached: the rewrite lexes the condition, which costs far more than evaluating it.
    return _wrap_condition(condition_expression(condition))


def _wrap_condition(expression: str) -> str:
    if calls_status_function(expression):
        return expression
    return f"success() && ({expression})"


def evaluate_condition(condition: str | bool | None, contexts: Mapping[str, Any], *, job_status: str) -> bool:
    """Decide an ``if:`` as GitHub does.

    The condition may be wrapped in ``${{ }}`` or not. When it calls none of ``success()``,
    ``failure()``, ``cancelled()``, ``always()`` it is evaluated as ``success() && (<cond>)``
    (see :func:`if_expression`); the result is coerced by truthiness. ``job_status`` is
    required: ``"success" | "failure" | "cancelled"``.

    Raises:
        ExpressionError: as :func:`evaluate`.
    """
    if job_status is None:
        raise ValueError("evaluate_condition needs job_status")
    return truthy(_run(if_expression(condition), _prepare(contexts, job_status)))
