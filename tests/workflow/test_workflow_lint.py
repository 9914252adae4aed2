"""lint(): GitHub's errors, or warnings for workflows that load but are unsafe or misleading."""

from __future__ import annotations

from shared_data import CORPUS

from dispatchd.workflow import lint, untrusted_sources

PATH = ".github/workflows/cve.yml"

INJECTABLE = """\
on:
  repository_dispatch:
    types: [cve-check-failed]
jobs:
  report:
    runs-on: ubuntu-latest
    steps:
      - run: echo "CVE ${{ github.event.client_payload.cve }}"
      - run: |
          echo start
          echo "${{ github.event.client_payload['title'] }}" and ${{ github.run_id }}
      - env:
          CVE: ${{ github.event.client_payload.cve }}
        run: echo "$CVE"
      - uses: actions/github-script@v7
        with:
          script: core.info("${{ github.event.client_payload.cve }}")
"""


def test_script_injection_warnings_point_at_the_expression() -> None:
    found = lint(PATH, INJECTABLE)
    assert [(d.severity, d.line, d.column) for d in found] == [
        ("warning", 8, 24), ("warning", 11, 17), ("warning", 17, 30)]
    assert found[0].message == (
        "Possible script injection: ${{ github.event.client_payload.cve }} goes straight into the run: script, "
        "and github.event.client_payload is chosen by whoever sends the event, so its text runs as code. "
        "Pass it through env: (CVE: ${{ github.event.client_payload.cve }}) and use \"$CVE\" in the script.")
    assert "(TITLE: ${{ github.event.client_payload['title'] }})" in found[1].message
    assert "goes straight into the github-script script:" in found[2].message
    assert str(found[0]).startswith(f"{PATH} (Line: 8, Col: 24): Possible script injection")


def test_values_passed_through_env_are_not_flagged() -> None:
    text = INJECTABLE.split("      - run: echo \"CVE")[0] + "      - env:\n          C: ${{ github.event.client_payload.cve }}\n        run: echo \"$C\"\n"
    assert lint(PATH, text) == []


def test_untrusted_sources() -> None:
    assert untrusted_sources("github.event.client_payload.cve") == ["github.event.client_payload"]
    assert untrusted_sources("github.event.issue.title") == ["github.event.issue.title"]
    assert untrusted_sources("github.head_ref || 'main'") == ["github.head_ref"]
    assert untrusted_sources("toJSON(github.event)") == ["toJSON(github.event)"]
    assert untrusted_sources("github.event.action") == []
    assert untrusted_sources("github.sha") == []


def test_other_warnings() -> None:
    text = """\
on: repository_dispatch
jobs:
  a:
    runs-on: x
    outputs:
      v: ${{ steps.s.outputs.v }}
    steps:
      - id: s
        run: echo "::set-output name=v::1"
  b:
    if: ${{ true }} && ${{ false }}
    runs-on: x
    steps:
      - run: echo ${{ needs.a.outputs.v }} and the words needs.other outside an expression
"""
    assert [(d.line, d.column, d.message) for d in lint(PATH, text)] == [
        (9, 20, "The ::set-output command is deprecated by GitHub; write name=value lines to $GITHUB_OUTPUT instead."),
        (11, 9, ("The condition '${{ true }} && ${{ false }}' mixes text with ${{ }}, so it is a non-empty string "
                "and always true. Write the whole condition as one expression.")),
        (14, 23, ("Job 'b' reads needs.a but does not list 'a' in needs:, so the value is always empty. "
                 "Add it to needs:.")),
    ]


def test_filter_warnings() -> None:
    text = """\
on:
  push:
    branches: [main]
    branches-ignore: [wip]
    paths: ['!docs/**']
jobs:
  a:
    runs-on: x
    steps: [{run: echo}]
"""
    assert [(d.line, d.column, d.message) for d in lint(PATH, text)] == [
        (4, 22, ("push has both branches and branches-ignore; GitHub allows only one of them per event. "
                "Put the exclusions in branches as '!pattern' entries.")),
        (5, 12, "push.paths has only '!' patterns, so it matches nothing; use paths-ignore to exclude."),
    ]


def test_errors_come_back_as_errors() -> None:
    (diagnostic,) = lint(PATH, "on: push\njobs:\n  a:\n    steps: [{run: echo}]\n")
    assert diagnostic.severity == "error"
    assert str(diagnostic) == f"{PATH} (Line: 4, Col: 5): Required property is missing: runs-on"


def test_corpus_warnings_are_all_located_on_their_text() -> None:
    total = 0
    for path in sorted((CORPUS / "workflows").glob("*.y*ml")):
        text = path.read_text()
        lines = text.splitlines()
        for diagnostic in lint(".github/workflows/" + path.name.split("__", 2)[2], text):
            assert diagnostic.severity == "warning"
            total += 1
            at = lines[diagnostic.line - 1][diagnostic.column - 1:]
            if "script injection" in diagnostic.message:
                assert at.startswith("${{"), (path.name, diagnostic)
    assert total > 100  # the corpus interpolates client_payload into run: a lot
