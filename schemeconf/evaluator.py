"""The evaluator: datums are compiled into Python closures, then run.

`compile_form(datum, scope)` returns a *node*, a function `node(env) -> value`.
Special forms are looked up in the SPECIAL_FORMS registry, which the modules
that define special forms fill with `@special("name")`: the core ones here,
the others where their machinery lives (derived.py, match.py, records.py,
syntax_rules.py for `define-syntax`, filelike.py, modules.py, discovery.py);
this module imports none of them, and interpreter.py imports them all.
Macros (`define-syntax`, record constructors) are values in the module whose
`expand` or `compile` method is called at compile time.  Top-level forms are compiled one at a time, right
before they run, so a macro defined earlier in a file is known to later forms.

Proper tail calls: a call in tail position returns a TailCall instead of
calling; `apply_procedure` is the trampoline that keeps calling until a real
value comes back, so loops written as tail recursion run in constant stack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import budget, primitives
from .datum import NIL, UNSPECIFIED, Keyword, Pair, Symbol, Values, Vector, from_list, sym, to_list
from .environment import MISSING, Frame, assign, lookup
from .errors import ArityError, EvalLimit, InternalError, SchemeError, SchemeSyntaxError, WrongType
from .primitives import Primitive, Procedure
from .printer import write_string
from .source import Span

Node = Callable[[Any], Any]
SpecialForm = Callable[["Scope", Pair, bool], Node]

SPECIAL_FORMS: dict[Symbol, SpecialForm] = {}


def special(*names: str) -> Callable[[SpecialForm], SpecialForm]:
    """Register the decorated compiler function for the special form(s) NAMES."""

    def register(fn: SpecialForm) -> SpecialForm:
        for name in names:
            SPECIAL_FORMS[sym(name)] = fn
        return fn

    return register


# --- compile-time scope -------------------------------------------------------------


class Scope:
    """What the compiler knows about names: locally bound ones, and the module."""

    __slots__ = ("names", "parent", "module")

    def __init__(self, names: set[Symbol], parent: Scope | None, module: Any):
        self.names = names
        self.parent = parent
        self.module = module

    def child(self, names) -> Scope:
        return Scope(set(names), self, self.module)

    def is_local(self, name: Symbol) -> bool:
        s: Scope | None = self
        while s is not None:
            if name in s.names:
                return True
            s = s.parent
        return False


class Macro:
    """A syntax transformer: `expand(form, scope)` returns a new datum to compile."""

    name = "macro"

    def expand(self, form: Pair, scope: Scope) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def scheme_repr(self, write: bool) -> str:
        return f"#<syntax-transformer {self.name}>"


class CompilingMacro(Macro):
    """A syntax object that compiles its form itself (record constructors)."""

    def compile(self, form: Pair, scope: Scope, tail: bool) -> Node:  # pragma: no cover
        raise NotImplementedError


# --- procedures ---------------------------------------------------------------------


class TailCall:
    __slots__ = ("proc", "args", "span")

    def __init__(self, proc: Any, args: list[Any], span: Span | None):
        self.proc = proc
        self.args = args
        self.span = span


class Formals:
    """A parsed parameter list: required, #:optional, #:key, rest."""

    __slots__ = ("required", "optional", "keys", "rest", "allow_other_keys")

    def __init__(self, required, optional, keys, rest, allow_other_keys):
        self.required: list[Symbol] = required
        self.optional: list[tuple[Symbol, Node | None]] = optional
        self.keys: list[tuple[Symbol, Keyword, Node | None]] = keys
        self.rest: Symbol | None = rest
        self.allow_other_keys: bool = allow_other_keys

    def names(self) -> list[Symbol]:
        out = list(self.required) + [n for n, _ in self.optional] + [n for n, _, _ in self.keys]
        if self.rest is not None:
            out.append(self.rest)
        return out

    @property
    def simple(self) -> bool:
        return not self.optional and not self.keys


