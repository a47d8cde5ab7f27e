"""Values standing for things pyguix does not build from source: packages,
and the service types and configurations it does not model field by field.

The vocabulary is *closed*: it is the index scripts/gen_vocabulary.py makes
from a real Guix 1.5 (schemeconf/lib/vocabulary-1.5.json.gz).  A module of
the index, say `(gnu packages ssh)`, binds exactly the names Guix's module
exports:

* a package variable is a Package with its real name, version and outputs;
* a service type without a Scheme definition under gnu/services/ is an inert
  service type with its real name (made by `opaque-service-type` in
  gnu/services.scm), and `NAME-configuration` a constructor syntax that
  accepts any fields and prints them back;
* anything else pyguix does not define (procedures, other values) is a
  placeholder that says so when used.

A name the module does not export is an unbound variable, with hints from the
index: the module that does export it, the closest names, and for a name
that only an older Guix had, what replaced it.  A few names valid in older
Guix releases (the 1.2 image API of the announcement) are still accepted,
with a warning naming the new spelling (COMPAT below); Guix's own deprecated
aliases warn the way Guix does.

The index is read lazily: only a configuration that imports a module of the
index pays for it.
"""

from __future__ import annotations

import gzip as _gzip
import json as _json
import re as _re
from collections.abc import Callable
from pathlib import Path as _Path
from typing import Any

from .datum import NIL, UNSPECIFIED, Pair, Symbol, sym
from .environment import MISSING, Frame
from .errors import RecordError, SchemeSyntaxError, WrongType
from .evaluator import Applicable, CompilingMacro, Node, Scope, apply_procedure, compile_form, special
from .primitives import Procedure, check_type, define_value, primitive


class Package:
    """A Guix package named by its variable (or specification)."""

    __slots__ = ("name", "version", "module", "output", "outputs", "variable", "number")

    def __init__(self, name: str, module: tuple[str, ...] | None = None, version: str | None = None,
                 output: str = "out",
                 outputs: tuple[str, ...] = ("out",), variable: str | None = None, number: int | None = None):
        self.name = name
        self.module = module
        self.version = version
        self.output = output
        self.outputs = outputs  # as Guix's package has them, e.g. ("out" "debug")
        self.variable = variable or name  # the name a configuration refers to it by (util-linux+udev)
        self.number = number  # its number in the inputs index (PackageInputs), when it came from there

    def scheme_repr(self, write: bool) -> str:
        version = f" {self.version}" if self.version else ""
        return f"#<package {self.name}{version}>"

    def scheme_equal(self, other: Any) -> bool:
        return (isinstance(other, Package)
                and (other.name, other.version, other.output) == (self.name, self.version, self.output))


class OpaqueConfiguration:
    """A `NAME-configuration` record whose fields pyguix stores but does not check."""

    __slots__ = ("type_name", "fields")

    def __init__(self, type_name: str, fields: dict[str, Any]):
        self.type_name = type_name
        self.fields = fields

    def scheme_repr(self, write: bool) -> str:
        from .printer import write_string

        inner = "".join(f" ({k} {write_string(v)})" for k, v in self.fields.items())
        return f"#<{self.type_name}{inner}>"


class OpaqueConfigurationSyntax(CompilingMacro):
    def __init__(self, type_name: str):
        self.name = type_name

    def compile(self, form: Pair, scope: Scope, tail: bool) -> Node:
        entries: list[tuple[str, Node]] = []
        inherit: Node | None = None
        for p in form.cdr.pairs() if form.cdr is not NIL else []:
            c = p.car
            if type(c) is not Pair or type(c.car) is not Symbol or type(c.cdr) is not Pair:
                raise RecordError(f"invalid field specifier in ({self.name} ...)", p.car_span,
                                  "each field is written (NAME VALUE)")
            node = compile_form(c.cdr.car, scope, False, c.cdr.car_span)
            if c.car is sym("inherit"):
                inherit = node
            else:
                entries.append((c.car.name, node))
        type_name = self.name

        def build(env: Any) -> OpaqueConfiguration:
            fields: dict[str, Any] = {}
            if inherit is not None:
                parent = inherit(env)
                if isinstance(parent, OpaqueConfiguration):
                    fields.update(parent.fields)
            frame = Frame({}, env)
            for name, node in entries:
                fields[name] = node(frame)
                frame.vars[sym(name)] = fields[name]
            return OpaqueConfiguration(type_name, fields)

        return build


