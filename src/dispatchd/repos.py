"""Repositories: local git repositories, their default branch, and files at a commit.

GitHub runs ``repository_dispatch`` workflows from the default branch's head commit, never
from a working tree. Reading git through subprocesses on every event would cap dispatch
throughput, so the head commit is read from the ref files directly and the workflow files of
a commit are cached: a commit never changes.
"""

from __future__ import annotations

import re
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORKFLOWS_DIR = ".github/workflows"

# GitHub: owner and repository names are ASCII letters, digits, '-', '_' and '.' (at most 100).
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


class RepositoryError(Exception):
    """A path that is not a usable git repository, or a name GitHub would not accept."""


def valid_name(name: str) -> bool:
    return bool(_NAME.match(name)) and name not in (".", "..")


# git check-ref-format(1): no control characters, space, ``~ ^ : ? * [ \``, ``..`` or ``@{``; no
# empty component, none starting with '.' or ending with '.lock'; not ending with '.'.
_BAD_REF = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|^/|/$|\.$|(?:^|/)\.|\.lock(?:/|$)")
_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
#: git's status letters as GitHub names a commit's files (T: the file's type changed).
_FILE_STATUS = {"A": "added", "D": "removed", "M": "modified", "R": "renamed", "C": "copied", "T": "changed"}


def valid_branch_name(name: str) -> bool:
    """Whether ``name`` may name a branch: ``git check-ref-format --branch``'s rules (also no
    leading '-', no ``HEAD`` or ``@``), at most 255 characters.

    Ref names reach the file system (``refs/heads/<name>`` is read directly) and git's argument
    lists, so a name such as ``../../config`` or ``--upload-pack=x`` must stop here."""
    return (0 < len(name) <= 255 and not name.startswith("-") and name not in ("@", "HEAD")
            and _BAD_REF.search(name) is None)


def _read(path: Path) -> str:
    # Plain binary read: Path.read_text's codec machinery costs more than the read itself,
    # and the ref files are read for every event.
    with open(path, "rb") as f:
        return f.read().decode()


