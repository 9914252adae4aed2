"""Values and GitHub's coercion rules: kinds, to-number, to-string, truthiness, comparisons.

Values are plain Python data: ``None``, ``bool``, ``int``/``float`` (read as IEEE doubles),
``str``, lists (any non-string sequence) and mappings. Objects have case-insensitive keys.

GitHub: ``actions/languageservices: expressions/src/result.ts`` (``coerceTypes``, ``equals``,
``greaterThan``, ``lessThan``, ``falsy``, ``toUpperSpecial``), ``data/*.ts`` (``number()``,
``coerceString()``) and ``actions/runner: src/Sdk/DTExpressions2/Expressions2/EvaluationResult.cs``.
Where the two differ we follow the TypeScript evaluator, which is the one we can run
side by side (tests/oracle), except where noted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

__all__ = [
    "ARRAY",
    "BOOLEAN",
    "NULL",
    "NUMBER",
    "OBJECT",
    "STRING",
    "FilteredArray",
    "equals",
    "format_number",
    "get_property",
    "greater_than",
    "is_primitive",
    "js_number_string",
    "kind_name",
    "kind_of",
    "less_than",
    "to_number",
    "to_string",
    "truthy",
    "upper_special",
]

NULL, BOOLEAN, NUMBER, STRING, ARRAY, OBJECT = range(6)
_KIND_NAMES = ("Null", "Boolean", "Number", "String", "Array", "Object")
_MISSING = object()


class FilteredArray(list[Any]):
    """The result of ``.*`` / ``[*]``: further access applies to each element (GitHub: ``FilteredArray``)."""

    __slots__ = ()


def kind_of(value: Any) -> int:
    """The kind of a value: one of ``NULL, BOOLEAN, NUMBER, STRING, ARRAY, OBJECT``.

    Types outside JSON's (dates, paths...) count as strings, through ``str()``.
    """
    t = type(value)
    if t is str:
        return STRING
    if value is None:
        return NULL
    if t is bool:
        return BOOLEAN
    if t is int or t is float:
        return NUMBER
    if t is dict or t is FilteredArray or t is list:
        return OBJECT if t is dict else ARRAY
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, (int, float)):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, Mapping):
        return OBJECT
    if isinstance(value, (list, tuple)):
        return ARRAY
    return STRING


def kind_name(value: Any) -> str:
    """GitHub's kind name (``Null``, ``Boolean``, ``Number``, ``String``, ``Array``, ``Object``)."""
    return _KIND_NAMES[kind_of(value)]


def is_primitive(value: Any) -> bool:
    return kind_of(value) < ARRAY


# JavaScript's StrWhiteSpaceChar (WhiteSpace and LineTerminator): what Number() trims.
JS_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_RADIX = re.compile(r"0(?:([xX])[0-9a-fA-F]+|([oO])[0-7]+|([bB])[01]+)")


def string_to_number(text: str) -> float:
    """JavaScript's ``Number(text)``: GitHub's string → number (``StringData.number()``).

    Blank → 0; decimal with sign, fraction and exponent; unsigned ``0x``/``0o``/``0b`` literals;
    ``Infinity`` with an optional sign; anything else NaN. Python's ``float()`` is not used
    directly: it accepts ``nan``, ``inf`` and ``1_000`` and rejects ``0x10``.
    """
    s = text.strip(JS_WHITESPACE)
    if not s:
        return 0.0
    if _DECIMAL.fullmatch(s):
        return float(s)
    m = _RADIX.fullmatch(s)
    if m:
        base = 16 if m.group(1) else 8 if m.group(2) else 2
        n = int(s[2:], base)
        try:
            return float(n)
        except OverflowError:
            return math.inf
    if s in ("Infinity", "+Infinity"):
        return math.inf
    if s == "-Infinity":
        return -math.inf
    return math.nan