class Closure(Procedure):
    __slots__ = ("formals", "body", "env", "name", "span")

    def __init__(self, formals: Formals, body: Node, env: Any, name: str | None, span: Span | None):
        self.formals = formals
        self.body = body
        self.env = env
        self.name = name or "#<anonymous>"
        self.span = span

    def bind(self, args: list[Any], call_span: Span | None) -> Frame:
        f = self.formals
        nreq = len(f.required)
        if f.simple:
            if len(args) == nreq:
                return Frame(dict(zip(f.required, args, strict=True)), self.env)
            if f.rest is not None and len(args) >= nreq:
                vars = dict(zip(f.required, args, strict=False))  # the rest go to f.rest
                vars[f.rest] = from_list(args[nreq:])
                return Frame(vars, self.env)
            raise self._arity_error(len(args), call_span)
        return self._bind_complex(args, call_span)

    def _bind_complex(self, args: list[Any], call_span: Span | None) -> Frame:
        f = self.formals
        nreq = len(f.required)
        if len(args) < nreq:
            raise self._arity_error(len(args), call_span)
        frame = Frame(dict(zip(f.required, args, strict=False)), self.env)  # the rest: optionals, keys
        rest_args = args[nreq:]
        i = 0
        for name, default in f.optional:
            if i < len(rest_args) and not (f.keys and isinstance(rest_args[i], Keyword)):
                frame.vars[name] = rest_args[i]
                i += 1
            else:
                frame.vars[name] = default(frame) if default else False
        remaining = rest_args[i:]
        if f.keys:
            given: dict[Keyword, Any] = {}
            j = 0
            while j < len(remaining):
                k = remaining[j]
                if not isinstance(k, Keyword) or j + 1 >= len(remaining):
                    if f.rest is not None:
                        break
                    raise ArityError(f"{self.name}: invalid keyword arguments", call_span)
                given[k] = remaining[j + 1]
                j += 2
            known = {kw for _, kw, _ in f.keys}
            unknown = [k for k in given if k not in known]
            if unknown and not f.allow_other_keys and f.rest is None:
                raise ArityError(
                    f"{self.name}: unrecognized keyword argument #:{unknown[0].name}", call_span
                )
            for name, kw, default in f.keys:
                frame.vars[name] = given[kw] if kw in given else (default(frame) if default else False)
        elif remaining and f.rest is None:
            raise self._arity_error(len(args), call_span)
        if f.rest is not None:
            frame.vars[f.rest] = from_list(remaining)
        return frame

    def _arity_error(self, count: int, call_span: Span | None) -> ArityError:
        f = self.formals
        lo = len(f.required)
        hi = None if (f.rest is not None or f.keys) else lo + len(f.optional)
        if hi is None:
            expected = f"at least {lo}"
        elif lo == hi:
            expected = str(lo)
        else:
            expected = f"{lo} to {hi}"
        err = ArityError(
            f"wrong number of arguments to {self.name}: expected {expected}, got {count}", call_span
        )
        if self.span is not None:
            err.note(f"'{self.name}' is defined here", self.span)
        return err

    def scheme_repr(self, write: bool) -> str:
        return f"#<procedure {self.name}>"


class CaseLambda(Procedure):
    __slots__ = ("clauses", "name")

    def __init__(self, clauses: list[Closure], name: str | None = None):
        self.clauses = clauses
        self.name = name or "#<case-lambda>"

    def select(self, args: list[Any], span: Span | None) -> Closure:
        for c in self.clauses:
            n = len(c.formals.required)
            if len(args) == n + len(c.formals.optional) or (len(args) >= n and c.formals.rest is not None):
                return c
            if n <= len(args) <= n + len(c.formals.optional):
                return c
        raise ArityError(f"wrong number of arguments to {self.name}: got {len(args)}", span)

    def scheme_repr(self, write: bool) -> str:
        return f"#<procedure {self.name}>"


class Parameter(Procedure):
    """SRFI-39 parameter object: call with no argument to read it."""

    __slots__ = ("value", "converter", "name")

    def __init__(self, value: Any, converter: Any = None, name: str = "#<parameter>"):
        self.value = value
        self.converter = converter
        self.name = name

    def scheme_repr(self, write: bool) -> str:
        return "#<parameter>"


class Continuation(Procedure):
    """An escape-only continuation (call/cc, let/ec): calling it unwinds to its
    capture point, which must still be running (`active`)."""

    __slots__ = ("tag", "active")
    name = "#<continuation>"

    def __init__(self):
        self.tag = object()
        self.active = True


class ContinuationInvoked(Exception):
    def __init__(self, tag: object, value: Any):
        self.tag = tag
        self.value = value


