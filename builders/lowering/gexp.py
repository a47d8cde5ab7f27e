"""G-expressions -> Guile source text for the running system.

A gexp `#~(make-forkexec-constructor (list #$(file-append openssh "/sbin/sshd") "-D"))`
is kept by the interpreter (schemeconf/filelike.py) as the datum it was
written as, plus the evaluated values of its `(ungexp ...)` references in the
order `_collect_ungexps` finds them: depth first, left to right, not inside
nested `#~` forms.  Lowering prints the datum back as Guile code, each `#$X`
replaced by X lowered:

* a package -> where its Debian substitute installs it, "/usr" (trixie is
  usr-merged, so Guix's PKG/sbin/sshd is /usr/sbin/sshd);
* `(file-append PKG "/sbin/sshd")` -> "/usr/sbin/sshd", or the Debian path of
  DEBIAN_PATHS where Debian puts the file elsewhere;
* a plain-file, mixed-text-file or local-file -> the path where the image
  holds it, /etc/pyguix/files/HASH-NAME (Guix's /gnu/store/HASH-NAME), its
  content recorded as an EtcFilePlan for the builder to write;
* strings, numbers, symbols, keywords, lists -> themselves, as Guile reads
  them; `#$@LIST` splices; a nested gexp `#$#~(...)` is inlined.

What cannot run on the image -- a computed-file or program-file (build-side
code), `#$output`, a record -- is a ConfigError at the reference.  The output
is deterministic: the same gexp gives the same text, byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from builders.lowering.digest import source_digest
from builders.plan import EtcFilePlan, Origin
from schemeconf.datum import NIL, Char, Keyword, Pair, Symbol, Vector, sym
from schemeconf.errors import ConfigError
from schemeconf.filelike import UNGEXP, ComputedFile, FileAppend, FileLike, Gexp, LocalFile, MixedTextFile, PlainFile
from schemeconf.printer import write_string
from schemeconf.source import Span
from schemeconf.vocabulary import Package

DEBIAN_PREFIX = "/usr"                 # where Debian's packages install (usr-merged)
PLACED_FILES = "/etc/pyguix/files"     # where files a gexp refers to are placed
MAX_DEPTH = 200                        # nesting of the printed code
MAX_TEXT = 4 * 1024 * 1024             # characters of code per lowering

# (Guix package name, file under its prefix) -> (the file in the Debian image,
# the Debian package that has it).  Only where the path is not "/usr" + FILE,
# or where the Debian package is worth knowing (Guix's one package is
# several in Debian).  Checked against trixie (shared/running-system.md §8).
DEBIAN_PATHS: dict[tuple[str, str], tuple[str, str]] = {
    ("openssh", "/sbin/sshd"): ("/usr/sbin/sshd", "openssh-server"),
    ("openssh", "/bin/ssh-keygen"): ("/usr/bin/ssh-keygen", "openssh-client"),
    ("openssh", "/libexec/sftp-server"): ("/usr/lib/openssh/sftp-server", "openssh-sftp-server"),
    ("inetutils", "/libexec/syslogd"): ("/usr/sbin/syslogd", "inetutils-syslogd"),
    ("ntp", "/bin/ntpd"): ("/usr/sbin/ntpd", "ntpsec"),
    ("ntp", "/sbin/ntpd"): ("/usr/sbin/ntpd", "ntpsec"),
    ("openntpd", "/sbin/ntpd"): ("/usr/sbin/ntpd", "openntpd"),
    ("glibc", "/sbin/nscd"): ("/usr/sbin/nscd", "nscd"),
    ("glibc", "/sbin/ldconfig"): ("/usr/sbin/ldconfig", "libc-bin"),
    ("eudev", "/sbin/udevd"): ("/usr/lib/systemd/systemd-udevd", "udev"),
    ("eudev", "/bin/udevadm"): ("/usr/bin/udevadm", "udev"),
    ("shepherd", "/bin/herd"): ("/usr/bin/herd", "shepherd"),
    ("shepherd", "/bin/shepherd"): ("/usr/bin/shepherd", "shepherd"),
    ("shepherd", "/sbin/halt"): ("/usr/libexec/shepherd/sbin/halt", "shepherd"),
    ("shepherd", "/sbin/reboot"): ("/usr/libexec/shepherd/sbin/reboot", "shepherd"),
    ("shepherd", "/sbin/shutdown"): ("/usr/libexec/shepherd/sbin/shutdown", "shepherd"),
    ("guile", "/bin/guile"): ("/usr/bin/guile-3.0", "guile-3.0"),
    ("util-linux", "/sbin/agetty"): ("/usr/sbin/agetty", "util-linux"),
    ("util-linux", "/bin/mount"): ("/usr/bin/mount", "mount"),
    ("util-linux", "/bin/umount"): ("/usr/bin/umount", "mount"),
    ("shadow", "/bin/login"): ("/usr/bin/login", "login"),
    ("shadow", "/sbin/nologin"): ("/usr/sbin/nologin", "login"),
    ("mingetty", "/sbin/mingetty"): ("/usr/sbin/mingetty", "mingetty"),
    ("isc-dhcp", "/sbin/dhclient"): ("/usr/sbin/dhclient", "isc-dhcp-client"),
    ("dhcpcd", "/sbin/dhcpcd"): ("/usr/sbin/dhcpcd", "dhcpcd-base"),
    ("iproute2", "/sbin/ip"): ("/usr/sbin/ip", "iproute2"),
    ("procps", "/sbin/sysctl"): ("/usr/sbin/sysctl", "procps"),
    ("kmod", "/bin/modprobe"): ("/usr/sbin/modprobe", "kmod"),
    ("nginx", "/sbin/nginx"): ("/usr/sbin/nginx", "nginx"),
    ("nginx", "/share/nginx/conf/mime.types"): ("/etc/nginx/mime.types", "nginx-common"),
    ("bash", "/bin/sh"): ("/usr/bin/bash", "bash"),          # Guix's sh is Bash; Debian's is dash
    ("bash-minimal", "/bin/sh"): ("/usr/bin/bash", "bash"),
    ("coreutils", "/bin/dd"): ("/usr/bin/dd", "coreutils"),
    ("coreutils", "/bin/env"): ("/usr/bin/env", "coreutils"),
}  # fmt: skip

# Where a name of the image's placed files may not go: it becomes a file name.
_BAD_NAME = re.compile(r"[/\x00-\x1f\x7f]")


@dataclass
class Lowering:
    """Lowers gexps (and file-like objects) to Guile text, collecting what they
    refer to: Guix package names, Debian package names, absolute paths in the
    image, and the files the image must hold (PLACED, path -> plan)."""

    packages: set[str] = field(default_factory=set)
    debian_packages: set[str] = field(default_factory=set)
    files: dict[str, None] = field(default_factory=dict)      # insertion-ordered set
    placed: dict[str, EtcFilePlan] = field(default_factory=dict)
    _size: int = 0

    # --- gexps ---------------------------------------------------------------------------

    def gexp(self, g: Gexp, span: Span | None = None) -> str:
        """The Guile text of gexp G."""
        refs = iter(g.references)
        out: list[str] = []
        self._datum(g.datum, refs, out, 0, span)
        text = "".join(out)
        self._size += len(text)
        if self._size > MAX_TEXT:
            raise ConfigError(f"the services' code is larger than {MAX_TEXT} characters", span)
        return text

    def code(self, value: Any, span: Span | None = None) -> str:
        """Guile text for VALUE where a gexp is expected (a gexp, or a value
        that stands for itself)."""
        if isinstance(value, Gexp):
            return self.gexp(value, span)
        out: list[str] = []
        self._value(value, out, 0, span)
        return "".join(out)

    def _datum(self, x: Any, refs: Any, out: list[str], depth: int, span: Span | None) -> None:
        """Print the gexp body datum X, replacing its (ungexp ...) forms."""
        if depth > MAX_DEPTH:
            raise ConfigError(f"the code of a gexp is nested more than {MAX_DEPTH} levels deep", span)
        if type(x) is not Pair:
            out.append(_atom(x, span))
            return
        here = x.span or x.car_span or span
        head = x.car
        if type(head) is Symbol and head in UNGEXP and type(x.cdr) is Pair:
            if head.name.endswith("-splicing"):
                raise ConfigError("#$@ (ungexp-splicing) outside of a list in a gexp", here)
            self._value(self._next(refs, here), out, depth + 1, here)
            return
        if head is sym("gexp"):
            self._nested(x, refs, out, depth, here)
            return
        out.append("(")
        first = True
        while True:
            item = x.car
            if type(item) is Pair and type(item.car) is Symbol and item.car in UNGEXP and type(item.cdr) is Pair \
                    and item.car.name.endswith("-splicing"):
                where = item.span or item.car_span or here
                spliced = self._next(refs, where)
                for element in _elements(spliced, where, "#$@ (ungexp-splicing) of"):
                    if not first:
                        out.append(" ")
                    self._value(element, out, depth + 1, where)
                    first = False
            else:
                if not first:
                    out.append(" ")
                self._datum(item, refs, out, depth + 1, here)
                first = False
            rest = x.cdr
            if rest is NIL:
                break
            if type(rest) is not Pair:
                out.append(" . ")
                out.append(_atom(rest, here))
                break
            if type(rest.car) is Symbol and rest.car in UNGEXP and type(rest.cdr) is Pair:
                # (a . #$x) reads as (a ungexp x): the tail is the reference.
                if rest.car.name.endswith("-splicing"):
                    raise ConfigError("#$@ (ungexp-splicing) in the tail of a dotted list", here)
                out.append(" . ")
                self._value(self._next(refs, here), out, depth + 1, here)
                break
            x = rest
        out.append(")")

    def _nested(self, x: Pair, refs: Any, out: list[str], depth: int, span: Span | None) -> None:
        """A #~ written inside a #~: its code, inline, when it refers to nothing.
        (The interpreter evaluates no #$ inside a nested #~: there is nothing
        to put in their place.)"""
        body = x.cdr.car if type(x.cdr) is Pair else NIL
        found: list[Pair] = []
        _ungexps_in(body, found)
        if found:
            raise ConfigError("a #~ inside a #~ with its own #$ references cannot be lowered", span,
                              "write #$#~(...) (ungexp the inner gexp) instead")
        self._datum(body, iter(()), out, depth + 1, span)

    @staticmethod
    def _next(refs: Any, span: Span | None) -> Any:
        try:
            return next(refs)
        except StopIteration:
            raise ConfigError("internal: a gexp has fewer references than #$ forms", span) from None

    # --- values that #$ inserts ----------------------------------------------------------------

    def _value(self, v: Any, out: list[str], depth: int, span: Span | None) -> None:
        if depth > MAX_DEPTH:
            raise ConfigError(f"a value in a gexp is nested more than {MAX_DEPTH} levels deep", span)
        if isinstance(v, Gexp):
            out.append(self.gexp(v, span))
        elif isinstance(v, Package):
            self._package(v, span)
            out.append(write_string(DEBIAN_PREFIX))
        elif isinstance(v, (FileAppend, PlainFile, MixedTextFile, LocalFile)):
            out.append(write_string(self.path(v, span)))
        elif isinstance(v, ComputedFile):
            raise ConfigError(f"{v.kind} '{v.name}' is made by running build-side code, which pyguix does not run",
                              span, "use plain-file, mixed-text-file or local-file for files the services read")
        elif type(v) is Pair or v is NIL:
            out.append("(")
            for i, element in enumerate(_elements(v, span, "the list")):
                if i:
                    out.append(" ")
                self._value(element, out, depth + 1, span)
            out.append(")")
        elif isinstance(v, Vector):
            out.append("#(")
            for i, element in enumerate(v):
                if i:
                    out.append(" ")
                self._value(element, out, depth + 1, span)
            out.append(")")
        else:
            out.append(_atom(v, span))

    def _package(self, p: Package, span: Span | None) -> None:
        if p.name == "output" and p.module == ("guix", "gexp"):
            raise ConfigError("#$output names the output of a build, which a service's code does not have", span)
        self.packages.add(p.name)

    # --- paths ---------------------------------------------------------------------------------

    def path(self, v: Any, span: Span | None) -> str:
        """The absolute path in the image that file-like V stands for."""
        if isinstance(v, FileAppend):
            suffix = "".join(v.suffixes)
            if "\x00" in suffix or "\n" in suffix or ".." in suffix.split("/"):
                raise ConfigError(f"file-append: {suffix!r} is not a file name inside the package", span)
            base = v.base
            if isinstance(base, Package):
                self._package(base, span)
                known = DEBIAN_PATHS.get((base.name, suffix))
                if known is not None:
                    path, debian = known
                    self.debian_packages.add(debian)
                else:
                    path = DEBIAN_PREFIX + suffix
                self.files[path] = None
                return path
            if isinstance(base, str):
                return base + suffix
            return self.path(base, span) + suffix
        if isinstance(v, Package):
            self._package(v, span)
            return DEBIAN_PREFIX
        if isinstance(v, (PlainFile, MixedTextFile, LocalFile)):
            return self.place(v, span)
        if isinstance(v, ComputedFile):
            raise ConfigError(f"{v.kind} '{v.name}' is made by running build-side code, which pyguix does not run",
                              span, "use plain-file, mixed-text-file or local-file")
        raise ConfigError(f"{_show(v)} is not a file-like object", span)

    def place(self, v: PlainFile | MixedTextFile | LocalFile, span: Span | None) -> str:
        """Where the image holds file V (/etc/pyguix/files/HASH-NAME), recorded in PLACED."""
        name = v.name
        if not name or name in (".", "..") or _BAD_NAME.search(name):
            raise ConfigError(f"{v.kind}: {name!r} cannot be a file name", span,
                              "a file's name is one path component, without control characters")
        plan = self.file_plan("/", v, span)
        path = f"{PLACED_FILES}/{plan.sha256[:32]}-{name}"
        if path not in self.placed:
            self.placed[path] = EtcFilePlan(path, content=plan.content, encoding=plan.encoding, source=plan.source,
                                            mode=plan.mode, sha256=plan.sha256, origin=plan.origin)
        self.files[path] = None
        return path

    def file_plan(self, path: str, v: Any, span: Span | None) -> EtcFilePlan:
        """The plan of the file at PATH made of the file-like V (a string is its content)."""
        where = _origin(span)
        if isinstance(v, (PlainFile, str)):
            content = v.content if isinstance(v, PlainFile) else v
            return _content_plan(path, content.encode("utf-8") if isinstance(content, str) else bytes(content),
                                 where)
        if isinstance(v, MixedTextFile):
            parts = [part if isinstance(part, str) else self._text_of(part, span) for part in v.parts]
            return _content_plan(path, "".join(parts).encode("utf-8"), where)
        if isinstance(v, LocalFile):
            source = os.fspath(v.path)
            executable = os.path.isfile(source) and os.access(source, os.X_OK)
            return EtcFilePlan(path, source=source, mode=0o555 if executable else 0o444,
                               sha256=source_digest(source), origin=where)
        joined = tagged(v, "concatenated-files")
        if joined is not None:
            return _content_plan(path, b"".join(self._bytes_of(part, span) for part in joined), where)
        rule = tagged(v, "udev-rule")
        if rule is not None and len(rule) == 2:            # (udev-rule NAME CONTENTS-OR-FILE)
            contents = rule[1]
            return _content_plan(path, self._bytes_of(contents, span), where)
        if isinstance(v, ComputedFile):
            raise ConfigError(f"{v.kind} '{v.name}' is made by running build-side code, which pyguix does not run",
                              span, "use plain-file, mixed-text-file or local-file")
        raise ConfigError(f"{_show(v)} is not a file-like object", span)

    def _text_of(self, part: Any, span: Span | None) -> str:
        """A part of a mixed-text-file: a file-like becomes its path, as in Guix."""
        if isinstance(part, (int, float, Fraction)) and not isinstance(part, bool):
            return str(part)
        if isinstance(part, Symbol):
            return part.name
        if isinstance(part, (Package, FileAppend, PlainFile, MixedTextFile, LocalFile, ComputedFile)):
            return self.path(part, span)
        raise ConfigError(f"mixed-text-file: {_show(part)} is not text or a file-like object", span)

    def _bytes_of(self, part: Any, span: Span | None) -> bytes:
        """The content of a file joined into another (authorized keys)."""
        if isinstance(part, str):
            return part.encode("utf-8")
        if isinstance(part, LocalFile):
            if not os.path.isfile(part.path):
                raise ConfigError(f"local-file {os.fspath(part.path)} is not a regular file", span)
            with open(part.path, "rb") as f:
                return f.read()
        plan = self.file_plan("/", part, span)
        if plan.content is None:
            raise ConfigError(f"{_show(part)} has no content pyguix can read", span)
        return base64.b64decode(plan.content) if plan.encoding == "base64" else plan.content.encode("utf-8")


def gexp_text(g: Gexp, span: Span | None = None) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(TEXT, PACKAGES, FILES): the Guile code of gexp G, the Guix package names
    it refers to (sorted) and the absolute paths in the image it names."""
    lowering = Lowering()
    text = lowering.gexp(g, span)
    return text, tuple(sorted(lowering.packages)), tuple(lowering.files)


