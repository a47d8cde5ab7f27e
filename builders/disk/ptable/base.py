"""Types shared by the partition-table writers (MBR and GPT).

A table writer turns a list of :class:`Partition` into the byte blobs that
must appear on disk, as :class:`builders.disk.assemble.Chunk` values, so the disk
assembler can splice them in next to the partition images.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from builders.disk.assemble import Chunk
from builders.errors import BuildError

SECTOR = 512


class PtableError(BuildError):
    """A partition list that cannot be written as the requested table."""


@dataclass(frozen=True)
class Partition:
    """One partition, in bytes.  OFFSET and SIZE must be multiples of 512.

    ``type`` is an MBR type byte (``int``) or a GPT type GUID (``UUID``);
    ``name`` is the GPT partition name (the Guix label, ignored by MBR);
    ``guid`` is the GPT unique partition GUID (required for GPT, given by the
    caller so output is deterministic); ``bootable`` is the MBR 0x80 status
    byte, or the GPT "legacy BIOS bootable" attribute (bit 2).
    """

    offset: int
    size: int
    type: int | uuid.UUID
    name: str = ""
    bootable: bool = False
    guid: uuid.UUID | None = None

    @property
    def end(self) -> int:
        """First byte after the partition."""
        return self.offset + self.size


class PartitionTable(Protocol):
    """What every table writer offers."""

    @property
    def kind(self) -> str:
        """"mbr" or "gpt"."""
        ...

    @property
    def max_partitions(self) -> int:
        """How many entries the table holds."""
        ...

    def head_bytes(self) -> int:
        """Bytes reserved at the start of the disk (no partition may start before)."""
        ...

    def tail_bytes(self) -> int:
        """Bytes reserved at the end of the disk (GPT backup)."""
        ...

    def regions(self, disk_size: int, partitions: Sequence[Partition]) -> list[Chunk]:
        """The table's on-disk blobs for a disk of DISK_SIZE bytes."""
        ...


def check_partitions(
    partitions: Sequence[Partition], disk_size: int, first: int, end: int, limit: int
) -> None:
    """Shared sanity checks: alignment, bounds [FIRST, END), count, no overlap."""
    if disk_size % SECTOR:
        raise PtableError(f"disk size {disk_size} is not a multiple of {SECTOR}")
    if len(partitions) > limit:
        raise PtableError(f"{len(partitions)} partitions given, the table holds at most {limit}")
    for i, p in enumerate(partitions, 1):
        if p.offset % SECTOR or p.size % SECTOR or p.size <= 0:
            raise PtableError(
                f"partition {i} ({p.name or 'unnamed'}): offset {p.offset} and size {p.size} "
                f"must be positive multiples of {SECTOR}"
            )
        if p.offset < first or p.end > end:
            raise PtableError(
                f"partition {i} ({p.name or 'unnamed'}) spans bytes [{p.offset}, {p.end}), "
                f"outside the usable area [{first}, {end})"
            )
    ordered = sorted(enumerate(partitions, 1), key=lambda ip: ip[1].offset)
    for (i, a), (j, b) in itertools.pairwise(ordered):
        if b.offset < a.end:
            raise PtableError(
                f"partition {i} [{a.offset}, {a.end}) overlaps partition {j} [{b.offset}, {b.end})"
            )
