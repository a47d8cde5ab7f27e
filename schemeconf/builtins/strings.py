"""Strings, symbols and keywords.  (Strings are immutable Python strs: no string-set!.)

| procedures                                                                | module |
|---------------------------------------------------------------------------|--------|
| string-length string-ref substring string-copy string-append string-null? | core   |
| string make-string string->list list->string string-join string-split     | core   |
| string-prefix? string-suffix? string-prefix-ci? string-suffix-ci?         | core   |
| string-contains string-contains-ci string-index string-rindex             | core   |
| string-trim string-trim-right string-trim-both string-pad string-pad-right| core   |
| string-upcase string-downcase string-titlecase string-reverse             | core   |
| string-tokenize string-for-each string-map string-count string-filter     | core   |
| string-delete string-any string-every                                     | core   |
| string=? string<? string>? string<=? string>=? string-ci=? string-ci<? ...| core   |
| symbol->string string->symbol symbol-append                               | core   |
| keyword->symbol symbol->keyword string->keyword keyword->string           | core   |
| string-replace-substring                                           | (ice-9 string-fun) |
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from ..budget import check_chars
from ..datum import UNSPECIFIED, Char, Keyword, Symbol
from ..primitives import call, primitive
from .chars import _SETS, CharSet, char_matcher
from .common import (
    check,
    is_exact_int,
    make_list,
    want_char,
    want_list,
    want_procedure,
    want_string,
    wrong,
)

_WHITESPACE = CharSet(str.isspace, "whitespace")
_GRAPHIC = CharSet(_SETS["graphic"], "graphic")


def _bounds(who: str, s: str, start: Any, end: Any, position: int) -> tuple[int, int]:
    """Check optional START/END (arguments POSITION, POSITION+1) against S."""
    lo = 0 if start is None else start
    hi = len(s) if end is None else end
    check(who, is_exact_int(hi) and 0 <= hi <= len(s), f"index between 0 and {len(s)}", hi, position + 1)
    check(who, is_exact_int(lo) and 0 <= lo <= hi, f"index between 0 and {hi}", lo, position)
    return lo, hi


@primitive("string-length")
def string_length(s):
    return len(want_string("string-length", s))


@primitive("string-ref")
def string_ref(s, k):
    want_string("string-ref", s, 1)
    check("string-ref", is_exact_int(k) and 0 <= k < len(s), f"index below {len(s)}", k, 2)
    return Char(s[k])


@primitive("substring")
def substring(s, start, end=None):
    want_string("substring", s, 1)
    lo, hi = _bounds("substring", s, start, end, 2)
    return s[lo:hi]


@primitive("string-copy")
def string_copy(s, start=None, end=None):
    want_string("string-copy", s, 1)
    lo, hi = _bounds("string-copy", s, start, end, 2)
    return s[lo:hi]


@primitive("string-append")
def string_append(*strings):
    for i, s in enumerate(strings):
        want_string("string-append", s, i + 1)
    check_chars("string-append", sum(map(len, strings)))
    return "".join(strings)


@primitive("string-null?")
def string_null(s):
    return want_string("string-null?", s) == ""


@primitive("string")
def string(*chars):
    return "".join(want_char("string", c, i + 1).ch for i, c in enumerate(chars))


@primitive("make-string")
def make_string(n, fill=None):
    check("make-string", is_exact_int(n) and n >= 0, "non-negative exact integer", n, 1)
    check_chars("make-string", n)
    return (" " if fill is None else want_char("make-string", fill, 2).ch) * n


@primitive("string->list")
def string_to_list(s, start=None, end=None):
    want_string("string->list", s, 1)
    lo, hi = _bounds("string->list", s, start, end, 2)
    return make_list(Char(c) for c in s[lo:hi])


@primitive("list->string")
def list_to_string(lst):
    items = want_list("list->string", lst)
    check("list->string", all(isinstance(c, Char) for c in items), "list of characters", lst)
    return "".join(c.ch for c in items)


_INFIX = Symbol("infix")


@primitive("string-join")
def string_join(lst, delimiter=" ", grammar=_INFIX):
    items = want_list("string-join", lst, 1)
    for s in items:
        check("string-join", isinstance(s, str), "list of strings", lst, 1)
    want_string("string-join", delimiter, 2)
    kind = grammar.name if isinstance(grammar, Symbol) else None
    if kind == "strict-infix" and not items:
        raise wrong("string-join", "non-empty list with 'strict-infix", lst, 1)
    check_chars("string-join", sum(map(len, items)) + len(delimiter) * len(items))
    if kind in ("infix", "strict-infix"):
        return delimiter.join(items)
    if kind == "suffix":
        return "".join(s + delimiter for s in items)
    if kind == "prefix":
        return "".join(delimiter + s for s in items)
    raise wrong("string-join", "'infix, 'strict-infix, 'suffix or 'prefix", grammar, 3)


@primitive("string-split")
def string_split(s, separator):
    want_string("string-split", s, 1)
    is_sep = char_matcher("string-split", separator, 2)
    parts: list[str] = []
    current: list[str] = []
    for c in s:
        if is_sep(c):
            parts.append("".join(current))
            current = []
        else:
            current.append(c)
    parts.append("".join(current))
    return make_list(parts)


def _affix(name: str, test, fold: bool) -> None:
    def affix(fix, s):
        want_string(name, fix, 1)
        want_string(name, s, 2)
        return test(s.casefold(), fix.casefold()) if fold else test(s, fix)
    primitive(name)(affix)


_affix("string-prefix?", str.startswith, False)
_affix("string-suffix?", str.endswith, False)
_affix("string-prefix-ci?", str.startswith, True)
_affix("string-suffix-ci?", str.endswith, True)


def _contains(name: str, fold: bool) -> None:
    def contains(s, needle, start=None, end=None):
        want_string(name, s, 1)
        want_string(name, needle, 2)
        lo, hi = _bounds(name, s, start, end, 3)
        haystack = s.casefold() if fold else s
        index = haystack.find(needle.casefold() if fold else needle, lo, hi)
        return False if index < 0 else index
    primitive(name)(contains)


_contains("string-contains", False)
_contains("string-contains-ci", True)


def _search(name: str, reverse: bool) -> None:
    def search(s, pred, start=None, end=None):
        want_string(name, s, 1)
        test = char_matcher(name, pred, 2)
        lo, hi = _bounds(name, s, start, end, 3)
        indices = range(hi - 1, lo - 1, -1) if reverse else range(lo, hi)
        return next((i for i in indices if test(s[i])), False)
    primitive(name)(search)


_search("string-index", False)
_search("string-rindex", True)


def _trim(name: str, left: bool, right: bool) -> None:
    def trim(s, pred=_WHITESPACE, start=None, end=None):
        want_string(name, s, 1)
        test = char_matcher(name, pred, 2)
        lo, hi = _bounds(name, s, start, end, 3)
        while left and lo < hi and test(s[lo]):
            lo += 1
        while right and hi > lo and test(s[hi - 1]):
            hi -= 1
        return s[lo:hi]
    primitive(name)(trim)


_trim("string-trim", True, False)
_trim("string-trim-right", False, True)
_trim("string-trim-both", True, True)


_SPACE = Char(" ")


def _pad(name: str, on_left: bool) -> None:
    def pad(s, n, fill=_SPACE):
        want_string(name, s, 1)
        check(name, is_exact_int(n) and n >= 0, "non-negative exact integer", n, 2)
        check_chars(name, n)
        ch = want_char(name, fill, 3).ch
        if on_left:
            return s[len(s) - n:] if len(s) >= n else s.rjust(n, ch)
        return s[:n].ljust(n, ch)
    primitive(name)(pad)


_pad("string-pad", True)
_pad("string-pad-right", False)


def _recase(name: str, convert) -> None:
    primitive(name)(lambda s: convert(want_string(name, s)))


for _name, _convert in (("string-upcase", str.upper), ("string-downcase", str.lower),
                        ("string-titlecase", str.title), ("string-reverse", lambda s: s[::-1])):
    _recase(_name, _convert)


@primitive("string-tokenize")
def string_tokenize(s, token_set=_GRAPHIC):
    want_string("string-tokenize", s, 1)
    inside = char_matcher("string-tokenize", token_set, 2)
    tokens, current = [], []
    for c in s + "\0":
        if c != "\0" and inside(c):
            current.append(c)
        elif current:
            tokens.append("".join(current))
            current = []
    return make_list(tokens)


@primitive("string-for-each")
def string_for_each(proc, s, *more):
    want_procedure("string-for-each", proc, 1)
    strings = [want_string("string-for-each", x, i + 2) for i, x in enumerate((s, *more))]
    for chars in zip(*strings, strict=False):  # up to the shortest string
        call(proc, *(Char(c) for c in chars))
    return UNSPECIFIED


@primitive("string-map")
def string_map(proc, s):
    want_procedure("string-map", proc, 1)
    out = []
    for c in want_string("string-map", s, 2):
        result = call(proc, Char(c))
        check("string-map", isinstance(result, Char), "procedure returning characters", proc, 1)
        out.append(result.ch)
    return "".join(out)


def _char_scan(name: str, make) -> None:
    def scan(s, pred):
        # Guile 2.0+ takes (string pred); accept (pred string) as well.
        if not isinstance(s, str) and isinstance(pred, str):
            s, pred = pred, s
        want_string(name, s, 1)
        test = char_matcher(name, pred, 2)
        return make([test(c) for c in s], s)
    primitive(name)(scan)


_char_scan("string-count", lambda hits, s: sum(hits))
_char_scan("string-filter", lambda hits, s: "".join(c for c, h in zip(s, hits, strict=True) if h))
_char_scan("string-delete", lambda hits, s: "".join(c for c, h in zip(s, hits, strict=True) if not h))
_char_scan("string-any", lambda hits, s: any(hits))
_char_scan("string-every", lambda hits, s: all(hits))


_ORDERS = {"=?": lambda a, b: a == b, "<?": lambda a, b: a < b, ">?": lambda a, b: a > b,
           "<=?": lambda a, b: a <= b, ">=?": lambda a, b: a >= b}


def _string_compare(name: str, test, fold: bool) -> None:
    def compare(*strings):
        keys = [want_string(name, s, i + 1) for i, s in enumerate(strings)]
        keys = [k.casefold() for k in keys] if fold else keys
        return all(test(a, b) for a, b in pairwise(keys))
    primitive(name)(compare)


for _suffix, _test in _ORDERS.items():
    _string_compare("string" + _suffix, _test, False)
    _string_compare("string-ci" + _suffix, _test, True)


@primitive("string-replace-substring", ("ice-9", "string-fun"))
def string_replace_substring(s, old, new):
    want_string("string-replace-substring", s, 1)
    check("string-replace-substring", isinstance(old, str) and old != "", "non-empty string", old, 2)
    want_string("string-replace-substring", new, 3)
    check_chars("string-replace-substring", len(s) + s.count(old) * (len(new) - len(old)))
    return s.replace(old, new)


# --- symbols and keywords -----------------------------------------------------------

def want_symbol(who: str, value: Any, position: int | None = None) -> Symbol:
    check(who, isinstance(value, Symbol), "symbol", value, position)
    return value


@primitive("symbol->string")
def symbol_to_string(sym):
    return want_symbol("symbol->string", sym).name


@primitive("string->symbol")
def string_to_symbol(s):
    return Symbol(want_string("string->symbol", s))


@primitive("symbol-append")
def symbol_append(*symbols):
    return Symbol("".join(want_symbol("symbol-append", s, i + 1).name for i, s in enumerate(symbols)))


@primitive("keyword->symbol")
def keyword_to_symbol(kw):
    check("keyword->symbol", isinstance(kw, Keyword), "keyword", kw)
    return Symbol(kw.name)


@primitive("symbol->keyword")
def symbol_to_keyword(sym):
    return Keyword(want_symbol("symbol->keyword", sym).name)


@primitive("string->keyword")
def string_to_keyword(s):
    return Keyword(want_string("string->keyword", s))


@primitive("keyword->string")
def keyword_to_string(kw):
    check("keyword->string", isinstance(kw, Keyword), "keyword", kw)
    return kw.name

