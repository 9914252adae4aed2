"""Workflow files parsed once per distinct text: a commit's files never change, and runs of the
same workflow share the parse."""

from __future__ import annotations

from functools import lru_cache

from ..workflow import Workflow, WorkflowError, load_workflow


@lru_cache(maxsize=512)
def _load(path: str, text: str) -> Workflow | WorkflowError:
    try:
        return load_workflow(path, text)
    except WorkflowError as e:
        return e


def load_cached(path: str, text: str) -> Workflow | WorkflowError:
    """The loaded workflow, or the ``WorkflowError`` that loading raised (returned, not raised,
    so that callers decide how a broken file fails its run)."""
    return _load(path, text)
