"""Pull requests of a repository. A pull request is an issue too (GitHub): it takes the next issue
number, and its title, body, state and comments are its ``issues`` row; the ``pulls`` row beside
it holds the branches, draft flag and merge.

Rows read here are the issue's columns plus the pull request's, prefixed ``pull_`` where the names
clash (``pull_id``), as :func:`joined` selects them.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.engine import Connection

from . import issues as stored_issues
from .dialect import lock_row
from .schema import issues, pulls, repositories

#: GitHub's "long-running": open more than a month, with activity within the past month (seconds).
MONTH = 30 * 86_400


class PullExists(Exception):
    """An open pull request already has this head and base (GitHub answers 422)."""


def joined() -> Select[Any]:
    """Issue columns, then the pull request's: ``pull_id``, ``head_ref``, ``base_ref``, ``head_sha``,
    ``base_sha``, ``draft``, ``maintainer_can_modify``, ``merged_at``, ``merged_by``,
    ``merge_commit_sha``."""
    return (select(issues, pulls.c.id.label("pull_id"), pulls.c.head_ref, pulls.c.base_ref, pulls.c.head_sha,
                   pulls.c.base_sha, pulls.c.draft, pulls.c.maintainer_can_modify, pulls.c.merged_at,
                   pulls.c.merged_by, pulls.c.merge_commit_sha)
            .select_from(issues.join(pulls, pulls.c.issue_id == issues.c.id)))


def create(conn: Connection, repository_id: int, *, title: str, body: str | None, head_ref: str, head_sha: str,
           base_ref: str, base_sha: str, draft: bool, maintainer_can_modify: bool, author: str) -> Any:
    """Open a pull request with the next issue number; returns its joined row.

    Raises PullExists when an open pull request has the same head and base (checked in the same
    transaction as the insert, under the repository's lock, so two concurrent requests cannot both
    open one)."""
    lock_row(conn, repositories, repository_id)
    if find_open(conn, repository_id, head_ref, base_ref) is not None:
        raise PullExists(head_ref)
    issue = stored_issues.create(conn, repository_id, title=title, body=body, labels=[], assignees=[], author=author)
    conn.execute(pulls.insert().values(
        issue_id=issue.id, repository_id=repository_id, head_ref=head_ref, base_ref=base_ref, head_sha=head_sha,
        base_sha=base_sha, draft=draft, maintainer_can_modify=maintainer_can_modify))
    return get(conn, repository_id, issue.number)


def find_open(conn: Connection, repository_id: int, head_ref: str, base_ref: str) -> Any:
    return conn.execute(joined().where(pulls.c.repository_id == repository_id, pulls.c.head_ref == head_ref,
                                       pulls.c.base_ref == base_ref, issues.c.state == "open")).first()


def get(conn: Connection, repository_id: int, number: int) -> Any:
    """The pull request numbered ``number``, or None (also when that number is a plain issue)."""
    return conn.execute(joined().where(issues.c.repository_id == repository_id, issues.c.number == number)).first()


def listing(conn: Connection, repository_id: int, *, state: str = "open", head_ref: str | None = None,
            base_ref: str | None = None, sort: str = "created", direction: str = "desc") -> list[Any]:
    """Pull requests filtered as ``GET /repos/{o}/{r}/pulls`` does (``state`` open/closed/all;
    ``head_ref``/``base_ref`` branch names), sorted by ``created``, ``updated``, ``popularity``
    (comments) or ``long-running`` (by creation, only those opened over a month ago and active
    within the month: GitHub's definition)."""
    cond = [pulls.c.repository_id == repository_id]
    if state != "all":
        cond.append(issues.c.state == state)
    if head_ref is not None:
        cond.append(pulls.c.head_ref == head_ref)
    if base_ref is not None:
        cond.append(pulls.c.base_ref == base_ref)
    if sort == "long-running":
        month_ago = time.time() - MONTH
        cond += [issues.c.created_at < month_ago, issues.c.updated_at >= month_ago]
    column = {"created": issues.c.created_at, "updated": issues.c.updated_at, "popularity": issues.c.comments,
              "long-running": issues.c.created_at}[sort]
    ascending = direction == "asc"
    order = [column.asc() if ascending else column.desc(), issues.c.id.asc() if ascending else issues.c.id.desc()]
    return list(conn.execute(joined().where(*cond).order_by(*order)))


def update_pull(conn: Connection, row: Any, issue_changes: dict[str, Any], pull_changes: dict[str, Any]) -> Any:
    """Apply ``issue_changes`` (title, body, state) to the issue and ``pull_changes`` (base_ref,
    head_sha, base_sha, ...) to the pull request; returns the new joined row. A closed pull request
    has no ``state_reason`` (GitHub keeps it null on pull requests). Raises PullExists when it is
    reopened or moved to another base and another open pull request has its head and base
    (checked under the repository's lock)."""
    if issue_changes.get("state", row.state) == "open" and ("state" in issue_changes or "base_ref" in pull_changes):
        lock_row(conn, repositories, row.repository_id)
        other = find_open(conn, row.repository_id, row.head_ref, pull_changes.get("base_ref", row.base_ref))
        if other is not None and other.number != row.number:
            raise PullExists(row.head_ref)
    changes = dict(issue_changes)
    if changes.get("state") in ("open", "closed") and changes["state"] != row.state:
        changes["state_reason"] = None
    if changes:
        stored_issues.update_issue(conn, row.id, changes)
    if pull_changes:
        conn.execute(update(pulls).where(pulls.c.id == row.pull_id).values(**pull_changes))
        if not changes:
            conn.execute(update(issues).where(issues.c.id == row.id).values(updated_at=time.time()))
    return get(conn, row.repository_id, row.number)


def mark_merged(conn: Connection, row: Any, *, merge_commit_sha: str, head_sha: str, base_sha: str,
                merged_by: str) -> Any:
    """Record the merge: the pull request is closed, merged now by ``merged_by``."""
    now = time.time()
    conn.execute(update(pulls).where(pulls.c.id == row.pull_id).values(
        merged_at=now, merged_by=merged_by, merge_commit_sha=merge_commit_sha, head_sha=head_sha, base_sha=base_sha))
    stored_issues.update_issue(conn, row.id, {"state": "closed", "state_reason": None})
    return get(conn, row.repository_id, row.number)
