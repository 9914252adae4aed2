"""Outgoing webhooks: workflow_run and workflow_job deliveries with GitHub's headers and
signature, retried on failure, recorded, and re-deliverable."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from typing import Any, Self

import pytest
from fixtures_server import free_port
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dispatchd.store.schema import webhooks
from dispatchd.store.secrets import SecretBox
from dispatchd.webhooks import WebhookService, signature_256


def test_signature_matches_githubs_test_vector():
    # docs "Validating webhook deliveries"
    assert signature_256("It's a Secret to Everybody", b"Hello, World!") == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")


class Receiver:
    """A real HTTP server on 127.0.0.1 that records what it receives; the first ``fail_first``
    requests get a 500."""

    def __init__(self, fail_first: int = 0) -> None:
        self.received: list[dict[str, Any]] = []
        self.fail_first = fail_first
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        self.received.append({"headers": dict(request.headers), "body": body})
        if len(self.received) <= self.fail_first:
            return Response("nope", status_code=500)
        return Response("ok")

    async def __aenter__(self) -> Self:
        import uvicorn

        app = Starlette(routes=[Route("/hook", self.handle, methods=["POST"])])
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        await self.task

    def events(self) -> list[tuple[str, str, str]]:
        out = []
        for r in self.received:
            body = json.loads(r["body"])
            obj = body.get("workflow_run") or body.get("workflow_job")
            out.append((r["headers"]["x-github-event"], body["action"], obj["name"]))
        return out


async def wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def test_a_hook_secret_is_opened_to_sign_and_an_older_clear_one_still_signs():
    box = SecretBox("admin-token")
    service = WebhookService(None, {}, "http://x", secret_box=box)  # type: ignore[arg-type]
    assert service._secret(box.seal("s3cret")) == "s3cret"
    assert service._secret("written-before-sealing") == "written-before-sealing"
    assert service._secret(None) is None


async def test_run_and_job_events_are_delivered_signed_and_recorded(srv):
    async with Receiver() as receiver:
        r = await srv.http.post("/repos/acme/app/hooks", json={
            "name": "web", "config": {"url": receiver.url, "content_type": "json", "secret": "s3cret"},
            "events": ["workflow_run", "workflow_job"]})
        assert r.status_code == 201, r.text
        hook = r.json()
        assert hook["config"] == {"url": receiver.url, "content_type": "json", "insecure_ssl": "0", "secret": "********"}
        assert hook["events"] == ["workflow_run", "workflow_job"] and hook["active"] is True
        # At rest the secret is sealed, not as given.
        stored = await srv.server.engine.db.read(
            lambda c: c.execute(select(webhooks.c.secret).where(webhooks.c.id == hook["id"])).scalar_one())
        assert stored and "s3cret" not in stored and srv.server.engine.secret_box.open(stored) == "s3cret"
        await srv.dispatch("acme/app", "ping", {"n": 1})
        await srv.wait_runs("acme/app", 1)
        await wait_for(lambda: len(receiver.received) >= 6)
        await asyncio.sleep(0.5)  # nothing more arrives
        events = receiver.events()
        assert len(events) == 6
        runs = [e for e in events if e[0] == "workflow_run"]
        jobs = [e for e in events if e[0] == "workflow_job"]
        assert runs == [("workflow_run", a, "ping") for a in ("requested", "in_progress", "completed")]
        assert jobs == [("workflow_job", a, "one") for a in ("queued", "in_progress", "completed")]
        guids = set()
        for r in receiver.received:
            h = r["headers"]
            assert h["x-hub-signature-256"] == "sha256=" + hmac.new(b"s3cret", r["body"], hashlib.sha256).hexdigest()
            assert h["user-agent"].startswith("GitHub-Hookshot/")
            assert h["x-github-hook-id"] == str(hook["id"]) and h["content-type"] == "application/json"
            assert h["x-github-hook-installation-target-type"] == "repository"
            guids.add(h["x-github-delivery"])
        assert len(guids) == 6
        completed = json.loads(receiver.received[[e[1] for e in events].index("completed")]["body"])
        assert completed["repository"]["full_name"] == "acme/app"
        last_run = json.loads(next(r["body"] for r, e in zip(receiver.received, events, strict=True)
                                   if e == ("workflow_run", "completed", "ping")))
        assert last_run["workflow_run"]["conclusion"] == "success" and last_run["workflow"]["path"].endswith("ping.yml")

        deliveries = (await srv.http.get(f"/repos/acme/app/hooks/{hook['id']}/deliveries")).json()
        assert len(deliveries) == 6 and all(d["status_code"] == 200 and d["status"] == "OK" for d in deliveries)
        assert {d["guid"] for d in deliveries} == guids
        one = deliveries[-1]
        detail = (await srv.http.get(f"/repos/acme/app/hooks/{hook['id']}/deliveries/{one['id']}")).json()
        assert detail["request"]["headers"]["X-GitHub-Delivery"] == one["guid"]
        assert detail["request"]["payload"]["action"] == one["action"]
        assert detail["response"]["payload"] == "ok"

        # Redelivery: the same GUID and body, marked as a redelivery.
        r = await srv.http.post(f"/repos/acme/app/hooks/{hook['id']}/deliveries/{one['id']}/attempts")
        assert r.status_code == 202
        await wait_for(lambda: len(receiver.received) == 7)
        again = receiver.received[-1]
        assert again["headers"]["x-github-delivery"] == one["guid"]
        first = next(r for r in receiver.received if r["headers"]["x-github-delivery"] == one["guid"])
        assert again["body"] == first["body"]
        newest = (await srv.http.get(f"/repos/acme/app/hooks/{hook['id']}/deliveries")).json()[0]
        assert newest["redelivery"] is True and newest["guid"] == one["guid"]

        # A re-run is a new attempt of the same run: its run and job events are delivered too.
        run_id = json.loads(receiver.received[0]["body"])["workflow_run"]["id"] if events[0][0] == "workflow_run" \
            else json.loads(receiver.received[0]["body"])["workflow_job"]["run_id"]
        assert (await srv.http.post(f"/repos/acme/app/actions/runs/{run_id}/rerun")).status_code == 201
        await wait_for(lambda: len(receiver.received) == 13)
        rerun = [json.loads(r["body"]) for r in receiver.received[7:]]
        assert sorted((b["action"], (b.get("workflow_run") or b.get("workflow_job"))["run_attempt"]) for b in rerun) == [
            ("completed", 2), ("completed", 2), ("in_progress", 2), ("in_progress", 2), ("queued", 2), ("requested", 2)]


async def test_failed_deliveries_are_retried_with_backoff_then_given_up(srv):
    srv.server.app.state.webhooks.retry_delays = (0.2, 0.4)
    async with Receiver(fail_first=100) as receiver:
        hook = (await srv.http.post("/repos/acme/app/hooks", json={
            "config": {"url": receiver.url}, "events": ["workflow_run"]})).json()
        await srv.dispatch("acme/app", "ping")
        await srv.wait_runs("acme/app", 1)
        await wait_for(lambda: len(receiver.received) >= 9)  # 3 events x (1 + 2 retries)
        await asyncio.sleep(1.0)
        assert len(receiver.received) == 9
        by_guid: dict[str, list[float]] = {}
        for r in receiver.received:
            by_guid.setdefault(r["headers"]["x-github-delivery"], []).append(0)
        assert sorted(len(v) for v in by_guid.values()) == [3, 3, 3]
        assert "x-hub-signature-256" not in receiver.received[0]["headers"]  # no secret, no signature
        deliveries = (await srv.http.get(f"/repos/acme/app/hooks/{hook['id']}/deliveries")).json()
        assert [(d["state"], d["attempts"], d["status_code"], d["status"]) for d in deliveries] == [
            ("failed", 3, 500, "Invalid HTTP Response: 500")] * 3


async def test_a_receiver_that_comes_back_gets_the_retry(srv):
    srv.server.app.state.webhooks.retry_delays = (0.2,)
    async with Receiver(fail_first=1) as receiver:
        hook = (await srv.http.post("/repos/acme/app/hooks", json={
            "config": {"url": receiver.url, "secret": "k"}, "events": ["workflow_run"]})).json()
        await srv.dispatch("acme/app", "ping")
        await srv.wait_runs("acme/app", 1)
        await wait_for(lambda: len(receiver.received) >= 4)
        failed_guid = receiver.received[0]["headers"]["x-github-delivery"]
        sent = [r for r in receiver.received if r["headers"]["x-github-delivery"] == failed_guid]
        assert len(sent) == 2 and sent[0]["body"] == sent[1]["body"]
        assert sent[1]["headers"]["x-hub-signature-256"] == sent[0]["headers"]["x-hub-signature-256"]
        deliveries = (await srv.http.get(f"/repos/acme/app/hooks/{hook['id']}/deliveries")).json()
        assert sorted((d["state"], d["attempts"]) for d in deliveries) == [
            ("delivered", 1), ("delivered", 1), ("delivered", 2)]


@pytest.mark.parametrize("body", [
    {"config": {"url": "ftp://x"}}, {"config": {"url": 5}}, {"config": "x"}, {},
    {"config": {"url": "http://127.0.0.1/x"}, "events": ["nope"]},
    {"config": {"url": "http://127.0.0.1/x", "content_type": "xml"}},
])
async def test_hook_validation(srv, body):
    r = await srv.http.post("/repos/acme/app/hooks", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["status"] == "422"


async def test_hook_update_list_delete(srv):
    hook = (await srv.http.post("/repos/acme/app/hooks", json={"config": {"url": "http://127.0.0.1:9/x"}})).json()
    assert hook["events"] == ["workflow_run", "workflow_job"]
    r = await srv.http.patch(f"/repos/acme/app/hooks/{hook['id']}", json={"active": False, "events": ["*"]})
    assert r.json()["active"] is False and r.json()["events"] == ["*"]
    assert [h["id"] for h in (await srv.http.get("/repos/acme/app/hooks")).json()] == [hook["id"]]
    assert (await srv.http.get("/repos/acme/other/hooks")).json() == []
    assert (await srv.http.get(f"/repos/acme/other/hooks/{hook['id']}")).status_code == 404
    assert (await srv.http.delete(f"/repos/acme/app/hooks/{hook['id']}")).status_code == 204
    assert (await srv.http.get(f"/repos/acme/app/hooks/{hook['id']}")).status_code == 404


@pytest.mark.parametrize("url", ["http://[::1", "http://host:port/x", "http://" + "a" * 3000, "http:///x"])
async def test_malformed_hook_urls_are_422(srv, url):
    r = await srv.http.post("/repos/acme/app/hooks", json={"config": {"url": url}})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "url"


async def test_pending_deliveries_survive_a_restart(start_server, make_git_repo, tmp_path):
    from api_support import PING
    from fixtures_server import free_database_url_or_none

    repo = make_git_repo({".github/workflows/ping.yml": PING})
    db_url = free_database_url_or_none() or f"sqlite:///{tmp_path / 'shared.db'}"
    receiver = Receiver()
    first = await start_server([f"acme/app={repo}"], db_url=db_url)
    first.server.app.state.webhooks.retry_delays = (0.5,) * 20
    hook = (await first.http.post("/repos/acme/app/hooks", json={
        "config": {"url": receiver.url, "secret": "k"}, "events": ["workflow_run"]})).json()
    await first.dispatch("acme/app", "ping")
    await first.wait_runs("acme/app", 1)
    url = f"/repos/acme/app/hooks/{hook['id']}/deliveries"
    deadline = time.monotonic() + 20
    while True:  # the receiver is down: every delivery has failed at least once
        deliveries = (await first.http.get(url)).json()
        if len(deliveries) == 3 and all(d["attempts"] >= 1 for d in deliveries):
            break
        assert time.monotonic() < deadline, deliveries
        await asyncio.sleep(0.1)
    assert {d["state"] for d in deliveries} == {"pending"}
    assert {d["status_code"] for d in deliveries} == {0}
    await first.server.stop()

    async with receiver:
        second = await start_server([f"acme/app={repo}"], db_url=db_url)
        await wait_for(lambda: len(receiver.received) == 3)
        assert {r["headers"]["x-github-delivery"] for r in receiver.received} == {d["guid"] for d in deliveries}
        for r in receiver.received:
            assert r["headers"]["x-hub-signature-256"] == signature_256("k", r["body"])
        await asyncio.sleep(0.5)
        assert len(receiver.received) == 3  # nothing emitted twice after the restart
        after = (await second.http.get(url)).json()
        assert {d["state"] for d in after} == {"delivered"}


async def test_events_that_are_not_names_are_422(srv):
    r = await srv.http.post("/repos/acme/app/hooks", json={"config": {"url": "http://127.0.0.1:9/x"},
                                                            "events": [{"a": 1}]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "events"
