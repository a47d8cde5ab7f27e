"""`pyguix system describe FILE [-t TYPE]`: what pyguix makes of a config, said
the way the real GNU Guix says it.

The output has the shape of the Guix oracle's summary (the S-expressions that
/work/shared/oracle/run.sh prints with Guix's own modules), so that the two can
be compared field by field (tests/test_oracle_parity.py does, against the
goldens in tests/oracle/):

    (file "server.scm" evaluates-to operating-system)
    (operating-system (host-name "komputilo") (timezone ...) ... (services (...)))

or, with an image type (or for a file that is an image):

    (file "server.scm" evaluates-to operating-system)
    (image-summary
     (image-type qcow2)
     (image (name image.qcow2) (format compressed-qcow2) ... (partitions (...)))
     (cli-image same-as-image)               ; or the image as the CLI hands it on
     (system-image (ok (computed-file "image.qcow2")))   ; or (error "...")
     (operating-system ...))

A field whose computation fails is printed as (error "message"), as Guix's
summary does.  `system-image` is the verdict of the image checks (Guix's
"EFI bootloader required with GPT partitioning" and the like).

Nothing here builds anything; the records are only read.  The module also has
a small reader and printer for these S-expressions (used by the parity test).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemeconf.datum import NIL, Pair, Symbol, sym, to_list
from schemeconf.errors import SchemeError
from schemeconf.records import Record

# --- the data: plain Python values -----------------------------------------------------------
#
# A datum is a str (a Scheme string), an int, a bool, a Sym (a symbol), a list
# (a proper list) or a Dotted (an improper list).


@dataclass(frozen=True)
class Sym:
    name: str

    def __repr__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Dotted:
    items: tuple
    tail: Any


def S(name: str) -> Sym:
    return Sym(name)


def field(name: str, value: Any) -> list:
    return [Sym(name), value]


def safe(fn: Callable[[], Any]) -> Any:
    """FN's value, or (error "message") if computing it fails (as Guix's `safe`)."""
    try:
        return fn()
    except SchemeError as e:
        return [Sym("error"), e.message]
    except (ValueError, TypeError, AttributeError) as e:  # a malformed value (e.g. an improper list)
        return [Sym("error"), str(e)]


# --- Scheme values -> data -------------------------------------------------------------------

PLATFORM_VARIABLES = {
    "x86_64-linux": "x86_64-linux", "i686-linux": "i686-linux", "aarch64-linux": "aarch64-linux",
    "armhf-linux": "armv7-linux", "riscv64-linux": "riscv64-linux", "i586-gnu": "i586-gnu",
    "x86_64-gnu": "x86_64-gnu", "powerpc64le-linux": "powerpc64le-linux", "mips64el-linux": "mips64el-linux",
}


def _list(value: Any) -> list:
    return [] if value is NIL or value is False else to_list(value)


def _is_package(v: Any) -> bool:
    from schemeconf.vocabulary import Package

    return isinstance(v, Package)


def package_sexp(p: Any) -> Any:
    """Guix's (name version); pyguix knows a package by its variable, often without a version."""
    from schemeconf.filelike import FileAppend, Gexp

    if _is_package(p):
        return [p.name, p.version] if p.version else [p.name]
    if p is False:
        return False
    if isinstance(p, Pair) and _is_package(p.car):  # (PACKAGE OUTPUT)
        return package_sexp(p.car) + [value_sexp(x) for x in to_list(p.cdr)]
    if isinstance(p, FileAppend):
        return [Sym("file-append"), package_sexp(p.base), "".join(p.suffixes)]
    if isinstance(p, str):
        return p
    if isinstance(p, Gexp):
        return Sym("gexp")
    return [Sym("object"), _display(p)]


def package_name(p: Any) -> Any:
    """Guix's package-name*: NAME, or (NAME OUTPUT...) for a (PACKAGE OUTPUT) entry."""
    if _is_package(p):
        return p.name if p.output in (None, "out") else [p.name, p.output]
    if isinstance(p, Pair) and _is_package(p.car):
        return [p.car.name, *[value_sexp(x) for x in to_list(p.cdr)]]
    return package_sexp(p)


def device_sexp(d: Any) -> Any:
    from builders.lowering.lower import uuid_string

    if isinstance(d, str) or d is False:
        return d
    if isinstance(d, Record):
        if d.rtype.name == "<file-system-label>":
            return [Sym("label"), d.get("label")]
        if d.rtype.name == "<uuid>":
            kind = d.get("type")
            return [Sym("uuid"), uuid_string(d), Sym(kind.name) if isinstance(kind, Symbol) else value_sexp(kind)]
    return [Sym("object"), _display(d)]


