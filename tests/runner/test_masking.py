"""Secret masking (SecretMasker.cs): ranges merged, long values first, multi-line parts."""

from __future__ import annotations

from dispatchd.runner import masking
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


# GitHub's value encoders (ValueEncoders.cs, registered by HostContext.cs). Expected values are
# written out by hand from GitHub's algorithm (and `printf %s VALUE | base64`), not computed here.


def test_base64_forms_of_a_secret_and_of_it_shifted_by_one_and_two_bytes() -> None:
    assert masking.base64_escape("Password123!") == "UGFzc3dvcmQxMjMh"
    assert masking.base64_escape_shift1("Password123!") == "YXNzd29yZDEyMyE="  # "assword123!"
    assert masking.base64_escape_shift2("Password123!") == "c3N3b3JkMTIzIQ=="  # "ssword123!"
    # UTF-8 bytes, and a shift counts bytes, not characters.
    assert masking.base64_escape("pässwörd") == "cMOkc3N3w7ZyZA=="
    assert masking.base64_escape_shift1("pässwörd") == "w6Rzc3fDtnJk"


def test_base64_shift_of_a_value_no_longer_than_the_shift_is_the_whole_value() -> None:
    assert masking.base64_escape("ab") == "YWI="
    assert masking.base64_escape_shift1("ab") == "Yg=="
    assert masking.base64_escape_shift2("ab") == "YWI="


def test_command_line_expression_and_json_escapes() -> None:
    assert masking.command_line_argument_escape('Pass"word"123!') == 'Pass\\"word\\"123!'
    assert masking.expression_string_escape("Pass'word'123!") == "Pass''word''123!"
    # Newtonsoft.Json: quote, backslash, \b\t\n\f\r, other control characters as lower-case
    # \u00xx, NEL/LS/PS escaped; other non-ASCII characters kept as they are.
    assert (
        masking.json_string_escape("a\"b\\c\n\t\x01\x1f\u2028é/'")
        == "a\\\"b\\\\c\\n\\t\\u0001\\u001f\\u2028é/'"
    )


def test_uri_and_xml_escapes() -> None:
    assert masking.uri_data_escape("Pass word 123!") == "Pass%20word%20123%21"
    assert masking.uri_data_escape("ä~_.-/+") == "%C3%A4~_.-%2F%2B"
    assert masking.xml_data_escape("Pass<word>123!") == "Pass&lt;word&gt;123!"
    assert masking.xml_data_escape("a&'\"") == "a&amp;&apos;&quot;"


def test_trim_double_quotes_only_for_values_longer_than_eight_characters() -> None:
    assert masking.trim_double_quotes('"Password123!!"') == "Password123!!"
    assert masking.trim_double_quotes('"1234567"') == "1234567"  # 9 characters
    assert masking.trim_double_quotes('"123456"') == ""  # 8 characters
    assert masking.trim_double_quotes('"short"') == ""
    assert masking.trim_double_quotes("no quotes here") == ""


def test_powershell_ampersand_pieces() -> None:
    # GitHub's own cases (src/Test/L0/Sdk/ValueEncodersL0.cs).
    assert masking.powershell_pre_ampersand_escape("abcdef&") == "abcdef&"
    assert masking.powershell_pre_ampersand_escape("abcdef&+ghijkl") == "abcdef&+"
    assert masking.powershell_pre_ampersand_escape("abc&def&") == "abc&def&"
    assert masking.powershell_pre_ampersand_escape("ab&") == ""
    assert masking.powershell_post_ampersand_escape("abc&ghijkl") == "ghijkl"
    assert masking.powershell_post_ampersand_escape("abcdef&") == ""
    assert masking.powershell_post_ampersand_escape("abc&+ghijklm") == "hijklm"
    assert masking.powershell_pre_ampersand_escape("no ampersand") == ""


def test_masker_matches_githubs_default_secret_masker_cases() -> None:
    # src/Test/L0/HostContextL0.cs DefaultSecretMaskers, assertion for assertion.
    masker = SecretMasker(
        [
            "Password123!",
            'Pass"word"123!',
            "Pass word 123!",
            "Pass<word>123!",
            "Pass'word'123!",
            '"Password123!!"',
            '"short"',
        ]
    )
    assert masker.mask("123Password123!123") == "123***123"
    assert masker.mask("password123") == "password123"
    assert masker.mask('123Pass\\"word\\"123!123') == "123***123"
    assert masker.mask("123Pass%20word%20123%21123") == "123***123"
    assert masker.mask("123Pass&lt;word&gt;123!123") == "123***123"
    assert masker.mask("123Pass''word''123!123") == "123***123"
    assert masker.mask("OlBhc3N3b3JkMTIzIQ==") == "OlBh***"  # base64(":Password123!")
    assert masker.mask("YTpQYXNzd29yZDEyMyE=") == "YTpQ***"  # base64("a:Password123!")
    assert masker.mask("YWI6UGFzc3dvcmQxMjMh") == "YWI6***"  # base64("ab:Password123!")
    assert masker.mask("YWJjOlBhc3N3b3JkMTIzIQ==") == "YWJjOlBh***"
    assert masker.mask("YWJjZDpQYXNzd29yZDEyMyE=") == "YWJjZDpQ***"
    assert masker.mask("YWJjZGU6UGFzc3dvcmQxMjMh") == "YWJjZGU6***"
    assert masker.mask("123Password123!!123") == "123***123"
    assert masker.mask("123short123") == "123short123"
    assert masker.mask('123"short"123') == "123***123"


def test_lines_of_a_multiline_secret_get_their_encoded_forms_too() -> None:
    masker = SecretMasker()
    masker.add("first-line\nsecond-line")
    assert masker.mask("c2Vjb25kLWxpbmU=") == "***"  # base64("second-line")


def test_originals_are_the_registered_values_without_encoded_forms() -> None:
    masker = SecretMasker(["Password123!", "Password123!"])
    masker.add("a\nb")
    assert masker.originals == ["Password123!", "a\nb", "a", "b"]
    assert "UGFzc3dvcmQxMjMh" in masker.values and "UGFzc3dvcmQxMjMh" not in masker.originals
