"""Records: Guix's `define-record-type*` and SRFI-9 `define-record-type`.

    (define-record-type* <partition> partition make-partition
      partition?
      this-partition                          ; optional "this" identifier
      (size   partition-size   (default 'guess) (sanitize validate-size))
      (label  partition-label)                ; no default: mandatory
      (flags  partition-flags  (default '()))
      (initializer partition-initializer (default #f) (thunked)))

defines the type `<partition>`, the constructor syntax `partition`, the
positional procedure `make-partition`, the predicate and the accessors.

The constructor syntax follows guix/records.scm: clauses `(FIELD VALUE)` in
any order, `(inherit RECORD)` first; given fields are bound with `let*` in
the order written so later clauses can use earlier ones by name; defaults are
evaluated anew at each construction in the scope of the definition;
`thunked` values are recomputed at each access with `this-record` bound;
`delayed` values are computed once; `innate` fields are never inherited;
sanitizers see given values and defaults.  Errors point at the clause.
"""

from __future__ import annotations

from typing import Any

from .datum import NIL, UNSPECIFIED, Pair, Symbol, equal, sym, to_list
from .environment import MISSING, Frame
from .errors import RecordError, SchemeError, SchemeSyntaxError, WrongType, closest_names
from .evaluator import (
    Applicable,
    CompilingMacro,
    Node,
    Scope,
    _finish,
    apply_procedure,
    args_of,
    compile_form,
    special,
)
from .primitives import Procedure
from .printer import write_string
from .source import Span

THIS_RECORD = sym("this-record")
INHERIT = sym("inherit")


class FieldSpec:
    __slots__ = ("name", "accessor", "default", "thunked", "delayed", "innate", "sanitizer", "index")

    def __init__(self, name: Symbol, accessor: Symbol | None, index: int):
        self.name = name
        self.accessor = accessor
        self.index = index
        self.default: Node | None = None
        self.thunked = False
        self.delayed = False
        self.innate = False
        self.sanitizer: Node | None = None


class RecordType:
    def __init__(self, name: str, fields: list[FieldSpec], this_id: Symbol | None, env: Any, span: Span | None):
        self.name = name  # e.g. "<image>"
        self.fields = fields
        self.by_name = {f.name: f for f in fields}
        self.this_id = this_id
        self.env = env  # where defaults and sanitizers are evaluated
        self.span = span
        self.constructor_name = name.strip("<>")
        self.sanitizers: dict[Symbol, Any] = {}

    def scheme_repr(self, write: bool) -> str:
        return f"#<record-type {self.name}>"


class Thunk:
    """A thunked field's value: recomputed from its expression at each access."""

    __slots__ = ("node", "env", "field", "parent_value")

    def __init__(self, node: Node, env: Any, field: FieldSpec, parent_value: Any = MISSING):
        self.node = node
        self.env = env
        self.field = field
        self.parent_value = parent_value

    def compute(self, record: Record) -> Any:
        vars = {THIS_RECORD: record}
        if record.rtype.this_id is not None:
            vars[record.rtype.this_id] = record
        if self.parent_value is not MISSING:
            vars[self.field.name] = record.resolve(self.field, self.parent_value)
        return _finish(self.node(Frame(vars, self.env)), False)


class Delayed:
    __slots__ = ("thunk", "value", "done")

    def __init__(self, thunk: Thunk):
        self.thunk = thunk
        self.value = None
        self.done = False


