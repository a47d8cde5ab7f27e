"""Guile-style modules: `define-module`, `use-modules`, `(@ (m) name)`.

A module name such as `(gnu system image)` is found as `gnu/system/image.scm`
on the load path (user `-L` directories first, then the bundled trees), or
as a primitive module registered from Python (`(srfi srfi-1)`).  A module's
top level is a Module: its own definitions, then the interfaces it imports
in order, then the core `(guile)` bindings.

The vocabulary is *closed*: a module Guix has (`(gnu packages ssh)`,
`(gnu)`, `(gnu services desktop)`...) binds for a configuration exactly the
names Guix 1.5's module exports, as listed in the index
scripts/gen_vocabulary.py makes (see vocabulary.py).  Bundled files under
gnu/ define the common ones precisely; the index supplies the others
(packages with their real name and version, inert service types).  pyguix's
own helpers that Guix's module does not export stay visible to pyguix's own
Scheme only.  Likewise a configuration sees of Guile's core only what
`(guile)` has: `remove` needs `(use-modules (srfi srfi-1))`, as in Guix.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import primitives
from .datum import NIL, UNSPECIFIED, Keyword, Pair, Symbol, sym, to_list
from .environment import MISSING
from .errors import ModuleError, ReadError, SchemeSyntaxError, UnboundVariable, closest_names
from .evaluator import Node, Scope, _constant, args_of, eval_datum, form_span, special
from .source import SourceFile, Span

ModuleName = tuple[str, ...]

BUNDLED_ROOTS = [Path(__file__).resolve().parent.parent, Path(__file__).resolve().parent / "lib"]
# Names of files `include` treats as Scheme source (errors in others are reported at the include).
SCHEME_SUFFIXES = (".scm", ".sls", ".sld", ".ss", ".sch", ".guile")
# pyguix's own Scheme: what is read from here is not a host input.
BUNDLED_SCHEME = [BUNDLED_ROOTS[0] / "gnu", BUNDLED_ROOTS[1]]

# Channels pyguix bundles (their modules live under lib/): first module name
# -> channel name.  Guix has a channel's modules only once the user's channels
# file lists it (and `guix pull` fetched it), so pyguix finds these only then:
# when $PYGUIX_CHANNELS names the channel, or the user's Guix channels file
# (~/.config/guix/channels.scm, /etc/guix/channels.scm) mentions it.
BUNDLED_CHANNELS = {"nongnu": "nonguix"}


def channel_files() -> list[Path]:
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return [Path(config) / "guix" / "channels.scm", Path("/etc/guix/channels.scm")]


def channel_enabled(channel: str) -> tuple[bool, Path | None]:
    """Whether the user's Guix has CHANNEL, and the channels file that says so."""
    names = os.environ.get("PYGUIX_CHANNELS")
    if names is not None:
        return channel in names.replace(",", " ").split(), None
    for path in channel_files():
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        return channel in text, path  # the user's channels file decides (the first found, as guix pull's)
    return False, None


# Guile modules whose contents pyguix provides as core syntax or procedures.
BUILTIN_MODULES = {
    ("ice-9", "match"), ("ice-9", "format"), ("ice-9", "receive"), ("ice-9", "optargs"),
    ("ice-9", "pretty-print"), ("ice-9", "vlist"), ("ice-9", "regex"), ("ice-9", "string-fun"),
    ("srfi", "srfi-2"), ("srfi", "srfi-8"), ("srfi", "srfi-9"), ("srfi", "srfi-11"), ("srfi", "srfi-13"),
    ("srfi", "srfi-14"), ("srfi", "srfi-26"), ("srfi", "srfi-34"), ("srfi", "srfi-35"), ("srfi", "srfi-39"),
    ("srfi", "srfi-71"), ("rnrs", "bytevectors"), ("ice-9", "rdelim"), ("guile",), ("ice-9", "exceptions"),
    ("srfi", "srfi-9", "gnu"), ("ice-9", "vlist"), ("ice-9", "popen"), ("ice-9", "ftw"),
    ("guix", "records"), ("guix", "store"), ("guix", "monads"), ("guix", "derivations"),
    ("guix", "build-system", "trivial"), ("guix", "build-system", "gnu"), ("guix", "download"),
    ("guix", "git-download"), ("guix", "build", "utils"), ("guix", "channels"), ("guix", "modules"),
}


