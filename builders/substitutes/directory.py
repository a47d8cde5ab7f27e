"""Substitutes from a local directory of .deb files (`--substitutes DIR`).

For offline and cached builds.  The directory (searched recursively) is
indexed once, by the Package, Version, Architecture and Provides fields of
each .deb's control file (file names are not trusted).  Architecture `all`
matches every architecture; among several versions the highest (by Debian's
version ordering) wins.  A meta package name (linux-image-cloud-amd64) is
resolved through the meta package's Depends when its .deb is present, else
to the highest `linux-image-<version>-<abi>-<flavour>` present.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from dataclasses import dataclass, field
from functools import cmp_to_key
from pathlib import Path

from builders.errors import BuildError
from builders.substitutes.apt import META_MAX_INSTALLED_SIZE, META_SECTIONS, _first_dependency
from builders.substitutes.deb import DebError, control_fields
from builders.substitutes.provider import ProviderBase, SubstituteUnavailable

log = logging.getLogger(__name__)


# -- Debian version ordering (deb-version(7)) ------------------------------------


def _order(c: str) -> int:
    if c == "~":
        return -1
    if c.isdigit():
        return 0
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def _compare_part(a: str, b: str) -> int:
    i = j = 0
    while i < len(a) or j < len(b):
        first_diff = 0
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ac = _order(a[i]) if i < len(a) and not a[i].isdigit() else 0
            bc = _order(b[j]) if j < len(b) and not b[j].isdigit() else 0
            if ac != bc:
                return -1 if ac < bc else 1
            i += 1
            j += 1
        while i < len(a) and a[i] == "0":
            i += 1
        while j < len(b) and b[j] == "0":
            j += 1
        while i < len(a) and a[i].isdigit() and j < len(b) and b[j].isdigit():
            if not first_diff:
                first_diff = ord(a[i]) - ord(b[j])
            i += 1
            j += 1
        if i < len(a) and a[i].isdigit():
            return 1
        if j < len(b) and b[j].isdigit():
            return -1
        if first_diff:
            return -1 if first_diff < 0 else 1
    return 0


def _split_version(v: str) -> tuple[int, str, str]:
    epoch = 0
    if ":" in v:
        e, v = v.split(":", 1)
        epoch = int(e) if e.isdigit() else 0
    upstream, _, revision = v.rpartition("-") if "-" in v else (v, "", "")
    return epoch, upstream, revision


def compare_versions(a: str, b: str) -> int:
    """Compare two Debian versions like `dpkg --compare-versions`: -1, 0 or 1."""
    ea, ua, ra = _split_version(a)
    eb, ub, rb = _split_version(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return _compare_part(ua, ub) or _compare_part(ra, rb)


# -- the --substitutes option --------------------------------------------------------

SUBSTITUTES_HINT = ("--substitutes takes a directory holding .deb files (searched recursively); "
                    "leave it out to take packages from the Debian archive")


def check_substitutes_dir(path: str | os.PathLike[str]) -> Path:
    """PATH, if it is a readable directory holding at least one .deb file; else a
    BuildError naming PATH and what is wrong (so an "offline" build never quietly
    falls back to the network)."""
    directory = Path(path)
    try:
        st = os.stat(directory)
    except FileNotFoundError:
        raise BuildError(f"--substitutes {directory}: no such directory", SUBSTITUTES_HINT) from None
    except OSError as exc:
        raise BuildError(f"--substitutes {directory}: cannot be read ({exc.strerror})", SUBSTITUTES_HINT) from None
    if not stat.S_ISDIR(st.st_mode):
        kind = "a regular file" if stat.S_ISREG(st.st_mode) else "not a regular file either"
        raise BuildError(f"--substitutes {directory}: not a directory ({kind})", SUBSTITUTES_HINT)
    try:
        os.scandir(directory).close()
    except OSError as exc:
        raise BuildError(f"--substitutes {directory}: the directory cannot be read ({exc.strerror})",
                         SUBSTITUTES_HINT) from None
    if not any(p.is_file() for p in directory.rglob("*.deb")):
        raise BuildError(f"--substitutes {directory}: the directory holds no .deb file", SUBSTITUTES_HINT)
    return directory


# -- the index --------------------------------------------------------------------


@dataclass(frozen=True)
class DebEntry:
    package: str
    version: str
    architecture: str
    path: Path
    provides: tuple[str, ...] = ()
    depends: str = ""
    section: str = ""
    installed_size: int = 0
    fields: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


def _names(relation: str) -> tuple[str, ...]:
    out = []
    for part in relation.split(","):
        name = re.split(r"[\s(\[:]", part.strip(), maxsplit=1)[0]
        if name:
            out.append(name)
    return tuple(out)


_KERNEL_META = re.compile(r"^linux-image-([a-z][a-z0-9-]*)$")


class DirectoryProvider(ProviderBase):
    """The .deb files of a local directory, matched by their control files."""

    name = "directory"

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self._index: list[DebEntry] | None = None

    @property
    def index(self) -> list[DebEntry]:
        """Every readable .deb under the directory (built on first use)."""
        if self._index is None:
            self._index = self._build_index()
        return self._index

    def _build_index(self) -> list[DebEntry]:
        if not self.directory.is_dir():
            raise SubstituteUnavailable("(any)", "(any)", f"substitute directory {self.directory} does not exist")
        entries = []
        for path in sorted(self.directory.rglob("*.deb")):
            if not path.is_file():
                continue
            try:
                f = control_fields(path)
            except (DebError, OSError, EOFError, ValueError) as exc:
                log.warning("ignoring %s: %s", path, exc)
                continue
            try:
                size = int(f.get("Installed-Size", "0"))
            except ValueError:
                size = 0
            entries.append(
                DebEntry(
                    package=f.get("Package", ""),
                    version=f.get("Version", ""),
                    architecture=f.get("Architecture", ""),
                    path=path,
                    provides=_names(f.get("Provides", "")),
                    depends=f.get("Depends", ""),
                    section=f.get("Section", "").rsplit("/", 1)[-1],
                    installed_size=size,
                    fields=f,
                )
            )
        log.debug("indexed %d .deb files in %s", len(entries), self.directory)
        return entries

    def _for_arch(self, arch: str) -> list[DebEntry]:
        return [e for e in self.index if e.architecture in (arch, "all")]

    @staticmethod
    def _newest(entries: list[DebEntry]) -> DebEntry:
        # Prefer the exact architecture over "all" at equal versions; then the path, for determinism.
        def cmp(x: DebEntry, y: DebEntry) -> int:
            return (
                compare_versions(x.version, y.version)
                or (x.architecture != "all") - (y.architecture != "all")
                or ((str(x.path) < str(y.path)) - (str(x.path) > str(y.path)))
            )

        return max(entries, key=cmp_to_key(cmp))

    def lookup(self, debian_package: str, arch: str) -> DebEntry:
        """The index entry standing for DEBIAN_PACKAGE on ARCH (meta and virtual resolved)."""
        entries = self._for_arch(arch)
        name = debian_package
        seen: list[str] = []
        while True:
            seen.append(name)
            exact = [e for e in entries if e.package == name]
            if exact:
                best = self._newest(exact)
                is_meta = (
                    best.section in META_SECTIONS and best.installed_size <= META_MAX_INSTALLED_SIZE and best.depends
                )
                target = _first_dependency(best.depends) if is_meta else None
                if target and target not in seen and any(e.package == target for e in entries):
                    name = target
                    continue
                if target and target not in seen:
                    raise SubstituteUnavailable(
                        debian_package, arch,
                        f"meta package {name} depends on {target}, which is not in {self.directory}",
                    )  # fmt: skip
                return best
            providers = sorted({e.package for e in entries if name in e.provides})
            if len(providers) == 1 and providers[0] not in seen:
                name = providers[0]
                continue
            m = _KERNEL_META.match(name)
            if m:
                flavour = re.escape(m.group(1))
                pattern = re.compile(rf"^linux-image-\d+\.\d+(\.\d+)?-\d+-{flavour}(-unsigned)?$")
                kernels = [e for e in entries if pattern.match(e.package)]
                if kernels:
                    return self._newest(kernels)
            if providers:
                reason = f"'{name}' is provided by several packages in {self.directory}: {', '.join(providers)}"
            else:
                total = len(entries)
                reason = f"no {arch} (or all) package named '{name}' among the {total} in {self.directory}"
            raise SubstituteUnavailable(debian_package, arch, reason)

    def fetch(self, debian_package: str, arch: str) -> Path:
        return self.lookup(debian_package, arch).path


__all__ = ["DebEntry", "DirectoryProvider", "check_substitutes_dir", "compare_versions"]
