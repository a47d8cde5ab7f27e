"""Reproducible tar.gz archives of a tree, as Guix's tarball and wsl2 images.

Guix runs `tar -cvf OUT . -I "gzip -9n" --sort=name --format=gnu --mtime=@1
--owner=root:0 --group=root:0 --hard-dereference` (guix pack's options).
We do the same with `tarfile` (names "./...", sorted, GNU format, every
mtime EPOCH, root:0 owner and group, hard links stored as plain files) and
our own gzip stream: no file name, mtime 0, OS byte 3 (Unix), as `gzip -n`
writes it, deflated in parallel blocks at gzip's default level (GzipWriter).
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import tarfile
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from builders.tree import Tree

# deflate, no flags, mtime 0, no extra flags (level 6), Unix: what `gzip -n` writes.
GZIP_HEADER = b"\x1f\x8b\x08\x00" + b"\0\0\0\0" + b"\x00\x03"
LEVEL = 6                 # gzip's default; -9 takes 3x as long for 2 % less (a system of 400 MB: 56 s)
BLOCK = 1 << 20           # uncompressed bytes deflated on their own, in parallel
WINDOW = 32 * 1024        # deflate's window: each block is primed with the previous block's end


def _deflate(block: bytes, primer: bytes, last: bool) -> bytes:
    """BLOCK as raw deflate data that continues a stream whose last WINDOW bytes were PRIMER:
    ended by a sync flush (byte-aligned, not final), or as the stream's final block."""
    if primer:
        c = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS, 9, zlib.Z_DEFAULT_STRATEGY, primer)
    else:
        c = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS, 9)
    return c.compress(block) + c.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


class GzipWriter:
    """A write-only file object producing a gzip stream into FILE, as pigz does: blocks
    of BLOCK bytes deflated in parallel (zlib releases the GIL), each primed with the end
    of the one before, joined into one deflate stream.  The bytes depend only on the data.

    Also keeps the SHA-256 of the uncompressed data (docker's diff_id).
    """

    def __init__(self, file: BinaryIO, threads: int | None = None) -> None:
        self.file = file
        self.crc = 0
        self.size = 0
        self.sha256 = hashlib.sha256()
        self.pending = bytearray()
        self.primer = b""
        self.workers = threads or os.cpu_count() or 1
        self.pool = ThreadPoolExecutor(self.workers)
        self.inflight: deque[Future[bytes]] = deque()
        self.file.write(GZIP_HEADER)

    def write(self, data: bytes) -> int:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        self.sha256.update(data)
        self.pending += data
        if len(self.pending) >= BLOCK:
            view = memoryview(self.pending)
            whole = len(view) - len(view) % BLOCK
            for start in range(0, whole, BLOCK):
                self._submit(bytes(view[start:start + BLOCK]), last=False)
            view.release()
            del self.pending[:whole]
        return len(data)

    def _submit(self, block: bytes, last: bool) -> None:
        self.inflight.append(self.pool.submit(_deflate, block, self.primer, last))
        self.primer = block[-WINDOW:]
        while len(self.inflight) > 2 * self.workers:      # bounded memory: write in order
            self.file.write(self.inflight.popleft().result())

    def close(self) -> None:
        """Finish the deflate stream and write the CRC-32/ISIZE trailer (does not close FILE)."""
        try:
            self._submit(bytes(self.pending), last=True)
            while self.inflight:
                self.file.write(self.inflight.popleft().result())
            self.file.write(struct.pack("<II", self.crc, self.size & 0xFFFFFFFF))
        finally:
            self.pool.shutdown(cancel_futures=True)


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


# /etc/wsl.conf of an image that carries the declared system.  WSL starts a
# distribution with an init of its own (PID 1), then root's login shell;
# its boot command starts the system's boot program, which runs the Shepherd
# and the services, as the docker image's entrypoint does (the Shepherd is not
# PID 1 there: WSL's init is).  Guix's own wsl2 image does it from root's
# shell (gnu/system/images/wsl2.scm, wsl-boot-program); the boot command
# does it for any operating system.  "&": WSL need not wait for it.
WSL_CONF = """# WSL's settings for this distribution, generated by pyguix.
# WSL starts its own init, then root's login shell; the boot command starts
# the declared system: the Shepherd with the configuration's services.
[boot]
command = {boot} &
"""


def make_wsl2_tarball(tree: Path, out: Path, *, sh_target: str, mount_target: str, epoch: int = 1,
                      boot: str | None = None) -> None:
    """Guix's wsl2 image: the tarball plus the /bin/sh and /bin/mount WSL needs
    before the system runs (Guix links them to root's shell and util-linux's
    mount).  Where /bin is a link into /usr (the declared system, usr-merged)
    they are added only where the tree has none that resolves: Debian's dash and mount are
    there already, and an archive member under a link would be written through it.

    BOOT (the declared system's boot program): /etc/wsl.conf starts it when
    WSL starts the distribution, unless the configuration placed a wsl.conf of
    its own.  TREE is the build's staging tree: wsl.conf is written into it."""
    root = Tree(tree)
    links = {}
    for name, target in (("sh", sh_target), ("mount", mount_target)):
        st = root.lstat("bin")
        if st is not None and stat.S_ISLNK(st.st_mode):
            where = f"{root.resolve('bin')}/{name}"
            if root.lstat(root.resolve(where) or where) is None and root.is_dir(root.resolve("bin")):
                links[f"./{where}"] = target
        else:
            links[f"./bin/{name}"] = target
    if boot is not None and root.lstat("etc/wsl.conf") is None:
        if "\n" in boot or not boot.startswith("/"):
            raise ValueError(f"not a boot program for wsl.conf: {boot!r}")
        root.write_text("etc/wsl.conf", WSL_CONF.format(boot=boot), 0o644)
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
