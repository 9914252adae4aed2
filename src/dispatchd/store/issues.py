"""Issues and issue comments of a repository (numbers per repository, from 1, as on GitHub).

Labels and assignees are lists of names kept on the issue row; list filters that need them
(``labels=a,b``) are applied after the state filter, which keeps the SQL portable.

A pull request is an issue too: rows read here carry ``pull_id`` and ``pull_merged_at`` (None
for a plain issue), which the API shows as the issue's ``pull_request`` key.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from .dialect import lock_row
from .schema import issue_comments, issues, pulls, repositories


def _rows() -> Any:
    return (select(issues, pulls.c.id.label("pull_id"), pulls.c.merged_at.label("pull_merged_at"))
            .select_from(issues.outerjoin(pulls, pulls.c.issue_id == issues.c.id)))


def create(conn: Connection, repository_id: int, *, title: str, body: str | None, labels: list[str],
           assignees: list[str], author: str) -> Any:
    """Insert an open issue with the next number; returns its row."""
    lock_row(conn, repositories, repository_id)  # one numbering at a time, across server processes
    number = (conn.execute(select(func.max(issues.c.number)).where(issues.c.repository_id == repository_id))
              .scalar_one_or_none() or 0) + 1
    now = time.time()
    issue_id = conn.execute(issues.insert().values(
        repository_id=repository_id, number=number, title=title, body=body, state="open", labels=labels,
        assignees=assignees, author=author, comments=0, locked=False, created_at=now, updated_at=now,
    )).inserted_primary_key[0]
    return conn.execute(_rows().where(issues.c.id == issue_id)).one()


def get(conn: Connection, repository_id: int, number: int) -> Any:
    return conn.execute(_rows().where(issues.c.repository_id == repository_id, issues.c.number == number)).first()


def listing(conn: Connection, repository_id: int, *, state: str = "open", labels: list[str] | None = None,
            sort: str = "created", direction: str = "desc", since: float | None = None,
            creator: str | None = None) -> list[Any]:
    """Issues filtered as ``GET /repos/{o}/{r}/issues`` does (``state`` open/closed/all; every one
    of ``labels`` present; ``since``: updated at or after), sorted."""
    cond = [issues.c.repository_id == repository_id]
    if state != "all":
        cond.append(issues.c.state == state)
    if since is not None:
        cond.append(issues.c.updated_at >= since)
    if creator:
        cond.append(issues.c.author == creator)
    column = {"created": issues.c.created_at, "updated": issues.c.updated_at, "comments": issues.c.comments}[sort]
    order = [column.asc() if direction == "asc" else column.desc(),
             issues.c.id.asc() if direction == "asc" else issues.c.id.desc()]
    rows = list(conn.execute(_rows().where(*cond).order_by(*order)))
    if labels:
        wanted = {name.lower() for name in labels}
        rows = [r for r in rows if wanted <= {name.lower() for name in (r.labels or [])}]
    return rows


def update_issue(conn: Connection, issue_id: int, changes: dict[str, Any]) -> Any:
    """Apply ``changes`` (title, body, state, state_reason, labels, assignees); closing stamps
    ``closed_at``, reopening clears it. Returns the new row."""
    row = conn.execute(_rows().where(issues.c.id == issue_id)).one()
    values = dict(changes)
    now = time.time()
    if values.get("state") == "closed" and row.state != "closed":
        values["closed_at"] = now
        values.setdefault("state_reason", "completed")
    elif values.get("state") == "open" and row.state != "open":
        values["closed_at"] = None
        values.setdefault("state_reason", "reopened")
    values["updated_at"] = now
    conn.execute(update(issues).where(issues.c.id == issue_id).values(**values))
    return conn.execute(_rows().where(issues.c.id == issue_id)).one()


def add_comment(conn: Connection, issue_id: int, body: str, author: str) -> Any:
    now = time.time()
    comment_id = conn.execute(issue_comments.insert().values(
        issue_id=issue_id, body=body, author=author, created_at=now, updated_at=now)).inserted_primary_key[0]
    conn.execute(update(issues).where(issues.c.id == issue_id).values(
        comments=issues.c.comments + 1, updated_at=now))
    return conn.execute(select(issue_comments).where(issue_comments.c.id == comment_id)).one()


def comments(conn: Connection, issue_id: int, since: float | None = None) -> list[Any]:
    cond = [issue_comments.c.issue_id == issue_id]
    if since is not None:
        cond.append(issue_comments.c.updated_at >= since)
    return list(conn.execute(select(issue_comments).where(*cond).order_by(issue_comments.c.id)))


def get_comment(conn: Connection, repository_id: int, comment_id: int) -> tuple[Any, Any] | None:
    """``(comment, its issue)`` when the comment belongs to the repository, else None."""
    comment = conn.execute(select(issue_comments).where(issue_comments.c.id == comment_id)).first()
    if comment is None:
        return None
    issue = conn.execute(select(issues).where(issues.c.id == comment.issue_id,
                                              issues.c.repository_id == repository_id)).first()
    return (comment, issue) if issue is not None else None


def update_comment(conn: Connection, comment_id: int, body: str) -> Any:
    now = time.time()
    conn.execute(update(issue_comments).where(issue_comments.c.id == comment_id).values(body=body, updated_at=now))
    return conn.execute(select(issue_comments).where(issue_comments.c.id == comment_id)).one()
