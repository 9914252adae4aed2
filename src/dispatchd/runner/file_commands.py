"""Environment files: ``GITHUB_ENV``, ``GITHUB_OUTPUT``, ``GITHUB_PATH``, ``GITHUB_STATE``,
``GITHUB_STEP_SUMMARY``.

GitHub source: ``actions/runner: src/Runner.Worker/FileCommandManager.cs`` (reader and per-file
handlers); reference/runner-protocol.md §3. Before each step the runner creates fresh empty files
(:func:`prepare`), exports their paths, and after the step's process exits — success or not — reads
them back (:func:`collect`). A processing error fails the step with
``Unable to process file command '<name>' successfully.`` and the reason.

Parsing is the Linux runner's: lines split on ``\\n`` only, so a ``\\r`` from CRLF input stays part
of the line (and of a value); the ``GITHUB_PATH`` reader alone tolerates CRLF.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field

#: File command name (as in GitHub's error messages) → (environment variable, file prefix).
FILE_COMMANDS: dict[str, tuple[str, str]] = {
    "path": ("GITHUB_PATH", "add_path_"),
    "env": ("GITHUB_ENV", "set_env_"),
    "output": ("GITHUB_OUTPUT", "set_output_"),
    "state": ("GITHUB_STATE", "save_state_"),
    "step_summary": ("GITHUB_STEP_SUMMARY", "step_summary_"),
}

#: GitHub: a step summary larger than 1 MiB is not uploaded.
STEP_SUMMARY_LIMIT = 1024 * 1024
STEP_SUMMARY_TOO_BIG = (
    "$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of {limit}k, got {size}k. "
    "For more information see: https://docs.github.com/actions/using-workflows/"
    "workflow-commands-for-github-actions#adding-a-markdown-summary"
)
NODE_OPTIONS_REFUSED = "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command."


class FileCommandError(Exception):
    """A malformed environment file; the message is GitHub's reason text."""


def _read_line(text: str, index: int) -> tuple[str | None, int, bool]:
    """GitHub's ``ReadLine``: (line or None at end, next index, whether a newline ended it)."""
    if index >= len(text):
        return None, index, False
    lf = text.find("\n", index)
    if lf < 0:
        return text[index:], len(text), False
    return text[index:lf], lf + 1, True


def parse_key_value(text: str, into: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """Parse the ``name=value`` / ``name<<DELIM`` format shared by ENV, OUTPUT and STATE.

    Returns the pairs in file order (later pairs of the same name win when applied). Pairs are
    appended to ``into`` as they are read, so a caller keeps those before an error, as GitHub
    applies each pair while reading.

    Raises:
        FileCommandError: with GitHub's messages — ``Invalid format '<line>'``,
            ``Invalid format '<line>'. Name must not be empty and delimiter must not be empty``,
            ``Invalid value. Matching delimiter not found '<delimiter>'``,
            ``Invalid value. EOF marker missing new line.``, and, for ``=value`` (an empty name,
            which GitHub's reader lets through only to fail later), ``Invalid format '<line>'.
            Name must not be empty``.
    """
    pairs: list[tuple[str, str]] = [] if into is None else into
    index = 0
    line, index, _ = _read_line(text, index)
    while line is not None:
        if line != "":
            equals = line.find("=")
            heredoc = line.find("<<")
            if equals >= 0 and (heredoc < 0 or equals < heredoc):
                name, value = line[:equals], line[equals + 1 :]
                if not name:
                    raise FileCommandError(f"Invalid format '{line}'. Name must not be empty")
                pairs.append((name, value))
            elif heredoc >= 0 and (equals < 0 or heredoc < equals):
                name, delimiter = line[:heredoc], line[heredoc + 2 :]
                if not name or not delimiter:
                    raise FileCommandError(
                        f"Invalid format '{line}'. Name must not be empty and delimiter must not be empty"
                    )
                start = end = index
                value_line, index, had_newline = _read_line(text, index)
                while value_line != delimiter:
                    if value_line is None:
                        raise FileCommandError(f"Invalid value. Matching delimiter not found '{delimiter}'")
                    if not had_newline:
                        raise FileCommandError("Invalid value. EOF marker missing new line.")
                    # The value ends before the line break that precedes the delimiter line.
                    end = index - 1
                    value_line, index, had_newline = _read_line(text, index)
                pairs.append((name, text[start:end] if end > start else ""))
            else:
                raise FileCommandError(f"Invalid format '{line}'")
        line, index, _ = _read_line(text, index)
    return pairs


def parse_path(text: str) -> list[str]:
    """Directories of a ``GITHUB_PATH`` file: non-empty lines, CRLF-tolerant, not trimmed
    (GitHub reads it with ``File.ReadAllLines``, which splits on ``\\r\\n``, ``\\n`` and ``\\r``)."""
    return [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line]


@dataclass
class StepFiles:
    """The five per-step files; ``paths`` maps the environment variable to the file path."""

    paths: dict[str, str]

    def env(self) -> dict[str, str]:
        return dict(self.paths)


@dataclass
class FileCommandResult:
    """What the files of one step asked for.

    Attributes:
        env: ``GITHUB_ENV`` pairs in order (NODE_OPTIONS already removed).
        outputs: ``GITHUB_OUTPUT`` name → value (later wins).
        paths: ``GITHUB_PATH`` directories in the order written.
        state: ``GITHUB_STATE`` name → value.
        summary: the step summary text, or None when empty, missing or too big.
        untouched: all five files still exist and are empty (the runner may hand them to the
            next step instead of creating new ones).
        errors: messages that fail the step (``Unable to process file command …`` + reason).
        warnings: error annotations that do not fail the step (NODE_OPTIONS, summary size).
    """

    env: list[tuple[str, str]] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)
    state: dict[str, str] = field(default_factory=dict)
    summary: str | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    untouched: bool = True


