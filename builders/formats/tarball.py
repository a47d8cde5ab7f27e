"""Reproducible tar.gz archives of a tree, as Guix's tarball and wsl2 images.

Guix runs `tar -cvf OUT . -I "gzip -9n" --sort=name --format=gnu --mtime=@1
--owner=root:0 --group=root:0 --hard-dereference` (guix pack's options).
We do the same with `tarfile` (names "./...", sorted, GNU format, every
mtime EPOCH, root:0 owner and group, hard links stored as plain files) and
our own gzip stream: level 9, no file name, mtime 0, OS byte 3 (Unix) — the
header `gzip -9n` writes (the compressed bytes are zlib's, not gzip's).
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import tarfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

GZIP_HEADER = b"\x1f\x8b\x08\x00" + b"\0\0\0\0" + b"\x02\x03"  # deflate, no flags, mtime 0, -9, Unix


class GzipWriter:
    """A write-only file object producing a `gzip -9n`-style stream into FILE.

    Also keeps the SHA-256 of the uncompressed data (docker's diff_id).
    """

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, 9)
        self.crc = 0
        self.size = 0
        self.sha256 = hashlib.sha256()
        self.file.write(GZIP_HEADER)

    def write(self, data: bytes) -> int:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        self.sha256.update(data)
        self.file.write(self.compressor.compress(data))
        return len(data)

    def close(self) -> None:
        """Flush the deflate stream and write the CRC-32/ISIZE trailer (does not close FILE)."""
        self.file.write(self.compressor.flush())
        self.file.write(struct.pack("<II", self.crc, self.size & 0xFFFFFFFF))


def make_tarball(tree: Path, out: Path, *, epoch: int = 1, extra_symlinks: dict[str, str] | None = None) -> None:
    """Write TREE as a reproducible gzip'd GNU tar at OUT (names "./...").

    EXTRA_SYMLINKS maps archive paths ("./bin/sh") to link targets, added as
    if they were in TREE (they replace tree entries of the same name).
    """
    out.unlink(missing_ok=True)
    with open(out, "wb") as f:
        gz = GzipWriter(f)
        write_tar(gz, tree_members(tree, epoch, prefix=".", extra_symlinks=extra_symlinks or {}))
        gz.close()


def make_wsl2_tarball(tree: Path, out: Path, *, sh_target: str, mount_target: str, epoch: int = 1) -> None:
    """Guix's wsl2 image: the tarball plus ./bin/sh and ./bin/mount symlinks."""
    links = {"./bin/sh": sh_target, "./bin/mount": mount_target}
    make_tarball(tree, out, epoch=epoch, extra_symlinks=links)


def write_tar(file: GzipWriter | BinaryIO, members: Iterator[tuple[tarfile.TarInfo, str | None]]) -> None:
    """Stream MEMBERS (TarInfo, host path of the contents or None) as a GNU tar into FILE."""
    with tarfile.open(fileobj=file, mode="w|", format=tarfile.GNU_FORMAT) as tar:  # type: ignore[call-overload]
        for info, source in members:
            if source is None:
                tar.addfile(info)
            else:
                with open(source, "rb") as data:
                    tar.addfile(info, data)


def tree_members(
    tree: Path, epoch: int, *, prefix: str, extra_symlinks: dict[str, str] | None = None
) -> Iterator[tuple[tarfile.TarInfo, str | None]]:
    """TarInfos for TREE in GNU tar `--sort=name` order (each directory, then its sorted entries).

    PREFIX "." gives "./bin/sh" names (and a "./" root entry); "" gives
    "bin/sh" (no root entry), as in docker layers.  EXTRA_SYMLINKS (archive
    name -> target) are merged in at their sorted place; missing parent
    directories are added with mode 0755.
    """
    extra = dict(extra_symlinks or {})
    if prefix:
        yield make_info(prefix, os.lstat(tree), epoch), None
    yield from walk_members(os.fspath(tree), prefix, extra, epoch)


def walk_members(
    directory: str | None, name_prefix: str, extra: dict[str, str], epoch: int
) -> Iterator[tuple[tarfile.TarInfo, str | None]]:
    """Members below DIRECTORY (None: a directory that exists only because of EXTRA)."""
    names = set(os.listdir(directory)) if directory is not None else set()
    names |= extra_children(name_prefix, extra)
    for name in sorted(names, key=os.fsencode):
        archive_name = f"{name_prefix}/{name}" if name_prefix else name
        host = os.path.join(directory, name) if directory is not None else None
        if archive_name in extra:
            link = tarfile.TarInfo(archive_name)
            link.type, link.linkname, link.mode = tarfile.SYMTYPE, extra[archive_name], 0o777
            yield normalise(link, epoch), None
        elif host is not None and os.path.lexists(host):
            st = os.lstat(host)
            yield make_info(archive_name, st, epoch, host), (host if stat.S_ISREG(st.st_mode) else None)
            if stat.S_ISDIR(st.st_mode):
                yield from walk_members(host, archive_name, extra, epoch)
        else:
            synthetic = tarfile.TarInfo(archive_name)
            synthetic.type, synthetic.mode = tarfile.DIRTYPE, 0o755
            yield normalise(synthetic, epoch), None
            yield from walk_members(None, archive_name, extra, epoch)


def extra_children(name_prefix: str, extra: dict[str, str]) -> set[str]:
    """First path components below NAME_PREFIX of the EXTRA archive names."""
    lead = f"{name_prefix}/" if name_prefix else ""
    return {name[len(lead):].split("/", 1)[0] for name in extra if name.startswith(lead)}


def make_info(name: str, st: os.stat_result, epoch: int, host: str | None = None) -> tarfile.TarInfo:
    """A TarInfo for NAME from ST (hard links dereferenced: every file is a regular file)."""
    info = tarfile.TarInfo(name)
    info.mode = stat.S_IMODE(st.st_mode)
    if stat.S_ISDIR(st.st_mode):
        info.type = tarfile.DIRTYPE
    elif stat.S_ISLNK(st.st_mode):
        info.type, info.linkname = tarfile.SYMTYPE, os.readlink(host or name)
    elif stat.S_ISREG(st.st_mode):
        info.type, info.size = tarfile.REGTYPE, st.st_size
    elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        info.type = tarfile.CHRTYPE if stat.S_ISCHR(st.st_mode) else tarfile.BLKTYPE
        info.devmajor, info.devminor = os.major(st.st_rdev), os.minor(st.st_rdev)
    elif stat.S_ISFIFO(st.st_mode):
        info.type = tarfile.FIFOTYPE
    else:
        raise ValueError(f"cannot archive socket or unknown file type: {host or name}")
    return normalise(info, epoch)


def normalise(info: tarfile.TarInfo, epoch: int) -> tarfile.TarInfo:
    """Fixed owner (root:0), group (root:0) and mtime."""
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.mtime = epoch
    return info
