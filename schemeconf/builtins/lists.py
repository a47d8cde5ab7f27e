"""Pairs, lists, association lists, sorting, and (srfi srfi-1).

| procedures                                                            | module  |
|-----------------------------------------------------------------------|---------|
| cons car cdr c[ad]{2,4}r set-car! set-cdr! list cons* make-list        | core    |
| length append append! reverse reverse! list-ref list-tail list-head   | core    |
| memq memv assq assv                                                   | core    |
| iota list-copy member assoc last-pair                                 | both    |
| first..tenth last take drop take-right drop-right split-at car+cdr     | srfi-1  |
| xcons list-tabulate concatenate append-reverse                        | srfi-1  |

Association-list helpers (assq-ref, acons, alist-cons, ...) are in misc.py;
fold, filter, sort and the other higher-order procedures in higher.py.
"""

from __future__ import annotations

from typing import Any

from ..budget import MAX_ELEMENTS, check_elements
from ..datum import NIL, UNSPECIFIED, Pair, Values
from ..errors import WrongType
from ..primitives import call, primitive
from .common import (
    SRFI1,
    check,
    is_exact_int,
    make_list,
    truthy,
    want_index,
    want_list,
    want_procedure,
    wrong,
)
from .control import is_eq, is_equal, is_eqv
from .numbers import add, mul, want_number


def both(name: str):
    """Register in the core module and in (srfi srfi-1)."""
    def register(fn):
        primitive(name)(fn)
        return primitive(name, SRFI1)(fn)
    return register


def srfi(name: str):
    return primitive(name, SRFI1)


def want_pair(who: str, value: Any, position: int | None = None) -> Pair:
    check(who, isinstance(value, Pair), "pair", value, position)
    return value


def out_of_range(who: str, k: int, length: int) -> WrongType:
    return WrongType(f"{who}: index {k} out of range for a list of length {length}")


def _test(who: str, pred: Any, default):
    """A Python predicate from an optional Scheme equality procedure."""
    if pred is None:
        return default
    want_procedure(who, pred, 3)
    return lambda a, b: truthy(call(pred, a, b))


# --- pairs --------------------------------------------------------------------------

@primitive("cons")
def cons(a, b):
    return Pair(a, b)


@primitive("car")
def car(p):
    return want_pair("car", p).car


@primitive("cdr")
def cdr(p):
    return want_pair("cdr", p).cdr


def _make_cxr(name: str):
    path = name[1:-1]  # e.g. "ad" for cadr: apply d first, then a

    def cxr(p):
        value = p
        for step in reversed(path):
            if not isinstance(value, Pair):
                raise wrong(name, "pair", p)
            value = value.car if step == "a" else value.cdr
        return value

    primitive(name)(cxr)


for _length in (2, 3, 4):
    for _bits in range(2 ** _length):
        _make_cxr("c" + "".join("ad"[(_bits >> i) & 1] for i in range(_length)) + "r")


@primitive("set-car!")
def set_car(p, value):
    want_pair("set-car!", p, 1).car = value
    return UNSPECIFIED


@primitive("set-cdr!")
def set_cdr(p, value):
    want_pair("set-cdr!", p, 1).cdr = value
    return UNSPECIFIED


@primitive("list")
def list_(*items):
    return make_list(items)


@primitive("cons*")
def cons_star(first, *rest):
    items = (first, *rest)
    return make_list(items[:-1], items[-1])


@primitive("make-list")
def make_list_(n, fill=UNSPECIFIED):
    check_elements("make-list", want_index("make-list", n, 1))
    return make_list([fill] * n)


@srfi("xcons")
def xcons(d, a):
    return Pair(a, d)


@srfi("list-tabulate")
def list_tabulate(n, proc):
    want_procedure("list-tabulate", proc, 2)
    check_elements("list-tabulate", want_index("list-tabulate", n, 1))
    return make_list([call(proc, i) for i in range(n)])


@both("iota")
def iota(count, start=0, step=1):
    check_elements("iota", want_index("iota", count, 1))
    want_number("iota", start, 2)
    want_number("iota", step, 3)
    return make_list([add(start, mul(i, step)) for i in range(count)])


# --- whole lists --------------------------------------------------------------------

@primitive("length")
def length(lst):
    return len(want_list("length", lst))


def _append(who: str, args) -> Any:
    if not args:
        return NIL
    heads = [want_list(who, args[i], i + 1) for i in range(len(args) - 1)]
    check_elements(who, sum(map(len, heads)))
    result = args[-1]
    for head in reversed(heads):
        result = make_list(head, result)
    return result


@primitive("append")
def append(*lists):
    return _append("append", lists)


@primitive("append!")
def append_bang(*lists):
    return _append("append!", lists)


@srfi("concatenate")
def concatenate(lists):
    return _append("concatenate", want_list("concatenate", lists))


