"""Kernel modules: name -> .ko file, and the dependency closure in load order.

The Debian kernel packages ship no modules.dep (depmod makes it at install
time), so dependencies are read from each module's ELF `.modinfo` section
(`depends=`, `softdep=`) with pyelftools.  Module names are compared with
'-' and '_' equivalent, as the kernel does.  Modules listed in
modules.builtin are part of the kernel image and are never loaded; their
soft dependencies (modules.builtin.modinfo) still are.

Debian 12 kernels keep their modules in /lib/modules/RELEASE/ as plain
.ko files; Debian 13 (trixie) kernels in /usr/lib/modules/RELEASE/ (merged
/usr), compressed with xz (.ko.xz).  Both are found (MODULE_ROOTS), and
`read_module` gives the uncompressed ELF of either: the initrd holds
uncompressed .ko files (busybox insmod loads those; it cannot be relied on
to decompress, and the kernel's own module decompression is a config option).
"""

from __future__ import annotations

import io
import lzma
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from builders.errors import BuildError

MODULE_SUFFIXES = (".ko", ".ko.xz", ".ko.zst", ".ko.gz")
MODULE_ROOTS = ("lib/modules", "usr/lib/modules")   # Debian 12; Debian 13 (merged /usr)


def canonical(name: str) -> str:
    """The kernel's spelling of a module name: dashes become underscores."""
    return name.replace("-", "_")


def module_stem(filename: str) -> str | None:
    for suffix in MODULE_SUFFIXES:
        if filename.endswith(suffix):
            return filename[: -len(suffix)]
    return None


def read_module(path: Path) -> bytes:
    """The uncompressed ELF bytes of the module file PATH."""
    data = path.read_bytes()
    name = path.name
    if name.endswith(".xz"):
        return lzma.decompress(data)
    if name.endswith(".zst"):
        import zstandard

        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    if name.endswith(".gz"):
        import gzip

        return gzip.decompress(data)
    return data


def modinfo(elf_bytes: bytes) -> list[tuple[str, str]]:
    """The (key, value) items of an ELF module's .modinfo section, in order."""
    from elftools.elf.elffile import ELFFile

    section = ELFFile(io.BytesIO(elf_bytes)).get_section_by_name(".modinfo")
    if section is None:
        return []
    items = []
    for raw in section.data().split(b"\0"):
        if b"=" in raw:
            key, _, value = raw.decode("utf-8", "replace").partition("=")
            items.append((key, value))
    return items


def parse_softdep(value: str) -> tuple[list[str], list[str]]:
    """'pre: a b post: c' -> (['a', 'b'], ['c'])."""
    pre: list[str] = []
    post: list[str] = []
    current = None
    for word in value.split():
        if word == "pre:":
            current = pre
        elif word == "post:":
            current = post
        elif current is not None:
            current.append(word)
    return pre, post


@dataclass
class ModuleInfo:
    name: str                              # canonical name
    path: Path                             # the .ko file in the kernel package
    depends: tuple[str, ...] = ()
    softdep_pre: tuple[str, ...] = ()
    softdep_post: tuple[str, ...] = ()
    firmware: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


class ModuleNotFound(LookupError):
    pass


