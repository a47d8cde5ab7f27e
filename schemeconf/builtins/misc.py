"""Association lists, hash tables, the environment and file names.

| procedures                                                           | module |
|----------------------------------------------------------------------|--------|
| assq-ref assv-ref assoc-ref assq-set! assv-set! assoc-set! acons     | core   |
| assq-remove! assv-remove! assoc-remove!                               | core   |
| make-hash-table hash-table? hash-ref hash-set! hash-remove!          | core   |
| hashq-ref hashq-set! hashq-remove! hashv-ref hashv-set! hashv-remove! | core   |
| hash-count hash-for-each hash-map->list hash-fold hash-clear!         | core   |
| getenv basename dirname                                               | core   |
| alist-cons alist-copy alist-delete alist-delete!                      | srfi-1 |

Hash tables iterate in insertion order, so results are reproducible.
"""

from __future__ import annotations

import os
from typing import Any

from ..datum import UNSPECIFIED, Char, Pair, Vector, is_number
from ..primitives import call, primitive
from .common import SRFI1, check, make_list, truthy, want_list, want_procedure, want_string, wrong
from .control import FIXNUM, is_eq, is_equal, is_eqv
from .lists import _assoc, _test, srfi


def _ref_procs(name: str, same) -> None:
    def ref(alist, key):
        entry = _assoc(name + "-ref", key, alist, same)
        return entry.cdr if entry is not False else False

    def set_(alist, key, value):
        entry = _assoc(name + "-set!", key, alist, same)
        if entry is False:
            return Pair(Pair(key, value), alist)
        entry.cdr = value
        return alist

    def remove(alist, key):
        items = want_list(name + "-remove!", alist, 1)
        for i, entry in enumerate(items):
            if isinstance(entry, Pair) and same(key, entry.car):
                return make_list(items[:i] + items[i + 1:])
        return alist

    primitive(name + "-ref")(ref)
    primitive(name + "-set!")(set_)
    primitive(name + "-remove!")(remove)


for _name, _same in (("assq", is_eq), ("assv", is_eqv), ("assoc", is_equal)):
    _ref_procs(_name, _same)


@primitive("acons")
def acons(key, value, alist):
    return Pair(Pair(key, value), alist)


@srfi("alist-cons")
def alist_cons(key, value, alist):
    return Pair(Pair(key, value), alist)


@srfi("alist-copy")
def alist_copy(alist):
    items = want_list("alist-copy", alist)
    return make_list(Pair(e.car, e.cdr) if isinstance(e, Pair) else e for e in items)


@srfi("alist-delete")
def alist_delete(key, alist, pred=None):
    same = _test("alist-delete", pred, is_equal)
    items = want_list("alist-delete", alist, 2)
    return make_list(e for e in items if not (isinstance(e, Pair) and same(key, e.car)))


primitive("alist-delete!", SRFI1)(alist_delete)


# --- hash tables --------------------------------------------------------------------

class HashTable:
    """A Guile hash table: KEY-FUNCTION(key) -> (key, value), in insertion order."""

    __slots__ = ("entries",)

    def __init__(self) -> None:
        self.entries: dict[Any, tuple[Any, Any]] = {}

    def scheme_repr(self, write: bool) -> str:
        return f"#<hash-table {len(self.entries)}>"

    def __repr__(self) -> str:
        return self.scheme_repr(True)


def _atom_key(obj: Any) -> Any:
    """A key shared by eq?, eqv? and equal? tables, or None."""
    if obj is True or obj is False:
        return ("bool", obj)
    if isinstance(obj, Char):
        return ("char", obj.ch)
    if type(obj) is int and -FIXNUM <= obj < FIXNUM:
        return ("num", False, obj)
    return None


def eq_key(obj: Any) -> Any:
    key = _atom_key(obj)
    return key if key is not None else ("id", id(obj))


def eqv_key(obj: Any) -> Any:
    key = _atom_key(obj)
    if key is not None:
        return key
    if is_number(obj):
        return ("num", isinstance(obj, float), obj)
    return ("id", id(obj))


