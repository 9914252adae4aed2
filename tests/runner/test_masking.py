"""Secret masking (SecretMasker.cs): ranges merged, long values first, multi-line parts."""

from __future__ import annotations

from dispatchd.runner.masking import SecretMasker


def test_masks_every_occurrence() -> None:
    masker = SecretMasker(["s3cret"])
    assert masker.mask("a s3cret b s3cret") == "a *** b ***"


def test_overlapping_and_touching_values_merge() -> None:
    masker = SecretMasker(["abc", "bcd", "xyz"])
    assert masker.mask("abcd-abcxyz") == "***-***"


def test_longer_value_wins_over_contained_value() -> None:
    masker = SecretMasker(["pass", "password123"])
    assert masker.mask("password123 pass") == "*** ***"


def test_multiline_value_masks_each_trimmed_line() -> None:
    masker = SecretMasker()
    masker.add("line-one\n  line-two  \n")
    assert masker.mask("x line-one y") == "x *** y"
    assert masker.mask("line-two") == "***"


def test_empty_and_blank_values_are_ignored() -> None:
    masker = SecretMasker(["", "   "])
    assert not masker
    assert masker.mask("a   b") == "a   b"


def test_json_escaped_variant_is_masked() -> None:
    masker = SecretMasker(['a"b\\c'])
    assert masker.mask('{"k": "a\\"b\\\\c"}') == '{"k": "***"}'


def test_contains_secret() -> None:
    masker = SecretMasker(["tok"])
    assert masker.contains_secret("xtoky") and not masker.contains_secret("to k")


def test_uri_and_xml_escaped_variants_are_masked() -> None:
    masker = SecretMasker(["p@ss word&<"])
    assert masker.mask("u=p%40ss%20word%26%3C") == "u=***"
    assert masker.mask("<v>p@ss word&amp;&lt;</v>") == "<v>***</v>"
