"""U-Boot boards: the kernel's device trees in the root file system, and the
board's U-Boot blobs written at the byte offsets its boot ROM reads.

A board's bootloader (gnu/bootloader/u-boot.scm) lists raw writes
(FILE OFFSET [SIZE]); FILE comes from the board's U-Boot package.  Guix
builds one U-Boot package per board and writes files from its libexec/;
Debian ships one package per SoC family (u-boot-sunxi, u-boot-rockchip,
u-boot-imx, u-boot-omap, ...) with a directory per board under
/usr/lib/u-boot/ (mapping.u_boot_board).  Resolving FILE in that directory:

* the file itself when Debian ships it (Rockchip idbloader.img/u-boot.itb,
  i.MX SPL/u-boot.img, TI MLO/u-boot.img, 32-bit Allwinner
  u-boot-sunxi-with-spl.bin);
* 64-bit Allwinner boards: Debian ships no u-boot-sunxi-with-spl.bin but
  sunxi-spl.bin (exactly 32 KiB) and u-boot-sunxi-with-spl.fit.itb, which
  concatenated are that file: written at 8 KiB it puts the SPL's eGON.BT0
  header at byte 8196 and the FIT at 40 KiB, where the A64 SPL looks for it;
* a path such as spl/u-boot-spl.bin is also looked up by its base name;
* an ELF file is written as its loadable segments laid out flat (what
  `objcopy -O binary` makes), read with pyelftools.

The bytes written are the whole file, or at most SIZE bytes when the raw
write gives one; the disk area a write claims (for the overlap checks in
builders/disk/placement.py) is SIZE when given, else the file's size.

The device trees: Debian's kernel packages keep them in
/usr/lib/linux-image-RELEASE/ (arm64: one directory per vendor, e.g.
allwinner/sun50i-a64-pine64-lts.dtb; armhf: flat).  They are copied to
/boot/dtbs/ of the root file system, and extlinux.conf's FDTDIR names it,
so U-Boot finds FDTDIR/$fdtfile as it would under Guix's kernel lib/dtbs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from builders.errors import BuildError
from builders.plan import ImagePlan, RawWrite
from builders.tree import Tree

DTB_DIR = "/boot/dtbs"
SUNXI_SPL_SIZE = 32 * 1024            # the A64 boot ROM loads 32 KiB; the FIT follows at 8 KiB + 32 KiB
U_BOOT_DIR = "usr/lib/u-boot"


@dataclass
class BoardParts:
    fdtdir: str | None = None
    raw_writes: list = field(default_factory=list)   # (offset, bytes or Path, name)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Blob:
    """One raw write with its content resolved from the board's U-Boot package."""

    file: str                    # as the bootloader names it
    offset: int
    data: bytes                  # what is written (already cut to the write's SIZE)
    extent: int                  # bytes of disk the write claims: SIZE, else the file's size
    source: str                  # where the bytes came from, for messages

    @property
    def end(self) -> int:
        return self.offset + self.extent


# (package, file) -> size of the file as resolved, for the overlap checks and --dry-run.
_SIZES: dict[tuple[str, str], int] = {}


# --- which package, which directory -------------------------------------------------------------

def board_name(package: str) -> str:
    """'u-boot-pine64-lts' -> 'pine64-lts' (the name users know the board by)."""
    return package[len("u-boot-"):] if package.startswith("u-boot-") else package


def board_source(package: str, system: str) -> tuple[list[str], str, str]:
    """(Debian packages, Debian architecture, board directory) of the Guix U-Boot PACKAGE.

    U-Boot blobs are the board's firmware, not programs of the image's
    system, so when the mapping has no entry for SYSTEM the architecture it
    does list is used.  Raises BuildError naming the board when no reachable
    package provides it.
    """
    from builders.substitutes import mapping

    entry = mapping.entry(package)
    board_dir = mapping.u_boot_board(package)
    names = mapping.debian_packages(package, system)
    arch = None
    if names is not None:
        arch = mapping.substitute_architecture(package, system)
    elif entry is not None and entry.unavailable is None and entry.systems:
        other = sorted(entry.systems)[0]
        names, arch = list(entry.systems[other]), mapping.substitute_architecture(package, other)
    if names is None or board_dir is None or arch is None:
        reason = mapping.unavailable_reason(package, system) or f"no board directory is known for '{package}'"
        raise BuildError(f"no reachable package provides U-Boot for the board '{board_name(package)}' "
                         f"({package}): {reason}")
    return names, arch, board_dir


def _missing(package: str, files: list[str], reason: str) -> BuildError:
    return BuildError(
        f"U-Boot for the board '{board_name(package)}' ({package}): no reachable package provides "
        f"{', '.join(files)}: {reason}",
        "choose a board whose U-Boot Debian builds, or give a --substitutes directory with a .deb "
        f"that has /{U_BOOT_DIR}/<board>/ for it",
    )


