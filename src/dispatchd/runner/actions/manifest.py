"""``action.yml`` metadata: loading with GitHub's errors, and inputs as a step receives them.

GitHub source: ``actions/runner: src/Runner.Worker/ActionManifestManager.cs``, ``action_yaml.json``,
``ActionRunner.cs`` (inputs, ``INPUT_<NAME>``, warnings); reference/runner-protocol.md §7.1–§7.3.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from dispatchd.runner.evaluation import ExpressionError, render, to_string

NODE_VERSIONS = ("node12", "node16", "node20", "node24")
USING_REQUIRED = (
    "Missing 'using' value. 'using' requires 'composite', 'docker', 'node12', 'node16', 'node20' or 'node24'."
)


class ActionError(Exception):
    """An action that cannot be loaded or run; the message is GitHub's where GitHub has one."""


@dataclass
class ActionManifest:
    """A loaded ``action.yml``.

    Attributes:
        file: the metadata file's path; directory: the action's directory (``github.action_path``).
        using: ``runs.using`` lower-cased (``node20``, ``composite``, ``docker``).
        inputs: input id → its mapping (``description``, ``required``, ``default``,
            ``deprecationMessage``), in file order.
        outputs: output id → its mapping (``value`` for composite actions).
        runs: the ``runs`` mapping as read.
    """

    file: str
    directory: str
    name: str
    using: str
    runs: dict[str, Any]
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)


def find_metadata(directory: str) -> str | None:
    """``action.yml``, else ``action.yaml``, else ``Dockerfile`` in ``directory`` (GitHub's order)."""
    for name in ("action.yml", "action.yaml", "Dockerfile"):
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    return None


def load(directory: str, uses: str, *, local: bool) -> ActionManifest:
    """Load the action in ``directory`` (named ``uses`` in messages).

    Raises:
        ActionError: no metadata (``Can't find 'action.yml', 'action.yaml' or 'Dockerfile' …``),
            YAML errors, and GitHub's messages for a missing or unsupported ``runs.using``, a node
            action without ``main``, a composite without ``steps``, a docker action without ``image``.
    """
    path = find_metadata(directory)
    if path is None:
        if local:
            raise ActionError(
                f"Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under '{directory}'. "
                "Did you forget to run actions/checkout before running your local action?"
            )
        raise ActionError(f"Can't find 'action.yml', 'action.yaml' or 'Dockerfile' for action '{uses}'.")
    if os.path.basename(path) == "Dockerfile":
        return ActionManifest(path, directory, uses, "docker", {"using": "docker", "image": "Dockerfile"})
    try:
        with open(path, encoding="utf-8") as handle:
            data = YAML(typ="safe", pure=True).load(handle)
    except (OSError, YAMLError) as error:
        raise ActionError(f"Failed to load {path}: {error}") from error
    if not isinstance(data, dict):
        raise ActionError(f"Failed to load {path}: the file is not a mapping")
    runs = data.get("runs")
    if not isinstance(runs, dict):
        raise ActionError(f"Top level 'runs:' section is required for {path}")
    using = runs.get("using")
    if not using:
        raise ActionError(f"Failed to load {path}: {USING_REQUIRED}")
    using = str(using).lower()
    if using in NODE_VERSIONS:
        if not runs.get("main"):
            raise ActionError(
                f"You are using a JavaScript Action but there is not an entry JavaScript file provided in {path}."
            )
    elif using == "composite":
        if not runs.get("steps"):
            raise ActionError(f"You are using a composite action but there are no steps provided in {path}.")
    elif using == "docker":
        if not runs.get("image"):
            raise ActionError(f"You are using a Container Action but an image is not provided in {path}.")
        _check_docker_expressions(path, runs, data.get("inputs") or {})
    else:
        raise ActionError(
            f"'using: {runs.get('using')}' is not supported, use 'docker', 'node12', 'node16', 'node20' "
            "or 'node24' instead."
        )
    inputs = {str(k): (v if isinstance(v, dict) else {}) for k, v in (data.get("inputs") or {}).items()}
    outputs = {str(k): (v if isinstance(v, dict) else {}) for k, v in (data.get("outputs") or {}).items()}
    return ActionManifest(path, directory, str(data.get("name") or uses), using, runs, inputs, outputs)


def _check_docker_expressions(path: str, runs: dict[str, Any], inputs: dict[str, Any]) -> None:
    """A docker action's ``args`` and ``env`` may read only the ``inputs`` context (action_yaml.json);
    GitHub rejects any other context when it loads the file."""
    contexts = {"inputs": {str(name): "" for name in inputs}}
    values = list(runs.get("args") or []) + list((runs.get("env") or {}).values())
    for value in values:
        try:
            render(value, contexts, job_status="success")
        except ExpressionError as error:
            raise ActionError(f"Failed to load {path}: {error}") from error


def resolve_inputs(
    manifest: ActionManifest, supplied: dict[str, str], contexts: dict[str, Any], status: str
) -> tuple[dict[str, str], list[str]]:
    """The inputs an action receives, and GitHub's warnings about them.

    Every declared input exists: the supplied value, else its evaluated ``default``, else ``""``.
    Supplied inputs that are not declared are passed too, with the warning
    ``Unexpected input(s) 'x', valid inputs are ['a', 'b']``; a supplied deprecated input warns
    ``Input '<name>' has been deprecated with message: <message>``. ``required`` is not enforced
    (GitHub leaves that to the action). Input names match case-insensitively.
    """
    by_lower = {name.lower(): name for name in manifest.inputs}
    inputs: dict[str, str] = {}
    warnings: list[str] = []
    unexpected = []
    for name, value in supplied.items():
        declared = by_lower.get(name.lower())
        if declared is None:
            unexpected.append(name)
            inputs[name] = value
            continue
        inputs[declared] = value
        message = manifest.inputs[declared].get("deprecationMessage")
        if message:
            warnings.append(f"Input '{declared}' has been deprecated with message: {message}")
    if unexpected and manifest.using != "docker":
        valid = ", ".join(f"'{n}'" for n in manifest.inputs)
        warnings.append(
            f"Unexpected input(s) {', '.join(repr(n) for n in unexpected)}, valid inputs are [{valid}]"
        )
    for name, spec in manifest.inputs.items():
        if name not in inputs:
            default = spec.get("default")
            inputs[name] = render(default, contexts, job_status=status) if default is not None else ""
    return inputs, warnings


def input_env(inputs: dict[str, str]) -> dict[str, str]:
    """``INPUT_<NAME>`` variables: spaces become ``_``, upper-cased, hyphens kept (ActionRunner.cs)."""
    return {"INPUT_" + name.replace(" ", "_").upper(): to_string(value) for name, value in inputs.items()}