# --- the index of Guix's modules -----------------------------------------------------

LIB = _Path(__file__).resolve().parent / "lib"
GUIX_VERSION = "1.5"  # the Guix whose vocabulary pyguix speaks
OLD_GUIX_VERSION = "1.2"  # the release of the image API announcement


class Index:
    """The modules of one Guix release and what each exports, read on first use.

    Each module's bindings are a JSON text of their own in the file, parsed
    the first time that module is asked about."""

    def __init__(self, version: str):
        self.version = version
        self._data: dict[str, Any] | None = None
        self._parsed: dict[str, dict[str, list[str]]] = {}

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            path = LIB / f"vocabulary-{self.version}.json.gz"
            try:
                self._data = _json.loads(_gzip.decompress(path.read_bytes()))
            except OSError:  # no index (a source tree without generated data): open vocabulary
                self._data = {"guix-version": None, "modules": {}, "deprecated": {}}
        return self._data

    @property
    def guix_version(self) -> str:
        return self.data.get("guix-version") or self.version

    def exports(self, module: tuple[str, ...]) -> dict[str, list[str]] | None:
        """NAME -> [KIND, FIELD...] for each name MODULE exports, or None if
        the index does not have MODULE."""
        key = " ".join(module)
        got = self._parsed.get(key)
        if got is None:
            text = self.data["modules"].get(key)
            if text is None:
                return None
            got = self._parsed[key] = _json.loads(text)
        return got

    def modules(self) -> list[str]:
        return list(self.data["modules"])

    def deprecated(self, module: tuple[str, ...]) -> dict[str, str]:
        """OLD -> REPLACEMENT for Guix's own deprecated aliases in MODULE."""
        return self.data["deprecated"].get(" ".join(module), {})

    def exporters(self, name: str) -> list[tuple[str, ...]]:
        """The modules exporting NAME (an inverted index, built on first use)."""
        inverse = self.__dict__.get("_inverse")
        if inverse is None:
            inverse = {}
            for key in self.data["modules"]:
                for n in self.exports(tuple(key.split(" "))) or ():
                    inverse.setdefault(n, []).append(tuple(key.split(" ")))
            self.__dict__["_inverse"] = inverse
        return inverse.get(name, [])

    def all_names(self) -> list[str]:
        self.exporters("")
        return list(self.__dict__["_inverse"])


INDEX = Index(GUIX_VERSION)
OLD_INDEX = Index(OLD_GUIX_VERSION)

_GUILE_MODULES: dict[str, list[str]] | None = None


def guile_modules() -> dict[str, list[str]]:
    """Guile's own modules (guile), (srfi srfi-1), (ice-9 match)... and their
    exports, as Guile 3.0 has them (a small file, apart from the index)."""
    global _GUILE_MODULES
    if _GUILE_MODULES is None:
        try:
            _GUILE_MODULES = _json.loads((LIB / "guile-modules.json").read_text())
        except OSError:
            _GUILE_MODULES = {}
    return _GUILE_MODULES


_GUILE_CORE: frozenset[str] | None = None


def guile_core() -> frozenset[str]:
    """What Guile's (guile) module binds: pyguix's modules may define some of
    these (crypt), which a configuration sees whatever it imports."""
    global _GUILE_CORE
    if _GUILE_CORE is None:
        _GUILE_CORE = frozenset(guile_modules().get("guile", ()))
    return _GUILE_CORE


# Names pyguix's modules show a configuration although Guix's modules do not
# export them: `output`, which Guix's gexp macro recognizes in #$output.
PYGUIX_EXTRAS: dict[tuple[str, ...], frozenset[str]] = {
    ("guix", "gexp"): frozenset({"output"}),
    ("gnu",): frozenset({"output"}),
}

_NEEDS_IMPORT: dict[str, list[str]] | None = None


def needs_import(name: str) -> list[str] | None:
    """The Guile modules exporting NAME when (guile) itself does not (so a
    configuration must import one of them, as `remove` needs (srfi srfi-1)),
    else None."""
    global _NEEDS_IMPORT
    if _NEEDS_IMPORT is None:
        mods = guile_modules()
        core = set(mods.get("guile", ()))
        table: dict[str, list[str]] = {}
        for m, names in mods.items():
            if m != "guile":
                for n in names:
                    if n not in core:
                        table.setdefault(n, []).append(m)
        _NEEDS_IMPORT = table
    return _NEEDS_IMPORT.get(name)