# --- helpers ---------------------------------------------------------------------------------


def _atom(x: Any, span: Span | None) -> str:
    """A datum that is not a pair, as Guile reads it back."""
    if x is True or x is False or x is NIL or isinstance(x, (str, Symbol, Keyword, Char, Fraction, bytes)):
        return write_string(x)
    if isinstance(x, (int, float)):
        return write_string(x)
    if isinstance(x, Vector):
        return write_string(x)
    raise ConfigError(f"{_show(x)} cannot be written into the services' code", span,
                      "a gexp may refer to packages, files, strings, numbers, symbols and lists of them")


def _elements(v: Any, span: Span | None, what: str) -> list[Any]:
    """The elements of the proper list V (no cycles), else a ConfigError."""
    items: list[Any] = []
    seen: set[int] = set()
    while type(v) is Pair:
        if id(v) in seen:
            raise ConfigError(f"{what} is circular", span)
        seen.add(id(v))
        items.append(v.car)
        v = v.cdr
    if v is not NIL:
        raise ConfigError(f"{what} {_show(v)} is not a proper list", span)
    return items


def _ungexps_in(x: Any, out: list[Pair]) -> None:
    todo = [x]
    while todo:
        x = todo.pop()
        if type(x) is not Pair:
            continue
        if type(x.car) is Symbol and x.car in UNGEXP:
            out.append(x)
            continue
        todo.append(x.cdr)
        todo.append(x.car)


def tagged(v: Any, tag: str) -> list[Any] | None:
    """The items of a computed-file whose "code" is pyguix's list (TAG ITEM ...),
    else None.  The bundled Scheme uses such lists where Guix runs build code:
    (concatenated-files FILE ...) joins files (authorized keys), (udev-rule NAME
    CONTENTS) is a rule file, (directory FILE ...) puts files under their names."""
    if not isinstance(v, ComputedFile):
        return None
    datum = v.gexp
    if type(datum) is Pair and datum.car is sym(tag):
        return _elements(datum.cdr, None, tag)
    return None


def _content_plan(path: str, data: bytes, where: Origin | None) -> EtcFilePlan:
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(data).decode("ascii"), "base64"
    return EtcFilePlan(path, content=text, encoding=encoding, sha256=hashlib.sha256(data).hexdigest(), origin=where)


def _origin(span: Span | None) -> Origin | None:
    return Origin(span.source.name, span.line, span.col) if span else None


def _show(v: Any) -> str:
    text = write_string(v) if not isinstance(v, FileLike) else v.scheme_repr(True)
    return text if len(text) <= 60 else text[:57] + "..."


def sorted_unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(items)))
