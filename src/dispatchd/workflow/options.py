"""Parser limits and switches (GitHub's ``ParseOptions``: actions/runner
``src/Sdk/WorkflowParser/ParseOptions.cs``, languageservices ``workflow-parser`` options)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParseOptions:
    """Limits applied while loading a workflow; the defaults are GitHub's.

    ``max_file_size``: characters (GitHub: 1 MiB). ``max_depth``: nesting of mappings and
    sequences, the document root counting as 1 (GitHub: 50). ``max_nesting``: levels of
    reusable workflows below the caller (docs: 10). ``max_jobs``: jobs in the workflow including
    those of called workflows, or None for no limit. ``background_steps``: accept GitHub's
    experimental ``background``/``wait``/``wait-all``/``cancel`` steps. ``permissions_policy``:
    the repository's default ``GITHUB_TOKEN`` permissions, ``"Write"`` (permissive) or
    ``"LimitedRead"`` (restricted), the ceiling for reusable workflows that set none.
    """

    max_file_size: int = 1024 * 1024
    max_depth: int = 50
    max_nesting: int = 10
    max_jobs: int | None = None
    background_steps: bool = False
    permissions_policy: str = "Write"


DEFAULT_OPTIONS = ParseOptions()