# --- what older Guix releases called things ------------------------------------------
#
# Names that were valid in Guix 1.2-1.4 and are gone (or moved) in 1.5.  A
# configuration using one still evaluates, with a warning saying what to
# write instead.  MODULE -> {NAME: (MESSAGE, SOURCE)}: SOURCE is where the
# value comes from, (MODULE, NAME) of the current vocabulary, or None when
# pyguix's own Scheme module defines NAME for compatibility.

COMPAT: dict[tuple[str, ...], dict[str, tuple[str, tuple[tuple[str, ...], str] | None]]] = {
    ("gnu", "system", "image"): {
        "arm64-disk-image": ("'arm64-disk-image' is deprecated (removed after Guix 1.3), "
                             "use '(raw-with-offset-disk-image)' with (platform aarch64-linux) instead", None),
        "arm32-disk-image": ("'arm32-disk-image' is deprecated (removed after Guix 1.3), "
                             "use '(raw-with-offset-disk-image)' with (platform armv7-linux) instead", None),
    },
    ("gnu", "packages", "certs"): {
        "nss-certs": ("'nss-certs' moved to (gnu packages nss) and is part of %base-packages since Guix 1.5; "
                      "remove it from the packages field", (("gnu", "packages", "nss"), "nss-certs")),
    },
    ("gnu", "services", "desktop"): {
        "xfce-desktop-service": ("'xfce-desktop-service' is deprecated (removed after Guix 1.2), "
                                 "use '(service xfce-desktop-service-type)' instead", None),
    },
    ("gnu", "platforms", "hurd"): {
        "hurd": ("'hurd' is deprecated, use 'i586-gnu' from (guix platforms x86) instead", None),
    },
}

# Modules that moved: a configuration importing the old name gets the new
# module, with a warning.
MODULE_RENAMES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("gnu", "platforms", "arm"): ("guix", "platforms", "arm"),
    ("gnu", "platforms", "hurd"): ("guix", "platforms", "x86"),
    ("gnu", "platforms", "x86"): ("guix", "platforms", "x86"),
    ("gnu", "platforms", "riscv"): ("guix", "platforms", "riscv"),
    ("gnu", "platform"): ("guix", "platform"),
}

# Names an older Guix had, with what replaced them (for the hint of an
# unbound variable); names only in the Guix 1.2 index get a generic hint.
RENAMED: dict[str, str] = {
    "dhcp-client-service-type": "dhcpcd-service-type",
    "xfce-desktop-service": "(service xfce-desktop-service-type)",
    "arm64-disk-image": "(raw-with-offset-disk-image)",
    "hurd": "i586-gnu from (guix platforms x86)",
    "raw-image-type": "mbr-raw-image-type",
    "os->image": "os+platform->image",
}


_DEPRECATED_NAMES: frozenset[str] | None = None


def deprecated_names() -> frozenset[str]:
    """Every name Guix deprecates somewhere (read from the index on first use)."""
    global _DEPRECATED_NAMES
    if _DEPRECATED_NAMES is None:
        _DEPRECATED_NAMES = frozenset(n for m in INDEX.data["deprecated"].values() for n in m)
    return _DEPRECATED_NAMES


def module_message(old: tuple[str, ...], new: tuple[str, ...]) -> str:
    return f"module ({' '.join(old)}) is deprecated (moved in Guix 1.4), use ({' '.join(new)}) instead"


def deprecation_message(name: str, replacement: str) -> str:
    """Guix's wording (guix/deprecation.scm) for a deprecated alias."""
    return f"'{name}' is deprecated, use '{replacement}' instead"


# --- the bindings of one module -------------------------------------------------------


class Unimplemented(Procedure, Applicable):
    """A binding Guix exports that pyguix has no use for: it says so when used."""

    placeholder = True

    def __init__(self, name: str, module: tuple[str, ...], kind: str):
        self.name = name
        self.module = module
        self.kind = kind

    def apply(self, args: list[Any], span: Any) -> Any:
        raise WrongType(f"{self.name} (from ({' '.join(self.module)})) is not implemented by pyguix", span)

    def scheme_repr(self, write: bool) -> str:
        return f"#<{self.kind} {self.name}>"