class Applicable:
    """Mixin for Python objects callable from Scheme: `apply(args, span)`."""

    def apply(self, args: list[Any], span: Span | None) -> Any:  # pragma: no cover
        raise NotImplementedError


_fuel = budget.TICK_INTERVAL  # closure calls left before the next budget check


def spend_fuel(span: Span | None) -> None:
    """One step of a loop: every TICK_INTERVAL steps, check the time and memory budgets."""
    global _fuel
    _fuel -= 1
    if _fuel <= 0:
        _fuel = budget.TICK_INTERVAL
        try:
            budget.tick()
        except SchemeError as e:
            raise e.at(span) from None


def apply_procedure(proc: Any, args: list[Any], span: Span | None = None) -> Any:
    """Call PROC with ARGS; the trampoline for tail calls."""
    global _fuel
    while True:
        t = type(proc)
        if t is Closure:
            _fuel -= 1
            if _fuel <= 0:
                spend_fuel(span)
            frame = proc.bind(args, span)
            result = proc.body(frame)
            if type(result) is TailCall:
                proc, args, span = result.proc, result.args, result.span
                continue
            return result
        if t is Primitive:
            if proc.name == "apply" and len(args) >= 2 and isinstance(args[0], Procedure) and proc is _core_apply():
                # (apply f ... lst) in tail position must not grow the stack:
                # spread the arguments here and keep trampolining.
                try:
                    spread = to_list(args[-1])
                except ValueError:
                    pass  # not a list: the primitive reports it
                else:
                    proc, args = args[0], args[1:-1] + spread
                    continue
            n = len(args)
            if n < proc.min_args or (proc.max_args is not None and n > proc.max_args):
                try:
                    proc.check_arity(n)
                except ArityError as e:
                    raise e.at(span) from None
            try:
                return proc.fn(*args)
            except SchemeError as e:
                e.at(span)
                raise
            except RecursionError:
                raise
            except (TypeError, ValueError, IndexError, KeyError, ArithmeticError, AttributeError) as e:
                raise WrongType(f"{proc.name}: {e}", span) from e
            except MemoryError:
                raise budget.memory_exceeded_at(span) from None
        if t is CaseLambda:
            proc = proc.select(args, span)
            continue
        if t is Parameter:
            if args:
                raise ArityError("parameter objects take no arguments here", span)
            return proc.value
        if t is Continuation:
            if not proc.active:
                raise SchemeError("re-entering a continuation is not supported", span,
                                  "pyguix's continuations only escape: call them inside the call/cc that made them")
            raise ContinuationInvoked(proc.tag, args[0] if len(args) == 1 else Values(args))
        if isinstance(proc, Applicable):
            result = proc.apply(args, span)
            if type(result) is TailCall:
                proc, args, span = result.proc, result.args, result.span
                continue
            return result
        raise WrongType(f"wrong type to apply: {write_string(proc)}", span)


def _core_apply() -> Any:
    return primitives.PRIMITIVE_MODULES[primitives.CORE].get("apply")


primitives._caller = lambda proc, args: apply_procedure(proc, args)


# --- compiling ----------------------------------------------------------------------


def syntax_error(message: str, form: Any, hint: str | None = None) -> SchemeSyntaxError:
    span = form.span or form.car_span if isinstance(form, Pair) else None
    return SchemeSyntaxError(message, span, hint)


def form_span(form: Any) -> Span | None:
    if isinstance(form, Pair):
        return form.span or form.car_span
    return None


def compile_form(x: Any, scope: Scope, tail: bool = False, span: Span | None = None) -> Node:
    """Compile datum X (whose position is SPAN, when X is an atom) into a node."""
    if type(x) is Symbol:
        return compile_ref(x, scope, span)
    if type(x) is Pair:
        return compile_pair(x, scope, tail)
    if x is NIL:
        raise SchemeSyntaxError("missing procedure expression in ()", span, "use '() for the empty list")
    return _constant(x)


def _constant(value: Any) -> Node:
    return lambda env: value