class Record:
    __slots__ = ("rtype", "values", "span", "field_spans")

    def __init__(self, rtype: RecordType, values: list[Any], span: Span | None,
                 field_spans: dict[str, Span] | None = None):
        self.rtype = rtype
        self.values = values
        self.span = span
        self.field_spans = field_spans or {}

    def span_of(self, name: str) -> Span | None:
        """Where field NAME's value was written, else where the record was."""
        return self.field_spans.get(name) or self.span

    def resolve(self, field: FieldSpec, raw: Any) -> Any:
        if type(raw) is Thunk:
            return sanitize(self.rtype, field, raw.compute(self), None)
        if type(raw) is Delayed:
            if not raw.done:
                raw.value = sanitize(self.rtype, field, raw.thunk.compute(self), None)
                raw.done = True
            return raw.value
        return raw

    def get(self, name: str) -> Any:
        """The value of field NAME (thunks computed), for Python callers."""
        field = self.rtype.by_name[sym(name)]
        return self.resolve(field, self.values[field.index])

    def scheme_repr(self, write: bool) -> str:
        parts = []
        for f in self.rtype.fields:
            raw = self.values[f.index]
            shown = "#<thunk>" if type(raw) in (Thunk, Delayed) else write_string(raw)
            parts.append(f"{f.name.name}: {shown}")
        return f"#<{self.rtype.name} " + " ".join(parts) + ">"

    def scheme_equal(self, other: Any) -> bool:
        return (
            isinstance(other, Record) and other.rtype is self.rtype
            and all(equal(a, b) for a, b in zip(self.values, other.values, strict=True))
        )


def sanitize(rtype: RecordType, field: FieldSpec, value: Any, span: Span | None) -> Any:
    if field.sanitizer is None:
        return value
    proc = rtype.sanitizers.get(field.name)
    if proc is None:
        proc = field.sanitizer(rtype.env)
        rtype.sanitizers[field.name] = proc
    try:
        return apply_procedure(proc, [value])
    except SchemeError as e:
        if span is not None:
            e.span = span  # point at the user's value, not inside the sanitizer
        raise


# --- accessors, predicates, constructors --------------------------------------------


class Accessor(Procedure, Applicable):
    def __init__(self, rtype: RecordType, field: FieldSpec):
        self.rtype = rtype
        self.field = field
        self.name = field.accessor.name if field.accessor else field.name.name

    def apply(self, args: list[Any], span: Span | None) -> Any:
        if len(args) != 1:
            raise WrongType(f"{self.name}: expected 1 argument, got {len(args)}", span)
        rec = args[0]
        if not isinstance(rec, Record) or rec.rtype is not self.rtype:
            raise WrongType(f"{self.name}: expected a {self.rtype.name} record, got {write_string(rec)}", span)
        return rec.resolve(self.field, rec.values[self.field.index])

    def scheme_repr(self, write: bool) -> str:
        return f"#<procedure {self.name}>"


class Predicate(Procedure, Applicable):
    def __init__(self, rtype: RecordType, name: str):
        self.rtype = rtype
        self.name = name

    def apply(self, args: list[Any], span: Span | None) -> Any:
        return len(args) == 1 and isinstance(args[0], Record) and args[0].rtype is self.rtype

    def scheme_repr(self, write: bool) -> str:
        return f"#<procedure {self.name}>"


class PositionalConstructor(Procedure, Applicable):
    def __init__(self, rtype: RecordType, name: str, fields: list[FieldSpec] | None = None):
        self.rtype = rtype
        self.name = name
        self.fields = fields if fields is not None else rtype.fields

    def apply(self, args: list[Any], span: Span | None) -> Any:
        if len(args) != len(self.fields):
            raise WrongType(f"{self.name}: expected {len(self.fields)} arguments, got {len(args)}", span)
        values: list[Any] = [False] * len(self.rtype.fields)
        for f, v in zip(self.fields, args, strict=True):
            values[f.index] = sanitize(self.rtype, f, v, span)
        return Record(self.rtype, values, span)

    def scheme_repr(self, write: bool) -> str:
        return f"#<procedure {self.name}>"


