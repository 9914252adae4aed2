"""timeout-minutes through a real server: what the jobs API reports when a step or a job runs out
of time (GitHub: a step past its own limit fails; a job past its limit is cancelled)."""

from __future__ import annotations

STEP_TIMEOUT = """\
name: step-timeout
on: repository_dispatch
jobs:
  slow-step:
    runs-on: ubuntu-latest
    steps:
      - name: tolerated
        id: tolerated
        run: sleep 30
        timeout-minutes: 0.02
        continue-on-error: true
      - id: after
        run: echo "tolerated outcome ${{ steps.tolerated.outcome }}"
      - name: slow
        run: sleep 30
        timeout-minutes: 0.02
      - if: failure()
        run: echo failure-seen
      - if: cancelled()
        run: echo cancelled-seen
"""

JOB_TIMEOUT = """\
name: job-timeout
on: repository_dispatch
jobs:
  slow-job:
    runs-on: ubuntu-latest
    timeout-minutes: 0.02
    steps:
      - run: sleep 30
      - run: echo never-printed
      - if: always()
        run: echo cleanup-ran
  report:
    needs: slow-job
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo "slow-job was ${{ needs.slow-job.result }}"
"""


async def test_step_and_job_timeouts_are_reported_as_github_reports_them(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/step.yml": STEP_TIMEOUT, ".github/workflows/job.yml": JOB_TIMEOUT})
    srv = await start_server([f"acme/app={repo}"])
    await srv.dispatch("acme/app", "go")
    runs = {r["name"]: r for r in await srv.wait_runs("acme/app", 2, timeout=60)}

    # A step past its own timeout-minutes fails (continue-on-error turns that into success);
    # the job fails and failure() holds afterwards, cancelled() does not.
    run = runs["step-timeout"]
    assert run["conclusion"] == "failure"
    [job] = await srv.jobs("acme/app", run["id"])
    assert job["conclusion"] == "failure"
    assert [(s["name"], s["conclusion"]) for s in job["steps"]] == [
        ("tolerated", "success"),
        ('Run echo "tolerated outcome ${{ steps.tolerated.outcome }}"', "success"),
        ("slow", "failure"),
        ("Run echo failure-seen", "success"),
        ("Run echo cancelled-seen", "skipped"),
    ]
    assert [a["message"] for a in job["annotations"]] == [
        "The action 'tolerated' has timed out after 0.02 minutes.",
        "The action 'slow' has timed out after 0.02 minutes.",
    ]
    log = await srv.log("acme/app", job["id"])
    assert "##[error]The action 'slow' has timed out after 0.02 minutes." in log
    assert "tolerated outcome failure" in log and "failure-seen" in log and "cancelled-seen" not in log

    # A job past its timeout-minutes is cancelled: the running step is cancelled, always() steps
    # still run, the limit is named by a job annotation (not the log), the run is cancelled.
    run = runs["job-timeout"]
    assert run["conclusion"] == "cancelled"
    jobs = {j["name"]: j for j in await srv.jobs("acme/app", run["id"])}
    slow, report = jobs["slow-job"], jobs["report"]
    assert (slow["status"], slow["conclusion"]) == ("completed", "cancelled")
    assert [s["conclusion"] for s in slow["steps"]] == ["cancelled", "skipped", "success"]
    assert [(a["message"], a["step_number"]) for a in slow["annotations"]] == [
        ("The job has exceeded the maximum execution time of 1.2s", None),
        ("The operation was canceled.", 1),
    ]
    log = await srv.log("acme/app", slow["id"])
    assert "##[error]The operation was canceled." in log and "cleanup-ran" in log
    assert "never-printed" not in log and "maximum execution time" not in log
    assert report["conclusion"] == "success"
    assert "slow-job was cancelled" in await srv.log("acme/app", report["id"])
