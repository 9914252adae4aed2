"""``dispatchd send`` fields read as ``gh api`` reads ``-f`` and ``-F``."""

from __future__ import annotations

import pytest

from dispatchd.fields import FieldError, parse_fields


@pytest.mark.parametrize(("raw", "typed", "expected"), [
    (["n=7", "t=true", "z=null"], [], {"n": "7", "t": "true", "z": "null"}),
    # Integers as Go's strconv.Atoi reads them (gh api -F): signs and leading zeros, 64 bits.
    ([], ["n=7", "neg=-3", "t=true", "f=false", "z=null", "x=1.5", "lead=07", "plus=+5", "s=CVE-1",
          "big=9223372036854775807", "huge=9223372036854775808", "e=1e3", "hex=0x10", "u=1_000"],
     {"n": 7, "neg": -3, "t": True, "f": False, "z": None, "x": "1.5", "lead": 7, "plus": 5, "s": "CVE-1",
      "big": 2**63 - 1, "huge": "9223372036854775808", "e": "1e3", "hex": "0x10", "u": "1_000"}),
    # An array of objects: one object until one of its keys repeats (as gh api builds it).
    ([], ["p[][name]=env", "p[][value]=prod", "p[][name]=tier", "p[][value]=1", "p[][tags][]=a", "p[][tags][]=b"],
     {"p": [{"name": "env", "value": "prod"}, {"name": "tier", "value": 1, "tags": ["a", "b"]}]}),
    ([], ["scan[severity]=high", "scan[score]=9", "ids[]=1", "ids[]=2", "empty[]"],
     {"scan": {"severity": "high", "score": 9}, "ids": [1, 2], "empty": []}),
    (["a==b", "eq=x=y"], [], {"a": "=b", "eq": "x=y"}),
    (["k=raw"], ["k=1"], {"k": 1}),  # -F comes after -f
])
def test_fields(raw, typed, expected):
    assert parse_fields(raw, typed) == expected


def test_a_file_value(tmp_path, monkeypatch):
    (tmp_path / "body.md").write_text("# CVE\n")
    monkeypatch.chdir(tmp_path)
    assert parse_fields(["raw=@body.md"], ["body=@body.md"]) == {"raw": "@body.md", "body": "# CVE\n"}


@pytest.mark.parametrize(("raw", "typed", "message"), [
    (["novalue"], [], "-f 'novalue': expected KEY=VALUE"),
    (["=v"], [], "-f '=v': expected KEY=VALUE"),
    ([], ["a[=1"], "-F 'a[=1': expected KEY=VALUE"),
    ([], ["a=1", "a[b]=2"], "-F 'a[b]=2': 'a' is not an object"),
    ([], ["a[b]=1", "a[]=2"], "-F 'a[]=2': 'a' is used both as an object and as an array"),
])
def test_bad_fields(raw, typed, message):
    with pytest.raises(FieldError) as caught:
        parse_fields(raw, typed)
    assert str(caught.value) == message
