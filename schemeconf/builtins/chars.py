"""Characters and character sets.

| procedures                                                              | module |
|-------------------------------------------------------------------------|--------|
| char->integer integer->char char-upcase char-downcase                   | core   |
| char-alphabetic? char-numeric? char-whitespace? char-upper-case? ...    | core   |
| char=? char<? char>? char<=? char>=? char-ci=? char-ci<? ...            | core   |
| char-set char-set-complement char-set-union char-set-contains?          | core   |
| char-set? string->char-set                                              | core   |
| char-set:letter char-set:digit char-set:whitespace char-set:graphic ... | core   |

A char set is a CharSet wrapping a Python predicate on one-character strings.
`char_matcher` turns a Char, CharSet or Scheme predicate into such a function,
for string-index, string-split, string-tokenize and friends.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from ..datum import Char
from ..primitives import call, define_value, primitive
from .common import check, is_exact_int, is_procedure, want_char, want_string, wrong


class CharSet:
    __slots__ = ("contains", "name")

    def __init__(self, contains: Callable[[str], bool], name: str = "char-set"):
        self.contains = contains
        self.name = name

    def scheme_repr(self, write: bool) -> str:
        return f"#<char-set {self.name}>"

    def __repr__(self) -> str:
        return self.scheme_repr(True)


def char_matcher(who: str, spec: Any, position: int | None = None) -> Callable[[str], bool]:
    if isinstance(spec, Char):
        return lambda c: c == spec.ch
    if isinstance(spec, CharSet):
        return spec.contains
    if is_procedure(spec):
        return lambda c: call(spec, Char(c)) is not False
    raise wrong(who, "character, char-set or predicate", spec, position)


def _is_digit(c: str) -> bool:
    return unicodedata.category(c) == "Nd"


def _is_graphic(c: str) -> bool:
    return unicodedata.category(c)[0] in "LMNPS"


_SETS = {
    "letter": str.isalpha,
    "digit": _is_digit,
    "letter+digit": lambda c: c.isalpha() or _is_digit(c),
    "whitespace": str.isspace,
    "blank": lambda c: c == "\t" or unicodedata.category(c) == "Zs",
    "graphic": _is_graphic,
    "printing": lambda c: _is_graphic(c) or c.isspace(),
    "upper-case": str.isupper,
    "lower-case": str.islower,
    "punctuation": lambda c: unicodedata.category(c)[0] == "P",
    "symbol": lambda c: unicodedata.category(c)[0] == "S",
    "hex-digit": lambda c: c in "0123456789abcdefABCDEF",
    "ascii": lambda c: ord(c) < 128,
    "full": lambda c: True,
    "empty": lambda c: False,
}

for _name, _test in _SETS.items():
    define_value(f"char-set:{_name}", CharSet(_test, _name))


def want_charset(who: str, value: Any, position: int | None = None) -> CharSet:
    check(who, isinstance(value, CharSet), "char-set", value, position)
    return value


@primitive("char-set")
def char_set(*chars):
    members = frozenset(want_char("char-set", c, i + 1).ch for i, c in enumerate(chars))
    return CharSet(members.__contains__)


@primitive("string->char-set")
def string_to_char_set(s):
    members = frozenset(want_string("string->char-set", s))
    return CharSet(members.__contains__)


@primitive("char-set-complement")
def char_set_complement(cs):
    contains = want_charset("char-set-complement", cs).contains
    return CharSet(lambda c: not contains(c))


@primitive("char-set-union")
def char_set_union(*sets):
    tests = [want_charset("char-set-union", cs, i + 1).contains for i, cs in enumerate(sets)]
    return CharSet(lambda c: any(t(c) for t in tests))


@primitive("char-set-contains?")
def char_set_contains(cs, ch):
    return bool(want_charset("char-set-contains?", cs, 1).contains(want_char("char-set-contains?", ch, 2).ch))


@primitive("char-set?")
def char_set_p(obj):
    return isinstance(obj, CharSet)


# --- characters ---------------------------------------------------------------------

@primitive("char->integer")
def char_to_integer(c):
    return ord(want_char("char->integer", c).ch)


@primitive("integer->char")
def integer_to_char(n):
    ok = is_exact_int(n) and 0 <= n <= 0x10FFFF and not 0xD800 <= n <= 0xDFFF
    check("integer->char", ok, "Unicode scalar value", n)
    return Char(chr(n))


def _case(name: str, convert: Callable[[str], str]) -> None:
    def change(c):
        ch = want_char(name, c).ch
        out = convert(ch)
        return Char(out) if len(out) == 1 else c
    primitive(name)(change)


_case("char-upcase", str.upper)
_case("char-downcase", str.lower)
_case("char-foldcase", str.casefold)

_CHAR_TESTS = {
    "char-alphabetic?": str.isalpha, "char-numeric?": _is_digit, "char-whitespace?": str.isspace,
    "char-upper-case?": str.isupper, "char-lower-case?": str.islower,
}


def _char_test(name: str, test: Callable[[str], bool]) -> None:
    primitive(name)(lambda c: bool(test(want_char(name, c).ch)))


for _name, _test in _CHAR_TESTS.items():
    _char_test(_name, _test)


@primitive("digit-value")
def digit_value(c):
    ch = want_char("digit-value", c).ch
    return unicodedata.digit(ch) if _is_digit(ch) else False


_ORDERS = {"=?": lambda a, b: a == b, "<?": lambda a, b: a < b, ">?": lambda a, b: a > b,
           "<=?": lambda a, b: a <= b, ">=?": lambda a, b: a >= b}


def _char_compare(name: str, test, fold: bool) -> None:
    def compare(*chars):
        keys = []
        for i, c in enumerate(chars):
            ch = want_char(name, c, i + 1).ch
            keys.append(ch.casefold() if fold else ch)
        return all(test(a, b) for a, b in pairwise(keys))
    primitive(name)(compare)


for _suffix, _order in _ORDERS.items():
    _char_compare("char" + _suffix, _order, False)
    _char_compare("char-ci" + _suffix, _order, True)
