"""Shared test fixtures: where the peer data lives, and a fresh git repository factory."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

pytest_plugins = ["fixtures_server"]

from shared_data import CONFORMANCE, CORPUS, REPO_ROOT, SHARED  # noqa: F401 - re-exported


@pytest.fixture
def make_git_repo(tmp_path: Path):
    """Build a git repository from ``{relative path: text}`` and commit it on ``main``.

    Returns the repository path. Further calls commit more files on top.
    """

    def make(files: dict[str, str], path: Path | None = None, message: str = "commit") -> Path:
        repo = path or (tmp_path / "repo")
        if not (repo / ".git").exists():
            repo.mkdir(parents=True, exist_ok=True)
            subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
        for rel, text in files.items():
            target = repo / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        env = {**os.environ, "GIT_AUTHOR_NAME": "octo", "GIT_AUTHOR_EMAIL": "octo@example.com",
               "GIT_COMMITTER_NAME": "octo", "GIT_COMMITTER_EMAIL": "octo@example.com"}
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
        subprocess.run(["git", "-C", str(repo), "commit", "-q", "--allow-empty", "-m", message],
                       check=True, env=env)
        return repo

    return make
