"""The image build pipeline: plan -> root tree -> partition images -> disk -> format.

`build_image` makes one `BuildContext` (builders/context.py) and runs the
format's writer on it, under an unprivileged identity when started as root.
A disk image is written in named steps, each taking the context:

    check the layout        the checks --dry-run makes, before any work
    stage the root tree     the operating system's tree (builders/system/rootfs.py)
    make it bootable        system, kernel, initrd, bootloader configuration (bootable.py)
    fill the partitions     each as its initializer says: the root tree, or the ESP's loaders
    measure and place       sizes from the content, offsets (builders/disk/placement.py)
    make file systems       the partitions built as files (FAT) ...
    assemble                ... written with the tables into the disk file
    make file systems       ... and the ext ones made in place (mke2fs -E offset=)
    install the boot code   GRUB's boot sector and core image, U-Boot blobs
    convert                 to qcow2, for compressed-qcow2

Everything is derived from the plan: the seed for UUIDs, serials and GUIDs
is sha256 of the plan's identity, every timestamp is the fixed epoch
(SOURCE_DATE_EPOCH, default 1), and the target system is the plan's.  The
output appears atomically: it is written to a temporary file next to it and
renamed at the very end; the temporary files and work directory are removed
whatever happens.
"""

from __future__ import annotations

import dataclasses
import errno
import fcntl
import hashlib
import os
import re
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from builders import progress
from builders.boot import bootable, hurd, live
from builders.boot.boards import blob_extent
from builders.context import BuildContext, BuildOptions
from builders.determinism import guid_from_seed, u32_from_seed
from builders.disk.assemble import Chunk, assemble_disk
from builders.disk.fs import content_size, make_filesystem, supported_filesystems
from builders.disk.fs.ext import MKE2FS_OPTIONS, check_mke2fs_options
from builders.disk.placement import align_up, guess_size, place_regions
from builders.disk.ptable import make_table, partition_guid
from builders.disk.ptable.base import Partition, PartitionTable
from builders.disk.ptable.gpt import TYPES as GPT_TYPES
from builders.errors import BuildError, error_at
from builders.formats import docker, iso9660, qcow2, tarball
from builders.plan import ImagePlan, PartitionPlan
from builders.run import ToolFailed
from builders.sandbox import install_result, run_unprivileged
from builders.staging import ENV as STAGING_ENV
from builders.staging import PREFIX as STAGE_PREFIX
from builders.staging import SHM, staging_dir
from builders.substitutes import default_provider
from builders.substitutes.provider import cache_root
from builders.system.container import containerized
from builders.system.rootfs import populate_root
from builders.system.shepherd_system import SYSTEM
from builders.tree import Tree
from builders.validate import check_epoch

__all__ = ["BUILT_FORMATS", "BuildContext", "BuildOptions", "build_image", "check_output", "default_output",
           "epoch", "error_at", "plan_seed"]

DEFAULT_OPTIONS = BuildOptions()   # frozen: one shared instance is safe as a default


def _parent_dirs(rel: str) -> list[str]:
    """a/b/c -> [a, a/b]."""
    parts = rel.strip("/").split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


SUFFIXES = {"disk-image": ".img", "compressed-qcow2": ".qcow2", "iso9660": ".iso", "docker": ".tar.gz",
            "tarball": ".tar.gz", "wsl2": ".tar.gz"}
FAT_TYPES = ("vfat", "fat16", "fat32")


def epoch() -> int:
    """SOURCE_DATE_EPOCH (default 1), checked against what every writer can store."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if not value:
        return 1
    try:
        number = int(value)
    except ValueError:
        raise BuildError(f"SOURCE_DATE_EPOCH={value!r} is not an integer",
                         "set it to a number of seconds since 1970-01-01, e.g. $(git log -1 --format=%ct)") from None
    return check_epoch(number)


def plan_seed(plan: ImagePlan) -> bytes:
    """Seed of every identifier, and the cache key: the plan's bytes-relevant content
    (source locations and host paths left out, so another directory gives the same image)."""
    return hashlib.sha256(plan.identity_json().encode("utf-8")).digest()


def human_size(n: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= factor:
            return f"{n / factor:.4g} {unit} ({n} bytes)"
    return f"{n} bytes"


def default_output(plan: ImagePlan, options: BuildOptions | None = None) -> Path:
    """The content-addressed cache path: the key covers the plan and the build
    options (a different substitute source may give other packages)."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    key = hashlib.sha256(plan_seed(plan) + repr(options or BuildOptions()).encode()).hexdigest()
    # The image's name is the configuration's: only a plain file name is derived from it.
    name = f"{key[:16]}-{re.sub(r'[^A-Za-z0-9._+-]', '_', plan.name)[:64]}"
    suffix = SUFFIXES.get(plan.format, "")
    if suffix and not name.endswith(suffix):
        name += suffix
    return Path(cache) / "pyguix" / "images" / name


