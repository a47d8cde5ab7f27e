"""Equality, type predicates, procedure application, errors and promises.

| procedures                                                   | module |
|--------------------------------------------------------------|--------|
| eq? eqv? equal? not                                          | core   |
| boolean? symbol? string? char? procedure? pair? null? list?  | core   |
| vector? keyword? bytevector? unspecified? eof-object?        | core   |
| apply map for-each map-in-order values call-with-values      | core   |
| error raise throw scm-error                                  | core   |
| identity compose const negate and=>                          | core   |
| force make-promise promise?                                  | core   |
| map for-each (srfi-1 re-exports)                             | srfi-1 |

The evaluator makes `(delay e)` as `Promise(thunk)`.
"""

from __future__ import annotations

import math
from typing import Any

from ..datum import (
    EOF,
    NIL,
    UNSPECIFIED,
    Char,
    Keyword,
    Pair,
    Symbol,
    Unspecified,
    Values,
    Vector,
    equal_by,
    is_list,
    is_number,
)
from ..errors import UserError
from ..primitives import Primitive, call, primitive
from .common import SRFI1, display_text, is_procedure, make_list, truthy, want_list, want_procedure, write_text, wrong
from .output import format_directives

FIXNUM = 2 ** 61


# --- equality -----------------------------------------------------------------------

