"""The public surface: shapes of results, templates, errors, limits, caching, robustness."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatchd import expressions
from dispatchd.expressions import (
    MAX_DEPTH,
    MAX_EXPRESSION_LENGTH,
    ExpressionError,
    evaluate,
    evaluate_template,
    find_expressions,
    function_names,
    is_single_expression,
    named_values,
    parse,
    render,
    single_expression,
)
from dispatchd.expressions.api import _compiled

PAYLOAD = {"github": {"event": {"client_payload": {"severity": "high", "score": "8", "tags": ["a", "b"]}}}}


def test_all_is_complete():
    for name in expressions.__all__:
        assert hasattr(expressions, name), name
    public = {n for n in dir(expressions) if not n.startswith("_")}
    modules = {"api", "ast", "coercion", "errors", "evaluator", "functions", "lexer", "parser", "templates"}
    assert public - modules - set(expressions.__all__) == set()


# -- evaluate ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("github.event.client_payload.severity == 'HIGH'", True),
        ("github.event.client_payload.score >= 7", True),
        ("GITHUB.Event.CLIENT_PAYLOAD.Severity", "high"),
        ("github.event.client_payload.missing.deeper[3].still", None),
        ("github.event.client_payload.tags.*", ["a", "b"]),
        ("fromJSON('5')", 5),
        ("fromJSON('5.5')", 5.5),
        ("1 && 'x' || 'y'", "x"),
        ("", None),
        ("   ", None),
    ],
)
def test_evaluate(expression, expected):
    result = evaluate(expression, PAYLOAD)
    assert result == expected
    assert type(result) is type(expected)


def test_filtered_arrays_come_back_as_plain_lists():
    assert type(evaluate("github.event.client_payload.tags.*", PAYLOAD)) is list


def test_values_from_contexts_are_returned_as_they_are():
    assert evaluate("github.event", PAYLOAD) is PAYLOAD["github"]["event"]


def test_context_names_are_case_insensitive_first_wins():
    assert evaluate("foo", {"FOO": 1, "foo": 2}) == 1


def test_exact_key_wins_over_case_insensitive_match():
    env = {"Path": "a", "PATH": "b"}
    assert evaluate("env.PATH", {"env": env}) == "b"
    assert evaluate("env.path", {"env": env}) == "a"


# -- render / templates ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("plain text", "plain text"),
        ("sev=${{ github.event.client_payload.severity }}!", "sev=high!"),
        ("${{ null }}|${{ true }}|${{ 1.50 }}|${{ 1e21 }}|${{ 0.1 }}", "|true|1.5|1e+21|0.1"),
        ("${{ github.event }} ${{ github.event.client_payload.tags }}", "Object Array"),
        ("${{ '${{' }} literal", "${{ literal"),
        ("{0} ${{ 'x' }} {{", "{0} x {{"),
        ("it's ${{ 'it''s' }}", "it's it's"),
        ("${{ '}}' }}", "}}"),
    ],
)
def test_render(template, expected):
    assert render(template, PAYLOAD) == expected


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("a ${{ b", "The expression is not closed."),
        ("a ${{ '}} }}", "The expression is not closed."),
        ("a ${{   }} b", "An expression was expected"),
    ],
)
def test_template_errors(template, message):
    with pytest.raises(ExpressionError) as info:
        render(template, {})
    assert info.value.kind == "parsing"
    assert message in info.value.message


def test_evaluate_template_keeps_types_of_single_expressions():
    value = {
        "matrix": '${{ fromJSON(\'{"os": ["linux"], "n": 2}\') }}',
        "timeout": " ${{ fromJSON('5') }} ",
        "name-${{ github.event.client_payload.severity }}": ["x ${{ 1 }}", "${{ true }}", 3, None, True],
        "plain": "no expressions",
    }
    assert evaluate_template(value, PAYLOAD) == {
        "matrix": {"os": ["linux"], "n": 2},
        "timeout": 5,
        "name-high": ["x 1", True, 3, None, True],
        "plain": "no expressions",
    }


def test_template_helpers():
    assert find_expressions("a ${{ x }} b ${{ y.z }}") == ["x", "y.z"]
    assert single_expression("  ${{ x.y }} ") == "x.y"
    assert is_single_expression("${{ x }}")
    assert not is_single_expression("a ${{ x }}")
    assert not is_single_expression("${{ x }}${{ y }}")
    assert not is_single_expression("plain")


# -- parse, for the workflow validator -------------------------------------------------------
def test_parse_reports_contexts_and_functions():
    tree = parse(
        "contains(github.event.x, env.Y) && success() || Needs.a.result",
        ["github", "env", "needs"],
        status_functions=True,
    )
    assert named_values(tree) == {"github", "env", "needs"}
    assert function_names(tree) == {"contains", "success"}
    assert parse("", []) is None


def test_parse_rejects_unknown_names_and_functions():
    with pytest.raises(ExpressionError, match="Unrecognized named-value: 'env'"):
        parse("env.X", ["github"])
    with pytest.raises(ExpressionError, match="Unrecognized function: 'hashFiles'"):
        parse("hashFiles('x')", [])
    assert function_names(parse("hashFiles('x')", [], hash_files=True)) == {"hashfiles"}


# -- errors -----------------------------------------------------------------------------------
def test_error_shape():
    with pytest.raises(ExpressionError) as info:
        evaluate("1 <", {})
    e = info.value
    assert (e.kind, e.message, e.position) == ("parsing", "Unexpected end of expression: '<'", 3)
    assert str(e) == "Unexpected end of expression: '<'. Located at position 3 within expression: 1 <"


def test_evaluation_error_shape():
    with pytest.raises(ExpressionError) as info:
        evaluate("format('{0')", {})
    assert info.value.kind == "evaluation"
    assert info.value.position is None
    assert str(info.value).startswith(
        "The following format string is invalid: {0. Located within expression:"
    )


def test_errors_pickle():
    import pickle

    e = ExpressionError("parsing", "Unexpected symbol: 'x'", 4, "a b x")
    assert str(pickle.loads(pickle.dumps(e))) == str(e)


# -- limits -----------------------------------------------------------------------------------
def test_depth_limit():
    assert evaluate("!" * (MAX_DEPTH - 1) + "false", {}) is True
    with pytest.raises(ExpressionError, match=f"Exceeded max expression depth {MAX_DEPTH}"):
        evaluate("!" * MAX_DEPTH + "false", {})
    chain = "".join(f"._{i}" for i in range(1, MAX_DEPTH))
    assert evaluate("foo" + chain, {"foo": {}}) is None
    with pytest.raises(ExpressionError) as info:
        evaluate("foo" + chain + "._50", {"foo": {}})
    assert info.value.kind == "parsing"


def test_length_limit():
    ok = "'" + "x" * (MAX_EXPRESSION_LENGTH - 2) + "'"
    assert len(evaluate(ok, {})) == MAX_EXPRESSION_LENGTH - 2
    with pytest.raises(ExpressionError, match=f"Exceeded max expression length {MAX_EXPRESSION_LENGTH}"):
        evaluate(ok + " ", {})


def test_long_comparison_chains_do_not_recurse():
    # Comparisons are not depth-limited by GitHub's parser: a 6,000-long chain is legal.
    assert evaluate("1" + "==1" * 6000, {}) is True


def test_memory_limit():
    with pytest.raises(ExpressionError, match="maximum allowed memory size"):
        evaluate(
            "format('{0}{0}{0}{0}{0}{0}{0}{0}', format('{0}{0}{0}{0}{0}{0}{0}{0}', toJSON(x)))",
            {"x": ["y" * 1000] * 20},
        )


# -- caching ----------------------------------------------------------------------------------
def test_each_expression_is_compiled_once():
    expression = "github.event.client_payload.score == '8' && true"
    evaluate(expression, PAYLOAD)
    before = _compiled.cache_info()
    for _ in range(10):
        assert evaluate(expression, PAYLOAD) is True
    after = _compiled.cache_info()
    assert after.misses == before.misses
    assert after.hits >= before.hits + 10


def test_the_cache_key_includes_the_allowed_names():
    assert evaluate("x", {"x": 1}) == 1
    with pytest.raises(ExpressionError, match="Unrecognized named-value"):
        evaluate("x", {"y": 1})


# -- robustness: only ExpressionError, whatever the input -------------------------------------
ODD_VALUES = [
    (1, 2),
    {1: "int key", None: "none key"},
    {"nan": math.nan, "inf": -math.inf, "big": 10**400},
    frozenset({1}),
    object(),
    b"bytes",
]


@settings(max_examples=400, deadline=None)
@given(text=st.text(max_size=40), value=st.sampled_from(ODD_VALUES))
def test_any_text_raises_only_expression_errors(text, value):
    for expression in (text, f"toJSON(a) == {text}", f"a[{text}]", f"format({text}, a)"):
        try:
            evaluate(expression, {"a": value}, job_status="success")
        except ExpressionError as e:
            assert e.kind in ("lexing", "parsing", "evaluation")


@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
@pytest.mark.parametrize(
    "expression",
    [
        "a",
        "a.b",
        "a[0]",
        "a.*",
        "a.*.x",
        "toJSON(a)",
        "join(a)",
        "format('{0}', a)",
        "a == a",
        "a < 1",
        "contains(a, 1)",
        "!a",
        "fromJSON(toJSON(a))",
    ],
)
def test_odd_python_values(expression, value):
    try:
        evaluate(expression, {"a": value})
    except ExpressionError as e:
        assert e.kind == "evaluation"


def test_self_containing_context():
    loop: dict = {}
    loop["self"] = loop
    assert evaluate("a.self.self.self == a", {"a": loop}) is True
    with pytest.raises(ExpressionError) as info:
        evaluate("toJSON(a)", {"a": loop})
    assert info.value.kind == "evaluation"


def test_bad_job_status_is_a_programming_error():
    with pytest.raises(ValueError):
        evaluate("success()", {}, job_status="passed")


def test_evaluate_template_insert_directive_and_sequence_splice():
    # `${{ insert }}` merges a mapping into its parent; a list item that is one expression
    # yielding a list is spliced into the parent list (actions/runner TemplateUnraveler).
    assert evaluate_template({"a": 1, "${{ insert }}": {"b": "${{ 2 }}"}}, {}) == {"a": 1, "b": 2}
    assert evaluate_template(["x", "${{ fromJSON('[1, 2]') }}", "y ${{ 3 }}"], {}) == ["x", 1, 2, "y 3"]


def test_skipped_job_status():
    # A needed job was skipped while the run was not cancelled: neither success() nor failure().
    assert evaluate("success() || failure() || cancelled()", {}, job_status="skipped") is False
    assert evaluate("!failure() && always()", {}, job_status="skipped") is True


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # Found by the differential test: the empty string is a literal like any other.
        ("' ' == ''", False),
        ("'' == ' '", False),
        ("'' == ''", True),
        ("'' != ' '", True),
        ("x == ''", False),
        ("'' == x", False),
        ("'' == null", True),
        ("0 == ''", True),
    ],
)
def test_comparisons_with_the_empty_string(expression, expected):
    assert evaluate(expression, {"x": " "}) is expected
