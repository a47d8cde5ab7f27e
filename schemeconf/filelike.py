"""`(guix gexp)`: file-like objects and G-expressions as inert values.

pyguix does not run build-side code.  A gexp `#~(...)` is kept as the
datum it was written as (printing back as `#~...`), with the values of its
`#$` references evaluated so that packages and files it mentions are known.
File-like objects record what they are made of; the image builder writes
`plain-file`, `mixed-text-file` and `local-file` contents where the OS puts them.

`local-file` resolves its file name against the directory of the file that
contains the call (as Guix does at expansion time); reading is limited to
such files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import budget
from .datum import NIL, Keyword, Pair, Symbol, sym
from .errors import SchemeError, SchemeSyntaxError, WrongType
from .evaluator import Node, Scope, compile_body, compile_form, form_span, special
from .primitives import check_type, primitive
from .printer import write_string
from .reader import special_file_kind
from .vocabulary import Package

GEXP_MODULE = ("guix", "gexp")
UNGEXP = {sym("ungexp"), sym("ungexp-splicing"), sym("ungexp-native"), sym("ungexp-native-splicing")}


class FileLike:
    kind = "file"

    def scheme_repr(self, write: bool) -> str:
        return f"#<{self.kind} {getattr(self, 'name', '?')}>"


class PlainFile(FileLike):
    kind = "plain-file"

    def __init__(self, name: str, content: str | bytes):
        self.name = name
        self.content = content


class LocalFile(FileLike):
    kind = "local-file"

    def __init__(self, path: Path, name: str, recursive: bool):
        self.path = path
        self.name = name
        self.recursive = recursive


class MixedTextFile(FileLike):
    kind = "mixed-text-file"

    def __init__(self, name: str, parts: list[Any]):
        self.name = name
        self.parts = parts


class FileAppend(FileLike):
    kind = "file-append"

    def __init__(self, base: Any, suffixes: list[str]):
        self.base = base
        self.suffixes = suffixes
        self.name = getattr(base, "name", "?") + "".join(suffixes)


class ComputedFile(FileLike):
    """computed-file, program-file, scheme-file: made by running code pyguix does not run."""

    def __init__(self, kind: str, name: str, gexp: Any):
        self.kind = kind
        self.name = name
        self.gexp = gexp


class Gexp:
    __slots__ = ("datum", "references")

    def __init__(self, datum: Any, references: list[Any]):
        self.datum = datum
        self.references = references

    def scheme_repr(self, write: bool) -> str:
        return "#~" + write_string(self.datum)


# --- syntax ---------------------------------------------------------------------------


def _collect_ungexps(x: Any, out: list[Pair]) -> None:
    """The (ungexp ...) forms inside the gexp body X, in order (nested gexps keep theirs)."""
    todo = [x]
    while todo:
        x = todo.pop()
        if type(x) is not Pair:
            continue
        head = x.car
        if type(head) is Symbol and head in UNGEXP and type(x.cdr) is Pair:
            out.append(x)
            continue
        if head is GEXP:
            continue
        todo.append(x.cdr)
        todo.append(head)


GEXP = sym("gexp")


@special("gexp")
def _gexp(scope: Scope, x: Pair, tail: bool) -> Node:
    datum = x.cdr.car if type(x.cdr) is Pair else NIL
    refs: list[Pair] = []
    _collect_ungexps(datum, refs)
    nodes = [compile_form(r.cdr.car, scope, False, r.cdr.car_span) for r in refs]
    return lambda env: Gexp(datum, [n(env) for n in nodes])


@special("ungexp", "ungexp-splicing", "ungexp-native", "ungexp-native-splicing")
def _ungexp(scope: Scope, x: Pair, tail: bool) -> Node:
    raise SchemeSyntaxError(f"{x.car.name} (#$) used outside of a gexp (#~)", form_span(x))


@special("with-imported-modules", "with-extensions")
def _with_imported_modules(scope: Scope, x: Pair, tail: bool) -> Node:
    if type(x.cdr) is not Pair or x.cdr.cdr is NIL:
        raise SchemeSyntaxError(f"bad {x.car.name} syntax", form_span(x))
    return compile_body(x.cdr.cdr, scope, tail, x)


@special("local-file")
def _local_file(scope: Scope, x: Pair, tail: bool) -> Node:
    args = list(x.cdr.pairs()) if x.cdr is not NIL else []
    if not args:
        raise SchemeSyntaxError('local-file: expected a file name', form_span(x), '(local-file "motd")')
    file_node = compile_form(args[0].car, scope, False, args[0].car_span)
    rest = [compile_form(p.car, scope, False, p.car_span) for p in args[1:]]
    span = args[0].car_span or form_span(x)
    base = span.source.directory if span is not None else Path.cwd()

    def make(env: Any) -> LocalFile:
        filename = file_node(env)
        if not isinstance(filename, str):
            raise WrongType("local-file: expected a file name string", span)
        extra = [n(env) for n in rest]
        name = Path(filename).name
        recursive = False
        if extra and isinstance(extra[0], str):
            name = extra.pop(0)
        for key, value in zip(extra[::2], extra[1::2], strict=False):
            if key is Keyword("recursive?"):
                recursive = value is not False
        try:
            path = (base / filename).resolve() if not Path(filename).is_absolute() else Path(filename)
            exists = path.exists()
        except (OSError, ValueError) as e:
            raise SchemeError(f"local-file: cannot use the file name {filename!r}: {getattr(e, 'strerror', None) or e}",
                              span) from None
        if not exists:
            raise SchemeError(f"file '{filename}' not found (looked for {path})", span,
                              "local-file names are relative to the directory of the file that mentions them")
        loader.note_host_file(path)
        check_local_file(path, recursive, span)
        return LocalFile(path, name.replace("/", "-"), recursive)

    loader = scope.module.loader
    return make


def check_local_file(path: Path, recursive: bool, span: Any) -> None:
    """Refuse at once what reading would block on or never finish: devices,
    FIFOs and sockets, at PATH or (RECURSIVE) anywhere under it."""
    try:
        refuse_special(path, os.stat(path).st_mode, span)
        if not (recursive and path.is_dir()):
            return
        seen = 0
        for directory, dirnames, filenames in os.walk(path, onerror=_raise):
            for entry in dirnames + filenames:
                seen += 1
                if seen > budget.MAX_DIRECTORY_ENTRIES:
                    raise SchemeError(f"local-file: {path} holds more than {budget.MAX_DIRECTORY_ENTRIES} files",
                                      span, "a recursive local-file copies a whole tree; name a smaller directory")
                refuse_special(Path(directory, entry), os.lstat(os.path.join(directory, entry)).st_mode, span)
    except OSError as e:
        raise SchemeError(f"local-file: cannot read {e.filename or path}: {e.strerror or e}", span) from None


def refuse_special(path: Path, mode: int, span: Any) -> None:
    kind = special_file_kind(mode)
    if kind is not None:
        raise SchemeError(f"local-file: {path} is {kind}, not a regular file or directory", span,
                          "local-file copies regular files, directories and symbolic links only")


def _raise(error: OSError) -> None:
    raise error


# --- procedures -----------------------------------------------------------------------


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


@primitive("plain-file", GEXP_MODULE)
def plain_file(name: str, content: Any) -> PlainFile:
    check_type("plain-file", _is_str, "file name string", name, 1)
    check_type("plain-file", lambda v: isinstance(v, (str, bytes)), "string or bytevector", content, 2)
    return PlainFile(name, content)


@primitive("mixed-text-file", GEXP_MODULE)
def mixed_text_file(name: str, *parts: Any) -> MixedTextFile:
    check_type("mixed-text-file", _is_str, "file name string", name, 1)
    return MixedTextFile(name, list(parts))


@primitive("file-append", GEXP_MODULE)
def file_append(base: Any, *suffixes: str) -> FileAppend:
    for i, s in enumerate(suffixes):
        check_type("file-append", _is_str, "string", s, i + 2)
    return FileAppend(base, list(suffixes))


def _computed(kind: str):
    def make(name: str, gexp: Any, *options: Any) -> ComputedFile:
        check_type(kind, _is_str, "file name string", name, 1)
        return ComputedFile(kind, name, gexp)

    return make


for _kind in ("computed-file", "program-file", "scheme-file"):
    primitive(_kind, GEXP_MODULE)(_computed(_kind))


@primitive("gexp?", GEXP_MODULE)
def is_gexp(v: Any) -> bool:
    return isinstance(v, Gexp)


@primitive("file-like?", GEXP_MODULE)
def is_file_like(v: Any) -> bool:
    return isinstance(v, (FileLike, Package))


@primitive("mixed-text-file?", GEXP_MODULE)
def is_mixed(v: Any) -> bool:
    return isinstance(v, MixedTextFile)