def warn_all(warnings: list[str]) -> None:
    """What could not be realized, after success: errors come first and alone."""
    for warning in warnings:
        progress.warn(warning)


# --- partitions ---------------------------------------------------------------


def fs_uuid(plan: PartitionPlan, seed: bytes, index: int) -> str:
    """The partition's file-system UUID: as declared, else seeded (FAT: ABCD-1234)."""
    if plan.uuid:
        return plan.uuid
    if plan.file_system in FAT_TYPES:
        serial = u32_from_seed(seed, f"fat-serial:{index}")
        return f"{serial >> 16:04X}-{serial & 0xFFFF:04X}"
    return str(guid_from_seed(seed, f"fs-uuid:{index}"))


def mbr_type(p: PartitionPlan) -> int:
    if p.is_esp:
        return 0xEF
    if p.file_system == "fat32":
        return 0x0C
    if p.file_system in ("vfat", "fat16"):
        return 0x0E
    return 0x83


def gpt_type(p: PartitionPlan):
    """The partition's GPT type GUID, as Guix's genimage configuration gives it: an unformatted
    partition's uuid is its type (the RISC-V boards' boot ROMs find their SPL and U-Boot by it)."""
    if p.is_esp:
        return GPT_TYPES["esp"]
    if p.file_system in FAT_TYPES:
        return GPT_TYPES["fat"]
    if p.file_system == "swap":
        return GPT_TYPES["swap"]
    if p.file_system == UNFORMATTED and p.uuid:
        return UUID(p.uuid)
    return GPT_TYPES["linux"]


def place(plan: ImagePlan, sizes: list[int] | None, head: int) -> list[tuple[int, int]]:
    """(offset, size) of each partition, by builders/disk/placement.py: the rule and the
    checks --dry-run uses (offset 0 = right after the previous one; overlaps with the
    table, GRUB's core.img area, U-Boot blobs and other partitions; MBR limits), which
    raise a located error.  SIZES None: the declared sizes, before the content is
    measured, exactly what --dry-run checks (the offsets returned may be None).

    With SIZES, a U-Boot blob's size is its raw write's SIZE, else the file's as
    resolved by this build (builders/boot/boards.py); --dry-run does not know it."""
    blobs = ([blob_extent(plan, w) for w in plan.os.bootloader.raw_writes]
             if plan.os is not None and sizes is not None else None)
    placement = place_regions(plan, sizes, blob_sizes=blobs)
    assert placement.regions[0].end == head, (placement.regions[0], head)   # the table ptable writes
    return [(r.start, r.size) for r in placement.partitions]  # type: ignore[misc]


def check_supported(plan: ImagePlan) -> None:
    """File systems we can make (Guix also knows btrfs, f2fs and swap)."""
    if plan.format not in ("disk-image", "compressed-qcow2"):
        return
    for i, p in enumerate(plan.partitions):
        if p.file_system not in supported_filesystems():
            raise error_at(p.file_system_origin or p.origin,
                           f"partition {i + 1} ({p.label}): pyguix cannot make {p.file_system} file systems",
                           f"supported: {', '.join(supported_filesystems())}")
        if p.file_system in FAT_TYPES and len(p.label) > 11:
            raise error_at(p.origin, f'vfat label "{p.label}" is longer than 11 characters',
                           "FAT volume labels hold at most 11 characters")
        if p.file_system in ("ext2", "ext3", "ext4"):
            problem = check_mke2fs_options(p.file_system_options)
            if problem is not None:
                raise error_at(p.origin, f"partition {i + 1} ({p.label}): {problem}",
                               "file-system-options may only shape the file system (" +
                               " ".join(sorted(MKE2FS_OPTIONS)) + "); pyguix sets the rest")


# What e2fsprogs says when the content does not fit.
NO_ROOM = ("Could not allocate block", "No space left on device", "Could not allocate inode",
           "too many inodes", "while populating file system")


def too_small(plan: ImagePlan, i: int, content: int, size: int) -> Exception:
    p = plan.partitions[i]
    name = f"partition {i + 1} ({p.label})"
    if p.size is not None:
        return error_at(p.size_origin or p.origin,
                        f"{name}: the content ({human_size(content)}) does not fit in its size ({human_size(size)})",
                        "make the partition bigger, or give its size as 'guess")
    return BuildError(f"{name}: the content ({human_size(content)}) does not fit in the image size "
                      f"({human_size(size)}, from --image-size or the image's size field)",
                      "give a bigger --image-size, or leave it out to size the root from its content")


