"""``GET /repos/{owner}/{repo}`` (PyGithub calls it before anything else) and ``GET /user``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ..events import repository_object, user_object
from .context import ApiContext


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter()

    @r.get("/repos/{owner}/{repo}")
    async def get_repository(owner: str, repo: str, request: Request) -> dict[str, Any]:
        ctx.auth.identify(request)
        repo_id, repository = ctx.repository(owner, repo, "https://docs.github.com/rest/repos/repos#get-a-repository")
        return repository_object(repo_id, repository.owner, repository.name, repository.default_branch(), ctx.base_url)

    @r.get("/user")
    async def get_user(request: Request) -> dict[str, Any]:
        identity = ctx.auth.identify(request)
        return user_object(identity.login, ctx.base_url)

    return r
