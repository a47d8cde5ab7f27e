"""Guix package names -> Debian binary packages, per system (packages.sexp).

packages.sexp is plain data written as S-expressions, so that it reads like
the Guix files it describes.  It uses no Scheme syntax beyond lists, symbols,
strings and `;` comments (no quoting, no keywords, no evaluation), which is
exactly what sexpdata reads; pyguix's Scheme front end (schemeconf) would be
overkill for it, and JSON or TOML would be less readable for nested clauses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import sexpdata

from builders.errors import BuildError

DATA_FILE = "packages.sexp"

# Guix system type -> Debian architecture.
SYSTEM_ARCHITECTURES: dict[str, str] = {
    "x86_64-linux": "amd64",
    "i686-linux": "i386",
    "aarch64-linux": "arm64",
    "armhf-linux": "armhf",
    "riscv64-linux": "riscv64",
    "powerpc64le-linux": "ppc64el",
    "mips64el-linux": "mips64el",
    "i586-gnu": "i386",
    "x86_64-gnu": "amd64",
}


class MappingError(BuildError):
    """packages.sexp is malformed."""


@dataclass
class Entry:
    """What packages.sexp says about one Guix package."""

    name: str
    systems: dict[str, list[str]] = field(default_factory=dict)
    system_unavailable: dict[str, str] = field(default_factory=dict)
    any: list[str] | None = None
    unavailable: str | None = None
    arch: str | None = None
    board: str | None = None
    busybox: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _sym(x: object) -> str | None:
    return x.value() if isinstance(x, sexpdata.Symbol) else None


def _strings(items: list, where: str) -> list[str]:
    if not all(isinstance(i, str) and not isinstance(i, sexpdata.Symbol) for i in items):
        raise MappingError(f"{DATA_FILE}: {where}: expected strings, got {sexpdata.dumps(items)}")
    return list(items)


def parse(text: str, origin: str = DATA_FILE) -> dict[str, Entry]:
    """The entries of a packages.sexp text, by Guix name."""
    try:
        forms = sexpdata.parse(text)
    except Exception as exc:  # sexpdata raises assorted exceptions on bad input
        raise MappingError(f"{origin}: cannot be read: {exc}") from exc
    entries: dict[str, Entry] = {}
    for form in forms:
        if not isinstance(form, list) or not form or _sym(form[0]) is None:
            raise MappingError(f"{origin}: expected (GUIX-NAME CLAUSE ...), got {sexpdata.dumps(form)}")
        name = _sym(form[0])
        assert name is not None
        if name in entries:
            raise MappingError(f"{origin}: '{name}' is listed twice")
        entry = Entry(name)
        for clause in form[1:]:
            head = _sym(clause[0]) if isinstance(clause, list) and clause else None
            if head is None:
                raise MappingError(f"{origin}: {name}: malformed clause {sexpdata.dumps(clause)}")
            args = clause[1:]
            where = f"{name}: ({head} ...)"
            if head == "any":
                entry.any = _strings(args, where)
            elif head == "unavailable":
                entry.unavailable = " ".join(_strings(args, where))
            elif head == "arch":
                entry.arch = _strings(args, where)[0]
            elif head == "board":
                entry.board = _strings(args, where)[0]
            elif head == "busybox":
                entry.busybox = _strings(args, where)
            elif head == "note":
                entry.notes.append(" ".join(_strings(args, where)))
            elif head in SYSTEM_ARCHITECTURES:
                if len(args) == 1 and isinstance(args[0], list) and args[0] and _sym(args[0][0]) == "unavailable":
                    entry.system_unavailable[head] = " ".join(_strings(args[0][1:], where))
                else:
                    entry.systems[head] = _strings(args, where)
            else:
                raise MappingError(f"{origin}: {name}: unknown clause or system '{head}'")
        entries[name] = entry
    return entries


@lru_cache(maxsize=1)
def table() -> dict[str, Entry]:
    """The bundled table (read once)."""
    text = resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse(text)


def _base_name(guix_name: str) -> str:
    """'linux-libre@6.1' -> 'linux-libre'; 'grub:out' -> 'grub'."""
    return guix_name.split("@", 1)[0].split(":", 1)[0]


def entry(guix_name: str) -> Entry | None:
    return table().get(_base_name(guix_name))


def debian_architecture(system: str) -> str:
    """The Debian architecture of a Guix system type ('aarch64-linux' -> 'arm64')."""
    try:
        return SYSTEM_ARCHITECTURES[system]
    except KeyError:
        raise BuildError(f"unknown system type '{system}'", f"known: {', '.join(SYSTEM_ARCHITECTURES)}") from None


def debian_packages(guix_name: str, system: str) -> list[str] | None:
    """The Debian packages realizing GUIX_NAME on SYSTEM, or None (see `unavailable_reason`)."""
    e = entry(guix_name)
    if e is None or e.unavailable is not None or system in e.system_unavailable:
        return None
    if system in e.systems:
        return list(e.systems[system])
    if e.any is not None and (system.endswith("-linux") or e.arch == "all"):
        return list(e.any)
    return None


def substitute_architecture(guix_name: str, system: str) -> str:
    """The Debian architecture to fetch GUIX_NAME's packages for: 'all' or SYSTEM's."""
    e = entry(guix_name)
    if e is not None and e.arch:
        return e.arch
    return debian_architecture(system)


def unavailable_reason(guix_name: str, system: str) -> str | None:
    """Why GUIX_NAME cannot be realized on SYSTEM, or None when `debian_packages` has an answer."""
    if debian_packages(guix_name, system) is not None:
        return None
    e = entry(guix_name)
    if e is None:
        return f"no Debian substitute is known for the Guix package '{_base_name(guix_name)}'"
    if e.unavailable is not None:
        return e.unavailable
    if system in e.system_unavailable:
        return e.system_unavailable[system]
    if e.any is not None and system.endswith("-gnu"):
        return (
            f"'{e.name}' has Debian substitutes for Linux systems only: Debian's GNU/Hurd "
            "packages are only in debian-ports, which is not a reachable archive"
        )
    have = ", ".join(sorted(e.systems)) or "no system"
    return f"'{e.name}' has Debian substitutes only for {have}, not {system}"


def u_boot_board(guix_name: str) -> str | None:
    """The board directory under /usr/lib/u-boot/ of a U-Boot package."""
    e = entry(guix_name)
    return e.board if e else None


def busybox_applets(guix_name: str) -> list[str]:
    """The busybox applets standing in for GUIX_NAME in pyguix's running system."""
    e = entry(guix_name)
    return list(e.busybox) if e else []


def notes(guix_name: str) -> list[str]:
    e = entry(guix_name)
    return list(e.notes) if e else []


def known_packages() -> list[str]:
    return sorted(table())


__all__ = [
    "SYSTEM_ARCHITECTURES",
    "Entry",
    "MappingError",
    "busybox_applets",
    "debian_architecture",
    "debian_packages",
    "entry",
    "known_packages",
    "notes",
    "parse",
    "substitute_architecture",
    "table",
    "u_boot_board",
    "unavailable_reason",
]
