"""``GET /repos/{owner}/{repo}`` (PyGithub calls it before anything else) and ``GET /user``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ..events import repository_object, user_object
from ..repos import RepositoryError
from ..store.tokens import JOB_TOKEN_LOGIN
from . import models
from .context import ApiContext
from .errors import GitHubError

REPO_DOC = "https://docs.github.com/rest/repos/repos#get-a-repository"


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(tags=["repos"])

    @r.get("/repos/{owner}/{repo}", responses=models.ok(models.Repository))
    async def get_repository(owner: str, repo: str, request: Request) -> dict[str, Any]:
        """A served repository. ``permissions`` say what the caller's token may do."""
        a = await ctx.access(request, owner, repo, "read", REPO_DOC)
        try:
            branch = a.repository.default_branch()
        except RepositoryError:  # a detached HEAD: the repository still exists
            branch = "main"
        body = repository_object(a.repo_id, a.repository.owner, a.repository.name, branch, ctx.base_url)
        if not a.identity.admin:
            write = a.identity.scope == "write"
            body["permissions"] = {"admin": False, "maintain": False, "push": write, "triage": write, "pull": True}
        return body

    @r.get("/user", responses=models.ok(models.SimpleUser), tags=["users"])
    async def get_user(request: Request) -> dict[str, Any]:
        """The token's identity (a job's ``GITHUB_TOKEN`` is GitHub's integration: 403, as on GitHub)."""
        identity = await ctx.auth.identify(request)
        if identity.job_id is not None and identity.login == JOB_TOKEN_LOGIN:
            raise GitHubError(403, identity.forbidden_message, "https://docs.github.com/rest/users/users#get-the-authenticated-user")
        return user_object(identity.login, ctx.base_url)

    return r
