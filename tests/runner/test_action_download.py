"""Repository actions fetched from GitHub's tarball URL into the download cache (a local HTTP
server stands in for GitHub: the same path, a tarball with GitHub's top folder)."""

from __future__ import annotations

import io
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ACTION = """\
name: hello
inputs:
  who:
    default: world
runs:
  using: composite
  steps:
    - run: echo "hello ${{ inputs.who }} from a downloaded action"
      shell: bash
"""


def tarball(files: dict[str, str], top: str = "acme-hello-0123abc") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def fake_github():
    served: dict[str, bytes] = {}
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            requests.append(self.path)
            body = served.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", served, requests
    server.shutdown()
    server.server_close()


async def test_downloaded_once_then_run_from_the_cache(run, fake_github, tmp_path: Path):
    base, served, requests = fake_github
    served["/repos/acme/hello/tarball/v1"] = tarball({"action.yml": ACTION})
    env = {"PATH": "/usr/bin:/bin", "DISPATCHD_ACTIONS_DOWNLOAD_URL": base,
           "DISPATCHD_ACTIONS_CACHE": str(tmp_path / "cache")}
    steps = [{"uses": "acme/hello@v1", "with": {"who": "dispatchd"}}]
    for _ in range(2):
        result, reporter = await run(steps, env_base=dict(env))
        assert result.conclusion == "success", reporter.text
        assert "hello dispatchd from a downloaded action" in reporter.text
    assert requests == ["/repos/acme/hello/tarball/v1"]  # the second job used the cache
    assert (tmp_path / "cache" / "acme" / "hello@v1" / "action.yml").is_file()


async def test_a_failed_download_names_what_was_tried(run, fake_github, tmp_path: Path):
    base, _, _ = fake_github
    env = {"PATH": "/usr/bin:/bin", "DISPATCHD_ACTIONS_DOWNLOAD_URL": base,
           "DISPATCHD_ACTIONS_CACHE": str(tmp_path / "cache")}
    result, reporter = await run([{"uses": "acme/missing@v2"}], env_base=env)
    assert result.conclusion == "failure"
    assert "Unable to resolve action 'acme/missing@v2'" in reporter.text
    assert f"the download failed: GET {base}/repos/acme/missing/tarball/v2: 404" in reporter.text


async def test_an_archive_escaping_its_folder_is_refused(run, fake_github, tmp_path: Path):
    base, served, _ = fake_github
    served["/repos/acme/evil/tarball/v1"] = tarball({"action.yml": ACTION, "../../escape.txt": "x"}, top="t")
    env = {"PATH": "/usr/bin:/bin", "DISPATCHD_ACTIONS_DOWNLOAD_URL": base,
           "DISPATCHD_ACTIONS_CACHE": str(tmp_path / "cache")}
    result, reporter = await run([{"uses": "acme/evil@v1"}], env_base=env)
    assert result.conclusion == "failure"
    assert "not a usable tar archive" in reporter.text
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path / "cache" / "escape.txt").exists()