_BORROWED: list[tuple[Path, Path]] = []


def add_extra_content(tree: Path, extra: Path) -> None:
    """Put the directory EXTRA into TREE as /extra (benchmarks only).

    EXTRA is moved in (a rename, so the benchmark measures the image, not a
    copy) and moved back when the build ends (`_return_extra_content`); on
    another file system it is copied.
    """
    dest = tree / "extra"
    try:
        os.rename(extra, dest)
        _BORROWED.append((dest, extra))
    except OSError:
        shutil.copytree(extra, dest, symlinks=True)


def _return_extra_content() -> None:
    while _BORROWED:
        dest, extra = _BORROWED.pop()
        os.rename(dest, extra)


# --- a disk image, step by step ---------------------------------------------------------


@dataclass(frozen=True)
class Disk:
    """What is decided before anything is written: the partition table, each
    partition's file-system UUID and tree, the root partition (the 'boot
    flag) and the tree the operating system is staged in."""

    table: PartitionTable
    uuids: tuple[str, ...]
    trees: tuple[Path, ...]          # what becomes partition i's file system
    root: int | None                 # the root partition (its UUID is the system's root=)
    system_tree: Path                # the staged OS: the first root-initialized partition's tree


@dataclass(frozen=True)
class Placed:
    """The measured disk: each partition's content size and (offset, size), the disk's size."""

    contents: tuple[int, ...]
    extents: tuple[tuple[int, int], ...]
    disk_size: int


def build_disk(ctx: BuildContext, raw_out: Path) -> None:
    """The partitioned disk image of ctx.plan at RAW_OUT."""
    disk = check_layout(ctx)
    stage_root_tree(ctx, disk)
    boot = make_bootable(ctx, disk)
    fill_partitions(ctx, disk, boot)
    placed = measure_and_place(ctx, disk)
    images = make_file_systems(ctx, disk, placed, in_place=False)
    assemble(ctx, disk, placed, images, raw_out)
    make_file_systems(ctx, disk, placed, in_place=True, disk_file=raw_out)
    install_boot_code(ctx, boot, raw_out)
    # The staged trees are in the disk now: removing them (thousands of folders, seconds)
    # goes on while the disk is converted.
    remove_in_background([*disk.trees, disk.system_tree])


def check_layout(ctx: BuildContext) -> Disk:
    """The table and identifiers, and the layout errors --dry-run finds, before any work."""
    plan = ctx.plan
    if plan.os is None:
        raise BuildError("the image has no operating system to put on its root partition")
    if not plan.partitions:
        raise BuildError("the image declares no partitions", "a disk image needs at least one partition")
    table = make_table(plan.partition_table, ctx.seed)
    place(plan, None, table.head_bytes())
    trees = tuple(ctx.trees / f"tree-{i + 1}" for i in range(len(plan.partitions)))
    # An unformatted partition is an empty file in Guix too: no initializer fills it.
    roots = [i for i, p in enumerate(plan.partitions)
             if p.initialization.content == "root" and p.file_system != UNFORMATTED]
    rooti = plan.root_index
    holder = rooti if rooti in roots else (roots[0] if roots else None)
    return Disk(table=table, uuids=tuple(fs_uuid(p, ctx.seed, i) for i, p in enumerate(plan.partitions)),
                trees=trees, root=rooti, system_tree=trees[holder] if holder is not None else ctx.trees / "system")


def declared_system(ctx: BuildContext) -> bool:
    """Whether the build installs the declared system (Debian 13, usr-merged, the Shepherd as PID 1)."""
    return ctx.options.init == "shepherd" and ctx.options.bootable and not ctx.plan.is_hurd


def stage_root_tree(ctx: BuildContext, disk: Disk) -> None:
    """The operating system's tree (and the empty trees of the other partitions)."""
    plan = ctx.plan
    assert plan.os is not None
    root = plan.partitions[disk.root] if disk.root is not None else None
    root_device = f"UUID={disk.uuids[disk.root]}" if disk.root is not None else None
    populate_root(plan.os, disk.system_tree, root_device=root_device,
                  root_type=root.file_system if root else None, usr_merged=declared_system(ctx))
    if ctx.extra_content is not None:
        add_extra_content(disk.system_tree, ctx.extra_content)
    for tree in disk.trees:
        if tree != disk.system_tree:
            tree.mkdir()
            os.chmod(tree, 0o755)


