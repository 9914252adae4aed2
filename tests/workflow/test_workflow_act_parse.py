"""nektos/act's workflow fixtures: the same accept/reject verdict as GitHub's parser.

``act/github-ts-parse.json`` holds GitHub's TypeScript parser's verdict for each workflow file
under ``runner-testdata/`` (local reusable workflows supplied, remote ones reported as not
found); we load each file the same way and compare.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shared_data import CONFORMANCE

from dispatchd.workflow import WorkflowError, load_workflow

ACT = CONFORMANCE / "act"
TESTDATA = ACT / "runner-testdata"
VERDICTS: dict[str, dict] = json.loads((ACT / "github-ts-parse.json").read_text())


def _resolver(uses: str) -> str | None:
    if uses.startswith("./"):
        path = TESTDATA / uses[2:]
        if path.is_file():
            return path.read_text()
    raise LookupError(uses)  # remote workflows were not available to GitHub's parser either


def _load(name: str) -> list[str]:
    path = TESTDATA / name
    try:
        load_workflow(name if name.startswith(".github/") else f".github/workflows/{Path(name).name}",
                      path.read_text(), resolve=_resolver)
    except WorkflowError as error:
        return [f"(Line: {d.line}, Col: {d.column}): {d.message}" if d.line else d.message
                for d in error.diagnostics]
    return []


#: Where we knowingly differ from the TypeScript parser's verdict, and why.
KNOWN_DIFFERENCES = {
    "uses-github-noref/push.yml": (
        "`uses: actions/checkout` without @ref: GitHub's service parser rejects it at load (reader case "
        "errors-step-uses-syntax.yml, Go/C#); the TypeScript parser leaves it to run time. act expects the "
        "run to fail either way."),
}


def test_every_fixture_has_a_verdict() -> None:
    assert len(VERDICTS) == 126
    assert sum(1 for v in VERDICTS.values() if v["ok"]) == 116


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN_DIFFERENCES[n], strict=True)) if n in KNOWN_DIFFERENCES else n
    for n in sorted(VERDICTS)])
def test_same_verdict_as_github(name: str) -> None:
    ours = _load(name)
    expected = VERDICTS[name]
    if expected["ok"]:
        assert ours == []
    else:
        assert ours, f"GitHub rejects it: {expected['errors']}"
        assert sorted(ours) == sorted(expected["errors"])