def to_number(value: Any) -> float:
    """Number form of any value: null → 0, booleans → 0/1, strings per JS ``Number()``, else NaN."""
    k = kind_of(value)
    if k == NUMBER:
        if type(value) is float:
            return value
        try:
            return float(value)
        except OverflowError:  # a Python int beyond the doubles: what JavaScript would hold
            return math.inf if value > 0 else -math.inf
    if k == STRING:
        return string_to_number(value if type(value) is str else str(value))
    if k == NULL:
        return 0.0
    if k == BOOLEAN:
        return 1.0 if value else 0.0
    return math.nan


_FIXED15 = Decimal(1).scaleb(-15)
_DECIMAL_CONTEXT = Context(prec=80)


def js_number_string(x: float) -> str:
    """JavaScript's ``Number.prototype.toString()`` (shortest round-trip digits, JS exponent rules)."""
    if math.isnan(x):
        return "NaN"
    if x in (math.inf, -math.inf):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    # repr() gives the same shortest round-trip digits as V8; only the layout differs.
    digits_tuple = Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(map(str, digits_tuple.digits))
    k = len(digits)
    n = digits_tuple.exponent + k  # type: ignore[operator]  # position of the decimal point
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        exp = f"e{'+' if e >= 0 else '-'}{abs(e)}"
        body = (digits[0] + ("." + digits[1:] if k > 1 else "")) + exp
    return sign + body


def format_number(x: float) -> str:
    """GitHub's number → string (``NumberData.coerceString()``): ``(+x.toFixed(15)).toString()``.

    Fifteen decimal places at most, no trailing zeros, ``-0`` → ``0``, JavaScript's exponent
    form from 1e21 (``1e+21``). The C# runner prints .NET ``G15`` instead (``1E+21``,
    ``1.23456789012346E+19``); GitHub's test data and act's table follow the TypeScript form.
    """
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return js_number_string(x)
    if x.is_integer() and abs(x) < 9007199254740992.0:
        return str(int(x))
    if abs(x) >= 1e21:
        return js_number_string(x)
    # toFixed: the exact binary value rounded half away from zero (ties take the larger
    # magnitude, since toFixed works on the absolute value), then read back as a double.
    fixed = Decimal(x).quantize(_FIXED15, rounding=ROUND_HALF_UP, context=_DECIMAL_CONTEXT)
    return js_number_string(float(fixed))


def to_string(value: Any) -> str:
    """String form (interpolation, ``format``, ``join``, object keys): null → ``''``,
    booleans → ``true``/``false``, numbers per :func:`format_number`, arrays → ``Array``,
    objects → ``Object``."""
    if type(value) is str:
        return value
    k = kind_of(value)
    if k == NULL:
        return ""
    if k == BOOLEAN:
        return "true" if value else "false"
    if k == NUMBER:
        return format_number(to_number(value))
    if k == STRING:
        return value if isinstance(value, str) else str(value)
    return "Array" if k == ARRAY else "Object"


def truthy(value: Any) -> bool:
    """Truthiness: null, false, 0, -0, NaN and ``''`` are false; everything else (``'false'``, ``[]``) true."""
    t = type(value)
    if t is bool:
        return value is True
    if t is str:
        return bool(value != "")
    if value is None:
        return False
    if t is int:
        return bool(value != 0)
    if t is float:
        return bool(value != 0 and not math.isnan(value))
    k = kind_of(value)
    if k == NUMBER:
        x = to_number(value)
        return x != 0 and not math.isnan(x)
    if k == STRING:
        return to_string(value) != ""
    return True


def upper_special(s: str) -> str:
    """Case folding for comparisons: upper case every character except the dotless ``ı``.

    GitHub (TS ``toUpperSpecial``; C# ``OrdinalIgnoreCase``) keeps ``ı`` so that ``'ı' != 'I'``.
    We use simple (one-to-one) mappings as C#'s OrdinalIgnoreCase does: ``ß`` stays ``ß``
    (TypeScript's ``toUpperCase`` would make it ``SS``).
    """
    if s.isascii():
        return s.upper()
    out = []
    for c in s:
        u = c.upper()
        out.append(u if len(u) == 1 and c != "ı" else c)
    return "".join(out)


