"""nektos/act's expression and template tables (conformance/README.md §2a, §2b).

Where act and GitHub disagree the case carries GitHub's outcome in ``github_ts``, and GitHub's
is the one we hold to. ``hashFiles`` cases glob under ``act/exprparser-testdata``.
"""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path

import pytest
from expressions_support import load_groups, same_value
from shared_data import CONFORMANCE

from dispatchd.expressions import ExpressionError, evaluate, render, to_expression
from dispatchd.expressions.functions.hashfiles import matched_files

ACT = CONFORMANCE / "act"
EXPRESSIONS = [
    pytest.param(case, id=f"{group}:{i}:{case['name']}")
    for group, i, case in load_groups(ACT / "expressions.json")
]
TEMPLATES = load_groups(ACT / "templates.json")


def expectation(case: dict) -> dict:
    """GitHub's outcome: ``github_ts`` when it is recorded as an outcome, else act's."""
    github = case.get("github_ts")
    if isinstance(github, dict):
        return github
    return {k: case[k] for k in ("result", "err") if k in case}


def _github_hash(files: list[str]) -> str:
    outer = hashlib.sha256()
    for f in files:
        outer.update(hashlib.sha256(Path(f).read_bytes()).digest())
    return outer.hexdigest() if files else ""


@pytest.mark.parametrize("case", [c for c in EXPRESSIONS if "workdir" in c.values[0]])
def test_hash_files_matches_the_same_files_as_act(case):
    """act hashes the files' concatenated bytes; GitHub (and we) hash each file's SHA-256.

    act's expected value pins down which files match and in what order; the value we return
    must be GitHub's hash of those files.
    """
    workspace = str(ACT / case["workdir"])
    patterns = re.findall(r"'((?:[^']|'')*)'", case["expr"])
    files = matched_files(patterns, workspace)
    act_hash = hashlib.sha256(b"".join(Path(f).read_bytes() for f in files)).hexdigest() if files else ""
    assert act_hash == case["result"]["value"]
    got = evaluate(case["expr"], {"github": {"workspace": workspace}})
    assert got == _github_hash(files)


@pytest.mark.parametrize("case", [c for c in EXPRESSIONS if "workdir" not in c.values[0]])
def test_expression(case, tmp_path):
    contexts = copy.deepcopy(case.get("contexts") or {})
    if "hashfiles" in case["expr"].lower():
        workspace = tmp_path  # an empty workspace: the patterns match nothing
        contexts.setdefault("github", {})["workspace"] = str(workspace)
    expected = expectation(case)
    status = case.get("jobStatus")
    if "err" in expected:
        with pytest.raises(ExpressionError) as info:
            evaluate(case["expr"], contexts, job_status=status)
        assert info.value.kind == expected["err"]["kind"]
        if "github_ts" in case:  # act's own messages are act's; GitHub's must match
            assert expected["err"]["value"] in str(info.value)
    else:
        result = evaluate(case["expr"], contexts, job_status=status)
        assert same_value(expected["result"]["kind"], expected["result"]["value"], result), result


@pytest.mark.parametrize(
    "case", [c for g, i, c in TEMPLATES if g == "TestInterpolate"], ids=lambda c: c["template"]
)
def test_interpolate(case):
    assert render(case["template"], case["contexts"]) == case["expected"]


@pytest.mark.parametrize(
    ("group", "case"),
    [(g, c) for g, i, c in TEMPLATES if g.startswith("TestRewriteSubExpression")],
    ids=lambda v: v if isinstance(v, str) else v["template"],
)
def test_rewrite_as_one_expression(group, case):
    force = group.endswith("ForceFormat")
    rewritten = to_expression(case["template"], force_format=force)
    if rewritten is None:  # no ${{ }}: the text stays as it is
        rewritten = case["template"]
    elif not rewritten.startswith("format("):  # a lone expression stays an expression
        rewritten = "${{ " + rewritten + " }}"
    assert rewritten == case["rewritten"]


def test_counts():
    assert len(EXPRESSIONS) == 540
    assert len(TEMPLATES) == 48
