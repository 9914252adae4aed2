"""The 422 and 404 bodies every resource shares (api/validation.py), to the byte: clients print
``errors`` as it comes (Octokit: ``Validation Failed: {"resource":"Release","code":...}``), so
the order of its keys is part of the answer."""

from __future__ import annotations

import json

DOCS = "https://docs.github.com/rest"


def raw(message: str, doc: str, errors: list[dict[str, str]] | None = None) -> bytes:
    """The body GitHub's shape makes, keys in the order given."""
    status = "404" if message == "Not Found" else "422"
    body: dict[str, object] = {"message": message, "documentation_url": doc, "status": status}
    if errors:
        body["errors"] = errors
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


async def test_shared_bodies_to_the_byte(srv):
    http = srv.http
    issues_doc = f"{DOCS}/issues/issues#create-an-issue"
    r = await http.post("/repos/acme/app/issues", json={"title": ["é"]})
    assert (r.status_code, r.content) == (422, raw(
        "Invalid request.\n\nFor 'properties/title', [\"é\"] is not a string or integer.", issues_doc))
    r = await http.post("/repos/acme/app/issues", json={"title": "t", "body": "a\x00b"})
    assert r.content == raw("Validation Failed", issues_doc, [
        {"resource": "Issue", "field": "body", "code": "invalid", "message": "body contains a NUL character"}])
    r = await http.post("/repos/acme/app/issues", json={"title": "x" * 257})
    assert r.content == raw("Validation Failed", issues_doc, [
        {"resource": "Issue", "field": "title", "code": "custom",
         "message": "title is too long (maximum is 256 characters)"}])
    r = await http.get("/repos/acme/app/issues", params={"state": "sideways"})
    assert r.content == raw("Validation Failed", f"{DOCS}/issues/issues#list-repository-issues", [
        {"resource": "Issue", "code": "invalid", "field": "state/sort/direction"}])
    r = await http.get("/repos/acme/app/issues/7")
    assert (r.status_code, r.content) == (404, raw("Not Found", f"{DOCS}/issues/issues#get-an-issue"))

    # Release errors name the code before the field, as GitHub's do.
    releases_doc = f"{DOCS}/releases/releases#create-a-release"
    r = await http.post("/repos/acme/app/releases", json={"name": "no tag"})
    assert r.content == raw("Validation Failed", releases_doc, [
        {"resource": "Release", "code": "missing_field", "field": "tag_name"}])
    r = await http.post("/repos/acme/app/releases", json={"tag_name": "v1", "body": "x" * 125_001, "draft": "no"})
    assert r.content == raw("Invalid request.\n\nFor 'properties/draft', \"no\" is not a boolean.", releases_doc)

    # Statuses: the value shown as it was sent, non-ASCII kept; NUL is "invalid", as elsewhere.
    statuses_doc = f"{DOCS}/commits/statuses#create-a-commit-status"
    r = await http.post("/repos/acme/app/statuses/main", json={})
    assert r.content == raw("Invalid request.\n\n\"state\" wasn't supplied.", statuses_doc)
    r = await http.post("/repos/acme/app/statuses/main", json={"state": "réussi"})
    assert r.content == raw(
        "Invalid request.\n\nFor 'properties/state', \"réussi\" is not one of error, failure, pending, success.",
        statuses_doc)
    r = await http.post("/repos/acme/app/statuses/main", json={"state": "success", "context": "c\x00i"})
    assert r.content == raw("Validation Failed", statuses_doc, [
        {"resource": "Status", "field": "context", "code": "invalid", "message": "context contains a NUL character"}])

    # Reactions: a query parameter is named without "properties/".
    assert (await http.post("/repos/acme/app/issues", json={"title": "t"})).status_code == 201
    r = await http.get("/repos/acme/app/issues/1/reactions", params={"content": "tada"})
    assert r.content == raw(
        "Invalid request.\n\nFor 'content', \"tada\" is not a member of "
        "[\"+1\", \"-1\", \"laugh\", \"hooray\", \"confused\", \"heart\", \"rocket\", \"eyes\"].",
        f"{DOCS}/reactions/reactions#list-reactions-for-an-issue")

    # Webhooks and workflow dispatches answer in the same shapes.
    hooks_doc = f"{DOCS}/repos/webhooks"
    r = await http.post("/repos/acme/app/hooks", json={"config": "é"})
    assert r.content == raw("Invalid request.\n\nFor 'properties/config', \"é\" is not an object.", hooks_doc)
    r = await http.post("/repos/acme/app/hooks", json={"config": {"url": "ftp://x"}})
    assert r.content == raw("Validation Failed", hooks_doc, [
        {"resource": "Hook", "field": "url", "code": "custom", "message": "url is not a valid URL"}])
    r = await http.post("/repos/acme/app/actions/workflows/manual.yml/dispatches", json={"inputs": ["ü"], "x": 1})
    assert r.content == raw(
        "Invalid request.\n\n\"x\" is not a permitted key.\n\"ref\" wasn't supplied.\n"
        "For 'properties/inputs', [\"ü\"] is not an object.",
        f"{DOCS}/actions/workflows#create-a-workflow-dispatch-event")


async def test_check_run_strings(srv):
    """A check run's strings follow the same rules: NUL is ``invalid``, length is ``custom``."""
    assert (await srv.dispatch("acme/app", "ping")).status_code == 204
    run = (await srv.wait_runs("acme/app", 1))[0]
    job = (await srv.jobs("acme/app", run["id"]))[0]
    doc = f"{DOCS}/checks/runs#update-a-check-run"
    r = await srv.http.patch(f"/repos/acme/app/check-runs/{job['id']}", json={"output": {"title": "a\x00"}})
    assert (r.status_code, r.content) == (422, raw("Validation Failed", doc, [
        {"resource": "CheckRun", "field": "title", "code": "invalid", "message": "title contains a NUL character"}]))
    r = await srv.http.patch(f"/repos/acme/app/check-runs/{job['id']}", json={"name": "n" * 1025})
    assert r.content == raw("Validation Failed", doc, [
        {"resource": "CheckRun", "field": "name", "code": "custom",
         "message": "name is too long (maximum is 1024 characters)"}])
    r = await srv.http.patch(f"/repos/acme/app/check-runs/{job['id']}", json={"status": "done"})
    assert r.content == raw(
        "Invalid request.\n\nFor 'properties/status', \"done\" is not one of queued, in_progress, completed.", doc)
    r = await srv.http.get("/repos/acme/app/check-runs/424242")
    assert (r.status_code, r.content) == (404, raw("Not Found", f"{DOCS}/checks/runs#get-a-check-run"))
