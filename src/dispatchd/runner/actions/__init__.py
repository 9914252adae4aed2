"""Step kinds behind one factory: ``run:`` scripts and ``uses:`` actions.

Each kind is a file with a class that has ``async run(job, step) -> outcome`` (``success``,
``failure`` or ``cancelled``). :func:`step_kind` picks the kind for a step mapping; adding a kind
(local, composite, node actions) is adding a file and a line here.

``uses`` parsing follows GitHub (reference/workflow-syntax.md §10.6): ``docker://image``,
``./path``, ``owner/repo[/path]@ref``; anything else is ``Expected format {org}/{repo}[/path]@ref.
Actual '<value>'``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from dispatchd.runner.jobstate import JobState, StepRun


class StepKind(Protocol):
    async def run(self, job: JobState, step: StepRun) -> str: ...


@dataclass(frozen=True)
class ActionRef:
    """A parsed ``uses`` value. ``kind`` is ``repository``, ``local`` or ``docker``; for a
    repository action ``owner``, ``repo``, ``path`` (sub-directory, may be empty) and ``ref``."""

    uses: str
    kind: str
    owner: str = ""
    repo: str = ""
    path: str = ""
    ref: str = ""

    @property
    def name(self) -> str:
        """``owner/repo`` lower-cased (how built-ins are keyed)."""
        return f"{self.owner}/{self.repo}".lower()


class UsesError(ValueError):
    """A ``uses`` value GitHub would reject; the message is GitHub's."""


def parse_uses(uses: str) -> ActionRef:
    """Parse a ``uses`` value (raises :class:`UsesError` for a malformed one)."""
    uses = uses.strip()
    if uses.startswith("docker://"):
        return ActionRef(uses, "docker", path=uses[len("docker://") :])
    if uses.startswith(("./", ".\\")):
        return ActionRef(uses, "local", path=uses)
    parts = uses.split("@")
    if len(parts) == 2 and parts[1]:
        segments = [s for s in re.split(r"[/\\]", parts[0])]
        if len(segments) >= 2 and segments[0] and segments[1]:
            return ActionRef(uses, "repository", segments[0], segments[1], "/".join(segments[2:]), parts[1])
    raise UsesError(f"Expected format {{org}}/{{repo}}[/path]@ref. Actual '{uses}'")


def generated_id_base(raw: dict[str, Any]) -> str:
    """The base of a generated step id (``__run``, ``__owner_repo``, ``__alpine_latest``, ``__self``)."""
    uses = raw.get("uses")
    if uses is None:
        return "__run"
    try:
        ref = parse_uses(str(uses))
    except UsesError:
        return "__" + re.sub(r"[^A-Za-z0-9_-]", "_", str(uses))
    if ref.kind == "local":
        return "__self"
    if ref.kind == "docker":
        return "__" + re.sub(r"[^A-Za-z0-9_-]", "_", ref.path)
    return "__" + re.sub(r"[^A-Za-z0-9_-]", "_", f"{ref.owner}_{ref.repo}")


def default_display_name(raw: dict[str, Any]) -> str:
    """GitHub's default step name: ``Run <first line of run>`` or ``Run <uses>``
    (``Run img`` for ``docker://img``)."""
    if "run" in raw:
        from dispatchd.runner.script import first_line

        return f"Run {first_line(str(raw.get('run') or ''))}"
    uses = str(raw.get("uses") or "")
    if uses.startswith("docker://"):
        return f"Run {uses[len('docker://') :]}"
    return f"Run {uses}"


def step_kind(raw: dict[str, Any]) -> StepKind:
    """The kind that runs ``raw``: a run step, an action (local or from an actions folder, with a
    built-in replacement for some), or an unavailable step whose run fails with a message."""
    from dispatchd.runner.actions.run import RunStep

    if "run" in raw:
        return RunStep()
    # Only a `uses` step loads the action kinds: the built-ins bring httpx and their own
    # modules (~80 ms), which a job of run steps, e.g. under `dispatchd run`, never needs.
    from dispatchd.runner.actions.action import ActionStep
    from dispatchd.runner.actions.builtins import SelfAction, builtin_for
    from dispatchd.runner.actions.checkout import CHECKOUT, Checkout
    from dispatchd.runner.actions.dispatchd import CALLBACK_URL, WAIT, CallbackUrl, WaitForDispatch
    from dispatchd.runner.actions.unavailable import Unavailable

    uses = raw.get("uses")
    if not uses:
        return Unavailable("A step must have either 'run' or 'uses'.")
    try:
        ref = parse_uses(str(uses))
    except UsesError as error:
        return Unavailable(str(error))
    if ref.kind == "docker":
        return Unavailable(
            f"'{ref.uses}': Docker container actions are not supported by dispatchd (no Docker on this host)."
        )
    if ref.kind == "repository" and ref.name == CHECKOUT and not ref.path:
        return ActionStep(ref, builtin=lambda: Checkout(ref))
    builtin = builtin_for(ref)
    if builtin is not None:
        return ActionStep(ref, builtin=builtin)
    if ref.kind == "local" and ref.path.rstrip("/\\") in (".", ""):
        return SelfAction(ref)
    if ref.kind == "repository" and ref.name in (WAIT, CALLBACK_URL) and not ref.path:
        # dispatchd's own actions exist only here: no folder or cache can hold a newer copy.
        return WaitForDispatch(ref.uses) if ref.name == WAIT else CallbackUrl(ref.uses)
    return ActionStep(ref)
