"""Diagnostics and the error a workflow file that GitHub would reject raises.

GitHub prints every workflow error as ``<path> (Line: L, Col: C): <message>`` and, for errors
that have no position (YAML tags, anchors, file size), as ``<path>: <message>``
(actions/languageservices ``workflow-parser/src/templates/template-context.ts``). Lines and
columns are 1-based. A file reports at most ``MAX_ERRORS`` errors, like GitHub's parser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: GitHub's parser stops collecting after this many errors (ParseOptions.MaxErrors).
MAX_ERRORS = 10

#: GitHub prints at most this many characters of one error, then "[...]".
MAX_MESSAGE_LENGTH = 500

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a workflow file.

    ``line``/``column`` are 1-based, or ``None`` when GitHub reports the problem for the whole
    file. ``severity`` is ``"error"`` (GitHub rejects the file) or ``"warning"`` (lint only).
    """

    path: str
    line: int | None
    column: int | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        if not self.path:
            text = self.message
        elif self.line is None:
            text = f"{self.path}: {self.message}"
        else:
            text = f"{self.path} (Line: {self.line}, Col: {self.column}): {self.message}"
        # GitHub cuts long error texts (e.g. permission lists) at 500 characters.
        return text if len(text) <= MAX_MESSAGE_LENGTH else text[:MAX_MESSAGE_LENGTH] + "[...]"


class WorkflowError(ValueError):
    """A workflow file GitHub would not run.

    ``diagnostics`` lists every error found (at most ``MAX_ERRORS``), in file order of
    discovery; ``str(error)`` is their GitHub-formatted texts, one per line.
    """

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics) or "invalid workflow")

    @property
    def messages(self) -> list[str]:
        """The GitHub-formatted text of each diagnostic."""
        return [str(d) for d in self.diagnostics]


class Collector:
    """Accumulates diagnostics for one file, dropping duplicates and capping at ``MAX_ERRORS``."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.diagnostics: list[Diagnostic] = []
        self._seen: set[tuple[int | None, int | None, str]] = set()

    def add(self, line: int | None, column: int | None, message: str) -> None:
        key = (line, column, message)
        if key in self._seen or len(self.diagnostics) >= MAX_ERRORS:
            return
        self._seen.add(key)
        self.diagnostics.append(Diagnostic(self.path, line, column, message))

    def at(self, node: object, message: str) -> None:
        """Add an error located at a node (anything with ``line``/``column`` attributes)."""
        self.add(getattr(node, "line", None), getattr(node, "column", None), message)

    def __bool__(self) -> bool:
        return bool(self.diagnostics)

    def raise_if_any(self) -> None:
        if self.diagnostics:
            raise WorkflowError(self.diagnostics)
