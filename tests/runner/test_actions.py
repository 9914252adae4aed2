"""uses: local, folder-resolved, composite and JavaScript actions, with real files and node."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from dispatchd.runner.actions import ActionRef, parse_uses
from dispatchd.runner.actions.manifest import ActionError, load

from .conftest import CONFORMANCE

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def write_action(directory: Path, action_yml: str, files: dict[str, str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "action.yml").write_text(textwrap.dedent(action_yml))
    for name, text in (files or {}).items():
        (directory / name).write_text(textwrap.dedent(text))
    return directory


def workspace_of(make_assignment) -> Path:
    return Path(make_assignment([]).workspace)


@pytest.mark.parametrize(
    ("uses", "expected"),
    [
        (
            "actions/checkout@v4",
            ActionRef("actions/checkout@v4", "repository", "actions", "checkout", "", "v4"),
        ),
        ("o/r/sub/dir@main", ActionRef("o/r/sub/dir@main", "repository", "o", "r", "sub/dir", "main")),
        ("./.github/actions/x", ActionRef("./.github/actions/x", "local", path="./.github/actions/x")),
        ("docker://alpine:3", ActionRef("docker://alpine:3", "docker", path="alpine:3")),
    ],
)
def test_parse_uses(uses: str, expected: ActionRef) -> None:
    assert parse_uses(uses) == expected


COMPOSITE = """
    name: greet
    inputs:
      who:
        description: who
        default: ${{ github.event.client_payload.cve }}
      loud:
        default: "no"
    outputs:
      said:
        value: ${{ steps.say.outputs.said }}
    runs:
      using: composite
      steps:
        - id: say
          shell: bash
          run: |
            echo "V:hello ${{ inputs.who }} loud=${{ inputs.loud }} path=$(basename "$GITHUB_ACTION_PATH")"
            echo "V:ctx=${{ github.action_path != '' }} outer=$OUTER"
            echo "said=hi ${{ inputs.who }}" >> "$GITHUB_OUTPUT"
            echo "FROM_COMPOSITE=yes" >> "$GITHUB_ENV"
            "$GITHUB_ACTION_PATH/helper.sh"
        - shell: bash
          run: echo "V:inner-env=$FROM_COMPOSITE"
