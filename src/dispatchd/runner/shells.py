"""Shell lines for ``run`` steps, exactly as GitHub builds them.

GitHub source: ``actions/runner: src/Runner.Worker/Handlers/ScriptHandlerHelpers.cs`` and
``ScriptHandler.cs``; reference/workflow-syntax.md §10.4. A shell value is split at its first
space into a program (looked up on the step's ``PATH``) and an argument template holding ``{0}``,
the path of the script file the runner writes.
"""

from __future__ import annotations

import functools
import os
import shlex
import shutil
from dataclasses import dataclass

#: Built-in shell → (argument template, script extension, text prepended, text appended).
BUILTIN_SHELLS: dict[str, tuple[str, str, str, str]] = {
    "bash": ("--noprofile --norc -eo pipefail {0}", ".sh", "", ""),
    "sh": ("-e {0}", ".sh", "", ""),
    "python": ("{0}", ".py", "", ""),
    "pwsh": (
        "-command \". '{0}'\"",
        ".ps1",
        "$ErrorActionPreference = 'stop'\n",
        "\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }",
    ),
    "powershell": (
        "-command \". '{0}'\"",
        ".ps1",
        "$ErrorActionPreference = 'stop'\n",
        "\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }",
    ),
}
#: No ``shell`` on Linux: ``bash -e {0}`` (not the ``shell: bash`` line), else ``sh -e {0}``.
DEFAULT_ARGS = "-e {0}"

INVALID_SHELL = (
    "Invalid shell option. Shell must be a valid built-in (bash, sh, cmd, powershell, pwsh) or a "
    "format string containing '{0}'"
)


class ShellError(Exception):
    """The ``shell`` value is invalid or its program is missing; the message is GitHub's."""


@dataclass(frozen=True)
class Shell:
    """A resolved shell.

    Attributes:
        program: absolute path of the program.
        args_template: the argument template containing ``{0}``.
        extension: the script file's extension (``.sh``, ``.py``, ``.ps1`` or ``""``).
        prefix, suffix: text GitHub adds around the script (PowerShell only).
    """

    program: str
    args_template: str
    extension: str
    prefix: str = ""
    suffix: str = ""

    def argv(self, script_path: str) -> list[str]:
        """The process's argv for ``script_path`` (``{0}`` replaced in each argument)."""
        return [self.program, *(arg.replace("{0}", script_path) for arg in _split(self.args_template))]

    def display(self) -> str:
        """The ``shell:`` line of GitHub's step log header: ``/usr/bin/bash -e {0}``."""
        return f"{self.program} {self.args_template}"

    def script_text(self, script: str) -> str:
        return f"{self.prefix}{script}{self.suffix}" if (self.prefix or self.suffix) else script


@functools.lru_cache(maxsize=256)
def _split(template: str) -> tuple[str, ...]:
    return tuple(shlex.split(template))


_which_cache: dict[tuple[str, str], str] = {}


def which(program: str, path: str | None) -> str | None:
    """``shutil.which`` memoised per (program, PATH): a lookup per step would be measurable.
    Misses are not remembered, since an earlier step may install the program."""
    key = (program, path or "")
    found = _which_cache.get(key)
    if found is None:
        found = shutil.which(program, path=path)
        if found is not None:
            _which_cache[key] = found
    return found


def resolve(shell: str | None, path: str | None) -> Shell:
    """Resolve a step's ``shell`` value against ``path`` (the step's ``PATH``).

    ``None``/empty → ``bash -e {0}`` (``sh -e {0}`` without bash); a built-in name → its template;
    ``cmd args {0}`` → custom. Raises :class:`ShellError` with ``Invalid shell option…`` when the
    argument part lacks ``{0}``, and ``<program>: command not found`` when the program is missing.
    """
    if not shell or not str(shell).strip():
        program = which("bash", path)
        if program is None:
            program = which("sh", path)
            if program is None:
                raise ShellError("sh: command not found")
        return Shell(program, DEFAULT_ARGS, ".sh")
    shell = str(shell).strip()
    name, _, args = shell.partition(" ")
    builtin = BUILTIN_SHELLS.get(name)
    if not args and builtin is not None:
        template, extension, prefix, suffix = builtin
        program = which(name, path)
        if program is None:
            raise ShellError(f"{name}: command not found")
        return Shell(program, template, extension, prefix, suffix)
    if "{0}" not in args:
        raise ShellError(INVALID_SHELL)
    program = which(name, path) if not os.path.isabs(name) else (name if os.access(name, os.X_OK) else None)
    if program is None:
        raise ShellError(f"{name}: command not found")
    # GitHub picks the extension and content fix-up by program name, so a custom template for a
    # built-in program ("bash -x {0}", "pwsh -File {0}") keeps them; other programs get neither.
    if builtin is not None:
        return Shell(program, args.strip(), builtin[1], builtin[2], builtin[3])
    return Shell(program, args.strip(), "")