def realize_board(provider, package: str, system: str, files: list[str]) -> Path:
    """The board's directory under /usr/lib/u-boot/ in the realized U-Boot package."""
    from builders.substitutes.provider import realize

    try:
        names, arch, board_dir = board_source(package, system)
    except BuildError as e:
        raise _missing(package, files, e.message.split(": ", 1)[-1]) from None
    try:
        root = realize(provider, names, arch)
    except BuildError as e:
        raise _missing(package, files, e.message) from None
    directory = root / U_BOOT_DIR / board_dir
    if not directory.is_dir():
        raise _missing(package, files, f"{', '.join(names)} ({arch}) has no /{U_BOOT_DIR}/{board_dir}/")
    return directory


# --- the blobs ----------------------------------------------------------------------------------

def elf_flat_binary(path: Path) -> bytes:
    """The loadable segments of the ELF file PATH laid out from the lowest
    physical address, as `objcopy -O binary` does."""
    from elftools.elf.elffile import ELFFile

    with open(path, "rb") as f:
        elf = ELFFile(f)
        segments = [(s["p_paddr"], s.data()) for s in elf.iter_segments()
                    if s["p_type"] == "PT_LOAD" and s["p_filesz"] > 0]
    if not segments:
        raise BuildError(f"{path}: an ELF file without loadable segments cannot be written raw")
    base = min(addr for addr, _ in segments)
    out = bytearray(max(addr + len(data) for addr, data in segments) - base)
    for addr, data in segments:
        out[addr - base:addr - base + len(data)] = data
    return bytes(out)


def read_blob(path: Path) -> bytes:
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic == b"\x7fELF":
        return elf_flat_binary(path)
    return path.read_bytes()


def resolve_file(directory: Path, name: str, package: str) -> tuple[bytes, str]:
    """The content of the board's file NAME (see the module's docstring) and where it came from."""
    candidates = [directory / name, directory / Path(name).name]
    for path in candidates:
        if path.is_file():
            return read_blob(path), f"/{U_BOOT_DIR}/{directory.name}/{path.relative_to(directory)}"
    if Path(name).name == "u-boot-sunxi-with-spl.bin":
        spl, fit = directory / "sunxi-spl.bin", directory / "u-boot-sunxi-with-spl.fit.itb"
        if spl.is_file() and fit.is_file():
            spl_bytes = spl.read_bytes()
            if len(spl_bytes) > SUNXI_SPL_SIZE:
                raise BuildError(f"{spl}: the sunxi SPL is {len(spl_bytes)} bytes, more than the "
                                 f"{SUNXI_SPL_SIZE} bytes before the FIT image")
            spl_bytes += bytes(SUNXI_SPL_SIZE - len(spl_bytes))
            return (spl_bytes + fit.read_bytes(),
                    f"/{U_BOOT_DIR}/{directory.name}/sunxi-spl.bin + u-boot-sunxi-with-spl.fit.itb")
    have = ", ".join(sorted(p.name for p in directory.iterdir())) or "nothing"
    raise _missing(package, [name], f"/{U_BOOT_DIR}/{directory.name}/ has {have}")


def resolve_blobs(writes: tuple[RawWrite, ...], directory: Path, package: str) -> list[Blob]:
    blobs = []
    for w in writes:
        data, source = resolve_file(directory, w.file, package)
        _SIZES[(package, w.file)] = len(data)
        if w.size is not None:
            data = data[:w.size]
        blobs.append(Blob(w.file, w.offset, data, w.size if w.size is not None else len(data), source))
    return blobs


# --- device trees -------------------------------------------------------------------------------

def kernel_dtb_dirs(kernel_dir: Path) -> list[Path]:
    """Debian's device-tree directories in a realized kernel package."""
    base = kernel_dir / "usr" / "lib"
    return sorted(d for d in base.glob("linux-image-*") if d.is_dir()) if base.is_dir() else []


FDTFILE = re.compile(rb"fdtfile[= ]([A-Za-z0-9_.,+/-]+\.dtb)")


def board_device_trees(directory: Path) -> list[str]:
    """The device trees the board's U-Boot loads from FDTDIR: the `fdtfile`
    names in its environment (e.g. allwinner/sun50i-a64-pine64-lts.dtb), or
    those its findfdt script chooses between (am335x-boneblack.dtb, ...)."""
    names: set[str] = set()
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.suffix != ".dtb":
            names.update(m.decode() for m in FDTFILE.findall(path.read_bytes()))
    return sorted(names)