def compile_ref(name: Symbol, scope: Scope, span: Span | None) -> Node:
    if name.name.startswith("#:") or isinstance(name, Keyword):
        return _constant(name)
    if not scope.is_local(name):
        value = scope.module.resolve(name, fallback=False)
        if isinstance(value, Macro):
            raise SchemeSyntaxError(f"syntax '{name.name}' used as a value", span)
    def ref(env: Any) -> Any:
        e = env
        while type(e) is Frame:
            v = e.vars.get(name, MISSING)
            if v is not MISSING:
                return v
            e = e.parent
        return e.lookup(name, span)

    return ref


def head_macro(head: Any, scope: Scope) -> Any:
    """The special form or macro HEAD names in SCOPE, or None."""
    if type(head) is not Symbol or scope.is_local(head):
        return None
    value = scope.module.resolve(head, fallback=False)
    if isinstance(value, Macro):
        return value
    if value is MISSING:
        form = SPECIAL_FORMS.get(head)
        if form is not None:
            return form
        value = scope.module.resolve(head)
        if isinstance(value, Macro):
            return value
    return None


_MODULE_REFS = (Symbol("@"), Symbol("@@"))


def _module_ref_macro(head: Any, scope: Scope) -> Any:
    """The macro `(@ (m) name)` names in operator position, if it is one."""
    if type(head) is not Pair or head.car not in _MODULE_REFS or scope.is_local(head.car):
        return None
    parts = list(head.cdr) if type(head.cdr) is Pair else []
    if len(parts) != 2 or type(parts[0]) is not Pair or type(parts[1]) is not Symbol:
        return None
    try:
        module = scope.module.loader.load(tuple(s.name for s in parts[0]), head.span)
        value = module.public_ref(parts[1], head.span, private=head.car is _MODULE_REFS[1])
    except SchemeError:
        return None  # reported when the call runs
    return value if isinstance(value, Macro) else None


def compile_pair(x: Pair, scope: Scope, tail: bool) -> Node:
    head = x.car
    target = head_macro(head, scope) or _module_ref_macro(head, scope)
    if target is not None:
        try:
            if isinstance(target, Macro) and not isinstance(target, CompilingMacro):
                return _compile_expansion(target, x, scope, tail)  # syntax-rules may match dotted forms
            if not _is_proper(x):
                raise syntax_error(f"bad {getattr(head, 'name', 'special form')} syntax: a dotted form", x)
            if isinstance(target, CompilingMacro):
                return target.compile(x, scope, tail)
            return target(scope, x, tail)
        except UNEXPECTED as e:
            what = f"bad {head.name if type(head) is Symbol else 'special'} form"
            raise internal_error(e, form_span(x), what) from e
    return compile_call(x, scope, tail)


def _is_proper(x: Any) -> bool:
    while type(x) is Pair:
        x = x.cdr
    return x is NIL


# Python exceptions that mean pyguix met a form or value it did not expect.
UNEXPECTED = (AttributeError, TypeError, ValueError, IndexError, KeyError, ArithmeticError, AssertionError)


def internal_error(e: BaseException, span: Span | None, what: str) -> InternalError:
    """E (one of UNEXPECTED) as a located error about WHAT."""
    return InternalError(f"{what}: pyguix could not handle it ({type(e).__name__}: {str(e)[:200]})", span,
                         "this is a bug in pyguix; please report it with this form")


_expansion_depth = 0  # macro uses being expanded inside one another now


def _compile_expansion(macro: Macro, x: Pair, scope: Scope, tail: bool) -> Node:
    global _expansion_depth
    if _expansion_depth >= budget.MAX_EXPANSION_DEPTH:
        raise SchemeSyntaxError(
            f"macro expansion too deep: more than {budget.MAX_EXPANSION_DEPTH} nested uses of macros "
            f"(last: '{macro.name}')", form_span(x),
            "a macro keeps expanding into itself without reaching its base case")
    _expansion_depth += 1
    try:
        expansion = macro.expand(x, scope)
        return compile_form(expansion, scope, tail, form_span(x))
    finally:
        _expansion_depth -= 1


