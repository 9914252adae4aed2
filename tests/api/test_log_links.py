"""Logs as GitHub serves them: the endpoint answers 302 to a URL that works without a token for a
minute (``curl -L``); the link names one job or run and cannot be forged or reused later."""

from __future__ import annotations

import io
import time
import zipfile

import httpx

from dispatchd.api import runs as runs_api


async def test_job_and_run_logs_redirect_to_short_lived_links(srv, monkeypatch):
    await srv.dispatch("acme/app", "ping", {"x": 1})
    [run] = await srv.wait_runs("acme/app", 1)
    [job] = await srv.jobs("acme/app", run["id"])
    r = await srv.http.get(f"/repos/acme/app/actions/jobs/{job['id']}/logs")
    assert r.status_code == 302
    link = r.headers["location"]
    assert link.startswith(f"{srv.base_url}/dispatchd/logs/")
    async with httpx.AsyncClient() as anonymous:  # no token needed for the link itself
        text = await anonymous.get(link)
        assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
        assert text.text == await srv.log("acme/app", job["id"])
        forged = await anonymous.get(link[:-4] + "0000")
        assert forged.status_code == 404
        zipped = await srv.http.get(f"/repos/acme/app/actions/runs/{run['id']}/logs", follow_redirects=True)
        assert zipped.status_code == 200
        names = zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()
        assert len(names) == 1 and names[0].startswith("1_")
        monkeypatch.setattr(time, "time", lambda real=time.time: real() + runs_api.LOG_LINK_SECONDS + 5)
        expired = await anonymous.get(link)
        assert expired.status_code == 410
