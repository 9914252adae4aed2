"""Pull requests (REST "Pulls"): create, list, get, update, and merge, between branches of the
served git repository. Enough for the pull-request steps of workflows (``github.rest.pulls.*``
in github-script) and the PyGithub/Octokit calls users write.

GitHub's rules kept here:

- a pull request is an issue: it takes the next issue number, ``GET /issues/{n}`` shows it with a
  ``pull_request`` key, and closing either closes both;
- ``head`` is ``branch`` or ``owner:branch`` and ``base`` a branch; one that is not a branch of
  the repository is 422 ``Validation Failed`` (``field`` head/base, ``code`` invalid); a head
  with nothing that the base lacks is 422 ``No commits between <base> and <head>``; a second open
  pull request for the same head and base is 422 ``A pull request already exists for
  <owner>:<branch>.``;
- ``head``/``base``/``sha`` of an open pull request are the branches' current tips (a push shows at
  once); a closed one keeps the tips it was closed with;
- the list filter ``head`` is ``owner:branch``; a bare branch name is ignored, as on GitHub;
- ``mergeable`` is computed when one pull request is read (git's merge without a working tree),
  null when git cannot tell;
- a merge (``merge`` or ``squash``) writes the commit with git and moves the base branch with a
  compare-and-swap: 409 when the head moved from the ``sha`` given, 405 when the branches
  conflict. ``rebase`` is 405 (this server does not rebase), and so is a base branch checked out
  in the served repository's working tree (git refuses to update a checked-out branch on push for
  the same reason: the working tree would silently disagree with it).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ..events import repository_object
from ..repos import Repository, RepositoryError
from ..store import pulls as stored_pulls
from . import models
from .auth import ADMIN_LOGIN
from .context import Access, ApiContext
from .dispatches import parse_json_object
from .errors import GitHubError, not_found
from .issues import MAX_BODY, MAX_TITLE, label_json, user_json
from .paging import link_headers, page_params
from .serialize import iso
from .validation import (
    boolean_field,
    custom,
    found,
    invalid_query,
    invalid_type,
    not_supplied,
    string_field,
    validation_failed,
)

CREATE_DOC = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"
LIST_DOC = "https://docs.github.com/rest/pulls/pulls#list-pull-requests"
GET_DOC = "https://docs.github.com/rest/pulls/pulls#get-a-pull-request"
UPDATE_DOC = "https://docs.github.com/rest/pulls/pulls#update-a-pull-request"
MERGE_DOC = "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request"
MERGED_DOC = "https://docs.github.com/rest/pulls/pulls#check-if-a-pull-request-has-been-merged"
PullNumber = Path(ge=1, le=2**31 - 1)
SORTS = ("created", "updated", "popularity", "long-running")


def _head_branch(head: str, owner: str) -> str | None:
    """The branch of ``head`` (``branch`` or ``owner:branch``), or None when it names another
    owner's repository (this server has no forks)."""
    if ":" not in head:
        return head
    who, branch = head.split(":", 1)
    return branch if who.lower() == owner.lower() else None


def _ref_json(label_owner: str, ref: str, sha: str, repo_json: dict[str, Any], base: str) -> dict[str, Any]:
    return {"label": f"{label_owner}:{ref}", "ref": ref, "sha": sha, "user": user_json(label_owner, base),
            "repo": repo_json}