def compile_call(x: Pair, scope: Scope, tail: bool) -> Node:
    span = x.span or x.car_span
    fn = compile_form(x.car, scope, False, x.car_span)
    arg_nodes: list[Node] = []
    p = x.cdr
    while type(p) is Pair:
        arg_nodes.append(compile_form(p.car, scope, False, p.car_span))
        p = p.cdr
    if p is not NIL:
        raise syntax_error("improper procedure call (dotted argument list)", x)
    if tail:
        def tail_call(env: Any) -> Any:
            return TailCall(fn(env), [a(env) for a in arg_nodes], span)

        return tail_call

    def call(env: Any) -> Any:
        try:
            return apply_procedure(fn(env), [a(env) for a in arg_nodes], span)
        except SchemeError as e:
            _at_user_site(e, span)
            raise
        except RecursionError:
            raise EvalLimit(
                "recursion too deep (runaway recursion?)", span,
                "a procedure keeps calling itself without reaching its base case",
            ) from None
        except MemoryError:
            raise budget.memory_exceeded_at(span) from None
        except UNEXPECTED as e:
            raise internal_error(e, span, "this call failed") from e

    return call


def _at_user_site(e: SchemeError, span: Span | None) -> SchemeError:
    """An error raised inside pyguix's bundled Scheme is reported at the
    user's call that led there (the bundled line is kept as a note)."""
    if span is not None and not span.source.bundled and (e.span is None or e.span.source.bundled):
        e.span = span
    return e


def compile_body(forms: Any, scope: Scope, tail: bool, where: Pair) -> Node:
    """Compile a sequence of forms (a body); the last one is in tail position."""
    items: list[tuple[Any, Span | None]] = []
    p = forms
    while type(p) is Pair:
        items.append((p.car, p.car_span))
        p = p.cdr
    if not items:
        raise syntax_error("empty body", where)
    # Internal definitions are local names: make them known to the compiler first.
    for form, _ in items:
        name = defined_name(form)
        if name is not None:
            scope.names.add(name)
    nodes = [compile_form(f, scope, tail and i == len(items) - 1, s) for i, (f, s) in enumerate(items)]
    if len(nodes) == 1:
        return nodes[0]

    def body(env: Any) -> Any:
        for n in nodes[:-1]:
            n(env)
        return nodes[-1](env)

    return body


_DEFINERS = {sym("define"), sym("define*"), sym("define-public"), sym("define-values")}


def defined_name(form: Any) -> Symbol | None:
    if type(form) is Pair and type(form.car) is Symbol and form.car in _DEFINERS and type(form.cdr) is Pair:
        target = form.cdr.car
        while type(target) is Pair:  # (define ((curried a) b) ...)
            target = target.car
        if type(target) is Symbol:
            return target
    return None


# --- formals ------------------------------------------------------------------------

_OPTIONAL, _KEY, _REST, _ALLOW = (Keyword("optional"), Keyword("key"), Keyword("rest"), Keyword("allow-other-keys"))


def parse_formals(spec: Any, scope: Scope, where: Pair) -> Formals:
    """Parse `(a b #:optional (c 1) #:key d (e 2) #:rest r . more)` and plain `args`."""
    required: list[Symbol] = []
    optional: list[tuple[Symbol, Node | None]] = []
    keys: list[tuple[Symbol, Keyword, Node | None]] = []
    rest: Symbol | None = None
    allow = False
    mode = "req"
    p = spec
    defaults_scope = scope.child(())
    while type(p) is Pair:
        item = p.car
        if isinstance(item, Keyword):
            if item is _OPTIONAL:
                mode = "opt"
            elif item is _KEY:
                mode = "key"
            elif item is _REST:
                mode = "rest"
            elif item is _ALLOW:
                allow = True
            else:
                raise SchemeSyntaxError(f"invalid keyword in parameter list: #:{item.name}", p.car_span)
        elif mode == "rest":
            rest = _formal_name(item, p)
        else:
            name, default = _formal_with_default(item, p, defaults_scope, mode)
            defaults_scope.names.add(name)
            if mode == "req":
                required.append(name)
            elif mode == "opt":
                optional.append((name, default))
            else:
                keys.append((name, Keyword(name.name), default))
        p = p.cdr
    if type(p) is Symbol:
        rest = p
    elif p is not NIL:
        raise syntax_error("invalid parameter list", where)
    return Formals(required, optional, keys, rest, allow)


def _formal_name(item: Any, p: Pair) -> Symbol:
    if type(item) is not Symbol:
        raise SchemeSyntaxError("parameter names must be symbols", p.car_span)
    return item


