"""ISO 9660 images (Rock Ridge + Joliet) written with pycdlib, reproducibly.

Guix runs grub-mkrescue/xorriso with `-volume_date all_file_dates =1`,
`-volid LABEL` and `-volume_date uuid DIGITS` (what Guix passes to grub-mkrescue/xorriso).  Here:

* every date pycdlib takes from the clock is pinned to EPOCH (pycdlib calls
  `time.time()`/`time.localtime()` in several modules; we swap in a frozen
  clock while the image is built and written);
* the volume creation/modification dates can be set to an iso9660 "UUID"
  string (`1970-01-01-HH-MM-SS-CC`, what Linux's blkid reports as UUID);
* ISO 9660 names are mangled by us (pycdlib leaves that to the caller):
  d-characters, unique per directory; Rock Ridge keeps the real names and
  modes, Joliet gets names truncated to 64 characters;
* optional El Torito entries, as grub-mkrescue makes them: a BIOS
  no-emulation image (4 sectors loaded, boot info table) and/or an EFI
  system image (platform 0xEF, loaded whole); the images themselves (GRUB's
  eltorito.img and a FAT efi.img) come from builders/boot/live.py;
* files are stored uncompressed: zisofs (Guix's `compression?`) is not
  implemented.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time as real_time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

DEFAULT_VOLUME_ID = "GUIX_IMAGE"
PYCDLIB_CLOCK_MODULES = ("pycdlib.pycdlib", "pycdlib.headervd", "pycdlib.dates", "pycdlib.inplaceeditor",
                         "pycdlib.utils")
SECTOR = 2048
JOLIET_MAX = 64
ISO_FILE_MAX = 30  # name + extension at interchange level 3
ISO_DIR_MAX = 31
BIOS_BOOT_PATH = "/boot/bios-boot.img"
EFI_BOOT_PATH = "/boot/efi-boot.img"


def make_iso9660(
    tree: Path,
    out: Path,
    *,
    epoch: int,
    volume_id: str = DEFAULT_VOLUME_ID,
    uuid: str | None = None,
    bios_boot_image: Path | None = None,
    efi_boot_image: Path | None = None,
) -> None:
    """Write TREE as an ISO 9660 image at OUT, all dates EPOCH (UTC).

    VOLUME_ID is upcased like Guix's `-volid`.  UUID, an iso9660 UUID string
    ("1970-01-01-12-34-56-78"), becomes the volume creation/modification date.
    BIOS_BOOT_IMAGE / EFI_BOOT_IMAGE (host files; if inside TREE their place
    in the tree is used, else they are added under /boot) get El Torito entries.
    """
    volume_id = check_volume_id(volume_id)
    import pycdlib

    with frozen_clock(epoch):
        iso = pycdlib.PyCdlib()
        iso.new(interchange_level=3, vol_ident=volume_id, joliet=3, rock_ridge="1.09")
        builder = IsoTree(iso)
        builder.add_tree(tree)
        add_boot_entries(builder, tree, bios_boot_image, efi_boot_image)
        out.unlink(missing_ok=True)
        iso.write(os.fspath(out))
        iso.close()
    if uuid is not None:
        set_volume_dates(out, uuid_to_date(uuid))


def check_volume_id(volume_id: str) -> str:
    """Upcase VOLUME_ID and check it fits the 32 a-characters of a volume id."""
    volume_id = volume_id.upper()
    if not volume_id or len(volume_id) > 32 or not re.fullmatch(r"[A-Z0-9_ !\"%&'()*+,\-./:;<=>?]+", volume_id):
        raise ValueError(f"ISO 9660 volume id must be 1 to 32 characters from A-Z 0-9 _ (got {volume_id!r})")
    return volume_id


# --- clock -------------------------------------------------------------------


class FrozenTime:
    """Stands in for the `time` module inside pycdlib: the clock reads EPOCH, the zone is UTC."""

    def __init__(self, epoch: int) -> None:
        self._epoch = epoch

    def time(self) -> float:
        return float(self._epoch)

    def localtime(self, seconds: float | None = None) -> real_time.struct_time:
        return real_time.gmtime(self._epoch if seconds is None else seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(real_time, name)


@contextlib.contextmanager
def frozen_clock(epoch: int) -> Iterator[None]:
    """Replace the `time` module seen by pycdlib's modules while active."""
    import importlib

    modules: list[ModuleType] = [importlib.import_module(m) for m in PYCDLIB_CLOCK_MODULES]
    saved = [m.time for m in modules]
    frozen = FrozenTime(epoch)
    for module in modules:
        module.time = frozen  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module, original in zip(modules, saved, strict=True):
            module.time = original  # type: ignore[attr-defined]


