"""ext2/ext3/ext4 partition images with `mke2fs -d`, made reproducible.

Guix runs `fakeroot mke2fs -t FS -d ROOT -L LABEL -U UUID -E root_owner=0:0,...`
and then `e2fsck -fDy` (Guix's make-ext-image).  `mke2fs -d` copies atime,
mtime, ctime, uid and gid from the source inodes (measured: e2fsprogs 1.47), so
without fakeroot or root the image would hold the builder's uid and the
build time.  We therefore:

1. touch every tree entry to EPOCH just before running mke2fs;
2. run mke2fs, debugfs and e2fsck with E2FSPROGS_FAKE_TIME=EPOCH (and
   E2FSCK_TIME) so that superblock and new-inode times are fixed, and pass
   a fixed `-U` plus `-E hash_seed=` (directory hashes);
3. run ONE `debugfs -w -f CMDFILE` that sets the ctime of every inode
   copied from the tree to EPOCH and its uid/gid to 0, followed by the
   caller's EXTRA_COMMANDS (e.g. `mknod` for the Hurd's /dev nodes);
4. run `e2fsck -fDy` as current Guix does (exit codes 0 and 1 mean success).
"""

from __future__ import annotations

import math
import os
import uuid as uuidlib
from collections.abc import Sequence
from pathlib import Path

from builders.run import ToolFailed, run

EXT_TYPES = ("ext2", "ext3", "ext4")
# e2fsck: 0 = no errors, 1 = errors corrected (e.g. directories optimised by -D).
E2FSCK_OK = (0, 1)


def make_ext(
    fs_type: str,
    tree: Path | None,
    out: Path,
    size: int,
    label: str,
    uuid: str | None,
    options: tuple[str, ...],
    epoch: int,
    *,
    extra_commands: Sequence[str] = (),
    offset: int = 0,
) -> None:
    """Create an FS_TYPE image of SIZE bytes at OUT holding the files of TREE.

    With OFFSET, the file system is made in place, at that byte offset of
    the existing file OUT (a disk image whose range is still a hole), with
    mke2fs `-E offset=` and the `FILE?offset=` syntax of debugfs/e2fsck:
    no partition image to copy afterwards.
    """
    if fs_type not in EXT_TYPES:
        raise ValueError(f"not an ext file system: {fs_type}")
    fs_uuid = uuid or default_uuid(label, size, epoch)
    env = fake_time_env(epoch)
    owners = touch_tree(tree, epoch) if tree is not None else False
    if not offset:
        out.unlink(missing_ok=True)  # stale bytes would survive mke2fs and break reproducibility
    run(mke2fs_argv(fs_type, tree, out, size, label, fs_uuid, options, offset), env=env)
    device = f"{os.fspath(out)}?offset={offset}" if offset else os.fspath(out)
    commands = [*(fixup_commands(out, offset, epoch, owners=owners) if tree is not None else []), *extra_commands]
    if commands:
        run_debugfs(out, commands, env, device=device)
    run(["e2fsck", "-fDy", device], env=env, ok_returncodes=E2FSCK_OK)
    clear_lifetime_writes(out, offset)


# Superblock (at byte 1024 of the file system) fields, ext4 layout.
SUPERBLOCK = 1024
S_MAGIC = 0x38                      # __le16, 0xEF53
S_FEATURE_RO_COMPAT = 0x64          # __le32
S_KBYTES_WRITTEN = 0x178            # __le64
S_CHECKSUM = 0x3FC                  # __le32, crc32c of the bytes before it (metadata_csum)
RO_COMPAT_METADATA_CSUM = 0x400


def clear_lifetime_writes(image: Path, offset: int = 0) -> None:
    """Zero s_kbytes_written ("Lifetime writes") in the primary superblock.

    The tools add the kilobytes each run wrote, and that depends on how much
    fix-up work debugfs had (an unprivileged build also resets uid/gid), so
    the counter would differ between root and an ordinary user.  The
    superblock checksum is recomputed when metadata_csum is on.
    """
    with open(image, "r+b") as f:
        f.seek(offset + SUPERBLOCK)
        sb = bytearray(f.read(1024))
        if len(sb) < 1024 or sb[S_MAGIC:S_MAGIC + 2] != b"\x53\xef":
            return
        if sb[S_KBYTES_WRITTEN:S_KBYTES_WRITTEN + 8] == bytes(8):
            return
        sb[S_KBYTES_WRITTEN:S_KBYTES_WRITTEN + 8] = bytes(8)
        ro_compat = int.from_bytes(sb[S_FEATURE_RO_COMPAT:S_FEATURE_RO_COMPAT + 4], "little")
        if ro_compat & RO_COMPAT_METADATA_CSUM:
            sb[S_CHECKSUM:S_CHECKSUM + 4] = crc32c_raw(bytes(sb[:S_CHECKSUM])).to_bytes(4, "little")
        f.seek(offset + SUPERBLOCK)
        f.write(sb)