def value_sexp(v: Any) -> Any:
    """Strings, numbers, symbols, booleans and lists of them as they are; packages,
    file-appends, UUIDs and labels described; gexps as `gexp`; anything else (object "...")."""
    from schemeconf.filelike import FileAppend, Gexp

    if isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, Symbol):
        return Sym(v.name)
    if v is NIL:
        return []
    if _is_package(v) or isinstance(v, FileAppend):
        return package_sexp(v)
    if isinstance(v, Gexp):
        return Sym("gexp")
    if isinstance(v, Record) and v.rtype.name in ("<uuid>", "<file-system-label>"):
        return device_sexp(v)
    if isinstance(v, Pair):
        items, tail = [], v
        while isinstance(tail, Pair):
            items.append(value_sexp(tail.car))
            tail = tail.cdr
        return items if tail is NIL else Dotted(tuple(items), value_sexp(tail))
    return [Sym("object"), _display(v)]


def _display(v: Any) -> str:
    from schemeconf.printer import display_string

    try:
        return display_string(v)
    except Exception:  # noqa: BLE001 - a description only
        return repr(v)


def _sym_list(value: Any) -> list:
    return [Sym(x.name) if isinstance(x, Symbol) else value_sexp(x) for x in _list(value)]


def file_system_sexp(fs: Record) -> list:
    return [Sym("file-system"),
            field("device", device_sexp(fs.get("device"))),
            field("mount-point", fs.get("mount-point")),
            field("type", fs.get("type")),
            field("options", value_sexp(fs.get("options"))),
            field("flags", _sym_list(fs.get("flags"))),
            field("mount?", fs.get("mount?")),
            field("needed-for-boot?", safe(lambda: _needed_for_boot(fs))),
            field("check?", value_sexp(fs.get("check?"))),
            field("create-mount-point?", value_sexp(fs.get("create-mount-point?")))]


def _file_prefix(prefix: str, file: str) -> bool:
    a = [x for x in prefix.split("/") if x]
    b = [x for x in file.split("/") if x]
    return b[:len(a)] == a


def _needed_for_boot(fs: Record) -> Any:
    """Guix's file-system-needed-for-boot?: the field, or #t for a file system holding
    the store (the root file system...) that is not a bind mount."""
    own = fs.get("needed-for-boot?")
    if own is not False:
        return value_sexp(own)
    mount_point, flags = fs.get("mount-point"), fs.get("flags")
    return (isinstance(mount_point, str) and _file_prefix(mount_point, "/gnu/store")
            and not any(isinstance(f, Symbol) and f.name == "bind-mount" for f in _list(flags)))


def swap_sexp(s: Any) -> Any:
    if isinstance(s, Record) and s.rtype.name == "<swap-space>":
        return [Sym("swap-space"),
                field("target", device_sexp(s.get("target"))),
                field("priority", value_sexp(s.get("priority"))),
                field("discard?", value_sexp(s.get("discard?")))]
    return device_sexp(s)


def user_sexp(u: Record) -> list:
    return [Sym("user-account"),
            field("name", u.get("name")),
            field("group", u.get("group")),
            field("supplementary-groups", value_sexp(u.get("supplementary-groups"))),
            field("home-directory", safe(lambda: value_sexp(u.get("home-directory")))),
            field("shell", value_sexp(u.get("shell"))),
            field("comment", value_sexp(u.get("comment"))),
            field("password", safe(lambda: _password(u.get("password")))),
            field("uid", value_sexp(u.get("uid"))),
            field("system?", value_sexp(u.get("system?")))]


def _password(value: Any) -> Any:
    """A (crypt PASSWORD SALT) is hashed, as Guile's `crypt` does when the config is loaded."""
    from schemeconf.vocabulary import CryptRequest

    if isinstance(value, CryptRequest):
        from builders.lowering.lower import _password as hashed

        return hashed(value)
    return value_sexp(value)


def _targets(conf: Record) -> Any:
    targets = conf.get("targets")
    if targets is not False:
        return value_sexp(targets)
    # Guix's bootloader-configuration-targets: (list target), (#f) when neither is given.
    target = conf.get("target") if "target" in {f.name.name for f in conf.rtype.fields} else False
    return [value_sexp(target)]


