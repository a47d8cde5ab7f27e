"""Print datums the way Guile 3.0 does.

    write_string(obj)          Guile's `write`: re-readable, byte for byte as Guile prints it
    display_string(obj)        Guile's `display`: strings and chars raw
    pretty_string(obj, width)  a small `pretty-print` in the style of Guile's (ice-9 pretty-print)

Facts checked against Guile 3.0.8 (see tests/test_guile_diff.py):
  * `write` never abbreviates: (quote x) prints as (quote x); `pretty-print` does ('x);
  * symbols that would not read back are printed #{...}#: 1+ -> #{1+}#, the empty
    symbol -> #{}#; `display` prints symbols exactly like `write`;
  * strings escape \\" \\\\ \\n \\t \\a \\b \\v \\f \\r and use \\xHH, \\uHHHH, \\UHHHHHH for
    other non-graphic characters (no trailing `;`);
  * chars print as #\\a, #\\space, #\\nul, #\\esc, #\\soh, or octal (#\\240) when unnamed;
  * floats print Guile's way: 1.0e20, 1.0e-4, 100000.0, 1.0e9, +inf.0, +nan.0.

Other Python objects print through their `scheme_repr(write: bool)` method when
they have one (records, procedures, packages), else as #<python TYPENAME>.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from . import datum
from .datum import EOF, NIL, Char, Keyword, Pair, Symbol, Unspecified, Vector
from .lexical import char_syntax, float_syntax, integer_text, string_syntax, symbol_syntax

__all__ = ["write_string", "display_string", "pretty_string"]


def write_string(obj: Any) -> str:
    """OBJ as Guile's `write` prints it."""
    out: list[str] = []
    _print(obj, True, out)
    return "".join(out)


datum.set_writer(write_string)


def display_string(obj: Any) -> str:
    """OBJ as Guile's `display` prints it."""
    if type(obj) is str:
        return obj
    out: list[str] = []
    _print(obj, False, out)
    return "".join(out)


# --- the printer ----------------------------------------------------------------------
#
# Iterative, so that deeply nested data prints without Python recursion, and
# aware of cycles the way Guile's print.c is: the pairs and vectors being
# printed are kept on a path (a list's head, then each of its cdr pairs as
# the printer walks them); meeting one of them again prints `#N#`, where N is
# its position on the path minus the position of the newest entry (0 for the
# container being printed, -1 for the one before...).  So a two-element list
# whose tail points back to its head prints (1 2 . #-1#), as in Guile 3.0.

_OBJ, _TEXT, _REST, _ITEMS, _LEAVE = range(5)


def _print(obj: Any, write: bool, out: list[str]) -> None:
    path: list[Any] = []
    where: dict[int, int] = {}  # id(container on the path) -> its position
    todo: list[tuple[int, Any]] = [(_OBJ, obj)]
    while todo:
        op, x = todo.pop()
        if op == _OBJ:
            t = type(x)
            if t is Pair or isinstance(x, Vector):
                at = where.get(id(x))
                if at is not None:
                    out.append(f"#{at - len(path) + 1}#")
                    continue
                todo.append((_LEAVE, len(path)))
                where[id(x)] = len(path)
                path.append(x)
                if t is Pair:
                    out.append("(")
                    todo.append((_TEXT, ")"))
                    todo.append((_REST, x.cdr))
                    todo.append((_OBJ, x.car))
                else:
                    out.append("#(")
                    todo.append((_TEXT, ")"))
                    if x:
                        todo.append((_ITEMS, (x, 0)))
            else:
                _print_atom(x, write, out)
        elif op == _TEXT:
            out.append(x)
        elif op == _REST:
            if x is NIL:
                continue
            if type(x) is not Pair:
                out.append(" . ")
                todo.append((_OBJ, x))
                continue
            at = where.get(id(x))
            if at is not None:
                out.append(f" . #{at - len(path) + 1}#")
                continue
            where[id(x)] = len(path)
            path.append(x)
            out.append(" ")
            todo.append((_REST, x.cdr))
            todo.append((_OBJ, x.car))
        elif op == _ITEMS:
            vector, i = x
            if i:
                out.append(" ")
            if i + 1 < len(vector):
                todo.append((_ITEMS, (vector, i + 1)))
            todo.append((_OBJ, vector[i]))
        else:  # _LEAVE: the container is printed; forget it and its cdr pairs
            for left in path[x:]:
                del where[id(left)]
            del path[x:]


def _print_atom(obj: Any, write: bool, out: list[str]) -> None:
    t = type(obj)
    if t is Symbol:
        out.append(symbol_syntax(obj.name))
    elif t is str:
        out.append(string_syntax(obj) if write else obj)
    elif t is bool:
        out.append("#t" if obj else "#f")
    elif t is int:
        out.append(integer_text(obj))
    elif obj is NIL:
        out.append("()")
    elif t is Keyword:
        out.append("#:" + symbol_syntax(obj.name))
    elif t is Char:
        out.append(char_syntax(obj.ch) if write else obj.ch)
    elif t is float:
        out.append(float_syntax(obj))
    elif t is Fraction:
        out.append(integer_text(obj.numerator) + ("/" + integer_text(obj.denominator) if obj.denominator != 1 else ""))
    elif isinstance(obj, (bytes, bytearray)):
        out.append("#vu8(" + " ".join(map(str, obj)) + ")")
    else:
        out.append(_other(obj, write))


