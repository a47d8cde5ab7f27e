"""Raw disk assembly: splice partition images and table blobs into one sparse file.

The output is created empty, truncated to the disk size (one big hole), and
only non-zero data is written: holes in source files are found with
``SEEK_DATA``/``SEEK_HOLE`` and all-zero 4 KiB blocks inside data extents are
skipped, so a 4 GiB disk holding 100 MB of data occupies about 100 MB.
No root, no loop devices: everything is ``pwrite`` at byte offsets.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from builders.errors import BuildError

BLOCK = 4096  # zero-detection granularity (a file-system block)
CHUNK = 8 << 20  # read size when copying data extents
_ZERO_BLOCK = bytes(BLOCK)
_ZERO_CHUNK = bytes(CHUNK)


class AssemblyError(BuildError):
    """Regions that do not fit the disk: overlap, out of bounds, source too big."""


@dataclass(frozen=True)
class Chunk:
    """SIZE bytes at byte OFFSET of the disk, filled from SOURCE (zero-padded).

    SOURCE is a file (e.g. a partition image) or literal bytes (a partition
    table); it may be shorter than SIZE but never longer.  NAME is used in
    error messages.
    """

    offset: int
    size: int
    source: Path | bytes
    name: str

    @property
    def end(self) -> int:
        """First byte after the region."""
        return self.offset + self.size

    def describe(self) -> str:
        """``name [start, end)`` for error messages."""
        return f"{self.name!r} [{self.offset}, {self.end})"

    def source_size(self) -> int:
        """Length of the source data in bytes."""
        if isinstance(self.source, bytes):
            return len(self.source)
        return os.stat(self.source).st_size


def check_layout(disk_size: int, regions: Sequence[Chunk]) -> None:
    """Raise AssemblyError unless every region fits the disk and none overlap."""
    for r in regions:
        if r.offset < 0 or r.size < 0:
            raise AssemblyError(f"region {r.describe()} has a negative offset or size")
        if r.end > disk_size:
            raise AssemblyError(f"region {r.describe()} ends beyond the disk size {disk_size}")
        if r.source_size() > r.size:
            raise AssemblyError(
                f"region {r.describe()}: source holds {r.source_size()} bytes, more than its size"
            )
    ordered = sorted((r for r in regions if r.size), key=lambda r: (r.offset, r.end))
    widest: Chunk | None = None
    for r in ordered:
        if widest is not None and r.offset < widest.end:
            raise AssemblyError(f"region {widest.describe()} overlaps region {r.describe()}")
        if widest is None or r.end > widest.end:
            widest = r


def data_extents(fd: int, size: int) -> Iterator[tuple[int, int]]:
    """Yield (offset, length) of the data (non-hole) extents of FD in [0, SIZE).

    Falls back to one extent covering everything when the file system does
    not support SEEK_DATA.
    """
    pos = 0
    while pos < size:
        try:
            start = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError as e:
            if e.errno == errno.ENXIO:  # only a hole remains
                return
            if e.errno in (errno.EINVAL, errno.EOPNOTSUPP):
                yield pos, size - pos
                return
            raise
        if start >= size:
            return
        end = min(os.lseek(fd, start, os.SEEK_HOLE), size)
        yield start, end - start
        pos = end


def nonzero_runs(buf: bytes | bytearray, length: int) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of maximal runs of BLOCK-sized blocks that are not all zero."""
    run_start = -1
    for off in range(0, length, BLOCK):
        n = min(BLOCK, length - off)
        zero = buf.startswith(_ZERO_BLOCK[:n] if n < BLOCK else _ZERO_BLOCK, off)
        if zero and run_start >= 0:
            yield run_start, off
            run_start = -1
        elif not zero and run_start < 0:
            run_start = off
    if run_start >= 0:
        yield run_start, length


def _write_nonzero(dst: int, buf: bytearray | bytes, length: int, dst_off: int) -> None:
    """pwrite the non-zero blocks of BUF[:LENGTH] at DST_OFF (the target is a hole)."""
    if length <= CHUNK and buf.startswith(_ZERO_CHUNK[:length]):
        return
    view = memoryview(buf)
    for start, end in nonzero_runs(buf, length):
        _pwrite_all(dst, view[start:end], dst_off + start)


def _pwrite_all(fd: int, data: memoryview | bytes, offset: int) -> None:
    """os.pwrite until everything is written."""
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n


def _copy_extent_sparse(src: int, dst: int, src_off: int, length: int, dst_off: int) -> None:
    """Copy one data extent chunk by chunk, leaving all-zero blocks as holes."""
    buf = bytearray(min(CHUNK, length))
    done = 0
    while done < length:
        want = min(len(buf), length - done)
        got = os.preadv(src, [memoryview(buf)[:want]], src_off + done)
        if got <= 0:
            raise AssemblyError(f"unexpected end of file at byte {src_off + done}")
        _write_nonzero(dst, buf, got, dst_off + done)
        done += got


def _copy_extent_kernel(src: int, dst: int, src_off: int, length: int, dst_off: int) -> None:
    """Copy one data extent with copy_file_range (no zero detection)."""
    done = 0
    while done < length:
        n = os.copy_file_range(src, dst, length - done, src_off + done, dst_off + done)
        if n <= 0:
            raise AssemblyError(f"unexpected end of file at byte {src_off + done}")
        done += n


def copy_file_sparse(src_path: Path, dst: int, dst_off: int, *, zero_detect: bool = True) -> None:
    """Copy the data extents of SRC_PATH to DST at DST_OFF, skipping holes.

    With ZERO_DETECT (default) all-zero 4 KiB blocks inside data extents are
    skipped too; otherwise extents go through ``os.copy_file_range``.
    """
    copy = _copy_extent_sparse if zero_detect else _copy_extent_kernel
    with open(src_path, "rb") as f:
        src = f.fileno()
        for start, length in data_extents(src, os.fstat(src).st_size):
            copy(src, dst, start, length, dst_off + start)


def assemble_disk(
    out_path: Path, disk_size: int, regions: Sequence[Chunk], *, zero_detect: bool = True
) -> None:
    """Create OUT_PATH as a sparse DISK_SIZE-byte file holding REGIONS.

    Raises AssemblyError (naming both regions and their byte ranges) on overlap.
    """
    check_layout(disk_size, regions)
    fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.ftruncate(fd, disk_size)
        for r in sorted(regions, key=lambda r: r.offset):
            if isinstance(r.source, bytes):
                _write_nonzero(fd, r.source, len(r.source), r.offset)
            else:
                copy_file_sparse(r.source, fd, r.offset, zero_detect=zero_detect)
    finally:
        os.close(fd)


def write_at(image: Path, offset: int, data: bytes | Path, *, name: str = "blob") -> None:
    """Overwrite bytes of an existing IMAGE at OFFSET (bootloader blobs).

    The image is neither truncated nor grown: writing past its end raises
    AssemblyError.  Zeros in DATA are written too (they replace old content).
    """
    payload = data if isinstance(data, bytes) else Path(data).read_bytes()
    size = os.stat(image).st_size
    if offset < 0 or offset + len(payload) > size:
        raise AssemblyError(
            f"{name!r} [{offset}, {offset + len(payload)}) does not fit the image of {size} bytes"
        )
    fd = os.open(image, os.O_WRONLY)
    try:
        _pwrite_all(fd, payload, offset)
    finally:
        os.close(fd)
