"""Derived special forms: cond, case, when, unless, do, quasiquote, multiple
values, cut/cute (SRFI-26), delay, parameterize, include, `@`/`@@`, and the
control procedures that need the evaluator (call/cc, catch, make-parameter).
"""

from __future__ import annotations

from typing import Any

from .builtins.control import Promise
from .datum import NIL, UNSPECIFIED, Pair, Symbol, Values, Vector, eqv, from_list, sym, to_list
from .environment import Frame
from .errors import EvalLimit, SchemeError, SchemeSyntaxError, UserError, WrongType
from .evaluator import (
    Continuation,
    ContinuationInvoked,
    Node,
    Parameter,
    Scope,
    TailCall,
    _constant,
    _define,
    _finish,
    apply_procedure,
    args_of,
    binding_parts,
    compile_body,
    compile_form,
    form_span,
    make_lambda,
    special,
    spend_fuel,
    syntax_error,
)
from .modules import SCHEME_SUFFIXES, parse_module_name
from .primitives import call, primitive
from .printer import write_string

ELSE, ARROW = sym("else"), sym("=>")
QUASIQUOTE, UNQUOTE, UNQUOTE_SPLICING = sym("quasiquote"), sym("unquote"), sym("unquote-splicing")


# --- conditionals -------------------------------------------------------------------


@special("cond")
def _cond(scope: Scope, x: Pair, tail: bool) -> Node:
    clauses: list[tuple[Node | None, str, Node | None]] = []
    for p in args_of(x, 1, None, "(cond (TEST BODY...) ... (else BODY...))"):
        c = p.car
        if type(c) is not Pair:
            raise SchemeSyntaxError("cond: each clause is (TEST BODY...)", p.car_span)
        if c.car is ELSE:
            clauses.append((None, "body", compile_body(c.cdr, scope, tail, c)))
            continue
        test = compile_form(c.car, scope, False, c.car_span)
        if c.cdr is NIL:
            clauses.append((test, "value", None))
        elif type(c.cdr) is Pair and c.cdr.car is ARROW:
            if type(c.cdr.cdr) is not Pair or c.cdr.cdr.cdr is not NIL:
                raise SchemeSyntaxError("cond: '=>' must be followed by one receiver procedure", p.car_span)
            receiver = compile_form(c.cdr.cdr.car, scope, False, c.cdr.cdr.car_span)
            clauses.append((test, "arrow", receiver))
        else:
            clauses.append((test, "body", compile_body(c.cdr, scope, tail, c)))
    span = x.span

    def cond(env: Any) -> Any:
        for test, kind, then in clauses:
            value = True if test is None else test(env)
            if value is not False:
                if kind == "value":
                    return value
                if kind == "arrow":
                    proc = then(env)  # type: ignore[misc]
                    return TailCall(proc, [value], span) if tail else apply_procedure(proc, [value], span)
                return then(env)  # type: ignore[misc]
        return UNSPECIFIED

    return cond


@special("case")
def _case(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 2, None, "(case KEY ((DATUM...) BODY...) ... (else BODY...))")
    key = compile_form(parts[0].car, scope, False, parts[0].car_span)
    clauses: list[tuple[list[Any] | None, Node, bool]] = []
    for p in parts[1:]:
        c = p.car
        if type(c) is not Pair or not (c.car is ELSE or c.car is NIL or type(c.car) is Pair):
            raise SchemeSyntaxError("case: each clause is ((DATUM...) BODY...)", p.car_span)
        data = None if c.car is ELSE else _datum_list(c.car, p.car_span)
        if type(c.cdr) is Pair and c.cdr.car is ARROW:
            if type(c.cdr.cdr) is not Pair or c.cdr.cdr.cdr is not NIL:
                raise SchemeSyntaxError("case: '=>' must be followed by one receiver procedure", p.car_span)
            clauses.append((data, compile_form(c.cdr.cdr.car, scope, False, c.cdr.cdr.car_span), True))
        else:
            clauses.append((data, compile_body(c.cdr, scope, tail, c), False))

    span = x.span

    def case(env: Any) -> Any:
        k = key(env)
        for data, node, arrow in clauses:
            if data is None or any(eqv(k, d) for d in data):
                if not arrow:
                    return node(env)
                # `=>` calls its receiver in tail position, as in cond.
                return TailCall(node(env), [k], span) if tail else apply_procedure(node(env), [k], span)
        return UNSPECIFIED

    return case


