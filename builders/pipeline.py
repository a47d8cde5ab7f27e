"""The image build pipeline: plan -> root tree -> partition images -> disk -> format.

Everything is derived from the plan: the seed for UUIDs, serials and GUIDs
is sha256(plan.to_json()), every timestamp is the fixed epoch
(SOURCE_DATE_EPOCH, default 1).  The output appears atomically: it is
written to a temporary file next to it and renamed at the very end; the
temporary files and work directory are removed whatever happens.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import fcntl
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import layout
from .determinism import guid_from_seed, u32_from_seed
from .disk import Region, assemble_disk
from .errors import BuildError
from .plan import ImagePlan, Origin, PartitionPlan
from .tree import Tree


def _parent_dirs(rel: str) -> list[str]:
    """a/b/c -> [a, a/b]."""
    parts = rel.strip("/").split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]

BUILT_FORMATS = ("disk-image", "compressed-qcow2", "iso9660", "docker", "tarball", "wsl2")
SUFFIXES = {"disk-image": ".img", "compressed-qcow2": ".qcow2", "iso9660": ".iso", "docker": ".tar.gz",
            "tarball": ".tar.gz", "wsl2": ".tar.gz"}
FAT_TYPES = ("vfat", "fat16", "fat32")


def epoch() -> int:
    """SOURCE_DATE_EPOCH (default 1), checked against what every writer can store."""
    from .validate import check_epoch

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


def error_at(where: Origin | None, message: str, hint: str | None = None) -> Exception:
    """A ConfigError pointing at WHERE in the user's file (rendered FILE:LINE:COL with
    an excerpt by the CLI), or a BuildError when the place is unknown or unreadable."""
    if where is not None:
        from schemeconf.errors import ConfigError
        from schemeconf.source import SourceFile, Span

        try:
            source = SourceFile.from_path(Path(where.file))
        except (OSError, UnicodeDecodeError):
            source = SourceFile(where.file, "")
        return ConfigError(message, Span(source, where.line, where.col), hint)
    return BuildError(message, hint)


def human_size(n: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= factor:
            return f"{n / factor:.4g} {unit} ({n} bytes)"
    return f"{n} bytes"


def default_output(plan: ImagePlan, options: "BuildOptions | None" = None) -> Path:
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


def _say(quiet: bool, message: str) -> None:
    from .progress import step

    step(message, quiet)


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


def place(plan: ImagePlan, sizes: list[int] | None, head: int) -> list[tuple[int, int]]:
    """(offset, size) of each partition, by builders/placement.py: the rule and the
    checks --dry-run uses (offset 0 = right after the previous one; overlaps with the
    table, GRUB's core.img area, U-Boot blobs and other partitions; MBR limits), which
    raise a located error.  SIZES None: the declared sizes, before the content is
    measured, exactly what --dry-run checks (the offsets returned may be None).

    With SIZES, a U-Boot blob's size is its raw write's SIZE, else the file's as
    resolved by this build (builders/boards.py); --dry-run does not know it."""
    from .boards import blob_extent
    from .placement import place_regions

    blobs = ([blob_extent(plan, w) for w in plan.os.bootloader.raw_writes]
             if plan.os is not None and sizes is not None else None)
    placement = place_regions(plan, sizes, blob_sizes=blobs)
    assert placement.regions[0].end == head, (placement.regions[0], head)   # the table ptable writes
    return [(r.start, r.size) for r in placement.partitions]  # type: ignore[misc]


def check_supported(plan: ImagePlan) -> None:
    """File systems we can make (Guix also knows btrfs, f2fs and swap)."""
    from .fs import supported_filesystems

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
            from .fs.ext import MKE2FS_OPTIONS, check_mke2fs_options

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


@dataclass(frozen=True)
class BuildOptions:
    """How to build, beyond the plan: where substitutes come from, and
    whether what cannot be realized is an error (--strict)."""

    substitutes: Path | None = None
    strict: bool = False
    bootable: bool = True        # False: the file-system layout only (tests of the layout)
    qcow2_compression: str | None = "zstd"   # "zstd" (Guix today), "zlib", or None


def build_disk(plan: ImagePlan, work: Path, raw_out: Path, seed: bytes, stamp: int, quiet: bool,
               extra_content: Path | None = None, options: BuildOptions = BuildOptions()) -> None:
    from .fs import content_size, make_filesystem
    from .hurd import device_node_commands as hurd_device_node_commands
    from .run import ToolFailed
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
    place(plan, None, head)   # layout errors before any work, as --dry-run finds them

    trees: list[Path] = []
    for i, p in enumerate(plan.partitions):
        tree = work / f"tree-{i + 1}"
        if i == rooti:
            populate_root(plan.os, tree, root_device=f"UUID={uuids[i]}", root_type=p.file_system)
            if extra_content is not None:
                add_extra_content(tree, extra_content)
        else:
            tree.mkdir()
            os.chmod(tree, 0o755)
        trees.append(tree)

    boot = None
    if options.bootable and rooti is not None:
        from . import bootable

        esp_index = next((i for i, p in enumerate(plan.partitions) if p.is_esp), None)
        _say(quiet, "installing the system, kernel, initrd and bootloader configuration")
        boot = bootable.prepare(plan, trees[rooti], work, root_uuid=uuids[rooti], root_index=rooti + 1,
                                has_esp=esp_index is not None, substitutes=options.substitutes,
                                strict=options.strict, stamp=stamp)
        if esp_index is not None:
            esp = Tree(trees[esp_index])
            for rel, source in sorted(boot.esp_files.items()):
                for d in _parent_dirs(rel):
                    esp.mkdir(d, 0o755)
                esp.copy_in(rel, source, 0o644)

    sizes: list[int] = []
    contents: list[int] = []
    for i, p in enumerate(plan.partitions):
        content = content_size(trees[i])
        contents.append(content)
        if p.size is not None:
            size = p.size
        elif i == rooti and plan.root_size is not None:
            size = plan.root_size
        else:
            size = layout.guess_size(content)
        sizes.append(layout.align_up(size))

    # Where things go is checked first: a layout error is the more basic mistake.
    placed = place(plan, sizes, head)   # also every layout check (builders/placement.py)
    for i, (content, (_, size)) in enumerate(zip(contents, placed)):
        if content > size:
            raise too_small(plan, i, content, size)

    # ext file systems are made in place in the disk file (mke2fs -E offset=), after the
    # tables and the other partitions (built as files, e.g. FAT) have been assembled.
    in_place = {i for i, p in enumerate(plan.partitions) if p.file_system in ("ext2", "ext3", "ext4")}
    images: dict[int, Path] = {}

    def make(i: int, out: Path, offset: int) -> None:
        p = plan.partitions[i]
        _say(quiet, f"making {p.file_system} partition {i + 1} ({p.label}, {placed[i][1]} bytes)")
        # The Hurd's device and server nodes get their translator records (builders/hurd.py).
        extra = hurd_device_node_commands(plan, trees[i]) if i == rooti else []
        try:
            make_filesystem(p.file_system, trees[i], out, placed[i][1], p.label, uuids[i],
                            tuple(p.file_system_options), stamp, extra_commands=extra, offset=offset)
        except ToolFailed as e:
            if any(marker in e.stderr for marker in NO_ROOM):
                if host_out_of_space(work):
                    raise no_space(work.parent, OSError(errno.ENOSPC, "No space left on device")) from None
                raise too_small(plan, i, contents[i], placed[i][1]) from None
            raise
        except ValueError as e:
            raise error_at(p.origin, f"partition {i + 1} ({p.label}): {e}") from None
        except Exception as e:  # pyfatfs reports a full file system with its own exceptions
            if type(e).__module__.startswith("pyfatfs") and "space" in str(e).lower():
                raise too_small(plan, i, contents[i], placed[i][1]) from None
            raise

    for i in range(len(plan.partitions)):
        if i not in in_place:
            images[i] = work / f"partition-{i + 1}.img"
            make(i, images[i], 0)

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
                for i, (off, size) in enumerate(placed) if i in images]
    _say(quiet, f"assembling {disk_size}-byte disk image")
    assemble_disk(raw_out, disk_size, regions)
    for i in sorted(in_place):
        make(i, raw_out, placed[i][0])
    if boot is not None:
        _say(quiet, f"installing bootloader {plan.os.bootloader.name}")
        from . import bootable

        bootable.finish(boot, raw_out)
        for warning in boot.warnings:  # after success, so that errors come first and alone
            print(f"pyguix: warning: {warning}", file=sys.stderr, flush=True)


def iso9660_uuid(seed: bytes) -> str:
    """The ISO's "UUID" (its volume date, what blkid reports): 1970-01-01-HH-MM-SS-CC, seeded."""
    v = u32_from_seed(seed, "iso9660-uuid")
    return f"1970-01-01-{v % 24:02d}-{(v >> 5) % 60:02d}-{(v >> 11) % 60:02d}-{(v >> 17) % 100:02d}"


def iso_volume_id(plan: ImagePlan) -> str:
    """Guix: -volid <root partition label, upcased>; default GUIX_IMAGE."""
    rooti = root_index(plan)
    label = plan.partitions[rooti].label if rooti is not None else ""
    return (label or "GUIX_IMAGE").upper()


def root_shell(plan: ImagePlan) -> str:
    assert plan.os is not None
    root = next((u for u in plan.os.users if u.name == "root"), None)
    return root.shell if root is not None and root.shell else "/run/current-system/profile/bin/bash"


def build_tree_format(plan: ImagePlan, work: Path, out: Path, seed: bytes, stamp: int, quiet: bool,
                      extra_content: Path | None = None, options: BuildOptions = BuildOptions()) -> None:
    """iso9660, docker, tarball and wsl2: the root tree, archived.

    iso9660 is a live image (builders/live.py): the system, kernel, initrd and
    GRUB for BIOS and UEFI El Torito boot; the root is volatile."""
    from .rootfs import populate_root

    if plan.os is None:
        raise BuildError(f"the image has no operating system to put into the {plan.format} image")
    if plan.format == "iso9660":
        uuid = iso9660_uuid(seed)
        tree = populate_root(plan.os, work / "root", root_device=f"UUID={uuid}", root_type="iso9660")
    else:
        tree = populate_root(plan.os, work / "root")
    if extra_content is not None:
        add_extra_content(tree, extra_content)
    if plan.format == "iso9660":
        from .formats.iso9660 import check_volume_id, make_iso9660

        volume_id = iso_volume_id(plan)
        try:
            check_volume_id(volume_id)
        except ValueError as e:
            rooti = root_index(plan)
            raise error_at(plan.partitions[rooti].origin if rooti is not None else plan.origin, str(e)) from None
        live = None
        if options.bootable:
            from .live import prepare_live

            _say(quiet, "installing the live system, kernel, initrd and GRUB (BIOS and UEFI El Torito images)")
            live = prepare_live(plan, tree, work, uuid=uuid, seed=seed, stamp=stamp,
                                substitutes=options.substitutes, strict=options.strict)
        _say(quiet, f"writing ISO 9660 image (volume id {volume_id})")
        make_iso9660(tree, out, epoch=stamp, volume_id=volume_id, uuid=uuid,
                     bios_boot_image=live.bios_image if live else None,
                     efi_boot_image=live.efi_image if live else None)
        for warning in live.warnings if live else ():  # after success, as for disk images
            print(f"pyguix: warning: {warning}", file=sys.stderr, flush=True)
    elif plan.format == "docker":
        from .bootable import target_system
        from .formats.docker import make_docker_archive

        system = target_system(plan)
        _say(quiet, f"writing docker archive ({system})")
        try:
            make_docker_archive(
                tree, out, system=system,
                entrypoint=["/var/guix/profiles/system/boot"],
                environment=[("GUIX_NEW_SYSTEM", "/var/guix/profiles/system")],
                created=stamp,
            )
        except ValueError as e:
            raise error_at(plan.origin, str(e)) from None
    elif plan.format == "wsl2":
        from .formats.tarball import make_wsl2_tarball

        _say(quiet, "writing WSL2 tarball")
        make_wsl2_tarball(tree, out, sh_target=root_shell(plan),
                          mount_target="/run/current-system/profile/bin/mount", epoch=stamp)
    else:
        from .formats.tarball import make_tarball

        _say(quiet, "writing tarball")
        make_tarball(tree, out, epoch=stamp)


# --- entry point ------------------------------------------------------------------


def build_image(plan: ImagePlan, output: Path | None = None, quiet: bool = False, *,
                extra_content: Path | None = None, options: BuildOptions = BuildOptions(),
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
    if plan.format not in BUILT_FORMATS:
        raise error_at(plan.origin, f"{plan.format}: unsupported image format",
                       f"pyguix writes these formats: {', '.join(BUILT_FORMATS)}")
    check_supported(plan)
    seed = plan_seed(plan)
    stamp = epoch()
    if output is None:
        output = default_output(plan, options)
        if output.is_file() and not output.is_symlink() and extra_content is None:
            _say(quiet, f"{output} already built")
            return output
    output = check_output(output, inputs, options.substitutes)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        collect_orphans(output.parent)
        work = Path(tempfile.mkdtemp(prefix=f".{output.name}.work-", dir=output.parent))
    except OSError as e:
        raise BuildError(f"cannot write to {output.parent}: {e.strerror or e}",
                         "choose another place with -o PATH") from None
    lock = _hold(work)
    result = work / "image"
    done_ok = False
    old_umask = os.umask(0o022)        # modes in the image never depend on the caller's umask
    try:
        from .progress import done
        from .sandbox import install_result, run_unprivileged
        from .substitutes.provider import cache_root

        done()
        # As root, the build runs as an unprivileged identity that may write only
        # in WORK and the substitute cache; moving the result into place is the
        # one privileged step (builders/sandbox.py).
        run_unprivileged(_build_into, plan, work, result, seed, stamp, quiet, extra_content, options,
                         writable=[work, cache_root()], tmpdir=work)
        install_result(result, output)
        done_ok = True
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise no_space(output.parent, e) from e
        raise BuildError(f"building {output} failed: {e}") from e
    except ValueError as e:
        # The writers (fs/, formats/, cpio) describe content they cannot store
        # (a socket in the tree, a name FAT cannot hold...) with ValueError.
        raise BuildError(f"building {output} failed: {e}") from e
    finally:
        from .progress import done

        os.umask(old_umask)
        done()
        if not done_ok:
            _remove_stale(output)
        _remove_tree(work)
        os.close(lock)
    return output


def _build_into(plan: ImagePlan, work: Path, result: Path, seed: bytes, stamp: int, quiet: bool,
                extra_content: Path | None, options: BuildOptions) -> None:
    """Build PLAN's image file at RESULT, using WORK for everything else."""
    try:
        _build_format(plan, work, result, seed, stamp, quiet, extra_content, options)
    finally:
        _return_extra_content()


def _build_format(plan: ImagePlan, work: Path, result: Path, seed: bytes, stamp: int, quiet: bool,
                  extra_content: Path | None, options: BuildOptions) -> None:
    if plan.format == "compressed-qcow2":
        raw = work / "disk.raw"
        build_disk(plan, work, raw, seed, stamp, quiet, extra_content, options)
        _say(quiet, f"converting to qcow2 ({options.qcow2_compression or 'uncompressed'})")
        from .formats.qcow2 import convert

        convert(raw, result, compression=options.qcow2_compression)
    elif plan.format == "disk-image":
        raw = work / "disk.raw"           # tool side files (debugfs scripts) stay in WORK
        build_disk(plan, work, raw, seed, stamp, quiet, extra_content, options)
        os.replace(raw, result)
    else:
        build_tree_format(plan, work, result, seed, stamp, quiet, extra_content, options)


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


def collect_orphans(folder: Path) -> list[Path]:
    """Remove the work directories that killed builds (SIGKILL, power loss) left in FOLDER."""
    removed = []
    for entry in sorted(folder.glob(".*.work-*")):
        if not entry.is_dir() or entry.is_symlink():
            continue
        try:
            fd = os.open(entry / LOCK_NAME, os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
        except FileNotFoundError:
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
