"""Built-in ``ncipollo/release-action``: create a release, or update the release of the tag
(``allowUpdates``), then upload ``artifacts`` to it.

GitHub source: ``ncipollo/release-action`` v1 (``src/Main.ts``, ``Action.ts``, ``Inputs.ts``,
``ArtifactGlobber.ts``, ``ArtifactUploader.ts``, ``ActionSkipper.ts``, ``ReleaseValidator.ts``,
``GithubError.ts``, ``Outputs.ts``). The rules it keeps:

* ``tag`` is the input, else the tag of ``github.ref`` (``refs/tags/<tag>``), else the action fails
  with ``No tag found in ref or input!``; ``name`` defaults to the tag; ``body`` is the input, else
  the contents of ``bodyFile``; ``omitBody``/``omitName`` leave them out, ``omit*DuringUpdate``
  leave them out of an update only. Flags are true only when exactly ``true``.
* ``skipIfReleaseExists``: a published release of the tag ends the step with a notice.
* ``allowUpdates``: the published release of the tag is updated (``updateOnlyUnreleased`` refuses
  one that is neither a draft nor a prerelease); without one, a draft of the tag is updated; else a
  release is created. ``generateReleaseNotes`` adds the notes of ``POST /releases/generate-notes``
  under the body.
* ``removeArtifacts`` deletes every asset first; ``artifacts`` (or the deprecated ``artifact``) is a
  comma- or newline-separated list of globs from the workspace; a pattern matching nothing and a
  directory are warnings (errors with ``artifactErrorsFailBuild``); with ``replacesArtifacts`` an
  asset of the same name is deleted before the upload; an upload that fails is a warning (an error
  with ``artifactErrorsFailBuild``), retried up to 3 times on a 5xx. Content type:
  ``artifactContentType``, default ``raw``.
* Outputs ``id``, ``html_url``, ``upload_url``, ``tarball_url``, ``zipball_url`` (empty for a
  draft) and ``assets`` (JSON: asset name → ``browser_download_url``).
* A failure is reported as ``GithubError`` prints it: ``Error <status>: <Octokit's message>``
  (a 404 adds the token hint), and ``Error undefined: <message>`` for errors that are not HTTP.
"""

from __future__ import annotations

import glob
import json
import os
from typing import Any, ClassVar

import httpx

from dispatchd.runner.actions.builtins import Api, Builtin, StepFailed, api_url, warning
from dispatchd.runner.actions.builtins.create_release import read_file
from dispatchd.runner.jobstate import JobState, StepRun
from dispatchd.runner.workflow_commands import make_annotation

ANY_ERROR = tuple(range(400, 600))
NOT_FOUND_HINT = "\nMake sure your github token has access to the repo and has permission to author releases"


class Failure(Exception):
    """What the action's ``GithubError`` wraps: an HTTP error (``status``) or a plain one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    def __str__(self) -> str:
        hint = NOT_FOUND_HINT if self.status == 404 else ""
        return f"Error {self.status if self.status is not None else 'undefined'}: {self.args[0]}{hint}"


def octokit_message(response: httpx.Response) -> str:
    """The message of Octokit's ``RequestError`` (``@octokit/request``'s ``toErrorMessage``):
    ``message: <errors as JSON>, … - documentation_url``."""
    try:
        data = response.json()
    except ValueError:
        return response.text
    if not isinstance(data, dict):
        return json.dumps(data)
    suffix = f" - {data['documentation_url']}" if "documentation_url" in data else ""
    if "message" not in data:
        return f"Unknown error: {json.dumps(data, separators=(',', ':'))}"
    errors = data.get("errors")
    if isinstance(errors, list):
        listed = ", ".join(json.dumps(e, separators=(",", ":"), ensure_ascii=False) for e in errors)
        return f"{data['message']}: {listed}{suffix}"
    return f"{data['message']}{suffix}"


class Releases:
    """The REST calls of the action's ``GithubReleases``."""

    def __init__(self, api: Api, owner: str, repo: str) -> None:
        self.api = api
        self.path = f"/repos/{owner}/{repo}/releases"

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.api.call(method, path, body, ok=ANY_ERROR)
        if response.status_code >= 400:
            raise Failure(octokit_message(response), response.status_code)
        return response.json() if response.content else None

    async def by_tag(self, tag: str) -> Any:
        return await self.call("GET", f"{self.path}/tags/{tag}")

    async def listing(self) -> Any:
        return await self.call("GET", self.path)

    async def create(self, body: dict[str, Any]) -> Any:
        return await self.call("POST", self.path, _defined(body))

    async def update(self, release_id: int, body: dict[str, Any]) -> Any:
        return await self.call("PATCH", f"{self.path}/{release_id}", _defined(body))

    async def notes(self, tag: str) -> str:
        return str((await self.call("POST", f"{self.path}/generate-notes", {"tag_name": tag}))["body"])

    async def assets(self, release_id: int) -> list[Any]:
        found: list[Any] = []
        page = 1
        while True:  # Octokit's paginate
            batch = await self.call("GET", f"{self.path}/{release_id}/assets?per_page=100&page={page}")
            found.extend(batch)
            if len(batch) < 100:
                return found
            page += 1

    async def delete_asset(self, asset_id: int) -> None:
        await self.call("DELETE", f"{self.path}/assets/{asset_id}")

    async def upload(self, upload_url: str, name: str, content: bytes, content_type: str) -> Any:
        # Octokit expands the `{?name,label}` template of upload_url.
        url = upload_url.split("{", 1)[0]
        headers = {**self.api.headers, "Content-Type": content_type, "Content-Length": str(len(content))}
        async with httpx.AsyncClient(timeout=300) as http:
            response = await http.post(url, params={"name": name}, content=content, headers=headers)
        if response.status_code >= 400:
            raise Failure(octokit_message(response), response.status_code)
        return response.json()


