"""Repository secrets: set through the API (admin), encrypted at rest, masked in logs, never returned."""

from __future__ import annotations

import sqlite3

WORKFLOW = """\
on: repository_dispatch
jobs:
  use:
    runs-on: ubuntu-latest
    steps:
      - env:
          KEY: ${{ secrets.DEPLOY_KEY }}
        run: |
          echo "key is $KEY"
          # compared by hash: the workflow file must not hold the value the test looks for
          test "$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)" = "e5bf47ca990f9d6d35e14e96da44b8e25f6fa5a65863d5f3210ad31aaf113852" && echo "the job sees the value"
"""


async def test_secret_reaches_the_job_masked_and_is_never_stored_or_shown(start_server, make_git_repo, tmp_path):
    repo = make_git_repo({".github/workflows/w.yml": WORKFLOW})
    srv = await start_server([f"acme/app={repo}"], data_dir=tmp_path / "state")
    r = await srv.http.put("/repos/acme/app/dispatchd/secrets/deploy_key", json={"value": "s3cr3t-value-42"})
    assert r.status_code == 201
    assert (await srv.http.put("/repos/acme/app/dispatchd/secrets/DEPLOY_KEY", json={"value": "s3cr3t-value-42"})
            ).status_code == 204
    bad = await srv.http.put("/repos/acme/app/dispatchd/secrets/GITHUB_X", json={"value": "v"})
    assert bad.status_code == 422 and "GITHUB_ prefix" in bad.json()["message"]
    listed = (await srv.http.get("/repos/acme/app/actions/secrets")).json()
    assert [s["name"] for s in listed["secrets"]] == ["DEPLOY_KEY"] and listed["total_count"] == 1
    assert "value" not in listed["secrets"][0]

    await srv.dispatch("acme/app", "go")
    [run] = await srv.wait_runs("acme/app", 1)
    assert run["conclusion"] == "success"
    [job] = await srv.jobs("acme/app", run["id"])
    log = await srv.log("acme/app", job["id"])
    assert "key is ***" in log and "the job sees the value" in log
    assert "s3cr3t-value-42" not in log

    if srv.server.engine.db.is_sqlite:  # at rest: nowhere in the database file in the clear
        await srv.server.stop()
        srv.server._task = None  # noqa: SLF001 - stopped here; the fixture's stop is then a no-op
        raw = (tmp_path / "state" / "dispatchd.db").read_bytes()
        wal = tmp_path / "state" / "dispatchd.db-wal"
        raw += wal.read_bytes() if wal.exists() else b""
        assert b"s3cr3t-value-42" not in raw
        names = sqlite3.connect(tmp_path / "state" / "dispatchd.db").execute("select name from secrets").fetchall()
        assert names == [("DEPLOY_KEY",)]


async def test_only_the_admin_sets_secrets(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/w.yml": WORKFLOW})
    srv = await start_server([f"acme/app={repo}"])
    made = await srv.http.post("/dispatchd/tokens", json={"repository": "acme/app", "scope": "write"})
    token = made.json()["token"]
    r = await srv.http.put("/repos/acme/app/dispatchd/secrets/X", json={"value": "v"},
                           headers={"Authorization": f"token {token}"})
    assert r.status_code == 403
    assert (await srv.http.delete("/repos/acme/app/actions/secrets/NOPE")).status_code == 404


ENCODED_WORKFLOW = """\
on: repository_dispatch
jobs:
  print:
    runs-on: ubuntu-latest
    steps:
      - env:
          S: ${{ secrets.API_KEY }}
        run: |
          echo -n "$S" | base64
          python3 -c 'import json,os;print(json.dumps(os.environ["S"]))'
          printf 'user:%s' "$S" | base64
"""


async def test_encoded_forms_of_a_secret_are_masked_in_the_stored_log(start_server, make_git_repo):
    # GitHub's runner masks the base64 forms (also after a prefix such as "user:") and the JSON
    # form of every secret (ValueEncoders.cs), so printing them does not leak the secret.
    repo = make_git_repo({".github/workflows/w.yml": ENCODED_WORKFLOW})
    srv = await start_server([f"acme/app={repo}"])
    secret = 'pa"ss\\word-1234'
    assert (await srv.http.put("/repos/acme/app/dispatchd/secrets/API_KEY", json={"value": secret})
            ).status_code == 201
    await srv.dispatch("acme/app", "go")
    [run] = await srv.wait_runs("acme/app", 1)
    assert run["conclusion"] == "success"
    [job] = await srv.jobs("acme/app", run["id"])
    lines = [line.split(" ", 1)[-1] for line in (await srv.log("acme/app", job["id"])).splitlines()]
    # base64 of the secret is cGEic3Ncd29yZC0xMjM0; its JSON form is "pa\"ss\\word-1234";
    # base64 of "user:" + secret is dXNlcjpw + YSJzc1x3b3JkLTEyMzQ= (the secret without its
    # first byte, which GitHub registers for exactly this case).
    assert "***" in lines and '"***"' in lines and "dXNlcjpw***" in lines
    text = "\n".join(lines)
    for leaked in ("cGEic3Ncd29yZC0xMjM0", 'pa\\"ss\\\\word-1234', "YSJzc1x3b3JkLTEyMzQ=", secret):
        assert leaked not in text