class RecordConstructor(CompilingMacro):
    """The constructor syntax `(image (field value) ...)` of a define-record-type* type."""

    def __init__(self, rtype: RecordType):
        self.rtype = rtype
        self.name = rtype.constructor_name

    def compile(self, form: Pair, scope: Scope, tail: bool) -> Node:
        rtype = self.rtype
        span = form.span or form.car_span
        inherit: Node | None = None
        clauses: list[tuple[FieldSpec, Node, Span | None]] = []
        seen: dict[Symbol, Span | None] = {}
        inner = scope.child(())
        for i, p in enumerate(form.cdr.pairs() if form.cdr is not NIL else []):
            c = p.car
            cspan = p.car_span
            if type(c) is not Pair or type(c.car) is not Symbol or type(c.cdr) is not Pair or c.cdr.cdr is not NIL:
                raise RecordError(f"invalid field specifier in ({self.name} ...)", cspan,
                                  "each field is written (NAME VALUE)")
            if c.car is INHERIT:
                if i != 0:
                    raise RecordError("(inherit ...) must be the first clause", cspan)
                inherit = compile_form(c.cdr.car, scope, False, c.cdr.car_span)
                continue
            field = rtype.by_name.get(c.car)
            if field is None:
                close = closest_names(c.car.name, [f.name.name for f in rtype.fields])
                names = " ".join(f.name.name for f in rtype.fields)
                hint = f"did you mean '{close[0]}'?" if close else f"fields of {rtype.name}: {names}"
                # At the record form, as Guix reports "extraneous field initializers";
                # the note shows the field.
                raise RecordError(f"unknown field '{c.car.name}' in {rtype.name} record", span or cspan,
                                  hint).note(f"'{c.car.name}' is given here", cspan)
            if field.name in seen:
                raise RecordError(f"duplicate field initializer '{field.name.name}'", cspan).note(
                    "first given here", seen[field.name])
            seen[field.name] = cspan
            node = self._value_node(field, c.cdr.car, inner, c.cdr.car_span, inherit is not None)
            clauses.append((field, node, c.cdr.car_span or cspan))
            inner = inner.child([field.name])
        if inherit is None:
            missing = [f.name.name for f in rtype.fields if f.default is None and f.name not in seen]
            if missing:
                raise RecordError(
                    f"missing field initializers ({' '.join(missing)}) in {rtype.name} record", span,
                    "add " + " ".join(f"({m} ...)" for m in missing),
                )
        return self._builder(inherit, clauses, span)

    def _value_node(self, field: FieldSpec, expr: Any, scope: Scope, span, inheriting: bool) -> Node:
        if not (field.thunked or field.delayed):
            return compile_form(expr, scope, False, span)
        names = [THIS_RECORD] + ([self.rtype.this_id] if self.rtype.this_id else [])
        if inheriting:
            names.append(field.name)
        node = compile_form(expr, scope.child(names), True, span)
        return lambda env: (node, env)

    def _builder(self, inherit: Node | None, clauses, span: Span | None) -> Node:
        rtype = self.rtype

        def build(env: Any) -> Record:
            parent = None
            if inherit is not None:
                parent = inherit(env)
                if not isinstance(parent, Record) or parent.rtype is not rtype:
                    raise WrongType(f"inherit: expected a {rtype.name} record, got {write_string(parent)}", span)
            values: list[Any] = [MISSING] * len(rtype.fields)
            spans: dict[str, Span] = dict(parent.field_spans) if parent is not None else {}
            frame = Frame({}, env)
            for field, node, vspan in clauses:
                raw = node(frame)
                if field.thunked or field.delayed:
                    parent_raw = parent.values[field.index] if parent is not None else MISSING
                    thunk = Thunk(raw[0], raw[1], field, parent_raw)
                    value: Any = Delayed(thunk) if field.delayed else thunk
                else:
                    value = sanitize(rtype, field, raw, vspan)
                values[field.index] = value
                if vspan is not None:
                    spans[field.name.name] = vspan
                frame = Frame({field.name: value}, frame)
            for field in rtype.fields:
                if values[field.index] is MISSING:
                    if parent is not None and not field.innate:
                        values[field.index] = parent.values[field.index]
                    else:
                        values[field.index] = default_value(rtype, field, span)
            return Record(rtype, values, span, spans)

        return build


