"""Hostile and malformed requests, each answered with a 4xx and GitHub's error body while
other clients keep dispatching; afterwards every accepted event has run.

The malformed requests go over raw sockets where an HTTP client would refuse to send them
(invalid UTF-8 in a body is fine for httpx; a slow body or an encoded path is not).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fixtures_server import TOKEN

GOOD_CLIENTS = 4


async def raw_request(port: int, head: str, body: bytes = b"", *, slow: float = 0.0,
                      timeout: float = 20.0) -> tuple[int, dict[str, Any]]:
    """Send ``head`` (request line and headers, without the final blank line) and ``body``;
    with ``slow`` seconds between bytes of the body. Returns ``(status, JSON body)``.

    The answer is read while the body is still being sent: a server refusing a body early
    (413, 408) answers and closes before the client is done."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received = bytearray()

    async def read() -> None:
        try:
            while chunk := await reader.read(65536):
                received.extend(chunk)
        except ConnectionResetError:
            pass

    reading = asyncio.create_task(read())
    try:
        writer.write(head.encode("latin-1") + b"\r\n\r\n")
        if slow:
            for b in body:
                if received:
                    break
                writer.write(bytes([b]))
                await writer.drain()
                await asyncio.sleep(slow)
        else:
            for i in range(0, len(body), 65536):
                if received:
                    break
                writer.write(body[i:i + 65536])
                await writer.drain()
    except (ConnectionResetError, BrokenPipeError):
        pass
    await asyncio.wait_for(reading, timeout)
    writer.close()
    head_part, _, payload = bytes(received).partition(b"\r\n\r\n")
    status = int(head_part.split(b" ", 2)[1])
    return status, json.loads(payload) if payload else {}


def post(path: str, body: bytes, extra: str = "") -> tuple[str, bytes]:
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close{extra}")
    return head, body


DISPATCH = "/repos/acme/app/dispatches"
BAD: list[tuple[str, tuple[str, bytes], int, str]] = [
    ("invalid JSON", post(DISPATCH, b'{"event_type": "ping",'), 400, "Problems parsing JSON"),
    ("payload as a string", post(DISPATCH, b'{"event_type": "ping", "client_payload": "x"}'), 422,
     "Invalid request.\n\nFor 'properties/client_payload', \"x\" is not an object."),
    ("event_type as a number", post(DISPATCH, b'{"event_type": 7}'), 422,
     "Invalid request.\n\nFor 'properties/event_type', 7 is not a string."),
    ("too many payload keys", post(DISPATCH, json.dumps(
        {"event_type": "ping", "client_payload": {f"k{i}": i for i in range(11)}}).encode()), 422,
     "Invalid request.\n\nNo more than 10 properties are allowed; 11 were supplied."),
    ("oversized body", post(DISPATCH, b'{"event_type": "ping", "client_payload": {"a": "' + b"x" * 2_000_000 + b'"}}'),
     413, "Payload too large"),
    ("deep nesting", post(DISPATCH, b'{"event_type": "ping", "client_payload": {"a": ' + b"[" * 50_000
                          + b"]" * 50_000 + b"}}"), 400, "Problems parsing JSON"),
    ("invalid UTF-8", post(DISPATCH, b'{"event_type": "p\xff\xfeng"}'), 400, "Problems parsing JSON"),
    ("NUL escaped in a string", post(DISPATCH, b'{"event_type": "pi\\u0000ng"}'), 422,
     "Invalid request.\n\nevent_type contains a NUL character."),
    ("NUL escaped in the payload", post(DISPATCH, b'{"event_type": "ping", "client_payload": {"a": "\\u0000"}}'),
     422, "Invalid request.\n\nclient_payload contains a NUL character."),
    ("raw NUL byte", post(DISPATCH, b'{"event_type": "pi\x00ng"}'), 400, "Problems parsing JSON"),
    ("huge headers", post(DISPATCH, b'{"event_type": "ping"}', "\r\nX-Padding: " + "a" * 1_000_000), 431,
     "Request Header Fields Too Large"),
    ("unknown fields", post(DISPATCH, b'{"event_type": "ping", "ref": "main"}'), 422,
     'Invalid request.\n\n"ref" is not a permitted key.'),
    ("unknown repository", post("/repos/acme/nothing/dispatches", b'{"event_type": "ping"}'), 404, "Not Found"),
    ("path traversal, encoded", post("/repos/acme/..%2F..%2Fetc%2Fpasswd/dispatches", b'{"event_type": "ping"}'),
     404, "Not Found"),
    ("path traversal, plain", post("/repos/acme/app/../other/dispatches", b'{"event_type": "ping"}'), 404,
     "Not Found"),
    ("path traversal in a workflow name", post("/repos/acme/app/actions/workflows/..%2F..%2Fping.yml/dispatches",
                                                b'{"ref": "main"}'), 404, "Not Found"),
    ("a name that is not UTF-8", post("/repos/acme/%ff%fe/dispatches", b'{"event_type": "ping"}'), 404, "Not Found"),
    ("body that is not an object", post(DISPATCH, b"[]"), 400, "Body should be a JSON object"),
]


