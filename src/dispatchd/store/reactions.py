"""Reactions to issues and issue comments (REST "Reactions").

A subject is ``("issue", issues.id)`` or ``("issue_comment", issue_comments.id)``. A user holds at
most one reaction of each content on a subject (GitHub answers a repeated POST with the first).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection

from .dialect import lock_row
from .schema import issue_comments, issues, reactions

#: GitHub's reaction contents, in the order its ``reactions`` rollup lists them.
CONTENTS = ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")


def add(conn: Connection, subject: str, subject_id: int, login: str, content: str) -> tuple[Any, bool]:
    """The user's reaction of ``content`` on the subject: ``(row, created)``; ``created`` is False
    when the user had already reacted so (the existing row is returned)."""
    # Under the subject's lock: a concurrent first reaction would otherwise break the unique key.
    lock_row(conn, issues if subject == "issue" else issue_comments, subject_id)
    where = (reactions.c.subject == subject, reactions.c.subject_id == subject_id, reactions.c.login == login,
             reactions.c.content == content)
    row = conn.execute(select(reactions).where(*where)).first()
    if row is not None:
        return row, False
    conn.execute(reactions.insert().values(subject=subject, subject_id=subject_id, login=login, content=content,
                                           created_at=time.time()))
    return conn.execute(select(reactions).where(*where)).one(), True


def listing(conn: Connection, subject: str, subject_id: int, content: str | None = None) -> list[Any]:
    """The subject's reactions, oldest first; only those of ``content`` when given."""
    cond = [reactions.c.subject == subject, reactions.c.subject_id == subject_id]
    if content is not None:
        cond.append(reactions.c.content == content)
    return list(conn.execute(select(reactions).where(*cond).order_by(reactions.c.id)))


def remove(conn: Connection, subject: str, subject_id: int, reaction_id: int) -> bool:
    """Delete one reaction of the subject; False when it has no reaction of that id."""
    result = conn.execute(delete(reactions).where(reactions.c.subject == subject,
                                                  reactions.c.subject_id == subject_id,
                                                  reactions.c.id == reaction_id))
    return result.rowcount > 0


def counts(conn: Connection, subject: str, subject_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """``{subject_id: {content: count}}`` for the subjects that have reactions (one query)."""
    ids = list(subject_ids)
    if not ids:
        return {}
    out: dict[int, dict[str, int]] = {}
    rows = conn.execute(select(reactions.c.subject_id, reactions.c.content, func.count())
                        .where(reactions.c.subject == subject, reactions.c.subject_id.in_(ids))
                        .group_by(reactions.c.subject_id, reactions.c.content))
    for subject_id, content, n in rows:
        out.setdefault(subject_id, {})[content] = n
    return out
