"""`syntax-rules` macros (pattern language of R7RS, without hygiene).

Configurations use macros for small conveniences (Guix's own `image-with-os`
and `image-without-os` are syntax-rules macros in gnu/system/image.scm).
Patterns support literals, `_`, nested ellipses, dotted tails and vectors.
Names introduced by a template are not renamed: like `define-macro`, a
template may capture a user's variable of the same name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import budget
from .datum import NIL, UNSPECIFIED, Pair, Symbol, Vector, equal, sym
from .environment import MISSING
from .errors import SchemeSyntaxError
from .evaluator import SPECIAL_FORMS, Macro, Node, Scope, _constant, args_of, special, syntax_error
from .source import Span

ELLIPSIS = sym("...")
UNDERSCORE = sym("_")


class Multi:
    """The matches of a pattern variable under an ellipsis."""

    __slots__ = ("items",)

    def __init__(self, items: list[Any]):
        self.items = items


class SyntaxRules(Macro):
    def __init__(self, name: str, literals: set[Symbol], rules: list[tuple[Any, Any]], ellipsis: Symbol,
                 span: Span | None, module: Any = None):
        self.module = module  # where the macro was defined
        self.name = name
        self.literals = literals
        self.rules = rules
        self.ellipsis = ellipsis
        self.span = span

    def expand(self, form: Pair, scope: Scope) -> Any:
        for pattern, template in self.rules:
            bindings: dict[Symbol, Any] = {}
            pat_rest = pattern.cdr if type(pattern) is Pair else NIL
            if self._match(pat_rest, form.cdr, bindings):
                expansion = self._instantiate(template, bindings, form.span or form.car_span)
                self._lend_free_names(template, bindings, scope)
                return expansion
        err = SchemeSyntaxError(f"no syntax rule of '{self.name}' matches this form", form.span or form.car_span)
        if self.span is not None:
            err.note(f"'{self.name}' is defined here", self.span)
        raise err

    def _lend_free_names(self, template: Any, bindings: dict[Symbol, Any], scope: Scope) -> None:
        """A name the template uses that the macro's module defines but the
        use site does not know (e.g. `image` in (gnu system image)'s
        `image-with-os`, used where only (gnu system image) is imported) is
        made visible at the use site: a small step towards hygiene."""
        if self.module is None or self.module is scope.module:
            return
        for name in _symbols(template):
            if name in bindings or scope.is_local(name) or name in SPECIAL_FORMS:
                continue
            if scope.module.resolve(name, fallback=False) is MISSING:
                value = self.module.resolve(name, fallback=False)
                if value is not MISSING:
                    scope.module.define(name, value)

    # --- matching -------------------------------------------------------------------

    def _match(self, pat: Any, form: Any, b: dict[Symbol, Any]) -> bool:
        if type(pat) is Symbol:
            if pat in self.literals:
                return form is pat
            if pat is not UNDERSCORE:
                b[pat] = form
            return True
        if type(pat) is Pair:
            if type(pat.cdr) is Pair and pat.cdr.car is self.ellipsis:
                return self._match_ellipsis(pat, form, b)
            if type(form) is not Pair:
                return False
            return self._match(pat.car, form.car, b) and self._match(pat.cdr, form.cdr, b)
        if pat is NIL:
            return form is NIL
        if isinstance(pat, Vector):
            return isinstance(form, Vector) and self._match(_to_pairs(pat), _to_pairs(form), b)
        return equal(pat, form)

    def _match_ellipsis(self, pat: Pair, form: Any, b: dict[Symbol, Any]) -> bool:
        tail_pat = pat.cdr.cdr
        tail_len = 0
        t = tail_pat
        while type(t) is Pair:
            tail_len += 1
            t = t.cdr
        items = []
        f = form
        while type(f) is Pair:
            items.append(f)
            f = f.cdr
        count = len(items) - tail_len
        if count < 0:
            return False
        matches = []
        for p in items[:count]:
            sub: dict[Symbol, Any] = {}
            if not self._match(pat.car, p.car, sub):
                return False
            matches.append(sub)
        for var in self._pattern_vars(pat.car):
            b[var] = Multi([m[var] for m in matches])
        rest = items[count] if count < len(items) else f
        return self._match(tail_pat, rest, b)

    def _pattern_vars(self, pat: Any) -> list[Symbol]:
        if type(pat) is Symbol:
            return [] if pat in self.literals or pat in (UNDERSCORE, self.ellipsis) else [pat]
        if type(pat) is Pair:
            return self._pattern_vars(pat.car) + self._pattern_vars(pat.cdr)
        if isinstance(pat, Vector):
            return [v for item in pat for v in self._pattern_vars(item)]
        return []

    # --- instantiating --------------------------------------------------------------

    def _instantiate(self, tmpl: Any, b: dict[Symbol, Any], span: Span | None) -> Any:
        if type(tmpl) is Symbol:
            value = b.get(tmpl, tmpl)
            if isinstance(value, Multi):
                raise SchemeSyntaxError(f"'{tmpl.name}' is followed by '...' in the pattern but not in the template "
                                        f"of '{self.name}'", self.span)
            return value
        if type(tmpl) is Pair:
            if tmpl.car is self.ellipsis and type(tmpl.cdr) is Pair:  # (... ...) escape
                return self._instantiate(tmpl.cdr.car, {}, span)
            if type(tmpl.cdr) is Pair and tmpl.cdr.car is self.ellipsis:
                expanded = self._expand_ellipsis(tmpl.car, b, span)
                rest = tmpl.cdr.cdr
                while type(rest) is Pair and rest.car is self.ellipsis:  # x ... ... flattens
                    expanded = [y for x in expanded for y in _to_list(x)]
                    rest = rest.cdr
                self._spend(len(expanded), span)
                tail = self._instantiate(rest, b, span)
                for item in reversed(expanded):
                    tail = Pair(item, tail, None, span)
                if type(tail) is Pair:
                    tail.span = span
                return tail
            self._spend(1, span)
            car = self._instantiate(tmpl.car, b, span)
            cdr = self._instantiate(tmpl.cdr, b, span)
            # Code the template writes is located at the macro's use site (so
            # errors point at the user's form); code the user passed in keeps
            # its own position.
            from_user = type(tmpl.car) is Symbol and tmpl.car in b
            return Pair(car, cdr, span, _span_of(car, span) if from_user else span)
        if isinstance(tmpl, Vector):
            return Vector(_to_list(self._instantiate(_to_pairs(tmpl), b, span)))
        return tmpl

    def _spend(self, pairs: int, span: Span | None) -> None:
        """Count PAIRS more pairs built by expansions; stop a runaway expansion early."""
        budget.Expansion.pairs += pairs
        if budget.Expansion.pairs > budget.MAX_EXPANSION_PAIRS:
            raise SchemeSyntaxError(
                f"memory budget exceeded: the expansions of '{self.name}' built more than "
                f"{budget.MAX_EXPANSION_PAIRS} pairs", span, "a macro keeps growing its own input; check its templates")

    def _expand_ellipsis(self, sub: Any, b: dict[Symbol, Any], span: Span | None) -> list[Any]:
        vars_ = [v for v in self._pattern_vars(sub) if isinstance(b.get(v), Multi)]
        if not vars_:
            raise SchemeSyntaxError(f"'...' follows no pattern variable in a template of '{self.name}'", self.span)
        length = len(b[vars_[0]].items)
        out = []
        for i in range(length):
            sub_b = dict(b)
            for v in vars_:
                items = b[v].items
                if len(items) != length:
                    raise SchemeSyntaxError(f"mismatched '...' lengths in a template of '{self.name}'", self.span)
                sub_b[v] = items[i]
            out.append(self._instantiate(sub, sub_b, span))
        return out


def _symbols(x: Any) -> Iterator[Symbol]:
    while type(x) is Pair:
        yield from _symbols(x.car)
        x = x.cdr
    if type(x) is Symbol:
        yield x
    elif isinstance(x, Vector):
        for item in x:
            yield from _symbols(item)


def _span_of(value: Any, default: Span | None) -> Span | None:
    if type(value) is Pair:
        return value.span or value.car_span or default
    return default


def _to_pairs(items: list[Any]) -> Any:
    result: Any = NIL
    for item in reversed(items):
        result = Pair(item, result)
    return result


def _to_list(x: Any) -> list[Any]:
    out = []
    while type(x) is Pair:
        out.append(x.car)
        x = x.cdr
    return out


def compile_transformer(name: Symbol, spec: Any, scope: Scope, span: Span | None) -> Macro:
    """Turn `(syntax-rules (LITERALS) (PATTERN TEMPLATE) ...)` into a macro."""
    if type(spec) is not Pair or spec.car is not sym("syntax-rules"):
        raise SchemeSyntaxError(
            "only syntax-rules transformers are supported", span,
            "write the macro with (syntax-rules (LITERALS...) (PATTERN TEMPLATE) ...)",
        )
    rest = spec.cdr
    ellipsis = ELLIPSIS
    if type(rest) is Pair and type(rest.car) is Symbol:  # (syntax-rules ::: (lits) ...)
        ellipsis = rest.car
        rest = rest.cdr
    if type(rest) is not Pair or not (rest.car is NIL or type(rest.car) is Pair):
        raise SchemeSyntaxError("syntax-rules: expected a list of literals", span)
    literals = set(_to_list(rest.car))
    rules = []
    for clause in _to_list(rest.cdr):
        if type(clause) is not Pair or type(clause.cdr) is not Pair or clause.cdr.cdr is not NIL:
            raise SchemeSyntaxError("syntax-rules: each rule is (PATTERN TEMPLATE)", span)
        rules.append((clause.car, clause.cdr.car))
    return SyntaxRules(name.name, literals, rules, ellipsis, span, scope.module)


@special("define-syntax-rule")
def _define_syntax_rule(scope: Scope, x: Pair, tail: bool):
    parts = args_of(x, 2, 3, "(define-syntax-rule (NAME PATTERN...) [DOCSTRING] TEMPLATE)")
    head = parts[0].car
    if type(head) is not Pair or type(head.car) is not Symbol:
        raise SchemeSyntaxError("define-syntax-rule: expected (NAME PATTERN...)", parts[0].car_span)
    template = parts[-1].car
    macro = SyntaxRules(head.car.name, set(), [(head, template)], ELLIPSIS, x.span, scope.module)
    scope.module.define(head.car, macro)
    return _constant(UNSPECIFIED)


@special("define-syntax", "define-syntax-public", "let-syntax", "letrec-syntax")
def _define_syntax(scope: Scope, x: Pair, tail: bool) -> Node:
    if x.car in (sym("let-syntax"), sym("letrec-syntax")):
        raise syntax_error("let-syntax is not supported; use define-syntax", x)
    parts = args_of(x, 2, 2, "(define-syntax NAME (syntax-rules (LITERALS...) (PATTERN TEMPLATE)...))")
    name = parts[0].car
    if type(name) is not Symbol:
        raise SchemeSyntaxError("define-syntax: expected a name", parts[0].car_span)
    macro = compile_transformer(name, parts[1].car, scope, parts[1].car_span)
    # The macro is needed at compile time by the following forms: bind it now.
    module = scope.module
    if scope.parent is None:
        module.define(name, macro)
    else:
        raise syntax_error("define-syntax is only supported at top level", x)
    return _constant(UNSPECIFIED)
