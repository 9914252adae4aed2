"""Step lifecycle: conditions, outcome vs conclusion, outputs, names, headers, shells, uses."""

from __future__ import annotations

import pytest

from dispatchd.runner.steps import step_ids


async def test_continue_on_error_outcome_vs_conclusion(run) -> None:
    steps = [
        {"id": "bad", "run": "exit 4", "continue-on-error": True},
        {
            "id": "after",
            "run": "echo 'V:${{ steps.bad.outcome }}/${{ steps.bad.conclusion }}/${{ job.status }}'",
        },
    ]
    result, reporter = await run(steps)
    assert result.conclusion == "success"
    bad = result.steps[0]
    assert (bad.outcome, bad.conclusion) == ("failure", "success")
    assert "V:failure/success/success" in reporter.lines
    assert "##[error]Process completed with exit code 4." in reporter.lines


async def test_failure_skips_later_steps_unless_status_function(run) -> None:
    steps = [
        {"run": "exit 1"},
        {"run": "echo V:never"},
        {"if": "failure()", "run": "echo V:on-failure"},
        {"if": "always()", "run": "echo V:always"},
        {"if": "success() || true", "run": "echo V:success-or-true"},
        {"if": "${{ github.event.client_payload.n == 3 }}", "run": "echo V:implicit-success"},
    ]
    result, reporter = await run(steps)
    assert result.conclusion == "failure"
    assert [s.conclusion for s in result.steps] == [
        "failure",
        "skipped",
        "success",
        "success",
        "success",
        "skipped",
    ]
    printed = [line for line in reporter.lines if line.startswith("V:")]
    assert printed == ["V:on-failure", "V:always", "V:success-or-true"]
    # Skipped steps are completed without being started.
    assert [n for n, _ in reporter.started] == [1, 3, 4, 5]
    assert [r.number for r in reporter.completed] == [1, 2, 3, 4, 5, 6]


async def test_step_and_job_outputs(run) -> None:
    steps = [
        {
            "id": "gen",
            "run": 'echo "plain=1" >> "$GITHUB_OUTPUT"\n'
            'printf "multi<<EOF\\nline 1\\nline 2\\nEOF\\n" >> "$GITHUB_OUTPUT"\n'
            'echo "::set-output name=legacy::old"',
        },
        {"run": 'echo "lost=1" >> "$GITHUB_OUTPUT"'},
        {"id": "Use", "run": "echo 'V:${{ steps.gen.outputs.plain }} ${{ steps.GEN.outputs.legacy }}'"},
    ]
    result, reporter = await run(
        steps,
        outputs={
            "multi": "${{ steps.gen.outputs.multi }}",
            "cve": "${{ github.event.client_payload.cve }}",
            "missing": "${{ steps.gen.outputs.nope }}",
        },
    )
    assert result.conclusion == "success", reporter.text
    assert result.steps[0].outputs == {"plain": "1", "multi": "line 1\nline 2", "legacy": "old"}
    assert result.steps[1].outputs == {} and result.steps[1].id is None
    assert result.outputs == {"multi": "line 1\nline 2", "cve": "CVE-2023-32681", "missing": ""}
    assert "V:1 old" in reporter.lines
    assert any(
        line.startswith("##[warning]The `set-output` command is deprecated") for line in reporter.lines
    )


async def test_job_output_with_secret_is_dropped(run) -> None:
    result, reporter = await run(
        [{"run": "true"}],
        contexts={"secrets": {"API": "sekrit-value"}},
        outputs={"leak": "x${{ secrets.API }}", "ok": "fine"},
    )
    assert result.outputs == {"ok": "fine"}
    assert "##[warning]Skip output 'leak' since it may contain secret." in reporter.lines


