"""Where an action's files are: ``./path`` in the workspace, or ``owner/repo[/path]@ref`` in an
offline actions folder or the download cache.

Folders are searched in order; in each, ``<owner>/<repo>@<ref>/`` (dispatchd's layout) and
``<owner>/<repo>/<ref>/`` (the layout of GitHub's runner ``_work/_actions``) are tried, then the
action's ``path`` inside. Owner and repository names match case-insensitively, as on GitHub.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from dispatchd.runner.actions import ActionRef


def _child(parent: str, name: str) -> str | None:
    """``parent/name``, matching ``name`` case-insensitively when the exact name is absent."""
    exact = os.path.join(parent, name)
    if os.path.isdir(exact):
        return exact
    try:
        entries = os.listdir(parent)
    except OSError:
        return None
    for entry in entries:
        if entry.lower() == name.lower() and os.path.isdir(os.path.join(parent, entry)):
            return os.path.join(parent, entry)
    return None


def candidates(ref: ActionRef, roots: Sequence[str]) -> list[str]:
    """The directories that would hold ``ref``, in search order (used in "not found" messages)."""
    out = []
    for root in roots:
        base = os.path.join(root, ref.owner)
        out.append(os.path.join(base, f"{ref.repo}@{ref.ref}", ref.path).rstrip("/"))
        out.append(os.path.join(base, ref.repo, ref.ref, ref.path).rstrip("/"))
    return out


def locate(ref: ActionRef, roots: Sequence[str]) -> str | None:
    """The directory of repository action ``ref`` in ``roots``, or None."""
    for root in roots:
        owner = _child(root, ref.owner)
        if owner is None:
            continue
        tops = [_child(owner, f"{ref.repo}@{ref.ref}")]
        repo = _child(owner, ref.repo)
        if repo is not None:
            tops.append(_child(repo, ref.ref))
        for top in tops:
            if top is None:
                continue
            directory = os.path.join(top, ref.path) if ref.path else top
            if os.path.isdir(directory):
                return directory
    return None
