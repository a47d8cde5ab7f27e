"""The primitive procedure library: Guile core procedures and a few library modules.

| file        | provides                                                          |
|-------------|-------------------------------------------------------------------|
| lists.py    | pairs and lists: constructors, selectors, searching, (srfi srfi-1)  |
| higher.py   | fold, filter, find, any/every, lset-*, sort: higher-order lists     |
| strings.py  | strings, symbols, keywords                                          |
| chars.py    | characters and char-sets                                            |
| output.py   | format, simple-format, display, write, newline, object->string      |
| numbers.py  | arithmetic, comparison, number<->string                             |
| control.py  | equality, type predicates, apply/map/values, errors, promises      |
| vectors.py  | vectors and bytevectors                                             |
| misc.py     | association lists, hash tables, getenv, basename/dirname            |

This file also holds the helpers the submodules share: type checks that name
the procedure, conversion of Scheme lists, and `write`/`display` text (from
schemeconf.printer when it is available, else a small fallback).
Importing the package registers everything in primitives.PRIMITIVE_MODULES.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable

from ..datum import (
    NIL, Char, Keyword, Pair, Symbol, Unspecified, Values, Vector, is_number,
)
from ..budget import check_elements
from ..errors import WrongType
from ..primitives import Procedure

SRFI1 = "srfi srfi-1"


# --- type checks --------------------------------------------------------------------

def wrong(who: str, what: str, value: Any, position: int | None = None) -> WrongType:
    where = f" (argument {position})" if position is not None else ""
    return WrongType(f"{who}: expected {what}{where}, got {write_text(value)}")


def check(who: str, ok: bool, what: str, value: Any, position: int | None = None) -> None:
    if not ok:
        raise wrong(who, what, value, position)


def is_exact_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def want_string(who: str, value: Any, position: int | None = None) -> str:
    check(who, isinstance(value, str), "string", value, position)
    return value


def want_char(who: str, value: Any, position: int | None = None) -> Char:
    check(who, isinstance(value, Char), "character", value, position)
    return value


def want_index(who: str, value: Any, position: int | None = None) -> int:
    check(who, is_exact_int(value) and value >= 0, "non-negative exact integer", value, position)
    return value


def is_procedure(value: Any) -> bool:
    """Procedures, and other applicable objects (record accessors and the like)."""
    return isinstance(value, Procedure) or callable(getattr(type(value), "apply", None))


def want_procedure(who: str, value: Any, position: int | None = None) -> Any:
    check(who, is_procedure(value), "procedure", value, position)
    return value


def want_list(who: str, value: Any, position: int | None = None) -> list[Any]:
    """The elements of a proper list, or WrongType naming WHO (circular lists too, as in Guile)."""
    out = []
    p = slow = value
    while isinstance(p, Pair):
        out.append(p.car)
        p = p.cdr
        if len(out) & 1 == 0:
            slow = slow.cdr
            if p is slow:
                raise wrong(who, "proper list", value, position)
    if p is not NIL:
        raise wrong(who, "proper list", value, position)
    return out


def make_list(items, tail: Any = NIL, who: str = "list") -> Any:
    """A Scheme list of ITEMS ending in TAIL; WHO is named if it would exceed the memory budget."""
    items = items if isinstance(items, list) else list(items)
    check_elements(who, len(items))
    result = tail
    for item in reversed(items):
        result = Pair(item, result)
    return result


def truthy(value: Any) -> bool:
    return value is not False


# --- write / display text -----------------------------------------------------------

def write_text(obj: Any) -> str:
    try:
        from ..printer import write_string
    except ImportError:
        return _fallback(obj, True)
    return write_string(obj)


def display_text(obj: Any) -> str:
    try:
        from ..printer import display_string
    except ImportError:
        return _fallback(obj, False)
    return display_string(obj)


CHAR_NAMES = {" ": "space", "\n": "newline", "\t": "tab", "\r": "return", "\0": "nul",
              "\x7f": "delete", "\x1b": "esc", "\x08": "backspace", "\x07": "alarm"}
_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def format_number(x: Any, radix: int = 10) -> str:
    if isinstance(x, Fraction):
        return f"{format_number(x.numerator, radix)}/{format_number(x.denominator, radix)}"
    if isinstance(x, float):
        return _format_float(x)
    if radix == 10:
        return str(x)
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    n, out = abs(x), []
    while True:
        n, d = divmod(n, radix)
        out.append(digits[d])
        if n == 0:
            break
    return ("-" if x < 0 else "") + "".join(reversed(out))


def _format_float(x: float) -> str:
    if math.isnan(x):
        return "+nan.0"
    if math.isinf(x):
        return "+inf.0" if x > 0 else "-inf.0"
    text = repr(x)
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        return f"{mantissa}e{int(exponent)}"
    return text


def _fallback(obj: Any, write: bool) -> str:
    if obj is True:
        return "#t"
    if obj is False:
        return "#f"
    if obj is NIL:
        return "()"
    if is_number(obj):
        return format_number(obj)
    if isinstance(obj, str):
        return '"' + "".join(_STRING_ESCAPES.get(c, c) for c in obj) + '"' if write else obj
    if isinstance(obj, Symbol):
        return obj.name
    if isinstance(obj, Keyword):
        return "#:" + obj.name
    if isinstance(obj, Char):
        if not write:
            return obj.ch
        return "#\\" + CHAR_NAMES.get(obj.ch, obj.ch)
    if isinstance(obj, Pair):
        parts, p = [], obj
        while isinstance(p, Pair):
            parts.append(_fallback(p.car, write))
            p = p.cdr
        tail = "" if p is NIL else " . " + _fallback(p, write)
        return "(" + " ".join(parts) + tail + ")"
    if isinstance(obj, Vector):
        return "#(" + " ".join(_fallback(x, write) for x in obj) + ")"
    if isinstance(obj, bytes):
        return "#vu8(" + " ".join(str(b) for b in obj) + ")"
    if isinstance(obj, Unspecified):
        return "#<unspecified>"
    if isinstance(obj, Values):
        return " ".join(_fallback(x, write) for x in obj.items)
    if isinstance(obj, Procedure):
        return f"#<procedure {getattr(obj, 'name', '?')}>"
    if hasattr(obj, "scheme_repr"):
        return obj.scheme_repr(write)
    return repr(obj)


def pretty_text(obj: Any) -> str:
    """OBJ laid out like Guile's pretty-print, without the final newline."""
    try:
        from ..printer import pretty_string
    except ImportError:
        return write_text(obj)
    return pretty_string(obj)


Caller = Callable[..., Any]

from . import chars, control, higher, lists, misc, numbers, output, strings, vectors  # noqa: E402,F401  (registration)
