"""Differential test: random expressions over random contexts, evaluated by dispatchd and by
GitHub's TypeScript evaluator (``@actions/expressions``, tests/oracle/eval-expr.mjs).

Both must give the same kind and value (and the same interpolated string), or fail in the same
stage (lexing, parsing, evaluation). One Node process serves the whole session.

Needs ``npm ci`` at the repository root (package.json pins the evaluator); skipped otherwise.
``DISPATCHD_ORACLE_EXAMPLES`` sets the number of cases (default 3200).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess

import pytest
from expressions_strategies import case_batches
from expressions_support import same_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shared_data import REPO_ROOT

from dispatchd.expressions import ExpressionError, evaluate
from dispatchd.expressions.coercion import kind_name, to_string

pytestmark = pytest.mark.oracle

PACKAGE = REPO_ROOT / "node_modules" / "@actions" / "expressions"
SCRIPT = REPO_ROOT / "tests" / "oracle" / "eval-expr.mjs"
EXAMPLES = int(os.environ.get("DISPATCHD_ORACLE_EXAMPLES", "3200"))
BATCH = 8  # cases per hypothesis example: they share contexts, which are the slow part to draw


class Oracle:
    """A long-lived ``node eval-expr.mjs``: one JSON case per line in, one outcome per line out."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("node") or "node", str(SCRIPT)],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )

    def __call__(self, cases: list[dict]) -> list[dict]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write("".join(json.dumps(c) + "\n" for c in cases))
        self.process.stdin.flush()
        return [json.loads(self.process.stdout.readline()) for _ in cases]

    def close(self) -> None:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.close()
        self.process.wait(timeout=10)
        self.process.stdout.close()


@pytest.fixture(scope="session")
def oracle():
    if not PACKAGE.is_dir() or shutil.which("node") is None:
        pytest.skip("GitHub's evaluator is not installed (npm ci at the repository root)")
    o = Oracle()
    yield o
    o.close()


def ours(case: dict) -> dict:
    """Our outcome in the oracle's shape."""
    try:
        value = evaluate(case["expr"], case["contexts"], job_status=case.get("jobStatus"))
    except ExpressionError as e:
        return {"err": {"kind": e.kind, "value": str(e)}}
    if isinstance(value, float) and not math.isfinite(value):
        shown: object = str(value).replace("inf", "Infinity").replace("nan", "NaN")
    else:
        shown = value
    return {"result": {"kind": kind_name(value), "value": shown}, "string": to_string(value)}


def assert_same(case: dict, theirs: dict) -> None:
    mine = ours(case)
    assert "crash" not in theirs, theirs
    context = f"\ncase: {json.dumps(case)}\nours: {mine}\ngithub: {theirs}"
    if "err" in theirs:
        assert "err" in mine, context
        assert mine["err"]["kind"] == theirs["err"]["kind"], context
        return
    assert "result" in mine, context
    expected = theirs["result"]
    assert same_value(expected["kind"], expected["value"], evaluate_again(case)), context
    assert mine["string"] == theirs["string"], context


def evaluate_again(case: dict):
    return evaluate(case["expr"], case["contexts"], job_status=case.get("jobStatus"))


@settings(
    max_examples=max(1, EXAMPLES // BATCH),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(batch=case_batches(BATCH))
def test_same_outcome_as_github(oracle, batch):
    for case, theirs in zip(batch, oracle(batch), strict=True):
        assert_same(case, theirs)


NUMERIC_TEXT = st.text(alphabet="0123456789+-.eExXoObBaAfF_ \t\nInityN", max_size=12)
SCALAR_EXPRESSIONS = [
    "format('{0}', a)",
    "toJSON(a)",
    "a == 0",
    "a < 1.5",
    "a >= -2",
    "a == 'Infinity'",
    "fromJSON(toJSON(a)) == a",
    "fromJSON(a)",
    "contains(a, '1')",
    "!a",
    "fromJSON('[10,20,30]')[a]",
    "join(fromJSON('[1.5, null, true]'), a)",
]


@settings(max_examples=max(1, EXAMPLES // 16), deadline=None)
@given(
    value=st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.floats(min_value=-1e6, max_value=1e6),
        st.floats(min_value=-1e-3, max_value=1e-3),
        st.integers(-(2**60), 2**60),
        NUMERIC_TEXT,
    )
)
def test_number_and_string_coercions_agree(oracle, value):
    """Number formatting and string → number conversion, where hand-written samples run out."""
    batch = [{"expr": e, "contexts": {"a": value}} for e in SCALAR_EXPRESSIONS]
    for case, theirs in zip(batch, oracle(batch), strict=True):
        assert_same(case, theirs)