@srfi("append-reverse")
def append_reverse(rev_head, tail):
    return make_list(reversed(want_list("append-reverse", rev_head, 1)), tail)


@primitive("reverse")
def reverse(lst):
    return make_list(reversed(want_list("reverse", lst)))


primitive("reverse!")(reverse)


@both("list-copy")
def list_copy(lst):
    items, p = [], lst
    while isinstance(p, Pair):
        items.append(p.car)
        p = p.cdr
        if len(items) > MAX_ELEMENTS:
            want_list("list-copy", lst)  # circular: the usual error
            check_elements("list-copy", len(items))
    return make_list(items, p)


def _tail(who: str, lst: Any, k: Any) -> Any:
    want_index(who, k, 2)
    p = lst
    for i in range(k):
        if not isinstance(p, Pair):
            raise out_of_range(who, k, i)
        p = p.cdr
    return p


@primitive("list-tail")
def list_tail(lst, k):
    return _tail("list-tail", lst, k)


@primitive("list-ref")
def list_ref(lst, k):
    p = _tail("list-ref", lst, k)
    if not isinstance(p, Pair):
        raise out_of_range("list-ref", k, k)
    return p.car


def _head(who: str, lst: Any, k: Any) -> Any:
    want_index(who, k, 2)
    items, p = [], lst
    for i in range(k):
        if not isinstance(p, Pair):
            raise out_of_range(who, k, i)
        items.append(p.car)
        p = p.cdr
    return make_list(items)


@primitive("list-head")
def list_head(lst, k):
    return _head("list-head", lst, k)


@srfi("take")
def take(lst, k):
    return _head("take", lst, k)


@srfi("drop")
def drop(lst, k):
    return _tail("drop", lst, k)


@srfi("take-right")
def take_right(lst, k):
    items = want_list("take-right", lst, 1)
    check("take-right", is_exact_int(k) and 0 <= k <= len(items), "index within the list", k, 2)
    return _tail("take-right", lst, len(items) - k)


@srfi("drop-right")
def drop_right(lst, k):
    items = want_list("drop-right", lst, 1)
    check("drop-right", is_exact_int(k) and 0 <= k <= len(items), "index within the list", k, 2)
    return make_list(items[: len(items) - k])


@srfi("split-at")
def split_at(lst, k):
    return Values([_head("split-at", lst, k), _tail("split-at", lst, k)])


@both("last-pair")
def last_pair(lst):
    p = slow = want_pair("last-pair", lst)
    steps = 0
    while isinstance(p.cdr, Pair):
        p = p.cdr
        steps += 1
        if steps & 1 == 0:
            slow = slow.cdr
            if p is slow:
                raise wrong("last-pair", "proper list", lst)
    return p


@srfi("last")
def last(lst):
    if not isinstance(lst, Pair):
        raise wrong("last", "non-empty list", lst)
    return last_pair(lst).car


@srfi("car+cdr")
def car_cdr(p):
    want_pair("car+cdr", p)
    return Values([p.car, p.cdr])


def _nth(name: str, n: int) -> None:
    def nth(lst):
        p = lst
        for _ in range(n):
            p = p.cdr if isinstance(p, Pair) else None
        if not isinstance(p, Pair):
            raise wrong(name, f"list of at least {n + 1} elements", lst)
        return p.car
    srfi(name)(nth)


for _n, _name in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth".split()):
    _nth(_name, _n)


# --- searching ----------------------------------------------------------------------

def _member(who: str, x: Any, lst: Any, same) -> Any:
    p = slow = lst
    steps = 0
    while isinstance(p, Pair):
        if same(x, p.car):
            return p
        p = p.cdr
        steps += 1
        if steps & 1 == 0:
            slow = slow.cdr
            if p is slow:
                raise wrong(who, "proper list", lst, 2)
    if p is not NIL:
        raise wrong(who, "proper list", lst, 2)
    return False


def _assoc(who: str, key: Any, alist: Any, same) -> Any:
    for entry in want_list(who, alist, 2):
        if not isinstance(entry, Pair):
            raise wrong(who, "association list", alist, 2)
        if same(key, entry.car):
            return entry
    return False


@primitive("memq")
def memq(x, lst):
    return _member("memq", x, lst, is_eq)


@primitive("memv")
def memv(x, lst):
    return _member("memv", x, lst, is_eqv)


@both("member")
def member(x, lst, pred=None):
    return _member("member", x, lst, _test("member", pred, is_equal))


@primitive("assq")
def assq(key, alist):
    return _assoc("assq", key, alist, is_eq)


@primitive("assv")
def assv(key, alist):
    return _assoc("assv", key, alist, is_eqv)


@both("assoc")
def assoc(key, alist, pred=None):
    return _assoc("assoc", key, alist, _test("assoc", pred, is_equal))