def _git(path: Path, *args: str, input: bytes | None = None) -> bytes:
    proc = subprocess.run(["git", "-C", str(path), *args], input=input, capture_output=True, check=False)
    if proc.returncode != 0:
        raise RepositoryError(f"git {' '.join(args)} in {path}: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


@dataclass
class Repository:
    """A repository served by dispatchd: ``owner/name`` backed by a local git repository."""

    owner: str
    name: str
    path: Path
    #: One-shot mode (``dispatchd run``): workflows come from the working tree, so people can try
    #: a change before committing it.
    working_tree: bool = False
    #: Working-tree mode only: the folder (relative to ``path``) whose ``*.yml``/``*.yaml`` are the
    #: workflows, as ``act -W DIR`` takes it.
    workflows_dir: str = WORKFLOWS_DIR
    _workflow_cache: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def git_dir(self) -> Path:
        cached = self.__dict__.get("_git_dir")
        if cached is None:
            cached = self.__dict__["_git_dir"] = self._find_git_dir()
        return cached

    def _find_git_dir(self) -> Path:
        git = self.path / ".git"
        if git.is_file():  # a worktree or submodule: "gitdir: <path>"
            target = git.read_text().split(":", 1)[1].strip()
            return (self.path / target).resolve()
        return git if git.is_dir() else self.path  # bare repositories are their own git dir

    def default_branch(self) -> str:
        """The branch HEAD points at (GitHub's default branch), e.g. ``main``."""
        if self.working_tree and not (self.path / ".git").exists():
            return "main"
        head = _read(self.git_dir / "HEAD").strip()
        if head.startswith("ref: refs/heads/"):
            return head[len("ref: refs/heads/"):]
        raise RepositoryError(f"{self.path}: HEAD is detached; check out a default branch")

    def head_sha(self, branch: str | None = None) -> str:
        """The commit at the tip of ``branch`` (default branch when None).

        Reads ``refs/heads/<branch>`` or ``packed-refs`` directly; falls back to git.
        Raises RepositoryError when the branch has no commit or ``branch`` is not a valid branch
        name (:func:`valid_branch_name`: the name becomes a path under the git directory).
        """
        if self.working_tree and not (self.path / ".git").exists():
            return "0" * 40
        branch = branch or self.default_branch()
        if not valid_branch_name(branch):
            raise RepositoryError(f"{self.full_name}: '{branch}' is not a valid branch name")
        ref = self.git_dir / "refs" / "heads" / branch
        try:
            sha = _read(ref).strip()
            # A symbolic ref ("ref: refs/heads/x") is left to git.
            if _SHA.match(sha):
                return sha
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            packed = self.git_dir / "packed-refs"
            if packed.exists():
                suffix = f" refs/heads/{branch}"
                for line in packed.read_text().splitlines():
                    if line.endswith(suffix):
                        return line.split(" ", 1)[0]
        try:
            return _git(self.path, "rev-parse", "--verify", "-q", f"refs/heads/{branch}^{{commit}}").decode().strip()
        except RepositoryError:
            raise RepositoryError(f"{self.full_name}: branch '{branch}' has no commit") from None

    def resolve_ref(self, ref: str) -> tuple[str, str]:
        """Resolve a branch or tag name (or ``refs/...``) to ``(full ref, sha)``.

        Raises RepositoryError when there is no such ref (GitHub: ``No ref found for: <ref>``).
        """
        candidates = [ref] if ref.startswith("refs/") else [f"refs/heads/{ref}", f"refs/tags/{ref}"]
        for full in candidates:
            try:
                sha = _git(self.path, "rev-parse", "--verify", "-q", f"{full}^{{commit}}").decode().strip()
                return full, sha
            except RepositoryError:
                continue
        raise RepositoryError(f"No ref found for: {ref}")

    def workflow_files(self, sha: str) -> dict[str, str]:
        """``{".github/workflows/x.yml": text}`` for every ``*.yml``/``*.yaml`` directly in
        ``.github/workflows`` at commit ``sha`` (GitHub does not look in subfolders)."""
        if self.working_tree:
            folder = self.path / self.workflows_dir
            found = sorted(p for p in folder.glob("*") if p.suffix in (".yml", ".yaml") and p.is_file())
            prefix = self.workflows_dir.strip("/")
            return {f"{prefix}/{p.name}" if prefix and prefix != "." else p.name: p.read_text(errors="replace")
                    for p in found}
        with self._lock:
            cached = self._workflow_cache.get(sha)
        if cached is not None:
            return cached
        try:
            listing = _git(self.path, "ls-tree", "-z", f"{sha}:{WORKFLOWS_DIR}")
        except RepositoryError:
            listing = b""
        paths = []
        for entry in listing.split(b"\0"):
            if not entry:
                continue
            meta, name = entry.split(b"\t", 1)
            kind = meta.split(b" ")[1]
            fname = name.decode()
            if kind == b"blob" and fname.endswith((".yml", ".yaml")):
                paths.append(f"{WORKFLOWS_DIR}/{fname}")
        files: dict[str, str] = {}
        if paths:
            request = "".join(f"{sha}:{p}\n" for p in paths).encode()
            out = _git(self.path, "cat-file", "--batch", input=request)
            pos = 0
            for p in paths:
                header_end = out.index(b"\n", pos)
                size = int(out[pos:header_end].split(b" ")[2])
                body = out[header_end + 1: header_end + 1 + size]
                files[p] = body.decode("utf-8", errors="replace")
                pos = header_end + 1 + size + 1
        files = dict(sorted(files.items()))
        with self._lock:
            self._workflow_cache[sha] = files
        return files

    def read_file(self, sha: str, path: str) -> str | None:
        """The text of ``path`` at commit ``sha`` (the working tree in one-shot mode), or None."""
        if self.working_tree:
            target = (self.path / path).resolve()
            if not target.is_relative_to(self.path) or not target.is_file():
                return None
            return target.read_text(errors="replace")
        try:
            return _git(self.path, "cat-file", "blob", f"{sha}:{path}").decode("utf-8", errors="replace")
        except RepositoryError:
            return None

    def branch_sha(self, branch: str) -> str | None:
        """The tip of ``refs/heads/<branch>``, or None when there is no such branch (or
        ``branch`` is not a valid branch name)."""
        if not valid_branch_name(branch):
            return None
        try:
            return self.head_sha(branch)
        except RepositoryError:
            return None

    def commit_sha(self, ref: str) -> str | None:
        """The full sha of the commit ``ref`` names (a sha, abbreviated or not, a branch or a
        tag), or None when it names no commit."""
        if not ref or ref.startswith("-") or "\x00" in ref or len(ref) > 255:
            return None
        for candidate in (f"refs/heads/{ref}", f"refs/tags/{ref}", ref):
            try:
                return _git(self.path, "rev-parse", "--verify", "-q", f"{candidate}^{{commit}}").decode().strip()
            except RepositoryError:
                continue
        return None

    def compare(self, base_sha: str, head_sha: str) -> dict[str, int]:
        """What a pull request from ``head_sha`` into ``base_sha`` holds: ``commits`` (on head, not
        on base), and ``additions``, ``deletions``, ``changed_files`` of the diff from their merge
        base (GitHub's three-dot diff)."""
        commits = int(_git(self.path, "rev-list", "--count", f"{base_sha}..{head_sha}").decode().strip() or 0)
        additions = deletions = files = 0
        for line in _git(self.path, "diff", "--numstat", f"{base_sha}...{head_sha}").decode(errors="replace").splitlines():
            added, deleted, _ = line.split("\t", 2)
            files += 1
            # Binary files show "-": GitHub counts them as changed files without lines.
            additions += int(added) if added.isdigit() else 0
            deletions += int(deleted) if deleted.isdigit() else 0
        return {"commits": commits, "additions": additions, "deletions": deletions, "changed_files": files}

    def merge_tree(self, base_sha: str, head_sha: str) -> str | None:
        """The tree of merging ``head_sha`` into ``base_sha``, or None when they conflict.

        Raises RepositoryError when git cannot merge without a working tree (before git 2.38)."""
        proc = subprocess.run(["git", "-C", str(self.path), "merge-tree", "--write-tree", "--no-messages",
                               base_sha, head_sha], capture_output=True, check=False)
        if proc.returncode == 1:
            return None
        if proc.returncode != 0:
            raise RepositoryError(f"git merge-tree: {proc.stderr.decode(errors='replace').strip()}")
        return proc.stdout.decode().split("\n", 1)[0].strip()

    def commit_info(self, sha: str) -> dict[str, str]:
        """``{id, tree_id, message, timestamp, author_name, author_email}`` of a commit."""
        out = _git(self.path, "show", "-s", "--format=%H%n%T%n%cI%n%an%n%ae%n%B", sha).decode()
        sha_, tree, ts, name, email, *msg = out.split("\n")
        return {"id": sha_, "tree_id": tree, "timestamp": ts, "author_name": name,
                "author_email": email, "message": "\n".join(msg).strip()}

    def commit_details(self, sha: str) -> dict[str, Any]:
        """A commit as GitHub's "Get a commit" shows it: ``sha``, ``tree``, ``parents`` (shas),
        ``author`` and ``committer`` (``{name, email, date}``, ISO 8601), ``message``, and
        ``files``: ``[{filename, status, sha (the blob), additions, deletions, previous_filename?}]``
        against the first parent (every file of a root commit), renames detected, as GitHub lists
        them.

        Raises RepositoryError when ``sha`` names no commit."""
        fmt = "%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B"
        fields = _git(self.path, "show", "-s", f"--format={fmt}", f"{sha}^{{commit}}").decode(errors="replace")
        full, tree, parents, an, ae, ad, cn, ce, cd, message = fields.split("\x00", 9)
        parent_list = parents.split()
        trees = [parent_list[0], full] if parent_list else ["--root", full]
        raw = _git(self.path, "diff-tree", "-r", "-M", "--no-commit-id", "--raw", "-z", *trees)
        counts = _git(self.path, "diff-tree", "-r", "-M", "--no-commit-id", "--numstat", "-z", *trees)
        files: list[dict[str, Any]] = []
        parts = raw.decode(errors="replace").split("\x00")
        i = 0
        while i < len(parts) and parts[i]:
            # ":old-mode new-mode old-blob new-blob STATUS", then the path (two for R and C)
            _, _, old_blob, new_blob, status = parts[i].lstrip(":").split(" ", 4)
            letter = status[0]
            entry: dict[str, Any] = {"status": _FILE_STATUS.get(letter, "modified"),
                                     "sha": old_blob if letter == "D" else new_blob}
            if letter in "RC":  # a rename or copy names the old path, then the new one
                entry.update(previous_filename=parts[i + 1], filename=parts[i + 2])
                i += 3
            else:
                entry["filename"] = parts[i + 1]
                i += 2
            files.append(entry)
        parts = counts.decode(errors="replace").split("\x00")
        i = n = 0
        while i < len(parts) and parts[i] and n < len(files):
            added, deleted, path = parts[i].split("\t", 2)
            i += 3 if path == "" else 1  # a rename's paths follow as their own fields
            # Binary files show "-": GitHub counts them without lines.
            files[n].update(additions=int(added) if added.isdigit() else 0,
                            deletions=int(deleted) if deleted.isdigit() else 0)
            n += 1
        return {"sha": full, "tree": tree, "parents": parent_list, "message": message.rstrip("\n"),
                "author": {"name": an, "email": ae, "date": ad},
                "committer": {"name": cn, "email": ce, "date": cd}, "files": files}


def name_from_remote(path: Path) -> tuple[str, str] | None:
    """``(owner, name)`` from the ``origin`` remote URL (``git@host:o/r.git``, ``https://host/o/r``)."""
    try:
        url = _git(path, "remote", "get-url", "origin").decode().strip()
    except RepositoryError:
        return None
    m = re.search(r"[:/]([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?$", url)
    if not m:
        return None
    return m.group(1), m.group(2)


def open_repository(spec: str) -> Repository:
    """Parse a command-line repository spec: ``PATH`` or ``OWNER/NAME=PATH``.

    Without a name, owner/name come from the ``origin`` remote, else ``local/<directory name>``.
    Raises RepositoryError for a path that is not a git repository or an invalid name.
    """
    name_part, sep, path_part = spec.partition("=")
    if not sep:
        name_part, path_part = "", spec
    path = Path(path_part).expanduser().resolve()
    if not path.exists():
        raise RepositoryError(f"{path_part}: no such directory")
    if not ((path / ".git").exists() or (path / "HEAD").is_file()):
        raise RepositoryError(f"{path_part}: not a git repository (run `git init` and commit the workflows)")
    if name_part:
        owner, slash, name = name_part.partition("/")
        if not slash:
            raise RepositoryError(f"{name_part}: expected OWNER/NAME")
    else:
        owner, name = name_from_remote(path) or ("local", path.name)
    if not (valid_name(owner) and valid_name(name)):
        raise RepositoryError(f"{owner}/{name}: owner and name may use letters, digits, '-', '_' and '.'")
    return Repository(owner=owner, name=name, path=path)


__all__ = ["WORKFLOWS_DIR", "Repository", "RepositoryError", "open_repository", "valid_branch_name", "valid_name"]
