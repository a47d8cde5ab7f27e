"""Formatted output: format, simple-format, display, write, newline, object->string.

| procedures                                                   | module               |
|--------------------------------------------------------------|----------------------|
| format simple-format display write newline write-char        | core                 |
| object->string                                               | core                 |
| pretty-print                                                 | (ice-9 pretty-print) |

`format` implements the (ice-9 format) directives configurations use:
~a ~s ~d ~x ~o ~b ~f ~c ~y ~p ~% ~& ~~ ~* ~{...~} ~^ and tilde-newline, with
numeric parameters (~10a, ~2,'0d) and the : and @ modifiers.  Output goes to
sys.stdout (which the caller may redirect); there is no file output.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from ..budget import check_chars
from ..datum import UNSPECIFIED, is_number
from ..errors import WrongType
from ..primitives import primitive
from .common import (
    display_text,
    format_number,
    is_exact_int,
    pretty_text,
    want_char,
    want_list,
    want_string,
    write_text,
)

_PARAM = re.compile(r"([+-]?\d+|'.|[vV#])?")
_PREFIX = re.compile(r"(?:[+-]?\d+|'.|[vV#])?(?:,(?:[+-]?\d+|'.|[vV#])?)*[:@]*")
SIMPLE = frozenset("as%~")


class _Stop(Exception):
    """~^ with no arguments left."""


class _Formatter:
    def __init__(self, who: str, fmt: str, args: list[Any], allowed: frozenset[str] | None):
        self.who, self.fmt, self.args, self.allowed = who, fmt, args, allowed
        self.index = 0
        self.out: list[str] = []

    def arg(self) -> Any:
        if self.index >= len(self.args):
            raise WrongType(f"{self.who}: too few arguments for format string {write_text(self.fmt)}")
        self.index += 1
        return self.args[self.index - 1]

    def run(self, start: int = 0, end: int | None = None) -> str:
        fmt, i = self.fmt, start
        end = len(fmt) if end is None else end
        while i < end:
            tilde = fmt.find("~", i, end)
            if tilde < 0:
                self.out.append(fmt[i:end])
                break
            self.out.append(fmt[i:tilde])
            i = self.directive(tilde + 1, end)
        return "".join(self.out)

    def parse(self, i: int, end: int) -> tuple[list[Any], bool, bool, str, int]:
        params: list[Any] = []
        while True:
            m = _PARAM.match(self.fmt, i, end)
            assert m is not None  # the pattern matches the empty string
            params.append(self.param(m.group(1)))
            i = m.end()
            if i < end and self.fmt[i] == ",":
                i += 1
                continue
            break
        colon = at = False
        while i < end and self.fmt[i] in ":@":
            colon, at = colon or self.fmt[i] == ":", at or self.fmt[i] == "@"
            i += 1
        if i >= end:
            raise WrongType(f"{self.who}: format string ends inside a directive: {write_text(self.fmt)}")
        return params, colon, at, self.fmt[i], i + 1

    def param(self, token: str | None) -> Any:
        if token is None:
            return None
        if token[0] == "'":
            return token[1]
        if token in "vV":
            return self.arg()
        if token == "#":
            return len(self.args) - self.index
        return int(token)

    def directive(self, i: int, end: int) -> int:
        params, colon, at, char, i = self.parse(i, end)
        c = char.lower() if char.isalpha() else char
        if self.allowed is not None and c not in self.allowed:
            raise WrongType(f"{self.who}: unsupported format directive ~{char}")
        if c == "{":
            return self.iterate(i, end, colon, at)
        if c == "\n":
            return self.skip_blank(i, end) if not colon else i
        handler = _HANDLERS.get(c)
        if handler is None:
            raise WrongType(f"{self.who}: unsupported format directive ~{char}")
        self.out.append(handler(self, params + [None] * 4, colon, at))
        return i

    def skip_blank(self, i: int, end: int) -> int:
        while i < end and self.fmt[i] in " \t":
            i += 1
        return i

    def iterate(self, i: int, end: int, colon: bool, at: bool) -> int:
        close = self.matching_close(i, end)
        items = self.args[self.index:] if at else want_list(self.who, self.arg())
        if at:
            self.index = len(self.args)
        groups = [want_list(self.who, x) for x in items] if colon else [items]
        for group in groups:
            sub = _Formatter(self.who, self.fmt, group, self.allowed)
            while colon or sub.index < len(group):
                before = sub.index
                try:
                    sub.run(i, close)
                except _Stop:
                    break
                if colon:
                    break
                if sub.index == before:
                    raise WrongType(f"{self.who}: ~{{...~}} body consumes no arguments")
            self.out.append("".join(sub.out))
        return close + 2

    def matching_close(self, i: int, end: int) -> int:
        depth, fmt = 0, self.fmt
        while i < end:
            if fmt[i] == "~":
                *_, char, nxt = self.parse_quiet(i + 1, end)
                if char == "{":
                    depth += 1
                elif char == "}":
                    if depth == 0:
                        return i
                    depth -= 1
                i = nxt
            else:
                i += 1
        raise WrongType(f"{self.who}: ~{{ without matching ~}} in {write_text(self.fmt)}")

    def parse_quiet(self, i: int, end: int) -> tuple[str, int]:
        m = _PREFIX.match(self.fmt, i, end)
        assert m is not None  # the pattern matches the empty string
        j = m.end()
        if j >= end:
            raise WrongType(f"{self.who}: format string ends inside a directive: {write_text(self.fmt)}")
        return self.fmt[j], j + 1


def _pad(text: str, width: Any, left: bool, fill: Any = None) -> str:
    if not isinstance(width, int) or len(text) >= width:
        return text
    check_chars("format field width", width)
    ch = fill if isinstance(fill, str) else " "
    return text.rjust(width, ch) if left else text.ljust(width, ch)


def _text(fmt: _Formatter, p, colon, at, writer) -> str:
    return _pad(writer(fmt.arg()), p[0], at, p[3])


def _integer(radix: int):
    def handler(fmt: _Formatter, p, colon, at) -> str:
        n = fmt.arg()
        if not is_exact_int(n):
            return _pad(display_text(n), p[0], True, p[1])
        text = format_number(abs(n), radix)
        if colon:
            sep = p[2] if isinstance(p[2], str) else ","
            text = re.sub(r"\B(?=(?:\w{3})+$)", sep, text)
        sign = "-" if n < 0 else ("+" if at else "")
        return _pad(sign + text, p[0], True, p[1])
    return handler


def _fixed(fmt: _Formatter, p, colon, at) -> str:
    x = fmt.arg()
    if not is_number(x):
        return _pad(display_text(x), p[0], True)
    if isinstance(p[1], int):
        check_chars("format ~f digits", p[1])
        text = f"{float(x):.{max(p[1], 0)}f}"
    else:
        text = format_number(float(x))
    if at and x >= 0:
        text = "+" + text
    return _pad(text, p[0], True, p[3])


def _char(fmt: _Formatter, p, colon, at) -> str:
    c = want_char(fmt.who, fmt.arg())
    return write_text(c) if at else c.ch


def _plural(fmt: _Formatter, p, colon, at) -> str:
    if colon:
        fmt.index = max(fmt.index - 1, 0)
    n = fmt.arg()
    if at:
        return "y" if n == 1 else "ies"
    return "" if n == 1 else "s"


def _skip(fmt: _Formatter, p, colon, at) -> str:
    count = p[0] if isinstance(p[0], int) else 1
    fmt.index = max(0, fmt.index - count) if colon else fmt.index
    for _ in range(0 if colon else count):
        fmt.arg()
    return ""


def _escape(fmt: _Formatter, p, colon, at) -> str:
    if fmt.index >= len(fmt.args):
        raise _Stop
    return ""


def _fresh_line(fmt: _Formatter, p, colon, at) -> str:
    text = "".join(fmt.out)
    return "" if not text or text.endswith("\n") else "\n"


def _repeat(s: str):
    def repeat(fmt: _Formatter, p, colon, at) -> str:
        count = p[0] if isinstance(p[0], int) else 1
        check_chars(f"format ~{s.strip() or '%'} count", count)
        return s * count
    return repeat


_HANDLERS = {
    "a": lambda f, p, c, a: _text(f, p, c, a, display_text),
    "s": lambda f, p, c, a: _text(f, p, c, a, write_text),
    "d": _integer(10), "x": _integer(16), "o": _integer(8), "b": _integer(2),
    "f": _fixed, "c": _char, "p": _plural, "*": _skip, "^": _escape, "&": _fresh_line,
    "y": lambda f, p, c, a: pretty_text(f.arg()) + "\n",
    "%": _repeat("\n"), "n": _repeat("\n"), "~": _repeat("~"),
}


def format_directives(who: str, fmt: str, args: list[Any], allowed: frozenset[str] | None = None) -> str:
    formatter = _Formatter(who, fmt, list(args), allowed)
    try:
        return formatter.run()
    except _Stop:
        return "".join(formatter.out)


def _emit(text: str, port: Any = None) -> None:
    target = port if port is not None and hasattr(port, "write") else sys.stdout
    target.write(text)


def _format(who: str, destination: Any, args: tuple, allowed: frozenset[str] | None) -> Any:
    if isinstance(destination, str):  # (format "fmt" args...): old-style, returns a string
        return format_directives(who, destination, list(args), allowed)
    if not args:
        raise WrongType(f"{who}: missing format string")
    text = format_directives(who, want_string(who, args[0], 2), list(args[1:]), allowed)
    if destination is False:
        return text
    if destination is True or hasattr(destination, "write"):
        _emit(text, None if destination is True else destination)
        return UNSPECIFIED
    raise WrongType(f"{who}: expected #f, #t or a port (argument 1), got {write_text(destination)}")


@primitive("format")
def format_(destination, *args):
    return _format("format", destination, args, None)


@primitive("simple-format")
def simple_format(destination, *args):
    return _format("simple-format", destination, args, SIMPLE)


@primitive("display")
def display(obj, port=None):
    _emit(display_text(obj), port)
    return UNSPECIFIED


@primitive("write")
def write(obj, port=None):
    _emit(write_text(obj), port)
    return UNSPECIFIED


@primitive("newline")
def newline(port=None):
    _emit("\n", port)
    return UNSPECIFIED


@primitive("write-char")
def write_char(c, port=None):
    _emit(want_char("write-char", c, 1).ch, port)
    return UNSPECIFIED


@primitive("object->string")
def object_to_string(obj, printer=None):
    return write_text(obj)


@primitive("pretty-print", ("ice-9", "pretty-print"))
def pretty_print(obj, port=None, *options):
    _emit(pretty_text(obj) + "\n", port)
    return UNSPECIFIED

