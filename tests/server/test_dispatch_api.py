"""POST /repos/{owner}/{repo}/dispatches: GitHub's validation, status codes and error bodies."""

from __future__ import annotations

import asyncio
import subprocess

import pytest

WORKFLOW = """\
on:
  repository_dispatch:
    types: [ping]
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - run: echo "pong ${{ github.event.client_payload.n }}"
"""

DOC = "https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event"


@pytest.fixture
async def srv(start_server, make_git_repo):
    repo = make_git_repo({".github/workflows/ping.yml": WORKFLOW})
    return await start_server([f"acme/app={repo}"])


async def test_accepted_dispatch_is_204_with_empty_body(srv):
    r = await srv.dispatch("acme/app", "ping", {"n": 1})
    assert r.status_code == 204
    assert r.content == b""
    assert r.headers["x-github-request-id"]


async def test_both_authorization_schemes_are_accepted(srv):
    for header in ("Bearer test-admin-token", "token test-admin-token", "BEARER test-admin-token"):
        r = await srv.http.post("/repos/acme/app/dispatches", json={"event_type": "ping"},
                                headers={"Authorization": header})
        assert r.status_code == 204, header


async def test_missing_and_bad_tokens_are_401(srv):
    r = await srv.http.post("/repos/acme/app/dispatches", json={"event_type": "ping"},
                            headers={"Authorization": ""})
    assert r.status_code == 401
    assert r.json() == {"message": "Requires authentication", "documentation_url": "https://docs.github.com/rest",
                        "status": "401"}
    r = await srv.http.post("/repos/acme/app/dispatches", json={"event_type": "ping"},
                            headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert r.json()["message"] == "Bad credentials"


async def test_unknown_repository_is_404(srv):
    r = await srv.dispatch("acme/other", "ping")
    assert r.status_code == 404
    assert r.json() == {"message": "Not Found", "documentation_url": DOC, "status": "404"}


async def test_repository_names_are_case_insensitive(srv):
    assert (await srv.dispatch("ACME/App", "ping")).status_code == 204


async def test_percent_encoded_path_names_the_same_repository(srv):
    r = await srv.http.post("/repos/%61cme/ap%70/dispatches", json={"event_type": "ping"})
    assert r.status_code == 204
    r = await srv.http.post("/repos/acme/ap%2Fp/dispatches", json={"event_type": "ping"})
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{not json", 400, "Problems parsing JSON"),
        (b"\xff\xfe{}", 400, "Problems parsing JSON"),
        (b"[1, 2]", 400, "Body should be a JSON object"),
        (b'"ping"', 400, "Body should be a JSON object"),
        (b"", 400, "Body should be a JSON object"),
        (b"{}", 422, "Invalid request.\n\n\"event_type\" wasn't supplied."),
        (b'{"event_type": 5}', 422, "Invalid request.\n\nFor 'properties/event_type', 5 is not a string."),
        (b'{"event_type": ""}', 422, "Invalid request.\n\nevent_type can't be blank."),
        (b'{"event_type": "' + b"x" * 101 + b'"}', 422,
         "Invalid request.\n\nevent_type is too long (maximum is 100 characters)."),
        (b'{"event_type": "ping", "client_payload": "x"}', 422,
         "Invalid request.\n\nFor 'properties/client_payload', \"x\" is not an object."),
        (b'{"event_type": "ping", "client_payload": [1]}', 422,
         "Invalid request.\n\nFor 'properties/client_payload', [1] is not an object."),
        (b'{"event_type": "ping", "ref": "main"}', 422, 'Invalid request.\n\n"ref" is not a permitted key.'),
        (b'{"action": 1, "id": 2}', 422,
         'Invalid request.\n\n"action", "id" are not permitted keys.\n"event_type" wasn\'t supplied.'),
    ],
)
async def test_malformed_bodies_get_githubs_errors(srv, body, status, message):
    r = await srv.http.post("/repos/acme/app/dispatches", content=body,
                            headers={"Content-Type": "application/json"})
    assert r.status_code == status
    assert r.json() == {"message": message, "documentation_url": DOC, "status": str(status)}


async def test_event_type_of_exactly_100_characters_is_accepted(srv):
    assert (await srv.dispatch("acme/app", "x" * 100)).status_code == 204


async def test_client_payload_property_limit(srv):
    assert (await srv.dispatch("acme/app", "ping", {f"k{i}": i for i in range(10)})).status_code == 204
    r = await srv.dispatch("acme/app", "ping", {f"k{i}": i for i in range(11)})
    assert r.status_code == 422
    assert r.json()["message"] == "Invalid request.\n\nNo more than 10 properties are allowed; 11 were supplied."


async def test_client_payload_size_limit(srv):
    # 65,535 characters serialized is the limit; nesting below the top level is free.
    r = await srv.dispatch("acme/app", "ping", {"blob": "x" * 70_000})
    assert r.status_code == 422
    assert r.json()["message"] == "client_payload is too large."
    assert (await srv.dispatch("acme/app", "ping", {"blob": "x" * 60_000})).status_code == 204


async def test_deep_nesting_is_a_json_problem_not_a_500(srv):
    body = b'{"event_type": "ping", "client_payload": {"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    r = await srv.http.post("/repos/acme/app/dispatches", content=body)
    assert r.status_code in (400, 413)
    assert "message" in r.json()


async def test_wrong_method_is_404_as_on_github(srv):
    r = await srv.http.put("/repos/acme/app/dispatches", json={"event_type": "ping"})
    assert r.status_code == 404
    assert r.json()["message"] == "Not Found"


async def test_get_repository(srv):
    r = await srv.http.get("/repos/acme/app")
    assert r.status_code == 200
    data = r.json()
    assert data["full_name"] == "acme/app"
    assert data["default_branch"] == "main"
    assert data["owner"]["login"] == "acme"


async def test_dispatches_decided_together_run_the_head_of_their_moment(start_server, make_git_repo):
    # Concurrent dispatches are stored and decided in one transaction, which reads the default
    # branch's head once; a commit after they were acknowledged is what the next dispatch runs.
    repo = make_git_repo({".github/workflows/ping.yml": WORKFLOW})
    srv = await start_server([f"acme/app={repo}"])

    def head() -> str:
        return subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True,
                              text=True).stdout.strip()

    first = head()
    answers = await asyncio.gather(*(srv.dispatch("acme/app", "ping", {"n": n}) for n in range(20)))
    assert [r.status_code for r in answers] == [204] * 20
    make_git_repo({".github/workflows/ping.yml": WORKFLOW.replace("pong", "PONG")}, repo)
    second = head()
    assert (await srv.dispatch("acme/app", "ping", {"n": 99})).status_code == 204
    runs = await srv.wait_runs("acme/app", 21)
    assert sorted(r["head_sha"] for r in runs) == sorted([first] * 20 + [second])
    [last] = [r for r in runs if r["head_sha"] == second]
    [job] = await srv.jobs("acme/app", last["id"])
    assert "PONG 99" in await srv.log("acme/app", job["id"])