def _formal_with_default(item: Any, p: Pair, scope: Scope, mode: str) -> tuple[Symbol, Node | None]:
    if type(item) is Symbol:
        return item, None
    if mode != "req" and type(item) is Pair and type(item.car) is Symbol and type(item.cdr) is Pair:
        return item.car, compile_form(item.cdr.car, scope, False, item.cdr.car_span)
    raise SchemeSyntaxError("invalid parameter", p.car_span)


def make_lambda(formals_spec: Any, body: Any, scope: Scope, where: Pair, name: str | None) -> Node:
    formals = parse_formals(formals_spec, scope, where)
    body_scope = scope.child(formals.names())
    body_node = compile_body(body, body_scope, True, where)
    span = where.span or where.car_span

    def make(env: Any) -> Closure:
        return Closure(formals, body_node, env, name, span)

    return make


# --- core special forms -------------------------------------------------------------


def args_of(form: Pair, low: int, high: int | None, usage: str) -> list[Any]:
    """The operands of FORM, checking their count against the form's USAGE."""
    items = []
    p = form.cdr
    while type(p) is Pair:
        items.append(p)
        p = p.cdr
    if p is not NIL or len(items) < low or (high is not None and len(items) > high):
        what = form.car.name if type(form.car) is Symbol else "form"
        raise syntax_error(f"bad {what} syntax", form, f"usage: {usage}")
    return items


@special("quote")
def _quote(scope: Scope, x: Pair, tail: bool) -> Node:
    (arg,) = args_of(x, 1, 1, "(quote DATUM)")
    return _constant(arg.car)


@special("if")
def _if(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 2, 3, "(if TEST THEN [ELSE])")
    test = compile_form(parts[0].car, scope, False, parts[0].car_span)
    then = compile_form(parts[1].car, scope, tail, parts[1].car_span)
    if len(parts) == 3:
        other = compile_form(parts[2].car, scope, tail, parts[2].car_span)
        return lambda env: then(env) if test(env) is not False else other(env)
    return lambda env: then(env) if test(env) is not False else UNSPECIFIED


@special("define", "define-public")
def _define(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 1, None, "(define NAME VALUE) or (define (NAME ARGS...) BODY...)")
    target = parts[0].car
    public = x.car is sym("define-public")
    if type(target) is Pair:
        return _define_procedure(scope, x, target, parts[0].cdr, public, "lambda")
    if type(target) is not Symbol:
        raise SchemeSyntaxError("define: expected a name", parts[0].car_span)
    if len(parts) == 1:
        value: Node = _constant(UNSPECIFIED)
    elif len(parts) == 2:
        value = compile_form(parts[1].car, scope, False, parts[1].car_span)
    else:
        raise syntax_error("define: too many expressions", x, "(define NAME VALUE)")
    return _definer(scope, target, value, public)


def _define_procedure(scope, x, target: Pair, body: Any, public: bool, kind: str) -> Node:
    # (define ((f a) b) ...) is (define (f a) (lambda (b) ...))
    name_part, formals = target.car, target.cdr
    if type(name_part) is Pair:
        inner = Pair(Pair(sym(kind), Pair(formals, body), x.span, x.car_span), NIL)
        return _define_procedure(scope, x, name_part, inner, public, "lambda")
    if type(name_part) is not Symbol:
        raise SchemeSyntaxError("define: expected a procedure name", target.car_span)
    # lambda and lambda* share one parser: #:optional/#:key/#:rest are always understood.
    value = make_lambda(formals, body, scope, x, name_part.name)
    return _definer(scope, name_part, value, public)


def _definer(scope: Scope, name: Symbol, value: Node, public: bool) -> Node:
    toplevel = scope.parent is None

    def define(env: Any) -> Any:
        v = value(env)
        if isinstance(v, Closure) and v.name == "#<anonymous>":
            v.name = name.name
        if type(env) is Frame:
            env.vars[name] = v
        else:
            env.define(name, v)
            if public:
                env.export(name)
        return UNSPECIFIED

    if toplevel:
        scope.module.declare(name)
    return define


@special("define*", "define*-public")
def _define_star(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 2, None, "(define* (NAME ARGS...) BODY...)")
    target = parts[0].car
    if type(target) is not Pair:
        return _define(scope, x, tail)
    return _define_procedure(scope, x, target, parts[0].cdr, x.car is sym("define*-public"), "lambda*")


