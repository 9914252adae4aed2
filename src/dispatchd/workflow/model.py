"""The workflow as data: ``Workflow`` and ``Job``, with every value left unevaluated.

Values are plain Python (dict/list/str/int/float/bool/None) in file order; strings holding
``${{ }}`` stay strings — the engine evaluates them late, as GitHub does (job keys when the job
starts, step keys just before the step). Names follow the YAML keys with ``-`` → ``_``
(``runs-on`` → ``runs_on``); ``if``/``with`` get a trailing underscore.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: GitHub's default job timeout (minutes).
DEFAULT_TIMEOUT_MINUTES = 360


@dataclass
class Job:
    """One entry of ``jobs:``.

    ``needs`` is always a list of job ids (GitHub accepts a string or a list). ``if_`` is the raw
    condition (``None`` when absent: the engine uses ``success()``). ``steps`` are the raw step
    mappings; ``step_ids`` gives their ids with GitHub's generated ones filled in. ``uses`` is set
    for a reusable-workflow call (then ``runs_on`` is ``None``). ``line``/``column`` locate the
    job id in the file (1-based), ``step_lines`` the first line of each step.
    """

    id: str
    name: Any = None
    needs: list[str] = field(default_factory=list)
    if_: Any = None
    runs_on: Any = None
    env: Any = None
    defaults: Any = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    outputs: Any = None
    strategy: Any = None
    continue_on_error: Any = False
    timeout_minutes: Any = None
    cancel_timeout_minutes: Any = None
    concurrency: Any = None
    permissions: Any = None
    environment: Any = None
    container: Any = None
    services: Any = None
    uses: str | None = None
    with_: Any = None
    secrets: Any = None
    snapshot: Any = None
    line: int | None = None
    column: int | None = None
    step_lines: list[int] = field(default_factory=list, repr=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def matrix(self) -> Any:
        """The raw ``strategy.matrix`` (a mapping, an expression string, or ``None``)."""
        return self.strategy.get("matrix") if isinstance(self.strategy, dict) else None

    @property
    def step_ids(self) -> list[str]:
        """Each step's id: its ``id:``, or GitHub's generated ``__run``, ``__actions_checkout``,
        ``__run_2`` … (workflow-parser ``model/converter/steps.ts`` + ``id-builder.ts``)."""
        return generate_step_ids(self.steps)


@dataclass
class Workflow:
    """A loaded workflow file.

    ``path`` is the repository-relative file name (``.github/workflows/ship.yml``). ``name`` is
    ``None`` when the file has none (GitHub then shows ``path``; see ``display_name``). ``on`` is
    normalised to ``{event name: config mapping or None}`` from the string, list and mapping forms
    (``schedule`` keeps its list of ``{cron}``). ``jobs`` keeps file order.
    """

    path: str
    name: Any = None
    run_name: Any = None
    description: Any = None
    on: dict[str, Any] = field(default_factory=dict)
    env: Any = None
    defaults: Any = None
    concurrency: Any = None
    permissions: Any = None
    jobs: dict[str, Job] = field(default_factory=dict)
    line_of: dict[str, int] = field(default_factory=dict, repr=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def display_name(self) -> str:
        """``name`` when set to a non-empty string, else the file path (GitHub's rule)."""
        if isinstance(self.name, str) and self.name.strip():
            return self.name
        return self.path


_ILLEGAL = re.compile(r"[^A-Za-z0-9_-]")
#: GitHub: ids are at most 100 characters (WorkflowConstants.MaxNodeNameLength).
MAX_ID_LENGTH = 100


def _step_id_base(step: dict[str, Any]) -> str:
    uses = step.get("uses")
    if isinstance(uses, str) and uses:
        if uses.startswith("docker://"):
            base = uses[len("docker://"):]
        elif uses.startswith(("./", ".\\", "$/")):
            base = "self"
        else:
            parts = re.split(r"[/\\]", uses.split("@", 1)[0])
            base = "_".join(parts[:2])
        return "__" + _ILLEGAL.sub("_", base)
    # Background-step kinds (wait, wait-all, cancel, parallel) are named after their key.
    for kind in ("wait-all", "wait", "cancel", "parallel"):
        if kind in step:
            return f"__{kind}"
    return "__run"


def generate_step_ids(steps: list[dict[str, Any]]) -> list[str]:
    """Ids for ``steps`` as GitHub assigns them: explicit ids first reserve their names
    (case-insensitively), then each step without one gets its base (``__run``,
    ``__owner_repo``, ``__self``, ``__<image>``) with ``_2``, ``_3`` … on collision."""
    taken = {str(s["id"]).lower() for s in steps if isinstance(s, dict) and s.get("id")}
    out: list[str] = []
    for step in steps:
        if isinstance(step, dict) and step.get("id"):
            out.append(str(step["id"]))
            continue
        base = _step_id_base(step if isinstance(step, dict) else {})[:MAX_ID_LENGTH]
        candidate, n = base, 1
        while candidate.lower() in taken:
            n += 1
            suffix = f"_{n}"
            candidate = base[: MAX_ID_LENGTH - len(suffix)] + suffix
        taken.add(candidate.lower())
        out.append(candidate)
    return out
