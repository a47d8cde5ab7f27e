"""A qcow2 (version 3) writer that streams a raw disk image into a new file.

Format facts used here (QEMU docs/interop/qcow2.txt; all numbers big-endian):

* 64 KiB clusters (cluster_bits 16); cluster 0 holds the 112-byte header.
* Guest mapping: L1 table of u64 entries -> L2 tables (one cluster, 8192 u64
  entries, each covering 64 KiB, so one L2 table maps 512 MiB).  L1/L2
  entries carry the host offset in bits 9-55 and bit 63 ("COPIED") when the
  refcount is exactly one.  Zero L2 entries read as zeros.
* Compressed L2 entries set bit 62; bits 0-53 are the *byte* offset of the
  compressed data and bits 54-61 the number of 512-byte sectors the data
  occupies beyond the one holding its first byte.  Compressed data may run on
  into the next host cluster when that one is contiguous; several compressed
  clusters may share a host cluster, each adding one to its refcount.
* Refcounts: refcount_order 4 (16-bit entries), a refcount table of u64
  offsets to refcount blocks of 32768 entries (one cluster each).
* Compression type: zlib (raw deflate, window bits 12) is the default and
  needs no header field; zstd is type 1 at header byte 104, with
  incompatible-feature bit 3 set.  The header is always 112 bytes.

Layout chosen: header, then data clusters in guest order (raw and compressed
interleaved, compressed bytes packed back to back with a separate byte
pointer as QEMU does), then L2 tables, L1 table, refcount blocks, refcount
table.  Holes of the source (SEEK_DATA) and all-zero clusters are skipped.
Compression runs in a thread pool over bounded batches; results are placed in
guest order, so the output is deterministic.
"""

from __future__ import annotations

import os
import struct
import threading
import zlib
from array import array
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import zstandard

from builders.disk.assemble import data_extents
from builders.errors import BuildError

CLUSTER_BITS = 16
CLUSTER = 1 << CLUSTER_BITS
L2_ENTRIES = CLUSTER // 8
REFCOUNT_ORDER = 4
REFCOUNT_ENTRIES = CLUSTER * 8 // (1 << REFCOUNT_ORDER)
REFCOUNT_MAX = (1 << (1 << REFCOUNT_ORDER)) - 1
SECTOR = 512

COPIED = 1 << 63
COMPRESSED = 1 << 62
CSIZE_SHIFT = 62 - (CLUSTER_BITS - 8)  # 54
OFFSET_MASK = (1 << 56) - 1 - (SECTOR - 1)

HEADER = struct.Struct(">4sIQIIQIIQQIIQQQQIIB7x")
assert HEADER.size == 112
MAGIC = b"QFI\xfb"
INCOMPAT_COMPRESSION_TYPE = 1 << 3
COMPRESSION_TYPES = {None: 0, "zlib": 0, "zstd": 1}

BATCH_CLUSTERS = 128  # 8 MiB of input per batch; two batches in flight
MAX_BUFFERS = 4  # read buffers a batch may keep alive
ZERO_CLUSTER = bytes(CLUSTER)


class Qcow2Error(BuildError):
    """Bad arguments or an input that cannot be represented."""


@dataclass(frozen=True)
class Qcow2Stats:
    """What was written: guest size, cluster counts and output size."""

    virtual_size: int
    raw_clusters: int
    compressed_clusters: int
    file_size: int


# --- compression -------------------------------------------------------------

Compressor = Callable[[memoryview], bytes]


