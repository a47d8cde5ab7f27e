"""Where everything goes on the disk: one rule for --dry-run and for the build.

`place_regions(plan, sizes)` lays out, as one list in disk order, every region
of a partitioned disk image:

* the partition table's own sectors: the MBR (sector 0), or the GPT's
  protective MBR, header and entry array (LBA 0-33) and its backup entry
  array and header (the last 33 sectors, right after the last partition);
* what the bootloader writes outside the partitions: GRUB's BIOS core.img
  (from LBA 1, at most `I386_PC_CORE_LIMIT` bytes, when the OS boots with
  grub-bootloader from an MBR disk) and a U-Boot board's raw writes (their
  SIZE, else the file's size when the caller knows it, else unknown);
* the partitions.  An explicit offset is used as is; offset 0 means right
  after the previous partition (the first: right after the table's head),
  rounded up to a sector.  Sizes are rounded up to sectors.  A size of None
  ('guess, content not measured yet) is unknown: the partition's start is
  still known when it is, but what follows it is "auto".

It then checks the layout and raises a `LayoutError` located at the field to
change: overlaps (a partition's offset when it starts inside another region,
else its size; the bootloader's declaration for a blob over the table),
more than 4 MBR partitions, and MBR's 32-bit LBA start and sector count.
An unknown size counts as its least possible extent (a 'guess partition is
at least 1 MiB, a blob at least one byte), so what this finds before the
content is known is also an error once it is.

The function is pure: no file, no substitute cache.  The dry run calls it
with the declared sizes; the build again with the measured ones and the
resolved blob sizes, so the offsets it writes are the ones the dry run
printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from builders.disk.ptable import gpt, mbr
from builders.errors import BuildError
from builders.plan import ImagePlan, Origin, PartitionPlan
from schemeconf.errors import ConfigError
from schemeconf.source import SourceFile, Span

SECTOR = 512
MIB = 1 << 20
GUESS_MARGIN = 1.25                  # Guix's 'guess: content size x 1.25
GUESS_MINIMUM = MIB                  # ... and at least 1 MiB
MBR_PARTITIONS = 4                   # primary partitions (pyguix writes no extended partition)
MBR_MAX_LBA = mbr.MAX_LBA            # start LBA and sector count are 32-bit
GPT_HEAD = gpt.FIRST_USABLE_LBA * SECTOR            # protective MBR + header + entry array: 17408
GPT_TAIL = (gpt.ARRAY_SECTORS + 1) * SECTOR         # backup entry array + header: 16896
I386_PC_CORE_LIMIT = 0x78000                        # the largest core.img grub-mkimage makes for i386-pc (480 KiB)
GRUB_CORE_AREA = I386_PC_CORE_LIMIT
DISK_FORMATS = ("disk-image", "compressed-qcow2")


def align_up(value: int, alignment: int = SECTOR) -> int:
    return -(-value // alignment) * alignment


def guess_size(content_bytes: int) -> int:
    """Guix's 'guess: max(1 MiB, round(content x 1.25)), in whole KiB."""
    return align_up(max(GUESS_MINIMUM, round(content_bytes * GUESS_MARGIN)), 1024)


def declared_sizes(plan: ImagePlan) -> list[int | None]:
    """Each partition's size before its content is measured: its size, the
    image size (--image-size) for a 'guess root, else None ('guess)."""
    rooti = next((i for i, p in enumerate(plan.partitions) if p.is_root), None)
    return [p.size if p.size is not None else plan.root_size if i == rooti else None
            for i, p in enumerate(plan.partitions)]


# --- the result ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """Bytes [start, start + size) of the disk.

    KIND is "table", "bootloader" or "partition" (then PARTITION is its index
    in plan.partitions).  START is None for what follows a region whose size
    is not known yet; SIZE is None for a 'guess partition not measured yet,
    or a blob whose file has not been fetched."""

    name: str
    start: int | None
    size: int | None
    what: str
    kind: str
    partition: int | None = None

    @property
    def end(self) -> int | None:
        if self.start is None or self.size is None:
            return None
        return self.start + self.size


@dataclass(frozen=True)
class Placement:
    regions: tuple[Region, ...]      # every region, in disk order (unknown starts last)
    partitions: tuple[Region, ...]   # the partitions, in plan order
    disk_size: int | None            # None until every partition's end is known


class LayoutError(ConfigError, BuildError):
    """A layout that cannot be built, located at the field to change.

    A ConfigError, so the CLI prints it as FILE:LINE:COL with the source
    line; also a BuildError, which callers of the build API catch."""

    def __init__(self, message: str, span: Span | None = None, hint: str | None = None) -> None:
        ConfigError.__init__(self, message, span, hint)
        self.hint = hint             # (BuildError.__init__, reached through super(), reset it)

    __str__ = ConfigError.__str__


def layout_error(where: Origin | None, message: str, hint: str | None = None) -> LayoutError:
    """A LayoutError at WHERE in the user's file (unlocated when WHERE is None)."""
    span = None
    if where is not None:
        try:
            source = SourceFile.from_path(Path(where.file))
        except (OSError, UnicodeDecodeError):
            source = SourceFile(where.file, "")
        span = Span(source, where.line, where.col)
    return LayoutError(message, span, hint)


