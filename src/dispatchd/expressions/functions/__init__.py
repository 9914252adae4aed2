"""Built-in functions, one per module, and the registry the parser and evaluator share.

GitHub: ``actions/languageservices: expressions/src/funcs.ts`` (built-ins and arity),
``actions/runner: src/Runner.Worker/Expressions/*.cs`` (status functions, ``hashFiles``).

Each function receives its already evaluated arguments (GitHub's TypeScript evaluator
evaluates every argument first) and a :class:`CallContext`. It returns a plain value or raises
:class:`FunctionError`, which the evaluator turns into an ``ExpressionError`` of kind
``"evaluation"``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import MAX_MEMORY_BYTES

__all__ = [
    "BUILTINS",
    "STATUS_FUNCTIONS",
    "CallContext",
    "FunctionError",
    "FunctionInfo",
    "available_functions",
]


class FunctionError(Exception):
    """An evaluation failure inside a function; ``args[0]`` is GitHub's message."""


class CallContext:
    """What functions may see besides their arguments.

    ``job_status``: ``"success" | "failure" | "cancelled"`` or ``None``;
    ``workspace``: the directory ``hashFiles`` reads, or ``None``;
    ``needs``: the ``needs`` context, for ``success('job')`` / ``failure('job')``.
    """

    __slots__ = ("job_status", "memory", "needs", "workspace")

    def __init__(
        self, job_status: str | None = None, workspace: str | None = None, needs: Any = None
    ) -> None:
        self.job_status = job_status
        self.workspace = workspace
        self.needs = needs
        self.memory = 0

    def account(self, text: str) -> str:
        """Charge a newly built string to the evaluation's memory budget and return it.

        GitHub's runner stops an evaluation past 1 MiB (two bytes a character).
        """
        self.memory += 2 * len(text)
        if self.memory > MAX_MEMORY_BYTES:
            raise FunctionError("The maximum allowed memory size was exceeded")
        return text


@dataclass(frozen=True, slots=True)
class FunctionInfo:
    """A function's GitHub name, arity, and implementation ``call(args, context)``."""

    name: str
    min_args: int
    max_args: int
    call: Callable[[list[Any], CallContext], Any]
    odd_args: bool = False


def _registry() -> tuple[dict[str, FunctionInfo], dict[str, FunctionInfo], FunctionInfo]:
    from . import case, contains, endswith, format, fromjson, hashfiles, join, startswith, status, tojson

    builtins = {
        f.name.lower(): f
        for f in (
            case.INFO,
            contains.INFO,
            endswith.INFO,
            format.INFO,
            fromjson.INFO,
            join.INFO,
            startswith.INFO,
            tojson.INFO,
        )
    }
    return builtins, {f.name.lower(): f for f in status.INFOS}, hashfiles.INFO


BUILTINS, STATUS_FUNCTIONS, _HASH_FILES = _registry()
_TABLES: dict[tuple[bool, bool], Mapping[str, FunctionInfo]] = {}


def available_functions(*, status: bool, hash_files: bool) -> Mapping[str, FunctionInfo]:
    """The functions an expression may call: the built-ins, plus ``success()``, ``failure()``,
    ``cancelled()``, ``always()`` when ``status``, plus ``hashFiles()`` when ``hash_files``."""
    key = (status, hash_files)
    table = _TABLES.get(key)
    if table is None:
        merged = dict(BUILTINS)
        if status:
            merged.update(STATUS_FUNCTIONS)
        if hash_files:
            merged[_HASH_FILES.name.lower()] = _HASH_FILES
        table = _TABLES[key] = merged
    return table
