"""Behaviours where GitHub's two implementations differ, and the one we chose.

The TypeScript evaluator (our differential oracle) and the C# runner (what runs workflows on
github.com) disagree in a few places (reference/expressions.md §12). The differential
generator avoids these inputs; the choices are pinned here.
"""

from __future__ import annotations

import pytest

from dispatchd.expressions import ExpressionError, evaluate, render


def test_every_doubled_quote_is_one_quote():
    # C# replaces every '' (TS replaces only the first: a known bug, "a'b''c").
    assert evaluate("'a''b''c'", {}) == "a'b'c"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("'ß' == 'SS'", False),  # OrdinalIgnoreCase: simple case mapping (TS: true)
        ("'ı' == 'I'", False),  # both implementations keep the dotless i
        ("'İ' == 'i'", False),
        ("'ü' == 'Ü'", True),
        ("'ς' == 'Σ'", True),
    ],
)
def test_case_insensitive_comparison(expression, expected):
    assert evaluate(expression, {}) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # UTF-16 code unit order, as both implementations compare: a surrogate pair (D801 DC00)
        # sorts below U+FFFF although its code point is larger.
        ("'\U00010400' > '\uffff'", False),
        ("'\U00010400' < '\uffff'", True),
        ("'\U00010400' > 'a'", True),
        ("'\U00010400' >= '\U00010400'", True),
    ],
)
def test_ordering_is_by_utf16_code_units(expression, expected):
    assert evaluate(expression, {}) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # Number → string is the TypeScript form, which GitHub's test data and act's table
        # (github_ts) expect; the C# runner prints .NET G15 (1E+21, 1.23456789012346E+19).
        ("format('{0}', 1e21)", "1e+21"),
        ("format('{0}', 12345678901234567890)", "12345678901234567000"),
        ("format('{0}', 0.1 )", "0.1"),
        ("format('{0}', 1e-7)", "1e-7"),
        ("format('{0}', 1e-16)", "0"),
        ("format('{0}', 123456.7890123456789)", "123456.78901234567"),  # TS: 15 decimals, not 15 digits
        ("format('{0}', -0)", "0"),
        # C# rejects a format specifier; TS ignores it. We follow TS.
        ("format('{0:x}', 255)", "255"),
    ],
)
def test_number_formatting(expression, expected):
    assert evaluate(expression, {}) == expected


def test_from_json_messages_follow_typescript():
    with pytest.raises(ExpressionError, match="empty input"):
        evaluate("fromJSON('  ')", {})
    with pytest.raises(ExpressionError, match="Error parsing JSON when evaluating fromJson"):
        evaluate("fromJSON('{')", {})


def test_from_json_duplicate_keys():
    # JSON.parse keeps the last of equal keys, GitHub's dictionary the first of keys equal
    # ignoring case.
    assert evaluate("""fromJSON('{"a": 1, "a": 2}').a""", {}) == 2
    assert evaluate("""fromJSON('{"a": 1, "A": 2}').A""", {}) == 1


def test_error_positions_count_across_lines():
    # The C#/Go position (offset in the whole text), which the shared data asks for; the TS
    # evaluator counts within the line.
    with pytest.raises(ExpressionError) as info:
        evaluate("true\n&& env.x", {})
    assert info.value.position == 9


def test_interpolation_prints_objects_and_arrays_by_kind():
    assert render("${{ fromJSON('[1]') }}-${{ fromJSON('{}') }}", {}) == "Array-Object"


def test_from_json_keeps_key_order():
    # The runner (Newtonsoft JSON) keeps document order; the TS evaluator parses into a
    # JavaScript object, which moves integer-like keys first ("1", "2", "b").
    assert (
        evaluate("""toJSON(fromJSON('{"2": 1, "1": 2, "b": 3}'))""", {})
        == '{\n  "2": 1,\n  "1": 2,\n  "b": 3\n}'
    )
