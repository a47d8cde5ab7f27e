"""The disk layout --dry-run prints: builders/disk/placement.py's regions, as a table.

The offsets are the ones the build writes (the same function places both);
what is not known before building shows as such: a 'guess partition's size
("guess", and "auto" for the start of what follows it) and a U-Boot blob's
size when its raw write gives none ("file size": the file is fetched only
by the build; the dry run never looks in the substitute cache).  A layout
that cannot be built is the same located error the build gives.
"""

from __future__ import annotations

import dataclasses

from builders.boot.boards import blob_unavailable
from builders.disk.placement import (  # noqa: F401
    DISK_FORMATS,
    GUESS_MARGIN,
    GUESS_MINIMUM,
    SECTOR,
    Region,
    align_up,
    guess_size,
    place_regions,
)
from builders.plan import ImagePlan

__all__ = ["GUESS_MARGIN", "GUESS_MINIMUM", "SECTOR", "Region", "align_up", "guess_size", "human", "layout",
           "render_table"]


def layout(plan: ImagePlan, sizes: list[int | None] | None = None) -> list[Region]:
    """Every region of PLAN's disk, in disk order, before anything is built
    (SIZES: the partitions' sizes when known, default the declared ones).
    Images that are not partitioned disks (ISO 9660, archives) have none."""
    if plan.format not in DISK_FORMATS:
        return []
    placement = place_regions(plan, sizes)          # raises the build's located layout errors
    missing = blob_unavailable(plan)       # from the package mapping, not the cache
    regions = []
    for r in placement.regions:
        if r.kind == "bootloader" and r.size is None:
            r = dataclasses.replace(r, what=r.what + (" (not available)" if missing else
                                                      " (size unknown until fetched)"))
        regions.append(r)
    return regions


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
    if not regions:
        return "(no disk layout: the image is not a partitioned disk)"
    rows = [("start", "end", "size", "region", "contents")]
    for r in regions:
        rows.append((
            str(r.start) if r.start is not None else "auto",
            str(r.end) if r.end is not None else "-",
            human(r.size) if r.size is not None else ("guess" if r.kind == "partition" else "file size"),
            r.name, r.what,
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for k, row in enumerate(rows):
        cells = (cell.rjust(widths[i]) if i < 3 else cell.ljust(widths[i]) for i, cell in enumerate(row))
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
