"""Disk layout arithmetic: where each partition goes, and what overlaps.

Guix (through genimage) places a partition whose offset is 0 right after the
previous one, and rounds sizes up to 512-byte sectors.  A GPT takes the first
34 sectors (protective MBR, header, 128 entries) and keeps a backup copy in
the last 33.
"""

from __future__ import annotations

from dataclasses import dataclass

from .plan import ImagePlan, PartitionPlan

SECTOR = 512
GPT_PRIMARY = 34 * SECTOR            # protective MBR + header + entry array
GPT_BACKUP = 33 * SECTOR             # entry array + header at the end
GUESS_MARGIN = 1.25                  # Guix's 'guess: content size x 1.25
GUESS_MINIMUM = 1 << 20              # ... and at least 1 MiB


def align_up(value: int, alignment: int = SECTOR) -> int:
    return -(-value // alignment) * alignment


def guess_size(content_bytes: int) -> int:
    """Guix's 'guess: max(1 MiB, round(content x 1.25)), in whole KiB."""
    return align_up(max(GUESS_MINIMUM, round(content_bytes * GUESS_MARGIN)), 1024)


@dataclass(frozen=True)
class Region:
    name: str
    start: int | None                # None: placed after the previous region once sizes are known
    size: int | None                 # None: 'guess, or a file's size
    what: str

    @property
    def end(self) -> int | None:
        if self.start is None or self.size is None:
            return None
        return self.start + self.size


def table_region(plan: ImagePlan) -> Region:
    if plan.partition_table == "gpt":
        return Region("gpt", 0, GPT_PRIMARY, "protective MBR, GPT header and entries")
    return Region("mbr", 0, SECTOR, "master boot record (partition table)")


def partition_regions(partitions: tuple[PartitionPlan, ...], sizes: list[int | None] | None = None) -> list[Region]:
    """Regions of the partitions, with offsets resolved as far as sizes allow."""
    regions = []
    cursor: int | None = None
    for i, p in enumerate(partitions):
        size = sizes[i] if sizes is not None else p.size
        size = align_up(size) if size is not None else None
        start = p.offset if p.offset else cursor
        if start is None and i == 0:
            start = SECTOR  # genimage's default for a first partition without offset
        regions.append(Region(f"partition {i + 1} ({p.label})", start, size,
                              f"{p.file_system}" + (" [" + ",".join(p.flags) + "]" if p.flags else "")))
        cursor = start + size if start is not None and size is not None else None
    return regions


def layout(plan: ImagePlan, sizes: list[int | None] | None = None) -> list[Region]:
    """Every region of PLAN's disk, in disk order: table, bootloader blobs, partitions."""
    regions = [table_region(plan)]
    if plan.os is not None:
        from .boards import blob_extent  # SIZE, else the file's size when the substitute is in the cache

        from .boards import blob_unavailable

        package = plan.os.bootloader.package
        missing = blob_unavailable(plan)
        for w in plan.os.bootloader.raw_writes:
            regions.append(Region(f"bootloader {w.file}", w.offset, blob_extent(plan, w),
                                  f"raw write from {package or 'u-boot'}" + (" (not available)" if missing else "")))
    regions.extend(partition_regions(plan.partitions, sizes))
    return sorted(regions, key=lambda r: (r.start if r.start is not None else 1 << 62))


def overlaps(regions: list[Region]) -> list[tuple[Region, Region]]:
    """Pairs of regions whose known byte ranges intersect."""
    known = [r for r in regions if r.start is not None and r.end is not None]
    found = []
    for i, a in enumerate(known):
        for b in known[i + 1:]:
            if a.start < b.end and b.start < a.end:  # type: ignore[operator]
                found.append((a, b))
    return found


def human(n: int | None) -> str:
    if n is None:
        return "guess"
    if n % SECTOR:
        return f"{n} B"               # a file's exact size
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= factor and n % (factor // 1024 or 1) == 0:
            return f"{n / factor:g} {unit}"
    return f"{n} B"


def render_table(regions: list[Region]) -> str:
    rows = [("start", "end", "size", "region", "contents")]
    for r in regions:
        rows.append((
            str(r.start) if r.start is not None else "auto",
            str(r.end) if r.end is not None else "-",
            human(r.size) if r.size is not None else ("guess" if r.name.startswith("partition") else "file size"),
            r.name, r.what,
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for k, row in enumerate(rows):
        lines.append("  ".join(cell.rjust(widths[i]) if i < 3 else cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    for a, b in overlaps(regions):
        if a.name.startswith("bootloader") and b.name.startswith("bootloader"):
            continue  # e.g. allwinner64: the FIT inside u-boot-sunxi-with-spl.bin, written again at 40 KiB
        lines.append(f"overlap: {a.name} [{a.start}, {a.end}) and {b.name} [{b.start}, {b.end})")
    return "\n".join(lines)
