"""Built-in ``actions/download-artifact``: artifacts of this run (or of ``run-id``) from the
dispatchd server, unzipped into ``path``.

GitHub source: ``actions/download-artifact: src/download-artifact.ts`` (v4): with ``name``, that
artifact into ``path`` (an unknown name fails: ``Artifact not found for name: <name>``);
without, every artifact (filtered by ``pattern``) into ``path/<artifact name>``, or straight
into ``path`` with ``merge-multiple``. ``path`` defaults to the workspace. Output
``download-path``.
"""

from __future__ import annotations

import fnmatch
import io
import os
import zipfile
from typing import ClassVar

from dispatchd.runner.actions.builtins import Api, Builtin, StepFailed, info
from dispatchd.runner.jobstate import JobState, StepRun


class DownloadArtifact(Builtin):
    action = "actions/download-artifact"
    # action.yml of actions/download-artifact v4.
    inputs: ClassVar[dict[str, str | None]] = {
        "name": None,
        "path": None,
        "pattern": None,
        "merge-multiple": "false",
        "github-token": None,
        "repository": "${{ github.repository }}",
        "run-id": "${{ github.run_id }}",
    }

    async def act(self, job: JobState, step: StepRun, inputs: dict[str, str]) -> str:
        github = job.contexts["github"]
        token = inputs.get("github-token") or str(
            github.get("token") or (job.contexts.get("secrets") or {}).get("GITHUB_TOKEN") or ""
        )
        api = Api(job, token)
        repository = inputs.get("repository") or github.get("repository")
        run_id = inputs.get("run-id") or github.get("run_id")
        target = os.path.normpath(os.path.join(job.workspace, os.path.expanduser(inputs.get("path") or "")))
        listing = (
            await api.call("GET", f"/repos/{repository}/actions/runs/{run_id}/artifacts?per_page=100")
        ).json()
        artifacts = listing.get("artifacts") or []
        name = inputs.get("name") or ""
        if name:
            artifacts = [a for a in artifacts if a["name"] == name]
            if not artifacts:
                raise StepFailed(f"Artifact not found for name: {name}")
            info(job, f"Found 1 artifact: {name}")
        else:
            if inputs.get("pattern"):
                artifacts = [a for a in artifacts if fnmatch.fnmatchcase(a["name"], inputs["pattern"])]
            info(job, f"Found {len(artifacts)} artifact(s)")
        merge = inputs.get("merge-multiple") == "true"
        for artifact in artifacts:
            where = target if name or merge else os.path.join(target, artifact["name"])
            data = (
                await api.call("GET", f"/repos/{repository}/actions/artifacts/{artifact['id']}/zip")
            ).content
            os.makedirs(where, exist_ok=True)
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    dest = os.path.normpath(os.path.join(where, member))
                    if dest != where and not dest.startswith(where + os.sep):
                        raise StepFailed(
                            f"Artifact '{artifact['name']}' has an entry outside its folder: {member}"
                        )
                archive.extractall(where)
            info(job, f"Artifact download completed successfully: {artifact['name']} → {where}")
        step.outputs["download-path"] = target
        info(job, f"Total of {len(artifacts)} artifact(s) downloaded")
        return "success"
