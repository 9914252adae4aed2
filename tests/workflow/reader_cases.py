"""GitHub's workflow-parser reader cases (languageservices ``workflow-parser/testdata/reader``) as data.

Each file holds YAML documents separated by a ``---`` line: options, the workflow, for reusable
tests pairs of (reference, called workflow), and last the expected JSON (``{"errors": [...]}``
or GitHub's model). Upstream harness: ``workflow-parser/src/xlang.test.ts``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared_data import CONFORMANCE
from ruamel.yaml import YAML

from dispatchd.workflow import ParseOptions, WorkflowError, load_workflow

READER = CONFORMANCE / "languageservices" / "workflow-parser" / "testdata" / "reader"
SKIPPED_LIST = READER.parent / "skipped-tests.txt"


@dataclass
class ReaderCase:
    name: str
    options: dict[str, Any]
    workflow: str
    called: dict[str, str]
    expected_errors: list[str] | None
    typescript_known_failure: bool
    model: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return f".github/workflows/{self.name}"


def typescript_failures() -> set[str]:
    return {line.strip() for line in SKIPPED_LIST.read_text().splitlines() if line.strip()}


def read_case(path: Path, skipped: set[str]) -> ReaderCase:
    docs = re.split(r"\r?\n---\r?\n", path.read_text())
    options = YAML(typ="safe", pure=True).load(docs[0]) or {}
    expected = json.loads(docs[-1])
    called: dict[str, str] = {}
    for i in range(2, len(docs) - 1, 2):
        called[docs[i].strip()] = docs[i + 1]
    errors = [e["Message"] for e in expected["errors"]] if "errors" in expected else None
    return ReaderCase(path.name, options, docs[1], called, errors, path.name in skipped, expected)


def all_cases() -> list[ReaderCase]:
    skipped = typescript_failures()
    return [read_case(p, skipped) for p in sorted(READER.glob("*.yml"))]


def parse_options(options: dict[str, Any]) -> ParseOptions:
    """The harness options our loader supports, as ``ParseOptions``."""
    features = options.get("experimental-features") or {}
    defaults = ParseOptions()
    return ParseOptions(
        max_file_size=options.get("max-file-size", defaults.max_file_size),
        max_depth=options.get("max-depth", defaults.max_depth),
        max_nesting=options.get("max-nested-reusable-workflows-depth", defaults.max_nesting),
        max_jobs=options.get("max-job-limit"),
        background_steps=bool(features.get("allowBackgroundSteps")),
        permissions_policy=options.get("permissions-policy", defaults.permissions_policy),
    )


def run_case(case: ReaderCase) -> list[str]:
    """Our error messages for a case (empty when the workflow loads)."""
    try:
        load_workflow(case.path, case.workflow, resolve=case.called.get, options=parse_options(case.options))
    except WorkflowError as error:
        return error.messages
    return []


def outcome(case: ReaderCase) -> tuple[bool, bool, list[str]]:
    """(same accept/reject decision, same errors by line and message, our messages)."""
    ours = run_case(case)
    if case.expected_errors is None:
        return (not ours, not ours, ours)
    same_decision = bool(ours)
    return (same_decision, sorted(ours) == sorted(case.expected_errors), ours)
