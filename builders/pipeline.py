"""The image build pipeline: plan -> root tree -> partition images -> disk -> format.

Everything is derived from the plan: the seed for UUIDs, serials and GUIDs
is sha256(plan.to_json()), every timestamp is the fixed epoch
(SOURCE_DATE_EPOCH, default 1).  The output appears atomically: it is
written to a temporary file next to it and renamed at the very end; the
temporary files and work directory are removed whatever happens.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import layout
from .determinism import guid_from_seed, u32_from_seed
from .disk import Region, assemble_disk
from .errors import BuildError
from .plan import ImagePlan, PartitionPlan

BUILT_FORMATS = ("disk-image", "compressed-qcow2", "tarball")
SUFFIXES = {"disk-image": ".img", "compressed-qcow2": ".qcow2", "tarball": ".tar.gz"}


def epoch() -> int:
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value:
        try:
            return int(value)
        except ValueError:
            raise BuildError(f"SOURCE_DATE_EPOCH={value!r} is not an integer") from None
    return 1


def plan_seed(plan: ImagePlan) -> bytes:
    return hashlib.sha256(plan.to_json().encode("utf-8")).digest()


def default_output(plan: ImagePlan) -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    name = f"{plan_seed(plan).hex()[:16]}-{plan.name}"
    suffix = SUFFIXES.get(plan.format, "")
    if suffix and not name.endswith(suffix):
        name += suffix
    return Path(cache) / "pyguix" / "images" / name


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        print(f"pyguix: {message}", file=sys.stderr, flush=True)


# --- partitions ---------------------------------------------------------------


def fs_uuid(plan: PartitionPlan, seed: bytes, index: int) -> str:
    """The partition's file-system UUID: as declared, else seeded (FAT: ABCD-1234)."""
    if plan.uuid:
        return plan.uuid
    if plan.file_system in ("vfat", "fat16", "fat32"):
        serial = u32_from_seed(seed, f"fat-serial:{index}")
        return f"{serial >> 16:04X}-{serial & 0xFFFF:04X}"
    return str(guid_from_seed(seed, f"fs-uuid:{index}"))


def root_index(plan: ImagePlan) -> int | None:
    for i, p in enumerate(plan.partitions):
        if p.is_root:
            return i
    return None


def mbr_type(p: PartitionPlan) -> int:
    if p.is_esp:
        return 0xEF
    if p.file_system == "fat32":
        return 0x0C
    if p.file_system in ("vfat", "fat16"):
        return 0x0E
    return 0x83


def gpt_type(p: PartitionPlan):
    from .ptable.gpt import TYPES

    if p.is_esp:
        return TYPES["esp"]
    if p.file_system in ("vfat", "fat16", "fat32"):
        return TYPES["fat"]
    return TYPES["linux"]


@dataclass(frozen=True)
class Placed:
    index: int
    plan: PartitionPlan
    image: Path
    offset: int
    size: int


def place(plan: ImagePlan, sizes: list[int], head: int) -> list[tuple[int, int]]:
    """(offset, size) of each partition: offset 0 = right after the previous one."""
    out = []
    cursor = head
    for p, size in zip(plan.partitions, sizes):
        start = layout.align_up(p.offset) if p.offset else layout.align_up(cursor)
        size = layout.align_up(size)
        out.append((start, size))
        cursor = start + size
    return out


def check_raw_writes(plan: ImagePlan, placed: list[tuple[int, int]], head: int) -> None:
    if plan.os is None:
        return
    areas = [(f"the {plan.partition_table.upper()} partition table", 0, head)]
    areas += [(f"partition {i + 1} ({p.label})", off, off + size)
              for i, (p, (off, size)) in enumerate(zip(plan.partitions, placed))]
    for w in plan.os.bootloader.raw_writes:
        if w.size is None:
            continue
        start, end = w.offset, w.offset + w.size
        for name, a, b in areas:
            if start < b and a < end:
                raise BuildError(
                    f"bootloader blob {w.file} [{start}, {end}) overlaps {name} [{a}, {b})",
                    "move the partition (its offset) past the bootloader's area",
                )