@special("set!")
def _set(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 2, 2, "(set! NAME VALUE)")
    name = parts[0].car
    if type(name) is not Symbol:
        raise SchemeSyntaxError("set!: expected a variable name", parts[0].car_span)
    value = compile_form(parts[1].car, scope, False, parts[1].car_span)
    span = parts[0].car_span

    def set_(env: Any) -> Any:
        assign(env, name, value(env), span)
        return UNSPECIFIED

    return set_


@special("lambda", "lambda*")
def _lambda(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 2, None, "(lambda (ARGS...) BODY...)")
    return make_lambda(parts[0].car, parts[0].cdr, scope, x, None)


@special("case-lambda", "case-lambda*")
def _case_lambda(scope: Scope, x: Pair, tail: bool) -> Node:
    makers = []
    for clause in args_of(x, 1, None, "(case-lambda ((ARGS...) BODY...) ...)"):
        c = clause.car
        if type(c) is not Pair:
            raise SchemeSyntaxError("case-lambda: bad clause", clause.car_span)
        makers.append(make_lambda(c.car, c.cdr, scope, c, None))
    return lambda env: CaseLambda([m(env) for m in makers])


@special("begin")
def _begin(scope: Scope, x: Pair, tail: bool) -> Node:
    if x.cdr is NIL:
        return _constant(UNSPECIFIED)
    if scope.parent is None:
        # Top-level begin: definitions inside are top-level; compile each form lazily.
        forms = args_of(x, 0, None, "(begin FORM...)")

        def run(env: Any) -> Any:
            result: Any = UNSPECIFIED
            for p in forms:
                result = compile_form(p.car, scope, False, p.car_span)(env)
            return result

        return run
    return compile_body(x.cdr, scope, tail, x)


@special("let")
def _let(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 2, None, "(let ((NAME VALUE) ...) BODY...)")
    if type(parts[0].car) is Symbol:
        return _named_let(scope, x, parts, tail)
    names, inits = _bindings(parts[0].car, scope, parts[0])
    body = compile_body(parts[0].cdr, scope.child(names), True, x)

    def let(env: Any) -> Any:
        frame = Frame({n: i(env) for n, i in zip(names, inits, strict=True)}, env)
        return _finish(body(frame), tail)

    return let


def _finish(result: Any, tail: bool) -> Any:
    """A body run inside a non-procedure form returns TailCalls only in tail position."""
    if not tail and type(result) is TailCall:
        return apply_procedure(result.proc, result.args, result.span)
    return result


def _bindings(spec: Any, scope: Scope, where: Pair, who: str = "let") -> tuple[list[Symbol], list[Node]]:
    """The names and compiled inits of `((NAME VALUE) ...)`; WHO names the form for errors."""
    names: list[Symbol] = []
    inits: list[Node] = []
    p = spec
    while type(p) is Pair:
        name, init = binding_parts(p, who)
        names.append(name)
        inits.append(compile_form(init.car, scope, False, init.car_span))
        p = p.cdr
    if p is not NIL:
        raise SchemeSyntaxError(f"bad {who}: the bindings must be a list ((NAME VALUE) ...)", where.car_span)
    return names, inits


def binding_parts(p: Pair, who: str) -> tuple[Symbol, Pair]:
    """The name of the binding `(NAME VALUE)` in P's car, and the pair holding VALUE."""
    b = p.car
    if type(b) is not Pair or type(b.car) is not Symbol or type(b.cdr) is not Pair or b.cdr.cdr is not NIL:
        raise SchemeSyntaxError(f"bad {who}: bad binding {write_string(b)[:60]}, expected (NAME VALUE)",
                                _span_of_item(p), f"({who} ((NAME VALUE) ...) BODY...)")
    return b.car, b.cdr


def _span_of_item(p: Pair) -> Span | None:
    return p.car.span if type(p.car) is Pair and p.car.span else p.car_span


