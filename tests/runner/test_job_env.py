"""What a step process sees: default variables, env precedence, contexts, event file."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os

from .conftest import SHA


def values(lines: list[str], prefix: str = "V:") -> dict[str, str]:
    out = {}
    for line in lines:
        if line.startswith(prefix):
            key, _, value = line[len(prefix) :].partition("=")
            out[key] = value
    return out


async def test_default_variables(run) -> None:
    names = [
        "CI",
        "GITHUB_ACTIONS",
        "GITHUB_WORKSPACE",
        "GITHUB_EVENT_NAME",
        "GITHUB_EVENT_PATH",
        "GITHUB_REPOSITORY",
        "GITHUB_REPOSITORY_OWNER",
        "GITHUB_RUN_ID",
        "GITHUB_RUN_NUMBER",
        "GITHUB_RUN_ATTEMPT",
        "GITHUB_JOB",
        "GITHUB_ACTION",
        "GITHUB_ACTOR",
        "GITHUB_SHA",
        "GITHUB_REF",
        "GITHUB_REF_NAME",
        "GITHUB_REF_TYPE",
        "GITHUB_SERVER_URL",
        "GITHUB_API_URL",
        "GITHUB_GRAPHQL_URL",
        "GITHUB_WORKFLOW",
        "GITHUB_BASE_REF",
        "GITHUB_HEAD_REF",
        "RUNNER_OS",
        "RUNNER_ARCH",
        "RUNNER_TEMP",
        "RUNNER_TOOL_CACHE",
        "RUNNER_WORKSPACE",
        "RUNNER_NAME",
        "GITHUB_ENV",
        "GITHUB_OUTPUT",
        "GITHUB_PATH",
        "GITHUB_STATE",
        "GITHUB_STEP_SUMMARY",
    ]
    script = "\n".join(f'echo "V:{n}=${{{n}-unset}}"' for n in names)
    script += '\necho "V:TOKEN=${GITHUB_TOKEN-unset}"\necho "V:DEBUG=${RUNNER_DEBUG-unset}"'
    script += '\necho "V:EVENT=$(cat "$GITHUB_EVENT_PATH" | tr -d "\\n ")"'
    script += '\necho "V:PWD=$PWD"\ntest -f "$GITHUB_OUTPUT" && echo V:FILES=exist'
    result, reporter = await run([{"run": script}])
    assert result.conclusion == "success", reporter.text
    v = values(reporter.lines)
    workspace = v["GITHUB_WORKSPACE"]
    assert v["CI"] == "true" and v["GITHUB_ACTIONS"] == "true"
    assert workspace.endswith("/work/scanner/scanner") and os.path.isdir(workspace)
    assert v["PWD"] == workspace
    assert v["RUNNER_WORKSPACE"] == os.path.dirname(workspace)
    assert v["GITHUB_EVENT_NAME"] == "repository_dispatch"
    assert v["GITHUB_REPOSITORY"] == "acme/scanner" and v["GITHUB_REPOSITORY_OWNER"] == "acme"
    assert (v["GITHUB_RUN_ID"], v["GITHUB_RUN_NUMBER"], v["GITHUB_RUN_ATTEMPT"]) == ("42", "7", "1")
    assert v["GITHUB_JOB"] == "build" and v["GITHUB_ACTION"] == "__run"
    assert v["GITHUB_ACTOR"] == "octocat" and v["GITHUB_SHA"] == SHA
    assert (v["GITHUB_REF"], v["GITHUB_REF_NAME"], v["GITHUB_REF_TYPE"]) == (
        "refs/heads/main",
        "main",
        "branch",
    )
    assert v["GITHUB_SERVER_URL"] == "http://127.0.0.1:8080"
    assert v["GITHUB_API_URL"] == "http://127.0.0.1:8080/api/v3"
    assert v["GITHUB_GRAPHQL_URL"] == "http://127.0.0.1:8080/api/v3/graphql"
    assert v["GITHUB_BASE_REF"] == "" and v["GITHUB_HEAD_REF"] == ""
    assert v["RUNNER_OS"] == "Linux" and v["RUNNER_ARCH"] in ("X64", "ARM64", "X86", "ARM")
    assert v["RUNNER_TEMP"] and v["RUNNER_TOOL_CACHE"]
    assert "/_runner_file_commands/set_output_" in v["GITHUB_OUTPUT"]
    assert v["FILES"] == "exist"
    assert v["TOKEN"] == "unset" and v["DEBUG"] == "unset"
    assert json.loads(v["EVENT"].replace("", "")) == {
        "action": "cve-found",
        "client_payload": {"cve": "CVE-2023-32681", "n": 3},
    }
    # RUNNER_TEMP is removed at job end (by a background thread, moments after).
    for _ in range(100):
        if not os.path.exists(v["RUNNER_TEMP"]) and not os.path.exists(v["GITHUB_EVENT_PATH"]):
            break
        await asyncio.sleep(0.02)
    assert not os.path.exists(v["RUNNER_TEMP"]) and not os.path.exists(v["GITHUB_EVENT_PATH"])


async def test_env_precedence_and_github_env(run) -> None:
    steps = [
        {
            "run": 'echo "V:A=$A B=$B C=$C"\necho "B=from-github-env" >> "$GITHUB_ENV"\necho "D=d1" >> "$GITHUB_ENV"',
            "env": {"A": "step", "C": "${{ env.C }}-seen-by-step"},
        },
        {"run": 'echo "V:A=$A B=$B C=$C D=$D"', "env": {"D": "step-wins"}},
        {"run": 'echo "V:ctx=${{ env.B }} ${{ env.D }}"'},
    ]
    result, reporter = await run(
        steps,
        contexts={"env": {"A": "wf", "B": "wf", "C": "wf"}},
        env={"B": "job", "C": "job-${{ github.event.client_payload.cve }}"},
    )
    assert result.conclusion == "success", reporter.text
    lines = [line for line in reporter.lines if line.startswith("V:")]
    assert lines == [
        "V:A=step B=job C=job-CVE-2023-32681-seen-by-step",
        "V:A=wf B=from-github-env C=job-CVE-2023-32681 D=step-wins",
        "V:ctx=from-github-env d1",
    ]


async def test_users_cannot_override_github_variables_but_can_override_ci(run) -> None:
    _result, reporter = await run(
        [
            {
                "run": 'echo "V:X=$GITHUB_SHA $CI $RUNNER_OS"',
                "env": {"GITHUB_SHA": "nope", "CI": "false", "RUNNER_OS": "Nope"},
            }
        ]
    )
    assert values(reporter.lines)["X"] == f"{SHA} false Linux"


async def test_github_path_prepends_newest_first(run, tmp_path) -> None:
    for name in ("one", "two"):
        tool = tmp_path / name
        tool.mkdir()
        (tool / "mytool").write_text(f"#!/bin/sh\necho V:TOOL={name}\n")
        (tool / "mytool").chmod(0o755)
    steps = [
        {"run": f'echo "{tmp_path / "one"}" >> "$GITHUB_PATH"\necho "{tmp_path / "two"}" >> "$GITHUB_PATH"'},
        {"run": 'mytool\necho "V:P=${PATH%%:*}"'},
    ]
    result, reporter = await run(steps)
    assert result.conclusion == "success", reporter.text
    v = values(reporter.lines)
    assert v["TOOL"] == "two" and v["P"] == str(tmp_path / "two")


async def test_runner_and_job_and_steps_contexts(run) -> None:
    steps = [
        {"id": "first", "run": 'echo "x=1" >> "$GITHUB_OUTPUT"'},
        {
            "run": "echo 'V:R=${{ runner.os }} ${{ runner.temp != '' }} ${{ job.status }} "
            "${{ steps.first.outcome }} ${{ steps.first.outputs.x }} ${{ github.job }}'"
        },
    ]
    _result, reporter = await run(steps)
    assert values(reporter.lines)["R"] == "Linux true success success 1 build"


async def test_debug_sets_runner_debug_and_shows_debug_lines(run) -> None:
    _result, reporter = await run([{"run": 'echo "V:D=$RUNNER_DEBUG"\necho "::debug::dbg-line"'}], debug=True)
    assert values(reporter.lines)["D"] == "1"
    assert "##[debug]dbg-line" in reporter.lines


async def test_defaults_run_shell_and_working_directory(run) -> None:
    steps = [
        {"run": "mkdir -p sub/dir"},
        {"run": 'echo "V:W=$(basename "$PWD") $0"', "working-directory": "sub/dir"},
        {"run": "import os; print('V:PY=' + os.path.basename(os.getcwd()))", "shell": "python"},
    ]
    result, reporter = await run(steps, defaults={"run": {"shell": "sh", "working-directory": "sub"}})
    assert result.conclusion == "failure"  # "mkdir" ran in defaults' "sub", which does not exist yet
    assert "An error occurred trying to start process" in reporter.text
    result, reporter = await run([{"run": "mkdir -p sub/dir"}] + steps[1:], defaults={"run": {"shell": "sh"}})
    v = values(reporter.lines)
    assert result.conclusion == "success", reporter.text
    assert v["W"].startswith("dir ") and v["W"].endswith(".sh")
    assert v["PY"] == "scanner"


async def test_file_command_edge_cases_in_a_job(run) -> None:
    steps = [
        {
            "id": "w",
            "run": "printf 'CR=1\\r\\n' >> \"$GITHUB_ENV\"\n"
            "printf 'NODE_OPTIONS=--inspect\\n' >> \"$GITHUB_ENV\"\n"
            "printf 'ML<<END\\nline1\\n\\nline3\\nEND\\n' >> \"$GITHUB_ENV\"\n"
            "printf 'o<<X\\n  spaced  \\nX\\n' >> \"$GITHUB_OUTPUT\"\n"
            "echo '::save-state name=s::v'",
        },
        {
            "run": 'printf "V:CR=%s|\\n" "$(printf %s "$CR" | od -An -c | tr -s " ")"\n'
            'echo "V:NO=${NODE_OPTIONS-unset}"\necho "V:ML=$(echo "$ML" | paste -sd+)"\n'
            'echo "V:O=[${{ steps.w.outputs.o }}]"'
        },
    ]
    result, reporter = await run(steps, env_base={k: v for k, v in os.environ.items() if k != "NODE_OPTIONS"})
    assert result.conclusion == "success", reporter.text
    v = values(reporter.lines)
    assert v["CR"] == " 1 \\r|"
    assert v["NO"] == "unset"
    assert v["ML"] == "line1++line3"
    assert v["O"] == "[  spaced  ]"
    assert "##[error]Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command." in reporter.lines


async def test_actions_step_debug_secret_enables_debug(run) -> None:
    _result, reporter = await run(
        [{"run": 'echo "::debug::shown"\necho "V:D=$RUNNER_DEBUG ${{ runner.debug }}"'}],
        contexts={"secrets": {"ACTIONS_STEP_DEBUG": "true"}},
    )
    assert "##[debug]shown" in reporter.lines
    assert values(reporter.lines)["D"] == "1 1"


async def test_job_env_expression_error_fails_the_job(run) -> None:
    result, reporter = await run([{"run": "echo V:never"}], env={"A": "${{ fromJSON('x') }}"})
    assert result.conclusion == "failure"
    assert result.error and result.error.startswith("Error evaluating the job's env")
    assert "V:never" not in reporter.lines


async def test_hash_files_sees_the_workspace(run) -> None:
    steps = [
        {"run": "echo hello > data.txt"},
        {"run": "echo \"V:H=${{ hashFiles('data.txt') }} E=${{ hashFiles('none.txt') }}\""},
    ]
    result, reporter = await run(steps)
    assert result.conclusion == "success", reporter.text
    v = values(reporter.lines)
    inner = hashlib.sha256(b"hello\n").digest()
    assert v["H"] == hashlib.sha256(inner).hexdigest() + " E="