"""


async def test_local_composite_action(run, make_assignment) -> None:
    workspace = workspace_of(make_assignment)
    write_action(
        workspace / ".github" / "actions" / "greet",
        COMPOSITE,
        {"helper.sh": "#!/bin/sh\necho V:helper-ran\n"},
    )
    (workspace / ".github" / "actions" / "greet" / "helper.sh").chmod(0o755)
    steps = [
        {
            "id": "g",
            "uses": "./.github/actions/greet",
            "with": {"loud": "yes", "extra": "1"},
            "env": {"OUTER": "outer-env"},
        },
        {"run": 'echo "V:out=${{ steps.g.outputs.said }} env=$FROM_COMPOSITE"'},
    ]
    result, reporter = await run(steps)
    assert result.conclusion == "success", reporter.text
    printed = [line for line in reporter.lines if line.startswith("V:")]
    assert printed == [
        "V:hello CVE-2023-32681 loud=yes path=greet",
        "V:ctx=true outer=outer-env",
        "V:helper-ran",
        "V:inner-env=yes",
        "V:out=hi CVE-2023-32681 env=yes",
    ]
    assert result.steps[0].outputs == {"said": "hi CVE-2023-32681"}
    assert result.steps[0].name == "Run ./.github/actions/greet"
    assert len(result.steps) == 2  # inner steps are not job steps
    assert "##[warning]Unexpected input(s) 'extra', valid inputs are ['who', 'loud']" in reporter.lines
    header = reporter.lines.index("##[group]Run ./.github/actions/greet")
    assert reporter.lines[header + 1 : header + 4] == ["with:", "  loud: yes", "  extra: 1"]


async def test_conformance_conditional_composite(run, make_assignment) -> None:
    workspace = workspace_of(make_assignment)
    source = CONFORMANCE / "actions-runner" / "TestData" / "conditional_composite_action.yml"
    target = workspace / "cond"
    target.mkdir(parents=True)
    shutil.copy(source, target / "action.yml")
    steps = [
        {"id": "ok", "uses": "./cond"},
        {"id": "bad", "uses": "./cond", "with": {"exit-code": "1"}, "continue-on-error": True},
    ]
    result, reporter = await run(steps)
    ok, bad = result.steps
    assert ok.outputs == {"default": "true", "success": "true", "failure": "", "always": "true"}
    assert bad.outputs == {"default": "", "success": "", "failure": "true", "always": "true"}
    assert (bad.outcome, bad.conclusion) == ("failure", "success")
    assert "failed" in reporter.lines
    assert result.conclusion == "success"


async def test_composite_requires_shell_and_depth_limit(run, make_assignment) -> None:
    workspace = workspace_of(make_assignment)
    write_action(workspace / "noshell", "runs:\n  using: composite\n  steps:\n    - run: echo hi\n")
    write_action(workspace / "loop", "runs:\n  using: composite\n  steps:\n    - uses: ./loop\n")
    result, reporter = await run([{"uses": "./noshell"}, {"if": "always()", "uses": "./loop"}])
    assert [s.conclusion for s in result.steps] == ["failure", "failure"]
    assert any(line.endswith("steps[0]: Required property is missing: shell") for line in reporter.lines)
    assert "##[error]Composite action depth exceeded max depth 9" in reporter.lines


async def test_secrets_context_is_not_available_in_composite(run, make_assignment) -> None:
    workspace = workspace_of(make_assignment)
    write_action(
        workspace / "sec",
        "runs:\n  using: composite\n  steps:\n    - run: echo ${{ secrets.API }}\n      shell: bash\n",
    )
    result, reporter = await run([{"uses": "./sec"}], contexts={"secrets": {"API": "xyz-secret"}})
    assert result.conclusion == "failure"
    assert any("Unrecognized named-value: 'secrets'" in line for line in reporter.lines)


async def test_missing_local_action_says_what_was_looked_for(run, make_assignment) -> None:
    workspace = workspace_of(make_assignment)
    result, reporter = await run([{"uses": "./nowhere"}])
    assert result.conclusion == "failure"
    assert (
        f"##[error]Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under '{workspace}/nowhere'. "
        "Did you forget to run actions/checkout before running your local action?"
    ) in reporter.lines


NODE_ACTION = """
    name: node thing
    inputs:
      num-octocats:
        default: "1"
      who: {}
    outputs:
      greeting: {}
    runs:
      using: node20
      main: main.js
      post: post.js
      post-if: always()
"""
MAIN_JS = """
    const fs = require('fs');
    const env = process.env;
    console.log(`V:inputs ${env['INPUT_NUM-OCTOCATS']} [${env.INPUT_WHO}] ${env.GITHUB_ACTION_REPOSITORY} ${env.GITHUB_ACTION_REF}`);
    console.log(`V:cwd ${process.cwd() === env.GITHUB_WORKSPACE}`);
    fs.appendFileSync(env.GITHUB_OUTPUT, `greeting<<ghadelimiter_1\\nhello ${env.INPUT_WHO}\\nghadelimiter_1\\n`);
    fs.appendFileSync(env.GITHUB_STATE, 'saved=from-main\\n');
    console.log('::add-mask::masked-in-node');
    console.log('V:secret masked-in-node');
    console.log('::notice title=N::from node');
    if (env.INPUT_WHO === 'fail') process.exitCode = 1;
"""
POST_JS = """
    console.log(`V:post state=${process.env.STATE_saved}`);
