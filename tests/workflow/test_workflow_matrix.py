"""Matrix expansion (GitHub's MatrixBuilder rules) and leg display names."""

from __future__ import annotations

import json

import pytest
from shared_data import CONFORMANCE

from dispatchd.workflow import MAX_MATRIX_LEGS, WorkflowError, expand_matrix, job_display_name, load_workflow


def test_no_matrix_is_one_empty_leg() -> None:
    assert expand_matrix(None) == [{}]
    assert expand_matrix({}) == [{}]


def test_cross_product_first_vector_varies_slowest() -> None:
    legs = expand_matrix({"os": ["ubuntu", "macos"], "py": ["3.11", "3.12"]})
    assert legs == [
        {"os": "ubuntu", "py": "3.11"},
        {"os": "ubuntu", "py": "3.12"},
        {"os": "macos", "py": "3.11"},
        {"os": "macos", "py": "3.12"},
    ]


def test_docs_worked_example_include_rules() -> None:
    # GitHub docs, "Expanding or adding matrix configurations".
    matrix = {
        "fruit": ["apple", "pear"],
        "animal": ["cat", "dog"],
        "include": [
            {"color": "green"},
            {"color": "pink", "animal": "cat"},
            {"fruit": "apple", "shape": "circle"},
            {"fruit": "banana"},
            {"fruit": "banana", "animal": "cat"},
        ],
    }
    assert expand_matrix(matrix) == [
        {"fruit": "apple", "animal": "cat", "color": "pink", "shape": "circle"},
        {"fruit": "apple", "animal": "dog", "color": "green", "shape": "circle"},
        {"fruit": "pear", "animal": "cat", "color": "pink"},
        {"fruit": "pear", "animal": "dog", "color": "green"},
        {"fruit": "banana"},
        {"fruit": "banana", "animal": "cat"},
    ]


def test_exclude_is_a_partial_match_with_loose_equality() -> None:
    matrix = {
        "os": ["ubuntu", "windows"],
        "node": [16, 18],
        "exclude": [{"os": "WINDOWS", "node": "16"}],  # strings compare case-insensitively, '16' == 16
    }
    assert expand_matrix(matrix) == [
        {"os": "ubuntu", "node": 16}, {"os": "ubuntu", "node": 18}, {"os": "windows", "node": 18}]


def test_exclude_matches_nested_objects_leaf_by_leaf() -> None:
    matrix = {
        "cfg": [{"name": "a", "flags": {"x": 1}}, {"name": "b", "flags": {"x": 2}}],
        "exclude": [{"cfg": {"flags": {"x": 2}}}],
    }
    assert expand_matrix(matrix) == [{"cfg": {"name": "a", "flags": {"x": 1}}}]


def test_include_only_matrix() -> None:
    assert expand_matrix({"include": [{"a": 1}, {"a": 2, "b": "x"}]}) == [{"a": 1}, {"a": 2, "b": "x"}]


def test_shape_errors_use_githubs_messages() -> None:
    with pytest.raises(WorkflowError, match="Matrix vector 'os' does not contain any values"):
        expand_matrix({"os": []})
    with pytest.raises(WorkflowError, match="Matrix exclude key 'arch' does not match any key within the matrix"):
        expand_matrix({"os": ["a"], "exclude": [{"arch": "x"}]})
    with pytest.raises(WorkflowError, match="Matrix exclude filter must not be empty"):
        expand_matrix({"os": ["a"], "exclude": [{}]})
    with pytest.raises(WorkflowError, match="Matrix include mapping does not contain any values"):
        expand_matrix({"os": ["a"], "include": [{}]})


def test_at_most_256_legs() -> None:
    assert len(expand_matrix({"a": list(range(16)), "b": list(range(16))})) == MAX_MATRIX_LEGS
    with pytest.raises(WorkflowError, match="more than 256 jobs"):
        expand_matrix({"a": list(range(16)), "b": list(range(17))})


def test_display_names() -> None:
    legs = expand_matrix({"py": ["3.11", 3.12], "os": ["ubuntu"], "include": [{"py": "3.11", "experimental": True}]})
    assert [job_display_name("build", leg) for leg in legs] == ["build (3.11, ubuntu)", "build (3.12, ubuntu)"]
    # Include extras merged into a leg are not part of its name; an appended include leg is named by all values.
    legs = expand_matrix({"py": ["3.11"], "include": [{"py": "3.10", "flag": False}]})
    assert [job_display_name("t", leg) for leg in legs] == ["t (3.11)", "t (3.10, false)"]
    assert job_display_name("t", {"cfg": {"os": "linux", "arch": [1, 2]}}) == "t (linux, 1, 2)"
    assert job_display_name("build", {}) == "build"
    long = job_display_name("j", {"v": "x" * 200})
    assert len(long) == 100 and long.endswith("...")


def test_acts_strategy_fixture() -> None:
    # nektos/act pkg/model/workflow_test.go TestReadWorkflow_Strategy, transcribed in planner-cases.json.
    data = json.loads((CONFORMANCE / "act" / "planner-cases.json").read_text())["strategy"]
    text = (CONFORMANCE / "act" / data["workdir"] / data["path"]).read_text()
    workflow = load_workflow(".github/workflows/push.yml", text)
    for job_id, expected in data["jobs"].items():
        strategy = workflow.jobs[job_id].strategy or {}
        assert expand_matrix(strategy.get("matrix")) == expected["matrix_combinations"], job_id
        assert strategy.get("fail-fast", True) is expected["fail_fast"], job_id


@pytest.mark.parametrize(("left", "right", "expected"), [
    (None, None, True),
    ("ABC", "abc", True),
    (1, 1.0, True),
    (True, 1, True),           # different kinds compare as numbers
    ("0x10", 16, True),
    ("", 0, True),
    (None, 0, True),
    ("abc", 0, False),         # NaN equals nothing
    (True, "true", False),     # 'true' is NaN as a number
    ([1], [1], False),         # arrays and objects only by identity
])
def test_loose_equality_is_githubs(left, right, expected) -> None:
    from dispatchd.workflow import loose_equals

    assert loose_equals(left, right) is expected


def test_bad_shapes() -> None:
    with pytest.raises(WorkflowError, match="expected a mapping"):
        expand_matrix(["a"])
    with pytest.raises(WorkflowError, match="Matrix vector 'os' must be a sequence"):
        expand_matrix({"os": "ubuntu"})
    with pytest.raises(WorkflowError, match="Matrix include must be a sequence of mappings"):
        expand_matrix({"os": ["a"], "include": {"os": "b"}})
    with pytest.raises(WorkflowError, match="Matrix exclude entries must be mappings"):
        expand_matrix({"os": ["a"], "exclude": ["a"]})
    assert expand_matrix({"os": ["a"], "include": None}) == [{"os": "a"}]


def test_exclude_matches_lists_index_by_index() -> None:
    matrix = {"pair": [[1, 2], [3, 4]], "exclude": [{"pair": [3]}]}
    assert expand_matrix(matrix) == [{"pair": [1, 2]}]
    assert expand_matrix({"cfg": ["plain"], "exclude": [{"cfg": {"x": 1}}]}) == [{"cfg": "plain"}]