def build_disk(plan: ImagePlan, work: Path, raw_out: Path, seed: bytes, stamp: int, quiet: bool) -> None:
    from .fs import content_size, make_filesystem
    from .ptable import make_table, partition_guid
    from .ptable.base import Partition
    from .rootfs import populate_root

    if plan.os is None:
        raise BuildError("the image has no operating system to put on its root partition")
    if not plan.partitions:
        raise BuildError("the image declares no partitions", "a disk image needs at least one partition")
    table = make_table(plan.partition_table, seed)
    head = table.head_bytes()
    rooti = root_index(plan)
    uuids = [fs_uuid(p, seed, i) for i, p in enumerate(plan.partitions)]

    trees: list[Path] = []
    for i, p in enumerate(plan.partitions):
        tree = work / f"tree-{i + 1}"
        if i == rooti:
            populate_root(plan.os, tree, root_device=f"UUID={uuids[i]}")
        else:
            tree.mkdir()
            os.chmod(tree, 0o755)
        trees.append(tree)

    sizes: list[int] = []
    for i, p in enumerate(plan.partitions):
        if p.size is not None:
            size = p.size
        elif i == rooti and plan.root_size is not None:
            size = plan.root_size
        else:
            size = layout.guess_size(content_size(trees[i]))
        sizes.append(layout.align_up(size))

    placed = place(plan, sizes, head)
    check_raw_writes(plan, placed, head)

    images: list[Path] = []
    for i, p in enumerate(plan.partitions):
        image = work / f"partition-{i + 1}.img"
        _say(quiet, f"making {p.file_system} partition {i + 1} ({p.label}, {placed[i][1]} bytes)")
        try:
            make_filesystem(p.file_system, trees[i], image, placed[i][1], p.label, uuids[i],
                            tuple(p.file_system_options), stamp)
        except ValueError as e:
            where = f"{p.origin}: " if p.origin else ""
            raise BuildError(f"{where}partition {i + 1} ({p.label}): {e}") from None
        images.append(image)

    last_end = max(off + size for off, size in placed)
    disk_size = layout.align_up(last_end + table.tail_bytes())
    partitions = [
        Partition(offset=off, size=size,
                  type=gpt_type(p) if table.kind == "gpt" else mbr_type(p),
                  name=p.label if table.kind == "gpt" else "",
                  bootable="boot" in p.flags,
                  guid=partition_guid(seed, i + 1) if table.kind == "gpt" else None)
        for i, (p, (off, size)) in enumerate(zip(plan.partitions, placed))
    ]
    regions = list(table.regions(disk_size, partitions))
    regions += [Region(off, size, images[i], f"partition {i + 1} ({plan.partitions[i].label})")
                for i, (off, size) in enumerate(placed)]
    _say(quiet, f"assembling {disk_size}-byte disk image")
    assemble_disk(raw_out, disk_size, regions)


def build_tarball(plan: ImagePlan, work: Path, out: Path, stamp: int, quiet: bool) -> None:
    from .formats.tarball import make_tarball
    from .rootfs import populate_root

    if plan.os is None:
        raise BuildError("the image has no operating system to archive")
    tree = populate_root(plan.os, work / "root")
    _say(quiet, "writing tarball")
    make_tarball(tree, out, epoch=stamp)


# --- entry point ------------------------------------------------------------------


def build_image(plan: ImagePlan, output: Path | None = None, quiet: bool = False) -> Path:
    """Build PLAN's image at OUTPUT (default: the cache) and return its path."""
    if plan.format not in BUILT_FORMATS:
        raise BuildError(
            f"format {plan.format} not built yet",
            f"formats built so far: {', '.join(BUILT_FORMATS)} (e.g. -t mbr-raw, -t efi-raw, -t qcow2, -t tarball); "
            "use --dry-run to see this image's layout",
        )
    seed = plan_seed(plan)
    stamp = epoch()
    if output is None:
        output = default_output(plan)
        if output.exists():
            _say(quiet, f"{output} already built")
            return output
    output = Path(os.path.abspath(output))
    if output.is_dir():
        raise BuildError(f"output {output} is a directory", "give a file name with -o")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{output.name}.work-", dir=output.parent))
    except OSError as e:
        raise BuildError(f"cannot write to {output.parent}: {e.strerror or e}",
                         "choose another place with -o PATH") from None
    tmp = work.with_name(work.name.replace(".work-", ".partial-"))
    try:
        if plan.format == "tarball":
            build_tarball(plan, work, tmp, stamp, quiet)
        elif plan.format == "compressed-qcow2":
            raw = work / "disk.raw"
            build_disk(plan, work, raw, seed, stamp, quiet)
            _say(quiet, "converting to qcow2 (zstd)")
            from .formats.qcow2 import convert

            convert(raw, tmp, compression="zstd")
        else:
            build_disk(plan, work, tmp, seed, stamp, quiet)
        os.chmod(tmp, 0o644)
        os.replace(tmp, output)
    except OSError as e:
        raise BuildError(f"building {output} failed: {e}") from e
    finally:
        tmp.unlink(missing_ok=True)
        _remove_tree(work)
    return output


def _remove_tree(path: Path) -> None:
    def onerror(func, p, exc_info):  # read-only directories left by a tool
        try:
            os.chmod(os.path.dirname(p), 0o700)
            func(p)
        except OSError:
            pass

    shutil.rmtree(path, onerror=onerror)
