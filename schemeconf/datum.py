"""Scheme data as Python values.

| Scheme          | Python                                   |
|-----------------|------------------------------------------|
| symbol          | Symbol (interned: `sym("x") is sym("x")`) |
| #:keyword       | Keyword (interned)                        |
| #\\a            | Char                                      |
| "string"        | str                                       |
| #t / #f         | True / False                              |
| numbers         | int, float, fractions.Fraction            |
| (a . b)         | Pair (with source spans)                  |
| ()              | NIL                                       |
| #(a b)          | Vector                                    |
| #vu8(1 2)       | bytes                                     |
| unspecified     | UNSPECIFIED                               |

Pairs carry two optional spans: `span`, where the list opened (on the first
pair of a list), and `car_span`, where the pair's car was written.  The
evaluator uses them to point error messages at the exact token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from typing import Any

from .source import Span

# How `write` spells a datum, for Pair.__repr__ (debugging, test reports).  The
# printer knows datums, so datums cannot know the printer: printer.py
# registers its `write_string` here when it is imported.
_writer: Callable[[Any], str] | None = None


def set_writer(writer: Callable[[Any], str]) -> None:
    """Make WRITER (the printer's `write_string`) the way Pair.__repr__ spells pairs."""
    global _writer
    _writer = writer


class Symbol:
    __slots__ = ("name",)
    name: str
    _table: dict[str, Symbol] = {}

    def __new__(cls, name: str) -> Symbol:
        existing = cls._table.get(name)
        if existing is not None:
            return existing
        self = object.__new__(cls)
        self.name = name
        cls._table[name] = self
        return self

    def __repr__(self) -> str:
        return f"Symbol({self.name!r})"

    def __reduce__(self):
        return (Symbol, (self.name,))


def sym(name: str) -> Symbol:
    return Symbol(name)


class Keyword:
    __slots__ = ("name",)
    name: str
    _table: dict[str, Keyword] = {}

    def __new__(cls, name: str) -> Keyword:
        existing = cls._table.get(name)
        if existing is not None:
            return existing
        self = object.__new__(cls)
        self.name = name
        cls._table[name] = self
        return self

    def __repr__(self) -> str:
        return f"Keyword({self.name!r})"

    def __reduce__(self):
        return (Keyword, (self.name,))


class Char:
    __slots__ = ("ch",)

    def __init__(self, ch: str):
        self.ch = ch

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Char) and other.ch == self.ch

    def __hash__(self) -> int:
        return hash(("char", self.ch))

    def __repr__(self) -> str:
        return f"Char({self.ch!r})"


class Nil:
    """The empty list.  Unlike Python's empty containers it is true: only #f is false."""

    __slots__ = ()
    _instance: Nil | None = None

    def __new__(cls) -> Nil:
        if cls._instance is None:
            cls._instance = object.__new__(cls)
        return cls._instance

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __repr__(self) -> str:
        return "NIL"


NIL = Nil()


class Pair:
    __slots__ = ("car", "cdr", "span", "car_span")

    def __init__(self, car: Any, cdr: Any, span: Span | None = None, car_span: Span | None = None):
        self.car = car
        self.cdr = cdr
        self.span = span
        self.car_span = car_span

    def __iter__(self) -> Iterator[Any]:
        """Iterate over the elements of a proper list (stops at a dotted tail)."""
        p: Any = self
        while isinstance(p, Pair):
            yield p.car
            p = p.cdr

    def pairs(self) -> Iterator[Pair]:
        p: Any = self
        while isinstance(p, Pair):
            yield p
            p = p.cdr

    def __repr__(self) -> str:
        if _writer is None:
            return f"<Pair {self.car!r} . {self.cdr!r}>"
        return f"<Pair {_writer(self)}>"


class Vector(list):
    """A Scheme vector: a Python list that is distinct from Scheme lists."""

    __slots__ = ()


