"""A job's GITHUB_TOKEN has its job's ``permissions`` (GitHub: job level, else workflow level, else
the repository default; a called workflow's jobs inherit the calling job's), and the API refuses
what they do not grant with GitHub's 403 ``Resource not accessible by integration``."""

from __future__ import annotations

import pytest

from dispatchd.api.permissions import permission_for

PROBE = """\
          code() { curl -s -o /tmp/body -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$@"; }
          api="$GITHUB_API_URL/repos/${{ github.repository }}"
          echo "repo=$(code "$api")"
          echo "list-issues=$(code "$api/issues")"
          echo "create-issue=$(code -X POST -d '{"title":"from ${{ github.job }}"}' "$api/issues")"
          echo "runs=$(code "$api/actions/runs")"
          echo "dispatch=$(code -X POST -d '{"event_type":"nothing-listens"}' "$api/dispatches")"
          echo "releases=$(code "$api/releases")"
          echo "secrets=$(code "$api/actions/secrets")"
          echo "message=$(python3 -c 'import json; print(json.load(open("/tmp/body")).get("message"))')"
"""

WORKFLOW = """\
on:
  repository_dispatch:
    types: [probe]
permissions:
  issues: read
jobs:
  workflow-level:
    runs-on: ubuntu-latest
    steps:
      - env:
          TOKEN: ${{ secrets.GITHUB_TOKEN }}
        run: |
PROBE
  job-level:
    runs-on: ubuntu-latest
    permissions:
      issues: write
      contents: write
    steps:
      - env:
          TOKEN: ${{ github.token }}
        run: |
PROBE
  nothing:
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - env:
          TOKEN: ${{ github.token }}
        run: |
PROBE
  called:
    permissions:
      issues: write
      actions: read
    uses: ./.github/workflows/called.yml
""".replace("PROBE\n", PROBE)

CALLED = """\
on: workflow_call
jobs:
  inner:
    runs-on: ubuntu-latest
    steps:
      - env:
          TOKEN: ${{ github.token }}
        run: |
PROBE
""".replace("PROBE\n", PROBE)

DEFAULT = """\
on:
  repository_dispatch:
    types: [probe]
jobs:
  default:
    runs-on: ubuntu-latest
    steps:
      - env:
          TOKEN: ${{ github.token }}
        run: |
PROBE
""".replace("PROBE\n", PROBE)


def probed(log: str) -> dict[str, str]:
    out = {}
    for line in log.splitlines():
        text = line.split(" ", 1)[-1]
        key, sep, value = text.partition("=")
        if sep and key in ("repo", "list-issues", "create-issue", "runs", "dispatch", "releases", "secrets",
                           "message"):
            out[key] = value
    return out


async def test_each_job_token_has_its_jobs_permissions(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/probe.yml": WORKFLOW, ".github/workflows/called.yml": CALLED})
    srv = await start_server([f"acme/app={repo}"])
    assert (await srv.dispatch("acme/app", "probe")).status_code == 204
    [run] = await srv.wait_runs("acme/app", 1, timeout=60)
    jobs = await srv.jobs("acme/app", run["id"])
    assert all(j["conclusion"] == "success" for j in jobs), jobs
    # The calling job "called" runs no steps of its own.
    results = {j["name"]: probed(await srv.log("acme/app", j["id"])) for j in jobs if j["name"] != "called"}
    forbidden = "Resource not accessible by integration"
    assert results == {
        # permissions: issues: read (every other permission none; metadata always read)
        "workflow-level": {"repo": "200", "list-issues": "200", "create-issue": "403", "runs": "403",
                           "dispatch": "403", "releases": "403", "secrets": "403", "message": forbidden},
        "job-level": {"repo": "200", "list-issues": "200", "create-issue": "201", "runs": "403",
                      "dispatch": "204", "releases": "200", "secrets": "403", "message": forbidden},
        "nothing": {"repo": "200", "list-issues": "403", "create-issue": "403", "runs": "403",
                    "dispatch": "403", "releases": "403", "secrets": "403", "message": forbidden},
        # the called workflow sets none: its jobs get the calling job's
        "called / inner": {"repo": "200", "list-issues": "200", "create-issue": "201", "runs": "200",
                           "dispatch": "403", "releases": "403", "secrets": "403", "message": forbidden},
    }
    titles = sorted(i["title"] for i in (await srv.http.get("/repos/acme/app/issues")).json())
    assert titles == ["from inner", "from job-level"]


async def test_without_permissions_the_repository_default_is_read_and_write(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/probe.yml": DEFAULT})
    srv = await start_server([f"acme/app={repo}"])
    await srv.dispatch("acme/app", "probe")
    [run] = await srv.wait_runs("acme/app", 1)
    [job] = await srv.jobs("acme/app", run["id"])
    result = probed(await srv.log("acme/app", job["id"]))
    # GitHub's permissive default reaches every permission a GITHUB_TOKEN can have; secrets are
    # never among them.
    assert {k: v for k, v in result.items() if k != "message"} == {
        "repo": "200", "list-issues": "200", "create-issue": "201", "runs": "200", "dispatch": "204",
        "releases": "200", "secrets": "403"}


def test_every_repository_route_has_a_permission(tmp_path):
    """A new route must be given its permission in api/permissions.py (job tokens are refused
    on routes the table does not cover)."""
    from dispatchd.api.openapi import document

    doc = document()
    checked = 0
    for path, item in doc["paths"].items():
        if not path.startswith("/repos/"):
            continue
        concrete = path.replace("{owner}", "acme").replace("{repo}", "app")
        for segment in ("run_id", "job_id", "artifact_id", "attempt_number", "workflow_id", "check_run_id",
                        "event_id", "hook_id", "delivery_id", "comment_id", "reaction_id", "issue_number",
                        "pull_number", "asset_id", "release_id", "name", "sha", "ref", "tag"):
            concrete = concrete.replace("{" + segment + "}", "7")
        assert "{" not in concrete, path
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                permission_for(method.upper(), concrete)  # raises UnmappedPath
                checked += 1
    assert checked > 60


@pytest.mark.parametrize(("method", "path", "expected"), [
    ("GET", "/repos/a/b", ("metadata", "read")),
    ("POST", "/repos/a/b/dispatches", ("contents", "write")),
    ("POST", "/repos/a/b/actions/workflows/ci.yml/dispatches", ("actions", "write")),
    ("GET", "/repos/a/b/actions/secrets/X", ("secrets", "read")),
    ("PUT", "/repos/a/b/dispatchd/secrets/X", ("secrets", "write")),
    ("PUT", "/repos/a/b/pulls/3/merge", ("contents", "write")),
    ("GET", "/repos/a/b/pulls/3/merge", ("pull-requests", "read")),
    ("PATCH", "/repos/a/b/issues/comments/9", ("issues", "write")),
    ("GET", "/repos/a/b/commits/main/check-runs", ("checks", "read")),
    ("GET", "/repos/a/b/commits/feature/x/status", ("statuses", "read")),
    ("POST", "/repos/a/b/statuses/abc", ("statuses", "write")),
    ("GET", "/repos/a/b/commits/main", ("contents", "read")),
    ("POST", "/repos/a/b/dispatchd/callbacks", None),
    ("GET", "/user", None),
])
def test_permission_table(method, path, expected):
    assert permission_for(method, path) == expected