def _defined(body: dict[str, Any]) -> dict[str, Any]:
    """JSON.stringify leaves out ``undefined`` members."""
    return {k: v for k, v in body.items() if v is not None}


class ReleaseAction(Builtin):
    action = "ncipollo/release-action"
    # action.yml of ncipollo/release-action v1.
    inputs: ClassVar[dict[str, str | None]] = {
        "allowUpdates": "",
        "artifactErrorsFailBuild": "",
        "artifact": "",
        "artifacts": "",
        "artifactContentType": "",
        "body": "",
        "bodyFile": "",
        "commit": "",
        "discussionCategory": "",
        "draft": "",
        "generateReleaseNotes": "false",
        "makeLatest": "legacy",
        "name": "",
        "omitBody": "false",
        "omitBodyDuringUpdate": "false",
        "omitDraftDuringUpdate": "false",
        "omitName": "false",
        "omitNameDuringUpdate": "false",
        "omitPrereleaseDuringUpdate": "false",
        "owner": "",
        "prerelease": "",
        "removeArtifacts": "false",
        "replacesArtifacts": "true",
        "repo": "",
        "skipIfReleaseExists": "false",
        "tag": "",
        "token": "${{ github.token }}",
        "updateOnlyUnreleased": "false",
    }

    async def act(self, job: JobState, step: StepRun, inputs: dict[str, str]) -> str:
        try:
            return await self.perform(job, step, inputs)
        except Failure as failure:
            raise StepFailed(str(failure)) from None
        except StepFailed as failed:  # Api's own checks, thrown inside the action's try
            raise StepFailed(str(Failure(str(failed)))) from None

    async def perform(self, job: JobState, step: StepRun, inputs: dict[str, str]) -> str:
        flag = {name: inputs.get(name) == "true" for name in self.inputs}
        github = job.contexts["github"]
        token = inputs.get("token") or ""
        if not token:
            raise Failure("Parameter token or opts.auth is required")
        tag = inputs.get("tag") or ""
        ref = str(github.get("ref") or "")
        if not tag and ref.startswith("refs/tags/"):
            tag = ref[len("refs/tags/"):]
        if not tag:
            raise Failure("No tag found in ref or input!")
        owner, _, repo = str(github.get("repository") or "").partition("/")
        releases = Releases(Api(job, token), inputs.get("owner") or owner, inputs.get("repo") or repo)

        if flag["skipIfReleaseExists"]:
            try:
                existing = await releases.by_tag(tag)
            except Failure:
                existing = None
            if existing is not None:
                message = "Skipping action, release already exists and skipIfReleaseExists is enabled."
                job.log.write(f"##[notice]{message}")
                job.annotate(make_annotation("notice", message), step.number)
                return "success"

        def body() -> str:
            if inputs.get("body"):
                return inputs["body"]
            if inputs.get("bodyFile"):
                try:
                    return read_file(job, inputs["bodyFile"])
                except OSError as error:
                    raise Failure(str(error)) from None
            return ""

        name = inputs.get("name") or tag
        make_latest = inputs.get("makeLatest") if inputs.get("makeLatest") in ("true", "false", "legacy") else None
        common = {"tag_name": tag, "target_commitish": inputs.get("commit") or None,
                  "discussion_category_name": inputs.get("discussionCategory") or None, "make_latest": make_latest}

        async def with_notes(text: str | None, update: bool) -> str | None:
            if not flag["generateReleaseNotes"] or (update and flag["omitBodyDuringUpdate"]):
                return text
            notes = await releases.notes(tag)
            return notes if not text or not text.strip() else f"{text}\n{notes}"

        async def update(release_id: int) -> Any:
            text = None if flag["omitBody"] or flag["omitBodyDuringUpdate"] else body()
            return await releases.update(release_id, {
                **common, "body": await with_notes(text, True),
                "name": None if flag["omitName"] or flag["omitNameDuringUpdate"] else name,
                "draft": None if flag["omitDraftDuringUpdate"] else flag["draft"],
                "prerelease": None if flag["omitPrereleaseDuringUpdate"] else flag["prerelease"]})

        async def create() -> Any:
            return await releases.create({
                **common, "body": await with_notes(None if flag["omitBody"] else body(), False),
                "name": None if flag["omitName"] else name, "draft": flag["draft"], "prerelease": flag["prerelease"]})

        if flag["allowUpdates"]:
            try:
                found = await releases.by_tag(tag)
            except Failure as error:
                if error.status != 404:
                    raise
                drafts = [r for r in await releases.listing() if r.get("draft") and r.get("tag_name") == tag]
                release = await (update(drafts[0]["id"]) if drafts else create())
            else:
                if flag["updateOnlyUnreleased"] and not found.get("draft") and not found.get("prerelease"):
                    raise Failure(f'Tried to update "{found.get("name") or "release"}" which is neither a draft '
                                  "or prerelease. (updateOnlyUnreleased is on)")
                release = await update(found["id"])
        else:
            release = await create()

        if flag["removeArtifacts"]:
            for asset in await releases.assets(release["id"]):
                await releases.delete_asset(asset["id"])
        urls = await self.upload(job, step, inputs, releases, release, fail=flag["artifactErrorsFailBuild"],
                                 replace=flag["replacesArtifacts"])
        for key in ("id", "html_url", "upload_url"):
            step.outputs[key] = str(release[key])
        step.outputs["tarball_url"] = release.get("tarball_url") or ""
        step.outputs["zipball_url"] = release.get("zipball_url") or ""
        step.outputs["assets"] = json.dumps(urls, separators=(",", ":"))
        return "success"

    async def upload(self, job: JobState, step: StepRun, inputs: dict[str, str], releases: Releases,
                     release: dict[str, Any], *, fail: bool, replace: bool) -> dict[str, str]:
        """Glob ``artifacts`` and upload them; ``{asset name: browser_download_url}``."""
        patterns = inputs.get("artifacts") or inputs.get("artifact") or ""
        if not patterns:
            return {}

        def report(message: str) -> None:
            if fail:
                raise Failure(message)
            warning(job, step, message)

        paths: list[str] = []
        for raw in patterns.replace("\n", ",").split(","):
            pattern = os.path.expanduser(raw.lstrip())
            found = sorted(glob.glob(pattern, root_dir=job.workspace, recursive=True))
            if not found:
                report(f"Artifact pattern :{pattern} did not match any files")
                report(f"Artifact pattern:{pattern} did not match any files")
            for path in found:
                full = os.path.join(job.workspace, path)
                if os.path.isdir(full):
                    report(f"Artifact is a directory:{path}. Directories can not be uploaded to a release.")
                else:
                    paths.append(full)
        content_type = inputs.get("artifactContentType") or "raw"
        if replace:
            existing = {a["name"]: a["id"] for a in await releases.assets(release["id"])}
            for path in paths:
                if os.path.basename(path) in existing:
                    await releases.delete_asset(existing[os.path.basename(path)])
        urls: dict[str, str] = {}
        for path in paths:
            name = os.path.basename(path)
            with open(path, "rb") as f:  # noqa: ASYNC230 (a release asset is read whole, as the action does)
                content = f.read()
            for attempt in range(4):
                try:
                    asset = await releases.upload(release["upload_url"], name, content, content_type)
                    urls[asset["name"]] = asset["browser_download_url"]
                    break
                except Failure as error:
                    if (error.status or 0) >= 500 and attempt < 3:
                        warning(job, step, f"Failed to upload artifact {name}. {error.args[0]}. Retrying...")
                        continue
                    report(f"Failed to upload artifact {name}. {error.args[0]}.")
                    break
                except httpx.HTTPError as error:
                    raise Failure(f"request to {api_url(job)} failed, reason: {error}") from None
        return urls
