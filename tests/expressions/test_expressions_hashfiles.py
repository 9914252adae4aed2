"""``hashFiles()``: GitHub's hashing and ``@actions/glob`` matching over a workspace.

The matching rules were also compared, on a few thousand random file trees and pattern sets,
with ``@actions/glob`` 0.4.0 driven the way the runner's ``hashFiles.ts`` drives it: same files,
same order.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from dispatchd.expressions import ExpressionError, evaluate
from dispatchd.expressions.functions.hashfiles import matched_files


def github_hash(*contents: bytes) -> str:
    outer = hashlib.sha256()
    for c in contents:
        outer.update(hashlib.sha256(c).digest())
    return outer.hexdigest()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    files = {
        "package-lock.json": b"lock",
        "src/a.py": b"a",
        "src/b.py": b"b",
        "src/deep/c.py": b"c",
        "src/deep/c.txt": b"ct",
        ".hidden/h.py": b"h",
        "src-extra/z.py": b"z",
        "docs/readme.md": b"r",
    }
    for rel, data in files.items():
        p = ws / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    (tmp_path / "outside.py").write_bytes(b"outside")
    return ws


def hash_of(workspace: Path, *patterns: str) -> str:
    args = ", ".join("'" + p.replace("'", "''") + "'" for p in patterns)
    return evaluate(f"hashFiles({args})", {"github": {"workspace": str(workspace)}})


def names(workspace: Path, *patterns: str, follow: bool = False) -> list[str]:
    return [os.path.relpath(f, workspace) for f in matched_files(list(patterns), str(workspace), follow)]


def test_single_file(workspace):
    assert hash_of(workspace, "package-lock.json") == github_hash(b"lock")


def test_no_match_is_empty(workspace):
    assert hash_of(workspace, "**/nothing-here") == ""


def test_globstar_matches_dot_directories_in_byte_order(workspace):
    assert names(workspace, "**/*.py") == [
        ".hidden/h.py",
        "src/a.py",
        "src/b.py",
        "src/deep/c.py",
        "src-extra/z.py",
    ]
    assert hash_of(workspace, "**/*.py") == github_hash(b"h", b"a", b"b", b"c", b"z")


def test_star_does_not_cross_directories(workspace):
    assert names(workspace, "src/*.py") == ["src/a.py", "src/b.py"]


def test_a_matched_directory_brings_its_files(workspace):
    assert names(workspace, "src/deep") == ["src/deep/c.py", "src/deep/c.txt"]


def test_negation_and_order_of_patterns(workspace):
    assert names(workspace, "src/**", "!**/*.txt") == ["src/a.py", "src/b.py", "src/deep/c.py"]
    assert names(workspace, "src/**", "!src/deep", "src/deep/c.txt") == [
        "src/a.py",
        "src/b.py",
        "src/deep/c.txt",
    ]


def test_search_roots_follow_pattern_order(workspace):
    assert names(workspace, "src-extra/*.py", "docs/*") == ["src-extra/z.py", "docs/readme.md"]


def test_files_outside_the_workspace_are_ignored(workspace):
    assert names(workspace, str(workspace.parent / "outside.py")) == []
    assert names(workspace, "~/.bashrc") == []


@pytest.mark.parametrize("pattern", ["../*.py", "src/../docs/*", "src/./a.py"])
def test_relative_segments_fail_the_whole_call(workspace, pattern):
    # @actions/glob: "Relative pathing '.' and '..' is not allowed" (a leading ./ is fine).
    with pytest.raises(ExpressionError) as info:
        hash_of(workspace, pattern)
    assert info.value.kind == "evaluation"
    assert info.value.message == (
        f"hashFiles('{pattern}') failed. Fail to hash files under directory '{workspace}'"
    )


def test_trailing_separator_matches_directories_only(tmp_path):
    (tmp_path / "src").write_bytes(b"a file named src")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "x").write_bytes(b"x")
    assert names(tmp_path, "src/") == []
    assert names(tmp_path, "src") == ["src"]
    assert names(tmp_path, "lib/") == ["lib/x"]
    assert names(tmp_path, "**/") == ["lib/x", "src"]


def test_question_mark_and_classes(workspace):
    assert names(workspace, "src/?.py") == ["src/a.py", "src/b.py"]
    assert names(workspace, "src/[b].py") == ["src/b.py"]


def test_symbolic_links(workspace):
    (workspace / "link").symlink_to(workspace / "src" / "deep", target_is_directory=True)
    assert names(workspace, "link/**") == []  # the link is not followed...
    assert names(workspace, "link/**", follow=True) == ["link/c.py", "link/c.txt"]
    got = evaluate(
        "hashFiles('--follow-symbolic-links', 'link/*.py')", {"github": {"workspace": str(workspace)}}
    )
    assert got == github_hash(b"c")


def test_unknown_option(workspace):
    with pytest.raises(ExpressionError) as info:
        hash_of(workspace, "--recursive", "x")
    assert info.value.kind == "evaluation"
    assert (
        "Invalid glob option --recursive, avaliable option: '--follow-symbolic-links'." in info.value.message
    )


def test_only_available_with_a_workspace():
    with pytest.raises(ExpressionError, match="Unrecognized function: 'hashFiles'"):
        evaluate("hashFiles('x')", {"github": {}})
