"""The operating system's configuration printed back as Scheme (/etc/config.scm).

Guix keeps the configuration file a system was built from at
/run/current-system/configuration.scm.  pyguix writes the evaluated
`operating-system` record instead, with every field (but the essential
services, which it derives from the others), as constructor syntax that
reads back as code making the same values:

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

import contextlib
import os
from pathlib import Path
from typing import Any

from builders.lowering.show import as_code, record_code
from schemeconf.datum import NIL, Keyword, Pair, Symbol, from_list, sym, to_list
from schemeconf.filelike import ComputedFile, FileAppend, FileLike, Gexp, LocalFile, MixedTextFile, PlainFile
from schemeconf.primitives import Procedure
from schemeconf.printer import pretty_string
from schemeconf.records import Record
from schemeconf.vocabulary import OpaqueConfiguration, Package

HEADER = (";; The operating-system this image was built from, as pyguix evaluated it\n"
          ";; (every field, defaults included).  Generated: changes here have no effect.\n")

# Records printed the way --dry-run prints them (a variable or a short call).
SHORT_RECORDS = {"<platform>", "<file-system-label>", "<uuid>", "<bootloader>"}
MAX_DEPTH = 40
# Fields printed only when the configuration gave them: a default computed
# from the other fields (Guix: "for internal use"; printing it would freeze
# it), and deprecated fields (printing them would warn).
ONLY_IF_GIVEN = {("<operating-system>", "essential-services"),
                 ("<bootloader-configuration>", "target")}


class Context:
    """Where local files are relative to, and the modules the printed code needs."""

    def __init__(self, base: Path | None) -> None:
        self.base = base
        self.package_modules: set[tuple[str, ...]] = set()
        self.service_types: set[str] = set()
        self.constructors: set[str] = set()     # record constructors the code calls


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
    service_modules = sorted(set(service_modules) | {
        found[1][2] for name in ctx.service_types for found in [_service_variables().get(name)]
        if found and len(found[1]) == 3 and _defining_module(found[0]) is not None})
    if service_modules:
        lines.append(pretty_string(from_list([sym("use-service-modules"), *map(sym, service_modules)])))
    package_modules = sorted({m[2] for m in ctx.package_modules
                              if len(m) == 3 and m[:2] == ("gnu", "packages")})
    if package_modules:
        lines.append(pretty_string(from_list([sym("use-package-modules"), *map(sym, package_modules)])))
    others = sorted({m for name in ctx.constructors for m in [_defining_module(name)] if m})
    if others:
        lines.append(pretty_string(from_list([sym("use-modules"), *(from_list(list(map(sym, m))) for m in others)])))
    return "\n".join(lines) + "\n"


_SERVICE_VARIABLES: dict[str, tuple[str, tuple[str, ...]]] = {}


def _service_variables() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Service type name -> (the variable Guix binds it to, its module), from the
    vocabulary index: console-fonts -> console-font-service-type, (gnu services base)."""
    from schemeconf.vocabulary import INDEX

    if not _SERVICE_VARIABLES:
        for key in sorted(INDEX.modules()):
            module = tuple(key.split(" "))
            if module[:2] != ("gnu", "services") and module != ("gnu", "services"):
                continue
            for variable, desc in (INDEX.exports(module) or {}).items():
                if desc and desc[0] == "service-type" and len(desc) > 1:
                    _SERVICE_VARIABLES.setdefault(desc[1], (variable, module))
    return _SERVICE_VARIABLES


def service_type_variable(name: str) -> str:
    """The variable a configuration names the service type NAME by."""
    found = _service_variables().get(name)
    return found[0] if found else f"{name}-service-type"


def _defining_module(name: str) -> tuple[str, ...] | None:
    """The Guix module to import for NAME when (gnu) does not bind it (e.g.
    locale-definition: (gnu system locale)); None when (gnu) does."""
    from schemeconf.vocabulary import INDEX

    if name in (INDEX.exports(("gnu",)) or ()):
        return None
    found = [m for m in INDEX.exporters(name) if m[0] == "gnu"]
    return min(found, key=lambda m: (len(m), m)) if found else None


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
        var = sym(value.variable)  # the variable the configuration wrote, not the package's name
        return var if value.output == "out" else from_list([sym("list"), var, value.output])
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
        return sym(service_type_variable(rec.get("name").name))
    if kind == "<service>":
        return _service(rec, base, depth)
    clauses = []
    for f in rec.rtype.fields:
        if f.innate or (kind, f.name.name) in ONLY_IF_GIVEN and f.name.name not in rec.field_spans:
            continue
        clauses.append(from_list([f.name, _code(rec.get(f.name.name), base, depth + 1)]))
    base.constructors.add(rec.rtype.constructor_name)
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
        return from_list([sym("service"), sym(service_type_variable(name))])
    return from_list([sym("service"), sym(service_type_variable(name)), _code(value, base, depth + 1)])


def _file_like(f: FileLike, base: Context, depth: int) -> Any:
    if isinstance(f, PlainFile):
        content = f.content if isinstance(f.content, str) else from_list(
            [sym("u8-list->bytevector"), from_list([sym("quote"), from_list(list(f.content))])])
        return from_list([sym("plain-file"), f.name, content])
    if isinstance(f, LocalFile):
        shown = os.fspath(f.path)
        if base.base is not None:
            with contextlib.suppress(ValueError):
                shown = os.fspath(Path(f.path).relative_to(base.base))
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
