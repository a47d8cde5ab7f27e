"""ext2/ext3/ext4 partition images with `mke2fs -d`, made reproducible.

Guix runs `fakeroot mke2fs -t FS -d ROOT -L LABEL -U UUID -E root_owner=0:0,...`
and then `e2fsck -fDy` (build-pipeline.md §3.4).  `mke2fs -d` copies atime,
mtime, ctime, uid and gid from the source inodes (research/deps.md §7), so
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
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..run import ToolFailed, run

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
) -> None:
    """Create an FS_TYPE image of SIZE bytes at OUT holding the files of TREE."""
    if fs_type not in EXT_TYPES:
        raise ValueError(f"not an ext file system: {fs_type}")
    fs_uuid = uuid or default_uuid(label, size, epoch)
    env = fake_time_env(epoch)
    if tree is not None:
        touch_tree(tree, epoch)
    out.unlink(missing_ok=True)  # stale bytes would survive mke2fs and break reproducibility
    run(mke2fs_argv(fs_type, tree, out, size, label, fs_uuid, options), env=env)
    commands = [*(fixup_commands(tree, epoch) if tree is not None else []), *extra_commands]
    if commands:
        run_debugfs(out, commands, env)
    run(["e2fsck", "-fDy", out], env=env, ok_returncodes=E2FSCK_OK)


def mke2fs_argv(
    fs_type: str, tree: Path | None, out: Path, size: int, label: str, fs_uuid: str, options: tuple[str, ...]
) -> list[str]:
    """The mke2fs command line (size rounded up to KiB, as Guix does)."""
    extended = f"root_owner=0:0,hash_seed={fs_uuid},lazy_itable_init=1,lazy_journal_init=1"
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


def walk_tree(tree: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Yield (image path, lstat) for TREE's root and every entry below it, sorted."""
    yield "/", os.lstat(tree)
    stack = [(tree, "")]
    while stack:
        directory, prefix = stack.pop()
        with os.scandir(directory) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                image_path = f"{prefix}/{entry.name}"
                st = entry.stat(follow_symlinks=False)
                yield image_path, st
                if entry.is_dir(follow_symlinks=False):
                    stack.append((Path(entry.path), image_path))


def touch_tree(tree: Path, epoch: int) -> None:
    """Set atime and mtime of TREE and everything below it (links themselves) to EPOCH.

    Bottom-up, so that listing a directory (which updates its atime) happens
    before its own times are set; mke2fs then copies these values as they are.
    """
    for dirpath, dirnames, filenames in os.walk(tree, topdown=False):
        for name in (*dirnames, *filenames):
            os.utime(os.path.join(dirpath, name), (epoch, epoch), follow_symlinks=False)
    os.utime(tree, (epoch, epoch), follow_symlinks=False)


def quote_debugfs(path: str) -> str:
    """Quote PATH for a debugfs command file (ss library: "" inside quotes is a quote)."""
    if "\n" in path or "\0" in path:
        raise ValueError(f"file name with a newline cannot be put into an ext image: {path!r}")
    return '"' + path.replace('"', '""') + '"'


def fixup_commands(tree: Path, epoch: int) -> list[str]:
    """debugfs commands giving every inode copied from TREE fixed times and root ownership.

    atime/mtime were set by `touch_tree` and copied by mke2fs; only ctime
    (which touching sets to "now") is reset, plus uid/gid where not 0.
    """
    commands = []
    for image_path, st in walk_tree(tree):
        target = quote_debugfs(image_path)
        commands.append(f"sif {target} ctime @{epoch}")
        if st.st_uid != 0:
            commands.append(f"sif {target} uid 0")
        if st.st_gid != 0:
            commands.append(f"sif {target} gid 0")
    return commands


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


def run_debugfs(image: Path, commands: Sequence[str], env: dict[str, str]) -> None:
    """Apply COMMANDS to IMAGE in a single `debugfs -w -f` run; fail on any error."""
    cmdfile = image.with_name(image.name + ".debugfs")
    cmdfile.write_text("".join(f"{c}\n" for c in commands), encoding="utf-8", errors="surrogateescape")
    try:
        proc = run(["debugfs", "-w", "-f", cmdfile, image], env=env)
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
