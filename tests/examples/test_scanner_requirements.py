"""The scanner's reading of requirements.txt: pins are checked, everything else is reported by line."""

from __future__ import annotations

from scanner.requirements import Pinned, parse_requirements

TEXT = """\
# production dependencies
requests==2.30.0            # pinned
urllib3 == 2.0.7
PyYAML===5.3.1
Jinja2==3.1.2 ; python_version >= "3.8"
cryptography==41.0.0 \\
    --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000
flask>=2.0
django
werkzeug==2.*
numpy>=1.0,<2
-r other-requirements.txt
--index-url https://pypi.example.com/simple
-e ./local-package
mylib @ https://example.com/mylib-1.0.tar.gz
this is not a requirement!
pkg==not a version

"""


def test_pins_are_kept_and_everything_else_reported():
    result = parse_requirements(TEXT)
    assert result.pinned == [
        Pinned(2, "requests", "2.30.0"),
        Pinned(3, "urllib3", "2.0.7"),
        Pinned(4, "PyYAML", "5.3.1"),
        Pinned(5, "Jinja2", "3.1.2", 'python_version >= "3.8"'),
        Pinned(6, "cryptography", "41.0.0"),
    ]
    skipped = {s.line: s.reason for s in result.skipped}
    assert sorted(skipped) == [8, 9, 10, 11, 12, 13, 14, 15, 16, 17]
    assert skipped[8] == "not pinned: >=2.0 is a range (pin it with ==)"
    assert skipped[9] == "not pinned: no version given (pin it with ==)"
    assert skipped[10] == "not pinned: ==2.* is a range (pin it with ==)"
    assert skipped[11].startswith("not pinned: ") and skipped[11].endswith(" is a range (pin it with ==)")
    assert skipped[12] == "pip option -r is not followed"
    assert skipped[13] == "pip option --index-url is not followed"
    assert skipped[14] == "an editable install has no version to check"
    assert skipped[15] == "a direct reference (name @ url) has no version to check"
    assert skipped[16].startswith("not a valid requirement: ")
    assert skipped[17].startswith("not a valid requirement: ")
    assert [s.text for s in result.skipped if s.line == 16] == ["this is not a requirement!"]


def test_empty_and_comment_only_files():
    assert parse_requirements("").pinned == [] and parse_requirements("").skipped == []
    only_comments = parse_requirements("# nothing\n\n   # here\n")
    assert only_comments.pinned == [] and only_comments.skipped == []


def test_a_hash_in_a_url_fragment_is_not_a_comment_and_a_trailing_continuation_ends():
    result = parse_requirements("requests==2.31.0#not-a-comment\nidna==3.7 \\")
    # "#" without whitespace before it is not a comment (pip's rule): the line does not parse.
    assert [s.line for s in result.skipped] == [1]
    assert result.pinned == [Pinned(2, "idna", "3.7")]
