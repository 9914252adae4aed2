"""Built-in ``actions/github-script``: the ``script`` input runs as the body of an async function
in ``node``, with GitHub's toolkit objects in scope.

GitHub source: ``actions/github-script: src/main.ts`` (inputs, ``result-encoding``, the
``unhandledRejection`` handler, ``Unhandled error: …``), ``src/async-function.ts`` (the scope:
``github``/``octokit`` — an Octokit from ``@actions/github``'s ``getOctokit`` with the
``github-token`` input —, ``context``, ``core``, ``exec``, ``glob``, ``io``, ``require``).
The Octokit's ``baseUrl`` is ``base-url`` or ``GITHUB_API_URL`` (dispatchd's own API).

The toolkit packages (``@actions/core``, ``@actions/github``, ``@actions/exec``, ``@actions/glob``,
``@actions/io``) come from npm: the ``node_modules`` at the root of the dispatchd source checkout
(``npm ci`` installs them), or the folder named by ``DISPATCHD_NODE_MODULES`` in the runner's
environment. The script's process is a JavaScript action's: ``INPUT_*`` variables, file commands,
workflow commands; ``core.setOutput('result', …)`` reaches the step's outputs through
``GITHUB_OUTPUT``. ``retries`` and ``retry-exempt-status-codes`` are read but requests are not
retried (the API is local).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from dispatchd.runner.actions.builtins import Builtin, StepFailed
from dispatchd.runner.actions.manifest import input_env
from dispatchd.runner.jobstate import JobState, StepRun
from dispatchd.runner.process import ProcessStartError
from dispatchd.runner.script import execute
from dispatchd.runner.shells import which

PACKAGES = ("@actions/core", "@actions/github", "@actions/exec", "@actions/glob", "@actions/io")
BOOTSTRAP = Path(__file__).with_name("github_script.mjs")


def node_modules() -> Path:
    """``DISPATCHD_NODE_MODULES``, else ``node_modules`` at the source checkout's root."""
    configured = os.environ.get("DISPATCHD_NODE_MODULES")
    if configured:
        return Path(configured)
    # src/dispatchd/runner/actions/builtins/ → the checkout root is five levels up.
    return Path(__file__).resolve().parents[5] / "node_modules"


def missing_packages(folder: Path) -> list[str]:
    return [name for name in PACKAGES if not (folder / name / "package.json").is_file()]


class GithubScript(Builtin):
    action = "actions/github-script"
    # action.yml of actions/github-script v8.
    inputs: ClassVar[dict[str, str | None]] = {
        "script": None,
        "github-token": "${{ github.token }}",
        "debug": "${{ runner.debug == '1' }}",
        "user-agent": "actions/github-script",
        "previews": None,
        "result-encoding": "json",
        "retries": "0",
        "retry-exempt-status-codes": "400,401,403,404,422",
        "base-url": None,
    }

    async def act(self, job: JobState, step: StepRun, inputs: dict[str, str]) -> str:
        folder = node_modules()
        missing = missing_packages(folder)
        if missing:
            raise StepFailed(
                f"The built-in actions/github-script needs the npm packages {', '.join(missing)} in "
                f"'{folder}': run 'npm ci' in the dispatchd source checkout, or set DISPATCHD_NODE_MODULES "
                "to a node_modules folder that has them."
            )
        env = step.process_env(job, {**input_env(inputs), "DISPATCHD_NODE_MODULES_DIR": str(folder)})
        env.pop("NODE_ICU_DATA", None)
        node = which("node", env.get("PATH"))
        if node is None:
            raise StepFailed(
                "The built-in actions/github-script needs Node.js: 'node' was not found on PATH."
            )
        try:
            result = await execute(job, step, [node, str(BOOTSTRAP)], job.workspace, env)
        except ProcessStartError as error:
            raise StepFailed(str(error)) from None
        if result.cancelled:
            return "cancelled"
        if result.timed_out or result.exit_code != 0:
            return "failure"
        return "success"
