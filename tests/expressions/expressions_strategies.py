"""Hypothesis strategies: random contexts and random expressions over them.

The expressions mix well-formed pieces (literals, context paths, operators, every built-in
function with a valid arity, format strings, JSON for fromJSON) with a little token soup, so
that lexing and parsing errors are compared too.

Inputs are kept away from the few places where GitHub's TypeScript evaluator knowingly
differs from GitHub's runner, which we follow (see reference/expressions.md §12):
string literals hold at most one ``''`` escape (the TS lexer unescapes only the first), no
characters whose upper case is longer (``ß``), no object keys differing only by case or
looking like array indexes (JavaScript objects reorder those), no huge strings (the runner's
memory limit).
"""

from __future__ import annotations

import functools

from hypothesis import strategies as st

# fmt: off
CONTEXT_NAMES = ["github", "env", "needs", "matrix", "inputs", "steps", "vars"]
KEYS = ["a", "b", "name", "result", "Sev", "x-y", "_z", "outputs", "true", "null"]
STRINGS = [
    "", " ", "a", "A", "abc", "ABC", "aBc", "b", "0", "1", "-1", "1.5", " 2 ", "1e3", "0x1F", "0XfF",
    "0o17", "0b101", "-0x1", "Infinity", "-Infinity", "NaN", "nan", "inf", "true", "false", "null",
    "TRUE", "success", "Success", "failure", "HIGH", "high", "ü", "Ü", "σ", "Σ", "ς", "ı", "I", "i",
    "İ", "{", "}", "{0}", "}}", "{{", "[1,2]", "{\"a\":1}", "é", "日本", "\t1\n", "1_000", ".5", "5.",
    "0.1", "1e400", "[", "a,b", "'", "x'y", "\U00010400", "\uffff", "\ue000", "z\U0001f600",
]
NUMBERS = [
    0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 1.5, -2.5, 3.0, 7.0, 10.0, 100.0, 1e21, 1e-7, 123456.789,
    0.1 + 0.2, 1 / 3, 2**53, 2**53 + 2, 1e15, 12345678901234567890.0, 0.000001, 1.7976931348623157e308,
]
NUMBER_LITERALS = [
    "0", "1", "-1", "2", "1.5", "-2.5", ".5", "-.5", "5.", "1e3", "1E-2", "1.2e+2", "0x1F", "0xff",
    "0o17", "0b11", "NaN", "Infinity", "-Infinity", "+1", "007", "0.0", "-0", "1e21", "1e-7",
    "123456.789", "12345678901234567890", "3", "10", "100",
]
SOUP = [
    "(", ")", "[", "]", ",", ".", "*", "!", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "=", "&",
    "|", "'x'", "'", "1", "a", "github", "foo", "-", "+", "1.2.3", "0xZZ", "\"q\"", "@", "$", "é",
    "true", "null", "format", "contains",
]
FORMATS = ["{0}", "{0} {1}", "x{1}y{0}", "{{0}}", "{{{0}}}", "}}{{", "{0", "0}", "{2}", "{0:x}", "{}", "a'b {0}", "{00}"]
INDEXES = ["0", "1", "-1", "1.7", "'a'", "'1'", "null", "true", "'NAME'"]
# fmt: on


@functools.cache
def json_values(max_leaves: int = 8) -> st.SearchStrategy:
    """Plain JSON values like a workflow's contexts hold."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from(NUMBERS),
        st.integers(-5, 20),
        st.sampled_from(STRINGS),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.sampled_from(KEYS), children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


@st.composite
def contexts(draw) -> dict:
    """Two to four named contexts, each an object (sometimes with a nested event payload)."""
    names = draw(st.lists(st.sampled_from(CONTEXT_NAMES), min_size=1, max_size=4, unique=True))
    result = {}
    for name in names:
        value = draw(st.dictionaries(st.sampled_from(KEYS), json_values(), max_size=5))
        result[name] = value
    return result


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''", 1) + "'" if text.count("'") <= 1 else "'x'"


def _literals() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["null", "true", "false"]),
        st.sampled_from(NUMBER_LITERALS),
        st.sampled_from(STRINGS).map(_quote),
    )


@st.composite
def _path(draw, names: list[str]) -> str:
    text = draw(st.sampled_from(names))
    if draw(st.booleans()):
        text = text.upper() if draw(st.booleans()) else text.capitalize()
    for _ in range(draw(st.integers(0, 4))):
        step = draw(st.integers(0, 5))
        if step <= 1:
            text += "." + draw(st.sampled_from(KEYS + ["A", "NAME", "Result"]))
        elif step == 2:
            text += ".*"
        elif step == 3:
            text += "[*]"
        elif step == 4:
            text += "[" + draw(st.sampled_from(INDEXES)) + "]"
        else:
            text += "['" + draw(st.sampled_from(KEYS)) + "']"
    return text


OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "&&", "||"]


def call(name: str, *args: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``name(arg, …)`` with each argument drawn from its strategy."""
    return st.tuples(*args).map(lambda a: f"{name}({', '.join(a)})")