class Interface:
    """What one `#:use-module` clause makes visible: a module's exports, filtered."""

    __slots__ = ("module", "select", "hide", "prefix", "span")

    def __init__(self, module: Module, select: dict[Symbol, Symbol] | None = None,
                 hide: set[Symbol] | None = None, prefix: str | None = None):
        self.module = module
        self.select = select
        self.hide = hide or set()
        self.prefix = prefix
        self.span: Span | None = None  # the import clause, for warnings

    def remote(self, local: Symbol) -> Symbol | None:
        """The module's name for LOCAL, or None if this interface does not show it."""
        remote = local
        if self.select is not None:
            remote = self.select.get(local)  # type: ignore[assignment]
            if remote is None:
                return None
        elif self.prefix is not None:
            if not local.name.startswith(self.prefix):
                return None
            remote = sym(local.name[len(self.prefix):])
        if remote in self.hide:
            return None
        return remote

    def get(self, local: Symbol, fallback: bool = True, closed: bool = False) -> Any:
        remote = local
        if self.select is not None:
            remote = self.select.get(local)  # type: ignore[assignment]
            if remote is None:
                return MISSING
        elif self.prefix is not None:
            if not local.name.startswith(self.prefix):
                return MISSING
            remote = sym(local.name[len(self.prefix):])
        if remote in self.hide:
            return MISSING
        return self.module.exported(remote, fallback, closed)

    def names(self, closed: bool = False) -> list[str]:
        if self.select is not None:
            return [s.name for s in self.select]
        return [(self.prefix or "") + n for n in self.module.export_names(closed) if sym(n) not in self.hide]


