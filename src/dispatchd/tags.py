"""Tags of a served repository: the git side of releases.

GitHub creates a release's tag when the release is published and no tag of that name exists,
at the release's ``target_commitish``: a branch name or a full commit sha (GitHub refuses a tag
name, an abbreviated sha and a commit the repository does not have: 422, ``invalid``
``target_commitish``). dispatchd does the same in the served git repository, which stands where
GitHub's copy would: a lightweight tag ``refs/tags/<tag_name>`` at that commit, so that a later
``actions/checkout`` of the tag, or a ``git fetch --tags``, finds it. Existing tags are never
moved, and deleting a release keeps its tag (GitHub's rule too).
"""

from __future__ import annotations

import re
import subprocess

from .repos import Repository, valid_branch_name

_FULL_SHA = re.compile(r"^[0-9a-f]{40}$")


def _git(repo: Repository, *args: str) -> str | None:
    """git's output, or None when git fails."""
    proc = subprocess.run(["git", "-C", str(repo.path), *args], check=False, capture_output=True)
    return proc.stdout.decode().strip() if proc.returncode == 0 else None


def _usable(name: str) -> bool:
    # NUL cannot reach a process argument; a leading '-' would read as an option.
    return bool(name) and "\x00" not in name and not name.startswith("-") and len(name) <= 255


def valid_tag_name(repo: Repository, name: str) -> bool:
    """Whether ``name`` may name a tag (git's ``check-ref-format`` rules: no spaces, ``..``, ``~``,
    ``^``, ``:``, ``?``, ``*``, ``[``, ``\\``, no ``.lock`` ending, …)."""
    if not _usable(name):
        return False
    proc = subprocess.run(["git", "-C", str(repo.path), "check-ref-format", f"refs/tags/{name}"],
                          check=False, capture_output=True)
    return proc.returncode == 0


def tag_commit(repo: Repository, name: str) -> str | None:
    """The commit the tag ``name`` points at, or None when there is no such tag."""
    if not _usable(name):
        return None
    return _git(repo, "rev-parse", "--verify", "-q", f"refs/tags/{name}^{{commit}}")


def target_commit(repo: Repository, commitish: str) -> str | None:
    """The commit a release's ``target_commitish`` names: a branch (``main`` or
    ``refs/heads/main``) or a full sha of a commit the repository has; None otherwise."""
    if not _usable(commitish):
        return None
    if _FULL_SHA.match(commitish):
        return _git(repo, "rev-parse", "--verify", "-q", f"{commitish}^{{commit}}")
    branch = commitish.removeprefix("refs/heads/")
    if not valid_branch_name(branch):  # e.g. "main~1" or "main@{1}": git would resolve them, GitHub does not
        return None
    return _git(repo, "rev-parse", "--verify", "-q", f"refs/heads/{branch}^{{commit}}")


def create_tag(repo: Repository, name: str, sha: str) -> bool:
    """Create the lightweight tag ``name`` at ``sha``; False when the tag exists already (it is
    left where it is: ``update-ref`` with an empty old value only creates)."""
    return _git(repo, "update-ref", f"refs/tags/{name}", sha, "") is not None


__all__ = ["create_tag", "tag_commit", "target_commit", "valid_tag_name"]
