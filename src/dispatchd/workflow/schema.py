"""Structural validation against GitHub's workflow template schema.

A port of the validating half of GitHub's template reader (actions/languageservices
``workflow-parser/src/templates/template-reader.ts``) driven by GitHub's own schema file
(``schema/workflow-v1.0.json``, definitions such as ``workflow-root-strict``, ``job-factory``,
``run-step``). It is *not* JSON Schema: definitions are ``mapping`` (well-known ``properties``
and/or ``loose-key-type``/``loose-value-type``), ``sequence`` (``item-type``), scalars
(``string`` with ``constant``/``require-non-empty``, ``boolean``, ``number``, ``null``,
``allowed-values``), ``one-of``, and ``context`` — the named values and functions an expression
in that key may use (inherited by everything below it).

What it reports, in GitHub's words: ``Unexpected value 'x'``, ``Required property is missing: x``,
``'x' is already defined`` (keys compare case-insensitively), ``A mapping was not expected``,
``A sequence was not expected``, ``There's not enough info to determine what you meant. Add one
of these properties: …``, ``A template expression is not allowed in this context``, ``An
expression was expected``, the unclosed-``${{`` error and the directive error. Each ``${{ }}``
found is handed to ``on_expression`` with its allowed contexts, so expression checking stays in
``exprcheck``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .errors import Collector
from .yamlnodes import MapNode, Node, ScalarNode, SeqNode

OPEN, CLOSE = "${{", "}}"
#: GitHub: expressions (and so strings holding one) are limited to 21,000 characters.
MAX_EXPRESSION_LENGTH = 21000
_BUILTIN: dict[str, dict[str, Any]] = {
    "any": {"one-of": ["null", "boolean", "number", "string", "sequence", "mapping"]},
    "null": {"null": {}},
    "boolean": {"boolean": {}},
    "number": {"number": {}},
    "string": {"string": {}},
    "sequence": {"sequence": {"item-type": "any"}},
    "mapping": {"mapping": {"loose-key-type": "string", "loose-value-type": "any"}},
}
_SCALAR_KINDS = ("null", "boolean", "number", "string", "allowed-values")

#: (node, expression text, allowed contexts) — called for every ``${{ }}`` the reader accepts.
ExpressionHook = Callable[[ScalarNode, str, tuple[str, ...]], bool]


#: Step kinds GitHub gates behind the ``allowBackgroundSteps`` feature (its "next-gen" runner).
_BACKGROUND_STEP_KINDS = ("wait-step", "wait-all-step", "cancel-step")


@lru_cache(maxsize=2)
def load_schema(background_steps: bool = False) -> dict[str, dict[str, Any]]:
    """GitHub's workflow schema definitions (name -> definition), with the built-in types.

    Background steps (``background:``, ``wait``, ``wait-all``, ``cancel``) are removed: GitHub
    only accepts them with an experimental feature flag, and dispatchd does not run them, so
    they are reported as unexpected values (``background_steps=True`` keeps them)."""
    text = resources.files("dispatchd.workflow").joinpath("schema/workflow-v1.0.json").read_text("utf-8")
    definitions: dict[str, dict[str, Any]] = json.loads(text)["definitions"]
    for name, definition in _BUILTIN.items():
        definitions.setdefault(name, definition)
    # GitHub's service accepts `inputs:` and an input with no settings left empty (the Go and C#
    # parsers; reader cases on-workflow_dispatch-inputs*.yml), so null is allowed there.
    definitions["workflow-dispatch-mapping"]["mapping"]["properties"]["inputs"] = "workflow-dispatch-inputs-or-null"
    definitions["workflow-dispatch-inputs-or-null"] = {"one-of": ["null", "workflow-dispatch-inputs"]}
    definitions["workflow-dispatch-inputs"]["mapping"]["loose-value-type"] = "workflow-dispatch-input-or-null"
    definitions["workflow-dispatch-input-or-null"] = {"one-of": ["null", "workflow-dispatch-input"]}
    if background_steps:
        return definitions
    steps_item = definitions["steps-item"]
    steps_item["one-of"] = [k for k in steps_item["one-of"] if k not in _BACKGROUND_STEP_KINDS]
    for kind in ("run-step", "regular-step"):
        definitions[kind]["mapping"]["properties"].pop("background", None)
    return definitions


@dataclass(frozen=True)
class Definition:
    """A schema definition seen from a position: its name and the contexts allowed there."""

    name: str
    context: tuple[str, ...]
    background_steps: bool = False

    def child(self, name: str) -> Definition:
        extra = load_schema(self.background_steps)[name].get("context") or []
        if not extra:
            return Definition(name, self.context, self.background_steps)
        merged = list(self.context) + [c for c in extra if c not in self.context]
        return Definition(name, tuple(merged), self.background_steps)

    def expand(self) -> list[dict[str, Any]]:
        """The concrete definitions behind this one (one-of flattened, in order)."""
        return _expand(self.name, self.background_steps)

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [d for d in self.expand() if kind in d]


@lru_cache(maxsize=1024)
def _expand_cached(name: str, background_steps: bool) -> tuple[dict[str, Any], ...]:
    definition = load_schema(background_steps)[name]
    if "one-of" in definition:
        out: list[dict[str, Any]] = []
        for option in definition["one-of"]:
            out.extend(_expand_cached(option, background_steps))
        return tuple(out)
    return (definition,)


def _expand(name: str, background_steps: bool = False) -> list[dict[str, Any]]:
    return list(_expand_cached(name, background_steps))


def _literal_text(value: Any) -> str:
    """How GitHub prints a literal in ``Unexpected value '…'`` (JavaScript ``toString``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    return str(value)


def _scalar_matches(definition: dict[str, Any], value: Any) -> bool:
    if "null" in definition:
        return value is None
    if "boolean" in definition:
        return isinstance(value, bool)
    if "number" in definition:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if "allowed-values" in definition:
        return isinstance(value, str) and value in definition["allowed-values"]
    if "string" in definition:
        if not isinstance(value, str):
            return False
        spec = definition["string"] or {}
        if "constant" in spec:
            constant = str(spec["constant"])
            return value.lower() == constant.lower() if spec.get("ignore-case") else value == constant
        if spec.get("require-non-empty"):
            return value != ""
        return True
    return False


class SchemaReader:
    """Walks a node tree against a root definition, reporting to a ``Collector``.

    ``on_expression(node, expression, contexts)`` is called for each ``${{ }}`` found and
    returns False when the expression is invalid (the scalar then counts as a plain string,
    as in GitHub's reader). ``background_steps`` keeps GitHub's experimental step kinds."""

    def __init__(self, errors: Collector, on_expression: ExpressionHook | None = None, *,
                 background_steps: bool = False) -> None:
        self.errors = errors
        self.on_expression = on_expression
        self.background_steps = background_steps

    def read(self, node: Node, root: str = "workflow-root-strict") -> None:
        """Validate ``node`` as the schema definition ``root`` (a whole workflow by default)."""
        context = tuple(load_schema(self.background_steps)[root].get("context") or [])
        self.read_value(node, Definition(root, context, self.background_steps))

    # -- values ---------------------------------------------------------------------------

    def read_value(self, node: Node, definition: Definition) -> None:
        if isinstance(node, ScalarNode):
            is_expression = self.scan_scalar(node, definition)
            self.validate_scalar(node, definition, is_expression)
        elif isinstance(node, SeqNode):
            sequences = definition.of_kind("sequence")
            if not sequences:
                self.errors.at(node, "A sequence was not expected")
                return
            item = definition.child(sequences[0]["sequence"]["item-type"])
            for child in node.items:
                self.read_value(child, item)
        elif isinstance(node, MapNode):
            mappings = [d["mapping"] for d in definition.of_kind("mapping")]
            if not mappings:
                self.errors.at(node, "A mapping was not expected")
                return
            first = mappings[0]
            if len(mappings) > 1 or first.get("properties") or not first.get("loose-key-type"):
                self.read_known_mapping(node, definition, mappings)
            else:
                self.read_loose_mapping(node, definition, first)

    def validate_scalar(self, node: ScalarNode, definition: Definition, is_expression: bool) -> None:
        if is_expression:
            if not definition.context:
                self.errors.at(node, "A template expression is not allowed in this context")
            return
        scalars = [d for d in definition.expand() if any(k in d for k in _SCALAR_KINDS)]
        if any(_scalar_matches(d, node.value) for d in scalars):
            return
        if not isinstance(node.value, str) and any(_scalar_matches(d, _literal_text(node.value)) for d in scalars):
            return
        self.errors.at(node, f"Unexpected value '{_literal_text(node.value)}'")

    # -- mappings -------------------------------------------------------------------------

    def _key_text(self, key: Node) -> str:
        if isinstance(key, ScalarNode):
            return _literal_text(key.value)
        return ""

    def read_known_mapping(self, node: MapNode, definition: Definition, mappings: list[dict[str, Any]]) -> None:
        candidates = list(mappings)
        loose_key = candidates[0].get("loose-key-type")
        loose_value = candidates[0].get("loose-value-type")
        seen: set[str] = set()
        has_expression_key = False
        for key, value in node.pairs:
            if isinstance(key, ScalarNode) and self.scan_scalar(key, definition):
                has_expression_key = True
                if definition.context:
                    self.read_value(value, definition.child("any"))
                else:
                    self.errors.at(key, "A template expression is not allowed in this context")
                continue
            name = self._key_text(key)
            if name.upper() in seen:
                self.errors.at(key, f"'{name}' is already defined")
                continue
            seen.add(name.upper())
            prop = self._match_property(candidates, name)
            if prop is not None:
                self.read_value(value, definition.child(prop if isinstance(prop, str) else prop["type"]))
                continue
            if loose_key and loose_value:
                self.validate_key(key, definition.child(loose_key))
                self.read_value(value, definition.child(loose_value))
                continue
            self.errors.at(key, f"Unexpected value '{name}'")
        if len(candidates) > 1:
            hits: dict[str, int] = {}
            for mapping in candidates:
                for prop_name in mapping.get("properties", {}):
                    hits[prop_name] = hits.get(prop_name, 0) + 1
            unique = sorted(k for k, n in hits.items() if n == 1)
            self.errors.at(node, "There's not enough info to determine what you meant. "
                                 f"Add one of these properties: {', '.join(unique)}")
        elif not has_expression_key:
            for prop_name, prop in candidates[0].get("properties", {}).items():
                if isinstance(prop, dict) and prop.get("required") and prop_name.upper() not in seen:
                    self.errors.at(node, f"Required property is missing: {prop_name}")

    @staticmethod
    def _match_property(candidates: list[dict[str, Any]], name: str) -> Any:
        # template-schema.ts matchPropertyAndFilter: a key known to some candidates narrows the
        # candidates to those (that is how a step becomes a run step or an action step).
        found = None
        missing = False
        for mapping in candidates:
            prop = mapping.get("properties", {}).get(name)
            if prop is not None:
                found = prop
            else:
                missing = True
        if found is not None and missing:
            candidates[:] = [m for m in candidates if name in m.get("properties", {})]
        return found

    def read_loose_mapping(self, node: MapNode, definition: Definition, mapping: dict[str, Any]) -> None:
        key_definition = definition.child(mapping["loose-key-type"])
        value_definition = definition.child(mapping["loose-value-type"])
        seen: set[str] = set()
        for key, value in node.pairs:
            if isinstance(key, ScalarNode) and self.scan_scalar(key, definition):
                if definition.context:
                    self.read_value(value, value_definition)
                else:
                    self.errors.at(key, "A template expression is not allowed in this context")
                continue
            name = self._key_text(key)
            if name.upper() in seen:
                self.errors.at(key, f"'{name}' is already defined")
                continue
            seen.add(name.upper())
            self.validate_key(key, key_definition)
            self.read_value(value, value_definition)

    def validate_key(self, key: Node, definition: Definition) -> None:
        if isinstance(key, ScalarNode):
            text = ScalarNode(key.line, key.column, self._key_text(key), key.text, key.plain)
            self.validate_scalar(text, definition, False)
        else:
            self.errors.at(key, f"Unexpected value '{self._key_text(key)}'")

    # -- expressions ------------------------------------------------------------------------

    def scan_scalar(self, node: ScalarNode, definition: Definition) -> bool:
        """Split a string into text and ``${{ }}`` segments; report reader-level errors.

        Returns True when the scalar is an expression (any segment is one and all parsed), as
        GitHub's ``parseScalar`` does; a lone quoted literal (``${{ 'x' }}``) stays a string.
        """
        value = node.value
        if not isinstance(value, str) or OPEN not in value:
            return False
        raw = value
        segments: list[tuple[bool, str]] = []
        failed = False
        i = 0
        start = raw.find(OPEN)
        while i < len(raw):
            if i == start:
                end = -1
                in_string = False
                j = i + len(OPEN)
                while j < len(raw):
                    if raw[j] == "'":
                        in_string = not in_string
                    elif not in_string and raw[j] == "}" and raw[j - 1] == "}":
                        end = j
                        j += 1
                        break
                    j += 1
                if end < start:
                    self.errors.at(node, "The expression is not closed. An unescaped ${{ sequence was "
                                         "found, but the closing }} sequence was not found.")
                    return False
                i = j
                inner = raw[start + len(OPEN): end - 1]
                trimmed = inner.strip()
                if not trimmed:
                    self.errors.at(node, "An expression was expected")
                    failed = True
                elif trimmed == "insert" or trimmed.startswith(("insert ", "insert\t")):
                    if trimmed != "insert":
                        self.errors.at(node, "Exactly 0 parameter(s) were expected following the directive "
                                             "'insert'. Actual parameter count: 1")
                        failed = True
                    elif start != 0 or i < len(raw):
                        self.errors.at(node, "The directive 'insert' is not allowed in this context. Directives "
                                             "are not supported for expressions that are embedded within a "
                                             "string. Directives are only supported when the entire value is "
                                             "an expression.")
                        return False
                    else:
                        segments.append((True, trimmed))
                else:
                    if self.on_expression is not None and not self.on_expression(node, trimmed, definition.context):
                        failed = True
                    segments.append((True, trimmed))
                start = raw.find(OPEN, i)
            elif start != -1 and i < start:
                segments.append((False, raw[i:start]))
                i = start
            else:
                segments.append((False, raw[i:]))
                break
        if failed:
            return False
        if len(raw) > MAX_EXPRESSION_LENGTH and any(is_expr for is_expr, _ in segments):
            # The whole value becomes one format() expression, bound by the expression limit.
            self.errors.at(node, f"Exceeded max expression length {MAX_EXPRESSION_LENGTH}")
            return False
        exprs = [text for is_expr, text in segments if is_expr]
        if len(segments) == 1 and len(exprs) == 1 and _string_literal(exprs[0]) is not None:
            return False
        return bool(exprs)


def _string_literal(expression: str) -> str | None:
    """The text of an expression that is only a quoted string (``'{{ x }}'``), else None."""
    if len(expression) < 2 or expression[0] != "'" or expression[-1] != "'":
        return None
    body = expression[1:-1]
    if "'" in body.replace("''", ""):
        return None
    return body.replace("''", "'")
