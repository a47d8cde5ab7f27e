"""Debian packages merged into the image's root tree, as dpkg would unpack them.

`merge_packages(image_root, package_dirs)` copies each extracted package
(builders/substitutes: one directory per .deb, read-only, shared by builds)
into the root tree, in the given order (a later package wins a path both
ship, as the later-unpacked one does with dpkg --force-overwrite).  Debian
13 is usr-merged: base-files ships /bin, /sbin, /lib and /lib64 as links
into /usr, and a package that still ships files under /bin gets them in
/usr/bin, as dpkg's aliasing gives them.

Containment: every directory is opened with O_NOFOLLOW relative to its
parent's descriptor and every file is created with O_EXCL|O_NOFOLLOW, so a
link a package ships (or one already in the tree) is never written through,
and nothing lands outside the image.  Devices, FIFOs and sockets in a
package are refused.

`alternatives(image_root, package_dirs)` makes the links that maintainer
scripts make with `update-alternatives --install` (awk -> mawk, ...): read
from each package's postinst, highest priority first, no script run.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from builders.errors import BuildError

# Top-level directories that are links into /usr in a usr-merged system.
USR_MERGED = {"bin": "usr/bin", "sbin": "usr/sbin", "lib": "usr/lib", "lib64": "usr/lib64"}
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


@contextmanager
def _opendir(path: str | os.PathLike[str], dir_fd: int | None = None) -> Iterator[int]:
    fd = os.open(path, _DIR_FLAGS, dir_fd=dir_fd)
    try:
        yield fd
    finally:
        os.close(fd)


def _subdir(parent: int, name: str, mode: int) -> int | None:
    """The directory NAME under PARENT, made if missing; None when a non-directory is there."""
    try:
        os.mkdir(name, 0o700, dir_fd=parent)
        os.chmod(name, mode, dir_fd=parent)
    except FileExistsError:
        st = os.lstat(name, dir_fd=parent)
        if not stat.S_ISDIR(st.st_mode):
            return None
    return os.open(name, _DIR_FLAGS, dir_fd=parent)


def _clear(parent: int, name: str) -> None:
    try:
        st = os.lstat(name, dir_fd=parent)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        raise BuildError(f"two packages disagree: {name} is a directory in one and a file in another")
    os.unlink(name, dir_fd=parent)


def _copy_file(src_dir: int, dst_dir: int, name: str, *, keep: bool) -> bool:
    """Copy the regular file NAME of SRC_DIR into DST_DIR with its permissions; False when
    KEEP and DST_DIR has NAME already.  The destination is made anew (O_EXCL): what was
    there is removed first, never written through."""
    src = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=src_dir)
    try:
        st = os.fstat(src)
        try:
            out = os.open(name, _NEW_FILE, 0o600, dir_fd=dst_dir)
        except FileExistsError:
            if keep:
                return False
            _clear(dst_dir, name)
            out = os.open(name, _NEW_FILE, 0o600, dir_fd=dst_dir)
        try:
            _copy_data(src, out, st.st_size)
            os.fchmod(out, stat.S_IMODE(st.st_mode))
        finally:
            os.close(out)
    finally:
        os.close(src)
    return True


def _copy_data(src: int, out: int, size: int) -> None:
    """SIZE bytes from SRC to OUT: copy_file_range, or plain reads and writes where it cannot
    cross file systems (the cache on disk, the build's tree on a tmpfs) or the kernel lacks it."""
    copied = 0
    try:
        while copied < size:
            n = os.copy_file_range(src, out, size - copied)
            if n == 0:
                return
            copied += n
        return
    except OSError as e:
        if e.errno not in (errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL):
            raise
    while chunk := os.read(src, 1 << 20):     # both offsets are where copy_file_range left them
        view = memoryview(chunk)
        while view:
            view = view[os.write(out, view):]


def _exists(parent: int, name: str) -> bool:
    try:
        os.lstat(name, dir_fd=parent)
    except FileNotFoundError:
        return False
    return True


LeaveOut = Callable[[str, bool], bool]        # (image path, is a directory) -> leave it out


def _merge_dir(src_dir: int, dst_dir: int, where: str, skipped: list[str], keep: bool,
               leave_out: LeaveOut | None) -> int:
    """Copy the entries of SRC_DIR into DST_DIR; returns the number of files and links copied.
    KEEP: a file or link already in DST_DIR stays (the configuration's own files win).
    LEAVE_OUT: what is not copied (builders/system/slim.py).
    At the top (WHERE is ""), a package's /bin, /sbin, /lib and /lib64 directories go into
    /usr, as dpkg's aliasing puts them on a usr-merged system."""
    count = 0
    with os.scandir(src_dir) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    for entry in entries:           # the entry's type comes with the listing: no lstat for it
        name = entry.name
        here = f"{where}/{name}"
        is_dir = entry.is_dir(follow_symlinks=False)
        if leave_out is not None and leave_out(here, is_dir):
            continue
        if is_dir:
            mode = stat.S_IMODE(entry.stat(follow_symlinks=False).st_mode)
            merged = USR_MERGED.get(name) if not where else None
            if merged is not None:
                here = f"/{merged}"
                usr = _subdir(dst_dir, "usr", 0o755)
                assert usr is not None
                try:
                    sub = _subdir(usr, merged.split("/")[1], mode)
                finally:
                    os.close(usr)
            else:
                sub = _subdir(dst_dir, name, mode)
            if sub is None:  # the tree has a link or file there: never write through it
                skipped.append(f"{where}/{name}")
                continue
            try:
                with _opendir(name, src_dir) as s:
                    count += _merge_dir(s, sub, here, skipped, keep, leave_out)
            finally:
                os.close(sub)
        elif entry.is_symlink():
            if keep and _exists(dst_dir, name):
                continue
            _clear(dst_dir, name)
            os.symlink(os.readlink(name, dir_fd=src_dir), name, dir_fd=dst_dir)
            count += 1
        elif entry.is_file(follow_symlinks=False):
            count += _copy_file(src_dir, dst_dir, name, keep=keep)
        else:
            raise BuildError(f"package file {here}: not a regular file, directory or link; refusing it")
    return count


def merge_packages(image_root: Path, package_dirs: Iterable[Path], *,
                   keep_existing: bool = False, leave_out: LeaveOut | None = None) -> tuple[int, list[str]]:
    """Merge every extracted package of PACKAGE_DIRS into IMAGE_ROOT, in order.
    KEEP_EXISTING: files and links already in the tree win (they are the
    configuration's; a package's own files still replace an earlier package's
    unless the tree had them first -- so merge into a tree staged beforehand).
    LEAVE_OUT(path, is_dir): the package entries not copied (and nothing below them).

    Returns (files and links copied, paths skipped because the tree holds a
    link or file where the package has a directory)."""
    total = 0
    skipped: list[str] = []
    with _opendir(image_root) as root:
        for pkg in package_dirs:
            with _opendir(pkg) as src:
                total += _merge_dir(src, root, "", skipped, keep_existing, leave_out)
    return total, skipped


# --- alternatives ---------------------------------------------------------------------------------

_ALTERNATIVE = re.compile(
    r"update-alternatives\s+(?:--quiet\s+)?--install\s+(?P<link>/\S+)\s+(?P<name>[\w.+-]+)\s+(?P<path>/\S+)\s+(?P<prio>\d+)")


def alternatives_of(postinst: str) -> list[tuple[str, str, str, int]]:
    """(link, name, path, priority) of every `update-alternatives --install` in a postinst's text."""
    text = postinst.replace("\\\n", " ")
    return [(m["link"], m["name"], m["path"], int(m["prio"])) for m in _ALTERNATIVE.finditer(text)]


def choose_alternatives(candidates: Iterable[tuple[str, str, str, int]],
                        exists) -> dict[str, tuple[str, str]]:
    """{name: (link, path)}: per alternative name, the highest-priority path that EXISTS (ties: the
    smallest path, so the choice does not depend on package order)."""
    best: dict[str, tuple[int, str, str]] = {}
    for link, name, path, prio in candidates:
        if "$" in link or "$" in path or not exists(path):
            continue
        current = best.get(name)
        if current is None or (prio, _neg(path)) > (current[0], _neg(current[2])):
            best[name] = (prio, link, path)
    return {name: (link, path) for name, (_p, link, path) in sorted(best.items())}


def _neg(path: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in path)


__all__ = ["USR_MERGED", "alternatives_of", "choose_alternatives", "merge_packages"]