async def test_names_and_log_header(run) -> None:
    steps = [
        {"run": "\n\necho one\necho two\n", "env": {"FOO": "bar"}},
        {"name": "Scan ${{ github.event.client_payload.cve }}", "run": "echo x", "shell": "bash"},
    ]
    result, reporter = await run(steps, contexts={"env": {"WF": "1"}})
    assert [s.name for s in result.steps] == ["Run echo one", "Scan CVE-2023-32681"]
    assert [name for _, name in reporter.started] == ["Run echo one", "Scan CVE-2023-32681"]
    start = reporter.lines.index("##[group]Run echo one")
    block = reporter.lines[start : start + 10]
    assert block[1:4] == ["\x1b[36;1m\x1b[0m", "\x1b[36;1m\x1b[0m", "\x1b[36;1mecho one\x1b[0m"]
    assert block[4] == "\x1b[36;1mecho two\x1b[0m"
    assert block[5].startswith("shell: /") and block[5].endswith("bash -e {0}")
    assert block[6:10] == ["env:", "  WF: 1", "  FOO: bar", "##[endgroup]"]
    second = reporter.lines.index("##[group]Run echo x")
    assert reporter.lines[second + 2].endswith("bash --noprofile --norc -eo pipefail {0}")


async def test_secrets_masked_in_script_output_and_names(run) -> None:
    steps = [
        {
            "name": "uses ${{ secrets.API }}",
            "run": "echo 'token ${{ secrets.API }}'\necho \"env $TOKEN\"\n"
            "echo '::add-mask::later-value'\necho 'see later-value'",
            "env": {"TOKEN": "${{ github.token }}"},
        },
    ]
    result, reporter = await run(steps, contexts={"secrets": {"API": "sekrit-value"}})
    assert "sekrit-value" not in reporter.text and "ghs_supersecrettoken123" not in reporter.text
    # Masks are not retroactive: the header showed the script before ::add-mask:: ran.
    after_header = reporter.lines[reporter.lines.index("##[endgroup]") + 1 :]
    assert not any("later-value" in line for line in after_header)
    assert "token ***" in reporter.lines and "env ***" in reporter.lines and "see ***" in reporter.lines
    assert result.steps[0].name == "uses ***"


async def test_secrets_to_mask_from_assignment(run) -> None:
    _result, reporter = await run([{"run": "echo 'pw: hunter2hunter2'"}], secrets_to_mask=["hunter2hunter2"])
    assert "pw: ***" in reporter.lines


@pytest.mark.parametrize(
    ("shell", "script", "expected"),
    [
        (None, "false\necho V:not-reached", 1),
        ("bash", "true | true\necho V:pipe-ok", 0),
        ("bash", "set +e\nfalse | true; echo V:$?\nexit 0", 0),
        ("sh", "exit 7", 7),
        ("python", "import sys; sys.exit(5)", 5),
        ("bash -c 'exit 9' {0}", "", 9),
        ("perl {0}", "exit 3;", 3),
    ],
)
async def test_shells_and_exit_codes(run, shell, script, expected) -> None:
    step = {"run": script} if shell is None else {"run": script, "shell": shell}
    if shell == "perl {0}":
        import shutil

        if shutil.which("perl") is None:
            pytest.skip("perl not installed")
    result, reporter = await run([step])
    assert result.conclusion == ("success" if expected == 0 else "failure"), reporter.text
    if expected:
        assert f"##[error]Process completed with exit code {expected}." in reporter.lines
    assert "V:not-reached" not in reporter.lines


async def test_pipefail_only_with_shell_bash(run) -> None:
    result, _ = await run([{"run": "false | true", "shell": "bash"}])
    assert result.conclusion == "failure"
    result, _ = await run([{"run": "false | true"}])
    assert result.conclusion == "success"


async def test_invalid_shell_and_missing_program(run) -> None:
    result, reporter = await run(
        [{"run": "echo", "shell": "zsh"}, {"if": "always()", "run": "echo", "shell": "no-such-prog {0}"}]
    )
    assert [s.conclusion for s in result.steps] == ["failure", "failure"]
    assert (
        "##[error]Invalid shell option. Shell must be a valid built-in (bash, sh, cmd, powershell, "
        "pwsh) or a format string containing '{0}'"
    ) in reporter.lines
    assert "##[error]no-such-prog: command not found" in reporter.lines


async def test_script_file_extension_per_shell(run) -> None:
    steps = [
        {"run": 'echo "V:$0"'},
        {"run": "import sys; print('V:' + sys.argv[0])", "shell": "python"},
        {"run": 'echo "V:$1"', "shell": "bash {0} {0}"},
        {"run": 'echo "V:$0"', "shell": "sh -e {0}"},
    ]
    _result, reporter = await run(steps)
    names = [line[2:] for line in reporter.lines if line.startswith("V:")]
    assert [n.rsplit(".", 1)[-1] if "." in n.rsplit("/", 1)[-1] else "" for n in names] == [
        "sh",
        "py",
        "sh",
        "sh",
    ]


