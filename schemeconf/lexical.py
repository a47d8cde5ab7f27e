"""How atoms are spelled: the token syntax the reader reads and the printer writes.

    parse_number(text)     the number TEXT denotes in Guile's syntax, or None
    is_numberish(text)     whether Guile's `string->number` accepts TEXT (complex numbers too)
    symbol_syntax(name)    how `write` spells a symbol: bare, or #{...}# when it would not read back
    string_syntax(s)       how `write` spells a string, with Guile's escapes
    char_syntax(c)         how `write` spells a character: #\\a, #\\space, #\\240
    integer_text(n)        N in decimal, however large
    float_syntax(x)        Guile's layout of a float: 1.0e20, 100000.0, +inf.0

plus the tables the reader needs to read them back (READ_CHAR_NAMES,
STRING_ESCAPES, HEX_ESCAPE_WIDTH, NUMBER_START, COMPLEX).

Both directions live here so that they agree: a symbol is printed #{...}#
exactly when the reader would not read its bare name back as that symbol.
This module works on text only; it knows nothing of datums.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "parse_number", "is_numberish", "symbol_syntax", "string_syntax", "char_syntax",
    "integer_text", "float_syntax", "READ_CHAR_NAMES", "STRING_ESCAPES", "HEX_ESCAPE_WIDTH",
    "NUMBER_START", "COMPLEX",
]


# --- numbers --------------------------------------------------------------------------

NUMBER_START = frozenset("0123456789+-.")  # Guile tries `string->number` on tokens starting so

_RADIX_FLAGS = {"x": 16, "b": 2, "o": 8, "d": 10}
_DIGITS = {2: "[01]+", 8: "[0-7]+", 10: "[0-9]+", 16: "[0-9a-fA-F]+"}
_RATIONAL = {r: re.compile(rf"[+-]?({d})(?:/({d}))?") for r, d in _DIGITS.items()}
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eEsSfFdDlL][+-]?[0-9]+)?")
_INF_NAN = re.compile(r"([+-])(inf|nan)\.0", re.IGNORECASE)
_UREAL = r"(?:[0-9]+(?:/[0-9]+)?|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf\.0|nan\.0)"
COMPLEX = re.compile(rf"(?:[+-]?{_UREAL})?[+-]{_UREAL}?i|[+-]?{_UREAL}@[+-]?{_UREAL}", re.I)


def parse_number(text: str) -> int | float | Fraction | None:
    """The number TEXT denotes in Guile's syntax, or None (complex numbers: None)."""
    radix, exactness = 0, ""
    while text[:1] == "#" and len(text) >= 2:
        flag = text[1].lower()
        if flag in _RADIX_FLAGS and not radix:
            radix = _RADIX_FLAGS[flag]
        elif flag in "ei" and not exactness:
            exactness = flag
        else:
            return None
        text = text[2:]
    try:
        value = _parse_real(text, radix or 10, exactness == "e")
    except ValueError:  # beyond Python's int-string limits: a 5000-digit literal
        return None
    if value is None:
        return None
    if exactness == "i":
        return float(value)
    if exactness == "e" and isinstance(value, float):
        return None  # #e+inf.0
    return value


def _parse_real(text: str, radix: int, exact: bool) -> int | float | Fraction | None:
    m = _RATIONAL[radix].fullmatch(text)
    if m:
        num = int(text.split("/")[0], radix)
        if m.group(2) is None:
            return num
        den = int(m.group(2), radix)
        if den == 0:
            return None
        q = Fraction(num, den)
        return q.numerator if q.denominator == 1 else q
    m = _INF_NAN.fullmatch(text)
    if m:
        value = float(m.group(2))
        return -value if m.group(1) == "-" and m.group(2).lower() == "inf" else value
    if radix == 10 and _DECIMAL.fullmatch(text) and text.strip("+-") != ".":
        normal = re.sub("[sSfFdDlL]", "e", text)
        if exact:
            if abs(int(re.split("[eE]", normal + "e0")[1] or 0)) > 10_000:
                return None  # #e1e999999999 would take forever
            q = Fraction(normal)
            return q.numerator if q.denominator == 1 else q
        return float(normal)
    return None


def is_numberish(text: str) -> bool:
    """Whether Guile's `string->number` accepts TEXT (complex numbers included)."""
    return parse_number(text) is not None or COMPLEX.fullmatch(text) is not None


def integer_text(n: int) -> str:
    """N in decimal, however large (Python's str() refuses more than 4300 digits)."""
    if n.bit_length() < 13_000:
        return str(n)
    if n < 0:
        return "-" + integer_text(-n)
    half = int(n.bit_length() * 0.30103) // 2  # about half of its decimal digits
    high, low = divmod(n, 10 ** half)
    return integer_text(high) + integer_text(low).zfill(half)