# --- names and tree ------------------------------------------------------------


def d_characters(text: str) -> str:
    """TEXT upcased with everything outside A-Z 0-9 _ replaced by '_'."""
    return re.sub(r"[^A-Z0-9_]", "_", text.upper())


def iso_name(name: str, is_dir: bool, taken: set[str]) -> str:
    """A level-3 ISO 9660 name for NAME, unique among TAKEN (which is updated)."""
    if is_dir:
        stem, ext = d_characters(name)[:ISO_DIR_MAX] or "_", ""
    else:
        base, dot, extension = name.rpartition(".")
        if not dot or not base:
            base, extension = name, ""
        ext = d_characters(extension)[:8]
        stem = d_characters(base)[: ISO_FILE_MAX - len(ext)] or "_"
    candidate, counter = stem, 0
    while render_iso(candidate, ext, is_dir) in taken:
        counter += 1
        suffix = f"_{counter}"
        limit = (ISO_DIR_MAX if is_dir else ISO_FILE_MAX - len(ext)) - len(suffix)
        candidate = stem[:limit] + suffix
    result = render_iso(candidate, ext, is_dir)
    taken.add(result)
    return result


def render_iso(stem: str, ext: str, is_dir: bool) -> str:
    """The on-disc spelling: directories bare, files NAME.EXT;1."""
    return stem if is_dir else f"{stem}.{ext};1"


def joliet_name(name: str, taken: set[str]) -> str:
    """NAME cut to Joliet's 64 UCS-2 characters, unique among TAKEN."""
    clean = "".join(c if ord(c) < 0x10000 and c not in "*/:;?\\" else "_" for c in name)
    candidate, counter = clean[:JOLIET_MAX], 0
    while candidate in taken:
        counter += 1
        suffix = f"_{counter}"
        candidate = clean[: JOLIET_MAX - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


@dataclass
class IsoDir:
    """One directory of the image: its ISO/Joliet paths, names used, subdirectories."""

    iso_path: str
    joliet_path: str
    iso_taken: set[str] = field(default_factory=set)
    joliet_taken: set[str] = field(default_factory=set)
    children: dict[str, IsoDir] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)

    def child_paths(self, name: str, is_dir: bool) -> tuple[str, str]:
        """Allocate ISO and Joliet paths for the entry NAME of this directory."""
        if name in self.names:
            raise ValueError(f"{self.joliet_path.rstrip('/')}/{name} is already in the image")
        self.names.add(name)
        iso = iso_name(name, is_dir, self.iso_taken)
        joliet = joliet_name(name, self.joliet_taken)
        return f"{self.iso_path.rstrip('/')}/{iso}", f"{self.joliet_path.rstrip('/')}/{joliet}"


