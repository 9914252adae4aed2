"""Releases of a repository and their assets (REST "Releases", "Release assets").

GitHub's rules kept here: one *published* release per tag (drafts may share a tag, so the check
is made in the writing transaction rather than by a constraint); an asset name is unique in its
release; the latest release is the one last made latest explicitly (``make_latest: true``, the
default when a release is published), else the newest published release that is neither a
prerelease nor marked ``make_latest: false``.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from .dialect import lock_row
from .schema import release_assets, releases, repositories

#: The asset columns without the bytes (listings never read those).
ASSET_FIELDS = [c for c in release_assets.c if c.name != "content"]


class AlreadyExists(Exception):
    """A published release already has the tag, or the release already has an asset of that name."""


class Gone(Exception):
    """The release was deleted while the request was on its way (GitHub answers 404)."""


def _eligible(row: Any) -> bool:
    return not row.draft and not row.prerelease


def _published_with_tag(conn: Connection, repository_id: int, tag: str, other_than: int | None = None) -> bool:
    cond = [releases.c.repository_id == repository_id, releases.c.tag_name == tag, releases.c.draft.is_(False)]
    if other_than is not None:
        cond.append(releases.c.id != other_than)
    return conn.execute(select(releases.c.id).where(*cond).limit(1)).first() is not None


def _apply_make_latest(conn: Connection, row: Any, make_latest: str | None) -> Any:
    """Set or clear the explicit latest pointer after ``row`` was written with ``make_latest``
    (None: not given). GitHub: ``legacy`` makes the newest published full release latest."""
    repo = row.repository_id
    if make_latest is not None:
        conn.execute(update(releases).where(releases.c.id == row.id).values(make_latest=make_latest))
    newest = _newest_eligible(conn, repo)
    take = _eligible(row) and (make_latest == "true" or (make_latest == "legacy" and newest == row.id))
    if take:
        conn.execute(update(releases).where(releases.c.repository_id == repo, releases.c.latest.is_(True))
                     .values(latest=False))
        conn.execute(update(releases).where(releases.c.id == row.id).values(latest=True))
    elif row.latest and (not _eligible(row) or make_latest in ("false", "legacy")):
        conn.execute(update(releases).where(releases.c.id == row.id).values(latest=False))
    return conn.execute(select(releases).where(releases.c.id == row.id)).one()


def _newest_eligible(conn: Connection, repository_id: int) -> int | None:
    return conn.execute(
        select(releases.c.id)
        .where(releases.c.repository_id == repository_id, releases.c.draft.is_(False),
               releases.c.prerelease.is_(False), releases.c.make_latest != "false")
        .order_by(releases.c.created_at.desc(), releases.c.id.desc()).limit(1)
    ).scalar_one_or_none()


def create(conn: Connection, repository_id: int, *, tag_name: str, target_commitish: str, name: str | None,
           body: str | None, draft: bool, prerelease: bool, make_latest: str, author: str) -> Any:
    """Insert a release; returns its row. Raises AlreadyExists when it is published and a
    published release has the tag (checked under the repository's lock)."""
    lock_row(conn, repositories, repository_id)
    if not draft and _published_with_tag(conn, repository_id, tag_name):
        raise AlreadyExists(tag_name)
    now = time.time()
    release_id = conn.execute(releases.insert().values(
        repository_id=repository_id, tag_name=tag_name, target_commitish=target_commitish, name=name, body=body,
        draft=draft, prerelease=prerelease, make_latest=make_latest, latest=False, author=author,
        created_at=now, updated_at=now, published_at=None if draft else now,
    )).inserted_primary_key[0]
    row = conn.execute(select(releases).where(releases.c.id == release_id)).one()
    return _apply_make_latest(conn, row, make_latest)


def get(conn: Connection, repository_id: int, release_id: int) -> Any:
    return conn.execute(select(releases).where(releases.c.repository_id == repository_id,
                                               releases.c.id == release_id)).first()


def by_tag(conn: Connection, repository_id: int, tag: str) -> Any:
    """The published release of ``tag``, or None (drafts are never found by tag, as on GitHub)."""
    return conn.execute(select(releases).where(releases.c.repository_id == repository_id,
                                               releases.c.tag_name == tag, releases.c.draft.is_(False))
                        .order_by(releases.c.id.desc()).limit(1)).first()


def listing(conn: Connection, repository_id: int, *, drafts: bool) -> list[Any]:
    """The repository's releases, newest first; drafts only when ``drafts``."""
    cond = [releases.c.repository_id == repository_id]
    if not drafts:
        cond.append(releases.c.draft.is_(False))
    return list(conn.execute(select(releases).where(*cond).order_by(releases.c.created_at.desc(),
                                                                     releases.c.id.desc())))


def latest(conn: Connection, repository_id: int) -> Any:
    """The latest release (see the module docstring), or None."""
    row = conn.execute(select(releases).where(
        releases.c.repository_id == repository_id, releases.c.latest.is_(True), releases.c.draft.is_(False),
        releases.c.prerelease.is_(False))).first()
    if row is not None:
        return row
    newest = _newest_eligible(conn, repository_id)
    return None if newest is None else conn.execute(select(releases).where(releases.c.id == newest)).one()


def update_release(conn: Connection, release_id: int, changes: dict[str, Any], make_latest: str | None) -> Any:
    """Apply ``changes`` (tag_name, target_commitish, name, body, draft, prerelease); publishing a
    draft stamps ``published_at`` and, without ``make_latest``, makes it latest (GitHub's default
    for a newly published release). Raises AlreadyExists when the result is published and another
    published release has its tag. Returns the new row."""
    row = conn.execute(select(releases).where(releases.c.id == release_id)).first()
    if row is None or not lock_row(conn, repositories, row.repository_id):
        raise Gone(release_id)
    row = conn.execute(select(releases).where(releases.c.id == release_id)).first()  # as of the lock
    if row is None:
        raise Gone(release_id)
    values = dict(changes)
    draft = values.get("draft", row.draft)
    tag = values.get("tag_name", row.tag_name)
    if not draft and _published_with_tag(conn, row.repository_id, tag, other_than=row.id):
        raise AlreadyExists(tag)
    now = time.time()
    if row.draft and not draft:
        values["published_at"] = now
        make_latest = make_latest or "true"
    elif draft:
        values["published_at"] = None
    values["updated_at"] = now
    conn.execute(update(releases).where(releases.c.id == release_id).values(**values))
    row = conn.execute(select(releases).where(releases.c.id == release_id)).one()
    return _apply_make_latest(conn, row, make_latest)


def delete_release(conn: Connection, release_id: int) -> None:
    """Delete a release and its assets (under the release's lock: an upload racing the delete
    either lands first and goes with it, or finds the release gone)."""
    lock_row(conn, releases, release_id)
    conn.execute(delete(release_assets).where(release_assets.c.release_id == release_id))
    conn.execute(delete(releases).where(releases.c.id == release_id))


# -- assets ------------------------------------------------------------------------------------


def assets_of(conn: Connection, release_ids: list[int]) -> dict[int, list[Any]]:
    """``{release id: [asset row without content, oldest first]}`` for the given releases."""
    found: dict[int, list[Any]] = {rid: [] for rid in release_ids}
    if release_ids:
        rows = conn.execute(select(*ASSET_FIELDS).where(release_assets.c.release_id.in_(release_ids))
                            .order_by(release_assets.c.id))
        for row in rows:
            found[row.release_id].append(row)
    return found


def add_asset(conn: Connection, release_id: int, *, name: str, label: str | None, content_type: str,
              content: bytes, uploader: str) -> Any:
    """Store an asset; returns its row (without content). Raises AlreadyExists when the release
    has an asset of that name (checked under the release's lock), Gone when the release was
    deleted meanwhile."""
    if not lock_row(conn, releases, release_id):
        raise Gone(release_id)
    taken = conn.execute(select(func.count()).select_from(release_assets).where(
        release_assets.c.release_id == release_id, release_assets.c.name == name)).scalar_one()
    if taken:
        raise AlreadyExists(name)
    now = time.time()
    asset_id = conn.execute(release_assets.insert().values(
        release_id=release_id, name=name, label=label, content_type=content_type, size=len(content),
        digest="sha256:" + hashlib.sha256(content).hexdigest(), content=content, download_count=0,
        uploader=uploader, created_at=now, updated_at=now,
    )).inserted_primary_key[0]
    return conn.execute(select(*ASSET_FIELDS).where(release_assets.c.id == asset_id)).one()


def get_asset(conn: Connection, repository_id: int, asset_id: int) -> tuple[Any, Any] | None:
    """``(asset without content, its release)`` when the asset belongs to the repository."""
    asset = conn.execute(select(*ASSET_FIELDS).where(release_assets.c.id == asset_id)).first()
    if asset is None:
        return None
    release = get(conn, repository_id, asset.release_id)
    return (asset, release) if release is not None else None


def asset_named(conn: Connection, release_id: int, name: str) -> Any:
    return conn.execute(select(*ASSET_FIELDS).where(release_assets.c.release_id == release_id,
                                                    release_assets.c.name == name)).first()


def download(conn: Connection, asset_id: int) -> bytes | None:
    """The asset's bytes, counting the download; None when it was deleted meanwhile."""
    conn.execute(update(release_assets).where(release_assets.c.id == asset_id)
                 .values(download_count=release_assets.c.download_count + 1))
    content = conn.execute(select(release_assets.c.content).where(release_assets.c.id == asset_id)).scalar()
    return None if content is None else bytes(content)


def update_asset(conn: Connection, asset_id: int, changes: dict[str, Any]) -> Any:
    """Rename or relabel an asset; raises AlreadyExists when the new name is taken in its release,
    Gone when the asset was deleted meanwhile."""
    asset = conn.execute(select(*ASSET_FIELDS).where(release_assets.c.id == asset_id)).first()
    if asset is None or not lock_row(conn, releases, asset.release_id):
        raise Gone(asset_id)
    name = changes.get("name")
    if name is not None and name != asset.name and asset_named(conn, asset.release_id, name) is not None:
        raise AlreadyExists(name)
    conn.execute(update(release_assets).where(release_assets.c.id == asset_id)
                 .values(**changes, updated_at=time.time()))
    return conn.execute(select(*ASSET_FIELDS).where(release_assets.c.id == asset_id)).one()


def delete_asset(conn: Connection, asset_id: int) -> None:
    conn.execute(delete(release_assets).where(release_assets.c.id == asset_id))
