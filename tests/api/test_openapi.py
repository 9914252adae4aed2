"""The OpenAPI document: served at /openapi.json, equal to the one kept in docs/, and accurate
about what the routes answer."""

from __future__ import annotations

import json
from pathlib import Path

from dispatchd.api.openapi import dumps

KEPT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


async def test_served_document_equals_the_kept_one(srv):
    r = await srv.http.get("/openapi.json")
    assert r.status_code == 200
    served = r.json()
    # Regenerate with: python -m dispatchd.api.openapi > docs/openapi.json
    assert dumps(served) == KEPT.read_text(), "docs/openapi.json is stale"


def test_document_describes_githubs_shapes():
    doc = json.loads(KEPT.read_text())
    paths = doc["paths"]
    dispatch = paths["/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches"]["post"]
    assert set(dispatch["responses"]) == {"200", "204", "default"}
    assert dispatch["requestBody"]["content"]["application/json"]["schema"]["required"] == ["ref"]
    assert paths["/repos/{owner}/{repo}/dispatches"]["post"]["responses"].keys() == {"204", "default"}
    assert set(paths["/repos/{owner}/{repo}/actions/runs/{run_id}/rerun"]["post"]["responses"]) == {"201", "default"}
    assert set(paths["/repos/{owner}/{repo}/issues"]["post"]["responses"]) == {"201", "default"}
    runs = paths["/repos/{owner}/{repo}/actions/runs"]["get"]
    assert {p["name"] for p in runs["parameters"]} >= {"owner", "repo", "event", "status", "branch", "created",
                                                       "per_page", "page"}
    assert "HTTPValidationError" not in json.dumps(doc)
    error = doc["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"message", "documentation_url"}
    for path_item in paths.values():
        for op in path_item.values():
            assert op["responses"]["default"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"}
