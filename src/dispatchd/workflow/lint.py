"""``lint``: GitHub's load errors plus warnings about workflows that load but misbehave.

Warnings (``Diagnostic.severity == "warning"``):

* **Script injection** (GitHub's "Security hardening for GitHub Actions" guide): an expression
  whose value comes from outside — ``github.event.client_payload.*`` (anyone holding a token
  that may dispatch), issue/PR/comment titles and bodies, branch names, commit messages,
  ``github.head_ref`` … — interpolated straight into ``run:`` (or ``actions/github-script``'s
  ``script:``) becomes code. The fix is to pass it through ``env:`` and quote the variable.
* An ``if:`` mixing text and ``${{ }}`` (``if: ${{ a }} && ${{ b }}``) is a non-empty string,
  so it is always true (workflow-parser ``if-condition.ts``).
* ``needs.<job>`` read from a job that does not list ``<job>`` in ``needs:`` (always null).
* ``::set-output`` / ``::save-state`` workflow commands, which GitHub deprecated for the
  ``$GITHUB_OUTPUT`` / ``$GITHUB_STATE`` files.
* Event filters GitHub's docs forbid or that can never match: ``branches`` with
  ``branches-ignore`` (likewise ``tags``, ``paths``), or only ``!`` patterns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from .errors import Diagnostic
from .loader import parse_document
from .yamlnodes import MapNode, Node, ScalarNode, SeqNode, to_python

Warn = Callable[[tuple[int, int], str], None]

#: Expression paths whose values someone outside the repository's writers can choose.
_UNTRUSTED = [re.compile(p, re.IGNORECASE) for p in (
    r"\bgithub\.event\.client_payload\b",
    r"\bgithub\.event\.(issue|pull_request|discussion)\.(title|body)\b",
    r"\bgithub\.event\.pull_request\.head\.(ref|label|repo\.default_branch)\b",
    r"\bgithub\.event\.(comment|review|review_comment)\.body\b",
    r"\bgithub\.event\.pages\b.*\.page_name\b",
    r"\bgithub\.event\.(commits\b.*|head_commit)\.(message|author\.(email|name))\b",
    r"\bgithub\.event\.workflow_run\.(head_branch|head_commit\.(message|author\.(email|name)))\b",
    r"\bgithub\.head_ref\b",
    r"\btojson\(\s*github\.event\s*\)",
)]
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_NEEDS_REF = re.compile(r"\bneeds\.([A-Za-z_][A-Za-z0-9_-]*)", re.IGNORECASE)
_DEPRECATED_COMMAND = re.compile(r"::(set-output|save-state)\b")


def _normalise(expression: str) -> str:
    # github.event['client_payload'] and github.event.client_payload are the same path.
    return re.sub(r"\[\s*'([^']*)'\s*\]", r".\1", expression)


def untrusted_sources(expression: str) -> list[str]:
    """The outside-controlled paths an expression reads (empty when none)."""
    text = _normalise(expression)
    return [m.group(0) for pattern in _UNTRUSTED for m in [pattern.search(text)] if m]


class _Source:
    """Positions of text inside scalar values (block scalars start on the next line)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def locate(self, node: ScalarNode, value: str, offset: int, needle: str) -> tuple[int, int]:
        """Line and column of ``needle`` found at ``offset`` in ``node``'s string ``value``."""
        first_line = self.lines[node.line - 1] if 0 < node.line <= len(self.lines) else ""
        block = first_line[node.column - 1:node.column][:1] in ("|", ">")
        if not block and "\n" not in value[:offset]:
            return node.line, node.column + offset + (0 if node.plain else 1)
        guess = node.line + (1 if block else 0) + value[:offset].count("\n")
        line_start = value.rfind("\n", 0, offset) + 1
        line_end = value.find("\n", offset)
        value_line = value[line_start:line_end if line_end >= 0 else len(value)]
        if 0 < guess <= len(self.lines):
            source_line = self.lines[guess - 1]
            indent = len(source_line) - len(value_line)
            if indent >= 0 and source_line[indent:] == value_line:  # a literal block keeps each line whole
                return guess, indent + offset - line_start + 1
        # Folded scalars join lines: look for the needle, then for its start, from the guess on.
        for probe in (needle.splitlines()[0] if needle else needle, needle[:3]):
            for index in range(max(guess - 1, 0), min(guess + 50, len(self.lines))):
                column = self.lines[index].find(probe)
                if column >= 0:
                    return index + 1, column + 1
        return node.line, node.column


def lint(path: str, text: str) -> list[Diagnostic]:
    """All diagnostics for one workflow file: GitHub's errors (then nothing else) or warnings.

    ``path`` is the repository-relative file name. Errors have ``severity="error"`` (GitHub would
    refuse the file); warnings ``severity="warning"``, in file order of jobs and steps.
    """
    root, errors = parse_document(path, text)
    if errors or not isinstance(root, MapNode):
        return list(errors.diagnostics)
    source = _Source(text)
    out: list[Diagnostic] = []

    def warn(position: tuple[int, int], message: str) -> None:
        out.append(Diagnostic(path, position[0], position[1], message, "warning"))

    on = root.get("on")
    if isinstance(on, MapNode):
        _check_filters(on, warn)
    jobs = root.get("jobs")
    for key, job in jobs.pairs if isinstance(jobs, MapNode) else []:
        if not isinstance(job, MapNode):
            continue
        _check_if(job.get("if"), source, warn)
        _check_needs_refs(str(to_python(key)), job, source, warn)
        steps = job.get("steps")
        for step in steps.items if isinstance(steps, SeqNode) else []:
            if isinstance(step, MapNode):
                _check_step(step, source, warn)
    return out