# --- placing ------------------------------------------------------------------------------------


def _flags(p: PartitionPlan) -> str:
    return p.file_system + (" [" + ",".join(p.flags) + "]" if p.flags else "")


def partition_name(i: int, p: PartitionPlan) -> str:
    return f"partition {i + 1} ({p.label})"


def table_head(kind: str) -> Region:
    if kind == "gpt":
        return Region("gpt", 0, GPT_HEAD, "protective MBR, GPT header and entries", "table")
    if kind == "mbr":
        return Region("mbr", 0, SECTOR, "master boot record (partition table)", "table")
    raise BuildError(f"unknown partition table type {kind!r} (expected mbr or gpt)")


def has_grub_core_area(plan: ImagePlan) -> bool:
    """grub-bootloader on an MBR disk: core.img goes from LBA 1 (the gap before the first partition)."""
    return plan.os is not None and plan.os.bootloader.name == "grub" and plan.partition_table == "mbr"


def place_regions(plan: ImagePlan, sizes: Sequence[int | None] | None = None,
                  blob_sizes: Sequence[int | None] | None = None) -> Placement:
    """Every region of PLAN's disk, checked (see the module's docstring).

    SIZES: each partition's size in bytes, None when not known yet (default:
    `declared_sizes`).  BLOB_SIZES: the size of each of the bootloader's raw
    writes when its own SIZE is not given (None: not known yet)."""
    if sizes is None:
        sizes = declared_sizes(plan)
    if len(sizes) != len(plan.partitions):
        raise ValueError(f"{len(sizes)} sizes for {len(plan.partitions)} partitions")
    kind = plan.partition_table
    head = table_head(kind)
    fixed: list[Region] = [head]
    if has_grub_core_area(plan):
        fixed.append(Region("bootloader core.img", SECTOR, GRUB_CORE_AREA,
                            f"GRUB's BIOS core image (at most {GRUB_CORE_AREA // 1024} KiB, from LBA 1)",
                            "bootloader"))
    blobs: list[Region] = []
    if plan.os is not None:
        package = plan.os.bootloader.package or plan.os.bootloader.name
        for k, w in enumerate(plan.os.bootloader.raw_writes):
            size = w.size if w.size is not None else (blob_sizes[k] if blob_sizes else None)
            blobs.append(Region(f"bootloader {w.file}", w.offset, size, f"raw write from {package}",
                                "bootloader"))
    _check_blobs_over_table(plan, head, blobs)
    if kind == "mbr" and len(plan.partitions) > MBR_PARTITIONS:
        p = plan.partitions[MBR_PARTITIONS]
        raise layout_error(p.origin, f"{partition_name(MBR_PARTITIONS, p)}: an MBR holds at most "
                           f"{MBR_PARTITIONS} partitions, the image has {len(plan.partitions)}",
                           "use partition-table-type 'gpt (128 partitions), or fewer partitions")

    partitions: list[Region] = []
    cursor: int | None = head.end
    for i, (p, size) in enumerate(zip(plan.partitions, sizes, strict=True)):
        name = partition_name(i, p)
        if p.offset:
            if p.offset % SECTOR:
                raise layout_error(p.offset_origin or p.origin,
                                   f"partition offset {p.offset} is not a multiple of {SECTOR} bytes")
            start: int | None = p.offset
        else:
            start = align_up(cursor) if cursor is not None else None
        size = align_up(size) if size is not None else None
        region = Region(name, start, size, _flags(p), "partition", i)
        if kind == "mbr":
            _check_mbr_limits(p, region)
        _check_partition(plan, p, region, fixed + blobs + partitions)
        partitions.append(region)
        cursor = region.end

    ends = [r.end for r in partitions]
    disk_size = None
    if partitions and all(e is not None for e in ends):
        last = max(e for e in ends if e is not None)
        disk_size = align_up(last + (GPT_TAIL if kind == "gpt" else 0))
    tail: list[Region] = []
    if kind == "gpt":
        tail.append(Region("gpt backup", disk_size - GPT_TAIL if disk_size is not None else None, GPT_TAIL,
                           "GPT backup entries and header", "table"))
    every = fixed + blobs + partitions + tail
    ordered = sorted(every, key=lambda r: (r.start is None, r.start or 0))   # stable: table first at 0
    return Placement(tuple(ordered), tuple(partitions), disk_size)


# --- checks -------------------------------------------------------------------------------------


def _least_end(r: Region) -> int | None:
    """The end R has at least: a 'guess partition is at least 1 MiB, a blob at least 1 byte."""
    if r.start is None:
        return None
    if r.size is not None:
        return r.start + r.size
    return r.start + (GUESS_MINIMUM if r.kind == "partition" else 1)


