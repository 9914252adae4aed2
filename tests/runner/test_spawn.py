"""Both ways of starting a step process behave the same (the memoised fork_exec path and Popen)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dispatchd.runner import spawn


@pytest.fixture(params=["fast", "popen"])
def mode(request, monkeypatch):
    if request.param == "popen":
        monkeypatch.setattr(spawn, "_FAST", False)
    elif not spawn._FAST:
        pytest.skip("this Python has no known fork_exec call shape")
    return request.param


def run(argv: list[str], cwd: str, env: dict[str, str]) -> tuple[int, bytes]:
    read_fd, write_fd = os.pipe()
    try:
        child = spawn.start(argv, cwd, env, write_fd)
    finally:
        os.close(write_fd)
    chunks = []
    while chunk := os.read(read_fd, 65536):
        chunks.append(chunk)
    os.close(read_fd)
    return child.wait(), b"".join(chunks)


def test_env_cwd_session_and_merged_output(mode: str, tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "ANV": "wert ü", "EMPTY": ""}
    code, out = run(
        [
            "sh",
            "-c",
            (
                'echo "$ANV|$EMPTY|$(pwd)|$(ps -o sid= -p $$ | tr -d " ")"; echo err >&2; '
                "read x; echo stdin=$?; exit 3"
            ),
        ],
        str(tmp_path),
        env,
    )
    value, empty, cwd, sid = out.decode().splitlines()[0].split("|")
    assert (value, empty, cwd) == ("wert ü", "", str(tmp_path))
    assert out.decode().splitlines()[1:] == ["err", "stdin=1"]
    assert code == 3
    assert sid and int(sid) != os.getsid(0)


def test_killed_by_signal_is_negative(mode: str, tmp_path: Path) -> None:
    code, _ = run(["sh", "-c", "kill -9 $$"], str(tmp_path), {"PATH": os.environ["PATH"]})
    assert code == -9


def test_missing_directory_and_program(mode: str, tmp_path: Path) -> None:
    with pytest.raises(spawn.StartError) as info:
        run(["sh", "-c", "true"], str(tmp_path / "nope"), {"PATH": os.environ["PATH"]})
    assert info.value.errno == 2 and info.value.in_chdir
    with pytest.raises(spawn.StartError) as info:
        run([str(tmp_path / "no-such-program")], str(tmp_path), {})
    assert info.value.errno == 2 and not info.value.in_chdir


def test_bad_variable_name(mode: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        run(["true"], str(tmp_path), {"A=B": "x", "PATH": os.environ["PATH"]})