async def test_expression_error_fails_the_step(run) -> None:
    result, reporter = await run([{"run": "echo ${{ fromJSON('{') }}"}, {"run": "echo V:next"}])
    assert [s.conclusion for s in result.steps] == ["failure", "skipped"]
    assert any(line.startswith("##[error]") for line in reporter.lines)


async def test_workflow_command_failure_fails_the_step(run) -> None:
    result, reporter = await run(
        [{"id": "s", "run": 'echo "::set-env name=A::1"\necho "bad" >> "$GITHUB_ENV"'}]
    )
    assert result.steps[0].outcome == "failure"
    assert "##[error]Unable to process file command 'env' successfully." in reporter.lines
    assert "##[error]Invalid format 'bad'" in reporter.lines


async def test_annotations_are_collected_with_step_numbers(run) -> None:
    result, _ = await run([{"run": "echo ok"}, {"run": 'echo "::warning file=src/a.py,line=3::look here"'}])
    assert result.conclusion == "success"
    assert result.annotations == [
        {
            "annotation_level": "warning",
            "message": "look here",
            "title": None,
            "path": "src/a.py",
            "start_line": 3,
            "end_line": 3,
            "start_column": None,
            "end_column": None,
            "step_number": 2,
        }
    ]


async def test_step_summary_collected_and_masked(run) -> None:
    steps = [
        {"run": 'echo "## first hunter2x" >> "$GITHUB_STEP_SUMMARY"'},
        {"run": 'echo "second" > "$GITHUB_STEP_SUMMARY"'},
    ]
    result, _ = await run(steps, secrets_to_mask=["hunter2x"])
    assert result.summary == "## first ***\n\nsecond\n"


async def test_uses_unknown_action_fails_with_what_was_looked_for(run) -> None:
    steps = [
        {"uses": "octo/thing/sub@v3"},
        {"if": "always()", "uses": "docker://alpine:3"},
        {"if": "always()", "uses": "not-a-ref"},
    ]
    result, reporter = await run(steps)
    assert [s.conclusion for s in result.steps] == ["failure"] * 3
    assert [s.name for s in result.steps] == ["Run octo/thing/sub@v3", "Run alpine:3", "Run not-a-ref"]
    assert any("octo/thing@v3" in line and "path 'sub'" in line for line in reporter.lines)
    assert any("Docker" in line for line in reporter.lines)
    assert "##[error]Expected format {org}/{repo}[/path]@ref. Actual 'not-a-ref'" in reporter.lines


def test_generated_ids() -> None:
    steps = [
        {"run": "a"},
        {"id": "__run_2", "run": "b"},
        {"run": "c"},
        {"uses": "actions/checkout@v4"},
        {"uses": "actions/checkout@v3"},
        {"uses": "docker://alpine:latest"},
        {"uses": "./x"},
        {"uses": "./y"},
        {"run": "d"},
    ]
    assert step_ids(steps) == [
        ("__run", False),
        ("__run_2", True),
        ("__run_3", False),
        ("__actions_checkout", False),
        ("__actions_checkout_2", False),
        ("__alpine_latest", False),
        ("__self", False),
        ("__self_2", False),
        ("__run_4", False),
    ]


async def test_huge_output_streams_in_batches(run) -> None:
    result, reporter = await run([{"run": "seq 1 200000"}])
    assert result.conclusion == "success"
    numbers = [line for line in reporter.lines if line.isdigit()]
    assert len(numbers) == 200000 and numbers[-1] == "200000"
    assert len(reporter.batches) > 2


async def test_stderr_is_merged_and_partial_last_line_kept(run) -> None:
    _result, reporter = await run([{"run": "echo out; echo err >&2; printf 'no newline'"}])
    assert ["out", "err", "no newline"] == [l for l in reporter.lines if l in ("out", "err", "no newline")]


async def test_output_is_streamed_while_the_step_runs(run) -> None:
    result, reporter = await run([{"run": "echo first\nsleep 0.6\necho second"}])
    assert result.conclusion == "success"

    def arrival(text: str) -> float:
        return next(
            t for t, batch in zip(reporter.batch_times, reporter.batches, strict=True) if text in batch
        )

    assert arrival("second") - arrival("first") > 0.4
