"""The OpenAPI document: FastAPI's, made to say what the routes really answer.

Every operation gets GitHub's error body (``Error``) as its ``default`` response (401, 403,
404, 409, 413, 422... all share it) in place of FastAPI's own validation-error schema, and the
token schemes GitHub accepts. The document is kept in the repository as ``docs/openapi.json``;
``python -m dispatchd.api.openapi > docs/openapi.json`` writes it, and a test checks that the
served one equals the kept one.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from .models import Error

ERROR_REF = {"$ref": "#/components/schemas/Error"}


def build(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Error"] = Error.model_json_schema(ref_template="#/components/schemas/{model}")
    doc["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer TOKEN`"},
        "token": {"type": "apiKey", "in": "header", "name": "Authorization",
                  "description": "`Authorization: token TOKEN` (what @actions/github sends)"},
    }
    doc["security"] = [{"bearer": []}, {"token": []}]
    for path_item in doc.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses and "HTTPValidationError" in json.dumps(responses["422"]):
                del responses["422"]
            responses["default"] = {"description": "GitHub's error body",
                                    "content": {"application/json": {"schema": ERROR_REF}}}
    return doc


def install_openapi(app: FastAPI) -> None:
    """Serve :func:`build`'s document at ``/openapi.json`` (computed once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document() -> dict[str, Any]:
    """The document of a server with default settings (what ``docs/openapi.json`` holds)."""
    from ..engine.service import Engine, EngineConfig
    from .app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(EngineConfig(db_url=f"sqlite:///{tmp}/doc.db", data_dir=Path(tmp)), [])
        try:
            return create_app(engine, "unused", "http://127.0.0.1:8080", manage_engine=False).openapi()
        finally:
            engine.db.close()


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(dumps(document()))