def bootloader_sexp(conf: Record) -> list:
    b = conf.get("bootloader")
    names = {f.name.name for f in conf.rtype.fields}

    def opt(name: str, default: Any = False) -> Any:
        return value_sexp(conf.get(name)) if name in names else default

    return [Sym("bootloader-configuration"),
            field("bootloader", Sym(b.get("name").name)),
            field("package", safe(lambda: package_sexp(b.get("package")))),
            field("targets", safe(lambda: _targets(conf))),
            field("timeout", opt("timeout")),
            field("default-entry", opt("default-entry")),
            field("menu-entries", len(_list(conf.get("menu-entries"))) if "menu-entries" in names else 0),
            field("terminal-outputs", opt("terminal-outputs")),
            field("terminal-inputs", opt("terminal-inputs", [])),
            field("serial-unit", opt("serial-unit")),
            field("serial-speed", opt("serial-speed")),
            field("keyboard-layout", Sym("keyboard-layout") if names >= {"keyboard-layout"}
                  and conf.get("keyboard-layout") is not False else False),
            field("device-tree-support?", opt("device-tree-support?", True))]


def _service_name(s: Any) -> Any:
    name = s.get("kind").get("name")
    return Sym(name.name) if isinstance(name, Symbol) else value_sexp(name)


def os_sexp(os: Record) -> list:
    g = os.get

    def ks(fn: Callable[[], Any]) -> Any:
        return safe(fn)

    return [Sym("operating-system"),
            field("host-name", ks(lambda: g("host-name"))),
            field("timezone", ks(lambda: value_sexp(g("timezone")))),
            field("locale", ks(lambda: g("locale"))),
            field("label", ks(lambda: value_sexp(g("label")))),
            field("kernel", ks(lambda: package_sexp(g("kernel")))),
            field("hurd", ks(lambda: package_sexp(g("hurd")))),
            field("kernel-arguments", ks(lambda: [value_sexp(a) for a in _list(g("kernel-arguments"))])),
            field("initrd-modules", ks(lambda: value_sexp(g("initrd-modules")))),
            field("firmware", ks(lambda: [package_name(p) for p in _list(g("firmware"))])),
            field("keyboard-layout",
                  ks(lambda: Sym("keyboard-layout") if g("keyboard-layout") is not False else False)),
            field("bootloader", ks(lambda: bootloader_sexp(g("bootloader")))),
            field("mapped-devices", ks(lambda: len(_list(g("mapped-devices"))))),
            field("file-systems", ks(lambda: [file_system_sexp(fs) for fs in _list(g("file-systems"))])),
            field("swap-devices", ks(lambda: [swap_sexp(s) for s in _list(g("swap-devices"))])),
            field("users", ks(lambda: [user_sexp(u) for u in _list(g("users"))])),
            field("groups", ks(lambda: [grp.get("name") for grp in _list(g("groups"))])),
            field("packages", ks(lambda: [package_name(p) for p in _list(g("packages"))])),
            field("services", ks(lambda: [_service_name(s) for s in _list(g("services"))])),
            field("essential-services", ks(lambda: [_service_name(s) for s in _list(g("essential-services"))]))]


# --- images ----------------------------------------------------------------------------------


def platform_sexp(p: Any) -> Any:
    if not isinstance(p, Record):
        return value_sexp(p)
    system = p.get("system")
    return [Sym(PLATFORM_VARIABLES.get(system, "unknown-platform")),
            field("target", p.get("target")), field("system", system)]


# The partition initializers Guix names, as the partitions whose initializer
# each is (Guix's initializers are gexps, told apart by identity: any other
# gexp is shown as `gexp`).  pyguix's own modules bind them as symbols; a
# file that is itself one of these modules (Guix's gnu/system/images/hurd.scm
# loaded as a configuration) defines them as gexps, which Guix then names.
KNOWN_INITIALIZERS = (
    ("initialize-root-partition", ("gnu", "system", "image"), "root-partition"),
    ("initialize-efi-partition", ("gnu", "system", "image"), "esp-partition/grub"),
    ("initialize-efi32-partition", ("gnu", "system", "image"), "esp32-partition/grub"),
    ("initialize-hurd-root-partition", ("gnu", "system", "images", "hurd"), "hurd-disk-image"),
)


def known_initializers(interp: Any) -> dict[int, str]:
    """id(INITIALIZER) -> Guix's name, for the gexps of KNOWN_INITIALIZERS that the
    loaded file defines (when its define-module names the module)."""
    module = getattr(interp, "last_module", None)
    declared = getattr(module, "declared", None)
    out: dict[int, str] = {}
    for name, module_name, variable in KNOWN_INITIALIZERS:
        if module is None or declared != module_name:
            continue
        value = module.vars.get(sym(variable))
        if isinstance(value, Record) and value.rtype.name == "<image>":
            value = next(iter(_list(value.get("partitions"))), None)
        if isinstance(value, Record) and value.rtype.name == "<partition>":
            out[id(value.get("initializer"))] = name
    return out