def _named_let(scope: Scope, x: Pair, parts: list[Pair], tail: bool) -> Node:
    name = parts[0].car
    if len(parts) < 3:
        raise syntax_error("bad named let", x, "(let NAME ((VAR INIT) ...) BODY...)")
    names, inits = _bindings(parts[1].car, scope, parts[1])
    loop_scope = scope.child([name])
    formals = Formals(names, [], [], None, False)
    body = compile_body(parts[1].cdr, loop_scope.child(names), True, x)
    span = x.span

    def named_let(env: Any) -> Any:
        frame = Frame({}, env)
        proc = Closure(formals, body, frame, name.name, span)
        frame.vars[name] = proc
        args = [i(env) for i in inits]
        if tail:
            return TailCall(proc, args, span)
        return apply_procedure(proc, args, span)

    return named_let


@special("let*")
def _let_star(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 2, None, "(let* ((NAME VALUE) ...) BODY...)")
    steps: list[tuple[Symbol, Node]] = []
    inner = scope
    p = parts[0].car
    while type(p) is Pair:
        name, init = binding_parts(p, "let*")
        steps.append((name, compile_form(init.car, inner, False, init.car_span)))
        inner = inner.child([name])
        p = p.cdr
    if p is not NIL:
        raise SchemeSyntaxError("bad let*: the bindings must be a list ((NAME VALUE) ...)", parts[0].car_span)
    body = compile_body(parts[0].cdr, inner.child(()), True, x)

    def let_star(env: Any) -> Any:
        for name, init in steps:
            env = Frame({name: init(env)}, env)
        return _finish(body(Frame({}, env)), tail)

    return let_star


@special("letrec", "letrec*")
def _letrec(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 2, None, "(letrec ((NAME VALUE) ...) BODY...)")
    who = x.car.name if type(x.car) is Symbol else "letrec"
    spec = parts[0].car
    names = [b.car for b in spec if type(b) is Pair] if type(spec) is Pair else []
    inner = scope.child(names)
    names, inits = _bindings(spec, inner, parts[0], who)
    body = compile_body(parts[0].cdr, inner.child(()), True, x)

    def letrec(env: Any) -> Any:
        frame = Frame({}, env)
        for n, i in zip(names, inits, strict=True):
            v = i(frame)
            if isinstance(v, Closure) and v.name == "#<anonymous>":
                v.name = n.name
            frame.vars[n] = v
        return _finish(body(Frame({}, frame)), tail)

    return letrec


@special("and")
def _and(scope: Scope, x: Pair, tail: bool) -> Node:
    operands = list(x.cdr.pairs()) if x.cdr is not NIL else []
    if not operands:
        return _constant(True)
    nodes = [compile_form(p.car, scope, False, p.car_span) for p in operands[:-1]]
    nodes.append(compile_form(operands[-1].car, scope, tail, operands[-1].car_span))

    def and_(env: Any) -> Any:
        value: Any = True
        for n in nodes:
            value = n(env)
            if value is False:
                return False
        return value

    return and_


@special("or")
def _or(scope: Scope, x: Pair, tail: bool) -> Node:
    operands = list(x.cdr.pairs()) if x.cdr is not NIL else []
    if not operands:
        return _constant(False)
    # The last operand is in tail position (R7RS 4.2.1), as in `and`.
    nodes = [compile_form(p.car, scope, False, p.car_span) for p in operands[:-1]]
    nodes.append(compile_form(operands[-1].car, scope, tail, operands[-1].car_span))

    def or_(env: Any) -> Any:
        for n in nodes:
            value = n(env)
            if value is not False:
                return value
        return False

    return or_


def eval_datum(datum: Any, module: Any, span: Span | None = None) -> Any:
    """Compile and run one top-level DATUM in MODULE."""
    scope = Scope(set(), None, module)
    budget.Expansion.pairs = 0
    try:
        node = compile_form(datum, scope, False, span)
        result = node(module)
        if type(result) is TailCall:
            result = apply_procedure(result.proc, result.args, result.span)
    except UNEXPECTED as e:
        raise internal_error(e, span, "evaluating this form failed") from e
    except RecursionError:
        raise EvalLimit("recursion too deep (runaway recursion, or code nested too deeply)", span,
                        "a procedure keeps calling itself without reaching its base case") from None
    except MemoryError:
        raise budget.memory_exceeded_at(span) from None
    return result


__all__ = [
    "SPECIAL_FORMS", "special", "Scope", "Macro", "CompilingMacro", "Closure", "Formals",
    "CaseLambda", "Parameter", "Applicable", "apply_procedure", "compile_form", "compile_body",
    "eval_datum", "lookup", "Vector",
]
