"""Runner labels: which runner may take a job (``runs-on``)."""

from __future__ import annotations

import fnmatch
from typing import Any

#: Labels the embedded runner answers by default (configurable): GitHub-hosted Ubuntu names.
DEFAULT_RUNNER_LABELS = ("ubuntu-latest", "ubuntu-*", "self-hosted", "linux", "x64")


def labels_match(required: list[str], available: tuple[str, ...]) -> bool:
    """GitHub's rule: a runner takes a job when it has every label of ``runs-on``
    (case-insensitive). ``available`` may hold patterns (``ubuntu-*``)."""
    return all(any(fnmatch.fnmatchcase(r.lower(), a.lower()) for a in available) for r in required)


def runs_on_labels(value: Any) -> list[str]:
    """``runs-on`` as a list of labels: a string, a list, or ``{group, labels}``."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, dict):
        labels = value.get("labels")
        return runs_on_labels(labels) if labels is not None else []
    return []
