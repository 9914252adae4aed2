"""The scenario end to end: the scanner calls back a real dispatchd server, whose workflows run on
``cve-check-passed`` and ``cve-check-failed`` and print what the callback carried."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fixtures_server import TOKEN

PASSED = """\
name: ship
on:
  repository_dispatch:
    types: [cve-check-passed]
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - env:
          PAYLOAD: ${{ toJSON(github.event.client_payload) }}
        run: python3 -c 'import json, os; print("payload", json.dumps(json.loads(os.environ["PAYLOAD"]), sort_keys=True))'
      - run: echo "scan ${{ github.event.client_payload.scan_id }} passed, ${{ github.event.client_payload.packages }} packages"
"""

FAILED = """\
name: cve-found
on:
  repository_dispatch:
    types: [cve-check-failed]
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - env:
          PAYLOAD: ${{ toJSON(github.event.client_payload) }}
        run: python3 -c 'import json, os; print("payload", json.dumps(json.loads(os.environ["PAYLOAD"]), sort_keys=True))'
      - env:
          CVE: ${{ github.event.client_payload.cve }}
          PACKAGE: ${{ github.event.client_payload.package }}
          INSTALLED: ${{ github.event.client_payload.installed_version }}
          FIXED: ${{ github.event.client_payload.fixed_version }}
        run: echo "$CVE in $PACKAGE $INSTALLED, upgrade to $FIXED"
"""

CLEAN = """\
# what the app needs
requests==2.32.3
urllib3==2.2.2
Jinja2==3.1.4
click>=8
"""

VULNERABLE = """\
requests==2.30.0
Jinja2==3.1.4
"""


def printed_payload(log: str) -> dict[str, Any]:
    [line] = [line for line in log.splitlines() if " payload {" in line or line.startswith("payload {")]
    return json.loads(line.split("payload ", 1)[1])


async def test_clean_and_vulnerable_requirements_end_in_the_right_runs(start_server, make_git_repo, start_scanner):
    repo = make_git_repo({".github/workflows/ship.yml": PASSED, ".github/workflows/cve-found.yml": FAILED,
                          "requirements.txt": VULNERABLE})
    srv = await start_server([f"acme/app={repo}"])
    scanner = await start_scanner(delay=0.3)
    callback = f"{srv.base_url}/repos/acme/app/dispatches"

    clean = await scanner.scan(repository="acme/app", requirements=CLEAN, callback_url=callback, callback_token=TOKEN)
    vulnerable = await scanner.scan(repository="acme/app", requirements=VULNERABLE, callback_url=callback,
                                    callback_token=TOKEN)
    assert clean.status_code == vulnerable.status_code == 202
    clean_id, vulnerable_id = clean.json()["scan_id"], vulnerable.json()["scan_id"]
    for scan_id in (clean_id, vulnerable_id):
        view = await scanner.wait(scan_id)
        assert view["callback"]["state"] == "delivered"
        assert view["callback"]["status_code"] == 204  # dispatchd took the dispatch, as GitHub does

    runs = await srv.wait_runs("acme/app", 2)
    assert sorted((r["name"], r["event"], r["conclusion"]) for r in runs) == [
        ("cve-found", "repository_dispatch", "success"), ("ship", "repository_dispatch", "success")]
    logs = {}
    for run in runs:
        [job] = await srv.jobs("acme/app", run["id"])
        logs[run["name"]] = await srv.log("acme/app", job["id"])

    assert printed_payload(logs["ship"]) == {"scan_id": clean_id, "repository": "acme/app", "result": "passed",
                                             "packages": 3, "findings": 0, "unchecked": 1}
    assert f"scan {clean_id} passed, 3 packages" in logs["ship"]

    assert printed_payload(logs["cve-found"]) == {
        "scan_id": vulnerable_id, "repository": "acme/app", "result": "failed", "cve": "CVE-2023-32681",
        "package": "requests", "installed_version": "2.30.0", "fixed_version": "2.31.0", "severity": "MODERATE",
        "summary": "Unintended leak of Proxy-Authorization header in requests", "findings": 2}
    assert "CVE-2023-32681 in requests 2.30.0, upgrade to 2.31.0" in logs["cve-found"]


async def test_a_wrong_token_is_refused_once_and_not_retried(start_server, make_git_repo, start_scanner):
    repo = make_git_repo({".github/workflows/ship.yml": PASSED})
    srv = await start_server([f"acme/app={repo}"])
    scanner = await start_scanner()
    r = await scanner.scan(repository="acme/app", requirements=CLEAN, callback_token="not-the-token",
                           callback_url=f"{srv.base_url}/repos/acme/app/dispatches")
    view = await scanner.wait(r.json()["scan_id"])
    assert view["callback"]["state"] == "failed"
    assert view["callback"]["attempts"] == 1 and view["callback"]["status_code"] == 401
    assert await srv.runs("acme/app") == []


WAITING = """\
name: scan
on:
  repository_dispatch:
    types: [scan-requested]
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: callback
        uses: dispatchd/callback-url@v1
        with:
          event-type: cve-scan-done
      - id: start
        name: Start the scan
        env:
          SCANNER_URL: ${{ github.event.client_payload.scanner_url }}
          CALLBACK_URL: ${{ steps.callback.outputs.url }}
        run: |
          python3 - <<'PY'
          import json, os, urllib.request
          body = {"repository": os.environ["GITHUB_REPOSITORY"], "requirements": open("requirements.txt").read(),
                  "callback_url": os.environ["CALLBACK_URL"], "callback_event_type": "cve-scan-done"}
          request = urllib.request.Request(os.environ["SCANNER_URL"] + "/scans", data=json.dumps(body).encode(),
                                           headers={"Content-Type": "application/json"})
          with urllib.request.urlopen(request) as response:
              scan_id = json.load(response)["scan_id"]
          with open(os.environ["GITHUB_OUTPUT"], "a") as out:
              out.write(f"scan_id={scan_id}\\n")
          PY
      - id: wait
        uses: dispatchd/wait-for-dispatch@v1
        with:
          event-type: cve-scan-done
          match: github.event.client_payload.scan_id == steps.start.outputs.scan_id
          timeout-minutes: 1
      - env:
          RESULT: ${{ fromJSON(steps.wait.outputs.client_payload).result }}
          CVE: ${{ fromJSON(steps.wait.outputs.client_payload).cve }}
        run: echo "scan ${{ steps.start.outputs.scan_id }} $RESULT $CVE"