def initializer_sexp(i: Any, known: dict[int, str] | None = None) -> Any:
    from schemeconf.filelike import Gexp

    if i is False:
        return False
    if isinstance(i, Symbol):
        return Sym(i.name)
    if isinstance(i, Gexp):
        return Sym((known or {}).get(id(i), "gexp"))
    return value_sexp(i)


def partition_sexp(p: Record, known: dict[int, str] | None = None) -> list:
    return [Sym("partition"),
            field("size", value_sexp(p.get("size"))),
            field("offset", value_sexp(p.get("offset"))),
            field("label", value_sexp(p.get("label"))),
            field("file-system", value_sexp(p.get("file-system"))),
            field("file-system-options", value_sexp(p.get("file-system-options"))),
            field("flags", _sym_list(p.get("flags"))),
            field("uuid", device_sexp(p.get("uuid"))),
            field("initializer", initializer_sexp(p.get("initializer"), known))]


def image_sexp(img: Record, known: dict[int, str] | None = None) -> list:
    g = img.get
    return [Sym("image"),
            field("name", value_sexp(g("name"))),
            field("format", value_sexp(g("format"))),
            field("platform", safe(lambda: platform_sexp(g("platform")))),
            field("size", value_sexp(g("size"))),
            field("max-layers", value_sexp(g("max-layers"))),
            field("partition-table-type", value_sexp(g("partition-table-type"))),
            field("compression?", value_sexp(g("compression?"))),
            field("volatile-root?", value_sexp(g("volatile-root?"))),
            field("shared-store?", value_sexp(g("shared-store?"))),
            field("shared-network?", value_sexp(g("shared-network?"))),
            field("substitutable?", value_sexp(g("substitutable?"))),
            field("partitions", [partition_sexp(p, known) for p in _list(g("partitions"))])]


def system_image_check(img: Record, type_name: str | None) -> list:
    """pyguix's verdict on the image it would build: (ok (computed-file NAME)) or (error "...")."""
    from builders.lowering.lower import lower_image

    try:
        plan = lower_image(img, type_name)
    except SchemeError as e:
        return [Sym("error"), e.message]
    return [Sym("ok"), [Sym("computed-file"), GUIX_OUTPUT_NAMES.get(plan.format, plan.name)]]


# The file name Guix's system-image gives a docker, tarball or WSL image,
# whatever the image's own name (gnu/system/image.scm: system-docker-image,
# system-tarball-image).
GUIX_OUTPUT_NAMES = {"docker": "docker-image.tar.gz", "tarball": "image.tar.gz", "wsl2": "image.tar.gz"}


def image_summary(interp: Any, image: Record, type_name: str | None, label=None, image_size=None,
                  volatile=False) -> list:
    from builders.frontend import _apply_options

    cli = _apply_options(interp, image, label, image_size, volatile)
    known = known_initializers(interp)
    shown, cli_shown = image_sexp(image, known), image_sexp(cli, known)
    os = image.get("operating-system")
    summary = [Sym("image-summary"), field("image-type", Sym(type_name) if type_name else False), shown,
               field("cli-image", Sym("same-as-image") if cli_shown == shown else cli_shown)]
    if os is False:
        summary.append(field("operating-system", False))
    else:
        summary.append(field("system-image", system_image_check(cli, type_name)))
        summary.append(os_sexp(os))
    return summary


# --- the whole file --------------------------------------------------------------------------


def describe(file: Path | None, image_type: str | None = None, load_path: list[Path] | None = None,
             expression: str | None = None) -> list:
    """The data `pyguix system describe` prints (a list of top-level forms)."""
    from builders.frontend import _interpreter

    interp = _interpreter(list(load_path or []))
    if expression is not None:
        value = interp.eval_string(expression, name="<expression>")
        return describe_value(interp, value, "<expression>", image_type)
    value = interp.load_file(file)
    return describe_value(interp, value, str(file), image_type)