def _crc32c_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c_raw(data: bytes, crc: int = 0xFFFFFFFF) -> int:
    """CRC-32C as ext4 uses it: seed ~0, no final inversion."""
    table = _CRC32C
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


# mke2fs options a partition's file-system-options may give: those that shape
# the file system.  Anything else -- `-d DIR` (copy a host directory in), `-z
# FILE` (write an undo file anywhere), `-l FILE` (read a host file), `-E
# root_owner=`/`offset=`, `-U`, `-L`, `-F`... -- is pyguix's to set, never the
# configuration's.  Values: a regular expression each option's argument must match.
MKE2FS_OPTIONS: dict[str, str | None] = {
    "-O": r"\^?[a-z0-9_]+(,\^?[a-z0-9_]+)*",      # features: -O ext_attr,^has_journal
    "-o": r"(linux|hurd|GNU|freebsd|lites)",      # creator OS (Guix's Hurd images: -o hurd)
    "-b": r"(1024|2048|4096|8192|16384|32768|65536)",
    "-I": r"[0-9]{3,5}",                          # inode size
    "-i": r"[0-9]{3,9}",                          # bytes per inode
    "-N": r"[0-9]{1,10}",                         # number of inodes
    "-m": r"[0-9]{1,2}(\.[0-9]+)?",               # reserved blocks percentage
    "-g": r"[0-9]{1,9}",                          # blocks per group
    "-G": r"[0-9]{1,6}",                          # groups per flex group
    "-C": r"[0-9]{1,10}[kmgKMG]?",                # cluster size
    "-T": r"[a-z0-9_,]+",                         # usage types (mke2fs.conf)
    "-r": r"[01]",                                # revision
    "-e": r"(continue|remount-ro|panic)",         # errors behaviour
    "-J": r"size=[0-9]{1,7}",                     # journal size (no external journal device)
    "-j": None,                                   # with a journal
    "-M": r"/[A-Za-z0-9_./-]{0,63}",              # last mounted directory (recorded, not used)
    "-E": r"(stride|stripe[-_]width|resize|packed_meta_blocks|num_backup_sb|lazy_itable_init|"
          r"lazy_journal_init|discard|nodiscard|quotatype|encoding|encoding_flags|assume_storage_prezeroed)"
          r"(=[A-Za-z0-9_:.-]+)?(,(stride|stripe[-_]width|resize|packed_meta_blocks|num_backup_sb|"
          r"lazy_itable_init|lazy_journal_init|discard|nodiscard|quotatype|encoding|encoding_flags|"
          r"assume_storage_prezeroed)(=[A-Za-z0-9_:.-]+)?)*",
}


def check_mke2fs_options(options: Sequence[object]) -> str | None:
    """None if OPTIONS (a partition's file-system-options) only shape the file
    system; else what is wrong, for the error message."""
    import re

    items = list(options)
    i = 0
    while i < len(items):
        option = items[i]
        if not isinstance(option, str):
            return f"file-system option {option!r} is not a string"
        if option not in MKE2FS_OPTIONS:
            allowed = " ".join(sorted(MKE2FS_OPTIONS))
            return f"mke2fs option {option!r} is not allowed in file-system-options (allowed: {allowed})"
        pattern = MKE2FS_OPTIONS[option]
        if pattern is not None:
            value = items[i + 1] if i + 1 < len(items) else None
            if not isinstance(value, str):
                return f"mke2fs option {option} needs a value"
            if not re.fullmatch(pattern, value):
                return f"value {value!r} of mke2fs option {option} is not allowed"
            i += 1
        i += 1
    return None