def _datum_list(datum: Any, span) -> list[Any]:
    """The elements of the proper list DATUM written in a special form, or a syntax error at SPAN."""
    try:
        return to_list(datum)
    except ValueError:
        raise SchemeSyntaxError("expected a proper list", span) from None


@special("when", "unless")
def _when(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 2, None, f"({x.car.name} TEST BODY...)")
    test = compile_form(parts[0].car, scope, False, parts[0].car_span)
    body = compile_body(parts[0].cdr, scope, tail, x)
    if x.car is sym("when"):
        return lambda env: body(env) if test(env) is not False else UNSPECIFIED
    return lambda env: body(env) if test(env) is False else UNSPECIFIED


@special("do")
def _do(scope: Scope, x: Pair, tail: bool) -> Node:
    usage = "(do ((VAR INIT STEP)...) (TEST RESULT...) BODY...)"
    parts = args_of(x, 2, None, usage)
    specs = _datum_list(parts[0].car, parts[0].car_span)
    for s in specs:
        if (type(s) is not Pair or type(s.car) is not Symbol or type(s.cdr) is not Pair
                or not (s.cdr.cdr is NIL or (type(s.cdr.cdr) is Pair and s.cdr.cdr.cdr is NIL))):
            raise SchemeSyntaxError("bad do: each variable is (VAR INIT [STEP])", form_span(s) or parts[0].car_span,
                                    usage)
    names = [s.car for s in specs]
    inner = scope.child(names)
    inits = [compile_form(s.cdr.car, scope, False, s.cdr.car_span) for s in specs]
    steps = [compile_form(s.cdr.cdr.car, inner, False, s.cdr.cdr.car_span) if s.cdr.cdr is not NIL else None
             for s in specs]
    end = parts[1].car
    if type(end) is not Pair:
        raise SchemeSyntaxError("bad do: expected (TEST RESULT...) after the variables", parts[1].car_span, usage)
    test = compile_form(end.car, inner, False, end.car_span)
    result = compile_body(end.cdr, inner, False, x) if end.cdr is not NIL else _constant(UNSPECIFIED)
    body = compile_body(parts[1].cdr, inner, False, x) if parts[1].cdr is not NIL else _constant(UNSPECIFIED)
    span = form_span(x)

    def do(env: Any) -> Any:
        frame = Frame({n: i(env) for n, i in zip(names, inits, strict=True)}, env)
        while test(frame) is False:
            spend_fuel(span)
            body(frame)
            frame = Frame({n: (s(frame) if s else frame.vars[n]) for n, s in zip(names, steps, strict=True)}, env)
        return result(frame)

    return do


# --- quasiquote ---------------------------------------------------------------------


@special("quasiquote")
def _quasiquote(scope: Scope, x: Pair, tail: bool) -> Node:
    (arg,) = args_of(x, 1, 1, "(quasiquote TEMPLATE)")
    return _qq(arg.car, 1, scope, arg.car_span)


def _has_unquote(t: Any) -> bool:
    todo = [t]
    while todo:
        t = todo.pop()
        if type(t) is Pair:
            if t.car is UNQUOTE or t.car is UNQUOTE_SPLICING:
                return True
            todo.append(t.cdr)
            todo.append(t.car)
        elif isinstance(t, Vector):
            todo.extend(t)
    return False