class Module:
    def __init__(self, name: ModuleName, loader: Loader, *, export_all: bool = False,
                 fallback: Callable[[Symbol], Any] | None = None):
        self.name = name
        self.loader = loader
        self.vars: dict[Symbol, Any] = {}
        self.exports: dict[Symbol, None] = {}  # ordered, for deterministic listings
        self.export_all = export_all
        self.uses: list[Interface] = []
        self.reexported: list[Interface] = []
        self.fallback = fallback
        self.fallback_cache: dict[Symbol, Any] = {}
        self.core = loader.core
        # A configuration's module (not pyguix's own Scheme): it sees Guix's
        # modules as Guix exports them, and only the (guile) part of the core.
        self.user = name[:1] == ("guile-user",)
        # The name a loaded file's (define-module (NAME ...)) declares, when it
        # is loaded as a configuration (its module is then a guile-user one).
        self.declared: ModuleName | None = None

    # --- lookups ----------------------------------------------------------------------

    def resolve(self, name: Symbol, fallback: bool = True) -> Any:
        """NAME's value: own definitions, imports, core; then, last of all, the
        open vocabularies (so a package named like a core procedure never
        shadows it)."""
        v = self.vars.get(name, MISSING)
        if v is not MISSING:
            return v
        closed = self.user
        if closed and self.core is not None and name in self.core.vars:
            from .vocabulary import guile_core

            if name.name in guile_core():  # (guile)'s own: no need to ask the imports (or the index)
                return self.core.vars[name]
        for iface in self.uses:
            v = iface.get(name, False, closed)
            if v is not MISSING:
                return v
        if self.core is not None and self.core is not self:
            v = self.core.vars.get(name, MISSING)
            if v is not MISSING and not (closed and self._needs_import(name)):
                return v
        if not fallback:
            return MISSING
        placeholder = MISSING
        for iface in self.uses:
            v = iface.get(name, True, closed)
            if v is not MISSING:
                if not getattr(v, "placeholder", False):
                    return v
                if placeholder is MISSING:
                    placeholder = v  # only if no other import has a real value
        if placeholder is not MISSING:
            return placeholder
        if self.export_all:
            return self._from_fallback(name)  # a module made of the index alone
        return MISSING  # (the index stands in for what a module *exports*, see exported)

    def _needs_import(self, name: Symbol) -> bool:
        """Whether core NAME is, in Guile, only in a module such as (srfi srfi-1)
        that this module has not imported."""
        from .vocabulary import needs_import

        modules = needs_import(name.name)
        if not modules:
            return False
        return not any(" ".join(i.module.name) in modules and i.remote(name) is not None for i in self.uses)

    def _from_fallback(self, name: Symbol) -> Any:
        """NAME from this module's open vocabulary, made once and remembered."""
        if self.fallback is None:
            return MISSING
        v = self.fallback_cache.get(name, MISSING)
        if v is MISSING:
            v = self.fallback(name)
            if v is not MISSING:
                self.fallback_cache[name] = v
        return v

    def lookup(self, name: Symbol, span: Span | None = None) -> Any:
        v = self.resolve(name)
        if v is MISSING:
            raise UnboundVariable(name.name, span, self._hint(name))
        if span is not None and self.loader.may_warn(name.name):
            self._warn_deprecated(name, span)
        return v

    def _warn_deprecated(self, name: Symbol, span: Span) -> None:
        """Warn (once per place) if NAME reaches a deprecated or renamed binding."""
        if name in self.vars:
            return
        for iface in self.uses:
            remote = iface.remote(name)
            vocab = iface.module.fallback
            if remote is None or vocab is None or not hasattr(vocab, "warning_for"):
                continue
            if iface.module.exported(remote, True, self.user) is MISSING:
                continue
            message = vocab.warning_for(remote.name)
            if message is None:
                for sub in iface.module.reexported:  # (gnu) forwards its parts' deprecations
                    sub_vocab = sub.module.fallback
                    warning_for = getattr(sub_vocab, "warning_for", None)
                    if warning_for is not None and sub.remote(remote) is not None:
                        message = warning_for(remote.name)
                        if message:
                            break
            if message:
                self.loader.warn(message, span)
            return

    def _hint(self, name: Symbol) -> str | None:
        if name.name == "this-record":
            return "this-record is only bound inside the value of a thunked or delayed record field"
        hints = []
        where = self.loader.where_defined(name)
        if where:
            where_name = " ".join(where)
            hints.append(f"'{name.name}' is defined in module ({where_name}); add it with (use-modules ({where_name}))")
        else:
            hint = self.loader.index_hint(name.name)
            if hint:
                hints.append(hint)
        close = closest_names(name.name, self.visible_names())
        if not close and not hints:
            close = self.loader.closest_in_index(name.name)
        if close:
            hints.append("did you mean " + " or ".join(f"'{c}'" for c in close) + "?")
        old = self.loader.older_guix_hint(name.name)
        if old:
            hints.append(old)
        return "; or ".join(hints) or None

    def exported(self, name: Symbol, fallback: bool = True, closed: bool = False) -> Any:
        """NAME as this module exports it.  CLOSED (asked for a configuration):
        only if Guix's module exports NAME too (or it is a compatibility name)."""
        vocab = self.fallback
        if closed and vocab is not None and hasattr(vocab, "exports") and not vocab.exports(name.name):
            return MISSING
        if self.export_all or name in self.exports:
            v = self.resolve(name, fallback)
            if v is not MISSING:
                return v
        # Composite modules such as (gnu) forward what their parts export
        # (the parts' own definitions first, then what the index adds).
        for phase in ((False, True) if fallback and closed else (False,)):
            for iface in self.reexported:
                v = iface.get(name, phase)
                if v is not MISSING:
                    return v
        if fallback and name not in self.vars:
            return self._from_fallback(name)
        return MISSING

    def public_ref(self, name: Symbol, span: Span | None, private: bool = False) -> Any:
        v = self.resolve(name) if private else self.exported(name)
        if v is MISSING:
            raise UnboundVariable(
                f"{name.name} (in module ({' '.join(self.name)}))", span,
                None if private else "use (@@ ...) to reach a variable the module does not export",
            )
        return v

    def export_names(self, closed: bool = False) -> list[str]:
        vocab = self.fallback
        vocab_names = getattr(vocab, "names", None) if closed and vocab is not None else None
        if vocab_names is not None:
            return list(vocab_names)
        names = [s.name for s in (self.vars if self.export_all else self.exports)]
        for iface in self.reexported:
            names.extend(iface.names(closed))
        return names

    def visible_names(self) -> list[str]:
        names = {s.name for s in self.vars}
        for iface in self.uses:
            names.update(iface.names(self.user))
        if self.core is not None:
            names.update(s.name for s in self.core.vars
                         if not (self.user and self._needs_import(s)))
        return sorted(names)

    # --- definitions ------------------------------------------------------------------

    def define(self, name: Symbol, value: Any) -> None:
        self.vars[name] = value

    def declare(self, name: Symbol) -> None:
        """Compile-time notice that NAME will be defined here (nothing to do yet)."""

    def export(self, name: Symbol) -> None:
        self.exports[name] = None

    def use(self, iface: Interface) -> None:
        self.uses.insert(0, iface)

    def scheme_repr(self, write: bool) -> str:
        return f"#<module ({' '.join(self.name)})>"


