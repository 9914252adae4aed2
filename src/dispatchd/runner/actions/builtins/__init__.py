"""Built-in equivalents of actions that need only the repository and dispatchd's own API.

A built-in runs when the real action is in no actions folder or download cache (see
:class:`dispatchd.runner.actions.action.ActionStep`); its log says which built-in ran in place of
which ``uses``. Each built-in is a module here with a :class:`Builtin` subclass; :data:`BUILTINS`
maps the lower-cased ``owner/repo`` to ``(module, class name)`` so that the step-kind factory
imports only the one a step needs.

Inputs are resolved as GitHub resolves an action's inputs (supplied value, else the evaluated
``default`` of the real action's ``action.yml``, with GitHub's "Unexpected input(s)" warning), so a
built-in declares the real action's inputs and defaults in :attr:`Builtin.inputs`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, ClassVar

import httpx

from dispatchd.runner.actions import ActionRef, StepKind
from dispatchd.runner.actions.manifest import ActionError, ActionManifest, resolve_inputs
from dispatchd.runner.jobstate import JobState, StepRun

#: owner/repo (lower case) → (module under this package, class).
BUILTINS: dict[str, tuple[str, str]] = {
    "actions/github-script": ("github_script", "GithubScript"),
    "peter-evans/create-or-update-comment": ("create_or_update_comment", "CreateOrUpdateComment"),
    "peter-evans/repository-dispatch": ("repository_dispatch", "RepositoryDispatch"),
    "jasonetco/create-an-issue": ("create_an_issue", "CreateAnIssue"),
    "peter-evans/create-issue-from-file": ("create_issue_from_file", "CreateIssueFromFile"),
    "peter-evans/close-issue": ("close_issue", "CloseIssue"),
    "actions/upload-artifact": ("upload_artifact", "UploadArtifact"),
    "actions/download-artifact": ("download_artifact", "DownloadArtifact"),
    "ncipollo/release-action": ("release_action", "ReleaseAction"),
    "actions/create-release": ("create_release", "CreateRelease"),
}


def builtin_for(ref: ActionRef) -> Callable[[], StepKind] | None:
    """The factory of the built-in replacing ``ref`` (a repository action at its root), or None."""
    if ref.kind != "repository" or ref.path or ref.name not in BUILTINS:
        return None
    module, cls = BUILTINS[ref.name]

    def make() -> StepKind:
        kind: Any = getattr(importlib.import_module(f"{__name__}.{module}"), cls)
        return kind(ref)  # type: ignore[no-any-return]

    return make


class SelfAction:
    """``uses: ./`` in the repository of an action that has a built-in (the action's own test
    workflows, e.g. peter-evans/create-issue-from-file's): the checked-out action runs when its
    JavaScript entry point is there, else the built-in (the compiled ``dist/`` is often not
    committed, and the real action needs ``npm ci`` and a build)."""

    def __init__(self, ref: ActionRef) -> None:
        self.ref = ref

    async def run(self, job: JobState, step: StepRun) -> str:
        import os

        from dispatchd.runner.actions.action import ActionStep
        from dispatchd.runner.actions.manifest import load

        repository = str(job.contexts["github"].get("repository") or "")
        owner, _, name = repository.partition("/")
        as_repo = ActionRef(f"{repository}@{self.ref.uses}", "repository", owner, name, "", "(local)")
        make = builtin_for(as_repo)
        directory = os.path.normpath(os.path.join(job.workspace, self.ref.path))
        if make is not None:
            try:
                manifest = load(directory, self.ref.uses, local=True)
                entry = manifest.runs.get("main")
                missing = manifest.using.startswith("node") and not os.path.isfile(
                    os.path.join(directory, str(entry or ""))
                )
            except ActionError:
                missing = False  # the action step reports the broken metadata
            if missing:
                kind: Any = make()
                kind.ref = ActionRef(self.ref.uses, "local", path=self.ref.path)
                return await kind.run(job, step)  # type: ignore[no-any-return]
        return await ActionStep(self.ref).run(job, step)


class StepFailed(Exception):
    """Ends a built-in with ``##[error]<message>`` and the outcome ``failure``."""


class Builtin:
    """Base of the built-ins: header, inputs, then :meth:`act`.

    Subclasses set :attr:`action` (``owner/repo`` as its authors spell it), :attr:`inputs`
    (input id → default, ``None`` for no default; the real ``action.yml``'s) and implement
    ``act(job, step, inputs) -> outcome``; raising :class:`StepFailed` fails the step.
    """

    action = ""
    inputs: ClassVar[dict[str, str | None]] = {}

    def __init__(self, ref: ActionRef) -> None:
        self.ref = ref

    def manifest(self) -> ActionManifest:
        declared = {
            name: ({} if default is None else {"default": default}) for name, default in self.inputs.items()
        }
        return ActionManifest(
            file="", directory="", name=self.action, using="builtin", runs={}, inputs=declared
        )

    async def run(self, job: JobState, step: StepRun) -> str:
        from dispatchd.runner.actions.action import action_header, step_inputs, warn

        try:
            supplied = step_inputs(job, step)
            inputs, warnings = resolve_inputs(self.manifest(), supplied, step.contexts, step.status)
        except ActionError as error:
            job.log.write_lines(action_header(self.ref.uses, {}, step.env))
            step.error(job, str(error))
            return "failure"
        job.log.write_lines(action_header(self.ref.uses, inputs, step.env))
        job.log.write(f"dispatchd built-in {self.action} (in place of {self.ref.uses})")
        for message in warnings:
            warn(job, step, message)
        # The real actions read every input with @actions/core's getInput, which trims whitespace
        # (a `body: |` block's final newline included).
        trimmed = {name: value.strip() for name, value in inputs.items()}
        try:
            return await self.act(job, step, trimmed)
        except StepFailed as failed:
            step.error(job, str(failed))
            return "failure"
        except httpx.HTTPError as error:
            step.error(job, f"Cannot reach the API at {api_url(job)}: {error}")
            return "failure"

    async def act(self, job: JobState, step: StepRun, inputs: dict[str, str]) -> str:
        raise NotImplementedError


def api_url(job: JobState) -> str:
    """``github.api_url``: dispatchd's own API (``GITHUB_API_URL``)."""
    return str(job.contexts["github"].get("api_url") or "").rstrip("/")


def info(job: JobState, message: str) -> None:
    """A plain log line, masked (what ``core.info`` prints)."""
    for line in job.masker.mask(message).split("\n"):
        job.log.write(line)


def warning(job: JobState, step: StepRun, message: str) -> None:
    """``core.warning``: a warning line and annotation."""
    from dispatchd.runner.actions.action import warn

    warn(job, step, message)


class Api:
    """The REST API the action would call, at ``GITHUB_API_URL`` with ``token``.

    ``token`` is the action's ``token`` input; an empty one fails as ``@actions/github``'s
    ``getOctokit`` does (``Parameter token or opts.auth is required``).
    """

    def __init__(self, job: JobState, token: str) -> None:
        if not token:
            raise StepFailed("Parameter token or opts.auth is required")
        job.masker.add(token)
        self.base = api_url(job)
        self.headers = {
            "Authorization": f"token {token}",
            "Accept": "application/vnd.github+json",
            "User-Agent": "dispatchd-builtin",
        }

    async def call(
        self, method: str, path: str, body: Any = None, *, ok: tuple[int, ...] = ()
    ) -> httpx.Response:
        """One request; a status ≥ 400 (and not in ``ok``) raises :class:`StepFailed` with the
        API's ``message``, as Octokit's ``HttpError`` does."""
        async with httpx.AsyncClient(timeout=60) as http:
            response = await http.request(method, f"{self.base}{path}", json=body, headers=self.headers)
        if response.status_code >= 400 and response.status_code not in ok:
            raise StepFailed(http_error(response))
        return response


def http_error(response: httpx.Response) -> str:
    """Octokit's ``HttpError`` message: the API's ``message`` (else the status text)."""
    try:
        message = response.json().get("message")
    except ValueError:
        message = None
    return str(message or response.reason_phrase or f"HTTP {response.status_code}")


def token_input(inputs: dict[str, str]) -> str:
    return inputs.get("token") or ""


def multiline(value: str) -> list[str]:
    """``getInputAsArray`` of the peter-evans actions: split on newlines and commas, trimmed,
    empty entries dropped."""
    items: list[str] = []
    for line in value.split("\n"):
        items.extend(part.strip() for part in line.split(","))
    return [item for item in items if item]