def _qq(t: Any, depth: int, scope: Scope, span) -> Node:
    if not _has_unquote(t):
        return _constant(t)
    if isinstance(t, Vector):
        inner = _qq(from_list(t), depth, scope, span)
        return lambda env: Vector(to_list(inner(env)))
    assert type(t) is Pair
    if t.car is UNQUOTE and type(t.cdr) is Pair:
        if depth == 1:
            return compile_form(t.cdr.car, scope, False, t.cdr.car_span)
        return _qq_list(t, UNQUOTE, depth - 1, scope)
    if t.car is QUASIQUOTE and type(t.cdr) is Pair:
        return _qq_list(t, QUASIQUOTE, depth + 1, scope)
    head = t.car
    if type(head) is Pair and head.car is UNQUOTE_SPLICING and depth == 1:
        spliced = compile_form(head.cdr.car, scope, False, head.cdr.car_span)
        rest = _qq(t.cdr, depth, scope, span)
        where = t.car_span

        def splice(env: Any) -> Any:
            items = spliced(env)
            tail_ = rest(env)
            if items is NIL:
                return tail_
            try:
                values = to_list(items)
            except ValueError:
                raise WrongType("unquote-splicing: expected a list", where) from None
            return from_list(values, tail_)

        return splice
    splicing = type(head) is Pair and head.car is UNQUOTE_SPLICING
    car = _qq(head, depth - 1 if splicing else depth, scope, t.car_span)
    cdr = _qq(t.cdr, depth, scope, span)
    pspan, cspan = t.span, t.car_span
    return lambda env: Pair(car(env), cdr(env), pspan, cspan)


def _qq_list(t: Pair, keyword: Symbol, depth: int, scope: Scope) -> Node:
    inner = _qq(t.cdr.car, depth, scope, t.cdr.car_span)
    return lambda env: Pair(keyword, Pair(inner(env), NIL))


# --- multiple values ----------------------------------------------------------------


def _values_list(v: Any) -> list[Any]:
    return list(v.items) if isinstance(v, Values) else [v]


def _bind_formals(formals: Any, values: list[Any], frame: Frame, span) -> None:
    p = formals
    i = 0
    while type(p) is Pair:
        if i >= len(values):
            raise WrongType(f"expected more values, got {len(values)}", span)
        frame.vars[p.car] = values[i]
        i += 1
        p = p.cdr
    if type(p) is Symbol:
        frame.vars[p] = from_list(values[i:])
    elif i != len(values):
        raise WrongType(f"expected {i} values, got {len(values)}", span)


def _check_formals(formals: Any, who: str, span) -> None:
    """FORMALS must be a symbol or a (possibly dotted) list of symbols."""
    p = formals
    while type(p) is Pair:
        if type(p.car) is not Symbol:
            raise SchemeSyntaxError(f"bad {who}: variable names must be symbols", p.car_span or span)
        p = p.cdr
    if p is not NIL and type(p) is not Symbol:
        raise SchemeSyntaxError(f"bad {who}: variable names must be symbols", span)


def _formal_names(formals: Any) -> list[Symbol]:
    out = []
    p = formals
    while type(p) is Pair:
        out.append(p.car)
        p = p.cdr
    if type(p) is Symbol:
        out.append(p)
    return out


@special("let-values", "let*-values")
def _let_values(scope: Scope, x: Pair, tail: bool) -> Node:
    who = x.car.name if type(x.car) is Symbol else "let-values"
    parts = args_of(x, 2, None, f"({who} (((VAR...) EXPR) ...) BODY...)")
    bindings = []
    inner = scope
    p = parts[0].car
    while type(p) is Pair:
        b = p.car
        if type(b) is not Pair or type(b.cdr) is not Pair or b.cdr.cdr is not NIL:
            raise SchemeSyntaxError(f"bad {who}: a binding must be (FORMALS EXPR)", form_span(b) or p.car_span)
        _check_formals(b.car, who, p.car_span)
        bindings.append((b.car, compile_form(b.cdr.car, inner, False, b.cdr.car_span)))
        inner = inner.child(_formal_names(b.car))
        p = p.cdr
    if p is not NIL:
        raise SchemeSyntaxError(f"bad {who}: the bindings must be a list", parts[0].car_span)
    body = compile_body(parts[0].cdr, inner.child(()), True, x)
    span = x.span

    def let_values(env: Any) -> Any:
        frame = Frame({}, env)
        for formals, expr in bindings:
            _bind_formals(formals, _values_list(expr(frame)), frame, span)
        return _finish(body(Frame({}, frame)), tail)

    return let_values