class UnimplementedSyntax(CompilingMacro):
    placeholder = True

    def __init__(self, name: str, module: tuple[str, ...]):
        self.name = name
        self.module = module

    def compile(self, form: Pair, scope: Scope, tail: bool) -> Node:
        raise SchemeSyntaxError(f"{self.name} (syntax from ({' '.join(self.module)})) is not implemented by pyguix",
                                form.span or form.car_span)


class ModuleVocabulary:
    """What the index says module NAME exports, and how pyguix stands in for
    the exports its own Scheme does not define."""

    def __init__(self, name: tuple[str, ...], loader: Any):
        self.name = name
        self.loader = loader
        self.compat = COMPAT.get(name, {})

    # The index is read the first time a name is looked up in the module.
    @property
    def names(self) -> dict[str, list[str]] | None:
        """NAME -> description; None: not a Guix module (user's, nonguix...)."""
        names = self.__dict__.get("_names", MISSING)
        if names is MISSING:
            names = self.__dict__["_names"] = INDEX.exports(self.name)
        return names

    @property
    def deprecated(self) -> dict[str, str]:
        return INDEX.deprecated(self.name)

    def __call__(self, name: Symbol) -> Any:
        """The stand-in value for NAME, or MISSING if the module has no NAME."""
        n = name.name
        compat = self.compat.get(n)
        if compat is not None and compat[1] is not None:
            (module, remote) = compat[1]
            return self.loader.load(module).exported(sym(remote))
        desc = self.names.get(n) if self.names is not None else None
        if desc is None:
            return MISSING
        # pyguix's Scheme may define the binding in another module than
        # Guix does (special-files-service-type is in (gnu services base)
        # here, in (gnu services) there): the same name is the same value.
        for module in list(self.loader.modules.values()):
            if module.fallback is not None and module.name != self.name:
                v = module.vars.get(name, MISSING)
                if v is not MISSING and name in module.exports:
                    return v
        return inert_value(n, desc, self.name, self.loader)

    def exports(self, name: str) -> bool:
        """Whether a configuration importing this module sees NAME."""
        return (self.names is None or name in self.names or name in self.compat
                or name in PYGUIX_EXTRAS.get(self.name, ()) or name in guile_core())

    def warning_for(self, name: str) -> str | None:
        """The warning using NAME from this module deserves, if any."""
        compat = self.compat.get(name)
        if compat is not None and (self.names is None or name not in self.names):
            return compat[0]
        replacement = self.deprecated.get(name)
        if replacement is not None:
            return deprecation_message(name, replacement)
        return None


# Names Guix's modules export but no longer define: Guix compiles a use of
# one, and fails when the code runs ("Unbound variable: NAME").
UNBOUND_EXPORTS: dict[tuple[str, ...], dict[str, str]] = {
    ("gnu", "services", "desktop"): {
        "gnome-desktop-service": "Guix 1.5 exports gnome-desktop-service but no longer defines it; "
                                 "write (service gnome-desktop-service-type) instead",
    },
}


class UnboundExport(CompilingMacro):
    """An exported name without a definition (UNBOUND_EXPORTS): an unbound variable
    when the code using it runs, as in Guix."""

    def __init__(self, name: str, hint: str):
        self.name = name
        self.hint = hint

    def compile(self, form: Pair, scope: Scope, tail: bool) -> Node:
        from .errors import UnboundVariable

        span = form.car_span or form.span
        name, hint = self.name, self.hint

        def unbound(env: Any) -> Any:
            raise UnboundVariable(name, span, hint)

        return unbound


class InertRecord:
    """An (origin ...) a configuration writes: kept, not fetched."""

    __slots__ = ("type_name", "fields")

    def __init__(self, type_name: str, fields: dict[str, Any]):
        self.type_name = type_name
        self.fields = fields

    def scheme_repr(self, write: bool) -> str:
        return f"#<{self.type_name}>"


class OwnPackage(Package):
    """A package a configuration defines with Guix's `package` record: an inert
    package with its name and version (pyguix does not build from source), the
    other fields kept as written."""

    __slots__ = ("fields",)

    def __init__(self, name: str, version: str | None, fields: dict[str, Any], outputs: tuple[str, ...] = ("out",)):
        super().__init__(name, None, version, outputs=outputs)
        self.fields = fields


