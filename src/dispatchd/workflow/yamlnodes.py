"""YAML 1.2 core-schema reading into position-carrying nodes.

GitHub reads workflow files with the YAML 1.2 *core* schema (actions/languageservices
``workflow-parser/src/workflows/yaml-object-reader.ts``; actions/runner ``YamlObjectReader.cs``):
``on``/``yes``/``no`` are strings, ``0755`` is decimal 755, ``12_345`` is a string, timestamps are
strings. The parser only supplies events (libyaml through PyYAML when installed, else
ruamel.yaml, which also words the syntax errors); scalar resolution is our own, so the rules do
not depend on either library's YAML-version guesswork. Aliases resolve to the anchored node
(github.com accepts anchors since 2025). Duplicate keys are kept in ``MapNode.pairs`` so the
validator can report them as GitHub does (``'runs-on' is already defined``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

try:  # libyaml through PyYAML: the same event stream, about 30 times faster than pure Python
    import yaml as _pyyaml  # type: ignore[import-untyped]

    _LIBYAML: Any = _pyyaml if getattr(_pyyaml, "__with_libyaml__", False) else None
except ImportError:  # pragma: no cover - PyYAML is a dependency; only the speed depends on it
    _LIBYAML = None

from .errors import Collector

_TAG = "tag:yaml.org,2002:"
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT10 = re.compile(r"^[-+]?[0-9]+$")
_INT8 = re.compile(r"^0o[0-7]+$")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")
_STYLES = {None: "Plain", "'": "SingleQuoted", '"': "DoubleQuoted", "|": "Literal", ">": "Folded"}


@dataclass(eq=False)
class Node:
    """A YAML node with its 1-based position in the file."""

    line: int
    column: int


@dataclass(eq=False)
class ScalarNode(Node):
    """A scalar: ``value`` is ``None``, ``bool``, ``int``, ``float`` or ``str`` after resolution."""

    value: Any
    text: str = ""
    plain: bool = True
    end_line: int = 0
    end_column: int = 0


@dataclass(eq=False)
class SeqNode(Node):
    items: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class MapNode(Node):
    """A mapping; ``pairs`` keeps file order and any duplicate keys."""

    pairs: list[tuple[Node, Node]] = field(default_factory=list)

    def get(self, key: str) -> Node | None:
        """The value node of the first pair whose key is the string ``key`` (exact match)."""
        for k, v in self.pairs:
            if isinstance(k, ScalarNode) and k.value == key:
                return v
        return None


def resolve_plain(text: str) -> Any:
    """Resolve an untagged plain scalar by the YAML 1.2 core schema."""
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT10.match(text):
        return int(text, 10)
    if _INT8.match(text):
        return int(text, 0)
    if _INT16.match(text):
        return int(text, 0)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


def _resolve_tagged(tag: str, text: str, style: str | None, line: int, col: int) -> tuple[Any, str | None]:
    """Value of an explicitly tagged scalar, or an error text in GitHub's words."""
    name = tag[len(_TAG):] if tag.startswith(_TAG) else None
    if name is None or name not in ("str", "int", "float", "bool", "null"):
        return None, f"Unexpected tag '{tag}'"
    if name == "str":
        return text, None
    if style is not None:
        # actions/runner YamlObjectReader: only plain scalars may carry a non-string core tag.
        return None, (f"The scalar style '{_STYLES.get(style, style)}' on line {line} and column {col} "
                      f"is not valid with the tag '{tag}'")
    value = resolve_plain(text)
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "null": value is None,
    }[name]
    if not ok:
        return None, f"The value '{text}' on line {line} and column {col} is invalid for the type '{tag}'"
    if name == "float":
        value = float(value)
    return value, None


def _expand_tag(tag: str | None) -> str | None:
    if tag is None or tag == "!":
        return None
    if tag.startswith("!!"):
        return _TAG + tag[2:]
    return tag


def _events(text: str, fast: bool) -> Iterable[Any]:
    """YAML parser events for ``text``: libyaml's when available and the text parses, else
    ruamel.yaml's (whose errors are the ones reported). Both give the same events and marks;
    tests/workflow compare the trees they produce over every workflow in the test data."""
    if fast and _LIBYAML is not None:
        try:
            events: list[Any] = list(_LIBYAML.parse(text, Loader=_LIBYAML.CSafeLoader))
            return events
        except _LIBYAML.YAMLError:
            pass  # re-parse below so the message is ruamel's, like every other syntax error
    # The "safe" pipeline: round-trip mode marks folded line breaks with \a inside scalar values.
    pure: Iterable[Any] = YAML(typ="safe", pure=True).parse(text)
    return pure