def default_value(rtype: RecordType, field: FieldSpec, span: Span | None) -> Any:
    assert field.default is not None
    if field.thunked or field.delayed:
        thunk = Thunk(field.default, rtype.env, field)
        return Delayed(thunk) if field.delayed else thunk
    value = _finish(field.default(rtype.env), False)
    return sanitize(rtype, field, value, None)


# --- the definition forms -----------------------------------------------------------


@special("define-record-type*")
def _define_record_type_star(scope: Scope, x: Pair, tail: bool) -> Node:
    parts = args_of(x, 4, None,
                    "(define-record-type* <TYPE> CTOR-SYNTAX MAKE-PROC PRED? [THIS] (FIELD ACCESSOR PROPS...) ...)")
    names = [p.car for p in parts[:4]]
    if not all(type(n) is Symbol for n in names):
        raise SchemeSyntaxError("define-record-type*: expected type, constructor, procedure and predicate names",
                                x.span)
    type_name, ctor, maker, pred = names
    rest = parts[4:]
    this_id = None
    if rest and type(rest[0].car) is Symbol:
        this_id = rest[0].car
        rest = rest[1:]
    field_scope = scope.child([THIS_RECORD] + ([this_id] if this_id else []))
    fields = [_parse_field(p, i, field_scope, scope) for i, p in enumerate(rest)]
    module = scope.module

    def define(env: Any) -> Any:
        rtype = RecordType(type_name.name, fields, this_id, env, x.span)
        module.define(type_name, rtype)
        module.define(ctor, RecordConstructor(rtype))
        module.define(maker, PositionalConstructor(rtype, maker.name))
        module.define(pred, Predicate(rtype, pred.name))
        for f in fields:
            if f.accessor is not None:
                module.define(f.accessor, Accessor(rtype, f))
        return UNSPECIFIED

    # The constructor syntax is needed at compile time by later forms: define now too.
    if scope.parent is not None:
        raise SchemeSyntaxError("define-record-type* is only supported at top level", x.span)
    return define


def _parse_field(p: Pair, index: int, thunk_scope: Scope, scope: Scope) -> FieldSpec:
    spec = p.car
    if type(spec) is not Pair or type(spec.car) is not Symbol:
        raise SchemeSyntaxError("record field: expected (NAME ACCESSOR PROPERTY...)", p.car_span)
    accessor = spec.cdr.car if type(spec.cdr) is Pair and type(spec.cdr.car) is Symbol else None
    field = FieldSpec(spec.car, accessor, index)
    props = spec.cdr.cdr if type(spec.cdr) is Pair else NIL
    exprs: list[tuple[str, Any, Any]] = []
    for prop in to_list(props):
        if type(prop) is not Pair or type(prop.car) is not Symbol:
            raise SchemeSyntaxError("record field property: expected (default EXPR), (thunked), ...", p.car_span)
        kind = prop.car.name
        if kind in ("thunked", "delayed", "innate"):
            setattr(field, kind, True)
        elif kind in ("default", "sanitize"):
            exprs.append((kind, prop.cdr.car, prop.cdr.car_span))
        else:
            raise SchemeSyntaxError(f"unknown record field property '{kind}'", p.car_span)
    for kind, expr, span in exprs:
        if kind == "default":
            field.default = compile_form(expr, thunk_scope if (field.thunked or field.delayed) else scope, True, span)
        else:
            field.sanitizer = compile_form(expr, scope, False, span)
    return field