def pull_json(row: Any, a: Access, base: str, tips: dict[str, Any], *, full: bool) -> dict[str, Any]:
    """GitHub's pull-request object (``full``) or pull-request-simple (lists). ``tips`` holds
    ``head_sha``, ``base_sha`` and, when ``full``, ``stats`` and ``mergeable`` (see :func:`_tips`)."""
    repository: Repository = a.repository
    owner, full_name = repository.owner, repository.full_name
    api = f"{base}/repos/{full_name}/pulls/{row.number}"
    issue_api = f"{base}/repos/{full_name}/issues/{row.number}"
    html = f"{base}/{full_name}/pull/{row.number}"
    statuses = f"{base}/repos/{full_name}/statuses/{tips['head_sha']}"
    repo_json = repository_object(a.repo_id, owner, repository.name, tips["default_branch"], base)
    assignees = [user_json(x, base) for x in (row.assignees or [])]
    data: dict[str, Any] = {
        "url": api,
        "id": row.pull_id,
        "node_id": f"PR_{row.pull_id}",
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue_api,
        "commits_url": f"{api}/commits",
        "review_comments_url": f"{api}/comments",
        "review_comment_url": f"{base}/repos/{full_name}/pulls/comments{{/number}}",
        "comments_url": f"{issue_api}/comments",
        "statuses_url": statuses,
        "number": row.number,
        "state": row.state,
        "locked": bool(row.locked),
        "title": row.title,
        "user": user_json(row.author, base),
        "body": row.body,
        "labels": [label_json(n, full_name, base) for n in (row.labels or [])],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "closed_at": iso(row.closed_at),
        "merged_at": iso(row.merged_at),
        "merge_commit_sha": row.merge_commit_sha,
        "assignee": assignees[0] if assignees else None,
        "assignees": assignees,
        "requested_reviewers": [],
        "requested_teams": [],
        "head": _ref_json(owner, row.head_ref, tips["head_sha"], repo_json, base),
        "base": _ref_json(owner, row.base_ref, tips["base_sha"], repo_json, base),
        "_links": {
            "self": {"href": api}, "html": {"href": html}, "issue": {"href": issue_api},
            "comments": {"href": f"{issue_api}/comments"}, "review_comments": {"href": f"{api}/comments"},
            "review_comment": {"href": f"{base}/repos/{full_name}/pulls/comments{{/number}}"},
            "commits": {"href": f"{api}/commits"}, "statuses": {"href": statuses},
        },
        "author_association": "OWNER" if row.author in (owner, ADMIN_LOGIN) else "CONTRIBUTOR",
        "auto_merge": None,
        "draft": bool(row.draft),
    }
    if full:
        mergeable = tips.get("mergeable")
        stats = tips.get("stats") or {"commits": 0, "additions": 0, "deletions": 0, "changed_files": 0}
        data.update({
            "merged": row.merged_at is not None,
            "mergeable": mergeable,
            "rebaseable": mergeable,
            "mergeable_state": "unknown" if mergeable is None else ("clean" if mergeable else "dirty"),
            "merged_by": user_json(row.merged_by, base) if row.merged_by else None,
            "comments": row.comments,
            "review_comments": 0,
            "maintainer_can_modify": bool(row.maintainer_can_modify),
            **stats,
        })
    return data


def _tips(repository: Repository, row: Any, *, full: bool) -> dict[str, Any]:
    """The shas a pull request shows (blocking git reads: call in a thread). Open: the branches'
    current tips (the recorded ones when a branch is gone); closed: the recorded ones."""
    head_sha, base_sha = row.head_sha, row.base_sha
    if row.state == "open":
        head_sha = repository.branch_sha(row.head_ref) or head_sha
        base_sha = repository.branch_sha(row.base_ref) or base_sha
    try:
        default_branch = repository.default_branch()
    except RepositoryError:
        default_branch = "main"
    tips: dict[str, Any] = {"head_sha": head_sha, "base_sha": base_sha, "default_branch": default_branch}
    if full:
        try:
            tips["stats"] = repository.compare(base_sha, head_sha)
        except (RepositoryError, ValueError):
            tips["stats"] = None
        if row.state == "open":
            try:
                tips["mergeable"] = repository.merge_tree(base_sha, head_sha) is not None
            except RepositoryError:
                tips["mergeable"] = None
    return tips


def _checked_out(repository: Repository, branch: str) -> bool:
    """Whether ``branch`` is the branch the served repository's working tree has checked out."""
    if repository.git_dir == repository.path:  # a bare repository has no working tree
        return False
    try:
        return repository.default_branch() == branch
    except RepositoryError:
        return False


