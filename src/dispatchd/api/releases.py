"""Releases and release assets (REST "Releases", "Release assets"), as ``ncipollo/release-action``,
``actions/create-release``, Octokit's ``repos.*Release*`` and PyGithub's ``create_git_release`` /
``get_release`` / ``get_latest_release`` use them.

GitHub's rules kept here:

* ``tag_name`` is required (422 ``missing_field``) and must be a valid git tag name (422
  ``custom``, "tag_name is not a valid tag"); a second *published* release of a tag is 422
  ``already_exists`` (drafts may share a tag).
* ``target_commitish`` is a branch name or a full commit sha, default the default branch; anything
  else (a tag name, an abbreviated sha, a commit the repository does not have) is 422 ``invalid``.
* Publishing a release (creating it with ``draft: false``, or a PATCH that clears ``draft``)
  creates its tag at ``target_commitish`` when the tag does not exist: a lightweight tag in the
  served git repository (:mod:`dispatchd.tags`). One-shot runs (``dispatchd run``) serve the
  working tree and never write tags into it. Deleting a release keeps its tag.
* ``GET /releases/tags/{tag}`` finds published releases only; ``GET /releases/latest`` is the
  release last made latest (``make_latest: true``, the default when a release is published), else
  the newest published release that is neither a prerelease nor ``make_latest: false``. Drafts are
  listed and readable only by callers with write access (others get 404).
* ``upload_url`` is GitHub's URI template ``.../releases/{id}/assets{?name,label}``, served by this
  same server; an upload is the raw body (at most 100 MiB: api/limits.py), ``Content-Type`` as the
  asset's type; an asset name is unique in its release (422 ``already_exists``). Characters GitHub
  would not keep in a name become ``.``. ``browser_download_url`` answers the bytes (with a token).
* Bodies are at most 125,000 characters. ``generate_release_notes`` (and ``POST
  /releases/generate-notes``) writes GitHub's "Full Changelog" line: a compare link from the
  previous release's tag, else the tag's commits.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse

from ..repos import Repository, RepositoryError
from ..store import releases as stored
from ..store.tokens import allows
from ..tags import create_tag, tag_commit, target_commit, valid_tag_name
from . import models
from .context import Access, ApiContext
from .dispatches import parse_json_object
from .errors import GitHubError, not_found
from .issues import user_json
from .paging import link_headers, page_params
from .serialize import iso
from .validation import boolean_field, found, invalid_type, string_field, too_long, validation_failed

DOCS = "https://docs.github.com/rest/releases/releases"
CREATE_DOC = f"{DOCS}#create-a-release"
LIST_DOC = f"{DOCS}#list-releases"
GET_DOC = f"{DOCS}#get-a-release"
LATEST_DOC = f"{DOCS}#get-the-latest-release"
TAG_DOC = f"{DOCS}#get-a-release-by-tag-name"
UPDATE_DOC = f"{DOCS}#update-a-release"
DELETE_DOC = f"{DOCS}#delete-a-release"
NOTES_DOC = f"{DOCS}#generate-release-notes-content-for-a-release"
ASSET_DOCS = "https://docs.github.com/rest/releases/assets"
UPLOAD_DOC = f"{ASSET_DOCS}#upload-a-release-asset"
ASSETS_DOC = f"{ASSET_DOCS}#list-release-assets"
ASSET_DOC = f"{ASSET_DOCS}#get-a-release-asset"
ASSET_UPDATE_DOC = f"{ASSET_DOCS}#update-a-release-asset"
ASSET_DELETE_DOC = f"{ASSET_DOCS}#delete-a-release-asset"
#: GitHub: "body is too long (maximum is 125000 characters)".
MAX_BODY = 125_000
ReleaseId = Path(ge=1, le=2**63 - 1)
AssetId = Path(ge=1, le=2**63 - 1)
MAKE_LATEST = ("true", "false", "legacy")
#: What GitHub keeps of an asset name; other characters become '.'.
_ASSET_NAME_KEEP = re.compile(r"[^A-Za-z0-9._\-+~@]")


def asset_json(row: Any, tag: str, full: str, base: str) -> dict[str, Any]:
    """GitHub's release-asset object."""
    return {
        "url": f"{base}/repos/{full}/releases/assets/{row.id}",
        "browser_download_url": f"{base}/{full}/releases/download/{quote(tag, safe='')}/{quote(row.name, safe='')}",
        "id": row.id,
        "node_id": f"RA_{row.id}",
        "name": row.name,
        "label": row.label,
        "state": "uploaded",
        "content_type": row.content_type,
        "size": row.size,
        "digest": row.digest,
        "download_count": row.download_count,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "uploader": user_json(row.uploader, base),
    }