def equal_key(obj: Any) -> Any:
    if isinstance(obj, Pair):
        items, p = [], obj
        slow = obj
        while isinstance(p, Pair):
            items.append(equal_key(p.car))
            p = p.cdr
            if len(items) & 1 == 0:
                slow = slow.cdr
                if p is slow:
                    raise wrong("hash table", "key without cycles", obj)
        return ("list", tuple(items), equal_key(p))
    if isinstance(obj, Vector):
        return ("vector", tuple(equal_key(x) for x in obj))
    if isinstance(obj, (str, bytes)):
        return (type(obj).__name__, obj)
    return eqv_key(obj)


def want_table(who: str, table: Any) -> HashTable:
    check(who, isinstance(table, HashTable), "hash table", table, 1)
    return table


@primitive("make-hash-table")
def make_hash_table(size=None):
    return HashTable()


@primitive("hash-table?")
def hash_table_p(obj):
    return isinstance(obj, HashTable)


def _table_procs(prefix: str, key_of) -> None:
    def ref(table, key, default=False):
        entry = want_table(prefix + "-ref", table).entries.get(key_of(key))
        return default if entry is None else entry[1]

    def set_(table, key, value):
        want_table(prefix + "-set!", table).entries[key_of(key)] = (key, value)
        return UNSPECIFIED

    def remove(table, key):
        entry = want_table(prefix + "-remove!", table).entries.pop(key_of(key), None)
        return False if entry is None else Pair(entry[0], entry[1])

    primitive(prefix + "-ref")(ref)
    primitive(prefix + "-set!")(set_)
    primitive(prefix + "-remove!")(remove)


for _prefix, _key_of in (("hash", equal_key), ("hashq", eq_key), ("hashv", eqv_key)):
    _table_procs(_prefix, _key_of)


@primitive("hash-count")
def hash_count(pred, table):
    want_procedure("hash-count", pred, 1)
    entries = list(want_table("hash-count", table).entries.values())
    return sum(1 for k, v in entries if truthy(call(pred, k, v)))


@primitive("hash-for-each")
def hash_for_each(proc, table):
    want_procedure("hash-for-each", proc, 1)
    for k, v in list(want_table("hash-for-each", table).entries.values()):
        call(proc, k, v)
    return UNSPECIFIED


@primitive("hash-map->list")
def hash_map_to_list(proc, table):
    want_procedure("hash-map->list", proc, 1)
    entries = list(want_table("hash-map->list", table).entries.values())
    return make_list(call(proc, k, v) for k, v in entries)


@primitive("hash-fold")
def hash_fold(proc, init, table):
    want_procedure("hash-fold", proc, 1)
    acc = init
    for k, v in list(want_table("hash-fold", table).entries.values()):
        acc = call(proc, k, v, acc)
    return acc


@primitive("hash-clear!")
def hash_clear(table):
    want_table("hash-clear!", table).entries.clear()
    return UNSPECIFIED


# --- environment and file names -----------------------------------------------------

@primitive("getenv")
def getenv(name):
    value = os.environ.get(want_string("getenv", name))
    return False if value is None else value


@primitive("file-exists?")
def file_exists(path):
    """Guile's file-exists?: about the machine evaluating the configuration (as
    Guix's is), so a host input (the loader records the names asked about)."""
    try:
        return os.path.exists(want_string("file-exists?", path))
    except (OSError, ValueError):  # a NUL in the name, a name too long
        return False


def _strip_separators(path: str, i: int) -> int:
    while i >= 0 and path[i] == "/":
        i -= 1
    return i


def _root_or_dot(path: str) -> str:
    return "/" if path.startswith("/") else "."


@primitive("basename")
def basename(path, suffix=None):
    want_string("basename", path, 1)
    if suffix is not None:
        want_string("basename", suffix, 2)
    i = end = _strip_separators(path, len(path) - 1)
    j = -1 if suffix is None else len(suffix) - 1
    while i >= 0 and j >= 0 and path[i] == suffix[j]:
        i, j = i - 1, j - 1
    if j == -1:
        end = i
    while i >= 0 and path[i] != "/":
        i -= 1
    return _root_or_dot(path) if i == end else path[i + 1:end + 1]


@primitive("dirname")
def dirname(path):
    want_string("dirname", path)
    i = _strip_separators(path, len(path) - 1)
    while i >= 0 and path[i] != "/":
        i -= 1
    i = _strip_separators(path, i)
    return _root_or_dot(path) if i < 0 else path[:i + 1]
