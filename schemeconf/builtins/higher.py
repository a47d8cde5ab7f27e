"""Higher-order list procedures: filtering, folding, searching, sets and sorting.

| procedures                                                         | module  |
|--------------------------------------------------------------------|---------|
| filter filter! delete delete! list-index                           | both    |
| delq delv sort sort! stable-sort stable-sort! sorted?              | core    |
| partition remove delete-duplicates filter-map append-map           | srfi-1  |
| find find-tail any every count take-while drop-while span break    | srfi-1  |
| fold fold-right reduce reduce-right unfold unfold-right zip        | srfi-1  |
| lset-adjoin lset-union lset-intersection lset-difference           | srfi-1  |
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from ..datum import NIL, Pair, Values, Vector
from ..errors import EvalLimit
from ..primitives import call, primitive
from .common import make_list, truthy, want_list, want_procedure, wrong
from .control import is_eq, is_equal, is_eqv
from .lists import _append, _test, both, srfi

UNFOLD_LIMIT = 10_000_000


def _pred(who: str, proc: Any):
    want_procedure(who, proc, 1)
    return lambda *args: truthy(call(proc, *args))


def _rows(who: str, lists) -> list[list[Any]]:
    columns = [want_list(who, lst, i + 2) for i, lst in enumerate(lists)]
    return [list(row) for row in zip(*columns, strict=False)]  # up to the shortest list


# --- filtering ----------------------------------------------------------------------

@both("filter")
def filter_(pred, lst):
    test = _pred("filter", pred)
    return make_list(x for x in want_list("filter", lst, 2) if test(x))


primitive("filter!")(filter_)
primitive("filter!", "srfi srfi-1")(filter_)


@srfi("remove")
def remove(pred, lst):
    test = _pred("remove", pred)
    return make_list(x for x in want_list("remove", lst, 2) if not test(x))


@srfi("partition")
def partition(pred, lst):
    test = _pred("partition", pred)
    yes: list[Any] = []
    no: list[Any] = []
    for x in want_list("partition", lst, 2):
        (yes if test(x) else no).append(x)
    return Values([make_list(yes), make_list(no)])


@both("delete")
def delete(x, lst, pred=None):
    same = _test("delete", pred, is_equal)
    return make_list(y for y in want_list("delete", lst, 2) if not same(x, y))


@both("delete!")
def delete_bang(x, lst, pred=None):
    return delete(x, lst, pred)


@primitive("delq")
def delq(x, lst):
    return make_list(y for y in want_list("delq", lst, 2) if not is_eq(x, y))


@primitive("delv")
def delv(x, lst):
    return make_list(y for y in want_list("delv", lst, 2) if not is_eqv(x, y))


@srfi("delete-duplicates")
def delete_duplicates(lst, pred=None):
    same = _test("delete-duplicates", pred, is_equal)
    kept: list[Any] = []
    for x in want_list("delete-duplicates", lst, 1):
        if not any(same(k, x) for k in kept):
            kept.append(x)
    return make_list(kept)


@srfi("filter-map")
def filter_map(proc, first, *rest):
    want_procedure("filter-map", proc, 1)
    results = (call(proc, *row) for row in _rows("filter-map", (first, *rest)))
    return make_list(r for r in results if r is not False)


@srfi("append-map")
def append_map(proc, first, *rest):
    want_procedure("append-map", proc, 1)
    results = [call(proc, *row) for row in _rows("append-map", (first, *rest))]
    return _append("append-map", results)


# --- searching ----------------------------------------------------------------------

@srfi("find")
def find(pred, lst):
    test = _pred("find", pred)
    for x in want_list("find", lst, 2):
        if test(x):
            return x
    return False


@srfi("find-tail")
def find_tail(pred, lst):
    test = _pred("find-tail", pred)
    want_list("find-tail", lst, 2)
    p = lst
    while isinstance(p, Pair):
        if test(p.car):
            return p
        p = p.cdr
    return False


@srfi("any")
def any_(pred, first, *rest):
    want_procedure("any", pred, 1)
    for row in _rows("any", (first, *rest)):
        result = call(pred, *row)
        if result is not False:
            return result
    return False


@srfi("every")
def every(pred, first, *rest):
    want_procedure("every", pred, 1)
    result: Any = True
    for row in _rows("every", (first, *rest)):
        result = call(pred, *row)
        if result is False:
            return False
    return result


@srfi("count")
def count(pred, first, *rest):
    test = _pred("count", pred)
    return sum(1 for row in _rows("count", (first, *rest)) if test(*row))


@both("list-index")
def list_index(pred, first, *rest):
    test = _pred("list-index", pred)
    for i, row in enumerate(_rows("list-index", (first, *rest))):
        if test(*row):
            return i
    return False


def _prefix_length(who: str, pred: Any, lst: Any, want: bool) -> tuple[list[Any], int]:
    test = _pred(who, pred)
    items = want_list(who, lst, 2)
    n = 0
    while n < len(items) and test(items[n]) == want:
        n += 1
    return items, n


@srfi("take-while")
def take_while(pred, lst):
    items, n = _prefix_length("take-while", pred, lst, True)
    return make_list(items[:n])


@srfi("drop-while")
def drop_while(pred, lst):
    items, n = _prefix_length("drop-while", pred, lst, True)
    return make_list(items[n:])


@srfi("span")
def span(pred, lst):
    items, n = _prefix_length("span", pred, lst, True)
    return Values([make_list(items[:n]), make_list(items[n:])])


@srfi("break")
def break_(pred, lst):
    items, n = _prefix_length("break", pred, lst, False)
    return Values([make_list(items[:n]), make_list(items[n:])])


# --- folding ------------------------------------------------------------------------

@srfi("fold")
def fold(kons, knil, first, *rest):
    want_procedure("fold", kons, 1)
    acc = knil
    for row in _rows("fold", (first, *rest)):
        acc = call(kons, *row, acc)
    return acc


@srfi("fold-right")
def fold_right(kons, knil, first, *rest):
    want_procedure("fold-right", kons, 1)
    acc = knil
    for row in reversed(_rows("fold-right", (first, *rest))):
        acc = call(kons, *row, acc)
    return acc


@srfi("reduce")
def reduce(f, ridentity, lst):
    want_procedure("reduce", f, 1)
    items = want_list("reduce", lst, 3)
    if not items:
        return ridentity
    acc = items[0]
    for x in items[1:]:
        acc = call(f, x, acc)
    return acc


@srfi("reduce-right")
def reduce_right(f, ridentity, lst):
    want_procedure("reduce-right", f, 1)
    items = want_list("reduce-right", lst, 3)
    if not items:
        return ridentity
    acc = items[-1]
    for x in reversed(items[:-1]):
        acc = call(f, x, acc)
    return acc


def _unfold_items(who: str, stop, mapper, successor, seed) -> tuple[list[Any], Any]:
    for i, proc in enumerate((stop, mapper, successor)):
        want_procedure(who, proc, i + 1)
    items: list[Any] = []
    while call(stop, seed) is False:
        if len(items) >= UNFOLD_LIMIT:
            raise EvalLimit(f"{who}: more than {UNFOLD_LIMIT} elements")
        items.append(call(mapper, seed))
        seed = call(successor, seed)
    return items, seed


@srfi("unfold")
def unfold(stop, mapper, successor, seed, tail_gen=None):
    items, seed = _unfold_items("unfold", stop, mapper, successor, seed)
    tail = NIL if tail_gen is None else call(tail_gen, seed)
    return make_list(items, tail)


@srfi("unfold-right")
def unfold_right(stop, mapper, successor, seed, tail=NIL):
    items, _ = _unfold_items("unfold-right", stop, mapper, successor, seed)
    return make_list(reversed(items), tail)


@srfi("zip")
def zip_(first, *rest):
    return make_list(make_list(row) for row in _rows("zip", (first, *rest)))


# --- sets ---------------------------------------------------------------------------

def _same(who: str, proc: Any):
    want_procedure(who, proc, 1)
    return lambda a, b: truthy(call(proc, a, b))


@srfi("lset-adjoin")
def lset_adjoin(eq, lst, *elts):
    same = _same("lset-adjoin", eq)
    items = want_list("lset-adjoin", lst, 2)
    result = lst
    for x in elts:
        if not any(same(y, x) for y in items):
            items.append(x)
            result = Pair(x, result)
    return result


@srfi("lset-union")
def lset_union(eq, *lists):
    same = _same("lset-union", eq)
    if not lists:
        return NIL
    result = lists[0]
    items = want_list("lset-union", result, 2)
    for i, lst in enumerate(lists[1:]):
        for x in want_list("lset-union", lst, i + 3):
            if not any(same(y, x) for y in items):
                items.append(x)
                result = Pair(x, result)
    return result


@srfi("lset-intersection")
def lset_intersection(eq, first, *rest):
    same = _same("lset-intersection", eq)
    others = [want_list("lset-intersection", lst, i + 3) for i, lst in enumerate(rest)]
    return make_list(x for x in want_list("lset-intersection", first, 2)
                     if all(any(same(x, y) for y in other) for other in others))


@srfi("lset-difference")
def lset_difference(eq, first, *rest):
    same = _same("lset-difference", eq)
    others = [want_list("lset-difference", lst, i + 3) for i, lst in enumerate(rest)]
    return make_list(x for x in want_list("lset-difference", first, 2)
                     if not any(any(same(x, y) for y in other) for other in others))


# --- sorting ------------------------------------------------------------------------

def _sorted(who: str, items: list[Any], less: Any) -> list[Any]:
    """A stable sort that asks LESS only "is b less than a?" (Guile's merge sort does too)."""
    want_procedure(who, less, 2)

    class Key:
        __slots__ = ("value",)

        def __init__(self, value: Any):
            self.value = value

        def __lt__(self, other: Key) -> bool:
            return truthy(call(less, self.value, other.value))

    return sorted(items, key=Key)


def _sequence(who: str, seq: Any) -> list[Any]:
    if isinstance(seq, Vector):
        return list(seq)
    if seq is NIL or isinstance(seq, Pair):
        return want_list(who, seq, 1)
    raise wrong(who, "list or vector", seq, 1)


def _make_sort(who: str, in_place: bool):
    def sort(seq, less):
        result = _sorted(who, _sequence(who, seq), less)
        if isinstance(seq, Vector):
            if in_place:
                seq[:] = result
                return seq
            return Vector(result)
        if in_place and isinstance(seq, Pair):
            for pair, value in zip(seq.pairs(), result, strict=False):  # LESS may have cut the list
                pair.car = value
            return seq
        return make_list(result)

    primitive(who)(sort)


for _name, _in_place in (("sort", False), ("stable-sort", False), ("sort!", True), ("stable-sort!", True)):
    _make_sort(_name, _in_place)


@primitive("sorted?")
def sorted_p(seq, less):
    items = _sequence("sorted?", seq)
    want_procedure("sorted?", less, 2)
    return not any(truthy(call(less, b, a)) for a, b in pairwise(items))