def read_yaml(text: str, errors: Collector, *, max_depth: int = 50, fast: bool = True) -> Node | None:
    """Parse ``text`` (one YAML document) into nodes.

    Syntax errors, unsupported tags, multiple documents and nesting deeper than ``max_depth``
    (the root counts as 1; GitHub: ``Maximum object depth exceeded``) are reported to
    ``errors``; the return value is ``None`` when nothing usable was read. ``fast=False``
    forces the pure-Python parser.
    """
    anchors: dict[str, Node] = {}
    stack: list[Node] = []
    pending_key: list[Node | None] = []
    root: Node | None = None
    documents = 0

    def attach(node: Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent = stack[-1]
        if isinstance(parent, SeqNode):
            parent.items.append(node)
        elif isinstance(parent, MapNode):
            if pending_key[-1] is None:
                pending_key[-1] = node
            else:
                key = pending_key[-1]
                parent.pairs.append((key, node))
                pending_key[-1] = None

    try:
        for event in _events(text, fast):
            kind = type(event).__name__
            mark = getattr(event, "start_mark", None)
            line = (mark.line + 1) if mark is not None else 0
            col = (mark.column + 1) if mark is not None else 0
            if kind == "DocumentStartEvent":
                documents += 1
                if documents > 1:
                    errors.add(line, col, "Only one YAML document is allowed per workflow file")
                    break
            elif kind == "ScalarEvent":
                style = event.style or None  # libyaml says "" for plain, ruamel None
                tag = _expand_tag(event.tag) if not (event.implicit and event.implicit[0]) else None
                if tag is None and style is None and event.tag is None:
                    value: Any = resolve_plain(event.value)
                elif tag is None:
                    value = event.value
                else:
                    value, problem = _resolve_tagged(tag, event.value, style, line, col)
                    if problem:
                        errors.add(None, None, problem)
                if (event.value == "" and style is None and stack and isinstance(stack[-1], MapNode)
                        and isinstance(pending_key[-1], ScalarNode)):
                    # An empty value sits right after its key's colon (where GitHub reports it),
                    # not at the next token where the YAML parser places it.
                    key_node = pending_key[-1]
                    line, col = key_node.end_line, key_node.end_column + 1
                node: Node = ScalarNode(line, col, value, event.value, style is None,
                                        event.end_mark.line + 1, event.end_mark.column + 1)
                if event.anchor:
                    anchors[event.anchor] = node
                attach(node)
            elif kind in ("SequenceStartEvent", "MappingStartEvent"):
                tag = _expand_tag(event.tag)
                want = _TAG + ("seq" if kind == "SequenceStartEvent" else "map")
                if tag is not None and tag != want:
                    errors.add(None, None, f"Unexpected tag '{tag}'")
                if len(stack) + 1 > max_depth:
                    errors.add(None, None, "Maximum object depth exceeded")
                    return None
                node = SeqNode(line, col) if kind == "SequenceStartEvent" else MapNode(line, col)
                if event.anchor:
                    anchors[event.anchor] = node
                attach(node)
                stack.append(node)
                pending_key.append(None)
            elif kind in ("SequenceEndEvent", "MappingEndEvent"):
                stack.pop()
                pending_key.pop()
            elif kind == "AliasEvent":
                target = anchors.get(event.anchor)
                if target is None:
                    errors.add(line, col, f"Unknown anchor '{event.anchor}'")
                    target = ScalarNode(line, col, None, "")
                attach(target)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "Invalid YAML").strip()
        if mark is not None:
            errors.add(mark.line + 1, mark.column + 1, f"{problem[0].upper()}{problem[1:]}")
        else:
            errors.add(None, None, problem)
        return None
    except YAMLError as exc:  # pragma: no cover - ruamel raises marked errors for syntax problems
        errors.add(None, None, str(exc))
        return None
    return root


def to_python(node: Node | None) -> Any:
    """Plain Python value of a node: dict (first key wins on duplicates), list, or scalar."""
    if node is None:
        return None
    if isinstance(node, ScalarNode):
        return node.value
    if isinstance(node, SeqNode):
        return [to_python(item) for item in node.items]
    assert isinstance(node, MapNode)
    out: dict[Any, Any] = {}
    for key, value in node.pairs:
        k = to_python(key)
        if isinstance(k, (dict, list)):
            k = str(k)
        if k not in out:
            out[k] = to_python(value)
    return out