class InertRecordSyntax(CompilingMacro):
    """Guix's `package` and `origin` record constructors (and `package/inherit`):
    the fields pyguix uses (a package's name, version and outputs, and
    `inherit`) are evaluated; the others (source, build-system, arguments,
    inputs, license...: what building from source needs) are kept unevaluated,
    as pyguix takes packages from substitutes."""

    EAGER = {"package": ("name", "version", "outputs"), "package/inherit": ("name", "version", "outputs"),
             "origin": ()}

    def __init__(self, name: str):
        self.name = name

    def compile(self, form: Pair, scope: Scope, tail: bool) -> Node:
        from .datum import to_list

        eager: list[tuple[str, Node]] = []
        raw: dict[str, Any] = {}
        inherit: Node | None = None
        rest = form.cdr
        if self.name == "package/inherit":  # (package/inherit P FIELD ...)
            if type(rest) is not Pair:
                raise SchemeSyntaxError("package/inherit: expected (package/inherit PACKAGE FIELD ...)", form.span)
            inherit = compile_form(rest.car, scope, False, rest.car_span)
            rest = rest.cdr
        for p in rest.pairs() if rest is not NIL else []:
            c = p.car
            if type(c) is not Pair or type(c.car) is not Symbol or type(c.cdr) is not Pair:
                raise RecordError(f"invalid field specifier in ({self.name} ...)", p.car_span,
                                  "each field is written (NAME VALUE)")
            field = c.car.name
            if field == "inherit":
                inherit = compile_form(c.cdr.car, scope, False, c.cdr.car_span)
            elif field in self.EAGER[self.name]:
                eager.append((field, compile_form(c.cdr.car, scope, False, c.cdr.car_span)))
            else:
                raw[field] = c.cdr.car
        type_name = self.name
        span = form.span or form.car_span

        def build(env: Any) -> Any:
            parent = inherit(env) if inherit is not None else None
            values: dict[str, Any] = dict(getattr(parent, "fields", {}) or {})
            values.update(raw)
            if type_name == "origin":
                return InertRecord("origin", values)
            name = parent.name if isinstance(parent, Package) else None
            version = parent.version if isinstance(parent, Package) else None
            outputs = parent.outputs if isinstance(parent, Package) else ("out",)
            for field, node in eager:
                v = node(env)
                if field == "name":
                    name = v
                elif field == "version":
                    version = v
                else:
                    outputs = tuple(to_list(v))
            if not isinstance(name, str):
                raise RecordError(f"{type_name}: the name field (a string) is missing", span)
            return OwnPackage(name, version if isinstance(version, str) else None, values, outputs)

        return build


INERT_RECORDS = {("guix", "packages"): ("package", "origin", "package/inherit"),
                 ("guix",): ("package", "origin", "package/inherit")}


def inert_value(name: str, desc: list[str], module: tuple[str, ...], loader: Any) -> Any:
    unbound = UNBOUND_EXPORTS.get(module, {}).get(name)
    if unbound is not None:
        return UnboundExport(name, unbound)
    if name in INERT_RECORDS.get(module, ()):
        return InertRecordSyntax(name)
    kind = desc[0]
    if kind == "package":
        outputs = tuple(desc[3].split(",")) if len(desc) > 3 and desc[3] else ("out",)
        return Package(desc[1], module, desc[2] or None, outputs=outputs, variable=name)
    if kind == "service-type":
        return _opaque_service_type(desc[1] if len(desc) > 1 else name.removesuffix("-service-type"), loader)
    if kind == "syntax" and name.endswith("-configuration"):
        return OpaqueConfigurationSyntax(name)
    if kind == "syntax":
        return UnimplementedSyntax(name, module)
    return Unimplemented(name, module, kind)


def _opaque_service_type(type_name: str, loader: Any) -> Any:
    # One service type object per name, whichever module it is reached
    # from, so that `eq?` comparisons (modify-services) work across modules.
    cache: dict[str, Any] = loader.__dict__.setdefault("opaque_service_types", {})
    if type_name not in cache:
        services = loader.load(("gnu", "services"))
        make = services.lookup(sym("opaque-service-type"))
        cache[type_name] = apply_procedure(make, [sym(type_name)])
    return cache[type_name]