def float_syntax(x: float) -> str:
    """Guile's layout of the shortest round-tripping digits of X."""
    if math.isnan(x):
        return "+nan.0"
    if math.isinf(x):
        return "+inf.0" if x > 0 else "-inf.0"
    sign = "-" if math.copysign(1.0, x) < 0 else ""
    if x == 0:
        return sign + "0.0"
    _, digit_tuple, exponent = Decimal(repr(abs(x))).as_tuple()
    assert isinstance(exponent, int)  # a finite float: not 'n', 'N' or 'F'
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    digits = stripped
    k = len(digits)
    e = k - 1 + exponent  # the power of ten of the first digit
    if e < -3:
        return sign + _scientific(digits, e)
    if e < 0:
        return sign + "0." + "0" * (-e - 1) + digits
    if k <= e + 1:  # an integral value: digits, then zeros
        if e + 2 - k > 4 and e > 6:
            return sign + _scientific(digits, e)
        return sign + digits + "0" * (e + 1 - k) + ".0"
    return sign + digits[: e + 1] + "." + digits[e + 1 :]


def _scientific(digits: str, e: int) -> str:
    return f"{digits[0]}.{digits[1:] or '0'}e{e}"


# --- symbols --------------------------------------------------------------------------

# Unicode general categories Guile allows in a bare symbol (print.c).
_INITIAL = frozenset("Lu Ll Lt Lm Lo Mn Nl No Pd Pc Po Sc Sm Sk So Co".split())
_SUBSEQUENT = _INITIAL | {"Nd", "Mc", "Me"}
_symbol_cache: dict[str, str] = {}


def symbol_syntax(name: str) -> str:
    """How `write` prints the symbol NAME: bare, or as #{...}# when it would not read back."""
    cached = _symbol_cache.get(name)
    if cached is None:
        cached = "#{" + "".join(map(_brace_char, name)) + "}#" if _needs_braces(name) else name
        _symbol_cache[name] = cached
    return cached


def _needs_braces(name: str) -> bool:
    if not name or name == "." or name[0] in "'`,\";#":
        return True
    if is_numberish(name):
        return True
    if unicodedata.category(name[0]) not in _INITIAL:
        return True
    return any(c in '";#' or unicodedata.category(c) not in _SUBSEQUENT for c in name[1:])


def _brace_char(c: str) -> str:
    cat = unicodedata.category(c)
    if cat in _SUBSEQUENT or cat == "Zs":
        return c
    return f"\\x{ord(c):x};"


# --- strings --------------------------------------------------------------------------

# What follows a backslash in a string Guile reads (ice-9/read.scm); \x, \u, \U
# take exactly 2, 4, 6 hex digits.
STRING_ESCAPES = {"\\": "\\", '"': '"', "|": "|", "(": "(", "0": "\0", "f": "\f", "n": "\n",
                  "r": "\r", "t": "\t", "a": "\a", "v": "\v", "b": "\b", "\n": ""}
HEX_ESCAPE_WIDTH = {"x": 2, "u": 4, "U": 6}

_GRAPHIC = frozenset("LMNPS")  # first letters of the "graphic" general categories
_STRING_SPECIAL = re.compile(r'[^ !#-\[\]-~]')  # anything but printable ASCII minus " and \
_C_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\a": "\\a", "\b": "\\b", "\t": "\\t",
              "\v": "\\v", "\f": "\\f", "\r": "\\r"}


def string_syntax(s: str) -> str:
    """How `write` prints the string S."""
    return '"' + _STRING_SPECIAL.sub(_escape_match, s) + '"'


def _escape_match(m: re.Match[str]) -> str:
    c = m.group(0)
    esc = _C_ESCAPES.get(c)
    if esc is not None:
        return esc
    if unicodedata.category(c)[0] in _GRAPHIC:
        return c
    code = ord(c)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:06x}"


# --- characters -----------------------------------------------------------------------

_C0_NAMES = ("nul soh stx etx eot enq ack bel bs ht lf vt ff cr so si dle dc1 dc2 dc3 dc4 "
             "nak syn etb can em sub esc fs gs rs us sp").split()

# Names `write` uses for characters, in Guile's order of preference (chars.c).
_WRITE_CHAR_NAMES = {0x20: "space", 0x0A: "newline", 0x00: "nul", 0x07: "alarm", 0x08: "backspace",
                     0x09: "tab", 0x0B: "vtab", 0x0C: "page", 0x0D: "return", 0x1B: "esc", 0x7F: "delete"}
for _code, _name in enumerate(_C0_NAMES[:32]):
    _WRITE_CHAR_NAMES.setdefault(_code, _name)

# Guile's character names, matched case-insensitively by the reader (ice-9/read.scm).
READ_CHAR_NAMES = {
    "space": " ", "newline": "\n", "nul": "\0", "alarm": "\a", "backspace": "\b",
    "tab": "\t", "linefeed": "\n", "vtab": "\v", "page": "\f", "return": "\r",
    "esc": "\x1b", "delete": "\x7f", "escape": "\x1b", "null": "\0", "nl": "\n", "np": "\f",
}
for _code, _name in enumerate(_C0_NAMES):
    READ_CHAR_NAMES.setdefault(_name, chr(_code))
READ_CHAR_NAMES.setdefault("del", "\x7f")


def char_syntax(c: str) -> str:
    """How `write` prints the character C."""
    if unicodedata.combining(c):
        return "#\\\u25cc" + c  # on a dotted circle, as Guile does
    if unicodedata.category(c)[0] in _GRAPHIC:
        return "#\\" + c
    name = _WRITE_CHAR_NAMES.get(ord(c))
    return "#\\" + (name if name is not None else f"{ord(c):o}")
