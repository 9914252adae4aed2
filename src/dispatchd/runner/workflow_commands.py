"""Workflow commands a step prints on stdout/stderr (``::name k=v::data`` and legacy ``##[name]``).

GitHub source: ``actions/runner: src/Runner.Common/ActionCommand.cs`` (parsing, unescaping),
``src/Runner.Worker/ActionCommandManager.cs`` (the commands), ``Handlers/OutputManager.cs``;
reference/runner-protocol.md §4. One :class:`CommandProcessor` lives for one step and sees every
line of its merged output, in order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from dispatchd.runner.masking import SecretMasker

#: Registered command names (matched case-insensitively).
COMMANDS = frozenset(
    {
        "add-mask",
        "add-matcher",
        "remove-matcher",
        "debug",
        "notice",
        "warning",
        "error",
        "group",
        "endgroup",
        "echo",
        "set-output",
        "save-state",
        "set-env",
        "add-path",
        "stop-commands",
    }
)
#: Commands whose line is never echoed (their data may be a secret or is logged another way).
OMIT_ECHO = frozenset({"add-mask", "debug", "notice", "warning", "error"})

UNSECURE_DISABLED = (
    "The `{name}` command is disabled. Please upgrade to using Environment Files or opt into unsecure "
    "command execution by setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS` environment variable to `true`. "
    "For more information see: "
    "https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/"
)
DEPRECATED_COMMAND = (
    "The `{name}` command is deprecated and will be disabled soon. Please upgrade to using "
    "Environment Files. For more information see: "
    "https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/"
)
BAD_STOP_TOKEN = (
    "You cannot use a endToken that is an empty string, the string 'pause-logging', or another "
    "workflow command. For more information see: https://docs.github.com/actions/learn-github-actions/"
    "workflow-commands-for-github-actions#example-stopping-and-starting-workflow-commands or opt into "
    "insecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS` environment "
    "variable to `true`."
)
EMPTY_MASK = "Can't add secret mask for empty string in ##[add-mask] command."

#: GitHub check-run annotation levels by command.
ANNOTATION_LEVELS = {"error": "failure", "warning": "warning", "notice": "notice"}


def unescape_data(text: str) -> str:
    """Undo ``%0D``, ``%0A`` then ``%25`` in command data (ActionCommand.UnescapeData order)."""
    if "%" not in text:
        return text
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    """Undo ``%0D %0A %3A %2C`` then ``%25`` in a property value."""
    if "%" not in text:
        return text
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


def _unescape_legacy(text: str) -> str:
    if "%" not in text:
        return text
    for escaped, char in (("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


@dataclass
class Command:
    """A parsed command: lower-cased ``name``, ``properties`` (lower-cased keys), ``data``."""

    name: str
    properties: dict[str, str]
    data: str


def parse(line: str, registered: frozenset[str] | set[str] = COMMANDS) -> Command | None:
    """Parse ``::name k=v,k2=v2::data`` (or legacy ``##[name k=v;k2=v2]data`` anywhere in the line).

    Returns None for a plain line or an unregistered name (GitHub prints those as output).
    """
    stripped = line.lstrip()
    if stripped.startswith("::"):
        end = stripped.find("::", 2)
        if end >= 0:
            info = stripped[2:end]
            space = info.find(" ")
            name = (info if space < 0 else info[:space]).lower()
            if name in registered:
                properties: dict[str, str] = {}
                if space > 0:
                    for piece in info[space + 1 :].strip().split(","):
                        key, sep, value = piece.partition("=")
                        # Split with RemoveEmptyEntries: "k=" and "=v" have one part and are ignored.
                        if sep and key and value:
                            properties[key.lower()] = unescape_property(value)
                return Command(name, properties, unescape_data(stripped[end + 2 :]))
    start = line.find("##[")
    if start < 0:
        return None
    close = line.find("]", start)
    if close < 0:
        return None
    info = line[start + 3 : close]
    space = info.find(" ")
    name = (info if space < 0 else info[:space]).lower()
    if name not in registered:
        return None
    properties = {}
    if space > 0:
        for piece in info[space + 1 :].split(";"):
            key, sep, value = piece.partition("=")
            if sep and key and value:
                properties[key.lower()] = _unescape_legacy(value)
    return Command(name, properties, _unescape_legacy(line[close + 1 :]))


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def make_annotation(
    command: str, message: str, properties: dict[str, str] | None = None, workspace: str | None = None
) -> dict[str, Any]:
    """An annotation in GitHub's check-run shape.

    Returns ``{"annotation_level": "failure"|"warning"|"notice", "message", "title", "path",
    "start_line", "end_line", "start_column", "end_column"}`` (absent values are None), after
    GitHub's line/column rules (IssueCommandExtension): ``endLine`` alone becomes ``line``,
    ``endColumn`` alone becomes ``col``, columns need a line and a single-line range, reversed
    ranges are dropped; a file under the workspace is made relative to it with ``/``.
    """
    props = properties or {}
    path = props.get("file") or None
    if path and workspace:
        absolute = os.path.normpath(os.path.join(workspace, path))
        root = os.path.normpath(workspace)
        if absolute == root or absolute.startswith(root + os.sep):
            path = os.path.relpath(absolute, root).replace(os.sep, "/")
    line, end_line = _int(props.get("line")), _int(props.get("endline"))
    col, end_col = _int(props.get("col")), _int(props.get("endcolumn"))
    if line is None and end_line is not None:
        line, end_line = end_line, None
    if col is None and end_col is not None:
        col, end_col = end_col, None
    if line is None:
        col = end_col = None
    if line is not None and end_line is not None and end_line < line:
        line = end_line = col = end_col = None
    if line is not None and end_line is not None and end_line != line:
        col = end_col = None
    if col is not None and end_col is not None and end_col < col:
        col = end_col = None
    if line is not None and end_line is None:
        end_line = line
    return {
        "annotation_level": ANNOTATION_LEVELS[command],
        "message": message,
        "title": props.get("title") or None,
        "path": path,
        "start_line": line,
        "end_line": end_line,
        "start_column": col,
        "end_column": end_col,
    }


def level_lines(level: str, message: str) -> list[str]:
    """Log lines for ``##[level]message``; a multi-line message continues on plain lines."""
    first, *rest = message.replace("\r\n", "\n").split("\n")
    return [f"##[{level}]{first}", *rest]


@dataclass
class CommandEffects:
    """What a step's commands asked for, applied by the job after the step.

    ``failed`` is set by a command error (the step then fails, GitHub: ``CommandResult``).
    """

    outputs: dict[str, str] = field(default_factory=dict)
    state: dict[str, str] = field(default_factory=dict)
    env: list[tuple[str, str]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    annotations: list[dict[str, Any]] = field(default_factory=list)
    failed: bool = False


class CommandProcessor:
    """Turns one step's output lines into log lines and effects.

    Args:
        masker: add-mask values (and long stop-commands tokens) are registered here at once, so
            the very next line is masked.
        debug: step debug logging: ``::debug::`` lines are shown and commands echoed.
        workspace: for making annotation file paths relative.
        allow_unsecure: ``ACTIONS_ALLOW_UNSECURE_COMMANDS`` is ``true`` (re-enables set-env/add-path).
        allow_unsecure_stop_tokens: ``ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS`` is ``true``.
    """

    def __init__(
        self,
        masker: SecretMasker,
        *,
        debug: bool = False,
        workspace: str | None = None,
        allow_unsecure: bool = False,
        allow_unsecure_stop_tokens: bool = False,
    ) -> None:
        self.masker = masker
        self.debug = debug
        self.echo = debug
        self.workspace = workspace
        self.allow_unsecure = allow_unsecure
        self.allow_unsecure_stop_tokens = allow_unsecure_stop_tokens
        self.effects = CommandEffects()
        self._registered: set[str] = set(COMMANDS)
        self._stop_token: str | None = None

    def error(self, message: str) -> list[str]:
        """Log an error annotation that fails nothing by itself."""
        self.effects.annotations.append(make_annotation("error", message))
        return level_lines("error", message)

    def process(self, line: str) -> list[str]:
        """The log lines (unmasked; the caller masks) that ``line`` produces: the line itself
        when it is not a command, nothing or a ``##[...]`` line when it is."""
        if "::" not in line and "##[" not in line:
            return [line]
        command = parse(line, self._registered)
        if command is None:
            return [line]
        if self._stop_token is not None:
            if command.name == self._stop_token.lower():
                self._registered.discard(command.name)
                self._stop_token = None
                return [line]
            return [line]
        out: list[str] = []
        if self.echo and command.name not in OMIT_ECHO:
            out.append(line)
        try:
            out.extend(self._run(command, line))
        except ValueError as error:
            shown = command.name if command.name in OMIT_ECHO else line
            out.extend(self.error(f"Unable to process command '{shown}' successfully."))
            out.extend(self.error(str(error)))
            self.effects.failed = True
        return out

    def _run(self, command: Command, line: str) -> list[str]:
        name, data, props = command.name, command.data, command.properties
        if name == "add-mask":
            if not data.strip():
                self.effects.annotations.append(make_annotation("warning", EMPTY_MASK))
                return level_lines("warning", EMPTY_MASK)
            self.masker.add(data)
            return []
        if name in ANNOTATION_LEVELS:
            self.effects.annotations.append(make_annotation(name, data, props, self.workspace))
            return level_lines(name, data)
        if name == "debug":
            return level_lines("debug", data) if self.debug else []
        if name == "group":
            return [f"##[group]{data}"]
        if name == "endgroup":
            return ["##[endgroup]"]
        if name == "echo":
            if data.lower() == "on":
                self.echo = True
            elif data.lower() == "off":
                self.echo = False
            else:
                raise ValueError(
                    f"Invalid echo command value. Possible values can be: 'on', 'off'. Current value is: '{data}'."
                )
            return []
        if name == "stop-commands":
            token = data
            if (not token or token.lower() in COMMANDS or token.lower() == "pause-logging") and not (
                self.allow_unsecure_stop_tokens
            ):
                raise ValueError(BAD_STOP_TOKEN)
            if len(token) > 6:
                # GitHub masks long tokens so a script cannot learn them from the log.
                self.masker.add(token)
            self._stop_token = token
            self._registered.add(token.lower())
            return [line]
        if name in ("set-output", "save-state"):
            key = props.get("name")
            if not key:
                raise ValueError(f"Required field 'name' is missing in ##[{name}] command.")
            (self.effects.outputs if name == "set-output" else self.effects.state)[key] = data
            message = DEPRECATED_COMMAND.format(name=name)
            self.effects.annotations.append(make_annotation("warning", message))
            return level_lines("warning", message)
        if name in ("set-env", "add-path"):
            if not self.allow_unsecure:
                raise ValueError(UNSECURE_DISABLED.format(name=name))
            if name == "add-path":
                self.effects.paths.append(data)
                return []
            key = props.get("name")
            if not key:
                raise ValueError("Required field 'name' is missing in ##[set-env] command.")
            self.effects.env.append((key, data))
            return []
        # add-matcher / remove-matcher: problem matchers are not implemented; accepted silently.
        return []
