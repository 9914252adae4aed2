"""The scenario end to end: the scanner calls back a real dispatchd server, whose workflows run on
``cve-check-passed`` and ``cve-check-failed`` and print what the callback carried."""

from __future__ import annotations

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

    assert printed_payload(logs["ship"]) == {"scan_id": clean_id, "repository": "acme/app", "packages": 3,
                                             "findings": 0, "unchecked": 1}
    assert f"scan {clean_id} passed, 3 packages" in logs["ship"]

    assert printed_payload(logs["cve-found"]) == {
        "scan_id": vulnerable_id, "repository": "acme/app", "cve": "CVE-2023-32681", "advisory": "GHSA-j8r2-6x86-q33q",
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
