"""Start a step process cheaply: new session, stdout and stderr on one pipe, stdin from /dev/null.

``subprocess.Popen`` spends most of a trivial step's parent-side CPU time encoding the
environment, one ``os.fsencode`` call per name and per value (~150 variables for a step). Here
the encoded ``NAME=value`` entries are memoised, and the child is started with the same
primitive Popen uses (``_posixsubprocess.fork_exec``, vfork + exec) when its call shape is the one
this module knows (CPython 3.11/3.12); otherwise, or if that call is refused, Popen is used.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from typing import Protocol

try:  # CPython's private primitive behind subprocess.Popen on POSIX.
    import _posixsubprocess

    _FAST = sys.version_info[:2] in ((3, 11), (3, 12))
except ImportError:  # pragma: no cover - non-CPython
    _FAST = False

#: The memo of encoded environment entries is dropped when it grows past this many.
MAX_ENCODED = 8192
_encoded: dict[tuple[str, str], bytes] = {}
_devnull: int | None = None


class StartError(OSError):
    """The process could not start; ``in_chdir`` tells that the working directory was the cause."""

    def __init__(self, code: int, message: str, in_chdir: bool) -> None:
        super().__init__(code, message)
        self.in_chdir = in_chdir


class Child(Protocol):
    pid: int

    def poll(self) -> int | None: ...

    def wait(self) -> int: ...


class _Forked:
    """A started child known by pid; exit codes as Popen gives them (``-N`` for signal N)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self) -> int:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode


def _encode(item: tuple[str, str]) -> bytes:
    name = os.fsencode(item[0])
    if b"=" in name or b"\0" in name:
        raise ValueError(f"illegal environment variable name {item[0]!r}")
    entry = name + b"=" + os.fsencode(item[1])
    _encoded[item] = entry
    return entry


def encode_env(env: dict[str, str]) -> list[bytes]:
    """``NAME=value`` entries as the OS takes them (memoised; raises ValueError for ``=`` in a name)."""
    if len(_encoded) > MAX_ENCODED:
        _encoded.clear()
    get = _encoded.get
    return [get(item) or _encode(item) for item in env.items()]


def _stdin() -> int:
    global _devnull
    if _devnull is None:
        _devnull = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    return _devnull


def _fork_exec(argv: Sequence[str], cwd: str, env: dict[str, str], out_fd: int) -> _Forked:
    program = argv[0]
    if not os.path.dirname(program):
        found = shutil.which(program, path=env.get("PATH", os.defpath))
        if found is None:
            raise StartError(errno.ENOENT, os.strerror(errno.ENOENT), False)
        program = found
    err_read, err_write = os.pipe()
    try:
        try:
            # Arguments in CPython 3.11/3.12 order (subprocess.Popen._execute_child).
            pid = _posixsubprocess.fork_exec(
                [os.fsencode(a) for a in argv],  # args
                (os.fsencode(program),),  # executable_list
                True,  # close_fds
                (err_write,),  # fds_to_keep
                cwd,
                encode_env(env),
                _stdin(),  # p2cread
                -1,  # p2cwrite
                -1,  # c2pread
                out_fd,  # c2pwrite
                -1,  # errread
                out_fd,  # errwrite
                err_read,  # errpipe_read
                err_write,  # errpipe_write
                True,  # restore_signals
                True,  # call_setsid (start_new_session)
                -1,  # pgid_to_set
                None,  # gid
                None,  # extra_groups
                None,  # uid
                -1,  # child_umask
                None,  # type: ignore[arg-type]  # preexec_fn: None is accepted at run time
                True,  # allow_vfork
            )
        finally:
            os.close(err_write)
        data = b""
        while True:
            part = os.read(err_read, 50000)
            if not part:
                break
            data += part
    finally:
        os.close(err_read)
    if data:
        os.waitpid(pid, 0)
        # Popen's format: "ExceptionName:hex errno:text"; text "noexec…" means the child failed
        # before exec (changing to the working directory), otherwise exec itself failed.
        _name, hex_errno, message = data.decode(errors="replace").split(":", 2)
        code = int(hex_errno, 16)
        raise StartError(code, os.strerror(code), message.startswith("noexec"))
    return _Forked(pid)


def start(argv: Sequence[str], cwd: str, env: dict[str, str], out_fd: int) -> Child:
    """Start ``argv`` in ``cwd`` with exactly ``env``, in a new session, stdout and stderr to
    ``out_fd``, stdin from /dev/null.

    Raises:
        StartError (an OSError): the program or the working directory is missing or not usable.
    """
    global _FAST
    if _FAST:
        try:
            return _fork_exec(argv, cwd, env, out_fd)
        except TypeError:
            # The private primitive changed shape in this Python; use the public API from now on.
            _FAST = False
    try:
        return subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out_fd,
            stderr=out_fd,
            cwd=cwd,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as error:
        in_chdir = error.filename == cwd and not os.path.isdir(cwd)
        raise StartError(error.errno or 0, error.strerror or str(error), in_chdir) from error
