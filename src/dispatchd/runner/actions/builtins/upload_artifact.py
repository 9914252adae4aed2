"""Built-in ``actions/upload-artifact``: the files ``path`` matches, zipped and stored by the
dispatchd server for this run (listed by ``GET /repos/{owner}/{repo}/actions/runs/{id}/artifacts``).

GitHub source: ``actions/upload-artifact: src/upload/upload-artifact.ts`` and
``src/shared/search.ts`` (v4): ``path`` is one or more lines of globs, ``!pattern`` excludes;
files keep their paths relative to the least common ancestor of the search paths; hidden files
(a path component starting with ``.``) are left out unless ``include-hidden-files``; nothing found
is a warning (``if-no-files-found: warn``), an error or nothing; an existing artifact of the same
name fails the step unless ``overwrite``. Outputs ``artifact-id``, ``artifact-url``,
``artifact-digest``. ``retention-days`` is accepted; artifacts are kept until the data directory
is cleaned (the API reports GitHub's default 90-day expiry). The upload goes to dispatchd's own endpoint in parts (see
:mod:`dispatchd.api.artifacts`), with the job's token.
"""

from __future__ import annotations

import glob
import hashlib
import io
import os
import zipfile
from typing import ClassVar

from dispatchd.runner.actions.builtins import Api, Builtin, StepFailed, http_error, info, warning
from dispatchd.runner.jobstate import JobState, StepRun

#: Parts stay well under the server's 1 MB request body limit.
PART = 512 * 1024


def search(workspace: str, patterns: str, include_hidden: bool) -> tuple[list[str], str]:
    """(files, root directory) for the ``path`` input, as ``findFilesToUpload`` computes them."""
    include: list[str] = []
    exclude: list[str] = []
    for line in patterns.split("\n"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        (exclude if line.startswith("!") else include).append(line.lstrip("!"))
    files: dict[str, None] = {}
    search_paths = []
    for pattern in include:
        full = os.path.normpath(os.path.join(workspace, os.path.expanduser(pattern)))
        # The search path is the part of the pattern before its first glob character.
        base = full
        while any(c in base for c in "*?["):
            base = os.path.dirname(base)
        search_paths.append(base)
        for match in sorted(glob.glob(full, recursive=True, include_hidden=include_hidden)):
            if os.path.isdir(match):
                for dirpath, dirnames, filenames in os.walk(match):
                    if not include_hidden:
                        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                    for name in sorted(filenames):
                        if include_hidden or not name.startswith("."):
                            files[os.path.join(dirpath, name)] = None
            elif os.path.isfile(match):
                files[match] = None
    excluded = set()
    for pattern in exclude:
        full = os.path.normpath(os.path.join(workspace, pattern))
        excluded.update(glob.glob(full, recursive=True, include_hidden=True))
    kept = [f for f in files if f not in excluded and not any(f.startswith(e + os.sep) for e in excluded)]
    if not search_paths:
        return kept, workspace
    if len(search_paths) == 1 and len(kept) == 1 and search_paths[0] == kept[0]:
        return kept, os.path.dirname(kept[0])  # a single file keeps only its name
    root = os.path.commonpath(search_paths)
    if os.path.isfile(root):
        root = os.path.dirname(root)
    return kept, root


class UploadArtifact(Builtin):
    action = "actions/upload-artifact"
    # action.yml of actions/upload-artifact v4.
    inputs: ClassVar[dict[str, str | None]] = {
        "name": "artifact",
        "path": None,
        "if-no-files-found": "warn",
        "retention-days": None,
        "compression-level": "6",
        "overwrite": "false",
        "include-hidden-files": "false",
    }

    async def act(self, job: JobState, step: StepRun, inputs: dict[str, str]) -> str:
        name = inputs.get("name") or "artifact"
        if not inputs.get("path"):
            raise StepFailed("Input required and not supplied: path")
        files, root = search(job.workspace, inputs["path"], inputs.get("include-hidden-files") == "true")
        if not files:
            message = f"No files were found with the provided path: {inputs['path']}. No artifacts will be uploaded."
            mode = inputs.get("if-no-files-found") or "warn"
            if mode == "error":
                raise StepFailed(message)
            if mode == "warn":
                warning(job, step, message)
            else:
                info(job, message)
            return "success"
        plural = "s" if len(files) != 1 else ""
        info(job, f"With the provided path, there will be {len(files)} file{plural} uploaded")
        try:
            level = max(0, min(9, int(inputs.get("compression-level") or "6")))
        except ValueError:
            level = 6
        buffer = io.BytesIO()
        method = zipfile.ZIP_DEFLATED if level else zipfile.ZIP_STORED
        with zipfile.ZipFile(buffer, "w", method, compresslevel=level or None) as archive:
            for path in files:
                archive.write(path, os.path.relpath(path, root))
        data = buffer.getvalue()
        github = job.contexts["github"]
        token = str(github.get("token") or (job.contexts.get("secrets") or {}).get("GITHUB_TOKEN") or "")
        api = Api(job, token)
        repository = github.get("repository")
        run_id = github.get("run_id")
        base = f"/repos/{repository}/dispatchd/runs/{run_id}/artifacts/{name}"
        info(job, "Beginning upload of artifact content to blob storage")
        for offset in range(0, max(len(data), 1), PART):
            await self.put(api, f"{base}?offset={offset}", data[offset : offset + PART])
        response = await api.call(
            "POST", base, {"size": len(data), "overwrite": inputs.get("overwrite") == "true"}, ok=(409,)
        )
        if response.status_code == 409:
            raise StepFailed(
                "Failed to CreateArtifact: Received non-retryable error: Failed request: (409) "
                "Conflict: an artifact with this name already exists on the workflow run"
            )
        artifact = response.json()
        digest = hashlib.sha256(data).hexdigest()
        url = f"{github.get('server_url')}/{repository}/actions/runs/{run_id}/artifacts/{artifact['id']}"
        info(job, f"Artifact {name}.zip successfully finalized. Artifact ID {artifact['id']}")
        info(
            job,
            f"Artifact {name} has been successfully uploaded! Final size is {len(data)} bytes. "
            f"Artifact ID is {artifact['id']}",
        )
        info(job, f"Artifact download URL: {url}")
        step.outputs["artifact-id"] = str(artifact["id"])
        step.outputs["artifact-url"] = url
        step.outputs["artifact-digest"] = digest
        return "success"

    @staticmethod
    async def put(api: Api, path: str, chunk: bytes) -> None:
        import httpx

        async with httpx.AsyncClient(timeout=60) as http:
            response = await http.put(
                f"{api.base}{path}", content=chunk, headers={**api.headers, "Content-Type": "application/zip"}
            )
        if response.status_code >= 400:
            raise StepFailed(http_error(response))