def release_json(row: Any, assets: list[Any], full: str, base: str) -> dict[str, Any]:
    """GitHub's release object. A draft's ``html_url`` is GitHub's ``untagged-<hash>`` form and it
    has no tarball or zipball (its tag need not exist)."""
    api = f"{base}/repos/{full}/releases/{row.id}"
    if row.draft:
        untagged = hashlib.sha1(f"{full}:{row.id}".encode()).hexdigest()[:20]
        html = f"{base}/{full}/releases/tag/untagged-{untagged}"
        tarball = zipball = None
    else:
        html = f"{base}/{full}/releases/tag/{quote(row.tag_name, safe='')}"
        tarball = f"{base}/repos/{full}/tarball/{row.tag_name}"
        zipball = f"{base}/repos/{full}/zipball/{row.tag_name}"
    return {
        "url": api,
        "assets_url": f"{api}/assets",
        "upload_url": f"{api}/assets{{?name,label}}",
        "html_url": html,
        "id": row.id,
        "author": user_json(row.author, base),
        "node_id": f"RE_{row.id}",
        "tag_name": row.tag_name,
        "target_commitish": row.target_commitish,
        "name": row.name,
        "draft": bool(row.draft),
        "immutable": False,
        "prerelease": bool(row.prerelease),
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "published_at": iso(row.published_at),
        "assets": [asset_json(x, row.tag_name, full, base) for x in assets],
        "tarball_url": tarball,
        "zipball_url": zipball,
        "body": row.body,
    }


def _fields(body: dict[str, Any], doc: str) -> dict[str, Any]:
    """The release fields present in a request body, type-checked (a ``null`` is as if absent,
    except for ``name`` and ``body``, which it clears). Every type is checked before the length of
    ``body``, as GitHub checks its schema before its model."""
    out: dict[str, Any] = {}
    for field in ("tag_name", "target_commitish", "name", "body", "previous_tag_name", "discussion_category_name"):
        value = string_field(body, field, doc, resource="Release", limit=None)
        if value is not None or (field in ("name", "body") and field in body):
            out[field] = value
    for field in ("draft", "prerelease", "generate_release_notes"):
        flag = boolean_field(body, field, doc)
        if flag is not None:
            out[field] = flag
    if body.get("make_latest") is not None:
        if body["make_latest"] not in MAKE_LATEST:
            what = f"a member of {json.dumps(list(MAKE_LATEST))}"
            raise invalid_type("make_latest", body["make_latest"], what, doc)
        out["make_latest"] = body["make_latest"]
    if len(out.get("body") or "") > MAX_BODY:
        raise too_long("Release", "body", MAX_BODY, doc)
    return out


