"""Secret masking of log text, as GitHub's runner does it.

GitHub source: ``actions/runner: src/Sdk/DTLogging/Logging/SecretMasker.cs`` and
``ValueEncoders.cs``. Every occurrence (ordinal, case-sensitive) of every registered value is found
in a line, overlapping or touching ranges are merged, and each merged range becomes ``***``.

A value registered with :meth:`SecretMasker.add` is masked from that moment on; lines logged
earlier stay as they were (GitHub behaves the same way: masks are not retroactive).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterable

MASK = "***"


def _variants(value: str) -> list[str]:
    """The encodings of ``value`` that GitHub's ValueEncoders also mask.

    GitHub also registers base64, JSON-escaped, URI-escaped and XML-escaped forms so a secret that
    a step prints in one of these shapes is still hidden. Here: JSON, URI, XML, expression-escaped
    and quote-trimmed forms; base64 forms are not masked (a known gap).
    """
    out = [value]
    json_escaped = json.dumps(value)[1:-1]
    if json_escaped != value:
        out.append(json_escaped)
    # "value with surrounding double quotes trimmed" (ValueEncoders.TrimDoubleQuotes)
    if len(value) > 2 and value.startswith('"') and value.endswith('"'):
        out.append(value[1:-1])
    xml = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    xml = xml.replace('"', "&quot;").replace("'", "&apos;")
    if xml != value:
        out.append(xml)
    # URI-data-escaped (Uri.EscapeDataString): a secret placed in a URL query.
    uri = urllib.parse.quote(value, safe="")
    if uri != value:
        out.append(uri)
    # Expression-escaped: GitHub's string literals double single quotes.
    if "'" in value:
        out.append(value.replace("'", "''"))
    return out


class SecretMasker:
    """Holds the values to hide and masks lines with them.

    ``mask(line)`` costs one ``in`` test per value when the line holds no secret, so masking every
    line of a chatty step stays cheap.
    """

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: list[str] = []
        self._known: set[str] = set()
        for value in values:
            self.add(value)

    def __bool__(self) -> bool:
        return bool(self._values)

    @property
    def values(self) -> list[str]:
        """The registered values (with their encoded variants), longest first."""
        return list(self._values)

    def add(self, value: str | None) -> None:
        """Register ``value`` (and each trimmed line of a multi-line value) to be masked.

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
            if not candidate or not candidate.strip():
                continue
            for variant in _variants(candidate):
                if variant and variant not in self._known:
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
