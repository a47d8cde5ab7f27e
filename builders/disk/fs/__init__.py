"""Partition file systems: one entry point, one handler per family.

`make_filesystem` dispatches on the Guix file-system name (ext2/3/4, vfat,
fat16, fat32, unformatted).  Handlers are imported lazily so that building an
ext4 image never imports pyfatfs.  `content_size` is Guix's size estimate
before the x1.25 margin (as Guix's estimate-partition-size), which the caller applies.
"""

from __future__ import annotations

import importlib
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

# Guix file-system name -> "module:function" of the handler.
HANDLERS: dict[str, str] = {
    "ext2": "ext:make_ext",
    "ext3": "ext:make_ext",
    "ext4": "ext:make_ext",
    "vfat": "vfat:make_vfat",
    "fat16": "vfat:make_vfat",
    "fat32": "vfat:make_vfat",
    "unformatted": "builders.disk.fs:make_zeros",
}


def supported_filesystems() -> tuple[str, ...]:
    """File-system names `make_filesystem` accepts."""
    return tuple(HANDLERS)


def handler_for(fs_type: str) -> Callable[..., None]:
    """The function building FS_TYPE partitions; ValueError for unknown types."""
    try:
        spec = HANDLERS[fs_type]
    except KeyError:
        known = ", ".join(HANDLERS)
        raise ValueError(f"unsupported partition type: {fs_type} (supported: {known})") from None
    module_name, _, function = spec.partition(":")
    if module_name == __name__:
        module = importlib.import_module(__name__)
    else:
        module = importlib.import_module(f".{module_name}", __name__)
    return getattr(module, function)


def make_filesystem(
    fs_type: str,
    tree: Path | None,
    out: Path,
    size: int,
    label: str,
    uuid: str | None,
    options: tuple[str, ...],
    epoch: int,
    *,
    extra_commands: Sequence[str] = (),
    offset: int = 0,
) -> None:
    """Build a FS_TYPE image of SIZE bytes at OUT from TREE (None: empty).

    OFFSET (ext only): make it in place at that byte offset of the existing
    file OUT, see `ext.make_ext`.

    UUID is the file system's UUID (DCE string for ext, "ABCD-1234" or a DCE
    string for FAT, where it becomes the volume id); None picks a stable one.
    OPTIONS are extra tool arguments (Guix's file-system-options).  EPOCH is
    the timestamp given to every file.  EXTRA_COMMANDS are debugfs commands
    (ext only), e.g. from `ext.mknod_commands`.
    """
    handler = handler_for(fs_type)
    if offset:
        if not fs_type.startswith("ext"):
            raise ValueError(f"in-place (offset) file systems are only supported for ext, not {fs_type}")
        handler(fs_type, tree, out, size, label, uuid, options, epoch, extra_commands=extra_commands, offset=offset)
    elif extra_commands:
        if not fs_type.startswith("ext"):
            raise ValueError(f"extra debugfs commands are only supported for ext file systems, not {fs_type}")
        handler(fs_type, tree, out, size, label, uuid, options, epoch, extra_commands=extra_commands)
    else:
        handler(fs_type, tree, out, size, label, uuid, options, epoch)


def make_zeros(
    fs_type: str,
    tree: Path | None,
    out: Path,
    size: int,
    label: str,
    uuid: str | None,
    options: tuple[str, ...],
    epoch: int,
) -> None:
    """An 'unformatted' partition: SIZE zero bytes (sparse); TREE must be empty."""
    if tree is not None and any(Path(tree).iterdir()):
        raise ValueError("an unformatted partition cannot hold files")
    out.unlink(missing_ok=True)
    with open(out, "wb") as f:
        f.truncate(size)


DIRECTORY_BLOCK = 4096
ENTRIES_PER_BLOCK = 128


def directory_size(entries: int) -> int:
    """What a directory of ENTRIES names counts for: whole 4 KiB blocks of 128
    names.  Not its host st_size, which depends on the host's file system
    (tmpfs says 40 + 20 per entry, ext4 4096): the same tree must give the
    same guess, hence the same image, wherever it is staged."""
    return DIRECTORY_BLOCK * (1 + entries // ENTRIES_PER_BLOCK)


def content_size(tree: Path) -> int:
    """Bytes TREE holds: file and symlink sizes, plus `directory_size` per directory
    (symlinks not followed)."""
    total = 0
    for dirpath, dirnames, filenames in os.walk(tree):
        total += directory_size(len(dirnames) + len(filenames))
        for name in filenames:
            total += os.lstat(os.path.join(dirpath, name)).st_size
        for name in dirnames:  # os.walk lists links to directories here, and does not enter them
            st = os.lstat(os.path.join(dirpath, name))
            if stat.S_ISLNK(st.st_mode):
                total += st.st_size
    return total