def make_compressor(kind: str, level: int | None) -> Compressor:
    """A thread-safe one-cluster compressor for KIND ("zstd" or "zlib").

    zlib: raw deflate with a 4 KiB window (wbits -12), level 6 by default,
    as QEMU writes it.  zstd: one frame per cluster, level 3 by default
    (zstd's default, which QEMU uses); one ZstdCompressor per thread.
    """
    if kind == "zlib":
        zlevel = 6 if level is None else level
        return lambda data: zlib.compress(data, zlevel, wbits=-12)
    if kind == "zstd":
        local = threading.local()
        zslevel = 3 if level is None else level

        def compress(data: memoryview) -> bytes:
            cctx = getattr(local, "cctx", None)
            if cctx is None:
                cctx = local.cctx = zstandard.ZstdCompressor(level=zslevel)
            return cctx.compress(data)

        return compress
    raise Qcow2Error(f"unknown qcow2 compression {kind!r} (expected zstd, zlib or None)")


def _compress_group(compress: Compressor, views: Sequence[memoryview]) -> list[bytes | None]:
    """Compress each cluster; None where compression does not make it smaller."""
    out: list[bytes | None] = []
    for view in views:
        data = compress(view)
        out.append(data if len(data) < CLUSTER else None)
    return out


# --- reading the source --------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """Non-zero guest clusters read from the source: (guest index, 64 KiB view)."""

    clusters: list[tuple[int, memoryview]]


