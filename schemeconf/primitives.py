"""Primitive procedures written in Python, and the registry of primitive modules.

A primitive is registered into a module by name:

    @primitive("string-append")                      # core: visible everywhere
    def string_append(*strings): ...

    @primitive("fold", module="srfi srfi-1")           # only after (use-modules (srfi srfi-1))
    def fold(proc, init, *lists): ...

Primitives receive Scheme values (see datum.py) as positional arguments and
return a Scheme value.  They report misuse by raising WrongType / SchemeError
without a span; the evaluator attaches the span of the call.  To call a Scheme
procedure (for map, fold, sort, ...) use `call(proc, *args)`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .errors import ArityError, WrongType
from .printer import write_string

CORE = ("guile",)

# module name (tuple of strings) -> {scheme name: value}
PRIMITIVE_MODULES: dict[tuple[str, ...], dict[str, Any]] = {}


class Procedure:
    """Anything callable from Scheme."""

    name: str = "#<procedure>"


class Primitive(Procedure):
    __slots__ = ("name", "fn", "min_args", "max_args")

    def __init__(self, name: str, fn: Callable[..., Any], min_args: int, max_args: int | None):
        self.name = name
        self.fn = fn
        self.min_args = min_args
        self.max_args = max_args

    def check_arity(self, count: int) -> None:
        if count < self.min_args or (self.max_args is not None and count > self.max_args):
            if self.max_args is None:
                expected = f"at least {self.min_args}"
            elif self.min_args == self.max_args:
                expected = str(self.min_args)
            else:
                expected = f"{self.min_args} to {self.max_args}"
            raise ArityError(
                f"wrong number of arguments to {self.name}: expected {expected}, got {count}"
            )

    def __repr__(self) -> str:
        return f"#<procedure {self.name}>"


def _arity(fn: Callable[..., Any]) -> tuple[int, int | None]:
    params = inspect.signature(fn).parameters.values()
    required = sum(
        1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    )
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return required, None
    total = sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    return required, total


def primitive(name: str, module: str | tuple[str, ...] = CORE) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated Python function as Scheme procedure NAME in MODULE."""
    key = tuple(module.split()) if isinstance(module, str) else module

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        lo, hi = _arity(fn)
        PRIMITIVE_MODULES.setdefault(key, {})[name] = Primitive(name, fn, lo, hi)
        return fn

    return register


def define_value(name: str, value: Any, module: str | tuple[str, ...] = CORE) -> None:
    """Register a non-procedure value (a constant) in MODULE."""
    key = tuple(module.split()) if isinstance(module, str) else module
    PRIMITIVE_MODULES.setdefault(key, {})[name] = value


# Set by the evaluator at import time: call(proc, *args) -> value.
_caller: Callable[[Any, list[Any]], Any] | None = None


def call(proc: Any, *args: Any) -> Any:
    """Call a Scheme procedure (closure or primitive) from Python."""
    assert _caller is not None, "evaluator not loaded"
    return _caller(proc, list(args))


def check_type(who: str, predicate: Callable[[Any], bool], what: str, value: Any, position: int | None = None) -> None:
    """Raise WrongType unless PREDICATE(VALUE)."""
    if not predicate(value):
        where = f" (argument {position})" if position is not None else ""
        raise WrongType(f"{who}: expected {what}{where}, got {write_string(value)}")
