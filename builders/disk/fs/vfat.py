"""FAT12/16/32 partition images written in Python with pyfatfs.

Guix runs `mkdosfs -n LABEL -C TARGET -F 16|32 KiB [-S 512]` then `mcopy -bsp`
for each top-level entry (Guix's make-vfat-image).  We build the same kind of
file system without mtools, as a standalone file (pyfatfs's mkfs truncates
its host file, so it must never be pointed at a disk image with an offset),
and work around pyfatfs's pitfalls (each worked around below is a measured pyfatfs bug):

* timestamps: pyfatfs stamps entries with `DosDateTime.now()`; we pin that
  clock to EPOCH (clamped to 1980-01-01, the earliest FAT date) while building;
* volume id: always passed (pyfatfs otherwise derives it from the clock);
* label: always passed and at most 11 characters (the default "NO NAME"
  upsets fsck.fat);
* FAT32 FSInfo: pyfatfs never updates the free-cluster count, so we recount;
* `import fs` needs pkg_resources (setuptools < 81); a stub is installed if
  it is missing.

Symbolic links are followed (FAT cannot hold them), as mcopy does.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
import re
import shutil
import struct
import sys
import types
from collections.abc import Iterator
from pathlib import Path

FAT_EPOCH = 315532800  # 1980-01-01T00:00:00Z: FAT cannot store earlier dates
MAX_LABEL = 11
SECTOR = 512
# pyfatfs's sector-count limits per FAT type (PyFat.mkfs tables): (min exclusive, max inclusive).
SECTOR_LIMITS = {12: (0, 522752), 16: (8400, 4194304), 32: (66600, 67108864)}
FAT_TYPES = ("vfat", "fat16", "fat32")


def make_vfat(
    fs_type: str,
    tree: Path | None,
    out: Path,
    size: int,
    label: str,
    uuid: str | None,
    options: tuple[str, ...],
    epoch: int,
) -> None:
    """Create a FAT image of SIZE bytes at OUT holding TREE's files (deterministic)."""
    if fs_type not in FAT_TYPES:
        raise ValueError(f"not a FAT file system: {fs_type}")
    check_label(label)
    settings = parse_options(options)
    sector_size = settings.get("-S", SECTOR)
    bits = settings.get("-F") or choose_fat_bits(fs_type, size, sector_size)
    check_size(bits, size, sector_size)
    volume_id = volume_id_for(uuid, label, size, epoch)
    fat_time = max(epoch, FAT_EPOCH)
    out.unlink(missing_ok=True)
    out.touch()
    with pinned_clock(fat_time):
        format_image(out, bits, size, sector_size, settings.get("-f", 2), label, volume_id)
        if tree is not None:
            copy_tree(tree, out)
    fix_geometry(out)
    if bits == 12:
        fix_fat12_reserved_entry(out)
    if bits == 32:
        fix_fsinfo(out)


# --- parameters -----------------------------------------------------------


def check_label(label: str) -> None:
    """FAT labels: 1..11 characters of printable ASCII."""
    if not label:
        raise ValueError("a FAT file system needs a volume label (1 to 11 characters)")
    if len(label) > MAX_LABEL:
        raise ValueError(f"FAT volume label {label!r} is {len(label)} characters long; at most {MAX_LABEL} allowed")
    if not label.isascii() or not label.isprintable():
        raise ValueError(f"FAT volume label {label!r} must be printable ASCII")


def parse_options(options: tuple[str, ...]) -> dict[str, int]:
    """Understand the mkfs.fat options that make sense here: -F BITS, -S SECTOR, -f NFATS."""
    settings: dict[str, int] = {}
    words = list(options)
    while words:
        word = words.pop(0)
        match = re.fullmatch(r"(-[FSf])(\d*)", word)
        if match is None:
            raise ValueError(f"unsupported FAT file-system option: {word!r} (supported: -F, -S, -f)")
        value = match.group(2) or (words.pop(0) if words else "")
        if not value.isdigit():
            raise ValueError(f"FAT file-system option {match.group(1)} needs a number")
        settings[match.group(1)] = int(value)
    if settings.get("-F", 12) not in (12, 16, 32):
        raise ValueError(f"-F must be 12, 16 or 32, not {settings['-F']}")
    return settings


