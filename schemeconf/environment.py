"""Run-time environments: lexical frames chained to a module's top level.

A Frame maps symbols to values; its parent is another Frame or, at the end
of the chain, the Module (see modules.py), which knows its own definitions
and the interfaces it imports.
"""

from __future__ import annotations

from typing import Any

from .datum import Symbol
from .errors import UnboundVariable

MISSING = object()


class Frame:
    __slots__ = ("vars", "parent")

    def __init__(self, vars: dict[Symbol, Any], parent: Frame | Any):
        self.vars = vars
        self.parent = parent

    @property
    def module(self) -> Any:
        e: Any = self
        while type(e) is Frame:
            e = e.parent
        return e


def lookup(env: Any, name: Symbol, span=None) -> Any:
    """The value of NAME in ENV, or UnboundVariable pointing at SPAN."""
    e = env
    while type(e) is Frame:
        v = e.vars.get(name, MISSING)
        if v is not MISSING:
            return v
        e = e.parent
    return e.lookup(name, span)


def try_lookup(env: Any, name: Symbol) -> Any:
    """The value of NAME in ENV, or MISSING."""
    e = env
    while type(e) is Frame:
        v = e.vars.get(name, MISSING)
        if v is not MISSING:
            return v
        e = e.parent
    return e.resolve(name)


def assign(env: Any, name: Symbol, value: Any, span=None) -> None:
    """`set!`: change the innermost existing binding of NAME."""
    e = env
    while type(e) is Frame:
        if name in e.vars:
            e.vars[name] = value
            return
        e = e.parent
    if e.resolve(name) is MISSING:
        raise UnboundVariable(name.name, span)
    e.define(name, value)


def visible_names(env: Any) -> list[str]:
    """Every name bound in ENV (for 'did you mean' hints)."""
    names: set[str] = set()
    e = env
    while type(e) is Frame:
        names.update(s.name for s in e.vars)
        e = e.parent
    names.update(e.visible_names())
    return sorted(names)