def asset_name(name: str) -> str:
    """The name GitHub stores for an uploaded file name: characters outside letters, digits and
    ``._-+~@`` become ``.``, and leading or trailing dots go."""
    return _ASSET_NAME_KEEP.sub(".", name).strip(".")


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(tags=["releases"])
    db = ctx.engine.db

    def _can_push(a: Access) -> bool:
        return a.identity.admin or allows(a.identity.scope, "write")

    async def _json(a: Access, rows: list[Any]) -> list[dict[str, Any]]:
        assets = await db.read(stored.assets_of, [x.id for x in rows])
        return [release_json(x, assets[x.id], a.repository.full_name, ctx.base_url) for x in rows]

    async def _one(a: Access, row: Any, status: int = 200) -> JSONResponse:
        data = (await _json(a, [row]))[0]
        return JSONResponse(data, status_code=status, headers={"Location": data["url"]} if status == 201 else None)

    async def _release(a: Access, release_id: int, doc: str) -> Any:
        row = await db.read(stored.get, a.repo_id, release_id)
        if row is None or (row.draft and not _can_push(a)):
            raise not_found(doc)
        return row

    async def _target(repository: Repository, commitish: str, doc: str) -> str:
        sha = await asyncio.to_thread(target_commit, repository, commitish)
        if sha is None:
            raise validation_failed("Release", "target_commitish", "invalid", doc)
        return sha

    async def _check_tag(repository: Repository, tag: str, doc: str) -> None:
        if not tag:
            raise validation_failed("Release", "tag_name", "missing_field", doc)
        if not await asyncio.to_thread(valid_tag_name, repository, tag):
            raise validation_failed("Release", "tag_name", "custom", doc, "tag_name is not a valid tag")

    async def _publish_tag(repository: Repository, tag: str, commitish: str, doc: str) -> None:
        # GitHub creates the tag of a published release when it is missing.
        if await asyncio.to_thread(tag_commit, repository, tag) is not None or repository.working_tree:
            return
        sha = await _target(repository, commitish, doc)
        await asyncio.to_thread(create_tag, repository, tag, sha)

    def _default_branch(repository: Repository) -> str:
        try:
            return repository.default_branch()
        except RepositoryError:  # a detached HEAD: no default branch to release from
            return ""

    async def _notes(a: Access, tag: str, previous: str | None) -> str:
        full = a.repository.full_name
        if previous is None:
            rows = await db.read(lambda c: stored.listing(c, a.repo_id, drafts=False))
            previous = next((x.tag_name for x in rows if x.tag_name != tag), None)
        if previous:
            return f"**Full Changelog**: {ctx.base_url}/{full}/compare/{previous}...{tag}"
        return f"**Full Changelog**: {ctx.base_url}/{full}/commits/{tag}"

    @r.post("/repos/{owner}/{repo}/releases", status_code=201, responses=models.ok(models.Release, 201),
            openapi_extra=models.body(models.ReleaseCreateRequest))
    async def create_release(owner: str, repo: str, request: Request) -> Response:
        """Create a release: 201 with the release and a ``Location`` header; a published release's
        missing tag is created at ``target_commitish``."""
        a = await ctx.access(request, owner, repo, "write", CREATE_DOC)
        fields = _fields(parse_json_object(await request.body(), CREATE_DOC), CREATE_DOC)
        tag = fields.get("tag_name", "")
        await _check_tag(a.repository, tag, CREATE_DOC)
        commitish = fields.get("target_commitish", _default_branch(a.repository))
        await _target(a.repository, commitish, CREATE_DOC)
        draft = fields.get("draft", False)
        body = fields.get("body")
        if fields.get("generate_release_notes"):
            notes = await _notes(a, tag, None)
            body = f"{body}\n\n{notes}" if body else notes
        if not draft:
            if await db.read(stored.by_tag, a.repo_id, tag) is not None:
                raise validation_failed("Release", "tag_name", "already_exists", CREATE_DOC)
            await _publish_tag(a.repository, tag, commitish, CREATE_DOC)
        try:
            row = await db.write(lambda c: stored.create(
                c, a.repo_id, tag_name=tag, target_commitish=commitish, name=fields.get("name"), body=body,
                draft=draft, prerelease=fields.get("prerelease", False), make_latest=fields.get("make_latest", "true"),
                author=a.identity.login))
        except stored.AlreadyExists:
            raise validation_failed("Release", "tag_name", "already_exists", CREATE_DOC) from None
        return await _one(a, row, 201)

    @r.get("/repos/{owner}/{repo}/releases", responses=models.ok(models.ReleaseList),
           openapi_extra=models.query("per_page", "page"))
    async def list_releases(owner: str, repo: str, request: Request) -> Response:
        """Releases, newest first, paged; drafts only for callers with write access."""
        a = await ctx.access(request, owner, repo, "read", LIST_DOC)
        page = page_params(request)
        rows = await db.read(lambda c: stored.listing(c, a.repo_id, drafts=_can_push(a)))
        return JSONResponse(await _json(a, page.slice(rows)), headers=link_headers(request, page, len(rows)))

    @r.post("/repos/{owner}/{repo}/releases/generate-notes", responses=models.ok(models.ReleaseNotes),
            openapi_extra=models.body(models.ReleaseNotesRequest))
    async def generate_notes(owner: str, repo: str, request: Request) -> Response:
        """Release notes for a tag (``{"name", "body"}``), without creating a release."""
        a = await ctx.access(request, owner, repo, "write", NOTES_DOC)
        fields = _fields(parse_json_object(await request.body(), NOTES_DOC), NOTES_DOC)
        tag = fields.get("tag_name", "")
        await _check_tag(a.repository, tag, NOTES_DOC)
        if "target_commitish" in fields:
            await _target(a.repository, fields["target_commitish"], NOTES_DOC)
        return JSONResponse({"name": tag, "body": await _notes(a, tag, fields.get("previous_tag_name"))})

    @r.get("/repos/{owner}/{repo}/releases/latest", responses=models.ok(models.Release))
    async def latest_release(owner: str, repo: str, request: Request) -> Response:
        """The latest published full release (see the module docstring), or 404."""
        a = await ctx.access(request, owner, repo, "read", LATEST_DOC)
        return await _one(a, found(await db.read(stored.latest, a.repo_id), LATEST_DOC))

    @r.get("/repos/{owner}/{repo}/releases/tags/{tag:path}", responses=models.ok(models.Release))
    async def release_by_tag(owner: str, repo: str, tag: str, request: Request) -> Response:
        """The published release of a tag (a tag may hold ``/``), or 404."""
        a = await ctx.access(request, owner, repo, "read", TAG_DOC)
        row = await db.read(stored.by_tag, a.repo_id, tag) if "\x00" not in tag else None
        return await _one(a, found(row, TAG_DOC))

    # -- assets (before /releases/{release_id}, whose int parameter would refuse "assets") --------

    async def _asset(a: Access, asset_id: int, doc: str) -> tuple[Any, Any]:
        found = await db.read(stored.get_asset, a.repo_id, asset_id)
        if found is None or (found[1].draft and not _can_push(a)):
            raise not_found(doc)
        return found

    def _asset_response(a: Access, asset: Any, release: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(asset_json(asset, release.tag_name, a.repository.full_name, ctx.base_url),
                            status_code=status)

    async def _bytes(asset: Any) -> Response:
        # None: the asset was deleted since it was looked up.
        content = found(await db.write(stored.download, asset.id), ASSET_DOC)
        return Response(content, media_type=asset.content_type,
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(asset.name)}"})

    @r.get("/repos/{owner}/{repo}/releases/assets/{asset_id}",
           responses={200: {"model": models.ReleaseAsset, "description": "The asset, or its bytes with "
                            "Accept: application/octet-stream",
                            "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                                "format": "binary"}}}}})
    async def get_asset(owner: str, repo: str, request: Request, asset_id: int = AssetId) -> Response:
        """One asset; with ``Accept: application/octet-stream`` its bytes (GitHub redirects to them)."""
        a = await ctx.access(request, owner, repo, "read", ASSET_DOC)
        asset, release = await _asset(a, asset_id, ASSET_DOC)
        if "application/octet-stream" in request.headers.get("accept", ""):
            return await _bytes(asset)
        return _asset_response(a, asset, release)

    @r.patch("/repos/{owner}/{repo}/releases/assets/{asset_id}", responses=models.ok(models.ReleaseAsset),
             openapi_extra=models.body(models.ReleaseAssetUpdateRequest))
    async def update_asset(owner: str, repo: str, request: Request, asset_id: int = AssetId) -> Response:
        """Rename or relabel an asset."""
        a = await ctx.access(request, owner, repo, "write", ASSET_UPDATE_DOC)
        body = parse_json_object(await request.body(), ASSET_UPDATE_DOC)
        asset, release = await _asset(a, asset_id, ASSET_UPDATE_DOC)
        changes: dict[str, Any] = {}
        for field in ("name", "label", "state"):
            value = body.get(field)
            if value is None:
                continue
            if not isinstance(value, str):
                raise invalid_type(field, value, "a string", ASSET_UPDATE_DOC)
            if "\x00" in value:
                raise validation_failed("ReleaseAsset", field, "invalid", ASSET_UPDATE_DOC)
            if field == "name":
                value = asset_name(value)
                if not value:
                    raise validation_failed("ReleaseAsset", "name", "invalid", ASSET_UPDATE_DOC)
            if field != "state":  # only "uploaded" assets exist here
                changes[field] = value
        try:
            asset = await db.write(stored.update_asset, asset.id, changes)
        except stored.Gone:
            raise not_found(ASSET_UPDATE_DOC) from None
        except stored.AlreadyExists:
            raise validation_failed("ReleaseAsset", "name", "already_exists", ASSET_UPDATE_DOC) from None
        return _asset_response(a, asset, release)

    @r.delete("/repos/{owner}/{repo}/releases/assets/{asset_id}", status_code=204, response_class=Response,
              responses={204: {"description": "Deleted"}})
    async def delete_asset(owner: str, repo: str, request: Request, asset_id: int = AssetId) -> Response:
        """Delete an asset."""
        a = await ctx.access(request, owner, repo, "write", ASSET_DELETE_DOC)
        asset, _ = await _asset(a, asset_id, ASSET_DELETE_DOC)
        await db.write(stored.delete_asset, asset.id)
        return Response(status_code=204)

    @r.get("/repos/{owner}/{repo}/releases/{release_id}/assets", responses=models.ok(models.ReleaseAssetList),
           openapi_extra=models.query("per_page", "page"))
    async def list_assets(owner: str, repo: str, request: Request, release_id: int = ReleaseId) -> Response:
        """A release's assets, oldest first, paged."""
        a = await ctx.access(request, owner, repo, "read", ASSETS_DOC)
        release = await _release(a, release_id, ASSETS_DOC)
        rows = (await db.read(stored.assets_of, [release.id]))[release.id]
        page = page_params(request)
        items = [asset_json(x, release.tag_name, a.repository.full_name, ctx.base_url) for x in page.slice(rows)]
        return JSONResponse(items, headers=link_headers(request, page, len(rows)))

    @r.post("/repos/{owner}/{repo}/releases/{release_id}/assets", status_code=201,
            responses=models.ok(models.ReleaseAsset, 201),
            openapi_extra={**models.query("name", "label"),
                           "requestBody": {"required": True, "content": {"application/octet-stream": {
                               "schema": {"type": "string", "format": "binary"}}}}})
    async def upload_asset(owner: str, repo: str, request: Request, release_id: int = ReleaseId) -> Response:
        """Upload an asset (the ``upload_url`` template expanded with ``name`` and ``label``): the
        raw body, typed by ``Content-Type``; 201 with the asset."""
        a = await ctx.access(request, owner, repo, "write", UPLOAD_DOC)
        release = await _release(a, release_id, UPLOAD_DOC)
        raw_name = request.query_params.get("name") or ""
        label = request.query_params.get("label") or None
        name = asset_name(raw_name)
        if "\x00" in raw_name or not name:
            code = "missing_field" if not raw_name else "invalid"
            raise validation_failed("ReleaseAsset", "name", code, UPLOAD_DOC)
        if label is not None and "\x00" in label:
            raise validation_failed("ReleaseAsset", "label", "invalid", UPLOAD_DOC)
        content_type = request.headers.get("content-type") or "application/octet-stream"
        if len(content_type) > 255:
            raise GitHubError(422, "Bad Content-Type header value", UPLOAD_DOC)
        content = await request.body()
        try:
            asset = await db.write(lambda c: stored.add_asset(c, release.id, name=name, label=label,
                                                              content_type=content_type, content=content,
                                                              uploader=a.identity.login))
        except stored.Gone:
            raise not_found(UPLOAD_DOC) from None
        except stored.AlreadyExists:
            raise validation_failed("ReleaseAsset", "name", "already_exists", UPLOAD_DOC) from None
        return _asset_response(a, asset, release, 201)

    @r.get("/repos/{owner}/{repo}/releases/{release_id}", responses=models.ok(models.Release))
    async def get_release(owner: str, repo: str, request: Request, release_id: int = ReleaseId) -> Response:
        """One release by id (a draft only for callers with write access)."""
        a = await ctx.access(request, owner, repo, "read", GET_DOC)
        return await _one(a, await _release(a, release_id, GET_DOC))

    @r.patch("/repos/{owner}/{repo}/releases/{release_id}", responses=models.ok(models.Release),
             openapi_extra=models.body(models.ReleaseUpdateRequest))
    async def update_release(owner: str, repo: str, request: Request, release_id: int = ReleaseId) -> Response:
        """Edit a release; publishing it (``draft: false``) creates its missing tag."""
        a = await ctx.access(request, owner, repo, "write", UPDATE_DOC)
        fields = _fields(parse_json_object(await request.body(), UPDATE_DOC), UPDATE_DOC)
        row = await _release(a, release_id, UPDATE_DOC)
        changes = {k: v for k, v in fields.items() if k in ("tag_name", "target_commitish", "name", "body", "draft",
                                                             "prerelease")}
        if "tag_name" in changes:
            await _check_tag(a.repository, changes["tag_name"], UPDATE_DOC)
        if "target_commitish" in changes:
            await _target(a.repository, changes["target_commitish"], UPDATE_DOC)
        tag = changes.get("tag_name", row.tag_name)
        if not changes.get("draft", row.draft):
            holder = await db.read(stored.by_tag, a.repo_id, tag)
            if holder is not None and holder.id != row.id:
                raise validation_failed("Release", "tag_name", "already_exists", UPDATE_DOC)
            await _publish_tag(a.repository, tag, changes.get("target_commitish", row.target_commitish), UPDATE_DOC)
        try:
            row = await db.write(stored.update_release, row.id, changes, fields.get("make_latest"))
        except stored.Gone:
            raise not_found(UPDATE_DOC) from None
        except stored.AlreadyExists:
            raise validation_failed("Release", "tag_name", "already_exists", UPDATE_DOC) from None
        return await _one(a, row)

    @r.delete("/repos/{owner}/{repo}/releases/{release_id}", status_code=204, response_class=Response,
              responses={204: {"description": "Deleted"}})
    async def delete_release(owner: str, repo: str, request: Request, release_id: int = ReleaseId) -> Response:
        """Delete a release and its assets (its tag stays)."""
        a = await ctx.access(request, owner, repo, "write", DELETE_DOC)
        row = await _release(a, release_id, DELETE_DOC)
        await db.write(stored.delete_release, row.id)
        return Response(status_code=204)

    @r.get("/{owner}/{repo}/releases/download/{path:path}",
           responses={200: {"description": "The asset's bytes",
                            "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                                "format": "binary"}}}}})
    async def download_asset(owner: str, repo: str, path: str, request: Request) -> Response:
        """An asset's ``browser_download_url``: ``/{owner}/{repo}/releases/download/{tag}/{name}``."""
        a = await ctx.access(request, owner, repo, "read", ASSET_DOC)
        tag, _, name = path.rpartition("/")
        release = await db.read(stored.by_tag, a.repo_id, tag) if tag and "\x00" not in path else None
        asset = await db.read(stored.asset_named, release.id, name) if release is not None else None
        return await _bytes(found(asset, ASSET_DOC))

    return r
