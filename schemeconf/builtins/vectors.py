"""Vectors (datum.Vector) and bytevectors (immutable Python bytes).

| procedures                                                             | module |
|------------------------------------------------------------------------|--------|
| vector make-vector vector-ref vector-set! vector-length vector-fill!   | core   |
| vector->list list->vector vector-copy vector-append vector-map         | core   |
| vector-for-each                                                        | core   |
| bytevector-length bytevector-u8-ref bytevector->u8-list                | core, (rnrs bytevectors) |
| u8-list->bytevector string->utf8 utf8->string                          | core, (rnrs bytevectors) |
"""

from __future__ import annotations

from typing import Any

from ..budget import check_elements
from ..datum import UNSPECIFIED, Vector
from ..primitives import call, primitive
from .common import check, is_exact_int, make_list, want_list, want_procedure, want_string

RNRS_BYTEVECTORS = ("rnrs", "bytevectors")


def want_vector(who: str, value: Any, position: int | None = None) -> Vector:
    check(who, isinstance(value, Vector), "vector", value, position)
    return value


def _index(who: str, v: Any, k: Any) -> int:
    check(who, is_exact_int(k) and 0 <= k < len(v), f"index below {len(v)}", k, 2)
    return k


def _bounds(who: str, v: Any, start: Any, end: Any) -> tuple[int, int]:
    lo = 0 if start is None else start
    hi = len(v) if end is None else end
    check(who, is_exact_int(hi) and 0 <= hi <= len(v), f"index between 0 and {len(v)}", hi, 3)
    check(who, is_exact_int(lo) and 0 <= lo <= hi, f"index between 0 and {hi}", lo, 2)
    return lo, hi


@primitive("vector")
def vector(*items):
    return Vector(items)


@primitive("make-vector")
def make_vector(n, fill=UNSPECIFIED):
    check("make-vector", is_exact_int(n) and n >= 0, "non-negative exact integer", n, 1)
    check_elements("make-vector", n)
    return Vector([fill] * n)


@primitive("vector-length")
def vector_length(v):
    return len(want_vector("vector-length", v))


@primitive("vector-ref")
def vector_ref(v, k):
    want_vector("vector-ref", v, 1)
    return v[_index("vector-ref", v, k)]


@primitive("vector-set!")
def vector_set(v, k, value):
    want_vector("vector-set!", v, 1)
    v[_index("vector-set!", v, k)] = value
    return UNSPECIFIED


@primitive("vector-fill!")
def vector_fill(v, value, start=None, end=None):
    want_vector("vector-fill!", v, 1)
    lo, hi = _bounds("vector-fill!", v, start, end)
    v[lo:hi] = [value] * (hi - lo)
    return UNSPECIFIED


@primitive("vector->list")
def vector_to_list(v, start=None, end=None):
    want_vector("vector->list", v, 1)
    lo, hi = _bounds("vector->list", v, start, end)
    return make_list(v[lo:hi])


@primitive("list->vector")
def list_to_vector(lst):
    return Vector(want_list("list->vector", lst))


@primitive("vector-copy")
def vector_copy(v, start=None, end=None):
    want_vector("vector-copy", v, 1)
    lo, hi = _bounds("vector-copy", v, start, end)
    return Vector(v[lo:hi])


@primitive("vector-append")
def vector_append(*vectors):
    parts = [want_vector("vector-append", v, i + 1) for i, v in enumerate(vectors)]
    check_elements("vector-append", sum(map(len, parts)))
    out = Vector()
    for v in parts:
        out.extend(v)
    return out


def _columns(who: str, vectors) -> list[tuple[Any, ...]]:
    return list(zip(*(want_vector(who, v, i + 2) for i, v in enumerate(vectors)), strict=False))  # up to the shortest


@primitive("vector-map")
def vector_map(proc, v, *more):
    want_procedure("vector-map", proc, 1)
    return Vector(call(proc, *row) for row in _columns("vector-map", (v, *more)))


@primitive("vector-for-each")
def vector_for_each(proc, v, *more):
    want_procedure("vector-for-each", proc, 1)
    for row in _columns("vector-for-each", (v, *more)):
        call(proc, *row)
    return UNSPECIFIED


# --- bytevectors --------------------------------------------------------------------

def want_bytevector(who: str, value: Any, position: int | None = None) -> bytes:
    check(who, isinstance(value, bytes), "bytevector", value, position)
    return value


def bytevector_length(bv):
    return len(want_bytevector("bytevector-length", bv))


def bytevector_u8_ref(bv, k):
    want_bytevector("bytevector-u8-ref", bv, 1)
    return bv[_index("bytevector-u8-ref", bv, k)]


def bytevector_to_u8_list(bv):
    return make_list(want_bytevector("bytevector->u8-list", bv))


def u8_list_to_bytevector(lst):
    items = want_list("u8-list->bytevector", lst)
    ok = all(is_exact_int(b) and 0 <= b < 256 for b in items)
    check("u8-list->bytevector", ok, "list of octets", lst)
    return bytes(items)


def string_to_utf8(s):
    return want_string("string->utf8", s).encode("utf-8", "surrogatepass")


def utf8_to_string(bv):
    return want_bytevector("utf8->string", bv).decode("utf-8", "replace")


for _name, _fn in (("bytevector-length", bytevector_length), ("bytevector-u8-ref", bytevector_u8_ref),
                   ("bytevector->u8-list", bytevector_to_u8_list),
                   ("u8-list->bytevector", u8_list_to_bytevector),
                   ("string->utf8", string_to_utf8), ("utf8->string", utf8_to_string)):
    primitive(_name)(_fn)
    primitive(_name, RNRS_BYTEVECTORS)(_fn)
primitive("bytevector?", RNRS_BYTEVECTORS)(lambda obj: isinstance(obj, bytes))
