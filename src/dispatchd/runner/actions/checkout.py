"""Built-in ``actions/checkout``: the run's commit of the local repository into the workspace.

The real action clones from github.com; here the repository is the local git repository of the
run (``JobAssignment.repository_path``). Inputs honoured (as actions/checkout v4 reads them):
``path`` (under the workspace; default the workspace itself), ``ref`` (branch, tag or SHA; default
``github.sha``), ``fetch-depth`` (default 1, ``0`` = all history, branches and tags), ``clean``
(default true: ``git clean -ffdx`` and ``git reset --hard`` of an existing checkout). ``repository``
must name the run's own repository (no other source is reachable). Other inputs are accepted and
ignored (``token``, ``ssh-key``, ``persist-credentials``, …).
"""

from __future__ import annotations

import os
import shlex
from typing import Any

from dispatchd.runner.evaluation import evaluate, to_string
from dispatchd.runner.jobstate import JobState, StepRun
from dispatchd.runner.process import ProcessStartError
from dispatchd.runner.script import execute

CHECKOUT = "actions/checkout"


def inputs_of(step: StepRun, job: JobState) -> dict[str, str]:
    """The step's ``with:`` evaluated to strings (GitHub stringifies scalar inputs)."""
    raw = step.raw.get("with") or {}
    values: Any = evaluate(raw, step.contexts, job_status=step.status)
    if not isinstance(values, dict):
        return {}
    return {str(k): to_string(v) for k, v in values.items()}


class Checkout:
    """The built-in checkout; ``ref`` is the parsed ``uses`` (for the version shown in the log)."""

    def __init__(self, ref: Any) -> None:
        self.ref = ref

    async def run(self, job: JobState, step: StepRun) -> str:
        inputs = inputs_of(step, job)
        github = job.contexts["github"]
        # GitHub's header for an action step: the group, then "with:" and the inputs.
        header = [f"##[group]Run {self.ref.uses}"]
        if inputs:
            header.append("with:")
            header.extend(f"  {k}: {v}" for k, v in inputs.items())
        header.append("##[endgroup]")
        header.append(f"dispatchd built-in actions/checkout (in place of {self.ref.uses})")
        job.log.write_lines(header)
        repository = inputs.get("repository", "")
        if repository and repository.lower() != str(github.get("repository", "")).lower():
            step.error(
                job,
                f"The built-in actions/checkout can only check out this run's repository "
                f"'{github.get('repository')}', not '{repository}'.",
            )
            return "failure"
        source = job.assignment.repository_path
        target = os.path.normpath(os.path.join(job.workspace, inputs.get("path") or ""))
        workspace = os.path.normpath(job.workspace)
        if target != workspace and not target.startswith(workspace + os.sep):
            step.error(job, f"Repository path '{target}' is not under '{workspace}'")
            return "failure"
        try:
            depth = int(inputs.get("fetch-depth") or "1")
        except ValueError:
            step.error(job, f"The input 'fetch-depth' must be a number, got '{inputs.get('fetch-depth')}'")
            return "failure"
        ref = inputs.get("ref") or ""
        sha = str(github.get("sha") or "")
        branch = ""
        if not ref:
            ref = sha or "HEAD"
            github_ref = str(github.get("ref") or "")
            if github_ref.startswith("refs/heads/"):
                branch = github_ref[len("refs/heads/") :]
        elif not _is_sha(ref):
            branch = ref.removeprefix("refs/heads/")
            if ref.startswith("refs/tags/"):
                branch = ""
        clean = inputs.get("clean", "true").lower() != "false"
        if os.path.realpath(target) == os.path.realpath(source):
            # One-shot runs use the repository's working tree as the workspace (as act does):
            # checking out there would clean and reset the user's uncommitted work.
            job.log.write("The workspace is the repository's working tree; it is used as it is.")
            return "success"
        os.makedirs(target, exist_ok=True)
        # One shell script keeps the built-in to a single process start, and shows each git
        # command in the log the way actions/checkout does.
        url = "file://" + os.path.abspath(source)
        fetch = "--no-tags --prune --no-recurse-submodules" + (f" --depth={depth}" if depth > 0 else "")
        lines = [
            "set -e",
            'run() { printf "[command]%s\\n" "$*"; "$@"; }',
            "export GIT_TERMINAL_PROMPT=0",
            "[ -d .git ] || run git init -q .",
            "git remote remove origin 2>/dev/null || true",
            f"run git remote add origin {shlex.quote(url)}",
        ]
        if clean:
            lines.append(
                "if git rev-parse --verify -q HEAD >/dev/null; then run git clean -ffdx; "
                "run git reset --hard HEAD; fi"
            )
        if depth <= 0:
            lines.append(
                f"run git fetch {fetch.replace('--no-tags ', '')} origin "
                "'+refs/heads/*:refs/remotes/origin/*' '+refs/tags/*:refs/tags/*'"
            )
        # Resolve the ref in the source repository: a branch, a tag, or a commit.
        lines.append(
            f"ref={shlex.quote(ref)}; "
            f'sha=$(git -C {shlex.quote(os.path.abspath(source))} rev-parse --verify -q "$ref^{{commit}}" || '
            f'git -C {shlex.quote(os.path.abspath(source))} rev-parse --verify -q "refs/tags/$ref^{{commit}}" || '
            f'git -C {shlex.quote(os.path.abspath(source))} rev-parse --verify -q "refs/heads/$ref^{{commit}}") || '
            "{ echo \"##[error]A branch or tag with the name '$ref' could not be found\"; exit 1; }"
        )
        if branch:
            # actions/checkout fetches the commit as origin's branch and checks the branch out
            # from there, so the branch tracks origin/<branch> and a bare `git push` works.
            tracking = shlex.quote(f"refs/remotes/origin/{branch}")
            lines.append(f'run git fetch {fetch if depth > 0 else fetch.replace("--no-tags ", "")} origin '
                         f'"+$sha:"{tracking}')
            lines.append(f"run git checkout --progress --force -B {shlex.quote(branch)} {tracking}")
        elif depth > 0:
            lines.append(f'run git fetch {fetch} origin "$sha"')
        if not branch:
            lines.append('run git checkout --progress --force "$sha"')
        lines.append("run git log -1 --format=%H")
        argv = ["sh", "-c", "\n".join(lines)]
        env = step.process_env(job)
        try:
            result = await execute(job, step, argv, target, env)
        except ProcessStartError as error:
            step.error(job, str(error))
            return "failure"
        if result.cancelled:
            return "cancelled"
        if result.timed_out:
            return "failure"
        if result.exit_code != 0:
            step.error(job, f"The process 'git' failed with exit code {result.exit_code}")
            return "failure"
        return "success"


def _is_sha(ref: str) -> bool:
    return len(ref) == 40 and all(c in "0123456789abcdef" for c in ref.lower())