"""


@needs_node
async def test_node_action_from_actions_folder_with_post(run, tmp_path: Path) -> None:
    folder = tmp_path / "actions"
    write_action(folder / "octo" / "greeter@v1", NODE_ACTION, {"main.js": MAIN_JS, "post.js": POST_JS})
    steps = [
        {"id": "hi", "name": "Greet", "uses": "octo/greeter@v1", "with": {"who": "mona"}},
        {"run": "echo 'V:output ${{ steps.hi.outputs.greeting }}'"},
    ]
    result, reporter = await run(steps, env_base=None, actions_dir=str(folder))
    assert result.conclusion == "success", reporter.text
    printed = [line for line in reporter.lines if line.startswith("V:")]
    assert printed == [
        "V:inputs 1 [mona] octo/greeter v1",
        "V:cwd true",
        "V:secret ***",
        "V:output hello mona",
        "V:post state=from-main",
    ]
    assert [s.name for s in result.steps] == [
        "Greet",
        "Run echo 'V:output ${{ steps.hi.outputs.greeting }}'",
        "Post Greet",
    ]
    assert [n for n, _ in reporter.started] == [1, 2, 3]
    assert result.steps[0].outputs == {"greeting": "hello mona"}
    assert any(a["message"] == "from node" and a["title"] == "N" for a in result.annotations)


@needs_node
async def test_node_action_failure_and_layout_of_githubs_runner(run, tmp_path: Path) -> None:
    folder = tmp_path / "actions"
    write_action(
        folder / "Octo" / "greeter" / "v2" / "sub", NODE_ACTION, {"main.js": MAIN_JS, "post.js": POST_JS}
    )
    result, reporter = await run(
        [{"uses": "octo/greeter/sub@v2", "with": {"who": "fail"}}], actions_dir=str(folder)
    )
    assert result.conclusion == "failure"
    assert result.steps[0].outcome == "failure"
    # No "Process completed" message for JavaScript actions; post still runs (post-if: always()).
    assert not any("Process completed" in line for line in reporter.lines)
    assert "V:post state=from-main" in reporter.lines


PRE_ACTION = """
    name: with pre
    inputs:
      who: {default: pre-default}
    runs:
      using: node24
      pre: pre.js
      pre-if: runner.os == 'Linux'
      main: main.js