def _merge(repository: Repository, row: Any, method: str, title: str | None, message: str | None,
           expected_head: str | None, merger: str) -> tuple[str, str, str]:
    """Merge the pull request's head into its base with git: ``(merge commit sha, head sha,
    base sha before)``. Raises GitHubError with GitHub's status for what stops a merge."""
    head_sha = repository.branch_sha(row.head_ref)
    base_sha = repository.branch_sha(row.base_ref)
    if head_sha is None or base_sha is None:
        raise GitHubError(405, "Pull Request is not mergeable", MERGE_DOC)
    if expected_head is not None and expected_head != head_sha:
        raise GitHubError(409, "Head branch was modified. Review and try the merge again.", MERGE_DOC)
    if method == "rebase":
        raise GitHubError(405, "Rebase merges are not allowed on this repository.", MERGE_DOC)
    if _checked_out(repository, row.base_ref):
        raise GitHubError(405, f"Base branch '{row.base_ref}' is checked out in the served repository's working "
                               "tree; merge it with git there", MERGE_DOC)
    # Nothing left to merge (another merge of it landed first, maybe from another server sharing
    # the database, or the head was pushed to the base): refused, not written as an empty commit.
    merged_already = subprocess.run(["git", "-C", str(repository.path), "merge-base", "--is-ancestor", head_sha,
                                     base_sha], capture_output=True, check=False).returncode == 0
    try:
        tree = None if merged_already else repository.merge_tree(base_sha, head_sha)
    except RepositoryError:
        raise GitHubError(405, "Pull Request is not mergeable", MERGE_DOC) from None
    if tree is None or (method == "squash" and tree == repository.commit_info(base_sha)["tree_id"]):
        raise GitHubError(405, "Pull Request is not mergeable", MERGE_DOC)
    if method == "squash":
        parents = ["-p", base_sha]
        subject = title or f"{row.title} (#{row.number})"
    else:
        parents = ["-p", base_sha, "-p", head_sha]
        subject = title or f"Merge pull request #{row.number} from {repository.owner}/{row.head_ref}"
    text = subject if message is None else f"{subject}\n\n{message}"
    if message is None and method == "merge":
        text = f"{subject}\n\n{row.title}"
    env = {**os.environ, "GIT_AUTHOR_NAME": merger, "GIT_AUTHOR_EMAIL": f"{merger}@users.noreply",
           "GIT_COMMITTER_NAME": merger, "GIT_COMMITTER_EMAIL": f"{merger}@users.noreply"}
    made = subprocess.run(["git", "-C", str(repository.path), "commit-tree", tree, *parents, "-F", "-"],
                          input=text.encode(), capture_output=True, env=env, check=False)
    if made.returncode != 0:
        raise GitHubError(405, "Pull Request is not mergeable", MERGE_DOC)
    commit = made.stdout.decode().strip()
    # Compare-and-swap: a push to the base since it was read makes this fail instead of losing it.
    moved = subprocess.run(["git", "-C", str(repository.path), "update-ref", "-m", f"merge pull request #{row.number}",
                            f"refs/heads/{row.base_ref}", commit, base_sha], capture_output=True, check=False)
    if moved.returncode != 0:
        raise GitHubError(409, "Base branch was modified. Review and try the merge again.", MERGE_DOC)
    return commit, head_sha, base_sha


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(tags=["pulls"])
    db = ctx.engine.db
    # One merge at a time per repository in this process: a merge reads the pull request, writes
    # git, then records it, and a second merge of the same pull request must see the first.
    merging: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def _json(a: Access, row: Any, *, full: bool) -> dict[str, Any]:
        tips = await run_in_threadpool(_tips, a.repository, row, full=full)
        return pull_json(row, a, ctx.base_url, tips, full=full)

    async def _get(a: Access, number: int, doc: str) -> Any:
        return found(await db.read(stored_pulls.get, a.repo_id, number), doc)

    @r.post("/repos/{owner}/{repo}/pulls", status_code=201, responses=models.ok(models.PullRequest, 201),
            openapi_extra=models.body(models.PullRequestCreateRequest))
    async def create_pull(owner: str, repo: str, request: Request) -> Response:
        """Open a pull request from ``head`` into ``base``: 201 with it and a ``Location`` header."""
        a = await ctx.access(request, owner, repo, "write", CREATE_DOC)
        body = parse_json_object(await request.body(), CREATE_DOC)
        for field in ("head", "base"):
            if field not in body:
                raise not_supplied(field, CREATE_DOC)
        head = string_field(body, "head", CREATE_DOC, resource="PullRequest", limit=255)
        base_ref = string_field(body, "base", CREATE_DOC, resource="PullRequest", limit=255)
        if body.get("issue") is not None:
            # Turning an issue into a pull request is not served: say so rather than ignore it.
            raise validation_failed("PullRequest", "issue", "invalid", CREATE_DOC,
                                    "converting an issue is not supported by this server")
        title = string_field(body, "title", CREATE_DOC, resource="PullRequest", limit=MAX_TITLE)
        if title is None or not title.strip():
            raise validation_failed("PullRequest", "title", "missing_field", CREATE_DOC)
        text = string_field(body, "body", CREATE_DOC, resource="PullRequest", limit=MAX_BODY)
        draft = boolean_field(body, "draft", CREATE_DOC) or False
        can_modify = boolean_field(body, "maintainer_can_modify", CREATE_DOC)
        repository = a.repository
        head_ref = _head_branch(head or "", repository.owner)
        head_sha = await run_in_threadpool(repository.branch_sha, head_ref) if head_ref else None
        if head_sha is None:
            raise validation_failed("PullRequest", "head", "invalid", CREATE_DOC)
        base_sha = await run_in_threadpool(repository.branch_sha, base_ref or "")
        if base_sha is None:
            raise validation_failed("PullRequest", "base", "invalid", CREATE_DOC)
        assert head_ref is not None and base_ref is not None and head is not None
        stats = await run_in_threadpool(repository.compare, base_sha, head_sha)
        if stats["commits"] == 0:
            raise custom("PullRequest", f"No commits between {base_ref} and {head}", CREATE_DOC)
        try:
            row = await db.write(lambda c: stored_pulls.create(
                c, a.repo_id, title=title, body=text, head_ref=head_ref, head_sha=head_sha, base_ref=base_ref,
                base_sha=base_sha, draft=draft, maintainer_can_modify=bool(can_modify), author=a.identity.login))
        except stored_pulls.PullExists:
            raise custom("PullRequest", f"A pull request already exists for {repository.owner}:{head_ref}.",
                         CREATE_DOC) from None
        data = await _json(a, row, full=True)
        return JSONResponse(data, status_code=201, headers={"Location": data["url"]})

    @r.get("/repos/{owner}/{repo}/pulls", responses=models.ok(models.PullRequestList),
           openapi_extra=models.query("state", "head", "base", "sort:pulls", "direction", "per_page", "page"))
    async def list_pulls(owner: str, repo: str, request: Request) -> Response:
        """Pull requests, newest first; ``state`` (default ``open``), ``head`` (``owner:branch``),
        ``base``, ``sort``, ``direction``, paging."""
        a = await ctx.access(request, owner, repo, "read", LIST_DOC)
        q = request.query_params
        state = q.get("state") or "open"
        sort = q.get("sort") or "created"
        # GitHub: desc by default when sorting by creation, asc otherwise.
        direction = q.get("direction") or ("desc" if sort == "created" else "asc")
        if state not in ("open", "closed", "all") or sort not in SORTS or direction not in ("asc", "desc"):
            raise invalid_query("PullRequest", "state/sort/direction", LIST_DOC)
        head_ref: str | None = None
        head = q.get("head")
        if head and ":" in head:
            who, head_ref = head.split(":", 1)
            if who.lower() != a.repository.owner.lower():
                return JSONResponse([])  # another owner's fork: this server has none
        base_ref = q.get("base") or None
        if "\x00" in (head_ref or "") + (base_ref or ""):  # no branch holds NUL (PostgreSQL text cannot)
            return JSONResponse([])
        page = page_params(request)
        rows = await db.read(lambda c: stored_pulls.listing(c, a.repo_id, state=state, head_ref=head_ref,
                                                             base_ref=base_ref, sort=sort, direction=direction))
        shown = [await _json(a, row, full=False) for row in page.slice(rows)]
        return JSONResponse(shown, headers=link_headers(request, page, len(rows)))

    @r.get("/repos/{owner}/{repo}/pulls/{pull_number}", responses=models.ok(models.PullRequest))
    async def get_pull(owner: str, repo: str, request: Request, pull_number: int = PullNumber) -> Response:
        """One pull request, with ``mergeable``, ``commits``, ``additions``, ``deletions``, ``changed_files``."""
        a = await ctx.access(request, owner, repo, "read", GET_DOC)
        return JSONResponse(await _json(a, await _get(a, pull_number, GET_DOC), full=True))

    @r.patch("/repos/{owner}/{repo}/pulls/{pull_number}", responses=models.ok(models.PullRequest),
             openapi_extra=models.body(models.PullRequestUpdateRequest, required=False))
    async def update_pull(owner: str, repo: str, request: Request, pull_number: int = PullNumber) -> Response:
        """Edit ``title``, ``body``, ``base``, ``maintainer_can_modify``; close or reopen (``state``)."""
        a = await ctx.access(request, owner, repo, "write", UPDATE_DOC)
        body = parse_json_object(await request.body(), UPDATE_DOC)
        row = await _get(a, pull_number, UPDATE_DOC)
        issue_changes: dict[str, Any] = {}
        pull_changes: dict[str, Any] = {}
        if "title" in body:
            title = string_field(body, "title", UPDATE_DOC, resource="PullRequest", limit=MAX_TITLE)
            if title is None or not title.strip():
                raise validation_failed("PullRequest", "title", "missing_field", UPDATE_DOC)
            issue_changes["title"] = title
        if "body" in body:
            issue_changes["body"] = string_field(body, "body", UPDATE_DOC, resource="PullRequest",
                                                 limit=MAX_BODY)
        if "maintainer_can_modify" in body:
            can_modify = boolean_field(body, "maintainer_can_modify", UPDATE_DOC)
            pull_changes["maintainer_can_modify"] = bool(can_modify)
        repository = a.repository
        if body.get("base") is not None:
            base_ref = string_field(body, "base", UPDATE_DOC, resource="PullRequest", limit=255) or ""
            if row.merged_at is not None or row.state != "open":
                raise custom("PullRequest", "Cannot change the base branch of a closed pull request.",
                             UPDATE_DOC)
            base_sha = await run_in_threadpool(repository.branch_sha, base_ref)
            if base_sha is None:
                raise validation_failed("PullRequest", "base", "invalid", UPDATE_DOC)
            pull_changes.update(base_ref=base_ref, base_sha=base_sha)
        if body.get("state") is not None:
            if body["state"] not in ("open", "closed"):
                raise validation_failed("PullRequest", "state", "invalid", UPDATE_DOC)
            if body["state"] != row.state:
                if row.merged_at is not None:
                    raise custom("PullRequest", "state cannot be changed. The pull request has been merged.",
                                 UPDATE_DOC)
                issue_changes["state"] = body["state"]
                # Closing keeps the tips it was closed with (the branches may move or go later).
                tips = await run_in_threadpool(_tips, repository, row, full=False)
                pull_changes.setdefault("head_sha", tips["head_sha"])
                pull_changes.setdefault("base_sha", tips["base_sha"])

        try:
            row = await db.write(stored_pulls.update_pull, row, issue_changes, pull_changes)
        except stored_pulls.PullExists:
            message = f"A pull request already exists for {repository.owner}:{row.head_ref}."
            raise custom("PullRequest", message, UPDATE_DOC) from None
        return JSONResponse(await _json(a, row, full=True))

    @r.get("/repos/{owner}/{repo}/pulls/{pull_number}/merge", status_code=204, responses={204: {"description": "merged"}})
    async def pull_merged(owner: str, repo: str, request: Request, pull_number: int = PullNumber) -> Response:
        """204 when the pull request has been merged, else 404 (GitHub: "Check if a pull request has
        been merged")."""
        a = await ctx.access(request, owner, repo, "read", MERGED_DOC)
        row = await _get(a, pull_number, MERGED_DOC)
        if row.merged_at is None:
            raise not_found(MERGED_DOC)
        return Response(status_code=204)

    @r.put("/repos/{owner}/{repo}/pulls/{pull_number}/merge", responses=models.ok(models.PullRequestMergeResult),
           openapi_extra=models.body(models.PullRequestMergeRequest, required=False))
    async def merge_pull(owner: str, repo: str, request: Request, pull_number: int = PullNumber) -> Response:
        """Merge (``merge_method`` merge or squash): 200 ``{sha, merged, message}``."""
        a = await ctx.access(request, owner, repo, "write", MERGE_DOC)
        raw = await request.body()
        body = parse_json_object(raw, MERGE_DOC) if raw.strip() else {}
        row = await _get(a, pull_number, MERGE_DOC)
        method = body.get("merge_method") or "merge"
        if method not in ("merge", "squash", "rebase"):
            raise invalid_type("merge_method", method, "one of merge, squash, rebase", MERGE_DOC)
        title = string_field(body, "commit_title", MERGE_DOC, resource="PullRequest", limit=MAX_TITLE)
        message = string_field(body, "commit_message", MERGE_DOC, resource="PullRequest", limit=MAX_BODY)
        expected = string_field(body, "sha", MERGE_DOC, resource="PullRequest", limit=64)
        async with merging[a.repo_id]:
            row = await _get(a, pull_number, MERGE_DOC)  # as the previous merge left it
            if row.state != "open":
                raise GitHubError(405, "Pull Request is not mergeable", MERGE_DOC)
            if row.draft:
                raise GitHubError(405, "Pull Request is still a draft", MERGE_DOC)
            commit, head_sha, base_sha = await run_in_threadpool(_merge, a.repository, row, method, title, message,
                                                                 expected, a.identity.login)
            await db.write(lambda c: stored_pulls.mark_merged(c, row, merge_commit_sha=commit, head_sha=head_sha,
                                                               base_sha=base_sha, merged_by=a.identity.login))
        return JSONResponse({"sha": commit, "merged": True, "message": "Pull Request successfully merged"})

    return r
