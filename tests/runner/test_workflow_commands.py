"""Workflow commands (ActionCommand.cs / ActionCommandManager.cs) through CommandProcessor."""

from __future__ import annotations

import pytest

from dispatchd.runner.masking import SecretMasker
from dispatchd.runner.workflow_commands import (
    BAD_STOP_TOKEN,
    CommandProcessor,
    make_annotation,
    parse,
    unescape_data,
    unescape_property,
)


def feed(processor: CommandProcessor, *lines: str) -> list[str]:
    out: list[str] = []
    for line in lines:
        out.extend(processor.masker.mask(x) for x in processor.process(line))
    return out


def test_parse_v2_properties_and_escapes() -> None:
    command = parse("  ::ERROR file=a%2Cb.py,line=3, col=5 ,title=T%3Ax,bogus,=v,k=::50%25%0Adone")
    assert command is not None
    assert command.name == "error"
    # Pieces are not trimmed (GitHub splits on "," only), so " col" is not "col".
    assert command.properties == {"file": "a,b.py", "line": "3", " col": "5 ", "title": "T:x"}
    assert command.data == "50%\ndone"


def test_unregistered_or_unterminated_is_plain_output() -> None:
    assert parse("::nope::x") is None
    assert parse("::error no end") is None
    assert parse("plain :: text") is None


def test_legacy_syntax_anywhere_in_line() -> None:
    command = parse("prefix ##[warning file=x;line=2]careful%3B%5D")
    assert command is not None and command.name == "warning"
    assert command.properties == {"file": "x", "line": "2"}
    assert command.data == "careful;]"


def test_unescape_order() -> None:
    assert unescape_data("%250A") == "%0A"
    assert unescape_data("%0D%0A") == "\r\n"
    assert unescape_property("%252C") == "%2C"


def test_annotations_and_log_lines() -> None:
    processor = CommandProcessor(SecretMasker(), workspace="/ws")
    out = feed(
        processor,
        "::error file=/ws/src/app.py,line=4,col=2,endColumn=9,title=Boom::bad%0Athing",
        "::warning::w",
        "::notice::n",
    )
    assert out == ["##[error]bad", "thing", "##[warning]w", "##[notice]n"]
    first = processor.effects.annotations[0]
    assert first == {
        "annotation_level": "failure",
        "message": "bad\nthing",
        "title": "Boom",
        "path": "src/app.py",
        "start_line": 4,
        "end_line": 4,
        "start_column": 2,
        "end_column": 9,
    }
    assert [a["annotation_level"] for a in processor.effects.annotations] == ["failure", "warning", "notice"]
    assert not processor.effects.failed


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({"endline": "5"}, (5, 5, None, None)),
        ({"col": "3"}, (None, None, None, None)),
        ({"line": "2", "endline": "4", "col": "1", "endcolumn": "3"}, (2, 4, None, None)),
        ({"line": "4", "endline": "2"}, (None, None, None, None)),
        ({"line": "1", "col": "5", "endcolumn": "2"}, (1, 1, None, None)),
        ({"line": "1", "endcolumn": "7"}, (1, 1, 7, None)),
    ],
)
def test_annotation_line_column_rules(props: dict[str, str], expected: tuple) -> None:
    a = make_annotation("warning", "m", props)
    assert (a["start_line"], a["end_line"], a["start_column"], a["end_column"]) == expected


def test_add_mask_masks_following_lines_and_multiline_parts() -> None:
    processor = CommandProcessor(SecretMasker())
    out = feed(
        processor,
        "before hunter2",
        "::add-mask::hunter2",
        "after hunter2",
        "::add-mask::first%0Asecond",
        "first and second",
    )
    assert out == ["before hunter2", "after ***", "*** and ***"]


def test_add_mask_empty_warns() -> None:
    processor = CommandProcessor(SecretMasker())
    assert feed(processor, "::add-mask::  ") == [
        "##[warning]Can't add secret mask for empty string in ##[add-mask] command."
    ]


def test_debug_only_with_debug() -> None:
    assert feed(CommandProcessor(SecretMasker()), "::debug::hidden") == []
    assert feed(CommandProcessor(SecretMasker(), debug=True), "::debug::shown") == ["##[debug]shown"]


def test_group_endgroup() -> None:
    assert feed(CommandProcessor(SecretMasker()), "::group::My title", "x", "::endgroup::") == [
        "##[group]My title",
        "x",
        "##[endgroup]",
    ]


def test_stop_commands_prints_everything_verbatim_until_token() -> None:
    processor = CommandProcessor(SecretMasker())
    out = feed(
        processor,
        "::stop-commands::pause-token-123",
        "::error::not an error",
        "::add-mask::x",
        "::pause-token-123::",
        "::warning::real",
    )
    assert out == [
        "::stop-commands::***",
        "::error::not an error",
        "::add-mask::x",
        "::***::",
        "##[warning]real",
    ]
    assert [a["message"] for a in processor.effects.annotations] == ["real"]


def test_stop_commands_rejects_command_names() -> None:
    processor = CommandProcessor(SecretMasker())
    out = feed(processor, "::stop-commands::error")
    assert out[0] == "##[error]Unable to process command '::stop-commands::error' successfully."
    assert out[1] == f"##[error]{BAD_STOP_TOKEN}"
    assert processor.effects.failed


def test_set_output_works_with_deprecation_warning() -> None:
    processor = CommandProcessor(SecretMasker())
    out = feed(processor, "::set-output name=answer::42")
    assert processor.effects.outputs == {"answer": "42"}
    assert out[0].startswith("##[warning]The `set-output` command is deprecated")
    assert not processor.effects.failed


def test_set_output_without_name_fails_the_step() -> None:
    processor = CommandProcessor(SecretMasker())
    out = feed(processor, "::set-output::42")
    assert out[-1] == "##[error]Required field 'name' is missing in ##[set-output] command."
    assert processor.effects.failed


def test_set_env_is_disabled_and_fails_the_step() -> None:
    processor = CommandProcessor(SecretMasker())
    out = feed(processor, "::set-env name=A::1")
    assert out[0] == "##[error]Unable to process command '::set-env name=A::1' successfully."
    assert out[1].startswith("##[error]The `set-env` command is disabled.")
    assert processor.effects.failed and processor.effects.env == []


def test_set_env_allowed_by_unsecure_opt_in() -> None:
    processor = CommandProcessor(SecretMasker(), allow_unsecure=True)
    assert feed(processor, "::set-env name=A::1", "::add-path::/x") == []
    assert processor.effects.env == [("A", "1")] and processor.effects.paths == ["/x"]


def test_echo_on_echoes_commands_but_not_annotations() -> None:
    processor = CommandProcessor(SecretMasker())
    out = feed(processor, "::echo::on", "::group::g", "::warning::w", "::echo::off", "::group::h")
    assert out == ["::group::g", "##[group]g", "##[warning]w", "::echo::off", "##[group]h"]


def test_invalid_echo_value() -> None:
    processor = CommandProcessor(SecretMasker())
    out = feed(processor, "::echo::maybe")
    assert out[-1] == (
        "##[error]Invalid echo command value. Possible values can be: 'on', 'off'. Current value is: 'maybe'."
    )