"""


@needs_node
async def test_pre_stage_runs_first_and_passes_state(run, tmp_path: Path, make_assignment) -> None:
    folder = tmp_path / "actions"
    files = {
        "pre.js": "require('fs').appendFileSync(process.env.GITHUB_STATE, 'from=pre\\n');"
        "console.log('V:pre ' + process.env.INPUT_WHO);",
        "main.js": "console.log('V:main ' + process.env.STATE_from);",
    }
    write_action(folder / "octo" / "prepped@v1", PRE_ACTION, files)
    write_action(workspace_of(make_assignment) / "local-pre", PRE_ACTION, files)
    steps = [{"run": "echo V:first"}, {"id": "p", "uses": "octo/prepped@v1"}, {"uses": "./local-pre"}]
    result, reporter = await run(steps, actions_dir=str(folder))
    assert result.conclusion == "success", reporter.text
    printed = [line for line in reporter.lines if line.startswith("V:")]
    assert printed == ["V:pre pre-default", "V:first", "V:main pre", "V:main undefined"]
    assert [s.name for s in result.steps][:2] == ["Pre Run octo/prepped@v1", "Run echo V:first"]
    assert "##[warning]`pre` execution is not supported for local action from './local-pre'" in reporter.lines


async def test_repository_action_not_found_lists_candidates(run, tmp_path: Path) -> None:
    folder = tmp_path / "actions"
    folder.mkdir()
    result, reporter = await run([{"uses": "octo/missing/path@v9"}], actions_dir=str(folder))
    assert result.conclusion == "failure"
    line = next(line for line in reporter.lines if line.startswith("##[error]Unable to resolve action"))
    assert str(folder / "octo" / "missing@v9" / "path") in line
    assert str(folder / "octo" / "missing" / "v9" / "path") in line


async def test_docker_action_fails_clearly(run, make_assignment) -> None:
    workspace = workspace_of(make_assignment)
    write_action(workspace / "dock", "runs:\n  using: docker\n  image: Dockerfile\n")
    result, reporter = await run([{"uses": "./dock"}])
    assert result.conclusion == "failure"
    assert any("Docker" in line for line in reporter.lines if line.startswith("##[error]"))


MANIFESTS = json.loads((CONFORMANCE / "actions-runner" / "action-manifests.json").read_text())["manifests"]


@pytest.mark.parametrize("name", sorted(MANIFESTS))
def test_conformance_manifests(name: str, tmp_path: Path) -> None:
    expected = MANIFESTS[name]
    shutil.copy(CONFORMANCE / "actions-runner" / "TestData" / name, tmp_path / "action.yml")
    if "error" in expected:
        with pytest.raises(ActionError, match="Failed to load"):
            load(str(tmp_path), name, local=True)
        return
    execution = expected["execution"]
    if execution["type"] == "Plugin":
        with pytest.raises(ActionError):
            load(str(tmp_path), name, local=True)
        return
    manifest = load(str(tmp_path), name, local=True)
    assert manifest.name == expected["name"]
    if "inputs" in expected:
        assert [[k, str(v.get("default", ""))] for k, v in manifest.inputs.items()] == expected["inputs"]
    for key, message in expected.get("deprecated_inputs", {}).items():
        assert manifest.inputs[key]["deprecationMessage"] == message
    kind = {"NodeJS": "node", "Container": "docker", "Composite": "composite"}[execution["type"]]
    assert manifest.using.startswith(kind)
    if kind == "node":
        assert manifest.using == execution["node_version"]
        assert manifest.runs["main"] == execution["script"]
    for stage in ("pre", "post"):
        if stage in execution:
            key = "main" if kind == "node" else "entrypoint"
            assert manifest.runs.get(stage if kind == "node" else f"{stage}-{key}") == execution[stage]
            default = "always()"
            assert (manifest.runs.get(f"{stage}-if") or default) == execution[f"{stage}_if"]
    if kind == "docker":
        assert manifest.runs["image"] == execution["image"]
        assert manifest.runs.get("entrypoint") == execution.get("entrypoint")
        assert manifest.runs.get("args") == execution.get("args")
        assert [[k, v] for k, v in (manifest.runs.get("env") or {}).items()] == execution.get("env", [])


@needs_node
async def test_repository_composite_using_a_node_action(run, tmp_path: Path) -> None:
    folder = tmp_path / "actions"
    write_action(folder / "octo" / "greeter@v1", NODE_ACTION, {"main.js": MAIN_JS, "post.js": POST_JS})
    write_action(
        folder / "octo" / "wrapper@v2",
        """
        inputs:
          who: {default: wrapped}
        outputs:
          greeting: {value: "${{ steps.inner.outputs.greeting }}"}
        runs:
          using: composite
          steps:
            - id: inner
              uses: octo/greeter@v1
              with: {who: "${{ inputs.who }}"}
            - shell: sh
              run: echo "V:repo ${{ github.action_repository }}@${{ github.action_ref }}"
        """,
    )
    steps = [{"id": "w", "uses": "octo/wrapper@v2"}, {"run": "echo 'V:got ${{ steps.w.outputs.greeting }}'"}]
    result, reporter = await run(steps, actions_dir=str(folder))
    assert result.conclusion == "success", reporter.text
    printed = [line for line in reporter.lines if line.startswith("V:")]
    assert printed[0] == "V:inputs 1 [wrapped] octo/greeter v1"
    assert "V:repo octo/wrapper@v2" in printed
    assert "V:got hello wrapped" in printed
    assert printed[-1] == "V:post state=from-main"
    assert [s.name for s in result.steps][-1] == "Post Run octo/greeter@v1"