@special("receive")
def _receive(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 3, None, "(receive FORMALS EXPR BODY...)")
    formals = parts[0].car
    _check_formals(formals, "receive", parts[0].car_span)
    expr = compile_form(parts[1].car, scope, False, parts[1].car_span)
    body = compile_body(parts[1].cdr, scope.child(_formal_names(formals)), True, x)
    span = x.span

    def receive(env: Any) -> Any:
        frame = Frame({}, env)
        _bind_formals(formals, _values_list(expr(env)), frame, span)
        return _finish(body(frame), tail)

    return receive


@special("define-values")
def _define_values(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 2, 2, "(define-values (VAR...) EXPR)")
    formals = parts[0].car
    _check_formals(formals, "define-values", parts[0].car_span)
    expr = compile_form(parts[1].car, scope, False, parts[1].car_span)
    toplevel = scope.parent is None
    for name in _formal_names(formals):
        if toplevel:
            scope.module.declare(name)
        else:
            scope.names.add(name)
    span = x.span

    def define_values(env: Any) -> Any:
        frame = Frame({}, env)
        _bind_formals(formals, _values_list(expr(env)), frame, span)
        for name, value in frame.vars.items():
            if type(env) is Frame:
                env.vars[name] = value
            else:
                env.define(name, value)
        return UNSPECIFIED

    return define_values

# call-with-values is in builtins/control.py.


# --- SRFI-26 cut / cute -------------------------------------------------------------

SLOT, REST_SLOT = sym("<>"), sym("<...>")


@special("cut", "cute")
def _cut(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 1, None, "(cut PROC ARG-OR-<>...)")
    params: list[Any] = []
    call_items: list[Any] = []
    item_spans: list[Any] = []  # where each item is written (so errors and warnings point at it)
    lets: list[Any] = []
    rest = None
    evaluate_now = x.car is sym("cute")
    for i, p in enumerate(parts):
        item = p.car
        if item is SLOT:
            name = sym(f" cut-arg-{len(params)}")
            params.append(name)
            call_items.append(name)
        elif item is REST_SLOT and i == len(parts) - 1:
            rest = sym(" cut-rest")
            continue
        elif evaluate_now and i > 0 and type(item) in (Pair, Symbol):
            name = sym(f" cute-value-{i}")
            lets.append(Pair(name, Pair(item, NIL, None, p.car_span)))
            call_items.append(name)
        else:
            call_items.append(item)
        item_spans.append(p.car_span)
    span = x.span
    if rest is not None:
        call_items.append(rest)
        item_spans.append(None)
    body: Any = NIL
    for item, item_span in zip(reversed(call_items), reversed(item_spans), strict=True):
        body = Pair(item, body, None, item_span)
    if rest is not None:
        body = Pair(sym("apply"), body)
    formals = from_list(params, rest if rest is not None else NIL)
    lam = Pair(sym("lambda"), Pair(formals, Pair(body, NIL)), span, x.car_span)
    if type(body) is Pair:
        body.span = span
    form: Any = lam
    if lets:
        form = from_list([sym("let"), from_list(lets), lam])
        form.span = span
    return compile_form(form, scope, tail, span)


# --- promises and parameters --------------------------------------------------------


@special("delay", "delay-force")
def _delay(scope: Scope, x: Pair, tail: bool) -> Node:
    (arg,) = args_of(x, 1, 1, "(delay EXPR)")
    thunk = make_lambda(NIL, Pair(arg.car, NIL, None, arg.car_span), scope, x, "delay")
    return lambda env: Promise(thunk(env))


@primitive("make-parameter")
def make_parameter(value: Any, converter: Any = False) -> Parameter:
    if converter is not False:
        value = call(converter, value)
    return Parameter(value, converter if converter is not False else None)