def _check_filters(on: MapNode, warn: Warn) -> None:
    # Workflow-syntax docs: "You cannot use both the branches and branches-ignore filters for the
    # same event" (github.com has refused such files: "you may only define one of branches and
    # branches-ignore for a single event"), and a filter of only "!" patterns matches nothing.
    for event, config in on.pairs:
        if not isinstance(config, MapNode):
            continue
        for name in ("branches", "tags", "paths"):
            ignore = config.get(f"{name}-ignore")
            if config.get(name) is not None and ignore is not None:
                warn((ignore.line, ignore.column), f"{to_python(event)} has both {name} and {name}-ignore; GitHub "
                                                   f"allows only one of them per event. Put the exclusions in "
                                                   f"{name} as '!pattern' entries.")
            patterns = to_python(config.get(name))
            patterns = [patterns] if isinstance(patterns, str) else patterns
            if isinstance(patterns, list) and patterns and all(str(p).startswith("!") for p in patterns):
                node = config.get(name)
                assert node is not None
                warn((node.line, node.column), f"{to_python(event)}.{name} has only '!' patterns, so it matches "
                                               f"nothing; use {name}-ignore to exclude.")


def _strings(node: Node | None) -> Iterator[ScalarNode]:
    if isinstance(node, ScalarNode) and isinstance(node.value, str):
        yield node
    elif isinstance(node, SeqNode):
        for item in node.items:
            yield from _strings(item)
    elif isinstance(node, MapNode):
        for _, value in node.pairs:
            yield from _strings(value)


def _check_needs_refs(job_id: str, job: MapNode, source: _Source, warn: Warn) -> None:
    needs = to_python(job.get("needs"))
    listed = {str(n).lower() for n in (needs if isinstance(needs, list) else [needs] if needs else [])}
    seen: set[str] = set()
    for node in _strings(job):
        # Only expression text reads contexts: every ${{ }}, and a bare job-level `if:`.
        bare_if = node is job.get("if") and "${{" not in node.value
        spans = [(0, node.value)] if bare_if else [(m.start(1), m.group(1)) for m in _EXPRESSION.finditer(node.value)]
        for start, expression in spans:
            for match in _NEEDS_REF.finditer(expression):
                ref = match.group(1)
                if ref.lower() in listed or ref.lower() in seen:
                    continue
                seen.add(ref.lower())
                warn(source.locate(node, node.value, start + match.start(), match.group(0)),
                     f"Job '{job_id}' reads needs.{ref} but does not list '{ref}' in needs:, so the value is "
                     "always empty. Add it to needs:.")


def _check_if(node: Node | None, source: _Source, warn: Warn) -> None:
    if not isinstance(node, ScalarNode) or not isinstance(node.value, str) or "${{" not in node.value:
        return
    stripped = node.value.strip()
    whole = stripped.startswith("${{") and stripped.endswith("}}") and stripped.count("${{") == 1
    if not whole:
        warn((node.line, node.column), f"The condition '{stripped}' mixes text with ${{{{ }}}}, so it is a non-empty "
                                       "string and always true. Write the whole condition as one expression.")


def _check_step(step: MapNode, source: _Source, warn: Warn) -> None:
    _check_if(step.get("if"), source, warn)
    scripts: list[tuple[str, Node | None]] = [("the run: script", step.get("run"))]
    uses = step.get("uses")
    with_ = step.get("with")
    if (isinstance(uses, ScalarNode) and isinstance(uses.value, str)
            and uses.value.lower().startswith("actions/github-script@") and isinstance(with_, MapNode)):
        scripts.append(("the github-script script:", with_.get("script")))
    for label, node in scripts:
        if not isinstance(node, ScalarNode) or not isinstance(node.value, str):
            continue
        script = node.value
        for match in _EXPRESSION.finditer(script):
            sources = untrusted_sources(match.group(1))
            if not sources:
                continue
            name = _env_name(match.group(1))
            warn(source.locate(node, script, match.start(), match.group(0)),
                 f"Possible script injection: {match.group(0)} goes straight into {label}, and "
                 f"{sources[0]} is chosen by whoever sends the event, so its text runs as code. "
                 f"Pass it through env: ({name}: {match.group(0)}) and use \"${name}\" in the script.")
        command = _DEPRECATED_COMMAND.search(script)
        if command and label == "the run: script":
            replacement = "$GITHUB_OUTPUT" if command.group(1) == "set-output" else "$GITHUB_STATE"
            warn(source.locate(node, script, command.start(), command.group(0)),
                 f"The ::{command.group(1)} command is deprecated by GitHub; write name=value lines to "
                 f"{replacement} instead.")


def _env_name(expression: str) -> str:
    """An environment variable name for an expression: its last property name, upper case."""
    path = _normalise(expression.strip())
    match = re.fullmatch(r"[A-Za-z_][\w.-]*", path)
    last = path.rsplit(".", 1)[-1] if match else "VALUE"
    return re.sub(r"[^A-Za-z0-9_]", "_", last).upper()