def make_bootable(ctx: BuildContext, disk: Disk) -> bootable.BootParts | None:
    """The system, kernel, initrd and bootloader configuration in the OS's tree."""
    if not ctx.options.bootable or disk.root is None:
        return None
    ctx.say("installing the system, kernel, initrd and bootloader configuration")
    return bootable.prepare(ctx, disk.system_tree, root_uuid=disk.uuids[disk.root], root_index=disk.root + 1)


def _fill_root(ctx: BuildContext, disk: Disk, boot: bootable.BootParts | None, i: int) -> None:
    """initialize-root-partition (and the Hurd's): the operating system's tree."""
    if disk.trees[i] != disk.system_tree:
        shutil.copytree(disk.system_tree, disk.trees[i], symlinks=True, dirs_exist_ok=True)
        shutil.copystat(disk.system_tree, disk.trees[i])


def _fill_esp(ctx: BuildContext, disk: Disk, boot: bootable.BootParts | None, i: int) -> None:
    """initialize-efi-partition, initialize-efi32-partition: the EFI loader(s)."""
    if boot is None:
        return
    esp = Tree(disk.trees[i])
    for rel, source in sorted(bootable.esp_files(ctx, boot, ctx.plan.partitions[i].initialization).items()):
        for d in _parent_dirs(rel):
            esp.mkdir(d, 0o755)
        esp.copy_in(rel, source, 0o644)


# What each kind of initializer puts into its partition (plan.INITIALIZERS).
UNFORMATTED = "unformatted"
FILLERS: dict[str, Callable[[BuildContext, Disk, bootable.BootParts | None, int], None]] = {
    "root": _fill_root,
    "esp": _fill_esp,
}


def fill_partitions(ctx: BuildContext, disk: Disk, boot: bootable.BootParts | None) -> None:
    """Each partition as its initializer fills it (not as its flags say)."""
    for i, p in enumerate(ctx.plan.partitions):
        if p.file_system != UNFORMATTED:       # zeros (a blob's place on the RISC-V boards)
            FILLERS[p.initialization.content](ctx, disk, boot, i)


def measure_and_place(ctx: BuildContext, disk: Disk) -> Placed:
    """Each partition's size (declared, --image-size for a 'guess root, else
    Guix's guess from the content) and offset; the content must fit."""
    plan = ctx.plan
    contents = [content_size(tree) for tree in disk.trees]
    sizes = []
    for i, (p, content) in enumerate(zip(plan.partitions, contents, strict=True)):
        if p.size is not None:
            size = p.size
        elif i == disk.root and plan.root_size is not None:
            size = plan.root_size
        else:
            size = guess_size(content)
        sizes.append(align_up(size))
    # Where things go is checked first: a layout error is the more basic mistake.
    extents = place(plan, sizes, disk.table.head_bytes())   # also every layout check (builders/disk/placement.py)
    for i, (content, (_, size)) in enumerate(zip(contents, extents, strict=True)):
        if content > size:
            raise too_small(plan, i, content, size)
    last_end = max(off + size for off, size in extents)
    return Placed(tuple(contents), tuple(extents), align_up(last_end + disk.table.tail_bytes()))


# ext file systems are made in place in the disk file (mke2fs -E offset=), after the
# tables and the other partitions (built as files, e.g. FAT) have been assembled.
IN_PLACE = ("ext2", "ext3", "ext4")


def make_file_systems(ctx: BuildContext, disk: Disk, placed: Placed, *, in_place: bool,
                      disk_file: Path | None = None) -> dict[int, Path]:
    """The partitions' file systems: as files in WORK (IN_PLACE false), or
    written into DISK_FILE at their offsets (IN_PLACE true)."""
    images: dict[int, Path] = {}
    for i, p in enumerate(ctx.plan.partitions):
        if (p.file_system in IN_PLACE) != in_place:
            continue
        if in_place:
            assert disk_file is not None
            make_file_system(ctx, disk, placed, i, disk_file, placed.extents[i][0])
        else:
            images[i] = ctx.work / f"partition-{i + 1}.img"
            make_file_system(ctx, disk, placed, i, images[i], 0)
    return images


