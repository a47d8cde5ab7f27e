"""GRUB for disk images, without grub-install: grub-mkimage plus byte patching.

BIOS (i386-pc), what `grub-bios-setup` does when it embeds GRUB after the
MBR, all little-endian:

* the first 440 bytes of boot.img go to sector 0; the disk signature, the
  partition table and 0x55AA that follow are kept;
* boot.img 0x5C (u64) `kernel_sector` = LBA of core.img's first sector;
* boot.img 0x66..0x67, the drive check (`jmp`), becomes `90 90`;
* core.img is written contiguously at CORE_LBA (LBA 1 in the MBR gap, or the
  BIOS boot partition's first LBA on GPT); its first sector (diskboot.img)
  holds a block list at +0x1F4: start LBA (u64, = CORE_LBA + 1), sector
  count (u16, core sectors - 1, filled by grub-mkimage) and load segment
  (u16, 0x0820); the zero entry below it ends the list.

No module directory is installed on the image, so every module GRUB needs is
linked into core.img / the EFI binary, and a small embedded config finds the
root file system (by UUID or label, else by partition number) and sets
$prefix to its /boot/grub, from which `normal` reads grub.cfg.

EFI: a standalone BOOTX64.EFI (x86_64-efi) or BOOTIA32.EFI (i386-efi) for the
ESP's \\EFI\\BOOT.

The GRUB files come from the substitute provider (Debian's grub-common,
grub-pc-bin, grub-efi-amd64-bin and grub-efi-ia32-bin), never from the host's
/usr/lib/grub.  grub-mkimage's output depends only on its inputs (checked:
two runs, with and without SOURCE_DATE_EPOCH, give identical files).
"""

from __future__ import annotations

import os
import struct
import tempfile
import uuid as uuidlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builders.disk.assemble import write_at
from builders.errors import BuildError
from builders.run import run

SECTOR = 512
BOOT_CODE_SIZE = 440

# boot.img fields (grub 2.06 include/grub/i386/pc/boot.h)
KERNEL_SECTOR_OFFSET = 0x5C
BOOT_DRIVE_OFFSET = 0x64
DRIVE_CHECK_OFFSET = 0x66
# diskboot.img (core.img sector 0): the first block-list entry, from its end
BLOCKLIST_OFFSET = 0x1F4           # u64 start, u16 length, u16 segment
BLOCKLIST = struct.Struct("<QHH")
LOAD_SEGMENT = 0x0820

PACKAGES = ("grub-common", "grub-pc-bin", "grub-efi-amd64-bin", "grub-efi-ia32-bin")

# Modules linked into every image.  Order is fixed (output must not vary).
BIOS_MODULES = (
    "biosdisk", "part_msdos", "part_gpt", "ext2", "fat", "normal", "linux", "multiboot", "gzio",
    "echo", "search", "search_label", "search_fs_uuid", "search_fs_file", "serial", "terminal",
    "configfile", "boot", "test", "ls", "cat", "halt", "reboot", "minicmd",
)
EFI_MODULES = (
    "part_msdos", "part_gpt", "ext2", "fat", "normal", "linux", "multiboot", "gzio", "echo",
    "search", "search_label", "search_fs_uuid", "search_fs_file", "serial", "terminal",
    "configfile", "efi_gop", "efi_uga", "test", "boot", "ls", "cat", "halt", "reboot",
    "minicmd", "efifwsetup",
)
EFI_TARGETS = {"x86_64": ("x86_64-efi", "BOOTX64.EFI"), "i386": ("i386-efi", "BOOTIA32.EFI")}

BIOS_BOOT_GUID = uuidlib.UUID("21686148-6449-6E6F-744E-656564454649")


class GrubError(BuildError):
    """GRUB could not be made or installed."""


# --- where GRUB's files come from --------------------------------------------------------