def prepare(directory: str) -> StepFiles:
    """Create the five empty files for a step in ``directory`` (``_runner_file_commands``) and
    return their paths. The files must exist: ``@actions/core`` throws ``Missing file at path``
    otherwise. (The previous step's files are deleted with :func:`remove`.)
    """
    suffix = uuid.uuid4().hex
    paths: dict[str, str] = {}
    for variable, prefix in FILE_COMMANDS.values():
        path = os.path.join(directory, prefix + suffix)
        # os.open + close is the cheapest way to create an empty file (no Python file object).
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644))
        paths[variable] = path
    return StepFiles(paths)


def remove(files: StepFiles) -> None:
    for path in files.paths.values():
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def _read(path: str, result: FileCommandResult) -> str | None:
    try:
        if os.stat(path).st_size == 0:
            return None
        result.untouched = False
        # newline="": no newline translation, so a "\r" reaches the parser as GitHub reads it.
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        result.untouched = False
        return None


def _apply(name: str, pairs: list[tuple[str, str]], result: FileCommandResult) -> None:
    for key, value in pairs:
        if name == "env":
            if key.upper() == "NODE_OPTIONS":
                result.warnings.append(NODE_OPTIONS_REFUSED)
                continue
            result.env.append((key, value))
        elif name == "output":
            result.outputs[key] = value
        else:
            result.state[key] = value


def collect(files: StepFiles) -> FileCommandResult:
    """Read and parse a finished step's files (GitHub: ``FileCommandManager.ProcessFiles``).

    Each file is processed independently; a malformed one records its error and the others still
    apply, as in the runner, which catches per file command.
    """
    result = FileCommandResult()
    for name, (variable, _prefix) in FILE_COMMANDS.items():
        path = files.paths[variable]
        if name == "step_summary":
            try:
                size = os.stat(path).st_size
            except FileNotFoundError:
                result.untouched = False
                continue
            if size:
                result.untouched = False
            if size > STEP_SUMMARY_LIMIT:
                result.warnings.append(
                    STEP_SUMMARY_TOO_BIG.format(limit=STEP_SUMMARY_LIMIT // 1024, size=size // 1024)
                )
                continue
            text = _read(path, result)
            result.summary = text if text else None
            continue
        text = _read(path, result)
        if text is None:
            continue
        try:
            if name == "path":
                result.paths.extend(parse_path(text))
            else:
                pairs: list[tuple[str, str]] = []
                try:
                    parse_key_value(text, pairs)
                finally:
                    _apply(name, pairs, result)
        except (FileCommandError, UnicodeError) as error:
            result.errors.append(f"Unable to process file command '{name}' successfully.")
            result.errors.append(str(error))
    return result