def _extent(r: Region) -> str:
    if r.end is not None:
        return f"[{r.start}, {r.end})"
    return f"[{r.start}, {r.start} + {'guess' if r.kind == 'partition' else 'file size'})"


def _intersect(a: Region, b: Region) -> bool:
    a_end, b_end = _least_end(a), _least_end(b)
    if a_end is None or b_end is None:
        return False
    assert a.start is not None and b.start is not None
    return a.start < b_end and b.start < a_end


def _table_name(plan: ImagePlan) -> str:
    return f"the {plan.partition_table.upper()} partition table"


def _check_blobs_over_table(plan: ImagePlan, head: Region, blobs: list[Region]) -> None:
    for b in blobs:
        if _intersect(b, head):
            assert plan.os is not None
            bootloader = plan.os.bootloader
            raise layout_error(bootloader.origin,
                               f"bootloader blob {b.name.removeprefix('bootloader ')} {_extent(b)} of "
                               f"{bootloader.package or bootloader.name} overlaps {_table_name(plan)} "
                               f"{_extent(head)}",
                               "this board's boot ROM reads the bootloader where the partition table is: "
                               "use an MBR (partition-table-type 'mbr), as the board's image type does")


def _check_mbr_limits(p: PartitionPlan, r: Region) -> None:
    limit = f"an MBR addresses sectors with 32-bit numbers (at most {MBR_MAX_LBA}, 2 TiB)"
    hint = "use partition-table-type 'gpt for partitions beyond 2 TiB"
    if r.start is not None and r.start // SECTOR > MBR_MAX_LBA:
        raise layout_error(p.offset_origin or p.origin,
                           f"{r.name} starts at byte {r.start} (LBA {r.start // SECTOR}): {limit}", hint)
    if r.size is not None and r.size // SECTOR > MBR_MAX_LBA:
        raise layout_error(p.size_origin or p.origin,
                           f"{r.name} is {r.size} bytes ({r.size // SECTOR} sectors): {limit}", hint)


def _holds(p: PartitionPlan, r: Region, blob: Region) -> bool:
    """Whether partition P (region R) is where BLOB goes: an unformatted partition the blob
    starts in and, where its size is known, ends in (nothing else is ever written there)."""
    if p.file_system != "unformatted" or r.start is None or blob.start is None or blob.start < r.start:
        return False
    if r.size is None:
        return False
    return (blob.start < r.start + r.size) if blob.size is None else (blob.start + blob.size <= r.start + r.size)


def _check_partition(plan: ImagePlan, p: PartitionPlan, r: Region, before: list[Region]) -> None:
    """R (partition P) against the table, the bootloader's areas and the partitions before it."""
    at_offset = p.offset_origin or p.origin
    for other in before:
        if not _intersect(r, other):
            continue
        assert r.start is not None and other.start is not None
        other_end = _least_end(other) or 0
        if other.kind == "table":
            raise layout_error(at_offset, f"{r.name} {_extent(r)} overlaps {_table_name(plan)} {_extent(other)}",
                               f"start the partition at byte {other_end} or later (offset "
                               f"{align_up(other_end, MIB)} is the usual 1 MiB alignment)")
        if other.name == "bootloader core.img":
            raise layout_error(at_offset, f"{r.name} {_extent(r)} overlaps the area of GRUB's core.img "
                               f"{_extent(other)}: grub-bootloader puts its core image between the MBR and "
                               "the first partition",
                               f"start the partition at offset {align_up(other_end, MIB)} or later, past the "
                               f"{GRUB_CORE_AREA // 1024} KiB GRUB may need, as Guix's MBR images do")
        if other.kind == "bootloader" and _holds(p, r, other):
            continue   # the partition reserved for the blob (Guix's RISC-V boards: 'spl' and 'uboot')
        if other.kind == "bootloader":
            assert plan.os is not None
            bootloader = plan.os.bootloader
            raise layout_error(at_offset,
                               f"bootloader blob {other.name.removeprefix('bootloader ')} {_extent(other)} of "
                               f"{bootloader.package or bootloader.name} overlaps {r.name} {_extent(r)}",
                               f"move the partition (its offset) to byte {align_up(other_end, MIB)} or later, "
                               "past the bootloader's area" + ("" if other.size is not None else
                                                               " (the blob's size is known once it is fetched)"))
        # Two partitions: the later one moves, by its offset if it starts inside, else by its size.
        inside = other.start <= r.start < other_end
        raise layout_error(at_offset if inside else (p.size_origin or p.origin),
                           f"{r.name} {_extent(r)} overlaps {other.name} {_extent(other)}",
                           "change the offsets or sizes so that the byte ranges do not intersect")


__all__ = ["DISK_FORMATS", "GPT_HEAD", "GPT_TAIL", "GRUB_CORE_AREA", "LayoutError", "Placement", "Region",
           "align_up", "declared_sizes", "guess_size", "layout_error", "place_regions"]
