"""GitHub's cross-implementation expression test data (conformance/README.md §1a).

Every case runs, including the five that GitHub's TypeScript evaluator skips (error positions
across newlines, the memory limit): the C# and Go implementations pass them and so do we.
"""

from __future__ import annotations

import pytest
from expressions_support import load_groups, same_value
from shared_data import CONFORMANCE

from dispatchd.expressions import ExpressionError, evaluate

DATA = CONFORMANCE / "languageservices" / "expressions" / "testdata"
CASES = [
    pytest.param(case, id=f"{path.stem}:{group}:{i}")
    for path in sorted(DATA.glob("*.json"))
    for group, i, case in load_groups(path)
]


def test_data_is_present():
    assert len(CASES) == 1020


@pytest.mark.parametrize("case", CASES)
def test_case(case):
    contexts = case.get("contexts") or {}
    if "err" in case:
        with pytest.raises(ExpressionError) as info:
            evaluate(case["expr"], contexts)
        assert info.value.kind == case["err"]["kind"]
        assert case["err"]["value"] in str(info.value)
    else:
        result = evaluate(case["expr"], contexts)
        assert same_value(case["result"]["kind"], case["result"]["value"], result), result
