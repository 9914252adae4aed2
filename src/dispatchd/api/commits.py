"""One commit (REST "Commits": "Get a commit"): what PyGithub's ``repo.get_commit(sha)`` reads
before ``get_check_runs()``, ``create_status()`` or ``get_combined_status()``, and what
``github.rest.repos.getCommit`` returns in a workflow.

GitHub's rules kept here: ``ref`` is a sha (full or abbreviated), a branch or a tag; one that names
no commit of the repository is 422 ``No commit found for SHA: <ref>``. Files are compared with
the first parent (a merge shows what it brought to its base); ``author`` and ``committer`` are
GitHub users, null here (commits carry e-mail addresses, and this server has no accounts).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ..repos import RepositoryError
from . import models
from .checks import no_commit, resolve_commit
from .context import ApiContext

GET_DOC = "https://docs.github.com/rest/commits/commits#get-a-commit"


def _date(text: str) -> str:
    """git's ISO 8601 date with an offset as GitHub writes it: UTC, ``Z`` (git's own text for a
    date Python cannot hold, past year 9999)."""
    try:
        return datetime.fromisoformat(text).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError):
        return text


def commit_json(details: dict[str, Any], full: str, base: str) -> dict[str, Any]:
    """GitHub's commit object from :meth:`dispatchd.repos.Repository.commit_details`."""
    sha = details["sha"]
    api = f"{base}/repos/{full}"
    files = []
    for f in details["files"]:
        path = quote(f["filename"])
        entry = {"sha": f["sha"], "filename": f["filename"], "status": f["status"], "additions": f["additions"],
                 "deletions": f["deletions"], "changes": f["additions"] + f["deletions"],
                 "blob_url": f"{base}/{full}/blob/{sha}/{path}", "raw_url": f"{base}/{full}/raw/{sha}/{path}",
                 "contents_url": f"{api}/contents/{path}?ref={sha}"}
        if "previous_filename" in f:
            entry["previous_filename"] = f["previous_filename"]
        files.append(entry)
    additions = sum(f["additions"] for f in files)
    deletions = sum(f["deletions"] for f in files)
    return {
        "url": f"{api}/commits/{sha}",
        "sha": sha,
        "node_id": f"C_{sha}",
        "html_url": f"{base}/{full}/commit/{sha}",
        "comments_url": f"{api}/commits/{sha}/comments",
        "commit": {
            "url": f"{api}/git/commits/{sha}",
            "author": {**details["author"], "date": _date(details["author"]["date"])},
            "committer": {**details["committer"], "date": _date(details["committer"]["date"])},
            "message": details["message"],
            "tree": {"url": f"{api}/git/trees/{details['tree']}", "sha": details["tree"]},
            "comment_count": 0,
            "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None,
                             "verified_at": None},
        },
        "author": None,
        "committer": None,
        "parents": [{"url": f"{api}/commits/{p}", "html_url": f"{base}/{full}/commit/{p}", "sha": p}
                    for p in details["parents"]],
        "stats": {"total": additions + deletions, "additions": additions, "deletions": deletions},
        "files": files,
    }


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(tags=["commits"])

    # Registered after the check-run and status routes of a commit, whose paths this one's
    # {ref:path} would otherwise take.
    @r.get("/repos/{owner}/{repo}/commits/{ref:path}", responses=models.ok(models.Commit))
    async def get_commit(owner: str, repo: str, ref: str, request: Request) -> Response:
        """The commit ``ref`` names, with its parents, stats and files."""
        a = await ctx.access(request, owner, repo, "read", GET_DOC)
        sha = await resolve_commit(a, ref, GET_DOC)
        try:
            details = await run_in_threadpool(a.repository.commit_details, sha)
        except RepositoryError:
            raise no_commit(ref, GET_DOC) from None
        return JSONResponse(commit_json(details, a.repository.full_name, ctx.base_url))

    return r