@dataclass
class KernelModules:
    """The modules of one kernel release inside an extracted kernel package."""

    kernel_dir: Path
    release: str | None = None
    _info: dict[str, ModuleInfo] = field(default_factory=dict, repr=False)
    _alias_index: dict[str, list[str]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.release is None:
            self.release = kernel_release(self.kernel_dir)

    @property
    def modules_dir(self) -> Path:
        return modules_root(self.kernel_dir) / str(self.release)

    @cached_property
    def files(self) -> dict[str, Path]:
        """Canonical module name -> module file, for every module shipped."""
        found: dict[str, Path] = {}
        for dirpath, dirnames, filenames in os.walk(self.modules_dir):
            dirnames.sort()
            for name in sorted(filenames):
                stem = module_stem(name)
                if stem is not None:
                    found.setdefault(canonical(stem), Path(dirpath) / name)
        return found

    @cached_property
    def builtin(self) -> frozenset[str]:
        """Canonical names of the modules compiled into the kernel image."""
        path = self.modules_dir / "modules.builtin"
        if not path.exists():
            return frozenset()
        names = set()
        for line in path.read_text().splitlines():
            base = line.strip().rpartition("/")[2]
            stem = module_stem(base)
            if stem:
                names.add(canonical(stem))
        return frozenset(names)

    @cached_property
    def builtin_modinfo(self) -> dict[str, list[tuple[str, str]]]:
        """modules.builtin.modinfo: canonical name -> [(key, value)]."""
        path = self.modules_dir / "modules.builtin.modinfo"
        result: dict[str, list[tuple[str, str]]] = {}
        if not path.exists():
            return result
        for raw in path.read_bytes().split(b"\0"):
            text = raw.decode("utf-8", "replace")
            head, eq, value = text.partition("=")
            if not eq or "." not in head:
                continue
            name, _, key = head.partition(".")
            result.setdefault(canonical(name), []).append((key, value))
        return result

    def exists(self, name: str) -> bool:
        n = canonical(name)
        return n in self.files or n in self.builtin

    def is_builtin(self, name: str) -> bool:
        return canonical(name) in self.builtin

    def info(self, name: str) -> ModuleInfo:
        n = canonical(name)
        if n in self._info:
            return self._info[n]
        path = self.files.get(n)
        if path is None:
            raise ModuleNotFound(f"kernel module {name} not found in {self.modules_dir}")
        items = modinfo(read_module(path))
        self._info[n] = _module_info(n, path, items)
        return self._info[n]

    def resolve_alias(self, alias: str) -> list[str]:
        """Modules providing ALIAS (a module name, or an alias= such as crypto-crc32c)."""
        n = canonical(alias)
        if n in self.files or n in self.builtin:
            return [n]
        for name, items in self.builtin_modinfo.items():
            if any(k == "alias" and _alias_match(v, alias) for k, v in items):
                return [name]
        # Aliases are only known by reading modules; crypto-* ones live in crypto dirs.
        candidates = self._alias_scan(crypto_only=alias.startswith("crypto-"))
        found = [name for name, aliases in candidates.items() if any(_alias_match(a, alias) for a in aliases)]
        if not found and alias.startswith("crypto-"):
            candidates = self._alias_scan(crypto_only=False)
            found = [name for name, aliases in candidates.items() if any(_alias_match(a, alias) for a in aliases)]
        return sorted(found)

    def _alias_scan(self, crypto_only: bool) -> dict[str, list[str]]:
        if self._alias_index is None:
            self._alias_index = {}
        for name, path in self.files.items():
            if name in self._alias_index:
                continue
            if crypto_only and "/crypto/" not in path.as_posix():
                continue
            self._alias_index[name] = list(self.info(name).aliases)
        return self._alias_index

    def closure(self, names: list[str] | tuple[str, ...], *, softdeps: bool = True) -> list[str]:
        """Loadable modules needed for NAMES, each after its dependencies.

        Built-in modules are left out (their soft dependencies are kept).
        Unknown names raise ModuleNotFound.  Depth-first, dependencies in
        sorted order, roots in the order given: deterministic.
        """
        order: list[str] = []
        done: set[str] = set()
        active: set[str] = set()

        def visit(name: str, optional: bool) -> None:
            n = canonical(name)
            if n in done or n in active:
                return
            if n in self.builtin:
                done.add(n)
                if softdeps:
                    for key, value in self.builtin_modinfo.get(n, []):
                        if key == "softdep":
                            pre, post = parse_softdep(value)
                            for dep in pre + post:
                                visit_alias(dep)
                return
            if n not in self.files:
                if optional:
                    return
                raise ModuleNotFound(f"kernel module {name} not found in {self.modules_dir}")
            active.add(n)
            info = self.info(n)
            if softdeps:
                for dep in info.softdep_pre:
                    visit_alias(dep)
            for dep in sorted(info.depends):
                visit(dep, False)
            active.discard(n)
            done.add(n)
            order.append(n)
            if softdeps:
                for dep in info.softdep_post:
                    visit_alias(dep)

        def visit_alias(alias: str) -> None:
            for provider in self.resolve_alias(alias):
                visit(provider, True)

        for name in names:
            visit(name, False)
        return order


def _alias_match(pattern: str, alias: str) -> bool:
    if "*" in pattern or "?" in pattern or "[" in pattern:
        import fnmatch

        return fnmatch.fnmatchcase(alias, pattern)
    return pattern == alias


def _module_info(name: str, path: Path, items: list[tuple[str, str]]) -> ModuleInfo:
    depends: list[str] = []
    pre: list[str] = []
    post: list[str] = []
    firmware: list[str] = []
    aliases: list[str] = []
    for key, value in items:
        if key == "depends":
            depends.extend(canonical(d) for d in value.split(",") if d)
        elif key == "softdep":
            p, q = parse_softdep(value)
            pre.extend(p)
            post.extend(q)
        elif key == "firmware":
            firmware.append(value)
        elif key == "alias":
            aliases.append(value)
    return ModuleInfo(name, path, tuple(depends), tuple(pre), tuple(post), tuple(firmware), tuple(aliases))


def modules_root(kernel_dir: Path) -> Path:
    """The directory holding the kernel's modules/<release>/ in an extracted package:
    usr/lib/modules (Debian 13) or lib/modules (Debian 12)."""
    for rel in reversed(MODULE_ROOTS):
        path = kernel_dir / rel
        if path.is_dir() and not path.is_symlink() and any(p.is_dir() for p in path.iterdir()):
            return path
    return kernel_dir / MODULE_ROOTS[0]


def kernel_release(kernel_dir: Path) -> str:
    """The release (uname -r) of the kernel in an extracted package: its [usr/]lib/modules/ directory."""
    mods = modules_root(kernel_dir)
    releases = sorted(p.name for p in mods.iterdir() if p.is_dir()) if mods.is_dir() else []
    if len(releases) == 1:
        return releases[0]
    if not releases:
        raise FileNotFoundError(f"no lib/modules/<release> or usr/lib/modules/<release> directory in {kernel_dir}")
    raise BuildError(f"several kernel releases in {kernel_dir}: {', '.join(releases)}")


def kernel_config(kernel_dir: Path, release: str | None = None) -> dict[str, str]:
    """CONFIG_* settings from the package's /boot/config-RELEASE ({} when absent)."""
    release = release or kernel_release(kernel_dir)
    path = kernel_dir / "boot" / f"config-{release}"
    if not path.exists():
        candidates = sorted((kernel_dir / "boot").glob("config-*")) if (kernel_dir / "boot").is_dir() else []
        if not candidates:
            return {}
        path = candidates[0]
    config = {}
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("CONFIG_") and "=" in line:
            key, _, value = line.partition("=")
            config[key] = value
    return config


def kernel_image(kernel_dir: Path, release: str | None = None) -> Path:
    """The kernel image file of an extracted kernel package (boot/vmlinuz-RELEASE or vmlinux)."""
    release = release or kernel_release(kernel_dir)
    for name in (f"vmlinuz-{release}", f"vmlinux-{release}", "vmlinuz", "Image", "bzImage"):
        path = kernel_dir / "boot" / name
        if path.exists():
            return path
    raise FileNotFoundError(f"no kernel image for {release} in {kernel_dir / 'boot'}")
