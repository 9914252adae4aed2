"""The FastAPI application: GitHub's REST paths over the engine, plus the webhook sender."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from ..engine.service import Engine
from ..webhooks import WebhookService
from . import (
    artifacts,
    callbacks,
    dispatches,
    errors,
    hooks,
    issues,
    reactions,
    releases,
    repos,
    runs,
    secrets,
    tokens,
    workflows,
)
from . import checks, commits, pulls, statuses
from .auth import Authenticator
from .context import ApiContext
from .signing import Signer
from .limits import Limits, RequestLimits
from .openapi import install_openapi


def create_app(engine: Engine, admin_token: str, base_url: str, *, manage_engine: bool = True) -> FastAPI:
    """The app. With ``manage_engine`` the app's lifespan starts and stops the engine; the
    webhook sender runs while the app does."""
    webhook_service = WebhookService(engine.db, engine.repos, base_url.rstrip("/"), secret_box=engine.secret_box)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if manage_engine:
            await engine.start()
        webhook_service.start()
        try:
            yield
        finally:
            await webhook_service.stop()
            if manage_engine:
                await engine.stop()

    app = FastAPI(title="dispatchd", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="GitHub's REST API for repository_dispatch, workflow runs, issues and webhooks, "
                              "served by dispatchd.")
    ctx = ApiContext(engine=engine, auth=Authenticator(admin_token, engine.db), base_url=base_url.rstrip("/"),
                     webhooks=webhook_service, log_links=Signer(admin_token, "logs"))
    errors.install(app)
    for module in (dispatches, runs, workflows, repos, issues, reactions, releases, hooks, tokens, artifacts):
        app.include_router(module.router(ctx))
    # commits last: its /commits/{ref:path} would take the check-run and status paths of a commit.
    for module in (pulls, checks, statuses, commits):
        app.include_router(module.router(ctx))
    app.include_router(callbacks.router(ctx, admin_token))
    app.include_router(secrets.router(ctx))
    install_openapi(app)

    limits = Limits()
    app.add_middleware(RequestLimits, limits=limits)
    app.add_middleware(GitHubHeaders)
    app.state.ctx = ctx
    app.state.limits = limits
    app.state.webhooks = webhook_service
    return app


class GitHubHeaders:
    """Adds ``X-GitHub-Request-Id`` and ``X-GitHub-Media-Type`` to every response (pure ASGI:
    the per-request cost of Starlette's BaseHTTPMiddleware would show in dispatch throughput)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-github-request-id", os.urandom(8).hex().upper().encode()))
                headers.append((b"x-github-media-type", b"github.v3; format=json"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