async def test_bad_input_is_4xx_while_good_clients_keep_dispatching(srv):
    srv.server.app.state.limits.body_timeout = 1.0
    port = int(srv.base_url.rsplit(":", 1)[1])
    stop = asyncio.Event()
    accepted = 0
    refused: list[int] = []

    async def good_client(n: int) -> None:
        nonlocal accepted
        i = 0
        while not stop.is_set():
            r = await srv.dispatch("acme/app", "ping", {"n": f"{n}-{i}"})
            if r.status_code == 204:
                accepted += 1
            else:
                refused.append(r.status_code)
            i += 1
            await asyncio.sleep(0.01)

    async def slow_body() -> tuple[int, dict[str, Any]]:
        head, body = post(DISPATCH, b'{"event_type": "ping", "client_payload": {"slow": true}}')
        return await raw_request(port, head, body, slow=0.2)

    async def slow_headers() -> None:
        # A client that never finishes its headers holds a connection, and nothing else.
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /repos/acme/app/dispatches HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        await writer.drain()
        await stop.wait()
        writer.close()

    clients = [asyncio.create_task(good_client(n)) for n in range(GOOD_CLIENTS)]
    holder = asyncio.create_task(slow_headers())
    try:
        for name, (head, body), status, message in BAD:
            got, data = await raw_request(port, head, body)
            assert got == status, f"{name}: {got} {data}"
            assert data["message"] == message, name
            assert data["status"] == str(status) and data["documentation_url"].startswith("https://docs.github.com/rest")
        got, data = await slow_body()
        assert got == 408 and data["message"] == "Request timeout"
        before = accepted
        await asyncio.sleep(0.5)
        assert accepted > before, "good clients were starved"
    finally:
        stop.set()
        await asyncio.gather(*clients, holder)
    assert refused == []
    assert accepted > 20
    # Every accepted event ran: one run each of the ping workflow, all successful.
    deadline = asyncio.get_running_loop().time() + 120
    while True:
        done = (await srv.http.get("/repos/acme/app/actions/runs", params={"status": "completed"})).json()
        if done["total_count"] >= accepted or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.1)
    everything = (await srv.http.get("/repos/acme/app/actions/runs", params={"per_page": 1})).json()
    succeeded = (await srv.http.get("/repos/acme/app/actions/runs", params={"status": "success"})).json()
    assert everything["total_count"] == done["total_count"] == succeeded["total_count"] == accepted
    assert everything["workflow_runs"][0]["run_number"] == accepted


async def test_nul_in_query_filters_matches_nothing(srv):
    await srv.dispatch("acme/app", "ping")
    await srv.wait_runs("acme/app", 1)
    for params in ({"event": "a\x00b"}, {"status": "\x00"}, {"branch": "main\x00"}):
        r = await srv.http.get("/repos/acme/app/actions/runs", params=params)
        assert r.status_code == 200 and r.json() == {"total_count": 0, "workflow_runs": []}, params
    r = await srv.http.get("/repos/acme/app/issues", params={"creator": "a\x00"})
    assert r.status_code == 200 and r.json() == []