class Loader:
    """Finds, loads and caches modules; one per interpreter."""

    def __init__(self, load_path: list[Path], vocabulary: Callable[[ModuleName, Any], Callable | None] | None = None):
        self.load_path = [Path(p) for p in load_path] + BUNDLED_ROOTS
        self.modules: dict[ModuleName, Module] = {}
        self.loading: list[ModuleName] = []
        self.vocabulary = vocabulary
        self.core: Module | None = None
        self.core = self._primitive_module(primitives.CORE)
        self.sources: dict[str, SourceFile] = {}
        # Warnings given so far (MESSAGE, SPAN), each once per place; printed
        # to stderr as FILE:LINE:COL: warning: MESSAGE unless warning_sink is set.
        self.warnings: list[tuple[str, Span | None]] = []
        self.warning_sink: Callable[[str], None] | None = None
        # Names that may deserve a deprecation warning when looked up.
        self.warned_names: set[str] = set()
        # Host inputs: files read outside pyguix's own Scheme, environment variables read.
        self.host_files: set[str] = set()
        self.host_env: set[str] = set()
        self.channels: dict[str, bool] = {}  # bundled channel -> whether the user's Guix has it
        getenv = self.core.vars.get(sym("getenv"))
        if isinstance(getenv, primitives.Primitive):
            self.core.vars[sym("getenv")] = primitives.Primitive("getenv", self._recording_getenv(getenv.fn), 1, 1)
        exists = self.core.vars.get(sym("file-exists?"))
        if isinstance(exists, primitives.Primitive):
            self.core.vars[sym("file-exists?")] = primitives.Primitive(
                "file-exists?", self._recording_exists(exists.fn), 1, 1)

    def _recording_getenv(self, getenv: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def recording_getenv(name: Any) -> Any:
            if isinstance(name, str):
                self.host_env.add(name)
            return getenv(name)

        return recording_getenv

    def _recording_exists(self, exists: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def recording_exists(name: Any) -> Any:
            if isinstance(name, str):
                self.note_host_file(name)
            return exists(name)

        return recording_exists

    def may_warn(self, name: str) -> bool:
        """Whether NAME is deprecated somewhere (then lookups check where from)."""
        from .vocabulary import INDEX, deprecated_names

        return name in self.warned_names or (INDEX._data is not None and name in deprecated_names())

    def warn(self, message: str, span: Span | None) -> None:
        if (message, span) in self.warnings:
            return
        self.warnings.append((message, span))
        text = f"{span}: warning: {message}" if span is not None else f"pyguix: warning: {message}"
        if self.warning_sink is not None:
            self.warning_sink(text)
        else:
            import sys

            print(text, file=sys.stderr)

    def note_host_file(self, path: str | Path) -> None:
        """Record that the configuration read PATH (unless it is pyguix's own Scheme)."""
        absolute = Path(os.path.abspath(path))
        if not any(_is_under(absolute, root) for root in BUNDLED_SCHEME):
            self.host_files.add(str(absolute))

    def _primitive_module(self, name: ModuleName) -> Module:
        m = Module(name, self, export_all=True)
        m.vars.update({sym(k): v for k, v in primitives.PRIMITIVE_MODULES.get(name, {}).items()})
        return m

    def has_channel(self, channel: str) -> bool:
        got = self.channels.get(channel)
        if got is None:
            got, path = channel_enabled(channel)
            if path is not None:
                self.host_files.add(str(path))
            if "PYGUIX_CHANNELS" in os.environ:
                self.host_env.add("PYGUIX_CHANNELS")
            self.channels[channel] = got
        return got

    def find_file(self, name: ModuleName) -> Path | None:
        rel = Path(*name[:-1], name[-1] + ".scm")
        channel = BUNDLED_CHANNELS.get(name[0]) if name else None
        for root in self.load_path:
            if channel is not None and root in BUNDLED_ROOTS and not self.has_channel(channel):
                continue
            candidate = root / rel
            try:
                if candidate.is_file():
                    return candidate
            except (OSError, ValueError):  # a name too long for the file system, a NUL in it
                continue
        return None

    def load(self, name: ModuleName, span: Span | None = None) -> Module:
        # A module still being loaded is already in self.modules (partially
        # defined), so the cycle check must come first.
        if name in self.loading:
            cycle = " -> ".join("(" + " ".join(n) + ")" for n in self.loading[self.loading.index(name):] + [name])
            raise ModuleError(f"module import cycle: {cycle}", span)
        module = self.modules.get(name)
        if module is not None:
            return module
        if name == primitives.CORE:
            return self.core  # type: ignore[return-value]
        from .vocabulary import MODULE_RENAMES, module_message

        renamed = MODULE_RENAMES.get(name)
        if renamed is not None and span is not None and not getattr(span.source, "bundled", False):
            self.warn(module_message(name, renamed), span)
        path = self.find_file(name)
        fallback = self.vocabulary(name, self) if self.vocabulary else None
        if fallback is not None:
            self.warned_names.update(getattr(fallback, "compat", ()))
        if path is not None:
            module = self._load_file(name, path, fallback, span)
        elif name in primitives.PRIMITIVE_MODULES or name in BUILTIN_MODULES:
            module = self._primitive_module(name)
            module.fallback = fallback
        elif fallback is not None and (getattr(fallback, "names", None) is not None
                                       or getattr(fallback, "compat", None)):
            module = Module(name, self, fallback=fallback)  # a Guix module known from the index alone
        else:
            channel = BUNDLED_CHANNELS.get(name[0]) if name else None
            if channel is not None and any((root / Path(*name[:-1], name[-1] + ".scm")).is_file()
                                           for root in BUNDLED_ROOTS):
                hint = (f"({' '.join(name)}) is a module of the {channel} channel, which this Guix does not "
                        f"have: list the channel in ~/.config/guix/channels.scm (pyguix bundles it), or set "
                        f"PYGUIX_CHANNELS={channel}")
            else:
                hint = "check the module name; add directories with -L DIR"
            raise ModuleError(f"no code for module ({' '.join(name)})", span, hint)
        self.modules[name] = module
        return module

    def _load_file(self, name: ModuleName, path: Path, fallback, span: Span | None) -> Module:
        from .reader import read_file

        self.loading.append(name)
        try:
            self.note_host_file(path)
            bundled = any(_is_under(path, root) for root in BUNDLED_ROOTS)
            source, forms = read_file(path, cache=bundled)
            source.bundled = bundled
            self.sources[source.name] = source
            if not source.bundled:
                fallback = None  # the user's own module of that name: Guix's exports do not apply
            module = Module(name, self, fallback=fallback)
            module.user = not source.bundled
            self.modules[name] = module
            run_forms(forms, module)
            return module
        except BaseException:
            self.modules.pop(name, None)
            raise
        finally:
            self.loading.pop()

    def read_relative(self, filename: str, base: Path | None, span: Span | None) -> list[Any]:
        """Read the forms of FILENAME (relative to BASE) for `include`.  A file that
        is not Scheme is reported at the include form, without quoting its text."""
        from .reader import read_file

        path = Path(filename)
        if not path.is_absolute() and base is not None:
            path = base / path
        try:
            exists = path.exists()
        except (OSError, ValueError) as e:
            reason = (e.strerror if isinstance(e, OSError) else None) or e
            raise ModuleError(f"include: cannot read \"{filename}\": {reason}", span) from None
        if not exists:
            raise ModuleError(f"include: cannot find file \"{filename}\"", span)
        self.note_host_file(path)
        try:
            source, forms = read_file(path)
        except ReadError as e:
            if e.span is not None and filename.endswith(SCHEME_SUFFIXES):
                raise
            if e.span is None:
                raise ModuleError(f"include: {e.message}", span, e.hint) from None
            raise ModuleError(
                f"include: \"{filename}\" is not Scheme source: line {e.span.line}, column {e.span.col} "
                f"of it is not valid Scheme syntax", span,
                "include reads a file of Scheme code; for a file's contents use (local-file ...)") from None
        self.sources[source.name] = source
        return forms

    def where_defined(self, name: Symbol) -> ModuleName | None:
        from .vocabulary import needs_import

        guile = needs_import(name.name)
        if guile:
            return tuple(guile[0].split(" "))
        for mname, module in self.modules.items():
            if mname == primitives.CORE or mname[:1] == ("guile-user",) or name not in module.exports:
                continue
            vocab = module.fallback
            if vocab is not None and hasattr(vocab, "exports") and not vocab.exports(name.name):
                continue  # pyguix's own helper, not Guix's
            return mname
        return None

    # --- hints from the index of Guix's modules -----------------------------------------

    def index_hint(self, name: str) -> str | None:
        """Which of Guix's modules export NAME, and how to import one."""
        from .vocabulary import INDEX

        exporters = [m for m in INDEX.exporters(name) if m != ("gnu",)]
        if not exporters:
            return None
        families = (("gnu", "packages"), ("gnu", "services"), ("gnu", "system"))
        exporters.sort(key=lambda m: (m[:2] not in families, len(m)))
        first = exporters[0]
        families_syntax: dict[tuple[str, ...], str] = {("gnu", "packages"): "use-package-modules",
                                                       ("gnu", "services"): "use-service-modules"}
        family = families_syntax.get(first[:2])
        how = (f"({family} {' '.join(first[2:])})" if family and len(first) == 3
               else f"(use-modules ({' '.join(first)}))")
        where = " or ".join(f"({' '.join(m)})" for m in exporters[:3])
        return f"'{name}' is defined in module {where}; add it with {how}"

    def closest_in_index(self, name: str) -> list[str]:
        """Guix names close to NAME, when none of the visible ones is."""
        from .vocabulary import INDEX

        candidates = [n for n in INDEX.all_names() if abs(len(n) - len(name)) <= 3 and n[:1] == name[:1]]
        return closest_names(name, candidates)

    def older_guix_hint(self, name: str) -> str | None:
        """For a name an older Guix had: what became of it."""
        from .vocabulary import INDEX, OLD_INDEX, RENAMED

        if name in RENAMED:
            return f"'{name}' is from an older Guix; Guix {INDEX.guix_version} has {RENAMED[name]} instead"
        if INDEX.exporters(name):
            return None
        old = OLD_INDEX.exporters(name)
        if old:
            return (f"'{name}' existed in Guix {OLD_INDEX.guix_version} (module ({' '.join(old[0])})) "
                    f"but no longer in Guix {INDEX.guix_version}")
        return None


def _is_under(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except ValueError:
        return False


def run_forms(forms: list[Any], module: Module) -> Any:
    """Evaluate top-level FORMS in MODULE, one at a time; the value of the last one."""
    result: Any = UNSPECIFIED
    spans = getattr(forms, "spans", None)  # reader.Forms knows where top-level atoms are
    for i, form in enumerate(forms):
        span = form.span if isinstance(form, Pair) else (spans[i] if spans and i < len(spans) else None)
        result = eval_datum(form, module, span)
    return result


# --- the module forms ---------------------------------------------------------------


def parse_module_name(datum: Any, span: Span | None) -> ModuleName:
    if type(datum) is not Pair or not all(type(x) is Symbol for x in datum):
        raise SchemeSyntaxError("a module name is a list of symbols, such as (gnu system)", span)
    return tuple(x.name for x in datum)


def interface_from_spec(spec: Any, loader: Loader, span: Span | None) -> Interface:
    """`(gnu system)` or `((gnu system) #:select (a (b . c)) #:prefix p: #:hide (x))`."""
    if type(spec) is Pair and type(spec.car) is Pair:
        module = loader.load(parse_module_name(spec.car, spec.car_span or span), spec.car_span or span)
        select: dict[Symbol, Symbol] | None = None
        hide: set[Symbol] = set()
        prefix = None
        opts = to_list(spec.cdr)
        for key, value in zip(opts[::2], opts[1::2], strict=False):
            if key is Keyword("select"):
                select = {}
                for item in to_list(value):
                    if type(item) is Pair:  # (remote . local)
                        select[item.cdr] = item.car
                    else:
                        select[item] = item
                user = not getattr(getattr(span, "source", None), "bundled", True)
                for _local, remote in select.items():
                    if module.exported(remote, True, user) is MISSING:
                        raise UnboundVariable(
                            f"{remote.name} is not exported by module ({' '.join(module.name)})", span
                        )
            elif key is Keyword("hide"):
                hide = set(to_list(value))
            elif key is Keyword("prefix"):
                prefix = value.name if type(value) is Symbol else str(value)
            elif key is Keyword("renamer"):
                pass
        return Interface(module, select, hide, prefix)
    name = parse_module_name(spec, span)
    return Interface(loader.load(name, span))


@special("use-modules")
def _use_modules(scope: Scope, x: Pair, tail: bool) -> Node:
    module = scope.module
    for p in x.cdr.pairs() if x.cdr is not NIL else []:
        module.use(interface_from_spec(p.car, module.loader, p.car_span))
    return _constant(UNSPECIFIED)


def _family(prefix: tuple[str, ...]):
    def use_family(scope: Scope, x: Pair, tail: bool) -> Node:
        module = scope.module
        for p in x.cdr.pairs() if x.cdr is not NIL else []:
            if type(p.car) is not Symbol:
                raise SchemeSyntaxError("expected a module name such as 'base'", p.car_span)
            name = prefix + (p.car.name,)
            try:
                loaded = module.loader.load(name, p.car_span)
            except ModuleError as e:
                if e.span is p.car_span and e.message.startswith("no code for module"):
                    # As in Guix: the macro's use is where the error is (this
                    # name is in it).
                    e.span = form_span(x) or e.span
                    e.note(f"({' '.join(name)}) is named here", p.car_span)
                raise
            module.use(Interface(loaded))
        return _constant(UNSPECIFIED)

    return use_family


special("use-package-modules")(_family(("gnu", "packages")))
special("use-service-modules")(_family(("gnu", "services")))
special("use-system-modules")(_family(("gnu", "system")))


@special("define-module")
def _define_module(scope: Scope, x: Pair, tail: bool) -> Node:
    """Set up the module being loaded: its imports and exports."""
    parts = args_of(x, 1, None, "(define-module (NAME...) #:use-module (M) #:export (NAMES...) ...)")
    module = scope.module
    declared = parse_module_name(parts[0].car, parts[0].car_span)
    if module.name[:1] != ("guile-user",) and declared != module.name:
        raise SchemeSyntaxError(
            f"file declares module ({' '.join(declared)}) but was loaded as ({' '.join(module.name)})",
            parts[0].car_span
        )
    module.declared = declared
    opts = parts[1:]
    i = 0
    while i < len(opts):
        key, span = opts[i].car, opts[i].car_span
        value_pair = opts[i + 1] if i + 1 < len(opts) else None
        if not isinstance(key, Keyword) or value_pair is None:
            raise SchemeSyntaxError("define-module: expected #:KEYWORD VALUE", span)
        value = value_pair.car
        handler = _MODULE_OPTIONS.get(key.name)
        if handler is None:
            raise SchemeSyntaxError(f"define-module: unknown option #:{key.name}", span)
        handler(module, value, value_pair.car_span)
        i += 2
        if key.name == "autoload":  # #:autoload MODULE (NAMES...)
            i += 1
    return _constant(UNSPECIFIED)


def _opt_use(module: Module, value: Any, span) -> None:
    module.use(interface_from_spec(value, module.loader, span))


def _opt_export(module: Module, value: Any, span) -> None:
    for name in to_list(value):
        module.export(name.car if type(name) is Pair else name)


def _opt_reexport(module: Module, value: Any, span) -> None:
    for name in to_list(value):
        module.export(name.car if type(name) is Pair else name)


def _opt_reexport_module(module: Module, value: Any, span) -> None:
    iface = interface_from_spec(value, module.loader, span)
    module.use(iface)
    module.reexported.append(iface)


def _opt_ignore(module: Module, value: Any, span) -> None:
    return None


_MODULE_OPTIONS: dict[str, Callable[[Module, Any, Any], None]] = {
    "use-module": _opt_use,
    "export": _opt_export,
    "export-syntax": _opt_export,
    "replace": _opt_export,
    "re-export": _opt_reexport,
    "re-export-syntax": _opt_reexport,
    # pyguix extension used by the bundled (gnu) module: export all of a module's exports.
    "re-export-module": _opt_reexport_module,
    "pure": _opt_ignore,
    "declarative?": _opt_ignore,
    "duplicates": _opt_ignore,
    "version": _opt_ignore,
}


def _opt_autoload(module: Module, value: Any, span) -> None:
    module.use(interface_from_spec(value, module.loader, span))


_MODULE_OPTIONS["autoload"] = _opt_autoload