def make_file_system(ctx: BuildContext, disk: Disk, placed: Placed, i: int, out: Path, offset: int) -> None:
    plan = ctx.plan
    p = plan.partitions[i]
    size = placed.extents[i][1]
    ctx.say(f"making {p.file_system} partition {i + 1} ({p.label}, {size} bytes)")
    # The Hurd's device and server nodes get their translator records (builders/boot/hurd.py).
    extra = hurd.device_node_commands(plan, disk.trees[i]) if p.initialization.device_nodes else []
    try:
        make_filesystem(p.file_system, disk.trees[i], out, size, p.label, disk.uuids[i],
                        tuple(p.file_system_options), ctx.epoch, extra_commands=extra, offset=offset)
    except ToolFailed as e:
        if any(marker in e.stderr for marker in NO_ROOM):
            if host_out_of_space(ctx.work):
                raise no_space(ctx.work.parent, OSError(errno.ENOSPC, "No space left on device")) from None
            raise too_small(plan, i, placed.contents[i], size) from None
        raise
    except ValueError as e:
        raise error_at(p.origin, f"partition {i + 1} ({p.label}): {e}") from None
    except Exception as e:  # pyfatfs reports a full file system with its own exceptions
        if type(e).__module__.startswith("pyfatfs") and "space" in str(e).lower():
            raise too_small(plan, i, placed.contents[i], size) from None
        raise


def assemble(ctx: BuildContext, disk: Disk, placed: Placed, images: dict[int, Path], raw_out: Path) -> None:
    """The disk file: the partition tables and the partitions built as files."""
    plan, table = ctx.plan, disk.table
    partitions = [
        Partition(offset=off, size=size,
                  type=gpt_type(p) if table.kind == "gpt" else mbr_type(p),
                  name=p.label if table.kind == "gpt" else "",
                  bootable="boot" in p.flags,
                  guid=partition_guid(ctx.seed, i + 1) if table.kind == "gpt" else None)
        for i, (p, (off, size)) in enumerate(zip(plan.partitions, placed.extents, strict=True))
    ]
    regions = list(table.regions(placed.disk_size, partitions))
    regions += [Chunk(off, size, images[i], f"partition {i + 1} ({plan.partitions[i].label})")
                for i, (off, size) in enumerate(placed.extents) if i in images]
    ctx.say(f"assembling {placed.disk_size}-byte disk image")
    assemble_disk(raw_out, placed.disk_size, regions)


def install_boot_code(ctx: BuildContext, boot: bootable.BootParts | None, raw_out: Path) -> None:
    """GRUB's boot sector and core image, or a board's U-Boot blobs."""
    if boot is None:
        return
    assert ctx.plan.os is not None
    ctx.say(f"installing bootloader {ctx.plan.os.bootloader.name}")
    bootable.finish(boot, raw_out)
    warn_all(boot.warnings)


# --- the tree formats: iso9660, docker, tarball, wsl2 ----------------------------------------


def iso9660_uuid(seed: bytes) -> str:
    """The ISO's "UUID" (its volume date, what blkid reports): 1970-01-01-HH-MM-SS-CC, seeded."""
    v = u32_from_seed(seed, "iso9660-uuid")
    return f"1970-01-01-{v % 24:02d}-{(v >> 5) % 60:02d}-{(v >> 11) % 60:02d}-{(v >> 17) % 100:02d}"


def iso_volume_id(plan: ImagePlan) -> str:
    """Guix: -volid <root partition label, upcased>; default GUIX_IMAGE."""
    rooti = plan.root_index
    label = plan.partitions[rooti].label if rooti is not None else ""
    return (label or "GUIX_IMAGE").upper()


def root_shell(plan: ImagePlan) -> str:
    assert plan.os is not None
    root = next((u for u in plan.os.users if u.name == "root"), None)
    return root.shell if root is not None and root.shell else "/run/current-system/profile/bin/bash"


def stage_tree(ctx: BuildContext, root_device: str | None = None, root_type: str | None = None, *,
               container: str | None = None, warnings: list[str] | None = None) -> Path:
    """The root tree an archive or ISO holds.

    CONTAINER ("own-network": docker and tarball; "shared-network": WSL, whose
    network the host sets up): with the declared system (--init shepherd, not
    the Hurd), the tree holds the system itself as the disk images do — Debian's
    packages, the accounts, the Shepherd and the boot program — without a
    kernel, and without the services a container cannot run (Guix's
    containerized-operating-system: builders/system/container.py).  What
    cannot be realized is appended to WARNINGS (--strict: an error)."""
    plan = ctx.plan
    if plan.os is None:
        raise BuildError(f"the image has no operating system to put into the {plan.format} image")
    system = container is not None and declared_system(ctx)
    os_plan = containerized(plan.os, shared_network=container == "shared-network") if system else plan.os
    # The ISO's tree gets the declared system from builders/boot/live.py: usr-merged as well.
    tree = populate_root(os_plan, ctx.trees / "root", root_device=root_device, root_type=root_type,
                         usr_merged=declared_system(ctx))
    if system:
        ctx.say(f"installing the declared system for a container ({plan.system})")
        found = bootable.install_declared_system(dataclasses.replace(plan, os=os_plan), ctx.provider,
                                                 plan.system, tree)
        if ctx.options.strict and found:
            raise BuildError("--strict: " + "; ".join(found))
        if warnings is not None:
            warnings += found
    if ctx.extra_content is not None:
        add_extra_content(tree, ctx.extra_content)
    return tree