@functools.cache
def expressions(names: tuple[str, ...], status: bool) -> st.SearchStrategy[str]:
    """Expression text over context ``names`` (plus one unknown name now and then)."""
    path = _path(list(names))
    odd = st.sampled_from(["unknownctx", "github", "env"])  # sometimes not a context of this case
    # Weighted choices; the rare branch goes last, where Hypothesis' small-index bias is weakest.
    atoms = st.sampled_from([path] * 11 + [_literals()] * 8 + [odd]).flatmap(lambda s: s)
    if status:
        atoms = st.one_of(atoms, st.sampled_from(["success()", "failure()", "cancelled()", "always()"]))

    def extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(children, st.sampled_from(OPERATORS), children)
        return st.one_of(
            binary.map(" ".join),
            binary.map(lambda t: f"{t[0]}{t[1]}{t[2]}"),
            children.map(lambda c: f"!{c}"),
            children.map(lambda c: f"({c})"),
            st.tuples(children, st.sampled_from(["a", "name", "*", "Sev"])).map(lambda t: f"({t[0]}).{t[1]}"),
            st.tuples(children, children).map(lambda t: f"({t[0]})[{t[1]}]"),
            call("contains", children, children),
            call("startsWith", children, children),
            call("ENDSWITH", children, children),
            call("join", children),
            call("join", children, children),
            call("toJSON", children),
            call("fromJSON", children.map(lambda c: f"toJSON({c})")),
            call("fromJSON", st.sampled_from(STRINGS + ['{"a":[1,{"b":null}]}', "[0,1]"]).map(_quote)),
            st.tuples(st.sampled_from(FORMATS).map(_quote), st.lists(children, max_size=3)).map(
                lambda t: "format(" + ", ".join([t[0], *t[1]]) + ")"
            ),
            st.tuples(children, children, children).map(lambda t: f"case({t[0]} == {t[1]}, {t[1]}, {t[2]})"),
            st.tuples(children, children, children).map(lambda t: f"case({t[0]}, {t[1]}, {t[2]})"),
            st.lists(children, min_size=2, max_size=4).map(" && ".join),
            st.lists(children, min_size=2, max_size=4).map(" || ".join),
        )

    well_formed = st.recursive(atoms, extend, max_leaves=6)
    soup = st.lists(st.sampled_from(SOUP + list(names)), min_size=1, max_size=6).map(" ".join)
    return st.sampled_from([well_formed] * 11 + [soup]).flatmap(lambda s: s)


@st.composite
def cases(draw) -> dict:
    """``{"expr", "contexts", "jobStatus"?}`` — the oracle's input format."""
    ctx = draw(contexts())
    status = draw(st.sampled_from([None, None, "success", "failure", "cancelled", "skipped"]))
    expr = draw(expressions(tuple(sorted(ctx)), status is not None))
    case = {"expr": expr, "contexts": ctx}
    if status:
        case["jobStatus"] = status
    return case


@st.composite
def case_batches(draw, size: int = 8) -> list[dict]:
    """``size`` cases sharing one set of contexts and job status (cheaper to draw)."""
    ctx = draw(contexts())
    status = draw(st.sampled_from([None, None, "success", "failure", "cancelled", "skipped"]))
    exprs = draw(st.lists(expressions(tuple(sorted(ctx)), status is not None), min_size=size, max_size=size))
    batch = []
    for expr in exprs:
        case = {"expr": expr, "contexts": ctx}
        if status:
            case["jobStatus"] = status
        batch.append(case)
    return batch