"""


async def test_a_job_waits_for_the_scan_without_a_token_or_a_runner(start_server, make_git_repo, start_scanner):
    # The job mints a single-use callback URL, starts the scan, and waits; the scanner calls the
    # URL back (no token) with the one event type the URL allows, and the job resumes.
    repo = make_git_repo({".github/workflows/scan.yml": WAITING, "requirements.txt": VULNERABLE})
    srv = await start_server([f"acme/app={repo}"])
    scanner = await start_scanner(delay=1.0)
    assert (await srv.dispatch("acme/app", "scan-requested", {"scanner_url": scanner.base_url})).status_code == 204

    deadline = asyncio.get_running_loop().time() + 20
    while True:  # the job waits while the scanner works
        runs = await srv.runs("acme/app")
        jobs = await srv.jobs("acme/app", runs[0]["id"]) if runs else []
        if jobs and jobs[0]["status"] == "waiting":
            break
        assert asyncio.get_running_loop().time() < deadline, jobs
        await asyncio.sleep(0.02)
    [scan] = (await scanner.http.get("/scans")).json()["scans"]
    assert scan["status"] in ("queued", "running")

    view = await scanner.wait(scan["scan_id"])
    assert view["callback"]["state"] == "delivered" and view["callback"]["status_code"] == 204
    assert view["callback"]["url"].startswith(srv.base_url + "/dispatchd/callbacks/")
    [run] = await srv.wait_runs("acme/app", 1)
    assert run["conclusion"] == "success"
    [job] = await srv.jobs("acme/app", run["id"])
    assert f"scan {scan['scan_id']} failed CVE-2023-32681" in await srv.log("acme/app", job["id"])
