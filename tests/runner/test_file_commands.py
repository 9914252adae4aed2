"""Environment files: GitHub's reader (FileCommandManager.cs) on the reference's examples and edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from dispatchd.runner import file_commands
from dispatchd.runner.file_commands import FileCommandError, parse_key_value, parse_path


def test_reference_example() -> None:
    text = 'name=value\nJSON_RESPONSE<<EOF\n{"a": 1,\n "b": 2}\nEOF\n'
    assert parse_key_value(text) == [("name", "value"), ("JSON_RESPONSE", '{"a": 1,\n "b": 2}')]


def test_value_keeps_equals_and_spaces() -> None:
    assert parse_key_value("a= x = y \n") == [("a", " x = y ")]


def test_equals_before_heredoc_marker_is_single_line() -> None:
    assert parse_key_value("a=b<<EOF\n") == [("a", "b<<EOF")]


def test_heredoc_name_may_hold_equals_after_marker() -> None:
    assert parse_key_value("a<<E=F\nv\nE=F\n") == [("a", "v")]


def test_empty_lines_skipped_and_last_assignment_wins() -> None:
    assert parse_key_value("\na=1\n\na=2\n") == [("a", "1"), ("a", "2")]


def test_heredoc_empty_value() -> None:
    assert parse_key_value("a<<EOF\nEOF\n") == [("a", "")]


def test_heredoc_keeps_blank_lines_and_drops_only_final_newline() -> None:
    assert parse_key_value("a<<EOF\n\nx\n\nEOF\n") == [("a", "\nx\n")]


def test_heredoc_delimiter_must_be_whole_line() -> None:
    assert parse_key_value("a<<EOF\n EOF\nEOF \nEOF\n") == [("a", " EOF\nEOF ")]


def test_delimiter_without_final_newline_is_fine() -> None:
    assert parse_key_value("a<<EOF\nv\nEOF") == [("a", "v")]


def test_crlf_stays_in_values_on_linux() -> None:
    # Linux runner: lines split on \n only; the \r is part of line and value.
    assert parse_key_value("a=1\r\nb<<EOF\r\nx\r\nEOF\r\n") == [("a", "1\r"), ("b", "x\r")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just text\n", "Invalid format 'just text'"),
        ("   \n", "Invalid format '   '"),
        ("<<EOF\nv\nEOF\n", "Invalid format '<<EOF'. Name must not be empty and delimiter must not be empty"),
        ("a<<\nv\n\n", "Invalid format 'a<<'. Name must not be empty and delimiter must not be empty"),
        ("a<<EOF\nv\n", "Invalid value. Matching delimiter not found 'EOF'"),
        ("a<<EOF\nv", "Invalid value. EOF marker missing new line."),
        ("=v\n", "Invalid format '=v'. Name must not be empty"),
    ],
)
def test_errors_have_githubs_messages(text: str, message: str) -> None:
    with pytest.raises(FileCommandError) as info:
        parse_key_value(text)
    assert str(info.value) == message


def test_path_file_tolerates_crlf_and_skips_empty_lines() -> None:
    assert parse_path("/a\r\n\n/b c\n/d\r") == ["/a", "/b c", "/d"]


def test_collect_applies_each_file_and_reports_errors(tmp_path: Path) -> None:
    files = file_commands.prepare(str(tmp_path))
    paths = files.paths
    assert all(Path(p).exists() and Path(p).stat().st_size == 0 for p in paths.values())
    Path(paths["GITHUB_ENV"]).write_text("A=1\nNODE_OPTIONS=--x\nnode_options=--y\nB<<X\nmulti\nline\nX\n")
    Path(paths["GITHUB_OUTPUT"]).write_text("ok=1\nbroken\n")
    Path(paths["GITHUB_PATH"]).write_text("/opt/tool/bin\n")
    Path(paths["GITHUB_STATE"]).write_text("s=1\n")
    Path(paths["GITHUB_STEP_SUMMARY"]).write_text("# Title\n")
    result = file_commands.collect(files)
    assert result.env == [("A", "1"), ("B", "multi\nline")]
    assert result.warnings == [file_commands.NODE_OPTIONS_REFUSED] * 2
    # Pairs read before the error still apply, as the runner applies them while reading.
    assert result.outputs == {"ok": "1"}
    assert result.errors == [
        "Unable to process file command 'output' successfully.",
        "Invalid format 'broken'",
    ]
    assert result.paths == ["/opt/tool/bin"]
    assert result.state == {"s": "1"}
    assert result.summary == "# Title\n"


def test_summary_over_one_mebibyte_is_refused(tmp_path: Path) -> None:
    files = file_commands.prepare(str(tmp_path))
    Path(files.paths["GITHUB_STEP_SUMMARY"]).write_bytes(b"x" * (1024 * 1024 + 1))
    result = file_commands.collect(files)
    assert result.summary is None
    assert result.warnings == [
        (
            "$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k, got 1024k. "
            "For more information see: https://docs.github.com/actions/using-workflows/"
            "workflow-commands-for-github-actions#adding-a-markdown-summary"
        )
    ]
    assert result.errors == []


def test_deleted_files_are_not_an_error(tmp_path: Path) -> None:
    files = file_commands.prepare(str(tmp_path))
    file_commands.remove(files)
    result = file_commands.collect(files)
    assert result.errors == [] and result.summary is None


def test_collect_reads_crlf_bytes_untranslated(tmp_path: Path) -> None:
    files = file_commands.prepare(str(tmp_path))
    Path(files.paths["GITHUB_OUTPUT"]).write_bytes(b"a=1\r\nb<<E\r\nx\r\nE\r\n")
    Path(files.paths["GITHUB_PATH"]).write_bytes(b"/opt/x\r\n")
    result = file_commands.collect(files)
    assert result.outputs == {"a": "1\r", "b": "x\r"}
    assert result.paths == ["/opt/x"]
    assert not result.untouched