@dataclass(frozen=True)
class GrubTools:
    """grub-mkimage and the platform directories (`.../lib/grub/<platform>`)."""

    mkimage: Path
    lib: Path                           # the directory holding i386-pc/, x86_64-efi/, ...
    library_path: tuple[Path, ...] = ()  # extra shared-library directories for grub-mkimage
    # How grub-mkimage is started: through the dynamic loader of the tree it comes from, when that
    # tree holds its libraries too (Debian 13's needs glibc 2.38+; substitutes/hostrun.py).
    command: tuple[str, ...] = ()

    def platform_dir(self, platform_name: str) -> Path:
        d = self.lib / platform_name
        if not (d / "moddep.lst").is_file():
            raise GrubError(
                f"GRUB platform directory {d} is missing (no moddep.lst)",
                {"i386-pc": "it comes with the Debian package grub-pc-bin",
                 "x86_64-efi": "it comes with the Debian package grub-efi-amd64-bin",
                 "i386-efi": "it comes with the Debian package grub-efi-ia32-bin"}.get(platform_name),
            )
        return d

    def env(self) -> dict[str, str]:
        env = {"SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "1")}
        if self.library_path and len(self.command) <= 1:
            env["LD_LIBRARY_PATH"] = os.pathsep.join(os.fspath(p) for p in self.library_path)
        return env

    def argv(self) -> list[str]:
        return list(self.command) or [os.fspath(self.mkimage)]


def _find_tools(roots: Sequence[Path]) -> GrubTools:
    mkimage = lib = None
    libs: list[Path] = []
    for root in roots:
        for cand in ("usr/bin/grub-mkimage", "bin/grub-mkimage"):
            if mkimage is None and (root / cand).is_file():
                mkimage = root / cand
        for cand in ("usr/lib/grub", "lib/grub"):
            if lib is None and (root / cand).is_dir():
                lib = root / cand
        for cand in ("usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu", "usr/lib/aarch64-linux-gnu",
                     "lib/aarch64-linux-gnu"):
            if (root / cand).is_dir():
                libs.append(root / cand)
    where = ", ".join(os.fspath(r) for r in roots)
    if mkimage is None:
        raise GrubError(f"grub-mkimage not found in {where}",
                        "it comes with the Debian package grub-common (from the substitute provider)")
    if lib is None:
        raise GrubError(f"no lib/grub directory in {where}",
                        "the Debian packages grub-pc-bin / grub-efi-amd64-bin provide it")
    from builders.substitutes.hostrun import loader_command

    home = next(r for r in roots if mkimage.is_relative_to(r))
    return GrubTools(mkimage=mkimage, lib=lib, library_path=tuple(libs),
                     command=tuple(loader_command(home, mkimage)))


def realize_packages(names: list[str], arch: str, provider: Any = None) -> Path:
    """NAMES for ARCH with the libraries their programs need (their dependency closure),
    extracted into one cached directory by PROVIDER (default: the build's)."""
    from builders.substitutes import default_provider
    from builders.substitutes.hostrun import runtime_tree

    return Path(runtime_tree(provider if provider is not None else default_provider(), names, arch))


def grub_tools(grub_dirs: Any = None) -> GrubTools:
    """GRUB's tools from GRUB_DIRS: a GrubTools, extracted package root(s), a substitute
    provider, or None for the default substitute provider."""
    if isinstance(grub_dirs, GrubTools):
        return grub_dirs
    if grub_dirs is None or hasattr(grub_dirs, "fetch"):
        from builders.substitutes.apt import native_architecture  # GRUB's tools run here

        roots = [realize_packages(list(PACKAGES), native_architecture(), provider=grub_dirs)]
    elif isinstance(grub_dirs, (str, os.PathLike)):
        roots = [Path(grub_dirs)]
    else:
        roots = [Path(d) for d in grub_dirs]
    return _find_tools(roots)


# --- grub-mkimage ---------------------------------------------------------------------------


def early_config(
    *, root_uuid: str | None = None, root_label: str | None = None, table: str = "mbr",
    root_partition_index: int = 1,
) -> str:
    """The config embedded in core.img / the EFI binary: find the root, set $prefix."""
    if root_uuid:
        search = f"search --no-floppy --fs-uuid --set=root {root_uuid.lower()}\n"
    elif root_label:
        search = f"search --no-floppy --label --set=root '{root_label}'\n"
    else:
        part = "msdos" if table == "mbr" else "gpt"
        search = f"set root=(hd0,{part}{root_partition_index})\n"
    return search + "set prefix=($root)/boot/grub\n"


def _available(modules: Iterable[str], pdir: Path, required: Iterable[str]) -> list[str]:
    missing = [m for m in required if not (pdir / f"{m}.mod").is_file()]
    if missing:
        raise GrubError(f"GRUB modules missing from {pdir}: {', '.join(missing)}")
    return [m for m in modules if (pdir / f"{m}.mod").is_file()]


def mkimage(
    tools: GrubTools, fmt: str, out: Path, config_text: str, modules: Sequence[str], *,
    prefix: str = "/boot/grub", platform_name: str | None = None, required: Sequence[str] = (),
) -> Path:
    """Run grub-mkimage -O FMT with CONFIG_TEXT embedded and MODULES linked in."""
    pdir = tools.platform_dir(platform_name or fmt)
    mods = _available(modules, pdir, required or modules)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pyguix-grub-") as tmp:
        cfg = Path(tmp) / "early.cfg"
        cfg.write_text(config_text, encoding="utf-8")
        run([*tools.argv(), "-d", pdir, "-O", fmt, "-o", out, "-c", cfg, "-p", prefix, *mods], env=tools.env())
    return out


def make_core_image(tools: GrubTools, out: Path, config_text: str, prefix: str = "/boot/grub") -> Path:
    """core.img for BIOS (i386-pc)."""
    return mkimage(tools, "i386-pc", out, config_text, BIOS_MODULES, prefix=prefix,
                   required=("biosdisk", "part_msdos", "part_gpt", "ext2", "normal", "linux", "search",
                             "serial", "terminal", "configfile"))


# --- BIOS installation ------------------------------------------------------------------------


@dataclass(frozen=True)
class BiosInstall:
    """What install_grub_bios wrote."""

    core_lba: int
    core_size: int
    core_sectors: int
    gap_sectors: int               # sectors available from CORE_LBA


def _read(image: Path, offset: int, size: int) -> bytes:
    with open(image, "rb") as f:
        f.seek(offset)
        return f.read(size)


def core_area(image: Path, table: str, core_lba: int) -> tuple[int, int]:
    """[start, end) LBAs where core.img may go, read from IMAGE's partition table.

    MBR: from CORE_LBA (>= 1) to the first partition's start.  GPT: the BIOS
    boot partition that starts at CORE_LBA.
    """
    mbr = _read(image, 0, SECTOR)
    if len(mbr) < SECTOR or mbr[510:512] != b"\x55\xaa":
        raise GrubError(f"{image}: sector 0 has no 0x55AA signature; write the partition table first")
    if table == "mbr":
        if core_lba < 1:
            raise GrubError("GRUB's core.img cannot go in sector 0 (the MBR)")
        starts = []
        for i in range(4):
            e = mbr[446 + 16 * i: 462 + 16 * i]
            ptype, first, count = e[4], *struct.unpack("<II", e[8:16])
            if ptype and count:
                if first <= core_lba < first + count:
                    raise GrubError(f"core.img at LBA {core_lba} would overwrite MBR partition {i + 1}")
                if first > core_lba:
                    starts.append(first)
        size_sectors = os.stat(image).st_size // SECTOR
        return core_lba, min(starts, default=size_sectors)
    if table == "gpt":
        hdr = _read(image, SECTOR, SECTOR)
        if hdr[:8] != b"EFI PART":
            raise GrubError(f"{image}: no GPT header at LBA 1")
        entries_lba, count, esize = struct.unpack("<QII", hdr[72:88])
        array = _read(image, entries_lba * SECTOR, count * esize)
        for i in range(count):
            e = array[i * esize:(i + 1) * esize]
            if e[:16] == bytes(16):
                continue
            first, last = struct.unpack("<QQ", e[32:48])
            if first <= core_lba <= last:
                if uuidlib.UUID(bytes_le=e[:16]) != BIOS_BOOT_GUID:
                    raise GrubError(
                        f"core.img at LBA {core_lba} would go in GPT partition {i + 1}, "
                        "which is not a BIOS boot partition",
                        "add a BIOS boot partition (type 21686148-6449-6E6F-744E-656564454649)",
                    )
                if first != core_lba:
                    raise GrubError(f"core.img must start at the BIOS boot partition's first LBA {first}")
                return first, last + 1
        raise GrubError(
            f"no BIOS boot partition at LBA {core_lba} of the GPT",
            "GRUB on a BIOS machine with a GPT disk needs a BIOS boot partition "
            "(type 21686148-6449-6E6F-744E-656564454649, 1 MiB is plenty)",
        )
    raise GrubError(f"unknown partition table type {table!r} (expected mbr or gpt)")


def patch_boot_sector(sector0: bytes, boot_img: bytes, core_lba: int) -> bytes:
    """Sector 0 with boot.img's code (440 bytes) and the grub-setup patches; table kept."""
    if len(boot_img) != SECTOR or boot_img[510:512] != b"\x55\xaa":
        raise GrubError("boot.img is not a 512-byte boot sector")
    out = bytearray(sector0)
    out[:BOOT_CODE_SIZE] = boot_img[:BOOT_CODE_SIZE]
    out[KERNEL_SECTOR_OFFSET:KERNEL_SECTOR_OFFSET + 8] = struct.pack("<Q", core_lba)
    if out[DRIVE_CHECK_OFFSET] != 0xEB:
        raise GrubError(f"boot.img has no drive-check jump at {DRIVE_CHECK_OFFSET:#x}; unknown GRUB version?")
    out[DRIVE_CHECK_OFFSET:DRIVE_CHECK_OFFSET + 2] = b"\x90\x90"
    return bytes(out)


def patch_core_image(core: bytes, core_lba: int) -> bytes:
    """core.img with diskboot's block list pointing at the rest of core (CORE_LBA + 1)."""
    sectors = -(-len(core) // SECTOR)
    start, length, segment = BLOCKLIST.unpack_from(core, BLOCKLIST_OFFSET)
    if segment != LOAD_SEGMENT:
        raise GrubError(f"core.img's block list has load segment {segment:#x}, expected {LOAD_SEGMENT:#x}")
    if length != sectors - 1:
        raise GrubError(f"core.img's block list says {length} sectors, but core.img has {sectors - 1} after diskboot")
    out = bytearray(core)
    BLOCKLIST.pack_into(out, BLOCKLIST_OFFSET, core_lba + 1, sectors - 1, LOAD_SEGMENT)
    return bytes(out)


def install_grub_bios(
    disk_image: Path,
    *,
    core_lba: int,
    root_partition_index: int,
    table: str,
    grub_dirs: GrubTools | Path | Sequence[Path] | None = None,
    config_text: str | None = None,
    root_uuid: str | None = None,
    root_label: str | None = None,
) -> BiosInstall:
    """Make GRUB boot DISK_IMAGE on a BIOS machine, as grub-install + grub-bios-setup would.

    DISK_IMAGE already holds its partition table and partitions.  CONFIG_TEXT
    is the config embedded in core.img (default: `early_config` for
    ROOT_UUID / ROOT_LABEL, else partition ROOT_PARTITION_INDEX of hd0).
    core.img goes at CORE_LBA: 1 for the MBR gap, the BIOS boot partition's
    first LBA on GPT.
    """
    disk_image = Path(disk_image)
    tools = grub_tools(grub_dirs)
    pdir = tools.platform_dir("i386-pc")
    start, end = core_area(disk_image, table, core_lba)
    if config_text is None:
        config_text = early_config(root_uuid=root_uuid, root_label=root_label, table=table,
                                   root_partition_index=root_partition_index)
    with tempfile.TemporaryDirectory(prefix="pyguix-grub-") as tmp:
        core_path = make_core_image(tools, Path(tmp) / "core.img", config_text)
        core = core_path.read_bytes()
    sectors = -(-len(core) // SECTOR)
    gap = end - start
    if sectors > gap:
        where = ("between the MBR and the first partition" if table == "mbr"
                 else "in the BIOS boot partition")
        raise GrubError(
            f"GRUB's core.img is {len(core)} bytes ({sectors} sectors) but only {gap} sectors "
            f"({gap * SECTOR} bytes) are free {where} (LBA {start} to {end - 1})",
            "start the first partition at 1 MiB (offset 1048576)" if table == "mbr"
            else "make the BIOS boot partition at least 1 MiB",
        )
    boot_img = (pdir / "boot.img").read_bytes()
    core = patch_core_image(core, core_lba)
    sector0 = patch_boot_sector(_read(disk_image, 0, SECTOR), boot_img, core_lba)
    write_at(disk_image, core_lba * SECTOR, core, name="GRUB core.img")
    write_at(disk_image, 0, sector0[:BOOT_CODE_SIZE], name="GRUB boot.img")
    return BiosInstall(core_lba=core_lba, core_size=len(core), core_sectors=sectors, gap_sectors=gap)


# --- EFI ------------------------------------------------------------------------------------


def make_grub_efi(
    out_efi: Path,
    arch: str = "x86_64",
    config_text: str | None = None,
    *,
    grub_dirs: GrubTools | Path | Sequence[Path] | None = None,
    root_uuid: str | None = None,
    root_label: str | None = None,
) -> Path:
    """A standalone GRUB EFI application (BOOTX64.EFI for x86_64, BOOTIA32.EFI for i386).

    CONFIG_TEXT is embedded (default: `early_config` finding ROOT_UUID or
    ROOT_LABEL, then loading $prefix/grub.cfg = /boot/grub/grub.cfg there).
    """
    try:
        fmt, _ = EFI_TARGETS[arch]
    except KeyError:
        raise GrubError(f"no GRUB EFI target for {arch!r} (expected one of: {', '.join(EFI_TARGETS)})") from None
    if config_text is None:
        if not (root_uuid or root_label):
            raise GrubError("the EFI GRUB image needs the root's UUID or label to find /boot/grub")
        config_text = early_config(root_uuid=root_uuid, root_label=root_label, table="gpt")
    tools = grub_tools(grub_dirs)
    return mkimage(tools, fmt, Path(out_efi), config_text, EFI_MODULES,
                   required=("part_gpt", "part_msdos", "ext2", "fat", "normal", "linux", "search",
                             "serial", "terminal", "configfile"))


def efi_file_name(arch: str) -> str:
    """BOOTX64.EFI / BOOTIA32.EFI: the removable-media path name under \\EFI\\BOOT."""
    return EFI_TARGETS[arch][1]


def make_grub_eltorito(
    out: Path, config_text: str, *, grub_dirs: GrubTools | Path | Sequence[Path] | None = None
) -> Path:
    """An El Torito BIOS boot image (cdboot.img + core.img) for ISO 9660 images."""
    tools = grub_tools(grub_dirs)
    return mkimage(tools, "i386-pc-eltorito", Path(out), config_text,
                   tuple(m for m in BIOS_MODULES if m != "biosdisk") + ("biosdisk", "iso9660"),
                   platform_name="i386-pc")


__all__ = [
    "BIOS_MODULES", "EFI_MODULES", "BiosInstall", "GrubError", "GrubTools", "core_area", "early_config",
    "efi_file_name", "grub_tools", "install_grub_bios", "make_core_image", "make_grub_efi",
    "make_grub_eltorito", "patch_boot_sector", "patch_core_image",
]
