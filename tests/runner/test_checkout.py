"""The built-in actions/checkout against a real local git repository."""

from __future__ import annotations

import subprocess
from pathlib import Path


def head(repo: Path, rev: str = "HEAD") -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", rev], check=True, capture_output=True, text=True
    ).stdout.strip()


async def test_checkout_run_commit_into_workspace(run, make_git_repo, tmp_path: Path) -> None:
    repo = make_git_repo({"README.md": "first\n", "scan.sh": "echo scanning\n"})
    first = head(repo)
    make_git_repo({"README.md": "second\n"}, path=repo)
    steps = [
        {"uses": "actions/checkout@v4"},
        {
            "run": 'echo "V:$(cat README.md) $(git rev-parse HEAD) $(git rev-list --count HEAD) '
            '$(git branch --show-current)"'
        },
    ]
    result, reporter = await run(steps, repository_path=str(repo), github={"sha": first})
    assert result.conclusion == "success", reporter.text
    assert f"V:first {first} 1 main" in reporter.lines
    assert "dispatchd built-in actions/checkout (in place of actions/checkout@v4)" in reporter.lines
    assert result.steps[0].name == "Run actions/checkout@v4"


async def test_checkout_path_ref_and_full_depth(run, make_git_repo) -> None:
    repo = make_git_repo({"a.txt": "1\n"})
    make_git_repo({"a.txt": "2\n"}, path=repo)
    subprocess.run(["git", "-C", str(repo), "tag", "v2"], check=True)  # noqa: ASYNC221
    make_git_repo({"a.txt": "3\n"}, path=repo)
    steps = [
        {"uses": "actions/checkout@v4", "with": {"path": "src", "ref": "v2", "fetch-depth": 0}},
        {"run": 'cd src && echo "V:$(cat a.txt) $(git rev-list --count HEAD) $(git tag)"'},
        {"uses": "actions/checkout@v4", "with": {"path": "again", "ref": "main"}},
        {"run": 'cd again && echo "V:$(cat a.txt) $(git rev-list --count HEAD)"'},
    ]
    result, reporter = await run(steps, repository_path=str(repo), github={"sha": head(repo)})
    assert result.conclusion == "success", reporter.text
    assert "V:2 2 v2" in reporter.lines
    assert "V:3 1" in reporter.lines


async def test_checkout_twice_cleans_the_workspace(run, make_git_repo) -> None:
    repo = make_git_repo({"a.txt": "1\n"})
    steps = [
        {"uses": "actions/checkout@v4"},
        {"run": "echo junk > untracked.txt; echo changed > a.txt"},
        {"uses": "actions/checkout@v4"},
        {"run": 'echo "V:$(cat a.txt) $(ls)"'},
    ]
    result, reporter = await run(steps, repository_path=str(repo), github={"sha": head(repo)})
    assert result.conclusion == "success", reporter.text
    assert "V:1 a.txt" in reporter.lines


async def test_checkout_unknown_ref_and_other_repository_fail(run, make_git_repo) -> None:
    repo = make_git_repo({"a.txt": "1\n"})
    steps = [
        {"uses": "actions/checkout@v4", "with": {"ref": "no-such-branch"}},
        {"if": "always()", "uses": "actions/checkout@v4", "with": {"repository": "other/repo"}},
    ]
    result, reporter = await run(steps, repository_path=str(repo), github={"sha": head(repo)})
    assert [s.conclusion for s in result.steps] == ["failure", "failure"]
    assert "##[error]A branch or tag with the name 'no-such-branch' could not be found" in reporter.lines
    assert any("other/repo" in line for line in reporter.lines if line.startswith("##[error]"))


async def test_checkout_into_the_repository_itself_leaves_it_alone(run, make_git_repo) -> None:
    repo = make_git_repo({"a.txt": "1\n"})
    (repo / "uncommitted.txt").write_text("precious\n")
    steps = [{"uses": "actions/checkout@v4"}, {"run": 'echo "V:$(cat uncommitted.txt)"'}]
    result, reporter = await run(
        steps, repository_path=str(repo), workspace=str(repo), github={"sha": head(repo)}
    )
    assert result.conclusion == "success", reporter.text
    assert "V:precious" in reporter.lines


async def test_a_checked_out_branch_tracks_origin_so_a_bare_push_works(run, make_git_repo) -> None:
    # actions/checkout checks a branch out from refs/remotes/origin/<branch>; workflows that
    # commit and `git push` with no arguments rely on that upstream.
    repo = make_git_repo({"a.txt": "1\n"})
    subprocess.run(["git", "-C", str(repo), "branch", "feature"], check=True)
    steps = [
        {"uses": "actions/checkout@v4", "with": {"ref": "feature"}},
        {"run": "git rev-parse --abbrev-ref '@{upstream}'\n"
                "git -c user.name=bot -c user.email=bot@example.com commit -q --allow-empty -m pushed\n"
                "git push -q"},
    ]
    result, reporter = await run(steps, repository_path=str(repo), github={"sha": head(repo)})
    assert result.conclusion == "success", reporter.text
    assert "origin/feature" in reporter.text
    log = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%s", "feature"], capture_output=True,
                         text=True, check=True).stdout.strip()
    assert log == "pushed"
