"""The scanner over real HTTP: 202 at once, the scan's state, bad input, callbacks and their retries,
and the command line as a real process."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from scanner.callback import RetryPolicy
from scanner_support import SCANNER_HOME, Receiver, free_port

VULNERABLE = "requests==2.30.0\nurllib3==2.0.7\n"
CLEAN = "requests==2.32.3\nurllib3==2.2.2\nflask>=2\n"

FAILED_PAYLOAD = {"repository": "acme/app", "result": "failed", "cve": "CVE-2023-32681",
                  "package": "requests", "installed_version": "2.30.0", "fixed_version": "2.31.0",
                  "severity": "MODERATE", "summary": "Unintended leak of Proxy-Authorization header in requests",
                  "findings": 3}


@pytest.mark.parametrize("body, field, message", [
    ({"requirements": "", "callback_url": "http://127.0.0.1:1/repos/acme/app/dispatches"},
     "repository", "Field required"),
    ({"repository": "acme", "requirements": "", "callback_url": "http://127.0.0.1:1/x"},
     "repository", "must be 'owner/name', e.g. 'acme/app'"),
    ({"repository": "acme/a b", "requirements": "", "callback_url": "http://127.0.0.1:1/x"},
     "repository", "must be 'owner/name', e.g. 'acme/app'"),
    ({"repository": "acme/app", "requirements": 42, "callback_url": "http://127.0.0.1:1/x"},
     "requirements", "Input should be a valid string"),
    ({"repository": "acme/app", "requirements": ""}, "callback_url", "Field required"),
    ({"repository": "acme/app", "requirements": "", "callback_url": "/repos/acme/app/dispatches"},
     "callback_url", "must be an absolute http(s) URL, e.g. 'http://127.0.0.1:8080/repos/acme/app/dispatches'"),
    ({"repository": "acme/app", "requirements": "", "callback_url": "ftp://example.com/x"},
     "callback_url", "must be an absolute http(s) URL, e.g. 'http://127.0.0.1:8080/repos/acme/app/dispatches'"),
    ({"repository": "acme/app", "requirements": "", "callback_url": "http://127.0.0.1:1/x", "token": "t"},
     "token", ("unknown field (expected repository, requirements, callback_url, callback_token, "
              "callback_event_type)")),
    ({"repository": "acme/app", "requirements": "", "callback_url": "http://127.0.0.1:1/x", "callback_event_type": ""},
     "callback_event_type", "String should have at least 1 character"),
])
async def test_bad_input_is_422_naming_the_field(start_scanner, body, field, message):
    scanner = await start_scanner()
    r = await scanner.scan(**body)
    assert r.status_code == 422, r.text
    data = r.json()
    assert {"field": field, "message": message} in data["errors"]
    assert data["message"].startswith("Invalid scan request: ")
    assert f"{field}: {message}" in data["message"]
    assert (await scanner.http.get("/scans")).json() == {"scans": []}


async def test_a_body_that_is_not_a_json_object_is_422(start_scanner):
    scanner = await start_scanner()
    r = await scanner.http.post("/scans", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["field"] == "(body)" and error["message"].startswith("not valid JSON")
    r = await scanner.http.post("/scans", json=["requests==2.30.0"])
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "(body)",
                                   "message": "must be a JSON object with repository, requirements and callback_url"}]


async def test_202_at_once_then_the_scan_shows_its_progress(start_scanner, start_receiver):
    receiver = await start_receiver(Receiver(free_port()))
    scanner = await start_scanner(delay=1.5)
    started = time.monotonic()
    r = await scanner.scan(repository="acme/app", requirements=VULNERABLE + "flask>=2\n",
                           callback_url=receiver.url, callback_token="s3cret")
    assert time.monotonic() - started < 1.0  # the slow part happens after the answer
    assert r.status_code == 202
    scan_id = r.json()["scan_id"]
    assert r.json() == {"scan_id": scan_id, "status": "queued"}
    assert r.headers["location"] == f"/scans/{scan_id}"
    view = (await scanner.http.get(f"/scans/{scan_id}")).json()
    assert view["status"] in ("queued", "running")
    assert view["findings"] == [] and view["callback"]["state"] == "pending"
    assert "s3cret" not in json.dumps(view)

    view = await scanner.wait(scan_id)
    assert view["status"] == "done"
    assert view["finished_at"] - view["started_at"] >= 1.5
    assert view["packages"] == [{"line": 1, "name": "requests", "version": "2.30.0", "marker": None},
                                {"line": 2, "name": "urllib3", "version": "2.0.7", "marker": None}]
    assert view["unchecked"] == [{"line": 3, "text": "flask>=2",
                                  "reason": "not pinned: >=2 is a range (pin it with ==)"}]
    assert [(f["id"], f["cve"], f["package"], f["fixed_version"], f["severity"], f["cvss_score"])
            for f in view["findings"]] == [
        ("GHSA-j8r2-6x86-q33q", "CVE-2023-32681", "requests", "2.31.0", "MODERATE", 6.1),
        ("GHSA-9wx4-h78v-vm56", "CVE-2024-35195", "requests", "2.32.2", "MODERATE", 5.6),
        ("GHSA-34jh-p97f-mpxf", "CVE-2024-37891", "urllib3", "2.2.2", "MODERATE", 4.4),
    ]
    assert view["callback"].pop("finished_at") >= view["finished_at"]
    assert view["callback"] == {"url": receiver.url, "event_type": "cve-check-failed", "state": "delivered",
                                "attempts": 1, "status_code": 204, "error": None}
    [sent] = receiver.requests
    assert sent["authorization"] == "Bearer s3cret"
    assert sent["body"] == {"event_type": "cve-check-failed", "client_payload": {"scan_id": scan_id, **FAILED_PAYLOAD}}
    assert len(sent["body"]["client_payload"]) <= 10
    listing = (await scanner.http.get("/scans")).json()["scans"]
    assert listing == [{"scan_id": scan_id, "repository": "acme/app", "status": "done", "findings": 3,
                        "callback": "delivered"}]
    assert (await scanner.http.get("/scans/scan-nope")).status_code == 404
    assert (await scanner.http.get("/healthz")).json() == {"status": "ok", "advisories": 10, "packages": 7}


async def test_a_clean_scan_without_a_token(start_scanner, start_receiver):
    receiver = await start_receiver(Receiver(free_port()))
    scanner = await start_scanner()
    scan_id = (await scanner.scan(repository="acme/app", requirements=CLEAN, callback_url=receiver.url)).json()["scan_id"]
    view = await scanner.wait(scan_id)
    assert view["findings"] == []
    [sent] = receiver.requests
    assert sent["authorization"] is None
    assert sent["body"] == {"event_type": "cve-check-passed",
                            "client_payload": {"scan_id": scan_id, "repository": "acme/app", "result": "passed",
                                               "packages": 2, "findings": 0, "unchecked": 1}}


async def test_one_event_type_for_every_result_when_asked(start_scanner, start_receiver):
    receiver = await start_receiver(Receiver(free_port()))
    scanner = await start_scanner()
    for requirements in (CLEAN, VULNERABLE):
        r = await scanner.scan(repository="acme/app", requirements=requirements, callback_url=receiver.url,
                               callback_event_type="cve-scan-done")
        await scanner.wait(r.json()["scan_id"])
    assert [(s["body"]["event_type"], s["body"]["client_payload"]["result"]) for s in receiver.requests] == [
        ("cve-scan-done", "passed"), ("cve-scan-done", "failed")]


async def test_callback_is_retried_until_the_receiver_comes_up(start_scanner, start_receiver):
    port = free_port()
    scanner = await start_scanner()
    scan_id = (await scanner.scan(repository="acme/app", requirements=VULNERABLE, callback_token="t",
                                  callback_url=f"http://127.0.0.1:{port}/repos/acme/app/dispatches")).json()["scan_id"]
    deadline = time.monotonic() + 10
    while True:  # the receiver is down: attempts fail with connection errors
        view = (await scanner.http.get(f"/scans/{scan_id}")).json()
        if view["callback"]["attempts"] >= 2:
            break
        assert time.monotonic() < deadline, view
        await asyncio.sleep(0.01)
    assert view["callback"]["state"] == "delivering"
    assert view["callback"]["error"].startswith("ConnectError")
    receiver = await start_receiver(Receiver(port))
    view = await scanner.wait(scan_id)
    assert view["callback"]["state"] == "delivered"
    assert 3 <= view["callback"]["attempts"] <= 6
    assert view["callback"]["status_code"] == 204 and view["callback"]["error"] is None
    [sent] = receiver.requests  # exactly one dispatch arrived
    assert sent["body"]["client_payload"]["cve"] == "CVE-2023-32681"


async def test_5xx_is_retried_with_backoff(start_scanner, start_receiver):
    receiver = await start_receiver(Receiver(free_port(), fail_with=503, fail_times=2))
    scanner = await start_scanner(retry=RetryPolicy(attempts=5, backoff=0.2, max_backoff=1.0))
    started = time.monotonic()
    scan_id = (await scanner.scan(repository="acme/app", requirements=CLEAN, callback_url=receiver.url)).json()["scan_id"]
    view = await scanner.wait(scan_id)
    assert time.monotonic() - started >= 0.2 + 0.4  # two waits: 0.2 s, then 0.4 s
    assert view["callback"]["state"] == "delivered" and view["callback"]["attempts"] == 3
    assert [r["body"] for r in receiver.requests] == [receiver.requests[0]["body"]] * 3  # the same dispatch


async def test_retries_are_bounded(start_scanner, start_receiver):
    receiver = await start_receiver(Receiver(free_port(), fail_with=502, fail_times=-1))
    scanner = await start_scanner(retry=RetryPolicy(attempts=3, backoff=0.01))
    scan_id = (await scanner.scan(repository="acme/app", requirements=CLEAN, callback_url=receiver.url)).json()["scan_id"]
    view = await scanner.wait(scan_id)
    assert view["callback"]["state"] == "failed"
    assert view["callback"]["attempts"] == 3 and len(receiver.requests) == 3
    assert view["callback"]["status_code"] == 502
    assert view["callback"]["error"] == 'HTTP 502: {"message":"try again later"}'


async def test_a_4xx_answer_is_final(start_scanner, start_receiver):
    receiver = await start_receiver(Receiver(free_port(), fail_with=404, fail_times=-1))
    scanner = await start_scanner()
    scan_id = (await scanner.scan(repository="acme/app", requirements=CLEAN, callback_url=receiver.url)).json()["scan_id"]
    view = await scanner.wait(scan_id)
    assert view["callback"]["state"] == "failed"
    assert view["callback"]["attempts"] == 1 and view["callback"]["status_code"] == 404


def _start_process(*args: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, str(SCANNER_HOME / "scanner" / "app.py"), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    return proc, line


async def test_the_command_line_serves_an_osv_zip_export(tmp_path, start_receiver):
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted((SCANNER_HOME / "scanner" / "advisories").glob("*.json")):
            if json.loads(path.read_text())["affected"][0]["package"]["name"] == "requests":
                z.write(path, f"PyPI/{path.name}")
    receiver = await start_receiver(Receiver(free_port()))
    proc, line = _start_process("--port", "0", "--delay", "0.2", "--advisories", str(archive))
    try:
        assert line.startswith("cve-scanner listening on http://127.0.0.1:"), line
        assert line.rstrip().endswith("(2 advisories, delay 0.2s)")
        base = line.split()[3]
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            r = await http.post("/scans", json={"repository": "acme/app", "requirements": VULNERABLE,
                                                "callback_url": receiver.url})
            assert r.status_code == 202
            deadline = time.monotonic() + 15
            while not receiver.requests:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)
        payload = receiver.requests[0]["body"]["client_payload"]
        assert payload["cve"] == "CVE-2023-32681" and payload["findings"] == 2  # urllib3 advisories not loaded
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGTERM  # after a graceful shutdown, as uvicorn does
    assert err == ""
    assert f"{r.json()['scan_id']} acme/app: 2 packages, 2 findings → cve-check-failed" in out
    assert f"{r.json()['scan_id']} callback delivered after 1 attempt(s) (204)" in out
    assert "HTTP Request" not in out


def test_the_command_line_refuses_a_missing_database(tmp_path):
    missing = tmp_path / "nowhere"
    proc = subprocess.run([sys.executable, str(SCANNER_HOME / "scanner" / "app.py"), "--advisories", str(missing)],
                          check=False, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"cve-scanner: advisory database not found: {missing}"


def test_importable_create_app(tmp_path):
    from scanner.app import create_app

    (tmp_path / "one.json").write_text(Path(SCANNER_HOME / "scanner" / "advisories" / "GHSA-8q59-q68h-6hv4.json").read_text())
    app = create_app(tmp_path, 0)
    assert app.state.db.ids == {"GHSA-8q59-q68h-6hv4"}
    assert create_app().state.db.ids != app.state.db.ids  # the default is the shipped sample