def write_iso9660(ctx: BuildContext) -> None:
    """A live image (builders/boot/live.py): the system, kernel, initrd and GRUB for
    BIOS and UEFI El Torito boot; the root is volatile."""
    plan = ctx.plan
    uuid = iso9660_uuid(ctx.seed)
    tree = stage_tree(ctx, root_device=f"UUID={uuid}", root_type="iso9660")
    volume_id = iso_volume_id(plan)
    try:
        iso9660.check_volume_id(volume_id)
    except ValueError as e:
        rooti = plan.root_index
        raise error_at(plan.partitions[rooti].origin if rooti is not None else plan.origin, str(e)) from None
    boot = None
    if ctx.options.bootable:
        ctx.say("installing the live system, kernel, initrd and GRUB (BIOS and UEFI El Torito images)")
        boot = live.prepare_live(ctx, tree, uuid=uuid)
    ctx.say(f"writing ISO 9660 image (volume id {volume_id})")
    iso9660.make_iso9660(tree, ctx.result, epoch=ctx.epoch, volume_id=volume_id, uuid=uuid,
                         bios_boot_image=boot.bios_image if boot else None,
                         efi_boot_image=boot.efi_image if boot else None)
    warn_all(boot.warnings if boot else [])


def write_docker(ctx: BuildContext) -> None:
    """Guix's docker image: the containerized system; its entrypoint, the boot program, runs the Shepherd."""
    warnings: list[str] = []
    tree = stage_tree(ctx, container="own-network", warnings=warnings)
    system = ctx.plan.system
    ctx.say(f"writing docker archive ({system})")
    try:
        docker.make_docker_archive(
            tree, ctx.result, system=system,
            entrypoint=[f"/{SYSTEM}/boot"],
            environment=[("GUIX_NEW_SYSTEM", f"/{SYSTEM}")],
            created=ctx.epoch,
        )
    except ValueError as e:
        raise error_at(ctx.plan.origin, str(e)) from None
    warn_all(warnings)


def write_wsl2(ctx: BuildContext) -> None:
    """Guix's wsl2 image: the tarball, with what WSL needs to start the system (tarball.py)."""
    warnings: list[str] = []
    tree = stage_tree(ctx, container="shared-network", warnings=warnings)
    ctx.say("writing WSL2 tarball")
    tarball.make_wsl2_tarball(tree, ctx.result, sh_target=root_shell(ctx.plan),
                              mount_target="/run/current-system/profile/bin/mount", epoch=ctx.epoch,
                              boot=f"/{SYSTEM}/boot" if declared_system(ctx) else None)
    warn_all(warnings)


def write_tarball(ctx: BuildContext) -> None:
    """The system's tree (as docker's: the containerized system), as a tarball."""
    warnings: list[str] = []
    tree = stage_tree(ctx, container="own-network", warnings=warnings)
    ctx.say("writing tarball")
    tarball.make_tarball(tree, ctx.result, epoch=ctx.epoch)
    warn_all(warnings)


def write_raw_disk(ctx: BuildContext) -> None:
    raw = ctx.work / "disk.raw"           # tool side files (debugfs scripts) stay in WORK
    build_disk(ctx, raw)
    os.replace(raw, ctx.result)


def write_qcow2(ctx: BuildContext) -> None:
    # The raw disk is only a step on the way: it goes where the trees are staged
    # (in memory when there is room: mke2fs fills it a third faster there).
    raw = ctx.trees / "disk.raw"
    build_disk(ctx, raw)
    ctx.say(f"converting to qcow2 ({ctx.options.qcow2_compression or 'uncompressed'})")
    qcow2.convert(raw, ctx.result, compression=ctx.options.qcow2_compression)


# Image format -> its writer (each writes ctx.result).
WRITERS: dict[str, Callable[[BuildContext], None]] = {
    "disk-image": write_raw_disk,
    "compressed-qcow2": write_qcow2,
    "iso9660": write_iso9660,
    "docker": write_docker,
    "tarball": write_tarball,
    "wsl2": write_wsl2,
}
BUILT_FORMATS = tuple(WRITERS)