def _beyond_bmp(s: str) -> bool:
    return not s.isascii() and max(s) > "\uffff"


def _utf16_pair(a: str, b: str) -> tuple[str, str] | tuple[bytes, bytes]:
    # GitHub orders strings by UTF-16 code units; Python by code points. They differ only
    # when characters beyond the BMP meet U+E000..U+FFFF.
    if _beyond_bmp(a) or _beyond_bmp(b):
        return a.encode("utf-16-be", "surrogatepass"), b.encode("utf-16-be", "surrogatepass")
    return a, b


def _coerce(left: Any, right: Any) -> tuple[int, Any, int, Any]:
    """GitHub's ``coerceTypes``: JS abstract-equality style, objects never converted."""
    lk, rk = kind_of(left), kind_of(right)
    if lk == rk:
        return lk, left, rk, right
    if lk == NUMBER and rk == STRING:
        return lk, left, NUMBER, to_number(right)
    if lk == STRING and rk == NUMBER:
        return NUMBER, to_number(left), rk, right
    if lk == NULL or lk == BOOLEAN:
        return _coerce(to_number(left), right)
    if rk == NULL or rk == BOOLEAN:
        return _coerce(left, to_number(right))
    return lk, left, rk, right


def equals(left: Any, right: Any) -> bool:
    """Loose equality (``==``): coercion as above, case-insensitive strings, NaN unequal,
    arrays and objects equal only to themselves (same instance)."""
    if type(left) is str and type(right) is str:
        return left == right or upper_special(left) == upper_special(right)
    lk, lv, rk, rv = _coerce(left, right)
    if lk != rk:
        return False
    if lk == NUMBER:
        return to_number(lv) == to_number(rv)  # NaN compares unequal by itself
    if lk == STRING:
        return upper_special(to_string(lv)) == upper_special(to_string(rv))
    if lk == NULL:
        return True
    if lk == BOOLEAN:
        return bool(lv) == bool(rv)
    return lv is rv


def _order(left: Any, right: Any) -> tuple[Any, Any] | None:
    lk, lv, rk, rv = _coerce(left, right)
    if lk != rk:
        return None
    if lk == NUMBER:
        a, b = to_number(lv), to_number(rv)
        return None if math.isnan(a) or math.isnan(b) else (a, b)
    if lk == STRING:
        return _utf16_pair(upper_special(to_string(lv)), upper_special(to_string(rv)))
    if lk == BOOLEAN:
        return bool(lv), bool(rv)
    return None


def greater_than(left: Any, right: Any) -> bool:
    """``>`` after coercion: numbers (NaN → false), strings case-insensitively, ``true > false``."""
    pair = _order(left, right)
    return pair is not None and pair[0] > pair[1]


def less_than(left: Any, right: Any) -> bool:
    """``<`` after coercion, as :func:`greater_than`."""
    pair = _order(left, right)
    return pair is not None and pair[0] < pair[1]


def get_property(obj: Mapping[Any, Any], key: str, key_lower: str | None = None) -> Any:
    """Case-insensitive lookup of ``key`` in an object; returns a private sentinel when absent.

    An exact match wins (so a case-sensitive ``env`` with ``Foo`` and ``FOO`` resolves both);
    otherwise the first key, in order, equal ignoring case.
    """
    v = obj.get(key, _MISSING)
    if v is not _MISSING:
        return v
    if key_lower is None:
        key_lower = key.lower()
    for k, v in obj.items():
        ks = k if type(k) is str else to_string(k)
        if ks.lower() == key_lower:
            return v
    return _MISSING


MISSING = _MISSING
