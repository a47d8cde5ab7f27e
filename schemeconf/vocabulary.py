"""Values standing for things pyguix does not build from source: packages,
and the service types and configurations it does not model field by field.

* Every `(gnu packages …)` module answers any package-like name (not
  starting with `%`) with a Package that keeps its name and module, so
  `(use-package-modules screen ssh)` then `(list screen openssh)` works for
  the thousands of Guix packages; `(specification->package "emacs@29")`
  gives the same kind of value.
* Every `(gnu services …)` module answers `NAME-service-type` with a
  service type called NAME (made by `opaque-service-type` in
  gnu/services.scm), and `NAME-configuration` with a constructor syntax that
  accepts any fields and prints them back.  The common service types are
  declared precisely in the bundled gnu/services/*.scm files instead.
"""

from __future__ import annotations

from typing import Any, Callable

from .datum import NIL, Pair, Symbol, sym
from .environment import MISSING, Frame
from .errors import RecordError, WrongType
from .evaluator import CompilingMacro, Node, Scope, apply_procedure, compile_form
from .primitives import check_type, define_value, primitive


class Package:
    """A Guix package named by its variable (or specification)."""

    __slots__ = ("name", "version", "module", "output")

    def __init__(self, name: str, module: tuple[str, ...] | None = None, version: str | None = None, output: str = "out"):
        self.name = name
        self.module = module
        self.version = version
        self.output = output

    def scheme_repr(self, write: bool) -> str:
        version = f" {self.version}" if self.version else ""
        return f"#<package {self.name}{version}>"

    def scheme_equal(self, other: Any) -> bool:
        return isinstance(other, Package) and (other.name, other.version, other.output) == (self.name, self.version, self.output)


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
                raise RecordError(f"invalid field specifier in ({self.name} ...)", p.car_span, "each field is written (NAME VALUE)")
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


_NOT_PACKAGE_SUFFIXES = ("?", "!", "-service-type", "-configuration", "-bootloader", "-service", "-file-system")
_NOT_PACKAGE_PREFIXES = ("%", "package-", "make-", "define", "specification->")


def _looks_like_package(name: str) -> bool:
    """Package variables are plain names: not predicates, procedures named
    like `x->y`, %-globals, or the names of other kinds of Guix values."""
    return (
        bool(name)
        and not name.endswith(_NOT_PACKAGE_SUFFIXES)
        and not name.startswith(_NOT_PACKAGE_PREFIXES)
        and "->" not in name
    )


def _package_fallback(module: tuple[str, ...]) -> Callable[[Symbol], Any]:
    def fallback(name: Symbol) -> Any:
        n = name.name
        if not _looks_like_package(n):
            return MISSING
        return Package(n, module)

    return fallback


def _service_fallback(loader: Any) -> Callable[[Symbol], Any]:
    # One service type object per name, whichever module it is imported from,
    # so that `eq?` comparisons (modify-services) work across modules.
    cache: dict[str, Any] = loader.__dict__.setdefault("opaque_service_types", {})

    def fallback(name: Symbol) -> Any:
        n = name.name
        if n.endswith("-service-type"):
            if n not in cache:
                services = loader.load(("gnu", "services"))
                make = services.lookup(sym("opaque-service-type"))
                cache[n] = apply_procedure(make, [sym(n[: -len("-service-type")])])
            return cache[n]
        if n.endswith("-configuration"):
            return OpaqueConfigurationSyntax(n)
        return MISSING

    return fallback


def vocabulary_for(name: tuple[str, ...], loader: Any) -> Callable[[Symbol], Any] | None:
    """The open fallback for module NAME, if it belongs to an open family."""
    if len(name) >= 3 and name[:2] == ("gnu", "packages"):
        return _package_fallback(name)
    if len(name) >= 3 and name[:2] == ("gnu", "services"):
        return _service_fallback(loader)
    return None


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
_register("package-full-name", lambda p, sep="@": _check_package("package-full-name", p).name + sep + (p.version or "0"))
_register("package-direct-inputs", lambda p: NIL)
_register("package-inputs", lambda p: NIL)
_register("package-propagated-inputs", lambda p: NIL)
_register("supported-package?", lambda p, system=False: True)
for _module in _PACKAGE_MODULES:
    define_value("%current-package-outputs", NIL, _module)


@primitive("raise-config-error")
def raise_config_error(message: str) -> Any:
    """Used by the bundled record sanitizers: an error about a field's value.

    The record machinery points the error at the user's field, not here."""
    from .errors import ConfigError

    raise ConfigError(message if isinstance(message, str) else str(message))


# --- UUIDs (gnu system uuid) -------------------------------------------------------

import re as _re

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