# --- entry point ------------------------------------------------------------------


def build_image(plan: ImagePlan, output: Path | None = None, quiet: bool = False, *,
                extra_content: Path | None = None, options: BuildOptions = DEFAULT_OPTIONS,
                inputs: tuple[Path, ...] = ()) -> Path:
    """Build PLAN's image at OUTPUT (default: the cache) and return its path.

    The build happens in a work directory next to the output, under an
    unprivileged identity when started as root (builders/sandbox.py); the
    finished image is moved into place as the last step.  A failed or
    interrupted build leaves nothing at OUTPUT: neither a partial image nor
    the image of an earlier build.  INPUTS (the configuration's files) may
    not be overwritten by the output.

    EXTRA_CONTENT (internal, for benchmarks) is a host directory added to the
    root tree as /extra; it is not part of the plan, so do not combine it with
    the cache.
    """
    if plan.format not in WRITERS:
        raise error_at(plan.origin, f"{plan.format}: unsupported image format",
                       f"pyguix writes these formats: {', '.join(BUILT_FORMATS)}")
    check_supported(plan)
    seed, stamp = plan_seed(plan), epoch()
    if output is None:
        output = default_output(plan, options)
        if output.is_file() and not output.is_symlink() and extra_content is None:
            progress.step(f"{output} already built", quiet)
            return output
    output = check_output(output, inputs, options.substitutes)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        collect_orphans(output.parent)
        work = Path(tempfile.mkdtemp(prefix=f".{output.name}.work-", dir=output.parent))
        lock = _hold(work)                # at once: another build's collect_orphans spares it then
    except OSError as e:
        raise BuildError(f"cannot write to {output.parent}: {e.strerror or e}",
                         "choose another place with -o PATH") from None
    collect_orphans(SHM, STAGE_PREFIX + "*")
    stage = staging_dir(plan)
    stage_lock = _hold(stage) if stage is not None else None
    ctx = BuildContext(plan=plan, work=work, seed=seed, epoch=stamp, options=options, quiet=quiet,
                       extra_content=extra_content, stage=stage)
    done_ok = False
    old_umask = os.umask(0o022)        # modes in the image never depend on the caller's umask
    try:
        progress.done()
        # As root, the build runs as an unprivileged identity that may write only
        # in WORK, the staging directory and the substitute cache; moving the result into place is the
        # one privileged step (builders/sandbox.py).
        writable = [work, cache_root(), *([stage] if stage is not None else [])]
        run_unprivileged(_build_into, ctx, writable=writable, tmpdir=work)
        install_result(ctx.result, output)
        done_ok = True
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            if stage is not None and e.filename and Path(os.fsdecode(e.filename)).is_relative_to(stage):
                raise BuildError(f"no space left in {SHM} (memory) for the staged file trees",
                                 f"build with {STAGING_ENV}=disk to stage them beside the output") from e
            raise no_space(output.parent, e) from e
        raise BuildError(f"building {output} failed: {e}") from e
    except ValueError as e:
        # The writers (fs/, formats/, cpio) describe content they cannot store
        # (a socket in the tree, a name FAT cannot hold...) with ValueError.
        raise BuildError(f"building {output} failed: {e}") from e
    finally:
        os.umask(old_umask)
        progress.done()
        if not done_ok:
            _remove_stale(output)
        _remove_tree(work)
        os.close(lock)
        if stage is not None and stage_lock is not None:
            _remove_tree(stage)
            os.close(stage_lock)
    return output


_REMOVALS: list[threading.Thread] = []


def remove_in_background(paths: list[Path]) -> None:
    """Remove the folders PATHS (inside the work folder) in a thread of this process;
    `_build_into` waits for it before the build ends, and removes the work folder anyway."""
    def remove() -> None:
        for path in dict.fromkeys(paths):
            if path.is_dir() and not path.is_symlink():
                _remove_tree(path)

    thread = threading.Thread(target=remove, name="remove-staged-trees", daemon=True)
    thread.start()
    _REMOVALS.append(thread)


def _build_into(ctx: BuildContext) -> None:
    """Write ctx.plan's image file at ctx.result, using ctx.work for everything
    else (in the build's own process: the substitute provider is made here)."""
    try:
        provider = default_provider(ctx.options.substitutes, release=ctx.options.debian_release)
        WRITERS[ctx.plan.format](ctx.with_provider(provider))
    finally:
        while _REMOVALS:
            _REMOVALS.pop().join()
        _return_extra_content()


# --- the output and the work directory ------------------------------------------------------