def _other(obj: Any, write: bool) -> str:
    method = getattr(obj, "scheme_repr", None)
    if method is not None:
        return method(write)
    if isinstance(obj, Unspecified):
        return "#<unspecified>"
    if obj is EOF:
        return "#<eof>"
    if isinstance(obj, bool):  # a bool subclass; never produced by the reader
        return "#t" if obj else "#f"
    if isinstance(obj, int):
        return str(int(obj))
    return f"#<python {type(obj).__name__}>"


# --- pretty printing ------------------------------------------------------------------

_ABBREVIATIONS = {Symbol("quote"): "'", Symbol("quasiquote"): "`",
                  Symbol("unquote"): ",", Symbol("unquote-splicing"): ",@"}
_BODY_FORMS = frozenset(map(Symbol, "define define* define-public lambda lambda* let let* letrec "
                                    "letrec* when unless let-values with-imported-modules".split()))
_CALL_HEAD_WIDTH = 5  # heads up to this long keep their first argument on their line


def pretty_string(obj: Any, width: int = 79) -> str:
    """OBJ laid out like Guile's `pretty-print` (without the final newline).

    A form that fits in WIDTH stays on one line.  Otherwise:
      (op a          short head: arguments aligned under the first one
          b)
      (operating-system    long head: one argument per line, indented by 2
        (host-name "x"))
      (define (f x)        binding forms: the first argument stays, the body is indented by 2
        body)
    Quote forms are abbreviated ('x), as Guile's pretty-print does.
    Circular or very deeply nested data is written on one line, as `write` does.
    """
    if not _is_tame(obj):
        return write_string(obj)
    return _pp(obj, 0, 0, width)


_PRETTY_DEPTH = 500


def _is_tame(obj: Any) -> bool:
    """Whether OBJ has no cycle and nests at most _PRETTY_DEPTH deep (the recursive layout's limits)."""
    on_path: set[int] = set()
    todo: list[tuple[Any, int, list[Any] | None]] = [(obj, 0, None)]
    while todo:
        x, depth, leaving = todo.pop()
        if leaving is not None:
            on_path.difference_update(map(id, leaving))
            continue
        if type(x) is not Pair and not isinstance(x, Vector):
            continue
        if depth >= _PRETTY_DEPTH or id(x) in on_path:
            return False
        spine, children = [x], []
        if type(x) is Pair:
            p: Any = x
            on_path.add(id(p))
            children.append(p.car)
            p = p.cdr
            while type(p) is Pair:
                if id(p) in on_path:
                    return False
                on_path.add(id(p))
                spine.append(p)
                children.append(p.car)
                p = p.cdr
            children.append(p)
        else:
            on_path.add(id(x))
            children.extend(x)
        todo.append((x, depth, spine))
        todo.extend((c, depth + 1, None) for c in children)
    return True


def _flat(obj: Any) -> str:
    if type(obj) is Pair:
        abbrev = _abbreviation(obj)
        if abbrev is not None:
            return abbrev + _flat(obj.cdr.car)
        parts, rest = [], obj
        while type(rest) is Pair:
            parts.append(_flat(rest.car))
            rest = rest.cdr
        tail = "" if rest is NIL else " . " + _flat(rest)
        return "(" + " ".join(parts) + tail + ")"
    if isinstance(obj, Vector):
        return "#(" + " ".join(_flat(item) for item in obj) + ")"
    return write_string(obj)


def _abbreviation(obj: Pair) -> str | None:
    prefix = _ABBREVIATIONS.get(obj.car) if type(obj.car) is Symbol else None
    if prefix is not None and type(obj.cdr) is Pair and obj.cdr.cdr is NIL:
        return prefix
    return None


def _pp(obj: Any, col: int, extra: int, width: int) -> str:
    """OBJ printed at column COL, followed by EXTRA closing parens."""
    flat = _flat(obj)
    if col + len(flat) + extra <= width or "\n" in flat:
        return flat
    if isinstance(obj, Vector):
        return "#(" + _pp_column(list(obj), col + 2, extra, width) + ")"
    if type(obj) is not Pair:
        return flat
    abbrev = _abbreviation(obj)
    if abbrev is not None:
        return abbrev + _pp(obj.cdr.car, col + len(abbrev), extra, width)
    items, rest = [], obj
    while type(rest) is Pair:
        items.append(rest.car)
        rest = rest.cdr
    if rest is not NIL:
        return flat  # dotted lists are rare in printed records; keep them on one line
    head = items[0]
    if type(head) is Symbol and len(items) > 1:
        name = symbol_syntax(head.name)
        if head in _BODY_FORMS and len(items) > 2:
            first = _pp(items[1], col + len(name) + 2, 0, width)
            body = _pp_column(items[2:], col + 2, extra, width)
            return f"({name} {first}\n{' ' * (col + 2)}{body})"
        if len(name) > _CALL_HEAD_WIDTH:
            return f"({name}\n{' ' * (col + 2)}" + _pp_column(items[1:], col + 2, extra, width) + ")"
        return f"({name} " + _pp_column(items[1:], col + len(name) + 2, extra, width) + ")"
    return "(" + _pp_column(items, col + 1, extra, width) + ")"


def _pp_column(items: list, col: int, extra: int, width: int) -> str:
    """ITEMS one per line, each starting at column COL (the first one already placed)."""
    lines = []
    for i, item in enumerate(items):
        last = i == len(items) - 1
        lines.append(_pp(item, col, extra + 1 if last else 0, width))
    return ("\n" + " " * col).join(lines)