@special("parameterize")
def _parameterize(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 2, None, "(parameterize ((PARAM VALUE) ...) BODY...)")
    pairs = []
    p = parts[0].car
    while type(p) is Pair:
        name, init = binding_parts(p, "parameterize")
        pairs.append((compile_form(name, scope, False, p.car_span),
                      compile_form(init.car, scope, False, init.car_span)))
        p = p.cdr
    if p is not NIL:
        raise SchemeSyntaxError("bad parameterize: the bindings must be a list", parts[0].car_span)
    body = compile_body(parts[0].cdr, scope, False, x)
    span = x.span

    def parameterize(env: Any) -> Any:
        params = []
        for p_node, v_node in pairs:
            p = p_node(env)
            if not isinstance(p, Parameter):
                raise WrongType("parameterize: not a parameter object", span)
            v = v_node(env)
            params.append((p, call(p.converter, v) if p.converter else v))
        saved = [(p, p.value) for p, _ in params]
        try:
            for p, v in params:
                p.value = v
            return _finish(body(env), False)
        finally:
            for p, v in saved:
                p.value = v

    return parameterize


# --- escapes and errors -------------------------------------------------------------


@primitive("call-with-current-continuation")
def call_cc(proc: Any) -> Any:
    k = Continuation()
    try:
        return apply_procedure(proc, [k])
    except ContinuationInvoked as c:
        if c.tag is k.tag:
            return c.value
        raise
    finally:
        k.active = False


@primitive("call/cc")
def call_cc_short(proc: Any) -> Any:
    return call_cc(proc)


@primitive("catch")
def catch(key: Any, thunk: Any, handler: Any, pre_handler: Any = False) -> Any:
    """Guile's (catch KEY THUNK HANDLER): errors raised by the configuration only."""
    try:
        return apply_procedure(thunk, [])
    except EvalLimit:
        raise
    except SchemeError as e:
        # `throw` and `error` set throw_key/throw_args; other errors look like
        # Guile's (KEY SUBR MESSAGE ARGS REST) with the message preformatted.
        error_key = getattr(e, "throw_key", None) or _CATCH_KEYS.get(type(e).__name__, sym("misc-error"))
        if key is True or key is error_key:
            args = getattr(e, "throw_args", None)
            if args is None:
                args = [False, e.message, NIL, False]
            return apply_procedure(handler, [error_key, *args])
        raise


_CATCH_KEYS = {
    "UnboundVariable": sym("unbound-variable"),
    "WrongType": sym("wrong-type-arg"),
    "ArityError": sym("wrong-number-of-args"),
}


@special("false-if-exception")
def _false_if_exception(scope: Scope, x: Pair, tail: bool) -> Node:
    (arg,) = args_of(x, 1, 1, "(false-if-exception EXPR)")
    node = compile_form(arg.car, scope, False, arg.car_span)

    def guarded(env: Any) -> Any:
        try:
            return _finish(node(env), False)
        except EvalLimit:
            raise
        except SchemeError:
            return False

    return guarded


@special("assert")
def _assert(scope: Scope, x: Pair, tail: bool) -> Node:
    (arg,) = args_of(x, 1, 1, "(assert EXPR)")
    node = compile_form(arg.car, scope, False, arg.car_span)
    text = write_string(arg.car)
    span = x.span

    def assert_(env: Any) -> Any:
        if node(env) is False:
            raise UserError(f"assertion failed: {text}", span)
        return UNSPECIFIED

    return assert_


# --- source-level forms -------------------------------------------------------------


@special("current-filename")
def _current_filename(scope: Scope, x: Pair, tail: bool) -> Node:
    span = form_span(x)
    name = str(span.source.name) if span else False
    return _constant(name)