def vocabulary_for(name: tuple[str, ...], loader: Any) -> ModuleVocabulary | None:
    """The vocabulary of module NAME if Guix has such a module (the index
    is read only for the families configurations import)."""
    if name[:1] not in (("gnu",), ("guix",)):
        return None
    return ModuleVocabulary(name, loader)


# --- deprecated record fields -------------------------------------------------------


class FieldWarnings(CompilingMacro):
    """A record constructor syntax that warns about deprecated fields, and
    renames them, before handing the form to the real constructor:

        (define-field-warnings image %image
          (target platform target->platform "the 'target' field ..."))

    makes `image` accept `(target "aarch64-linux-gnu")`, warn at the value,
    and build `(platform (target->platform "aarch64-linux-gnu"))`.  With
    NEW and CONVERTER #f the field is kept as it is (only the warning).
    A rule may end with (FIELD DEFAULT) clauses: the defaults of the older
    API the deprecated field belongs to, given to the record when it uses
    that field and leaves FIELD out (a Guix 1.2 `image` with `target` had
    no operating system by default)."""

    def __init__(self, name: str, ctor: CompilingMacro, rules: dict[Symbol, tuple[Any, Any, str, list[Any]]]):
        self.name = name
        self.ctor = ctor
        self.rules = rules

    def compile(self, form: Pair, scope: Scope, tail: bool) -> Node:

        clauses = []
        warnings: list[tuple[str, Any]] = []
        old_defaults: list[Any] = []
        given = {p.car.car for p in (form.cdr.pairs() if form.cdr is not NIL else []) if type(p.car) is Pair}
        for p in form.cdr.pairs() if form.cdr is not NIL else []:
            c = p.car
            rule = self.rules.get(c.car) if type(c) is Pair and type(c.cdr) is Pair else None
            if rule is None:
                clauses.append((c, p.car_span))
                continue
            new, converter, message, defaults = rule
            old_defaults += [d for d in defaults if d.car not in given and d.car is not new]
            vspan = c.cdr.car_span or p.car_span
            warnings.append((message, vspan))
            if new is False:
                clauses.append((c, p.car_span))
                continue
            value = c.cdr.car
            if converter is not False:
                # ((quote PROCEDURE) VALUE): the converter is the definition
                # module's, whatever the user's scope binds.
                value = Pair(Pair(sym("quote"), Pair(converter, NIL)), Pair(value, NIL))
                value.span = vspan
                value.car_span = vspan
            clause = Pair(new, Pair(value, NIL))
            clause.span = p.car_span
            clause.car_span = getattr(c, "car_span", None)
            clause.cdr.car_span = vspan
            clauses.append((clause, p.car_span))
        for d in old_defaults:
            clauses.append((d, form.span))
        new_form = Pair(sym(self.ctor.name), NIL)
        tail_pair = new_form
        for c, cspan in clauses:
            cell = Pair(c, NIL)
            cell.car_span = cspan
            tail_pair.cdr = cell
            tail_pair = cell
        new_form.span = form.span
        new_form.car_span = form.car_span
        node = self.ctor.compile(new_form, scope, tail)
        if not warnings:
            return node
        loader = scope.module.loader

        def warn_then_build(env: Any) -> Any:
            for message, span in warnings:
                loader.warn(message, span)
            return node(env)

        return warn_then_build


@special("define-field-warnings")
def _define_field_warnings(scope: Scope, x: Pair, tail: bool) -> Node:
    """(define-field-warnings NAME CTOR (FIELD NEW CONVERTER MESSAGE (FIELD DEFAULT) ...) ...)."""
    from .datum import to_list

    parts = to_list(x.cdr)
    name, ctor_name = parts[0], parts[1]
    module = scope.module
    ctor = module.resolve(ctor_name)
    if not isinstance(ctor, CompilingMacro):
        raise SchemeSyntaxError(f"define-field-warnings: {ctor_name.name} is not a record constructor", x.span)
    rules = {}
    for rule in parts[2:]:
        field, new, converter, message, *defaults = to_list(rule)
        if converter is not False:
            converter = module.lookup(converter, x.span)
        rules[field] = (new, converter, message, defaults)
    module.define(name, FieldWarnings(name.name, ctor, rules))
    return lambda env: UNSPECIFIED


# --- package procedures (gnu packages) and (guix packages) --------------------------

