"""Stopping the server (Ctrl-C) fails the jobs it was running at once, with GitHub's reason."""

from __future__ import annotations

import asyncio

WORKFLOW = """\
on: repository_dispatch
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 30
"""


async def test_stopping_fails_running_jobs_with_the_reason(start_server, make_git_repo, tmp_path):
    repo = make_git_repo({".github/workflows/w.yml": WORKFLOW})
    first = await start_server([f"acme/app={repo}"], data_dir=tmp_path / "state")
    await first.dispatch("acme/app", "go")
    for _ in range(200):
        runs = await first.runs("acme/app")
        if runs and (await first.jobs("acme/app", runs[0]["id"]))[0]["status"] == "in_progress":
            break
        await asyncio.sleep(0.05)
    db_url = first.server.engine.config.db_url
    await first.http.aclose()
    await first.server.stop()
    second = await start_server([f"acme/app={repo}"], data_dir=tmp_path / "state", db_url=db_url)
    [run] = await second.runs("acme/app")  # no lease to wait for: already concluded
    assert (run["status"], run["conclusion"]) == ("completed", "failure")
    [job] = await second.jobs("acme/app", run["id"])
    assert "The runner has received a shutdown signal." in await second.log("acme/app", job["id"])
