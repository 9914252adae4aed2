"""``KEY=VALUE`` fields as ``gh api`` reads them, for ``dispatchd send``.

``-f/--raw-field`` values are strings as typed. ``-F/--field`` values are typed the way ``gh api -F``
types them: ``true``, ``false``, ``null`` and integers (what Go's ``strconv.Atoi`` reads: an optional
sign, decimal digits, leading zeros allowed, within 64 bits) become JSON literals, ``@FILE`` is the
file's text (``@-``: standard input), anything else stays a string. Keys nest as in gh:
``scan[severity]=high`` gives ``{"scan": {"severity": "high"}}``, ``ids[]=1`` appends to an array,
``ids[]`` alone is an empty array, and ``p[][name]=a -F p[][value]=b`` fills one object of the array
until a key repeats (``{"p": [{"name": "a", "value": "b"}]}``; cli/cli pkg/cmd/api/fields.go).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

_INTEGER = re.compile(r"[+-]?[0-9]+")
_INT64 = range(-(2**63), 2**63)
_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")


class FieldError(ValueError):
    """A field that cannot be read; the message quotes it as typed."""


def typed_value(value: str) -> Any:
    """``gh api -F``'s typing of one value (``@FILE`` reads the file)."""
    if value in ("true", "false"):
        return value == "true"
    if value == "null":
        return None
    if _INTEGER.fullmatch(value) and int(value) in _INT64:
        return int(value)
    if value.startswith("@"):
        name = value[1:]
        try:
            return sys.stdin.read() if name == "-" else Path(name).read_text()
        except OSError as e:
            raise FieldError(f"{value}: {e.strerror or e}") from None
    return value


def parse_fields(raw: list[str], typed: list[str]) -> dict[str, Any]:
    """The object the fields describe: ``raw`` (``-f``) first, then ``typed`` (``-F``), each in order.

    Raises:
        FieldError: ``-f 'x': expected KEY=VALUE`` for an item without ``=`` (other than ``key[]``)
            or with an empty or malformed key; a key used both as a value and as an object.
    """
    out: dict[str, Any] = {}
    for flag, items in (("-f", raw), ("-F", typed)):
        for item in items:
            key, sep, value = item.partition("=")
            match = _KEY.fullmatch(key)
            if match is None or (not sep and not key.endswith("[]")):
                raise FieldError(f"{flag} {item!r}: expected KEY=VALUE")
            path = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
            if not sep:
                _put(out, path[:-1], [], item, flag, empty_array=True)
            else:
                _put(out, path, typed_value(value) if flag == "-F" else value, item, flag)
    return out


def _put(target: dict[str, Any], path: list[str], value: Any, item: str, flag: str, *,
         empty_array: bool = False) -> None:
    node: Any = target
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if part == "":  # key[]: append to the array
            if not isinstance(node, list):
                raise FieldError(f"{flag} {item!r}: expected KEY=VALUE")
            if last:
                node.append(value)
                return
            # gh: key[][sub]=v goes into the array's last object unless that object has sub already.
            following = path[i + 1]
            if not (node and isinstance(node[-1], dict)
                    and (following not in node[-1] or isinstance(node[-1][following], list))):
                node.append({})
            node = node[-1]
            continue
        if last:
            if empty_array:
                node.setdefault(part, [])
            else:
                node[part] = value
            return
        following = path[i + 1]
        node = node.setdefault(part, [] if following == "" else {})
        if not isinstance(node, (dict, list)):
            raise FieldError(f"{flag} {item!r}: {part!r} is not an object")
        if isinstance(node, list) != (following == ""):
            raise FieldError(f"{flag} {item!r}: {part!r} is used both as an object and as an array")
