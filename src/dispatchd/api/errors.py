"""GitHub-shaped error responses: every error body is ``{"message", "documentation_url", "status"}``.

GitHub answers 404 (not 405) for a wrong method on an existing path and for resources the caller
may not see; a malformed body is 400 ``Problems parsing JSON``; wrong shapes are 422
``Invalid request.`` followed by one line per problem.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

DOCS = "https://docs.github.com/rest"
log = logging.getLogger(__name__)


class GitHubError(Exception):
    """Raise from a route to answer with GitHub's error body."""

    def __init__(self, status: int, message: str, documentation_url: str = DOCS,
                 errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.documentation_url = documentation_url
        self.errors = errors
        self.headers = headers


def error_response(status: int, message: str, documentation_url: str = DOCS,
                   errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"message": message, "documentation_url": documentation_url, "status": str(status)}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers)


def not_found(documentation_url: str = DOCS) -> GitHubError:
    return GitHubError(404, "Not Found", documentation_url)


def install(app: Any) -> None:
    """Register the handlers that turn every error into GitHub's shape (never a bare 500 body)."""

    @app.exception_handler(GitHubError)
    async def _github(_req: Request, exc: GitHubError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.documentation_url, exc.errors, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code in (404, 405):
            return error_response(404, "Not Found")
        return error_response(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_req: Request, exc: Exception) -> JSONResponse:
        # A bug must still answer in GitHub's shape (and is logged by the server).
        log.error("unhandled error", exc_info=exc)
        return error_response(500, "Server Error")

    @app.exception_handler(RequestValidationError)
    async def _validation(_req: Request, exc: RequestValidationError) -> JSONResponse:
        # A path that names no object GitHub could have (run "abc", issue 0, an id past 2**63) is
        # GitHub's 404: its routes only match ids, so such a URL is no resource at all.
        if any((err.get("loc") or ("",))[0] == "path" for err in exc.errors()):
            return error_response(404, "Not Found")
        lines = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
            lines.append(f"{loc or 'request'}: {err.get('msg')}")
        return error_response(422, "Invalid request.\n\n" + "\n".join(lines))