def cluster_runs(fd: int, size: int, limit: int) -> Iterator[tuple[int, int]]:
    """(first cluster, count) runs covering the data extents: merged, at most LIMIT long, no repeats."""
    run_first = run_end = 0
    for start, length in data_extents(fd, size):
        first = max(start // CLUSTER, run_end)
        end = -(-(start + length) // CLUSTER)
        if first >= end:
            continue
        if first != run_end:  # a gap: emit what we have
            yield from _split(run_first, run_end, limit)
            run_first = first
        run_end = end
    yield from _split(run_first, run_end, limit)


def _split(first: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    """Cut [FIRST, END) into runs of at most LIMIT clusters."""
    while first < end:
        count = min(limit, end - first)
        yield first, count
        first += count


def read_batches(fd: int, size: int) -> Iterator[Batch]:
    """Read the source in runs of up to BATCH_CLUSTERS, dropping all-zero clusters.

    A batch is yielded once it holds BATCH_CLUSTERS clusters or refers to
    MAX_BUFFERS read buffers, which bounds memory for mostly-zero input.
    """
    pending: list[tuple[int, memoryview]] = []
    buffers = 0
    for first, count in cluster_runs(fd, size, BATCH_CLUSTERS):
        buf = os.pread(fd, count * CLUSTER, first * CLUSTER)
        if len(buf) < count * CLUSTER:
            buf = buf.ljust(count * CLUSTER, b"\0")
        view = memoryview(buf)
        for i in range(count):
            if not buf.startswith(ZERO_CLUSTER, i * CLUSTER):
                pending.append((first + i, view[i * CLUSTER : (i + 1) * CLUSTER]))
        buffers += 1
        if len(pending) >= BATCH_CLUSTERS or buffers >= MAX_BUFFERS:
            yield Batch(pending)
            pending, buffers = [], 0
    if pending:
        yield Batch(pending)


# --- host allocation and writing -------------------------------------------------


class Writer:
    """Host-cluster allocator, refcount keeper and coalescing pwrite for the output."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.next_cluster = 1  # cluster 0 is the header
        self.refcounts = array("H", [1])
        self.cbyte = 0  # next free byte for compressed data, 0 = none open
        self._pending: list[memoryview | bytes] = []
        self._pending_start = 0
        self._pending_end = 0

    def alloc(self, clusters: int) -> int:
        """Allocate CLUSTERS fresh host clusters with refcount 1; return the byte offset."""
        offset = self.next_cluster * CLUSTER
        self.next_cluster += clusters
        self.refcounts.extend([1] * clusters)
        return offset

    def put_raw(self, data: memoryview | bytes) -> int:
        """Store one uncompressed cluster; return its L2 entry."""
        offset = self.alloc(1)
        self.write(offset, data)
        return offset | COPIED

    def put_compressed(self, data: bytes) -> int:
        """Pack compressed bytes after the previous ones; return the L2 entry."""
        start = self._compressed_start(len(data))
        end = start + len(data)
        last_cluster = (end - 1) // CLUSTER
        if last_cluster >= self.next_cluster:
            self.next_cluster = last_cluster + 1
            self.refcounts.extend([0] * (self.next_cluster - len(self.refcounts)))
        for cluster in range(start // CLUSTER, last_cluster + 1):
            if self.refcounts[cluster] == REFCOUNT_MAX:
                raise Qcow2Error(f"refcount overflow in host cluster {cluster}")
            self.refcounts[cluster] += 1
        self.cbyte = end if end % CLUSTER else 0
        self.write(start, data)
        sectors = ((end - 1) >> 9) - (start >> 9)
        return COMPRESSED | (sectors << CSIZE_SHIFT) | start

    def _compressed_start(self, length: int) -> int:
        """Where LENGTH compressed bytes go: the open cluster if they fit or it is last."""
        if self.cbyte:
            cluster_end = (self.cbyte // CLUSTER + 1) * CLUSTER
            if self.cbyte + length <= cluster_end or cluster_end == self.next_cluster * CLUSTER:
                return self.cbyte
        return self.next_cluster * CLUSTER

    def write(self, offset: int, data: memoryview | bytes) -> None:
        """Queue a write; contiguous writes are merged into one pwritev."""
        if self._pending and (offset != self._pending_end or len(self._pending) >= 256):
            self.flush()
        if not self._pending:
            self._pending_start = self._pending_end = offset
        self._pending.append(data)
        self._pending_end += len(data)

    def flush(self) -> None:
        """Write out queued data."""
        offset = self._pending_start
        views = [memoryview(d) for d in self._pending]
        while views:
            n = os.pwritev(self.fd, views, offset)
            offset += n
            while views and n >= len(views[0]):
                n -= len(views[0])
                views.pop(0)
            if views and n:
                views[0] = views[0][n:]
        self._pending = []


# --- metadata ----------------------------------------------------------------------


def _be64(values: array[int]) -> bytes:
    """u64 array as big-endian bytes."""
    out = array("Q", values)
    if out.itemsize != 8:
        raise Qcow2Error("platform lacks a 64-bit array type")
    out.byteswap()
    return out.tobytes()


def _refcount_sizes(used: int) -> tuple[int, int]:
    """(refcount blocks, refcount table clusters) needed to cover USED clusters plus themselves."""
    blocks = table = 0
    while True:
        total = used + blocks + table
        need_blocks = -(-total // REFCOUNT_ENTRIES)
        need_table = -(-need_blocks * 8 // CLUSTER)
        if (need_blocks, need_table) == (blocks, table):
            return blocks, table
        blocks, table = need_blocks, need_table


def write_metadata(w: Writer, l2_tables: dict[int, array[int]], l1_size: int) -> tuple[int, int, int]:
    """Append L2 tables, L1, refcount blocks and table; return (l1 off, rt off, rt clusters)."""
    l1 = array("Q", [0] * l1_size)
    for index in sorted(l2_tables):
        offset = w.alloc(1)
        w.write(offset, _be64(l2_tables[index]))
        l1[index] = offset | COPIED
    l1_clusters = max(1, -(-l1_size * 8 // CLUSTER))
    l1_offset = w.alloc(l1_clusters)
    w.write(l1_offset, _be64(l1).ljust(l1_clusters * CLUSTER, b"\0"))
    blocks, table_clusters = _refcount_sizes(w.next_cluster)
    blocks_offset = w.alloc(blocks)
    table_offset = w.alloc(table_clusters)
    counts = array("H", w.refcounts)
    counts.extend([0] * (blocks * REFCOUNT_ENTRIES - len(counts)))
    counts.byteswap()
    w.write(blocks_offset, counts.tobytes())
    table = array("Q", [blocks_offset + i * CLUSTER for i in range(blocks)])
    w.write(table_offset, _be64(table).ljust(table_clusters * CLUSTER, b"\0"))
    w.flush()
    return l1_offset, table_offset, table_clusters


def header(virtual_size: int, l1_size: int, l1_offset: int, rt_offset: int, rt_clusters: int,
           compression: str | None) -> bytes:  # fmt: skip
    """The 112-byte version-3 header (no backing file, no snapshots, no encryption)."""
    ctype = COMPRESSION_TYPES[compression]
    incompatible = INCOMPAT_COMPRESSION_TYPE if ctype else 0
    return HEADER.pack(MAGIC, 3, 0, 0, CLUSTER_BITS, virtual_size, 0, l1_size, l1_offset,
                       rt_offset, rt_clusters, 0, 0, incompatible, 0, 0, REFCOUNT_ORDER,
                       HEADER.size, ctype)  # fmt: skip


# --- driver --------------------------------------------------------------------------

Results = list[bytes | None]


def _store(w: Writer, l2: dict[int, array[int]], batch: Batch, results: Results | None) -> int:
    """Place a batch's clusters in guest order and fill their L2 entries; return # compressed."""
    compressed = 0
    for i, (guest, view) in enumerate(batch.clusters):
        data = results[i] if results is not None else None
        entry = w.put_raw(view) if data is None else w.put_compressed(data)
        compressed += data is not None
        table = l2.get(guest // L2_ENTRIES)
        if table is None:
            table = l2[guest // L2_ENTRIES] = array("Q", bytes(CLUSTER))
        table[guest % L2_ENTRIES] = entry
    return compressed


def _submit(pool: ThreadPoolExecutor, compress: Compressor, batch: Batch, parts: int) -> list[Future[Results]]:
    """Split a batch into PARTS contiguous groups and compress them in the pool."""
    views = [view for _, view in batch.clusters]
    step = -(-len(views) // parts)
    return [pool.submit(_compress_group, compress, views[i : i + step]) for i in range(0, len(views), step)]


def _gather(futures: list[Future[Results]]) -> Results:
    """Concatenate group results in order."""
    return [item for f in futures for item in f.result()]


def convert(raw: Path, out: Path, *, compression: str | None = "zstd", level: int | None = None,
            threads: int | None = None) -> Qcow2Stats:  # fmt: skip
    """Write the raw image RAW as qcow2 v3 to OUT.

    COMPRESSION is "zstd" (default), "zlib" or None; LEVEL overrides the
    compressor's default level; THREADS defaults to the number of CPUs.
    """
    compress = make_compressor(compression, level) if compression is not None else None
    workers = threads or os.cpu_count() or 1
    with open(raw, "rb") as src, open(out, "wb") as dst, ThreadPoolExecutor(workers) as pool:
        size = os.fstat(src.fileno()).st_size
        virtual_size = -(-size // SECTOR) * SECTOR
        l1_size = -(-virtual_size // (CLUSTER * L2_ENTRIES))
        w = Writer(dst.fileno())
        l2: dict[int, array[int]] = {}
        inflight: deque[tuple[Batch, list[Future[Results]]]] = deque()
        n_compressed = n_total = 0
        for batch in read_batches(src.fileno(), size):
            n_total += len(batch.clusters)
            if compress is None:
                _store(w, l2, batch, None)
                continue
            inflight.append((batch, _submit(pool, compress, batch, 2 * workers)))
            if len(inflight) > 1:
                done, futures = inflight.popleft()
                n_compressed += _store(w, l2, done, _gather(futures))
        while inflight:
            done, futures = inflight.popleft()
            n_compressed += _store(w, l2, done, _gather(futures))
        l1_offset, rt_offset, rt_clusters = write_metadata(w, l2, l1_size)
        head = header(virtual_size, l1_size, l1_offset, rt_offset, rt_clusters, compression)
        os.pwrite(dst.fileno(), head, 0)
        file_size = w.next_cluster * CLUSTER
        os.ftruncate(dst.fileno(), file_size)
    return Qcow2Stats(virtual_size, n_total - n_compressed, n_compressed, file_size)