def check_output(output: str | Path, inputs: tuple[Path, ...] = (), substitutes: Path | None = None) -> Path:
    """OUTPUT as an absolute path, if an image may be written there: not a
    directory or special file, not one of the configuration's own files, not
    inside the --substitutes folder, and a trailing '/' only on a directory."""
    text = os.fspath(output)
    absolute = Path(os.path.abspath(output))
    if text.endswith("/"):
        if absolute.is_dir():
            raise BuildError(f"output {text} is a directory", "give a file name with -o, e.g. -o "
                             f"{text}image.qcow2")
        raise BuildError(f"output {text} names a directory that does not exist",
                         "give a file name with -o (without a trailing '/')")
    if absolute.is_dir():
        raise BuildError(f"output {absolute} is a directory", "give a file name with -o")
    try:
        st = absolute.lstat()
    except FileNotFoundError:
        st = None
    if st is not None and not (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
        raise BuildError(f"output {absolute} is not a regular file (a device, FIFO or socket)",
                         "give the path of a new or existing image file with -o")
    real = Path(os.path.realpath(absolute))
    for source in inputs:
        if os.path.realpath(source) == str(real):
            raise BuildError(f"output {absolute} is the configuration file {source}: it would be overwritten",
                             "write the image elsewhere with -o PATH")
    if substitutes is not None:
        folder = os.path.realpath(substitutes)
        if str(real).startswith(folder.rstrip("/") + "/"):
            raise BuildError(f"output {absolute} is inside the --substitutes folder {substitutes}",
                             "write the image elsewhere with -o PATH")
    return absolute


LOCK_NAME = ".lock"


def _hold(work: Path) -> int:
    """Lock WORK for the life of this build: `collect_orphans` of a later run
    removes only work directories whose lock nobody holds (killed builds)."""
    fd = os.open(work / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


UNLOCKED_GRACE = 60


def collect_orphans(folder: Path, pattern: str = ".*.work-*") -> list[Path]:
    """Remove the work directories that killed builds (SIGKILL, power loss) left in FOLDER
    (those PATTERN names).  A build locks its directory as soon as it has made it; one
    without a lock is an orphan only when older than UNLOCKED_GRACE seconds."""
    removed = []
    for entry in sorted(folder.glob(pattern)):
        if not entry.is_dir() or entry.is_symlink():
            continue
        try:
            fd = os.open(entry / LOCK_NAME, os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
        except FileNotFoundError:
            try:
                if time.time() - entry.lstat().st_mtime < UNLOCKED_GRACE:
                    continue              # just made by a build about to lock it
            except OSError:
                continue
            fd = None                     # killed before it took its lock
        except OSError:
            continue
        try:
            if fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue              # a build in progress
            _remove_tree(entry)
            removed.append(entry)
        finally:
            if fd is not None:
                os.close(fd)
    return removed


def _remove_stale(output: Path) -> None:
    """After a failed build: no image of an earlier build stays at OUTPUT
    (a regular file, or a link we placed; never anything else)."""
    try:
        st = output.lstat()
    except OSError:
        return
    if stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
        output.unlink(missing_ok=True)


def no_space(folder: Path, e: OSError) -> BuildError:
    """ENOSPC, naming the device and mount point that filled up."""
    device, mount = mount_of(folder)
    return BuildError(f"no space left on {device} (mounted on {mount}, holding {folder})"
                      + (f" while writing {e.filename}" if e.filename else ""),
                      "free some space, or write elsewhere with -o PATH (the work files live next to the output)")


def mount_of(path: Path) -> tuple[str, str]:
    """(device, mount point) of the file system holding PATH, from /proc/self/mounts."""
    best = ("the device", "/")
    real = os.path.realpath(path)
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as f:
            for line in f:
                fields = line.split()
                if len(fields) < 2:
                    continue
                mount = fields[1].replace("\\040", " ")
                if (real == mount or real.startswith(mount.rstrip("/") + "/")) and len(mount) >= len(best[1]):
                    best = (fields[0], mount)
    except OSError:
        pass
    return best


def host_out_of_space(folder: Path) -> bool:
    """Whether the file system holding FOLDER is (nearly) full: a tool's "no
    space" then means the host's disk, not the image's partition."""
    try:
        return shutil.disk_usage(folder).free < (4 << 20)
    except OSError:
        return False


def _remove_tree(path: Path) -> None:
    def onerror(func, p, exc_info):  # read-only directories left by a tool
        try:
            os.chmod(os.path.dirname(p), 0o700)
            func(p)
        except OSError:
            pass

    shutil.rmtree(path, onerror=onerror)