class IsoTree:
    """Adds a host directory tree to a pycdlib image, remembering host -> ISO paths."""

    def __init__(self, iso: Any) -> None:
        self.iso = iso
        self.root = IsoDir("/", "/")
        self.iso_paths: dict[str, str] = {}  # realpath of a host file -> its ISO path

    def add_tree(self, tree: Path) -> None:
        """Add everything below TREE, directories before their contents, names sorted."""
        dirs = {os.fspath(tree): self.root}
        for dirpath, dirnames, filenames in os.walk(tree):
            dirnames.sort()
            parent = dirs[dirpath]
            for name in sorted(dirnames + filenames):
                host = os.path.join(dirpath, name)
                made = self.add_entry(parent, host, name)
                if made is not None:
                    dirs[host] = made

    def add_entry(self, parent: IsoDir, host: str, name: str) -> IsoDir | None:
        """Add one host entry below PARENT; return the new IsoDir for directories."""
        st = os.lstat(host)
        is_dir = stat.S_ISDIR(st.st_mode)
        iso_path, joliet_path = parent.child_paths(name, is_dir)
        if is_dir:
            return self.add_directory(parent, name, iso_path, joliet_path, st.st_mode)
        if stat.S_ISLNK(st.st_mode):
            self.iso.add_symlink(iso_path, rr_symlink_name=name, rr_path=os.readlink(host), joliet_path=joliet_path)
        elif stat.S_ISREG(st.st_mode):
            self.iso.add_file(host, iso_path, rr_name=name, joliet_path=joliet_path, file_mode=st.st_mode)
            self.iso_paths[os.path.realpath(host)] = iso_path
        else:
            raise ValueError(f"cannot put special file into an ISO 9660 image: {host}")
        return None

    def add_directory(self, parent: IsoDir, name: str, iso_path: str, joliet_path: str, mode: int) -> IsoDir:
        self.iso.add_directory(iso_path, rr_name=name, joliet_path=joliet_path, file_mode=mode)
        made = IsoDir(iso_path, joliet_path)
        parent.children[name] = made
        return made

    def add_extra_file(self, host: Path, where: str) -> str:
        """Add HOST at the absolute image path WHERE (creating parents); return its ISO path."""
        *parents, name = where.strip("/").split("/")
        directory = self.root
        for component in parents:
            if component not in directory.children:
                paths = directory.child_paths(component, True)
                self.add_directory(directory, component, *paths, 0o040555)
            directory = directory.children[component]
        iso_path, joliet_path = directory.child_paths(name, False)
        self.iso.add_file(os.fspath(host), iso_path, rr_name=name, joliet_path=joliet_path, file_mode=0o100444)
        return iso_path


# --- El Torito -------------------------------------------------------------------


def add_boot_entries(builder: IsoTree, tree: Path, bios: Path | None, efi: Path | None) -> None:
    """El Torito: BIOS (no emulation, 4 sectors loaded, boot info table) and/or EFI entries."""
    if bios is not None:
        path = boot_image_path(builder, bios, BIOS_BOOT_PATH)
        builder.iso.add_eltorito(path, bootcatfile="/BOOT.CAT;1", boot_load_size=4, boot_info_table=True)
    if efi is not None:
        path = boot_image_path(builder, efi, EFI_BOOT_PATH)
        sectors = -(-os.path.getsize(efi) // 512)
        # The entry's sector count is 16 bits; firmware reads larger images through the file system.
        builder.iso.add_eltorito(path, bootcatfile="/BOOT.CAT;1", efi=True, platform_id=0xEF,
                                 boot_load_size=sectors if sectors <= 0xFFFF else 0)


def boot_image_path(builder: IsoTree, image: Path, default_place: str) -> str:
    """ISO path of IMAGE: its place in the tree if it is part of it, else DEFAULT_PLACE."""
    known = builder.iso_paths.get(os.path.realpath(image))
    return known if known is not None else builder.add_extra_file(image, default_place)


# --- volume dates ("UUID") -------------------------------------------------------


def uuid_to_date(uuid: str) -> bytes:
    """"1970-01-01-HH-MM-SS-CC" -> the 16 digits plus a zero zone offset byte."""
    digits = uuid.replace("-", "")
    if not re.fullmatch(r"\d{16}", digits):
        raise ValueError(f"ISO 9660 UUID must look like 1970-01-01-12-34-56-78, not {uuid!r}")
    return digits.encode("ascii") + b"\0"


def set_volume_dates(image: Path, date: bytes) -> None:
    """Write DATE as creation and modification date of every primary/supplementary descriptor."""
    with open(image, "r+b") as f:
        sector = 16
        while True:
            f.seek(sector * SECTOR)
            header = f.read(7)
            if len(header) < 7 or header[1:6] != b"CD001" or header[0] == 255:
                break
            if header[0] in (1, 2):
                f.seek(sector * SECTOR + 813)
                f.write(date + date)  # creation (813) and modification (830) dates
            sector += 1
