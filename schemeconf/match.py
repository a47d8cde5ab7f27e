"""`(ice-9 match)`: match, match-lambda, match-lambda*, match-let, match-let*.

Patterns supported (those configurations use): `_`, variables, literals
(strings, numbers, booleans, chars, keywords, `()`), `'datum`, quasi-patterns
with `,pat`, lists and dotted pairs, `pat ...` / `pat ___` / `pat ..1` with
trailing patterns, vectors, `(and p ...)`, `(or p ...)`, `(not p ...)`,
`(? pred p ...)`, `(= proc p)`.

A pattern is compiled once into a matcher `m(value, bindings, env) -> bool`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .datum import NIL, Pair, Symbol, Vector, equal, from_list, sym, to_list
from .environment import Frame
from .errors import SchemeSyntaxError, UserError
from .evaluator import (
    Closure,
    Formals,
    Node,
    Scope,
    TailCall,
    _finish,
    apply_procedure,
    args_of,
    compile_body,
    compile_form,
    special,
)
from .printer import write_string

Matcher = Callable[[Any, dict, Any], bool]

QUOTE, QUASI, UNQUOTE = sym("quote"), sym("quasiquote"), sym("unquote")
ELLIPSES = {sym("..."), sym("___")}
ONE_OR_MORE = sym("..1")
_AND, _OR, _NOT, _PRED, _APP = sym("and"), sym("or"), sym("not"), sym("?"), sym("=")
WILDCARD = sym("_")


def compile_pattern(pat: Any, scope: Scope, names: list[Symbol]) -> Matcher:
    """Compile PAT; the variables it binds are appended to NAMES."""
    if type(pat) is Symbol:
        if pat is WILDCARD:
            return lambda v, b, env: True
        names.append(pat)

        def bind(v: Any, b: dict, env: Any) -> bool:
            if pat in b:
                return equal(b[pat], v)
            b[pat] = v
            return True

        return bind
    if type(pat) is Pair:
        return _compile_pair(pat, scope, names)
    if isinstance(pat, Vector):
        inner = _compile_pair(from_list(pat), scope, names) if pat else (lambda v, b, env: v is NIL)
        return lambda v, b, env: isinstance(v, Vector) and inner(from_list(v), b, env)
    return lambda v, b, env: equal(pat, v)


def _compile_pair(pat: Pair, scope: Scope, names: list[Symbol]) -> Matcher:
    try:
        return _compile_compound(pat, scope, names)
    except (AttributeError, ValueError):  # (quote), (? . x), (app f) and other malformed patterns
        raise SchemeSyntaxError("match: malformed pattern", pat.span or pat.car_span) from None


def _compile_compound(pat: Pair, scope: Scope, names: list[Symbol]) -> Matcher:
    head = pat.car
    if head is QUOTE:
        datum = pat.cdr.car
        return lambda v, b, env: equal(datum, v)
    if head is QUASI:
        return _compile_quasi(pat.cdr.car, scope, names)
    if head in (_AND, _OR, _NOT) and not _proper(pat.cdr, exactly_one=head is _NOT):
        # Guile's match: `(and p . rest)` and the like are no `and` pattern but
        # a list pattern whose first element is a variable named `and`.
        return _compile_list(pat, scope, names)
    if head is _AND:
        subs = [compile_pattern(p, scope, names) for p in to_list(pat.cdr)]
        return lambda v, b, env: all(m(v, b, env) for m in subs)
    if head is _OR:
        return _compile_or(to_list(pat.cdr), scope, names)
    if head is _NOT:
        subs = [compile_pattern(p, scope, []) for p in to_list(pat.cdr)]
        return lambda v, b, env: not any(m(v, dict(b), env) for m in subs)
    if head is _PRED:
        pred = compile_form(pat.cdr.car, scope, False, pat.cdr.car_span)
        subs = [compile_pattern(p, scope, names) for p in to_list(pat.cdr.cdr)]
        return lambda v, b, env: apply_procedure(pred(env), [v]) is not False and all(m(v, b, env) for m in subs)
    if head is _APP:
        proc = compile_form(pat.cdr.car, scope, False, pat.cdr.car_span)
        sub = compile_pattern(pat.cdr.cdr.car, scope, names)
        return lambda v, b, env: sub(apply_procedure(proc(env), [v]), b, env)
    return _compile_list(pat, scope, names)


def _proper(x: Any, exactly_one: bool = False) -> bool:
    n = 0
    while type(x) is Pair:
        x, n = x.cdr, n + 1
    return x is NIL and (n == 1 or not exactly_one)


def _compile_or(alternatives: list[Any], scope: Scope, names: list[Symbol]) -> Matcher:
    subs = []
    for alt in alternatives:
        alt_names: list[Symbol] = []
        subs.append(compile_pattern(alt, scope, alt_names))
        names.extend(n for n in alt_names if n not in names)

    def or_(v: Any, b: dict, env: Any) -> bool:
        for m in subs:
            trial = dict(b)
            if m(v, trial, env):
                b.update(trial)
                return True
        return False

    return or_


def _compile_list(pat: Pair, scope: Scope, names: list[Symbol]) -> Matcher:
    second = pat.cdr.car if type(pat.cdr) is Pair else None
    if type(second) is Symbol and (second in ELLIPSES or second is ONE_OR_MORE):
        return _compile_ellipsis(pat, scope, names)
    car = compile_pattern(pat.car, scope, names)
    cdr = compile_pattern(pat.cdr, scope, names) if pat.cdr is not NIL else (lambda v, b, env: v is NIL)
    return lambda v, b, env: type(v) is Pair and car(v.car, b, env) and cdr(v.cdr, b, env)


def _compile_ellipsis(pat: Pair, scope: Scope, names: list[Symbol]) -> Matcher:
    minimum = 1 if pat.cdr.car is ONE_OR_MORE else 0
    item_names: list[Symbol] = []
    item = compile_pattern(pat.car, scope, item_names)
    names.extend(item_names)
    tail_pat = pat.cdr.cdr
    tail_len = len(to_list(tail_pat)) if tail_pat is NIL or type(tail_pat) is Pair else 0
    tail = compile_pattern(tail_pat, scope, names) if tail_pat is not NIL else (lambda v, b, env: v is NIL)

    def ellipsis(v: Any, b: dict, env: Any) -> bool:
        items = []
        p = v
        while type(p) is Pair:
            items.append(p)
            p = p.cdr
        count = len(items) - tail_len
        if count < minimum:
            return False
        collected: dict[Symbol, list[Any]] = {n: [] for n in item_names}
        for cell in items[:count]:
            sub: dict = {}
            if not item(cell.car, sub, env):
                return False
            for n in item_names:
                collected[n].append(sub.get(n, False))
        for n in item_names:
            b[n] = from_list(collected[n])
        rest = items[count] if count < len(items) else p
        return tail(rest, b, env)

    return ellipsis


def _compile_quasi(q: Any, scope: Scope, names: list[Symbol]) -> Matcher:
    if type(q) is Pair:
        if q.car is UNQUOTE:
            return compile_pattern(q.cdr.car, scope, names)
        car = _compile_quasi(q.car, scope, names)
        cdr = _compile_quasi(q.cdr, scope, names)
        return lambda v, b, env: type(v) is Pair and car(v.car, b, env) and cdr(v.cdr, b, env)
    return lambda v, b, env: equal(q, v)


def _compile_clauses(clauses: list[Pair], scope: Scope, tail: bool) -> list[tuple[Matcher, list[Symbol], Node]]:
    compiled = []
    for p in clauses:
        c = p.car
        if type(c) is not Pair or type(c.cdr) is not Pair:
            raise SchemeSyntaxError("match: each clause is (PATTERN BODY...)", p.car_span)
        names: list[Symbol] = []
        matcher = compile_pattern(c.car, scope, names)
        body = c.cdr
        if type(body.car) is Pair and body.car.car is sym("=>"):
            raise SchemeSyntaxError("match: (=> fail) clauses are not supported", p.car_span)
        compiled.append((matcher, names, compile_body(body, scope.child(names), True, c)))
    return compiled


def _run_clauses(clauses, value: Any, env: Any, span, tail: bool) -> Any:
    for matcher, _names, body in clauses:
        b: dict = {}
        if matcher(value, b, env):
            return _finish(body(Frame(b, env)), tail)
    raise UserError(f"match: no matching pattern for {write_string(value)}", span)


@special("match")
def _match(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 1, None, "(match EXPR (PATTERN BODY...) ...)")
    subject = compile_form(parts[0].car, scope, False, parts[0].car_span)
    clauses = _compile_clauses(parts[1:], scope, tail)
    span = x.span
    return lambda env: _run_clauses(clauses, subject(env), env, span, tail)


@special("match-lambda", "match-lambda*")
def _match_lambda(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 1, None, "(match-lambda (PATTERN BODY...) ...)")
    star = x.car is sym("match-lambda*")
    arg = sym(" match-arg")
    inner = scope.child([arg])
    clauses = _compile_clauses(parts, inner, True)
    span = x.span
    formals = Formals([], [], [], arg, False) if star else Formals([arg], [], [], None, False)

    def body(frame: Any) -> Any:
        return _run_clauses(clauses, frame.vars[arg], frame, span, True)

    return lambda env: Closure(formals, body, env, "match-lambda", span)


@special("match-let", "match-let*")
def _match_let(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 2, None, "(match-let ((PATTERN EXPR) ...) BODY...)")
    steps = []
    inner = scope
    for b in to_list(parts[0].car):
        names: list[Symbol] = []
        expr = compile_form(b.cdr.car, inner, False, b.cdr.car_span)
        steps.append((compile_pattern(b.car, inner, names), expr))
        inner = inner.child(names)
    body = compile_body(parts[0].cdr, inner.child(()), True, x)
    span = x.span

    def match_let(env: Any) -> Any:
        frame = Frame({}, env)
        for matcher, expr in steps:
            value = expr(frame)
            if not matcher(value, frame.vars, frame):
                raise UserError(f"match-let: no match for {write_string(value)}", span)
        result = body(Frame({}, frame))
        return result if tail or type(result) is not TailCall else _finish(result, False)

    return match_let
