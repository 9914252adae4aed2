"""Every real workflow in the shared corpus loads, with the triggers the corpus index records."""

from __future__ import annotations

import json

import pytest
from shared_data import CORPUS

from dispatchd.workflow import load_workflow, match_event

WORKFLOWS = sorted((CORPUS / "workflows").glob("*.y*ml"))
INDEX = {row["file"]: row for row in json.loads((CORPUS / "index.json").read_text())}
EVENTS = sorted((CORPUS / "events").glob("*.json"))


def _repo_path(file_name: str) -> str:
    # workflows/<owner>__<repo>__<filename>: the file's name inside its repository.
    return ".github/workflows/" + file_name.split("__", 2)[2]


def test_corpus_is_complete() -> None:
    assert len(WORKFLOWS) == 64
    assert {p.name for p in WORKFLOWS} == set(INDEX)


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_corpus_workflow_loads(path) -> None:
    workflow = load_workflow(_repo_path(path.name), path.read_text())
    row = INDEX[path.name]
    assert "repository_dispatch" in workflow.on
    assert set(workflow.on) == set(row["triggers"])
    types = (workflow.on["repository_dispatch"] or {}).get("types")
    expected_types = row["repository_dispatch_types"]
    if isinstance(types, str):
        types = [types]
    assert (types or []) == (expected_types or [])
    assert workflow.jobs, "every corpus workflow has jobs"


def _workflow_for_event(event_file: str) -> str:
    stem = event_file[: -len(".json")]
    matches = [p.name for p in WORKFLOWS if stem.startswith(p.name.rsplit(".", 1)[0] + "__")]
    assert len(matches) == 1, (event_file, matches)
    return matches[0]


@pytest.mark.parametrize("event_path", EVENTS, ids=[p.name for p in EVENTS])
def test_corpus_event_triggers_its_workflow(event_path) -> None:
    name = _workflow_for_event(event_path.name)
    workflow = load_workflow(_repo_path(name), (CORPUS / "workflows" / name).read_text())
    event = json.loads(event_path.read_text())
    result = match_event(workflow, "repository_dispatch", event)
    assert result.matched, result.reason
    other = match_event(workflow, "repository_dispatch", {**event, "action": "no-such-event-type"})
    types = (workflow.on["repository_dispatch"] or {}).get("types")
    assert other.matched is (types is None)
    if types is not None:
        assert other.reason.startswith("event type 'no-such-event-type' is not in types [")
