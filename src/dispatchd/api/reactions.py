"""Reactions to issues and issue comments (REST "Reactions"): list, create, delete.

GitHub's rules kept here: ``content`` is one of ``+1 -1 laugh confused heart hooray rocket eyes``
(else 422); a user's second reaction of the same content answers 200 with the first one instead of
201; a list is oldest first, filtered by ``?content=``, paged with ``Link``; deleting answers 204,
404 when the subject has no reaction of that id. Reacting needs write access (GitHub: fine-grained
tokens need "Issues" write); listing needs read.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse

from ..store import issues as stored_issues
from ..store import reactions as stored_reactions
from ..store.reactions import CONTENTS
from . import models
from .context import Access, ApiContext
from .dispatches import parse_json_object
from .errors import not_found
from .issues import CommentId, IssueNumber, user_json
from .paging import link_headers, page_params
from .serialize import iso
from .validation import found, invalid_type, not_supplied

DOCS = "https://docs.github.com/rest/reactions/reactions"
ISSUE_LIST_DOC = f"{DOCS}#list-reactions-for-an-issue"
ISSUE_CREATE_DOC = f"{DOCS}#create-reaction-for-an-issue"
ISSUE_DELETE_DOC = f"{DOCS}#delete-an-issue-reaction"
COMMENT_LIST_DOC = f"{DOCS}#list-reactions-for-an-issue-comment"
COMMENT_CREATE_DOC = f"{DOCS}#create-reaction-for-an-issue-comment"
COMMENT_DELETE_DOC = f"{DOCS}#delete-an-issue-comment-reaction"
ReactionId = Path(ge=1, le=2**63 - 1)


def reaction_json(row: Any, base: str) -> dict[str, Any]:
    return {"id": row.id, "node_id": f"REA_{row.id}", "user": user_json(row.login, base), "content": row.content,
            "created_at": iso(row.created_at)}


def _content(value: Any, doc: str, *, query: bool = False) -> str:
    """``value`` when it is a reaction content, else GitHub's 422 (``For 'content'`` for the query
    parameter, ``For 'properties/content'`` for the body's)."""
    if value not in CONTENTS:
        raise invalid_type("content", value, f"a member of {json.dumps(list(CONTENTS))}", doc, query=query)
    return value


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(tags=["reactions"])
    db = ctx.engine.db

    async def _issue_id(a: Access, number: int, doc: str) -> int:
        return int(found(await db.read(stored_issues.get, a.repo_id, number), doc).id)

    async def _comment_id(a: Access, comment_id: int, doc: str) -> int:
        found(await db.read(stored_issues.get_comment, a.repo_id, comment_id), doc)
        return comment_id

    async def _list(request: Request, subject: str, subject_id: int, doc: str) -> Response:
        wanted = request.query_params.get("content")
        content = _content(wanted, doc, query=True) if wanted is not None else None
        rows = await db.read(stored_reactions.listing, subject, subject_id, content)
        page = page_params(request)
        return JSONResponse([reaction_json(x, ctx.base_url) for x in page.slice(rows)],
                            headers=link_headers(request, page, len(rows)))

    async def _create(request: Request, a: Access, subject: str, subject_id: int, doc: str) -> Response:
        body = parse_json_object(await request.body(), doc)
        if "content" not in body:
            raise not_supplied("content", doc)
        content = _content(body["content"], doc)
        row, created = await db.write(stored_reactions.add, subject, subject_id, a.identity.login, content)
        return JSONResponse(reaction_json(row, ctx.base_url), status_code=201 if created else 200)

    async def _delete(subject: str, subject_id: int, reaction_id: int, doc: str) -> Response:
        if not await db.write(stored_reactions.remove, subject, subject_id, reaction_id):
            raise not_found(doc)
        return Response(status_code=204)

    @r.get("/repos/{owner}/{repo}/issues/{issue_number}/reactions", responses=models.ok(models.ReactionList),
           openapi_extra=models.query("content", "per_page", "page"))
    async def list_issue_reactions(owner: str, repo: str, request: Request,
                                   issue_number: int = IssueNumber) -> Response:
        """The reactions to an issue, oldest first (``?content=`` filters)."""
        a = await ctx.access(request, owner, repo, "read", ISSUE_LIST_DOC)
        return await _list(request, "issue", await _issue_id(a, issue_number, ISSUE_LIST_DOC), ISSUE_LIST_DOC)

    @r.post("/repos/{owner}/{repo}/issues/{issue_number}/reactions", status_code=201,
            responses={**models.ok(models.Reaction, 201), **models.ok(models.Reaction)},
            openapi_extra=models.body(models.ReactionCreateRequest))
    async def create_issue_reaction(owner: str, repo: str, request: Request,
                                    issue_number: int = IssueNumber) -> Response:
        """React to an issue: 201, or 200 with the existing reaction when the user already reacted so."""
        a = await ctx.access(request, owner, repo, "write", ISSUE_CREATE_DOC)
        issue_id = await _issue_id(a, issue_number, ISSUE_CREATE_DOC)
        return await _create(request, a, "issue", issue_id, ISSUE_CREATE_DOC)

    @r.delete("/repos/{owner}/{repo}/issues/{issue_number}/reactions/{reaction_id}", status_code=204,
              response_class=Response)
    async def delete_issue_reaction(owner: str, repo: str, request: Request, issue_number: int = IssueNumber,
                                    reaction_id: int = ReactionId) -> Response:
        """Remove a reaction from an issue."""
        a = await ctx.access(request, owner, repo, "write", ISSUE_DELETE_DOC)
        issue_id = await _issue_id(a, issue_number, ISSUE_DELETE_DOC)
        return await _delete("issue", issue_id, reaction_id, ISSUE_DELETE_DOC)

    @r.get("/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", responses=models.ok(models.ReactionList),
           openapi_extra=models.query("content", "per_page", "page"))
    async def list_comment_reactions(owner: str, repo: str, request: Request,
                                     comment_id: int = CommentId) -> Response:
        """The reactions to an issue comment, oldest first (``?content=`` filters)."""
        a = await ctx.access(request, owner, repo, "read", COMMENT_LIST_DOC)
        return await _list(request, "issue_comment", await _comment_id(a, comment_id, COMMENT_LIST_DOC),
                           COMMENT_LIST_DOC)

    @r.post("/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", status_code=201,
            responses={**models.ok(models.Reaction, 201), **models.ok(models.Reaction)},
            openapi_extra=models.body(models.ReactionCreateRequest))
    async def create_comment_reaction(owner: str, repo: str, request: Request,
                                      comment_id: int = CommentId) -> Response:
        """React to an issue comment: 201, or 200 with the existing reaction when the user already
        reacted so."""
        a = await ctx.access(request, owner, repo, "write", COMMENT_CREATE_DOC)
        await _comment_id(a, comment_id, COMMENT_CREATE_DOC)
        return await _create(request, a, "issue_comment", comment_id, COMMENT_CREATE_DOC)

    @r.delete("/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions/{reaction_id}", status_code=204,
              response_class=Response)
    async def delete_comment_reaction(owner: str, repo: str, request: Request, comment_id: int = CommentId,
                                      reaction_id: int = ReactionId) -> Response:
        """Remove a reaction from an issue comment."""
        a = await ctx.access(request, owner, repo, "write", COMMENT_DELETE_DOC)
        await _comment_id(a, comment_id, COMMENT_DELETE_DOC)
        return await _delete("issue_comment", comment_id, reaction_id, COMMENT_DELETE_DOC)

    return r