class Unspecified:
    __slots__ = ()
    _instance: Unspecified | None = None

    def __new__(cls) -> Unspecified:
        if cls._instance is None:
            cls._instance = object.__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSPECIFIED"


UNSPECIFIED = Unspecified()


class Values:
    """Multiple return values, as made by `values`."""

    __slots__ = ("items",)

    def __init__(self, items: list[Any]):
        self.items = items


class Eof:
    __slots__ = ()


EOF = Eof()


# --- list helpers -------------------------------------------------------------------

def from_list(items: Iterable[Any], tail: Any = NIL) -> Any:
    """Build a Scheme list from a Python iterable."""
    result = tail
    for item in reversed(list(items)):
        result = Pair(item, result)
    return result


def to_list(obj: Any) -> list[Any]:
    """The elements of a proper Scheme list as a Python list; raises ValueError otherwise."""
    out = []
    slow = obj
    while isinstance(obj, Pair):
        out.append(obj.car)
        obj = obj.cdr
        if len(out) & 1 == 0:
            slow = slow.cdr
            if obj is slow:
                raise ValueError("circular list")
    if obj is not NIL:
        raise ValueError("not a proper list")
    return out


def is_list(obj: Any) -> bool:
    slow = obj
    while True:
        if obj is NIL:
            return True
        if not isinstance(obj, Pair):
            return False
        obj = obj.cdr
        if obj is NIL:
            return True
        if not isinstance(obj, Pair):
            return False
        obj = obj.cdr
        slow = slow.cdr
        if obj is slow:
            return False


def is_true(value: Any) -> bool:
    return value is not False


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Fraction)) and not isinstance(value, bool)


def is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, Fraction):
        return value.denominator == 1
    return False


def span_of(datum: Any) -> Span | None:
    """The span of a list datum (where it opened), if known."""
    if isinstance(datum, Pair):
        return datum.span or datum.car_span
    return None


def eqv(a: Any, b: Any) -> bool:
    """Scheme eqv?: identity, or same-type equal numbers and chars."""
    if a is b:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    if is_number(a) and is_number(b):
        return type(a) is type(b) and a == b
    if isinstance(a, Char) and isinstance(b, Char):
        return a.ch == b.ch
    return False


def equal(a: Any, b: Any) -> bool:
    """Scheme equal?: structural equality on pairs, vectors, strings and bytevectors."""
    return equal_by(a, b, eqv)


_PLAIN_STEPS = 100_000  # containers compared before cycles are looked for


def equal_by(a: Any, b: Any, same: Any) -> bool:
    """Structural equality with SAME (eqv?) on atoms; iterative, and it ends on
    circular data: past _PLAIN_STEPS containers, a pair of containers met again
    is taken as equal (the coinductive reading R7RS gives equal?)."""
    todo = [(a, b)]
    steps = 0
    assumed: set[tuple[int, int]] | None = None
    while todo:
        a, b = todo.pop()
        while not same(a, b):
            pairs = type(a) is Pair and type(b) is Pair
            if pairs or (isinstance(a, Vector) and isinstance(b, Vector)):
                steps += 1
                if steps > _PLAIN_STEPS:
                    assumed = assumed if assumed is not None else set()
                    key = (id(a), id(b))
                    if key in assumed:
                        break
                    assumed.add(key)
                if pairs:
                    todo.append((a.car, b.car))
                    a, b = a.cdr, b.cdr
                    continue
                if len(a) != len(b):
                    return False
                todo.extend(zip(a, b, strict=True))
                break
            if isinstance(a, str) and isinstance(b, str):
                if a != b:
                    return False
                break
            if isinstance(a, (bytes, bytearray)) and isinstance(b, (bytes, bytearray)):
                if bytes(a) != bytes(b):
                    return False
                break
            eq = getattr(a, "scheme_equal", None)
            if eq is None or not eq(b):
                return False
            break
    return True