def mke2fs_argv(
    fs_type: str, tree: Path | None, out: Path, size: int, label: str, fs_uuid: str, options: tuple[str, ...],
    offset: int = 0,
) -> list[str]:
    """The mke2fs command line (size rounded up to KiB, as Guix does)."""
    problem = check_mke2fs_options(options)
    if problem is not None:
        raise ValueError(problem)
    extended = f"root_owner=0:0,hash_seed={fs_uuid},lazy_itable_init=1,lazy_journal_init=1"
    if offset:
        extended += f",offset={offset}"
    argv = [
        "mke2fs",
        "-t", fs_type,
        *(["-d", os.fspath(tree)] if tree is not None else []),
        "-L", label,
        "-U", fs_uuid,
        "-E", extended,
        *options,
        "-F", os.fspath(out),
        f"{math.ceil(size / 1024)}k",
    ]  # fmt: skip
    return argv


def fake_time_env(epoch: int) -> dict[str, str]:
    """Environment pinning the clock of e2fsprogs tools to EPOCH."""
    return {
        "E2FSPROGS_FAKE_TIME": str(epoch),
        "E2FSCK_TIME": str(epoch),
        "SOURCE_DATE_EPOCH": str(epoch),
    }


def default_uuid(label: str, size: int, epoch: int) -> str:
    """A stable UUID for callers that pass none (mke2fs would pick a random one)."""
    return str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, f"pyguix:ext:{label}:{size}:{epoch}"))


def touch_tree(tree: Path, epoch: int) -> bool:
    """Set atime and mtime of TREE and everything below it (links themselves) to EPOCH;
    return whether any of them is owned by another user or group than root.

    Bottom-up, so that listing a directory (which updates its atime) happens
    before its own times are set; mke2fs then copies these values as they are.
    """
    owners = False
    for dirpath, dirnames, filenames in os.walk(tree, topdown=False):
        for name in (*dirnames, *filenames):
            path = os.path.join(dirpath, name)
            os.utime(path, (epoch, epoch), follow_symlinks=False)
            if not owners:
                st = os.lstat(path)
                owners = st.st_uid != 0 or st.st_gid != 0
    os.utime(tree, (epoch, epoch), follow_symlinks=False)
    st = os.lstat(tree)
    return owners or st.st_uid != 0 or st.st_gid != 0


def quote_debugfs(path: str) -> str:
    """Quote PATH for a debugfs command file (ss library: "" inside quotes is a quote)."""
    if "\n" in path or "\0" in path:
        raise ValueError(f"file name with a newline cannot be put into an ext image: {path!r}")
    return '"' + path.replace('"', '""') + '"'


def fixup_commands(image: Path, offset: int, epoch: int, *, owners: bool) -> list[str]:
    """debugfs commands giving every inode copied from the tree fixed times (and,
    with OWNERS, root ownership).

    atime/mtime were set by `touch_tree` and copied by mke2fs; ctime (which
    touching sets to "now") is reset, and atime again: resolving a path through
    a link after `touch_tree` (the build does, e.g. the loader's /lib64 link)
    updates the link's atime (relatime), and mke2fs copies that moment.  The
    inodes are named by number (`<N>`), all those in use: the root directory
    and every one from the first ordinary inode on (lost+found, made by mke2fs
    at the fixed time, and the tree's).  debugfs finds an inode by number at
    once, and by path only through every directory above it (6x slower).
    """
    commands = []
    for ino in used_inodes(image, offset):
        commands.append(f"sif <{ino}> ctime @{epoch}")
        commands.append(f"sif <{ino}> atime @{epoch}")
        if owners:
            commands.append(f"sif <{ino}> uid 0")
            commands.append(f"sif <{ino}> gid 0")
    return commands


# Superblock fields (offsets in the superblock) and group descriptor fields, ext2/3/4.
S_BLOCKS_COUNT_LO = 0x04            # __le32
S_FIRST_DATA_BLOCK = 0x14           # __le32
S_LOG_BLOCK_SIZE = 0x18             # __le32: block size = 1024 << it
S_BLOCKS_PER_GROUP = 0x20           # __le32
S_INODES_PER_GROUP = 0x28           # __le32
S_FIRST_INO = 0x54                  # __le32: the first ordinary inode (11)
S_FEATURE_INCOMPAT = 0x60           # __le32
S_DESC_SIZE = 0xFE                  # __le16, with the 64bit feature
S_BLOCKS_COUNT_HI = 0x150           # __le32, with the 64bit feature
INCOMPAT_64BIT = 0x80
BG_INODE_BITMAP_LO, BG_INODE_BITMAP_HI = 0x04, 0x24
BG_FLAGS = 0x12                     # __le16
BG_INODE_UNINIT = 0x1               # the group's inode bitmap and table are not in use yet
ROOT_INO = 2


