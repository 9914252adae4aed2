"""Secret masking of log text, as GitHub's runner does it.

GitHub source: ``actions/runner: src/Sdk/DTLogging/Logging/SecretMasker.cs``, ``ValueSecret.cs``
and ``ValueEncoders.cs``; the encoders registered in ``src/Runner.Common/HostContext.cs``. Every
occurrence (ordinal, case-sensitive) of every registered value is found in a line, overlapping or
touching ranges are merged, and each merged range becomes ``***``.

A value registered with :meth:`SecretMasker.add` is masked from that moment on, together with the
forms GitHub's value encoders derive from it (:data:`ENCODERS`); lines logged earlier stay as they
were (GitHub behaves the same way: masks are not retroactive).
"""

from __future__ import annotations

import base64
import urllib.parse
from collections.abc import Callable, Iterable

MASK = "***"


def _utf8(value: str) -> bytes:
    """``Encoding.UTF8.GetBytes``: a lone surrogate (possible in a str decoded from JSON) becomes
    U+FFFD instead of raising, as .NET's encoder replaces it."""
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")


def _utf16_len(value: str) -> int:
    """.NET's ``String.Length``: UTF-16 code units (a character outside the BMP counts twice)."""
    return len(value) + sum(1 for char in value if ord(char) > 0xFFFF)


def base64_escape(value: str) -> str:
    """``Base64StringEscape``: standard base64 (with ``=`` padding) of the UTF-8 bytes."""
    return base64.b64encode(_utf8(value)).decode("ascii")


def _base64_shift(value: str, shift: int) -> str:
    # Base64 turns 3 bytes into 4 characters, so a secret that follows a prefix (``user:pass``)
    # is encoded differently for each prefix length modulo 3: GitHub also registers the base64 of
    # the value without its first one and two bytes. A value no longer than the shift is
    # encoded whole (``Base64StringEscapeShift``).
    data = _utf8(value)
    if len(data) > shift:
        data = data[shift:]
    return base64.b64encode(data).decode("ascii")


def base64_escape_shift1(value: str) -> str:
    """``Base64StringEscapeShift1``: base64 of the UTF-8 bytes without the first byte."""
    return _base64_shift(value, 1)


def base64_escape_shift2(value: str) -> str:
    """``Base64StringEscapeShift2``: base64 of the UTF-8 bytes without the first two bytes."""
    return _base64_shift(value, 2)


def command_line_argument_escape(value: str) -> str:
    """``CommandLineArgumentEscape``: ``"`` becomes ``\\"`` (how GitHub passes env to docker)."""
    return value.replace('"', '\\"')


def expression_string_escape(value: str) -> str:
    """``ExpressionStringEscape``: ``'`` doubled, as in an expression string literal."""
    return value.replace("'", "''")


# Newtonsoft.Json's JavaScriptUtils (JsonConvert.ToString with StringEscapeHandling.Default):
# control characters as \b \t \n \f \r or \u00xx (lower-case hex), the quote and the backslash,
# and NEL, LS, PS; other non-ASCII characters stay as they are.
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in range(0x20)}
_JSON_ESCAPES.update(
    {
        ord("\b"): "\\b",
        ord("\t"): "\\t",
        ord("\n"): "\\n",
        ord("\f"): "\\f",
        ord("\r"): "\\r",
        ord('"'): '\\"',
        ord("\\"): "\\\\",
        0x85: "\\u0085",
        0x2028: "\\u2028",
        0x2029: "\\u2029",
    }
)


def json_string_escape(value: str) -> str:
    """``JsonStringEscape``: the value as a JSON string (Newtonsoft.Json) without its quotes."""
    return value.translate(_JSON_ESCAPES)


def uri_data_escape(value: str) -> str:
    """``UriDataEscape`` (``Uri.EscapeDataString``): every byte of the UTF-8 form except the RFC
    3986 unreserved characters ``A-Z a-z 0-9 - _ . ~`` as ``%XX`` (upper-case hex)."""
    return urllib.parse.quote(_utf8(value), safe="")


def xml_data_escape(value: str) -> str:
    """``XmlDataEscape`` (``SecurityElement.Escape``): ``< > " ' &`` as XML entities."""
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


def trim_double_quotes(value: str) -> str:
    """``TrimDoubleQuotes``: a value longer than 8 characters that starts and ends with ``"``,
    without those quotes; else "" (nothing registered)."""
    if _utf16_len(value) > 8 and value.startswith('"') and value.endswith('"'):
        return value[1:-1]
    return ""