def describe_value(interp: Any, value: Any, source: str, image_type: str | None = None) -> list:
    """What to print for VALUE, the value of the file SOURCE (with -t IMAGE_TYPE)."""
    from builders.frontend import _image_from_value
    from schemeconf.interpreter import run_deep

    base = Path(source).name if source != "<expression>" else source

    def work() -> list:
        kind = value.rtype.name if isinstance(value, Record) else None
        if kind == "<operating-system>":
            head = [Sym("file"), base, Sym("evaluates-to"), Sym("operating-system")]
            if image_type is None:
                return [head, os_sexp(value)]
            image, type_name = _image_from_value(interp, value, image_type, source)
            return [head, image_summary(interp, image, type_name)]
        if kind == "<image>":
            head = [Sym("file"), base, Sym("evaluates-to"), Sym("image")]
            if image_type is not None:
                head.append([Sym("note"), "image-type ", Sym(image_type), " ignored: the file is an image"])
            return [head, image_summary(interp, value, None)]
        if kind == "<image-type>":
            name = value.get("name")
            head = [Sym("file"), base, Sym("evaluates-to"), Sym("image-type"), field("name", value_sexp(name)),
                    field("guix-system-cli", "does not return an operating system or an image")]
            image, type_name = _image_from_value(interp, value, None, source)
            return [head, [Sym("image-type-applied-to"), Sym("bare-bones.tmpl"),
                           image_summary(interp, image, type_name)]]
        # Neither: the CLI's own error ("does not return an operating system or an image").
        _image_from_value(interp, value, image_type, source)
        raise AssertionError("not reached")

    return run_deep(work)


# --- printing and reading --------------------------------------------------------------------


def _string_text(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{out}"'


def flat(d: Any) -> str:
    if d is True:
        return "#t"
    if d is False:
        return "#f"
    if isinstance(d, str):
        return _string_text(d)
    if isinstance(d, Sym):
        return d.name
    if isinstance(d, (int, float)):
        return str(d)
    if isinstance(d, Dotted):
        return "(" + " ".join(flat(x) for x in d.items) + " . " + flat(d.tail) + ")"
    if isinstance(d, list):
        return "(" + " ".join(flat(x) for x in d) + ")"
    return repr(d)


def pretty(d: Any, width: int = 100, col: int = 0) -> str:
    """D written out, broken over lines like Guile's pretty-print (roughly)."""
    text = flat(d)
    if len(text) + col <= width or not isinstance(d, list) or not d:
        return text
    pad = " " * (col + 1)
    if isinstance(d[0], Sym) and len(d) > 1:
        first = f"({d[0].name} "
        head = first + pretty(d[1], width, col + len(first))
        rest = [pad + pretty(x, width, col + 1) for x in d[2:]]
        return "\n".join([head, *rest]) + ")"
    items = [pretty(x, width, col + 1) for x in d]
    return "(" + ("\n" + pad).join(items) + ")"


def render(forms: list) -> str:
    return "".join(pretty(f) + "\n" for f in forms)


_TOKEN = re.compile(r"""\s+|;[^\n]*|(?P<open>\()|(?P<close>\))|(?P<str>"(?:[^"\\]|\\.)*")|(?P<atom>[^\s()";]+)""",
                    re.S)
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "a": "\a", "r": "\r", "0": "\0"}


def _unescape(body: str) -> str:
    def sub(m: re.Match) -> str:
        c = m.group(1)
        if c.startswith("x"):
            return chr(int(c[1:-1], 16))
        return _ESCAPES.get(c, c)

    return re.sub(r"\\(x[0-9a-fA-F]+;|.)", sub, body, flags=re.S)


def read_all(text: str) -> list:
    """The data written in TEXT (what Guix's pretty-print and `render` write)."""
    stack: list[list] = [[]]
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"unreadable text at offset {pos}: {text[pos:pos + 20]!r}")
        pos = m.end()
        if m.group("open"):
            stack.append([])
        elif m.group("close"):
            items = stack.pop()
            if len(items) >= 3 and items[-2] is _DOT:
                done: Any = Dotted(tuple(items[:-2]), items[-1])
            else:
                done = items
            stack[-1].append(done)
        elif m.group("str"):
            stack[-1].append(_unescape(m.group("str")[1:-1]))
        elif m.group("atom"):
            stack[-1].append(_atom(m.group("atom")))
    if len(stack) != 1:
        raise ValueError("unbalanced parentheses")
    return stack[0]


_DOT = Sym(".")


def _atom(text: str) -> Any:
    if text in ("#t", "#true"):
        return True
    if text in ("#f", "#false"):
        return False
    if text == ".":
        return _DOT
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?\d*\.\d+(e[+-]?\d+)?", text):
        return float(text)
    return Sym(text)