@special("current-source-location")
def _current_source_location(scope: Scope, x: Pair, tail: bool) -> Node:
    """Guile's (current-source-location): ((filename . F) (line . L) (column . C)),
    L and C 0-based as Guile counts them (a syntax, like current-filename)."""
    span = form_span(x)
    if span is None:
        return _constant(NIL)
    alist = from_list([Pair(sym("filename"), str(span.source.name)), Pair(sym("line"), span.line - 1),
                       Pair(sym("column"), span.col - 1)])
    return _constant(alist)


@special("add-to-load-path")
def _add_to_load_path(scope: Scope, x: Pair, tail: bool) -> Node:
    """(add-to-load-path DIR): DIR goes to the front of the module search path."""
    (arg,) = args_of(x, 1, 1, "(add-to-load-path DIRECTORY)")
    node = compile_form(arg.car, scope, False, arg.car_span)
    loader = scope.module.loader

    def add(env: Any) -> Any:
        from pathlib import Path

        directory = node(env)
        if not isinstance(directory, str):
            raise WrongType(f"add-to-load-path: expected a directory name, got {write_string(directory)}",
                            arg.car_span)
        path = Path(directory)
        if path not in loader.load_path:
            loader.load_path.insert(0, path)
        return UNSPECIFIED

    return add


@special("include", "include-from-path")
def _include(scope: Scope, x: Pair, tail: bool) -> Node:
    (arg,) = args_of(x, 1, 1, '(include "FILE")')
    if not isinstance(arg.car, str):
        raise SchemeSyntaxError("include: expected a file name string", arg.car_span)
    span = form_span(x)
    base = span.source.directory if span else None
    forms = scope.module.loader.read_relative(arg.car, base, arg.car_span)
    spans = getattr(forms, "spans", [None] * len(forms))
    located: Any = NIL
    for form, where in zip(reversed(forms), reversed(spans), strict=True):  # each form keeps its place in the file
        located = Pair(form, located, None, form.span if type(form) is Pair and form.span else where)
    body = Pair(sym("begin"), located, x.span, x.car_span)
    included = next((w.source for w in spans if w is not None), None)
    if included is None or included.name.endswith(SCHEME_SUFFIXES):
        return compile_form(body, scope, tail, span)
    # Not named like Scheme source (include "/etc/passwd"): an error inside it is
    # reported at this include form, and the file's text is not quoted.
    where = arg.car_span
    try:
        node = compile_form(body, scope, False, span)
    except SchemeError as e:
        raise _from_foreign_file(e, included, arg.car, where) from None

    def include_foreign(env: Any) -> Any:
        try:
            return node(env)
        except SchemeError as e:
            raise _from_foreign_file(e, included, arg.car, where) from None

    return include_foreign


_FOREIGN_ERRORS = {"UnboundVariable": "names an unbound variable", "SchemeSyntaxError": "is not valid Scheme",
                   "ReadError": "is not valid Scheme"}


def _from_foreign_file(e: SchemeError, source: Any, filename: str, where: Any) -> SchemeError:
    """E, raised in the included non-Scheme SOURCE, as an error at the include (WHERE)."""
    if e.span is None or e.span.source is not source:
        return e
    what = _FOREIGN_ERRORS.get(type(e).__name__, "fails to evaluate")
    return SchemeError(f"include: \"{filename}\" is not Scheme code: its line {e.span.line}, column {e.span.col} "
                       f"{what}", where,
                       "include reads a file of Scheme code; for a file's contents use (local-file ...)")


@special("@", "@@")
def _module_ref(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 2, 2, "(@ (MODULE NAME...) VARIABLE)")
    name = parts[1].car
    if type(parts[0].car) is not Pair or type(name) is not Symbol:
        raise syntax_error("bad module reference", x, "(@ (gnu system) operating-system)")
    module_name = parse_module_name(parts[0].car, parts[0].car_span)
    private = x.car is sym("@@")
    loader = scope.module.loader
    span = parts[1].car_span
    mspan = parts[0].car_span

    def module_ref(env: Any) -> Any:
        module = loader.load(module_name, mspan)
        return module.public_ref(name, span, private=private)

    return module_ref


__all__ = ["_define"]
