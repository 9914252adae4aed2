"""Typed inputs of ``workflow_dispatch`` and ``workflow_call``: declarations and given values.

GitHub (docs "Events that trigger workflows › workflow_dispatch", REST "Create a workflow
dispatch event", "Reusing workflows"):

* ``workflow_dispatch`` input types are ``string`` (default), ``boolean``, ``number``, ``choice``,
  ``environment``; values arrive as strings. The ``inputs`` context holds them typed (booleans
  as booleans, numbers as numbers); ``github.event.inputs`` holds the strings.
* The API refuses (422) undeclared inputs — ``Unexpected inputs provided: ["foo"]`` — a missing
  required input without default — ``Required input 'x' not provided`` — and a value outside a
  choice's options or a boolean's ``true``/``false`` — ``Provided value 'x' for input 'y' not in
  the list of allowed values``. At most 25 inputs may be given.
* ``workflow_call`` inputs are ``boolean``/``number``/``string``; without a default they are
  ``false``/``0``/``""``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import Workflow

#: GitHub: a workflow_dispatch event carries at most 25 inputs.
MAX_DISPATCH_INPUTS = 25
_EMPTY = {"boolean": False, "number": 0, "string": ""}


class InputError(ValueError):
    """Given inputs GitHub's API would refuse; ``str()`` is GitHub's message."""


@dataclass(frozen=True)
class InputSpec:
    """One declared input: ``type`` is ``string``/``boolean``/``number``/``choice``/``environment``;
    ``default`` is the raw YAML value (None when absent); ``options`` only for ``choice``."""

    name: str
    type: str = "string"
    description: str | None = None
    required: bool = False
    default: Any = None
    options: list[str] = field(default_factory=list)


def _specs(config: Any) -> dict[str, InputSpec]:
    declared = config.get("inputs") if isinstance(config, dict) else None
    out: dict[str, InputSpec] = {}
    for name, spec in (declared or {}).items() if isinstance(declared, dict) else []:
        spec = spec if isinstance(spec, dict) else {}
        options = spec.get("options")
        out[str(name)] = InputSpec(
            name=str(name),
            type=str(spec.get("type") or "string"),
            description=spec.get("description") if isinstance(spec.get("description"), str) else None,
            required=spec.get("required") is True,
            default=spec.get("default"),
            options=[str(o) for o in options] if isinstance(options, list) else [],
        )
    return out


def dispatch_inputs(workflow: Workflow) -> dict[str, InputSpec]:
    """The ``on.workflow_dispatch.inputs`` declarations, in file order."""
    return _specs(workflow.on.get("workflow_dispatch"))


def call_inputs(workflow: Workflow) -> dict[str, InputSpec]:
    """The ``on.workflow_call.inputs`` declarations, in file order."""
    return _specs(workflow.on.get("workflow_call"))


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _number(text: str) -> int | float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    if math.isnan(number) or math.isinf(number):
        return None
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def resolve_dispatch_inputs(workflow: Workflow, given: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check and type the inputs of a ``workflow_dispatch`` event.

    ``given`` maps input name -> value as sent to the API (strings; booleans and numbers are
    accepted and read as their text). Returns ``(inputs, event_inputs)``: the typed ``inputs``
    context and the all-string ``github.event.inputs``, both with defaults filled in and in
    declaration order. Raises ``InputError`` with GitHub's 422 message.
    """
    specs = dispatch_inputs(workflow)
    if len(given) > MAX_DISPATCH_INPUTS:
        raise InputError(f"A maximum of {MAX_DISPATCH_INPUTS} inputs can be provided")
    unexpected = [name for name in given if name not in specs]
    if unexpected:
        raise InputError(f"Unexpected inputs provided: {json.dumps(unexpected)}")
    typed: dict[str, Any] = {}
    texts: dict[str, str] = {}
    for name, spec in specs.items():
        if name in given:
            text = _as_text(given[name])
        elif spec.default is not None:
            text = _as_text(spec.default)
        elif spec.required:
            raise InputError(f"Required input '{name}' not provided")
        else:
            text = ""
        if spec.type == "boolean":
            if text == "" and name not in given and spec.default is None:
                typed[name], texts[name] = False, "false"
                continue
            if text not in ("true", "false"):
                raise InputError(f"Provided value '{text}' for input '{name}' not in the list of allowed values")
            typed[name], texts[name] = text == "true", text
        elif spec.type == "choice":
            if text not in spec.options and not (text == "" and not spec.required):
                raise InputError(f"Provided value '{text}' for input '{name}' not in the list of allowed values")
            typed[name], texts[name] = text, text
        elif spec.type == "number":
            number = _number(text) if text != "" else None
            if text != "" and number is None:
                raise InputError(f"Provided value '{text}' for input '{name}' is not a valid number")
            typed[name], texts[name] = (number if number is not None else ""), text
        else:
            typed[name], texts[name] = text, text
    return typed, texts


def resolve_call_inputs(workflow: Workflow, given: Mapping[str, Any]) -> dict[str, Any]:
    """The ``inputs`` context of a called reusable workflow from the caller's evaluated ``with:``.

    Missing inputs take their default, else ``false``/``0``/``""`` by type. Raises ``InputError``
    for an undeclared input, a missing required one, or a value of the wrong type (GitHub's
    load-time messages, see ``reusable``)."""
    specs = call_inputs(workflow)
    for name in given:
        if name not in specs:
            raise InputError(f"Invalid input, {name} is not defined in the referenced workflow.")
    out: dict[str, Any] = {}
    for name, spec in specs.items():
        if name in given:
            value = given[name]
        elif spec.required:
            raise InputError(f"Input {name} is required, but not provided while calling.")
        else:
            value = spec.default if spec.default is not None else _EMPTY.get(spec.type, "")
        if spec.type == "boolean" and not isinstance(value, bool):
            raise InputError(f"Unexpected value '{_as_text(value)}'")
        if spec.type == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise InputError(f"Unexpected value '{_as_text(value)}'")
        if spec.type == "string" and not isinstance(value, str):
            value = _as_text(value)
        out[name] = value
    return out
