"""What the primitive modules of schemeconf.builtins share: type checks that
name the procedure, conversion of Scheme lists, and `write`/`display` text."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from ..budget import check_elements
from ..datum import NIL, Char, Pair
from ..errors import WrongType
from ..primitives import Procedure
from ..printer import display_string, pretty_string, write_string

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

write_text = write_string
display_text = display_string


def pretty_text(obj: Any) -> str:
    """OBJ laid out like Guile's pretty-print, without the final newline."""
    return pretty_string(obj)


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
