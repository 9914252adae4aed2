"""Trigger matching: does an event start this workflow, and if not, why not.

Rules from GitHub's "Events that trigger workflows" and "Workflow syntax: on" docs:

* ``on`` may be a string, a list of event names, or a mapping of event name -> config/null.
* ``repository_dispatch``: no ``types`` = every ``event_type``; else the event's ``action`` (the
  ``event_type``) must be one of ``types`` exactly (case-sensitive).
* Events with activity types (``issues``, ``release``, ``pull_request`` …) filter on
  ``event["action"]``; ``pull_request``/``pull_request_target`` default to
  ``[opened, synchronize, reopened]``; a payload with no ``action`` at all passes the default
  types (a hand-written one-shot event).
* ``push``: ``branches``/``branches-ignore`` apply to ``refs/heads/*``, ``tags``/``tags-ignore``
  to ``refs/tags/*``; when only one kind is filtered, refs of the other kind do not trigger.
  ``paths``/``paths-ignore`` check the files of ``event["commits"]`` (never for tag pushes).
  ``pull_request`` branch filters apply to the base branch; path filters need the PR's file list,
  which an event payload does not carry, so they are not applied.
* Filter patterns: ``*`` (not ``/``), ``**``, ``?``/``+`` (zero-or-one/one-or-more of the
  preceding character), ``[...]``, and ``!`` negation, where the last matching pattern wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .errors import Collector
from .model import Workflow
from .yamlnodes import MapNode, read_yaml, to_python

#: GitHub's default activity types for pull_request and pull_request_target.
DEFAULT_PR_TYPES = ("opened", "synchronize", "reopened")


@dataclass(frozen=True)
class MatchResult:
    """Outcome of ``match_event``: ``matched`` and a sentence saying why (or why not)."""

    matched: bool
    reason: str

    def __bool__(self) -> bool:
        return self.matched


def normalize_on(on: Any) -> dict[str, Any]:
    """``on`` in any of its three forms -> ``{event name: config or None}`` in file order.

    A string gives one event, a list one event per item; a mapping is copied (non-mapping,
    non-null configs such as ``schedule``'s list are kept as they are)."""
    if on is None:
        return {}
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {str(item): None for item in on if isinstance(item, str)}
    if isinstance(on, dict):
        return {str(k): v for k, v in on.items()}
    return {}


def _as_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return None


def _show(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


@lru_cache(maxsize=1024)
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                out.append(".*")
                i += 2
                continue
            out.append("[^/]*")
        elif c in "?+" and out:
            out.append(c)
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                out.append("[" + pattern[i + 1:end].replace("\\", "\\\\") + "]")
                i = end + 1
                continue
        elif c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("^" + "".join(out) + "$")


def pattern_match(patterns: list[str], value: str) -> bool:
    """GitHub filter-pattern semantics: patterns in order, ``!`` negates, last match wins."""
    matched = False
    for pattern in patterns:
        if pattern.startswith("!"):
            if _pattern_regex(pattern[1:]).match(value):
                matched = False
        elif _pattern_regex(pattern).match(value):
            matched = True
    return matched


def _include_exclude(config: dict[str, Any], key: str, value: str, what: str) -> str | None:
    """None when ``value`` passes ``key``/``key-ignore``, else the reason it does not."""
    include = _as_list(config.get(key))
    ignore = _as_list(config.get(f"{key}-ignore"))
    if include is not None and not pattern_match(include, value):
        return f"{what} '{value}' does not match {key} {_show(include)}"
    if ignore is not None and pattern_match(ignore, value):
        return f"{what} '{value}' matches {key}-ignore {_show(ignore)}"
    return None


def _changed_files(event: dict[str, Any]) -> list[str] | None:
    commits = event.get("commits")
    if not isinstance(commits, list):
        return None
    files: list[str] = []
    for commit in commits:
        if isinstance(commit, dict):
            for key in ("added", "removed", "modified"):
                files.extend(str(f) for f in commit.get(key) or [] if isinstance(f, str))
    return files


def _paths_reason(config: dict[str, Any], event: dict[str, Any]) -> str | None:
    paths = _as_list(config.get("paths"))
    ignore = _as_list(config.get("paths-ignore"))
    if paths is None and ignore is None:
        return None
    files = _changed_files(event)
    if files is None:
        return None  # GitHub compares against the diff; without commit data we cannot filter
    if paths is not None and not any(pattern_match(paths, f) for f in files):
        return f"no changed file matches paths {_show(paths)}"
    if ignore is not None and files and all(pattern_match(ignore, f) for f in files):
        return f"every changed file matches paths-ignore {_show(ignore)}"
    return None


def _push_reason(config: dict[str, Any], event: dict[str, Any]) -> str | None:
    ref = str(event.get("ref") or "")
    has_branch = "branches" in config or "branches-ignore" in config
    has_tag = "tags" in config or "tags-ignore" in config
    if ref.startswith("refs/tags/"):
        tag = ref[len("refs/tags/"):]
        if has_branch and not has_tag:
            return f"tag '{tag}' was pushed but the workflow filters on branches only"
        return _include_exclude(config, "tags", tag, "tag") if has_tag else None
    branch = ref.removeprefix("refs/heads/")
    if has_tag and not has_branch:
        return f"branch '{branch}' was pushed but the workflow filters on tags only"
    if has_branch:
        reason = _include_exclude(config, "branches", branch, "branch")
        if reason:
            return reason
    return _paths_reason(config, event)


def match_event(workflow: Workflow, event_name: str, event: dict[str, Any]) -> MatchResult:
    """Whether ``event_name`` with payload ``event`` (the webhook body ``github.event``)
    triggers ``workflow``.

    Returns ``MatchResult(matched, reason)``; ``reason`` is a user-facing sentence such as
    ``"event type 'x' is not in types [a, b]"`` or
    ``"workflow is not triggered by repository_dispatch"``.
    """
    on = workflow.on
    if event_name not in on:
        listed = ", ".join(on) or "nothing"
        return MatchResult(False, f"workflow is not triggered by {event_name} (it runs on {listed})")
    config = on[event_name]
    if not isinstance(config, dict):
        config = {}
    action = event.get("action") if isinstance(event, dict) else None

    types = _as_list(config.get("types"))
    if event_name in ("pull_request", "pull_request_target") and types is None:
        types = list(DEFAULT_PR_TYPES)
    if types is not None and event_name not in ("schedule", "workflow_dispatch", "push"):
        label = "event type" if event_name == "repository_dispatch" else "activity type"
        # A hand-written event without an "action" (a one-shot run's --event file) names no
        # activity to filter on: like act, let the default activity types through. GitHub
        # never delivers such a payload, and a repository_dispatch always has its event_type.
        lenient = action is None and "action" not in event and event_name != "repository_dispatch" \
            and config.get("types") is None
        if action not in types and not lenient:
            shown = f"'{action}'" if action is not None else "(none)"
            return MatchResult(False, f"{label} {shown} is not in types {_show(types)}")

    if event_name == "push":
        reason = _push_reason(config, event)
        if reason:
            return MatchResult(False, reason)
    elif event_name in ("pull_request", "pull_request_target"):
        base = event.get("pull_request", {}).get("base", {}).get("ref") if isinstance(
            event.get("pull_request"), dict) else None
        if isinstance(base, str):
            reason = _include_exclude(config, "branches", base, "base branch")
            if reason:
                return MatchResult(False, reason)
    elif event_name == "workflow_run":
        workflows = _as_list(config.get("workflows"))
        run = event.get("workflow_run") if isinstance(event.get("workflow_run"), dict) else {}
        source = (event.get("workflow") or {}).get("name") if isinstance(event.get("workflow"), dict) else None
        if workflows is not None and source is not None and source not in workflows:
            return MatchResult(False, f"workflow '{source}' is not in workflows {_show(workflows)}")
        branch = run.get("head_branch") if isinstance(run, dict) else None
        if isinstance(branch, str):
            reason = _include_exclude(config, "branches", branch, "branch")
            if reason:
                return MatchResult(False, reason)

    if event_name == "repository_dispatch":
        if types is None:
            return MatchResult(True, "triggered by repository_dispatch (no types filter)")
        return MatchResult(True, f"event type '{action}' is in types {_show(types)}")
    return MatchResult(True, f"triggered by {event_name}")


def match_invalid(path: str, text: str, event_name: str, event: dict[str, Any]) -> MatchResult:
    """Would ``event_name`` have triggered a file that failed to load?

    GitHub reports an invalid workflow as a failed run for the events it would have run on.
    The ``on:`` section is read leniently (YAML only, no validation) and matched with all the
    usual filters; when even that cannot be read the answer is "yes" (the failure is shown
    rather than hidden). ``reason`` says which case applied.
    """
    errors = Collector(path)
    root = read_yaml(text, errors)
    on = root.get("on") if isinstance(root, MapNode) and not errors else None
    if on is None:
        return MatchResult(True, "the workflow file is invalid and its triggers cannot be read")
    partial = Workflow(path=path, on=normalize_on(to_python(on)))
    return match_event(partial, event_name, event)