@special("define-record-type")
def _define_record_type(scope: Scope, x: Pair, tail: bool) -> Node:
    """SRFI-9: (define-record-type <point> (make-point x y) point? (x point-x [set-point-x!]) ...)."""
    parts = args_of(x, 3, None, "(define-record-type <TYPE> (CTOR FIELD...) PRED? (FIELD ACCESSOR [MODIFIER])...)")
    type_name, ctor_spec, pred = parts[0].car, parts[1].car, parts[2].car
    _want_symbols([parts[0], parts[2]], "the type and the predicate must be names")
    if type(ctor_spec) is Pair:
        _want_symbols(list(ctor_spec.pairs()), "the constructor is (NAME FIELD...)", proper=True)
    elif type(ctor_spec) is not Symbol and ctor_spec is not False:
        raise SchemeSyntaxError("define-record-type: the constructor is (NAME FIELD...)", parts[1].car_span)
    fields = []
    modifiers: list[tuple[Symbol, FieldSpec]] = []
    for i, p in enumerate(parts[3:]):
        if type(p.car) is Pair:
            _want_symbols(list(p.car.pairs()), "a field is (FIELD ACCESSOR [MODIFIER])", proper=True)
            spec = to_list(p.car)
            if len(spec) > 3:
                raise SchemeSyntaxError("define-record-type: a field is (FIELD ACCESSOR [MODIFIER])", p.car_span)
        else:
            _want_symbols([p], "a field is (FIELD ACCESSOR [MODIFIER])")
            spec = [p.car]
        fields.append(FieldSpec(spec[0], spec[1] if len(spec) > 1 else None, i))
        if len(spec) > 2:
            modifiers.append((spec[2], fields[-1]))
    module = scope.module

    def define(env: Any) -> Any:
        rtype = RecordType(type_name.name, fields, None, env, x.span)
        module.define(type_name, rtype)
        if type(ctor_spec) is Pair:
            by_name = {f.name: f for f in fields}
            unknown = [n.name for n in to_list(ctor_spec.cdr) if n not in by_name]
            if unknown:
                raise SchemeSyntaxError(f"define-record-type: the constructor names {unknown[0]}, which is not a field",
                                        parts[1].car_span)
            ctor_fields = [by_name[n] for n in to_list(ctor_spec.cdr)]
            module.define(ctor_spec.car, PositionalConstructor(rtype, ctor_spec.car.name, ctor_fields))
        module.define(pred, Predicate(rtype, pred.name))
        for f in fields:
            if f.accessor is not None:
                module.define(f.accessor, Accessor(rtype, f))
        for name, f in modifiers:
            module.define(name, Modifier(rtype, f, name.name))
        return UNSPECIFIED

    return define


def _want_symbols(pairs: list[Pair], what: str, proper: bool = False) -> None:
    """The car of each of PAIRS must be a symbol; PROPER: they are a whole list, which must end in ()."""
    for p in pairs:
        if type(p.car) is not Symbol:
            raise SchemeSyntaxError(f"define-record-type: {what}", p.car_span)
    if proper and pairs and pairs[-1].cdr is not NIL:
        raise SchemeSyntaxError(f"define-record-type: {what}", pairs[-1].car_span)


class Modifier(Procedure, Applicable):
    """An SRFI-9 field modifier: (set-point-x! p 10)."""

    def __init__(self, rtype: RecordType, field: FieldSpec, name: str):
        self.rtype = rtype
        self.field = field
        self.name = name

    def apply(self, args: list[Any], span: Span | None) -> Any:
        if len(args) != 2:
            raise WrongType(f"{self.name}: expected 2 arguments, got {len(args)}", span)
        rec = args[0]
        if not isinstance(rec, Record) or rec.rtype is not self.rtype:
            raise WrongType(f"{self.name}: expected a {self.rtype.name} record, got {write_string(rec)}", span)
        rec.values[self.field.index] = args[1]
        return UNSPECIFIED

    def scheme_repr(self, write: bool) -> str:
        return f"#<procedure {self.name}>"


# --- Python helpers -----------------------------------------------------------------


def is_record(value: Any, type_name: str | None = None) -> bool:
    return isinstance(value, Record) and (type_name is None or value.rtype.name == type_name)