def powershell_pre_ampersand_escape(value: str) -> str:
    """``PowerShellPreAmpersandEscape``: PowerShell may print a secret holding ``&`` in pieces
    when it fails to run it as a command. The first piece: up to and including the first ``&+``,
    else up to and including the last ``&``; "" when that piece is shorter than 6 characters."""
    if "&" not in value:
        return ""
    plus = value.find("&+")
    section = value[: plus + 2] if plus >= 0 else value[: value.rfind("&") + 1]
    return section if _utf16_len(section) >= 6 else ""


def powershell_post_ampersand_escape(value: str) -> str:
    """``PowerShellPostAmpersandEscape``: the second piece: after the first ``&+`` and the one
    character PowerShell colours, else after the last ``&``; "" when shorter than 6 characters."""
    if "&" not in value:
        return ""
    plus = value.find("&+")
    if plus >= 0:
        section = value[plus + 3 :] if len(value) > plus + 3 else ""
    else:
        section = value[value.rfind("&") + 1 :]
    return section if _utf16_len(section) >= 6 else ""


#: The encoders GitHub's HostContext registers, in its order. Each maps a secret to another form
#: that is masked too; "" means "nothing to add".
ENCODERS: tuple[Callable[[str], str], ...] = (
    base64_escape,
    base64_escape_shift1,
    base64_escape_shift2,
    command_line_argument_escape,
    expression_string_escape,
    json_string_escape,
    uri_data_escape,
    xml_data_escape,
    trim_double_quotes,
    powershell_pre_ampersand_escape,
    powershell_post_ampersand_escape,
)


def variants(value: str) -> list[str]:
    """``value`` and every distinct non-empty form :data:`ENCODERS` derive from it (GitHub:
    ``SecretMasker.AddValue``), ``value`` first."""
    out = [value]
    for encoder in ENCODERS:
        encoded = encoder(value)
        if encoded and encoded not in out:
            out.append(encoded)
    return out


class SecretMasker:
    """Holds the values to hide and masks lines with them.

    ``mask(line)`` costs one ``find`` per registered form when the line holds no secret, so
    masking every line of a chatty step stays cheap.
    """

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: list[str] = []
        self._known: set[str] = set()
        self._originals: list[str] = []
        self._original_set: set[str] = set()
        for value in values:
            self.add(value)

    def __bool__(self) -> bool:
        return bool(self._values)

    @property
    def values(self) -> list[str]:
        """The registered values with their encoded forms, longest first."""
        return list(self._values)

    @property
    def originals(self) -> list[str]:
        """The values as registered (each line of a multi-line value on its own), without the
        encoded forms, in registration order: what a suspended job keeps to register again."""
        return list(self._originals)

    def add(self, value: str | None) -> None:
        """Register ``value`` (and each trimmed line of a multi-line value) to be masked, with
        the forms :data:`ENCODERS` derive from each.

        Empty and whitespace-only values are ignored: masking "" would hide nothing useful and
        masking " " would shred every line (GitHub refuses them too, see ``::add-mask::``).
        """
        if value is None:
            return
        value = str(value)
        candidates = [value]
        if "\n" in value or "\r" in value:
            # GitHub: each line of a multi-line secret is registered on its own, trimmed, because
            # masking runs per log line and the whole value can never appear in one line.
            candidates.extend(part.strip() for part in value.replace("\r\n", "\n").split("\n"))
        changed = False
        for candidate in candidates:
            if not candidate or not candidate.strip() or candidate in self._original_set:
                continue
            self._original_set.add(candidate)
            self._originals.append(candidate)
            for variant in variants(candidate):
                if variant not in self._known:
                    self._known.add(variant)
                    self._values.append(variant)
                    changed = True
        if changed:
            # Longest first so that a secret containing a shorter one is found whole.
            self._values.sort(key=len, reverse=True)

    def contains_secret(self, text: str) -> bool:
        """True when ``text`` holds any registered value (GitHub drops such job outputs)."""
        return any(value in text for value in self._values)

    def mask(self, line: str) -> str:
        """``line`` with every registered value (merged ranges) replaced by ``***``."""
        if not self._values:
            return line
        ranges: list[tuple[int, int]] | None = None
        for value in self._values:
            start = line.find(value)
            if start < 0:
                continue
            if ranges is None:
                ranges = []
            size = len(value)
            while start >= 0:
                ranges.append((start, start + size))
                start = line.find(value, start + 1)
        if not ranges:
            return line
        ranges.sort()
        merged: list[list[int]] = []
        for start, end in ranges:
            # "<=" merges touching ranges as well as overlapping ones (SecretMasker.cs).
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        pieces: list[str] = []
        position = 0
        for start, end in merged:
            pieces.append(line[position:start])
            pieces.append(MASK)
            position = end
        pieces.append(line[position:])
        return "".join(pieces)

    def mask_lines(self, lines: Iterable[str]) -> list[str]:
        """:meth:`mask` applied to each line."""
        if not self._values:
            return list(lines)
        return [self.mask(line) for line in lines]