def install_dtbs(kernel_dir: Path, tree: Path, wanted: list[str] | None = None) -> list[str]:
    """Copy the kernel's device trees into TREE/boot/dtbs, keeping vendor
    subdirectories; return their paths relative to it.

    With WANTED (names relative to the dtb directory, as U-Boot's fdtfile
    gives them), only those SoCs' trees are copied -- every tree of the same
    directory whose name starts with the same SoC prefix (sun50i-, rk3328-,
    imx6q-, am335x-, ...); Debian's arm64 kernel has 27 MB of trees, its
    board's SoC family a few hundred KB.  Without WANTED, all of them.
    """
    prefixes = {(str(Path(w).parent), Path(w).name.split("-", 1)[0] + "-") for w in wanted or ()}
    image, package = Tree(tree), Tree(kernel_dir)
    target = DTB_DIR.strip("/")
    copied = []
    for source in kernel_dtb_dirs(kernel_dir):
        for dtb in sorted(source.rglob("*.dtb")):
            rel = dtb.relative_to(source)
            if prefixes and not any(str(rel.parent) == d and rel.name.startswith(p) for d, p in prefixes):
                continue
            dest = f"{target}/{rel}"
            for d in _parent_dirs(dest):
                if image.lstat(d) is None:
                    image.mkdir(d, 0o755)
            # Read inside the kernel package: a link there never reaches a host file.
            image.copy_from(package, str(dtb.relative_to(kernel_dir)), dest, 0o644)
            copied.append(str(rel))
    return copied


def _parent_dirs(rel: str) -> list[str]:
    parts = rel.strip("/").split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


# --- the hook -----------------------------------------------------------------------------------

def install_board(plan: ImagePlan, provider, system: str, tree: Path) -> BoardParts:
    """The board's U-Boot blobs as raw writes, and the kernel's device trees in TREE."""
    from builders.substitutes import realize_guix

    assert plan.os is not None
    parts = BoardParts()
    bootloader = plan.os.bootloader
    writes = bootloader.raw_writes
    wanted: list[str] = []
    if writes:
        if not bootloader.package:
            raise BuildError(f"the bootloader {bootloader.name} writes {', '.join(w.file for w in writes)} "
                             "but names no U-Boot package to take them from")
        directory = realize_board(provider, bootloader.package, system, [w.file for w in writes])
        for blob in resolve_blobs(writes, directory, bootloader.package):
            parts.raw_writes.append((blob.offset, blob.data, f"{blob.file} ({blob.source})"))
        wanted = board_device_trees(directory)
    if plan.os.kernel and bootloader.device_tree_support:
        kernel_dir = realize_guix(provider, plan.os.kernel, system)
        copied = install_dtbs(kernel_dir, tree, wanted or None)
        if copied:
            parts.fdtdir = DTB_DIR
        missing = [w for w in wanted if w not in copied]
        if missing or not copied:
            parts.warnings.append(
                f"the kernel package for {plan.os.kernel} has no device tree "
                f"{', '.join(missing) or 'at all'}; U-Boot will use its built-in one")
    return parts


# --- sizes for the overlap checks and --dry-run ---------------------------------------------------

def cached_board_dir(package: str, system: str) -> Path | None:
    """The board's directory in an already-extracted substitute, without fetching anything."""
    from builders.substitutes import compare_versions
    from builders.substitutes.provider import cache_root

    try:
        names, arch, board_dir = board_source(package, system)
    except BuildError:
        return None
    best: tuple[str, Path] | None = None
    base = cache_root() / "extracted"
    if not base.is_dir():
        return None
    for manifest in base.glob("*.json"):
        if manifest.name.endswith(".files.json"):   # a tree's file listing, not its manifest
            continue
        try:
            items = json.loads(manifest.read_text())
        except (OSError, ValueError):
            continue
        if not isinstance(items, list) or sorted(i.get("requested", "") for i in items) != sorted(names):
            continue
        if any(i.get("architecture") not in (arch, "all") for i in items):
            continue
        directory = manifest.with_suffix("") / U_BOOT_DIR / board_dir
        version = items[0].get("version", "")
        if directory.is_dir() and (best is None or compare_versions(version, best[0]) > 0):
            best = (version, directory)
    return best[1] if best else None


def blob_extent(plan: ImagePlan, write: RawWrite) -> int | None:
    """Bytes of disk WRITE claims: its SIZE, else the resolved file's size
    (from this build, or from the substitute cache); None when unknown."""
    if write.size is not None:
        return write.size
    if plan.os is None or not plan.os.bootloader.package:
        return None
    package = plan.os.bootloader.package
    if (package, write.file) in _SIZES:
        return _SIZES[(package, write.file)]
    directory = cached_board_dir(package, plan.system)
    if directory is None:
        return None
    try:
        data, _ = resolve_file(directory, write.file, package)
    except BuildError:
        return None
    _SIZES[(package, write.file)] = len(data)
    return len(data)


def blob_unavailable(plan: ImagePlan) -> str | None:
    """Why no reachable package provides PLAN's U-Boot blobs, or None."""
    if plan.os is None or not plan.os.bootloader.raw_writes or not plan.os.bootloader.package:
        return None
    try:
        board_source(plan.os.bootloader.package, plan.system)
    except BuildError as e:
        return e.message
    return None


__all__ = ["blob_unavailable", "BoardParts", "Blob", "blob_extent", "board_source", "install_board", "install_dtbs",
           "resolve_blobs", "resolve_file"]
