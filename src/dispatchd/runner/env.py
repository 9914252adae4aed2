"""The environment of a step process and the ``github``/``runner`` contexts it is derived from.

GitHub source: ``actions/runner: src/Runner.Worker/GitHubContext.cs`` (which ``github.*`` keys become
``GITHUB_*``), ``RunnerContext.cs`` (``RUNNER_*``), ``ProcessInvoker.cs`` (``CI``,
``GITHUB_ACTIONS``), ``Handlers/Handler.cs`` (``PATH``); reference/runner-protocol.md §2.

Order (later wins): the runner's own environment, the user's env (workflow < job < ``$GITHUB_ENV``
< step), then the default variables, so users cannot override ``GITHUB_*``/``RUNNER_*``; ``CI``
is set only when neither the user nor the runner environment has it.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping
from typing import Any

#: ``github`` context keys exported as ``GITHUB_<KEY>`` (GitHubContext._contextEnvAllowlist).
GITHUB_ENV_KEYS = (
    "action",
    "action_path",
    "action_ref",
    "action_repository",
    "actor",
    "actor_id",
    "api_url",
    "base_ref",
    "env",
    "event_name",
    "event_path",
    "graphql_url",
    "head_ref",
    "job",
    "output",
    "path",
    "ref",
    "ref_name",
    "ref_protected",
    "ref_type",
    "repository",
    "repository_id",
    "repository_owner",
    "repository_owner_id",
    "retention_days",
    "run_attempt",
    "run_id",
    "run_number",
    "server_url",
    "sha",
    "state",
    "step_summary",
    "triggering_actor",
    "workflow",
    "workflow_ref",
    "workflow_sha",
    "workspace",
)
#: Keys that change from step to step (the rest are computed once per job).
PER_STEP_KEYS = (
    "action",
    "action_path",
    "action_ref",
    "action_repository",
    "env",
    "output",
    "path",
    "state",
    "step_summary",
)

_ARCH = {
    "x86_64": "X64",
    "amd64": "X64",
    "i386": "X86",
    "i686": "X86",
    "x86": "X86",
    "aarch64": "ARM64",
    "arm64": "ARM64",
    "armv7l": "ARM",
    "armv6l": "ARM",
    "arm": "ARM",
}
_OS = {"Linux": "Linux", "Darwin": "macOS", "Windows": "Windows"}


def runner_os() -> str:
    """``Linux``, ``macOS`` or ``Windows`` (``RUNNER_OS``)."""
    return _OS.get(platform.system(), platform.system())


def runner_arch() -> str:
    """``X86``, ``X64``, ``ARM`` or ``ARM64`` (``RUNNER_ARCH``)."""
    return _ARCH.get(platform.machine().lower(), platform.machine().upper())


def runner_context(
    *, temp: str, tool_cache: str, workspace: str, debug: bool, name: str = "dispatchd"
) -> dict[str, str]:
    """The ``runner`` context: ``os``, ``arch``, ``name``, ``environment``, ``temp``, ``tool_cache``,
    ``workspace`` (the parent of ``GITHUB_WORKSPACE``, as GitHub sets it), ``debug`` (``"1"`` only
    with step debug)."""
    context = {
        "os": runner_os(),
        "arch": runner_arch(),
        "name": name,
        "environment": "self-hosted",
        "temp": temp,
        "tool_cache": tool_cache,
        "workspace": os.path.dirname(workspace.rstrip("/")),
    }
    if debug:
        context["debug"] = "1"
    return context


def _string(value: Any) -> str | None:
    """GitHub exports only string and boolean context values (booleans as true/false); numbers
    are accepted here because an engine may hand ``run_id`` as an int."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return str(value)
    return None


def complete_github_context(
    github: Mapping[str, Any],
    *,
    job_key: str,
    run_id: int,
    run_number: int,
    run_attempt: int,
    workspace: str,
    event_path: str,
    workflow_path: str,
) -> dict[str, Any]:
    """The job's ``github`` context: the engine's values plus what the runner owns (``job``,
    ``workspace``, ``event_path``) and GitHub's derived keys when the engine left them out
    (``ref_name``, ``ref_type``, ``repository_owner``, ``graphql_url``, ``workflow``, empty
    ``base_ref``/``head_ref``, ``retention_days``)."""
    ctx = dict(github)
    ctx["job"] = job_key
    ctx["workspace"] = workspace
    ctx["event_path"] = event_path
    ctx.setdefault("run_id", str(run_id))
    ctx.setdefault("run_number", str(run_number))
    ctx.setdefault("run_attempt", str(run_attempt))
    ref = str(ctx.get("ref") or "")
    if ref and "ref_name" not in ctx:
        for prefix in ("refs/heads/", "refs/tags/"):
            if ref.startswith(prefix):
                ctx["ref_name"] = ref[len(prefix) :]
                break
        else:
            ctx["ref_name"] = ref
    if ref and "ref_type" not in ctx:
        ctx["ref_type"] = "tag" if ref.startswith("refs/tags/") else "branch"
    ctx.setdefault("ref_protected", False)
    repository = str(ctx.get("repository") or "")
    if "/" in repository:
        ctx.setdefault("repository_owner", repository.split("/", 1)[0])
    if ctx.get("api_url") and "graphql_url" not in ctx:
        ctx["graphql_url"] = str(ctx["api_url"]).rstrip("/") + "/graphql"
    ctx.setdefault("workflow", workflow_path)
    ctx.setdefault("base_ref", "")
    ctx.setdefault("head_ref", "")
    ctx.setdefault("retention_days", "90")
    if ctx.get("actor") and "triggering_actor" not in ctx:
        ctx["triggering_actor"] = ctx["actor"]
    return ctx


def job_defaults(github: Mapping[str, Any], runner: Mapping[str, str]) -> dict[str, str]:
    """The default variables that are the same for every step of the job."""
    out: dict[str, str] = {}
    for key in GITHUB_ENV_KEYS:
        if key in PER_STEP_KEYS or key not in github:
            continue
        value = _string(github[key])
        if value is not None:
            out["GITHUB_" + key.upper()] = value
    for key, value in runner.items():
        out["RUNNER_" + key.upper()] = value
    out["GITHUB_ACTIONS"] = "true"
    return out


def step_environment(
    base: Mapping[str, str],
    user_env: Mapping[str, str],
    defaults: Mapping[str, str],
    per_step: Mapping[str, str],
    prepend_path: list[str],
) -> dict[str, str]:
    """The full environment of one step process.

    Args:
        base: the runner's own environment (``os.environ`` unless the caller gives one).
        user_env: workflow < job < ``$GITHUB_ENV`` < step env, already merged.
        defaults: :func:`job_defaults`.
        per_step: ``GITHUB_ACTION``, the file-command paths, action variables.
        prepend_path: ``$GITHUB_PATH`` entries in the order added (the newest ends up first).
    """
    env = dict(base)
    env.update(user_env)
    env.update(defaults)
    env.update(per_step)
    if "CI" not in user_env and "CI" not in base:
        env["CI"] = "true"
    if prepend_path:
        original = user_env.get("PATH", base.get("PATH", ""))
        prefix = os.pathsep.join(reversed(prepend_path))
        env["PATH"] = prefix + (os.pathsep + original if original else "")
    return env


def add_paths(prepend_path: list[str], new: list[str]) -> None:
    """Apply ``$GITHUB_PATH`` lines: an existing identical entry moves to the newest position."""
    for entry in new:
        if entry in prepend_path:
            prepend_path.remove(entry)
        prepend_path.append(entry)
