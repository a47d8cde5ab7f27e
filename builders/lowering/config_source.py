"""The operating system's configuration printed back as Scheme (/etc/config.scm).

Guix keeps the configuration file a system was built from at
/run/current-system/configuration.scm.  pyguix writes the evaluated
`operating-system` record instead, with every field, as constructor syntax
that reads back as code making the same values:

    (operating-system
      (kernel linux-libre)
      (host-name "komputilo")
      (services (list (service openssh-service-type (openssh-configuration ...)) ...))
      ...)

Built on builders.lowering.show: platforms, labels, UUIDs and bootloaders print as
show.record_code prints them; every other record prints all its fields
(innate ones, such as `location`, excepted).  File-like objects print as the
calls that made them; `local-file` names are made relative to the directory
of the configuration when they live below it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from schemeconf.datum import NIL, Keyword, Pair, Symbol, from_list, sym, to_list
from schemeconf.filelike import ComputedFile, FileAppend, FileLike, Gexp, LocalFile, MixedTextFile, PlainFile
from schemeconf.primitives import Procedure
from schemeconf.printer import pretty_string
from schemeconf.records import Record
from schemeconf.vocabulary import OpaqueConfiguration, Package

from builders.lowering.show import as_code, record_code

HEADER = (";; The operating-system this image was built from, as pyguix evaluated it\n"
          ";; (every field, defaults included).  Generated: changes here have no effect.\n")

# Records printed the way --dry-run prints them (a variable or a short call).
SHORT_RECORDS = {"<platform>", "<file-system-label>", "<uuid>", "<bootloader>"}
MAX_DEPTH = 40


class Context:
    """Where local files are relative to, and the modules the printed code needs."""

    def __init__(self, base: Path | None) -> None:
        self.base = base
        self.package_modules: set[tuple[str, ...]] = set()
        self.service_types: set[str] = set()


def os_config_source(os_record: Record) -> str:
    """The text of /etc/config.scm for OS_RECORD (an <operating-system> record).

    It starts with the `use-modules` forms the code needs, so that it can be
    loaded again (`pyguix system image /etc/config.scm` evaluates to the
    same operating system).
    """
    ctx = Context(os_record.span.source.directory if os_record.span is not None else None)
    body = pretty_string(_code(os_record, ctx, 0))
    return HEADER + "\n" + _modules(ctx) + "\n" + body + "\n"


def _modules(ctx: Context) -> str:
    lines = [pretty_string(from_list([sym("use-modules"), from_list([sym("gnu")])]))]
    service_modules = sorted({m for name in ctx.service_types for m in [_service_module(name)] if m})
    if service_modules:
        lines.append(pretty_string(from_list([sym("use-service-modules"), *map(sym, service_modules)])))
    package_modules = sorted({m[2] for m in ctx.package_modules
                              if len(m) == 3 and m[:2] == ("gnu", "packages")})
    if package_modules:
        lines.append(pretty_string(from_list([sym("use-package-modules"), *map(sym, package_modules)])))
    return "\n".join(lines) + "\n"


_SERVICE_INDEX: dict[str, str] | None = None


def _service_module(type_name: str) -> str | None:
    """The (gnu services NAME) module defining TYPE_NAME-service-type, among the bundled ones."""
    global _SERVICE_INDEX
    if _SERVICE_INDEX is None:
        import re

        from schemeconf.modules import BUNDLED_ROOTS

        index: dict[str, str] = {}
        for root in BUNDLED_ROOTS:
            for path in sorted((root / "gnu" / "services").glob("*.scm")):
                text = path.read_text(encoding="utf-8", errors="replace")
                for m in re.finditer(r"\(define\s+([^\s()]+)-service-type\b", text):
                    index.setdefault(m.group(1), path.stem)
        _SERVICE_INDEX = index
    return _SERVICE_INDEX.get(type_name)


def _code(value: Any, base: Context, depth: int) -> Any:
    if depth > MAX_DEPTH:
        return sym("...")
    if isinstance(value, Record):
        return _record(value, base, depth)
    if isinstance(value, Pair):
        return _pair(value, base, depth)
    if isinstance(value, Package):
        if value.module:
            base.package_modules.add(tuple(value.module))
        return sym(value.name) if value.output == "out" else from_list([sym("list"), sym(value.name), value.output])
    if isinstance(value, OpaqueConfiguration):
        return from_list([sym(value.type_name)]
                         + [from_list([sym(k), _code(v, base, depth + 1)]) for k, v in value.fields.items()])
    if isinstance(value, FileLike):
        return _file_like(value, base, depth)
    if isinstance(value, Symbol) or value is NIL:
        return as_code(value)
    if isinstance(value, Procedure) and not str(getattr(value, "name", "#")).startswith("#"):
        return sym(value.name)       # a named procedure: the variable it is bound to
    return value


def _needs_code(item: Any) -> bool:
    return isinstance(item, (Record, Package, OpaqueConfiguration, FileLike, Gexp)) or (
        isinstance(item, Pair) and _proper(item) and any(_needs_code(i) for i in to_list(item)))


def _proper(p: Pair) -> bool:
    try:
        to_list(p)
        return True
    except ValueError:
        return False


def _pair(value: Pair, base: Context, depth: int) -> Any:
    if not _proper(value):
        if _needs_code(value.car) or _needs_code(value.cdr):
            return from_list([sym("cons"), _code(value.car, base, depth + 1), _code(value.cdr, base, depth + 1)])
        return as_code(value)
    items = to_list(value)
    if any(_needs_code(i) for i in items):
        return from_list([sym("list")] + [_code(i, base, depth + 1) for i in items])
    return as_code(value)


def _record(rec: Record, base: Context, depth: int) -> Any:
    kind = rec.rtype.name
    if kind in SHORT_RECORDS:
        return record_code(rec)
    if kind == "<service-type>":
        base.service_types.add(rec.get("name").name)
        return sym(f"{rec.get('name').name}-service-type")
    if kind == "<service>":
        return _service(rec, base, depth)
    clauses = []
    for f in rec.rtype.fields:
        if f.innate:
            continue
        clauses.append(from_list([f.name, _code(rec.get(f.name.name), base, depth + 1)]))
    return from_list([sym(rec.rtype.constructor_name)] + clauses)


def _service(service: Record, base: Context, depth: int) -> Any:
    kind = service.get("kind")
    value = service.get("value")
    name = kind.get("name").name
    base.service_types.add(name)
    extensions = to_list(kind.get("extensions")) if isinstance(kind.get("extensions"), Pair) else []
    if kind.get("description") == "A simple service." and len(extensions) == 1:
        target = extensions[0].get("target")
        return from_list([sym("simple-service"), from_list([sym("quote"), sym(name)]),
                          _code(target, base, depth + 1), _code(value, base, depth + 1)])
    default = kind.get("default-value")
    if value is default:
        return from_list([sym("service"), sym(f"{name}-service-type")])
    return from_list([sym("service"), sym(f"{name}-service-type"), _code(value, base, depth + 1)])


def _file_like(f: FileLike, base: Context, depth: int) -> Any:
    if isinstance(f, PlainFile):
        content = f.content if isinstance(f.content, str) else from_list(
            [sym("u8-list->bytevector"), from_list([sym("quote"), from_list(list(f.content))])])
        return from_list([sym("plain-file"), f.name, content])
    if isinstance(f, LocalFile):
        shown = os.fspath(f.path)
        if base.base is not None:
            try:
                shown = os.fspath(Path(f.path).relative_to(base.base))
            except ValueError:
                pass
        call = [sym("local-file"), shown]
        if f.name != Path(f.path).name:
            call.append(f.name)
        if f.recursive:
            call += [Keyword("recursive?"), True]
        return from_list(call)
    if isinstance(f, MixedTextFile):
        return from_list([sym("mixed-text-file"), f.name] + [_code(p, base, depth + 1) for p in f.parts])
    if isinstance(f, FileAppend):
        return from_list([sym("file-append"), _code(f.base, base, depth + 1), *f.suffixes])
    if isinstance(f, ComputedFile):
        return from_list([sym(f.kind), f.name, f.gexp])
    return f