_PACKAGE_MODULES = [("gnu", "packages"), ("guix", "packages")]


def _register(name: str, fn: Callable[..., Any]) -> None:
    for module in _PACKAGE_MODULES:
        primitive(name, module)(fn)


def specification_to_package(spec: str) -> Package:
    check_type("specification->package", lambda v: isinstance(v, str), "string", spec)
    name, _, version = spec.partition("@")
    return Package(name, None, version or None)


def specification_to_package_output(spec: str) -> Any:
    from .datum import Values

    check_type("specification->package+output", lambda v: isinstance(v, str), "string", spec)
    base, _, output = spec.partition(":")
    return Values([specification_to_package(base), output or "out"])


def _check_package(who: str, p: Any) -> Package:
    if not isinstance(p, Package):
        from .printer import write_string

        raise WrongType(f"{who}: expected a package, got {write_string(p)}")
    return p


def specifications_to_packages(specs: Any) -> Any:
    """`(specifications->packages '("emacs" "git:send-email"))`: a list with
    a package per specification, or a (PACKAGE OUTPUT) list for "NAME:OUTPUT"."""
    from .datum import from_list, to_list

    out = []
    for spec in to_list(specs):
        check_type("specifications->packages", lambda v: isinstance(v, str), "list of strings", spec)
        base, colon, output = spec.partition(":")
        package = specification_to_package(base)
        out.append(from_list([package, output]) if colon else package)
    return from_list(out)


_register("specification->package", specification_to_package)
_register("specifications->packages", specifications_to_packages)
_register("specification->package+output", specification_to_package_output)
_register("package?", lambda p: isinstance(p, Package))
_register("package-name", lambda p: _check_package("package-name", p).name)
_register("package-version", lambda p: _check_package("package-version", p).version or "0")
_register("package-full-name",
          lambda p, sep="@": _check_package("package-full-name", p).name + sep + (p.version or "0"))
class PackageInputs:
    """The inputs of Guix's packages (lib/package-inputs-VERSION.json.gz, made by
    scripts/gen_vocabulary.py), read the first time a configuration asks for a
    package's inputs: (LABEL PACKAGE [OUTPUT]) lists, as Guix returns them."""

    FIELDS = ("native-inputs", "inputs", "propagated-inputs")

    def __init__(self, version: str):
        self.version = version
        self._data: dict[str, Any] | None = None
        self._by_name: dict[str, int] | None = None

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            path = LIB / f"package-inputs-{self.version}.json.gz"
            try:
                self._data = _json.loads(_gzip.decompress(path.read_bytes()))
            except OSError:  # a source tree without generated data: no inputs known
                self._data = {"packages": [], "inputs": [], "variables": {}}
        return self._data

    def number(self, p: Package) -> int | None:
        """P's number in the index: by the variable it was taken from, else (a
        specification) the newest exported package of that name (and version)."""
        if p.number is not None:
            return p.number
        if p.module is not None:
            found = self.data["variables"].get(" ".join(p.module), {}).get(p.variable)
            if found is not None:
                return found
        if self._by_name is None:
            packages = self.data["packages"]
            best: dict[str, int] = {}
            for module in self.data["variables"].values():
                for n in module.values():
                    name = packages[n][0]
                    if name not in best or _version_key(packages[n][1]) > _version_key(packages[best[name]][1]):
                        best[name] = n
            self._by_name = best
        if p.version is None:
            return self._by_name.get(p.name)
        matches = [n for module in self.data["variables"].values() for n in module.values()
                   if self.data["packages"][n][:2] == [p.name, p.version]]
        return min(matches) if matches else None

    def package(self, n: int) -> Package:
        name, version, outputs = self.data["packages"][n]
        return Package(name, None, version or None, outputs=tuple(outputs.split(",")) if outputs else ("out",),
                       number=n)

    def inputs(self, p: Any, fields: tuple[str, ...]) -> Any:
        from .datum import from_list

        if not isinstance(p, Package) or isinstance(p, OwnPackage):
            return NIL  # a configuration's own package: its inputs are not evaluated
        n = self.number(p)
        if n is None:
            return NIL
        wanted = {self.FIELDS.index(f) for f in fields}
        out = []
        for field in (0, 1, 2):  # in the order of package-direct-inputs
            if field not in wanted:
                continue
            for entry in self.data["inputs"][n]:
                if entry[0] != field:
                    continue
                if entry[1] < 0:
                    out.append(from_list([entry[2], InertRecord("input", {})]))
                    continue
                q = self.package(entry[1])
                label = entry[2] if len(entry) > 2 else q.name
                output = entry[3] if len(entry) > 3 else ""
                out.append(from_list([label, q, output] if output else [label, q]))
        return from_list(out)