def choose_fat_bits(fs_type: str, size: int, sector_size: int = SECTOR) -> int:
    """FAT width for FS_TYPE: fat16/fat32 as named (Guix passes -F 16/-F 32).

    "vfat" is FAT16 like Guix's `mkdosfs -F 16`, except where FAT16 cannot
    exist, where mkfs.fat's automatic choice applies: FAT12 for small
    volumes (below about 4 MiB) and FAT32 for volumes above 2 GiB.
    """
    if fs_type == "fat32":
        return 32
    if fs_type == "fat16":
        return 16
    sectors = -(-size // sector_size)
    low, high = SECTOR_LIMITS[16]
    if sectors <= low:
        return 12
    return 16 if sectors <= high else 32


def check_size(bits: int, size: int, sector_size: int) -> None:
    """Refuse sizes pyfatfs cannot format as FAT<BITS> (it fails obscurely otherwise)."""
    sectors = -(-size // sector_size)
    low, high = SECTOR_LIMITS[bits]
    if not low < sectors <= high:
        lo, hi = (low + 1) * sector_size, high * sector_size
        raise ValueError(f"FAT{bits} needs a size between {lo} and {hi} bytes, not {size}")


def volume_id_for(uuid: str | None, label: str, size: int, epoch: int) -> int:
    """32-bit volume id: from "ABCD-1234" or the first 8 hex digits of a UUID, else derived."""
    if uuid:
        digits = uuid.replace("-", "")
        if re.fullmatch(r"[0-9a-fA-F]{8}([0-9a-fA-F]{24})?", digits):
            return int(digits[:8], 16)
        raise ValueError(f"FAT volume id must look like 'ABCD-1234' (or be a UUID), not {uuid!r}")
    digest = hashlib.sha256(f"pyguix:fat:{label}:{size}:{epoch}".encode()).digest()
    return int.from_bytes(digest[:4], "little")


# --- pyfatfs --------------------------------------------------------------


def import_pyfatfs() -> tuple[types.ModuleType, types.ModuleType, types.ModuleType]:
    """Import pyfatfs (PyFat, PyFatFS, DosDateTime), stubbing pkg_resources if needed."""
    import warnings

    try:
        with warnings.catch_warnings():  # setuptools 80 warns that pkg_resources is deprecated
            warnings.simplefilter("ignore")
            import pkg_resources  # noqa: F401
    except ImportError:
        stub = types.ModuleType("pkg_resources")
        stub.declare_namespace = lambda name: None  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = stub
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyfatfs import DosDateTime, PyFat, PyFatFS

    return PyFat, PyFatFS, DosDateTime


@contextlib.contextmanager
def pinned_clock(timestamp: int) -> Iterator[None]:
    """Make pyfatfs's `DosDateTime.now()` return TIMESTAMP (UTC) while active."""
    _, _, dosdt = import_pyfatfs()
    cls = dosdt.DosDateTime
    original = cls.__dict__["now"]
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)
    fixed = cls(*moment.timetuple()[:6])
    cls.now = staticmethod(lambda *args, **kwargs: fixed)
    try:
        yield
    finally:
        cls.now = original


def format_image(out: Path, bits: int, size: int, sector_size: int, fats: int, label: str, volume_id: int) -> None:
    """Run pyfatfs's mkfs on the standalone file OUT."""
    pyfat_mod, _, _ = import_pyfatfs()
    pyfat_cls = pyfat_mod.PyFat
    fat_type = {12: pyfat_cls.FAT_TYPE_FAT12, 16: pyfat_cls.FAT_TYPE_FAT16, 32: pyfat_cls.FAT_TYPE_FAT32}[bits]
    pf = pyfat_cls()
    try:
        pf.mkfs(os.fspath(out), fat_type, size=size, sector_size=sector_size, number_of_fats=fats, label=label,
                volume_id=volume_id)
    finally:
        pf.close()


def copy_tree(tree: Path, image: Path) -> None:
    """Copy TREE into the FAT file system in IMAGE, in sorted order, following symlinks."""
    _, pyfatfs_mod, _ = import_pyfatfs()
    ffs = pyfatfs_mod.PyFatFS(os.fspath(image), utc=True)
    try:
        for source, target, is_dir in sorted_entries(tree):
            if is_dir:
                ffs.makedir(target)
            else:
                with open(source, "rb") as src, ffs.openbin(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    finally:
        ffs.close()


def sorted_entries(tree: Path) -> Iterator[tuple[str, str, bool]]:
    """(host path, FAT path, is directory) for everything below TREE, parents first."""
    for dirpath, dirnames, filenames in os.walk(tree, followlinks=True):
        dirnames.sort()
        rel = os.path.relpath(dirpath, tree)
        prefix = "" if rel == "." else "/" + rel.replace(os.sep, "/")
        for name in sorted(filenames + dirnames):
            source = os.path.join(dirpath, name)
            if not os.path.exists(source):
                raise ValueError(f"dangling symbolic link cannot be copied to FAT: {source}")
            yield source, f"{prefix}/{name}", name in dirnames


# --- fix-ups after pyfatfs ----------------------------------------------------

# CHS geometry written into the BPB; pyfatfs leaves it at 0, which mtools
# refuses ("zero number of heads or sectors").  mkfs.fat uses 32 sectors/track.
SECTORS_PER_TRACK = 32
HEADS = 64


def fix_geometry(image: Path) -> None:
    """Write a non-zero sectors-per-track/heads pair into the boot sector (and FAT32 backup)."""
    with open(image, "r+b") as f:
        boot = f.read(SECTOR)
        bytes_per_sector = struct.unpack_from("<H", boot, 11)[0]
        is_fat32 = struct.unpack_from("<H", boot, 22)[0] == 0
        sectors = [0, struct.unpack_from("<H", boot, 50)[0]] if is_fat32 else [0]
        for sector in sectors:
            f.seek(sector * bytes_per_sector + 24)
            f.write(struct.pack("<HH", SECTORS_PER_TRACK, HEADS))



def fix_fat12_reserved_entry(image: Path) -> None:
    """Set FAT12 entry 1 to 0xFFF in every FAT copy.

    pyfatfs writes 0xFF0 there; mtools then refuses the image ("Initial bytes
    of fat is not 0xff").  mkfs.fat writes F8 FF FF.
    """
    with open(image, "r+b") as f:
        boot = f.read(SECTOR)
        bytes_per_sector, _, reserved = struct.unpack_from("<HBH", boot, 11)
        nfats, fat_sectors = boot[16], struct.unpack_from("<H", boot, 22)[0]
        for copy in range(nfats):
            start = (reserved + copy * fat_sectors) * bytes_per_sector
            f.seek(start + 1)
            low = f.read(1)[0]
            f.seek(start + 1)
            f.write(bytes([low | 0xF0, 0xFF]))


def fix_fsinfo(image: Path) -> None:
    """Recount free clusters and write them into the FSInfo sector and its backup."""
    with open(image, "r+b") as f:
        boot = f.read(SECTOR)
        bytes_per_sector, sectors_per_cluster, reserved = struct.unpack_from("<HBH", boot, 11)
        nfats = boot[16]
        total = struct.unpack_from("<I", boot, 32)[0]
        fat_sectors = struct.unpack_from("<I", boot, 36)[0]
        fsinfo_sector, backup_boot = struct.unpack_from("<HH", boot, 48)
        clusters = (total - reserved - nfats * fat_sectors) // sectors_per_cluster
        f.seek(reserved * bytes_per_sector)
        fat = f.read((clusters + 2) * 4)
        entries = struct.unpack(f"<{clusters + 2}I", fat)[2:]
        free = [i + 2 for i, e in enumerate(entries) if e & 0x0FFFFFFF == 0]
        next_free = free[0] if free else 0xFFFFFFFF
        for sector in (fsinfo_sector, backup_boot + fsinfo_sector):
            f.seek(sector * bytes_per_sector + 488)
            f.write(struct.pack("<II", len(free), next_free))