def is_eq(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if type(a) is int and type(b) is int:
        return a == b and -FIXNUM <= a < FIXNUM
    if isinstance(a, Char) and isinstance(b, Char):
        return a.ch == b.ch
    return False


def is_eqv(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if is_number(a) and is_number(b):
        if isinstance(a, float) != isinstance(b, float):
            return False
        if isinstance(a, float):
            if math.isnan(a) and math.isnan(b):
                return True
            return a == b and math.copysign(1, a) == math.copysign(1, b)
        return a == b
    if isinstance(a, Char) and isinstance(b, Char):
        return a.ch == b.ch
    return False


def is_equal(a: Any, b: Any) -> bool:
    return equal_by(a, b, is_eqv)


@primitive("eq?")
def eq_p(a, b):
    return is_eq(a, b)


@primitive("eqv?")
def eqv_p(a, b):
    return is_eqv(a, b)


@primitive("equal?")
def equal_p(a, b):
    return is_equal(a, b)


@primitive("not")
def not_(x):
    return x is False


# --- type predicates ----------------------------------------------------------------

_PREDICATES = {
    "boolean?": lambda x: x is True or x is False,
    "symbol?": lambda x: isinstance(x, Symbol),
    "string?": lambda x: isinstance(x, str),
    "char?": lambda x: isinstance(x, Char),
    "procedure?": is_procedure,
    "pair?": lambda x: isinstance(x, Pair),
    "null?": lambda x: x is NIL,
    "list?": is_list,
    "vector?": lambda x: isinstance(x, Vector),
    "keyword?": lambda x: isinstance(x, Keyword),
    "bytevector?": lambda x: isinstance(x, bytes),
    "unspecified?": lambda x: isinstance(x, Unspecified),
    "eof-object?": lambda x: x is EOF,
}


def _register_predicate(name: str, test) -> None:
    primitive(name)(lambda x: bool(test(x)))


for _name, _test in _PREDICATES.items():
    _register_predicate(_name, _test)


# --- application --------------------------------------------------------------------

@primitive("apply")
def apply_(proc, *args):
    want_procedure("apply", proc, 1)
    if not args:
        return call(proc)
    spread = want_list("apply", args[-1], len(args) + 1)
    return call(proc, *args[:-1], *spread)


def _columns(who: str, lists) -> list[list[Any]]:
    """Rows of the Nth elements of LISTS, stopping at the shortest list."""
    columns = [want_list(who, lst, i + 2) for i, lst in enumerate(lists)]
    return [list(row) for row in zip(*columns, strict=False)]


def map_(proc, first, *rest):
    want_procedure("map", proc, 1)
    return make_list([call(proc, *row) for row in _columns("map", (first, *rest))])


def for_each(proc, first, *rest):
    want_procedure("for-each", proc, 1)
    for row in _columns("for-each", (first, *rest)):
        call(proc, *row)
    return UNSPECIFIED


for _module in ("guile", SRFI1):
    primitive("map", _module)(map_)
    primitive("map-in-order", _module)(map_)
    primitive("for-each", _module)(for_each)


@primitive("values")
def values(*items):
    return items[0] if len(items) == 1 else Values(list(items))


@primitive("call-with-values")
def call_with_values(producer, consumer):
    want_procedure("call-with-values", producer, 1)
    want_procedure("call-with-values", consumer, 2)
    result = call(producer)
    if isinstance(result, Values):
        return call(consumer, *result.items)
    return call(consumer, result)


# --- errors -------------------------------------------------------------------------

@primitive("error")
def error(message, *irritants):
    """Guile's (error msg irritant ...): MSG displayed, irritants written."""
    text = " ".join([display_text(message)] + [write_text(x) for x in irritants])
    err = UserError(text)
    err.irritants = list(irritants)
    # What a (catch #t THUNK HANDLER) handler receives, as in Guile:
    # misc-error #f "~A ~S ..." (MESSAGE IRRITANT ...) #f
    err.throw_key = Symbol("misc-error")
    err.throw_args = [False, " ".join(["~A"] + ["~S"] * len(irritants)), make_list([message, *irritants]), False]
    raise err


@primitive("raise")
def raise_(obj):
    if isinstance(obj, BaseException):
        raise obj
    err = UserError(f"uncaught exception: {write_text(obj)}")
    err.raised = obj
    raise err


@primitive("throw")
def throw(key, *args):
    err = UserError(f"throw to key `{write_text(key)}' with args `{write_text(make_list(args))}'")
    err.throw_key = key
    err.throw_args = list(args)
    raise err


@primitive("scm-error")
def scm_error(key, who, message, args, rest):
    """(scm-error key subr message args rest): MESSAGE may use ~a/~s for ARGS."""
    text = format_directives("scm-error", message, want_list("scm-error", args, 4)) \
        if isinstance(message, str) else write_text(message)
    prefix = f"{write_text(who) if not isinstance(who, str) else who}: " if who is not False else ""
    err = UserError(prefix + text)
    err.throw_key = key
    raise err


# --- combinators --------------------------------------------------------------------

@primitive("and=>")
def and_then(value, proc):
    """Guile's (and=> VALUE PROC): #f if VALUE is #f, else (PROC VALUE)."""
    if value is False:
        return False
    want_procedure("and=>", proc, 2)
    return call(proc, value)


@primitive("identity")
def identity(x):
    return x


@primitive("const")
def const(value):
    return Primitive("const", lambda *args: value, 0, None)


@primitive("negate")
def negate(proc):
    want_procedure("negate", proc, 1)
    return Primitive("negate", lambda *args: not truthy(call(proc, *args)), 0, None)


@primitive("compose")
def compose(*procs):
    for i, proc in enumerate(procs):
        want_procedure("compose", proc, i + 1)
    if not procs:
        return Primitive("identity", identity, 1, 1)

    def composed(*args):
        result = call(procs[-1], *args)
        for proc in reversed(procs[:-1]):
            result = call(proc, *result.items) if isinstance(result, Values) else call(proc, result)
        return result

    return Primitive("compose", composed, 0, None)


# --- promises -----------------------------------------------------------------------

class Promise:
    """A promise made by `delay` (THUNK is a Scheme procedure of no arguments)."""

    __slots__ = ("thunk", "done", "value")

    def __init__(self, thunk: Any = None, done: bool = False, value: Any = None):
        self.thunk = thunk
        self.done = done
        self.value = value

    def force(self) -> Any:
        if not self.done:
            value = call(self.thunk)
            if not self.done:  # a reentrant force may have finished first
                self.done, self.value, self.thunk = True, value, None
        return self.value

    def scheme_repr(self, write: bool) -> str:
        return "#<promise>"

    def __repr__(self) -> str:
        return self.scheme_repr(True)


@primitive("force")
def force(promise):
    if not isinstance(promise, Promise):
        raise wrong("force", "promise", promise)
    return promise.force()


@primitive("make-promise")
def make_promise(obj):
    """Guile's (make-promise thunk); a non-procedure gives an already forced promise."""
    if isinstance(obj, Promise):
        return obj
    if is_procedure(obj):
        return Promise(obj)
    return Promise(done=True, value=obj)


@primitive("promise?")
def promise_p(obj):
    return isinstance(obj, Promise)

