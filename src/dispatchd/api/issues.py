"""Issues and issue comments (REST "Issues", "Issue comments"): create, get, list, update;
comments create and list. Enough for issue-opening actions (JasonEtco/create-an-issue,
peter-evans/create-issue-from-file) and the PyGithub/Octokit calls users write.

GitHub's rules kept here: ``title`` is required (422 "Validation Failed", ``missing_field``)
and may be a string or an integer; ``labels`` are names or ``{"name": ...}`` objects (unknown
labels are created); ``state`` is ``open``/``closed``; unknown body keys are ignored; a list is
newest first, ``state=open`` by default, paged with ``Link``. Titles are limited to 256
characters and bodies to 65,536 (GitHub's limits).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zlib import crc32

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse

from ..events import user_object
from ..store import issues as stored_issues
from ..store import reactions as stored_reactions
from ..store.reactions import CONTENTS
from . import models
from .auth import ADMIN_LOGIN
from .context import Access, ApiContext
from .dispatches import parse_json_object
from .paging import link_headers, page_params
from .serialize import iso
from .validation import found, invalid_query, invalid_type, string_field, validation_failed

CREATE_DOC = "https://docs.github.com/rest/issues/issues#create-an-issue"
GET_DOC = "https://docs.github.com/rest/issues/issues#get-an-issue"
LIST_DOC = "https://docs.github.com/rest/issues/issues#list-repository-issues"
UPDATE_DOC = "https://docs.github.com/rest/issues/issues#update-an-issue"
COMMENT_DOC = "https://docs.github.com/rest/issues/comments#create-an-issue-comment"
COMMENTS_DOC = "https://docs.github.com/rest/issues/comments#list-issue-comments"
COMMENT_GET_DOC = "https://docs.github.com/rest/issues/comments#get-an-issue-comment"
COMMENT_UPDATE_DOC = "https://docs.github.com/rest/issues/comments#update-an-issue-comment"
MAX_TITLE = 256
MAX_BODY = 65_536
IssueNumber = Path(ge=1, le=2**31 - 1)
CommentId = Path(ge=1, le=2**63 - 1)


def user_json(login: str, base: str) -> dict[str, Any]:
    user = user_object(login, base)
    if login.endswith("[bot]"):
        user["type"] = "Bot"
    return user


def label_json(name: str, full: str, base: str) -> dict[str, Any]:
    label_id = crc32(f"{full}:{name}".encode()) & 0x7FFFFFFF or 1
    return {"id": label_id, "node_id": f"LA_{label_id}", "url": f"{base}/repos/{full}/labels/{name}",
            "name": name, "description": None, "color": "ededed", "default": False}


def reactions_rollup(url: str, counts: dict[str, int] | None) -> dict[str, Any]:
    """GitHub's ``reactions`` summary of an issue or comment: ``url``, ``total_count`` and a count
    per content."""
    counts = counts or {}
    return {"url": url, "total_count": sum(counts.values()), **{c: counts.get(c, 0) for c in CONTENTS}}


def issue_json(row: Any, owner: str, full: str, base: str, reactions: dict[str, int] | None = None) -> dict[str, Any]:
    api = f"{base}/repos/{full}/issues/{row.number}"
    assignees = [user_json(a, base) for a in (row.assignees or [])]
    pull = getattr(row, "pull_id", None) is not None
    data = {
        "id": row.id,
        "node_id": f"I_{row.id}",
        "url": api,
        "repository_url": f"{base}/repos/{full}",
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": f"{base}/{full}/{'pull' if pull else 'issues'}/{row.number}",
        "number": row.number,
        "state": row.state,
        "state_reason": row.state_reason,
        "title": row.title,
        "body": row.body,
        "user": user_json(row.author, base),
        "labels": [label_json(n, full, base) for n in (row.labels or [])],
        "assignee": assignees[0] if assignees else None,
        "assignees": assignees,
        "milestone": None,
        "locked": bool(row.locked),
        "active_lock_reason": None,
        "comments": row.comments,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "closed_at": iso(row.closed_at),
        "author_association": "OWNER" if row.author in (owner, ADMIN_LOGIN) else "CONTRIBUTOR",
        "reactions": reactions_rollup(f"{api}/reactions", reactions),
        "timeline_url": f"{api}/timeline",
    }
    if pull:
        # GitHub: a pull request is an issue, and the issue says so (and links the pull request).
        html = f"{base}/{full}/pull/{row.number}"
        data["pull_request"] = {"url": f"{base}/repos/{full}/pulls/{row.number}", "html_url": html,
                                "diff_url": f"{html}.diff", "patch_url": f"{html}.patch",
                                "merged_at": iso(getattr(row, "pull_merged_at", None))}
    return data


def comment_json(row: Any, number: int, owner: str, full: str, base: str,
                 reactions: dict[str, int] | None = None) -> dict[str, Any]:
    issue_api = f"{base}/repos/{full}/issues/{number}"
    return {
        "id": row.id,
        "node_id": f"IC_{row.id}",
        "url": f"{base}/repos/{full}/issues/comments/{row.id}",
        "html_url": f"{base}/{full}/issues/{number}#issuecomment-{row.id}",
        "issue_url": issue_api,
        "body": row.body,
        "user": user_json(row.author, base),
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "author_association": "OWNER" if row.author in (owner, ADMIN_LOGIN) else "CONTRIBUTOR",
        "reactions": reactions_rollup(f"{base}/repos/{full}/issues/comments/{row.id}/reactions", reactions),
    }


def _names(body: dict[str, Any], field: str, doc: str, *, objects: bool = False) -> list[str] | None:
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, list):
        raise invalid_type(field, value, "an array", doc)
    out: list[str] = []
    for item in value[:100]:
        name = item.get("name") if objects and isinstance(item, dict) else item
        if not isinstance(name, str) or not name.strip() or len(name) > 100 or "\x00" in name:
            raise invalid_type(f"{field}/items", item, "a valid name", doc)
        if name not in out:
            out.append(name)
    return out


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(tags=["issues"])
    db = ctx.engine.db

    def _issue(a: Access, row: Any, reactions: dict[int, dict[str, int]] | None = None) -> dict[str, Any]:
        return issue_json(row, a.repository.owner, a.repository.full_name, ctx.base_url, (reactions or {}).get(row.id))

    def _comment_json(a: Access, row: Any, number: int,
                      reactions: dict[int, dict[str, int]] | None = None) -> dict[str, Any]:
        return comment_json(row, number, a.repository.owner, a.repository.full_name, ctx.base_url,
                            (reactions or {}).get(row.id))

    async def _counts(subject: str, rows: list[Any]) -> dict[int, dict[str, int]]:
        return await db.read(stored_reactions.counts, subject, [x.id for x in rows])

    async def _get(a: Access, number: int, doc: str) -> Any:
        return found(await db.read(stored_issues.get, a.repo_id, number), doc)

    @r.post("/repos/{owner}/{repo}/issues", status_code=201, responses=models.ok(models.Issue, 201),
            openapi_extra=models.body(models.IssueCreateRequest))
    async def create_issue(owner: str, repo: str, request: Request) -> Response:
        """Open an issue: 201 with the issue and a ``Location`` header."""
        a = await ctx.access(request, owner, repo, "write", CREATE_DOC)
        body = parse_json_object(await request.body(), CREATE_DOC)
        if body.get("title") is None:
            raise validation_failed("Issue", "title", "missing_field", CREATE_DOC)
        title = string_field(body, "title", CREATE_DOC, resource="Issue", limit=MAX_TITLE, allow_int=True)
        if title is None or not title.strip():
            raise validation_failed("Issue", "title", "missing_field", CREATE_DOC)
        text = string_field(body, "body", CREATE_DOC, resource="Issue", limit=MAX_BODY)
        labels = _names(body, "labels", CREATE_DOC, objects=True) or []
        assignees = _names(body, "assignees", CREATE_DOC) or []
        single = body.get("assignee")
        if isinstance(single, str) and single and single not in assignees:
            assignees.insert(0, single)
        row = await db.write(lambda c: stored_issues.create(c, a.repo_id, title=title, body=text, labels=labels,
                                                             assignees=assignees, author=a.identity.login))
        data = _issue(a, row)
        return JSONResponse(data, status_code=201, headers={"Location": data["url"]})

    @r.get("/repos/{owner}/{repo}/issues", responses=models.ok(models.IssueList),
           openapi_extra=models.query("state", "labels", "sort", "direction", "since", "per_page", "page"))
    async def list_issues(owner: str, repo: str, request: Request) -> Response:
        """Issues of the repository, newest first; ``state`` (default ``open``), ``labels``, paging."""
        a = await ctx.access(request, owner, repo, "read", LIST_DOC)
        q = request.query_params
        state = q.get("state") or "open"
        sort = q.get("sort") or "created"
        direction = q.get("direction") or "desc"
        if state not in ("open", "closed", "all") or sort not in ("created", "updated", "comments") \
                or direction not in ("asc", "desc"):
            raise invalid_query("Issue", "state/sort/direction", LIST_DOC)
        since = None
        if q.get("since"):
            try:
                since = datetime.fromisoformat(q["since"].replace("Z", "+00:00")).timestamp()
            except ValueError:
                raise validation_failed("Issue", "since", "invalid", LIST_DOC) from None
        labels = [s.strip() for s in (q.get("labels") or "").split(",") if s.strip()]
        page = page_params(request)
        if "\x00" in (q.get("creator") or ""):  # no login holds NUL (PostgreSQL text cannot)
            return JSONResponse([])
        rows = await db.read(lambda c: stored_issues.listing(c, a.repo_id, state=state, labels=labels, sort=sort,
                                                              direction=direction, since=since,
                                                              creator=q.get("creator")))
        shown = page.slice(rows)
        counts = await _counts("issue", shown)
        return JSONResponse([_issue(a, x, counts) for x in shown], headers=link_headers(request, page, len(rows)))

    @r.get("/repos/{owner}/{repo}/issues/{issue_number}", responses=models.ok(models.Issue))
    async def get_issue(owner: str, repo: str, request: Request, issue_number: int = IssueNumber) -> Response:
        """One issue by number."""
        a = await ctx.access(request, owner, repo, "read", GET_DOC)
        row = await _get(a, issue_number, GET_DOC)
        return JSONResponse(_issue(a, row, await _counts("issue", [row])))

    @r.patch("/repos/{owner}/{repo}/issues/{issue_number}", responses=models.ok(models.Issue),
             openapi_extra=models.body(models.IssueUpdateRequest))
    async def update_issue(owner: str, repo: str, request: Request, issue_number: int = IssueNumber) -> Response:
        """Edit title, body, labels, assignees; close (``state: closed``, ``state_reason``) or reopen."""
        a = await ctx.access(request, owner, repo, "write", UPDATE_DOC)
        body = parse_json_object(await request.body(), UPDATE_DOC)
        row = await _get(a, issue_number, UPDATE_DOC)
        changes: dict[str, Any] = {}
        if "title" in body:
            title = string_field(body, "title", UPDATE_DOC, resource="Issue", limit=MAX_TITLE, allow_int=True)
            if title is None or not title.strip():
                raise validation_failed("Issue", "title", "missing_field", UPDATE_DOC)
            changes["title"] = title
        if "body" in body:
            changes["body"] = string_field(body, "body", UPDATE_DOC, resource="Issue", limit=MAX_BODY)
        if "state" in body:
            if body["state"] not in ("open", "closed"):
                raise validation_failed("Issue", "state", "invalid", UPDATE_DOC)
            changes["state"] = body["state"]
        if body.get("state_reason") is not None:
            if body["state_reason"] not in ("completed", "not_planned", "reopened"):
                raise validation_failed("Issue", "state_reason", "invalid", UPDATE_DOC)
            changes["state_reason"] = body["state_reason"]
        if "labels" in body:
            changes["labels"] = _names(body, "labels", UPDATE_DOC, objects=True) or []
        if "assignees" in body:
            changes["assignees"] = _names(body, "assignees", UPDATE_DOC) or []
        row = await db.write(stored_issues.update_issue, row.id, changes)
        return JSONResponse(_issue(a, row, await _counts("issue", [row])))

    @r.post("/repos/{owner}/{repo}/issues/{issue_number}/comments", status_code=201,
            responses=models.ok(models.IssueComment, 201), openapi_extra=models.body(models.CommentCreateRequest))
    async def create_comment(owner: str, repo: str, request: Request, issue_number: int = IssueNumber) -> Response:
        """Comment on an issue: 201 with the comment and a ``Location`` header."""
        a = await ctx.access(request, owner, repo, "write", COMMENT_DOC)
        body = parse_json_object(await request.body(), COMMENT_DOC)
        issue = await _get(a, issue_number, COMMENT_DOC)
        if body.get("body") is None:
            raise validation_failed("IssueComment", "body", "missing_field", COMMENT_DOC)
        text = string_field(body, "body", COMMENT_DOC, resource="Issue", limit=MAX_BODY)
        assert text is not None
        row = await db.write(stored_issues.add_comment, issue.id, text, a.identity.login)
        data = _comment_json(a, row, issue.number)
        return JSONResponse(data, status_code=201, headers={"Location": data["url"]})

    @r.get("/repos/{owner}/{repo}/issues/{issue_number}/comments", responses=models.ok(models.IssueCommentList),
           openapi_extra=models.query("since", "per_page", "page"))
    async def list_comments(owner: str, repo: str, request: Request, issue_number: int = IssueNumber) -> Response:
        """The comments of an issue, oldest first."""
        a = await ctx.access(request, owner, repo, "read", COMMENTS_DOC)
        issue = await _get(a, issue_number, COMMENTS_DOC)
        since = None
        if request.query_params.get("since"):
            try:
                since = datetime.fromisoformat(request.query_params["since"].replace("Z", "+00:00")).timestamp()
            except ValueError:
                raise validation_failed("IssueComment", "since", "invalid", COMMENTS_DOC) from None
        rows = await db.read(stored_issues.comments, issue.id, since)
        page = page_params(request)
        shown = page.slice(rows)
        counts = await _counts("issue_comment", shown)
        items = [_comment_json(a, x, issue.number, counts) for x in shown]
        return JSONResponse(items, headers=link_headers(request, page, len(rows)))

    async def _comment(a: Access, comment_id: int, doc: str) -> tuple[Any, Any]:
        return found(await db.read(stored_issues.get_comment, a.repo_id, comment_id), doc)

    @r.get("/repos/{owner}/{repo}/issues/comments/{comment_id}", responses=models.ok(models.IssueComment))
    async def get_comment(owner: str, repo: str, request: Request, comment_id: int = CommentId) -> Response:
        """One issue comment (GitHub: "Get an issue comment")."""
        a = await ctx.access(request, owner, repo, "read", COMMENT_GET_DOC)
        comment, issue = await _comment(a, comment_id, COMMENT_GET_DOC)
        return JSONResponse(_comment_json(a, comment, issue.number, await _counts("issue_comment", [comment])))

    @r.patch("/repos/{owner}/{repo}/issues/comments/{comment_id}", responses=models.ok(models.IssueComment),
             openapi_extra=models.body(models.CommentCreateRequest))
    async def update_comment(owner: str, repo: str, request: Request, comment_id: int = CommentId) -> Response:
        """Replace an issue comment's body (GitHub: "Update an issue comment")."""
        a = await ctx.access(request, owner, repo, "write", COMMENT_UPDATE_DOC)
        body = parse_json_object(await request.body(), COMMENT_UPDATE_DOC)
        comment, issue = await _comment(a, comment_id, COMMENT_UPDATE_DOC)
        if body.get("body") is None:
            raise validation_failed("IssueComment", "body", "missing_field", COMMENT_UPDATE_DOC)
        text = string_field(body, "body", COMMENT_UPDATE_DOC, resource="Issue", limit=MAX_BODY)
        assert text is not None
        row = await db.write(stored_issues.update_comment, comment.id, text)
        return JSONResponse(_comment_json(a, row, issue.number, await _counts("issue_comment", [row])))

    return r
