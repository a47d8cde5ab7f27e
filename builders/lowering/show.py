"""Print an image record back as Scheme constructor syntax (for --dry-run).

    (image
     (name #f)
     (format 'disk-image)
     (platform aarch64-linux)
     ...)

Values print as the code that would make them: symbols quoted, lists of
records as (list ...), packages and platforms by their variable names.
"""

from __future__ import annotations

from typing import Any

from schemeconf.datum import NIL, Pair, Symbol, from_list, sym, to_list
from schemeconf.printer import pretty_string
from schemeconf.records import Record
from schemeconf.vocabulary import Package, format_uuid

PLATFORM_VARIABLES = {
    "x86_64-linux": "x86_64-linux", "i686-linux": "i686-linux", "aarch64-linux": "aarch64-linux",
    "armhf-linux": "armv7-linux", "riscv64-linux": "riscv64-linux", "i586-gnu": "i586-gnu",
    "x86_64-gnu": "x86_64-gnu",
}

IMAGE_FIELDS = ["name", "format", "platform", "size", "partition-table-type", "partitions",
                "compression?", "volatile-root?", "operating-system"]
PARTITION_FIELDS = ["size", "offset", "label", "file-system", "file-system-options", "uuid", "flags", "initializer"]
OS_FIELDS = ["host-name", "kernel", "hurd", "kernel-arguments", "bootloader", "file-systems"]
BOOTLOADER_CONF_FIELDS = ["bootloader", "targets", "timeout", "terminal-outputs", "serial-unit", "serial-speed"]
FILE_SYSTEM_FIELDS = ["device", "mount-point", "type", "options", "flags"]
SHOWN = {
    "<image>": IMAGE_FIELDS, "<partition>": PARTITION_FIELDS, "<operating-system>": OS_FIELDS,
    "<bootloader-configuration>": BOOTLOADER_CONF_FIELDS, "<file-system>": FILE_SYSTEM_FIELDS,
}
# Fields left out when they hold their usual value, to keep the listing short.
QUIET_DEFAULTS: dict[str, Any] = {"uuid": False, "initializer": False, "options": False, "hurd": False,
                                   "serial-unit": False, "serial-speed": False, "file-system-options": NIL,
                                   "flags": NIL}


def uuid_string(u: Record) -> str:
    """The text of a <uuid> record: "1234abcd-..." (DCE) or "ABCD-1234" (FAT)."""
    return format_uuid(u.get("bytevector"), u.get("type"))


def as_code(value: Any) -> Any:
    """A datum that, written out, reads as code producing VALUE."""
    if isinstance(value, Symbol):
        return from_list([sym("quote"), value])
    if isinstance(value, Pair):
        items = to_list(value) if _proper(value) else None
        if items is not None and any(isinstance(i, (Record, Package)) for i in items):
            return from_list([sym("list")] + [as_code(i) for i in items])
        return from_list([sym("quote"), value])
    if value is NIL:
        return from_list([sym("quote"), NIL])
    if isinstance(value, Package):
        return sym(value.name)
    if isinstance(value, Record):
        return record_code(value)
    return value


def _proper(p: Any) -> bool:
    try:
        to_list(p)
        return True
    except ValueError:
        return False


def record_code(rec: Record) -> Any:
    kind = rec.rtype.name
    if kind == "<platform>":
        return sym(PLATFORM_VARIABLES.get(rec.get("system"), rec.get("system")))
    if kind == "<file-system-label>":
        return from_list([sym("file-system-label"), rec.get("label")])
    if kind == "<uuid>":
        return from_list([sym("uuid"), uuid_string(rec), from_list([sym("quote"), rec.get("type")])])
    if kind == "<bootloader>":
        return sym(_bootloader_variable(rec))
    fields = SHOWN.get(kind, [f.name.name for f in rec.rtype.fields])
    clauses = []
    for name in fields:
        value = rec.get(name)
        if name in QUIET_DEFAULTS and _same(value, QUIET_DEFAULTS[name]):
            continue
        clauses.append(from_list([sym(name), as_code(value)]))
    return from_list([sym(rec.rtype.constructor_name)] + clauses)


def _same(a: Any, b: Any) -> bool:
    return a is b or (a is NIL and b is NIL)


def _bootloader_variable(bl: Record) -> str:
    name = bl.get("name").name
    package = bl.get("package")
    if name == "u-boot" and isinstance(package, Package):
        return package.name + "-bootloader"
    if isinstance(package, Package) and package.name == "grub-minimal":
        return "grub-minimal-bootloader"
    return {"grub": "grub-bootloader", "grub-efi": "grub-efi-bootloader", "grub-efi32": "grub-efi32-bootloader",
            "extlinux": "extlinux-bootloader"}.get(name, name if name.endswith("bootloader") else name + "-bootloader")


def image_source(image: Record) -> str:
    return pretty_string(record_code(image))