def used_inodes(image: Path, offset: int = 0) -> list[int]:
    """The root directory's inode and every ordinary inode in use in the ext file
    system at OFFSET of IMAGE, read from the group descriptors and inode bitmaps."""
    def u16(b: bytes, at: int) -> int:
        return int.from_bytes(b[at:at + 2], "little")

    def u32(b: bytes, at: int) -> int:
        return int.from_bytes(b[at:at + 4], "little")

    with open(image, "rb") as f:
        f.seek(offset + SUPERBLOCK)
        sb = f.read(1024)
        if len(sb) < 1024 or sb[S_MAGIC:S_MAGIC + 2] != b"\x53\xef":
            raise ValueError(f"{image} (offset {offset}): not an ext file system")
        block = 1024 << u32(sb, S_LOG_BLOCK_SIZE)
        first_data, per_group = u32(sb, S_FIRST_DATA_BLOCK), u32(sb, S_BLOCKS_PER_GROUP)
        ipg = u32(sb, S_INODES_PER_GROUP)
        wide = u32(sb, S_FEATURE_INCOMPAT) & INCOMPAT_64BIT
        blocks = u32(sb, S_BLOCKS_COUNT_LO) | (u32(sb, S_BLOCKS_COUNT_HI) << 32 if wide else 0)
        desc_size = max(32, u16(sb, S_DESC_SIZE)) if wide else 32
        groups = -(-(blocks - first_data) // per_group)
        f.seek(offset + (first_data + 1) * block)
        table = f.read(groups * desc_size)
        used = [ROOT_INO]
        first_ino = u32(sb, S_FIRST_INO)
        for g in range(groups):
            desc = table[g * desc_size:(g + 1) * desc_size]
            if u16(desc, BG_FLAGS) & BG_INODE_UNINIT:
                continue
            bitmap_block = u32(desc, BG_INODE_BITMAP_LO)
            if desc_size >= 64:
                bitmap_block |= u32(desc, BG_INODE_BITMAP_HI) << 32
            f.seek(offset + bitmap_block * block)
            bits = int.from_bytes(f.read(ipg // 8), "little")
            base = g * ipg + 1
            while bits:
                low = bits & -bits
                ino = base + low.bit_length() - 1
                if ino >= first_ino:
                    used.append(ino)
                bits ^= low
    return used


def mknod_commands(path: str, kind: str, major: int, minor: int, mode: int = 0o600) -> list[str]:
    """debugfs commands creating device node PATH (KIND "c" or "b") owned by root.

    debugfs's `mknod` takes a bare name in the current directory (given a
    path, it creates an entry literally named "/dev/null"), and leaves the
    permission bits at 0, so we `cd`, `mknod`, `sif mode` and `cd /` back.
    The parent directory must already exist (in the tree or via `mkdir`).
    """
    if kind not in ("c", "b"):
        raise ValueError(f"device node kind must be 'c' or 'b', not {kind!r}")
    parent, _, name = path.rstrip("/").rpartition("/")
    type_bits = 0o020000 if kind == "c" else 0o060000
    return [
        f"cd {quote_debugfs(parent or '/')}",
        f"mknod {quote_debugfs(name)} {kind} {major} {minor}",
        f"sif {quote_debugfs(name)} mode 0{type_bits | (mode & 0o7777):o}",
        "cd /",
    ]


def run_debugfs(image: Path, commands: Sequence[str], env: dict[str, str], device: str | None = None) -> None:
    """Apply COMMANDS to IMAGE (DEVICE: IMAGE?offset=N) in a single `debugfs -w -f` run; fail on any error."""
    cmdfile = image.with_name(image.name + ".debugfs")
    cmdfile.write_text("".join(f"{c}\n" for c in commands), encoding="utf-8", errors="surrogateescape")
    try:
        proc = run(["debugfs", "-w", "-f", cmdfile, device or image], env=env)
    finally:
        cmdfile.unlink(missing_ok=True)
    check_debugfs_output(proc.stderr.decode("utf-8", "replace"), ["debugfs", "-w", "-f", os.fspath(cmdfile)])


def check_debugfs_output(stderr: str, argv: list[str]) -> None:
    """debugfs exits 0 even when a command fails; look for its error lines instead."""
    errors = [
        line
        for line in stderr.splitlines()
        if line.strip() and not line.startswith("debugfs ") and not line.startswith("debugfs:")
    ]
    if errors:
        raise ToolFailed(argv, 0, "\n".join(errors))