def _version_key(version: str) -> tuple:
    return tuple(int(x) if x.isdigit() else -1 for x in _re.split(r"[.-]", version))


PACKAGE_INPUTS = PackageInputs(GUIX_VERSION)

_register("package-direct-inputs", lambda p: PACKAGE_INPUTS.inputs(p, PackageInputs.FIELDS))
_register("package-inputs", lambda p: PACKAGE_INPUTS.inputs(p, ("inputs",)))
_register("package-native-inputs", lambda p: PACKAGE_INPUTS.inputs(p, ("native-inputs",)))
_register("package-propagated-inputs", lambda p: PACKAGE_INPUTS.inputs(p, ("propagated-inputs",)))
_register("supported-package?", lambda p, system=False: True)
for _module in _PACKAGE_MODULES:
    define_value("%current-package-outputs", NIL, _module)
# `#$output` in a gexp: the derivation's output (Guix's gexp macro treats the
# name specially; here it is a value of (guix gexp), see PYGUIX_EXTRAS).
define_value("output", Package("output", ("guix", "gexp")), ("guix", "gexp"))


@primitive("raise-config-error")
def raise_config_error(message: str) -> Any:
    """Used by the bundled record sanitizers: an error about a field's value.

    The record machinery points the error at the user's field, not here."""
    from .errors import ConfigError

    raise ConfigError(message if isinstance(message, str) else str(message))


# --- UUIDs (gnu system uuid) -------------------------------------------------------

_UUID_FORMS = {
    "dce": _re.compile(r"^([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{12})$"),
    "fat": _re.compile(r"^([0-9a-fA-F]{4})-([0-9a-fA-F]{4})$"),
    "ntfs": _re.compile(r"^([0-9a-fA-F]{16})$"),
    "iso9660": _re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$"),
}


@primitive("%parse-uuid")
def parse_uuid(text: Any, kind: Symbol) -> Any:
    """The bytes of UUID string TEXT of KIND (dce, fat, ntfs, iso9660), or #f."""
    if not isinstance(text, str):
        return False
    m = _UUID_FORMS[kind.name].match(text)
    if not m:
        return False
    if kind.name == "iso9660":
        return "".join(m.groups()).encode("ascii")
    raw = bytes.fromhex("".join(m.groups()))
    return raw[::-1] if kind.name in ("fat", "ntfs") else raw


_UUID_KINDS = {"fat": "fat", "fat16": "fat", "fat32": "fat", "exfat": "fat", "iso9660": "iso9660", "ntfs": "ntfs"}


@primitive("%format-uuid")
def format_uuid(raw: bytes, kind: Symbol) -> str:
    """The text of UUID bytes RAW of type KIND (any (uuid ...) type name)."""
    kind = Symbol(_UUID_KINDS.get(kind.name, "dce"))
    if kind.name == "iso9660":
        d = raw.decode("ascii")
        return "-".join([d[0:4], d[4:6], d[6:8], d[8:10], d[10:12], d[12:14], d[14:16]])
    if kind.name == "fat":
        h = raw[::-1].hex().upper()
        return f"{h[:4]}-{h[4:]}"
    if kind.name == "ntfs":
        return raw[::-1].hex().upper()
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class CryptRequest:
    """`(crypt PASSWORD SALT)`: hashed when /etc/shadow is written."""

    __slots__ = ("password", "salt")

    def __init__(self, password: str, salt: str):
        self.password = password
        self.salt = salt

    def scheme_repr(self, write: bool) -> str:
        from .printer import write_string

        return f"(crypt {write_string(self.password)} {write_string(self.salt)})"


@primitive("%crypt-request")
def crypt_request(password: Any, salt: Any) -> CryptRequest:
    check_type("crypt", lambda v: isinstance(v, str), "string", password, 1)
    check_type("crypt", lambda v: isinstance(v, str), "string", salt, 2)
    return CryptRequest(password, salt)
