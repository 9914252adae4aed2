"""Template rewriting checked against GitHub's workflow-parser test data
(conformance/README.md §1b): the expressions GitHub stores for ``if:`` and ``run:`` values.

For every accepted workflow, each job's and step's ``if`` in the expected model must equal our
:func:`if_expression` of the source value, and each ``run:`` held as an expression must equal
our :func:`to_expression` of the source text (single-line values; GitHub rewrites block
scalars from their raw source, which a YAML loader does not keep).
"""

from __future__ import annotations

import io
import json
import re

import pytest
from ruamel.yaml import YAML
from shared_data import CONFORMANCE

from dispatchd.expressions import if_expression, to_expression

READER = CONFORMANCE / "languageservices" / "workflow-parser" / "testdata" / "reader"


def _documents(path):
    return re.split(r"\r?\n---\r?\n", path.read_text(encoding="utf-8"))


def _pairs():
    yaml = YAML(typ="safe", pure=True)
    for path in sorted(READER.glob("*.yml")):
        docs = _documents(path)
        expected = json.loads(docs[-1])
        if "errors" in expected or "jobs" not in expected:
            continue
        source = yaml.load(io.StringIO(docs[1]))
        jobs = (source or {}).get("jobs") or {}
        for job in expected["jobs"]:
            if not isinstance(job.get("id"), str) or not isinstance(jobs, dict):
                continue
            src_job = jobs.get(job["id"]) or {}
            if isinstance(job.get("if"), dict):
                yield pytest.param(
                    "if", src_job.get("if"), job["if"]["expr"], id=f"{path.stem}:{job['id']}:if"
                )
            src_steps = src_job.get("steps") or []
            for i, step in enumerate(job.get("steps") or []):
                if i >= len(src_steps) or not isinstance(src_steps[i], dict):
                    continue
                src = src_steps[i]
                if isinstance(step.get("if"), dict):
                    yield pytest.param(
                        "if", src.get("if"), step["if"]["expr"], id=f"{path.stem}:{job['id']}:{i}:if"
                    )
                run = step.get("run")
                if isinstance(run, dict) and isinstance(src.get("run"), str) and "\n" not in src["run"]:
                    yield pytest.param("run", src["run"], run["expr"], id=f"{path.stem}:{job['id']}:{i}:run")


PAIRS = list(_pairs())


def test_enough_cases():
    assert len(PAIRS) > 150


@pytest.mark.parametrize(("key", "source", "expected"), PAIRS)
def test_stored_expression(key, source, expected):
    if key == "if":
        assert if_expression(source) == expected
    else:
        assert to_expression(source) == expected
