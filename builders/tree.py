"""A directory tree that nothing escapes: the image's staging root, or an extracted package.

Every builder that writes into an image's root goes through `Tree`, and
every read of a package's content goes through `Tree.open_read`:

- paths are relative to the tree ("/etc/hostname" and "etc/hostname" are the
  same entry); a `..` component, an empty name or a NUL byte is refused;
- writes never follow a symbolic link: every directory on the way is opened
  with O_NOFOLLOW relative to its parent's descriptor, and the last
  component is replaced, never written through.  A link placed earlier by
  the configuration (`/x -> /host/dir`) makes a later write under `/x` an
  error instead of a write on the host;
- reads resolve links as a chroot would (RESOLVE_IN_ROOT): an absolute
  target is taken from the tree's root and `..` stops at the root, so a
  package whose `Europe/Berlin` points at `/etc/shadow` reads the package's
  own (missing) etc/shadow, never the host's.

Modes are always explicit, so the builder's umask does not matter.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from builders.errors import BuildError

MAX_LINKS = 40          # as the kernel's MAXSYMLINKS
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class Escape(BuildError):
    """A path that would leave the tree, or go through a link inside it."""


def split(rel: str | os.PathLike[str]) -> list[str]:
    """The components of REL, checked: no '..', no NUL, not empty."""
    text = os.fspath(rel)
    if "\0" in text:
        raise Escape(f"refusing a path with a NUL byte: {text!r}")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise Escape(f"refusing a path that leaves the image tree: {text!r}")
    return parts


class Tree:
    """The directory ROOT, seen as the root of a file system."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"Tree({str(self.root)!r})"

    def path(self, rel: str | os.PathLike[str] = "") -> Path:
        """The host path of REL (checked for '..'; for tools and messages)."""
        parts = split(rel)
        return self.root.joinpath(*parts) if parts else self.root

    # --- walking ----------------------------------------------------------------------------

    def _open_root(self) -> int:
        try:
            return os.open(self.root, _DIR_FLAGS)
        except OSError as e:
            raise Escape(f"{self.root}: not a directory of our own ({e.strerror})") from None

    @contextmanager
    def _parent(self, rel: str | os.PathLike[str], *, create: bool = False,
                mode: int = 0o755) -> Iterator[tuple[int, str]]:
        """(descriptor of REL's parent directory, REL's last name); directories on
        the way are never symlinks; missing ones are made (MODE) when CREATE."""
        parts = split(rel)
        if not parts:
            raise Escape("refusing to replace the image's root directory itself")
        fd = self._open_root()
        try:
            for i, name in enumerate(parts[:-1]):
                try:
                    nfd = os.open(name, _DIR_FLAGS, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        raise
                    os.mkdir(name, 0o700, dir_fd=fd)
                    os.chmod(name, mode, dir_fd=fd)
                    nfd = os.open(name, _DIR_FLAGS, dir_fd=fd)
                except OSError as e:
                    if e.errno in (errno.ELOOP, errno.ENOTDIR):
                        raise self._not_a_directory(parts[: i + 1], fd, name) from None
                    raise
                os.close(fd)
                fd = nfd
            yield fd, parts[-1]
        finally:
            os.close(fd)

    def _not_a_directory(self, parts: list[str], fd: int, name: str) -> Escape:
        where = "/" + "/".join(parts)
        try:
            target = os.readlink(name, dir_fd=fd)
            return Escape(f"{where} is a symbolic link (to {target}) in the image: refusing to write through it")
        except OSError:
            return Escape(f"{where} is not a directory in the image")

    def _clear(self, fd: int, name: str) -> None:
        """Remove a non-directory entry NAME (a link is removed, not followed)."""
        try:
            st = os.lstat(name, dir_fd=fd)
        except FileNotFoundError:
            return
        if stat.S_ISDIR(st.st_mode):
            raise Escape(f"cannot replace the directory {name!r} with a file in the image")
        os.unlink(name, dir_fd=fd)

    # --- writing ----------------------------------------------------------------------------

    def mkdir(self, rel: str | os.PathLike[str], mode: int = 0o755, *, parents_mode: int = 0o755) -> None:
        """Make directory REL (and missing parents); an existing directory gets MODE."""
        if not split(rel):
            os.chmod(self.root, mode)
            return
        with self._parent(rel, create=True, mode=parents_mode) as (fd, name):
            try:
                os.mkdir(name, 0o700, dir_fd=fd)
            except FileExistsError:
                st = os.lstat(name, dir_fd=fd)
                if not stat.S_ISDIR(st.st_mode):
                    raise self._not_a_directory(split(rel), fd, name) from None
            os.chmod(name, mode, dir_fd=fd)

    def write_bytes(self, rel: str | os.PathLike[str], data: bytes, mode: int = 0o644) -> None:
        """Write file REL (replacing what was there; never through a link)."""
        with self._parent(rel, create=True) as (fd, name):
            self._clear(fd, name)
            out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=fd)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(out, view):]
                os.fchmod(out, mode)
            finally:
                os.close(out)

    def write_text(self, rel: str | os.PathLike[str], text: str, mode: int = 0o644) -> None:
        self.write_bytes(rel, text.encode("utf-8"), mode)

    def copy_in(self, rel: str | os.PathLike[str], source: str | os.PathLike[str], mode: int = 0o644) -> None:
        """Copy the regular host file SOURCE to REL (SOURCE is opened without blocking:
        a FIFO or device is refused, not read)."""
        self._copy_fd(rel, _open_regular(source), mode)

    def _copy_fd(self, rel: str | os.PathLike[str], src: int, mode: int) -> None:
        """Write what the open descriptor SRC reads to file REL (replacing what was
        there, never through a link), with MODE; SRC is closed."""
        try:
            with self._parent(rel, create=True) as (fd, name):
                self._clear(fd, name)
                out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600,
                              dir_fd=fd)
                try:
                    with open(src, "rb", closefd=False) as fin, open(out, "wb", closefd=False) as fout:
                        shutil.copyfileobj(fin, fout, 1 << 20)
                    os.fchmod(out, mode)
                finally:
                    os.close(out)
        finally:
            os.close(src)

    def symlink(self, rel: str | os.PathLike[str], target: str) -> None:
        """Make REL a symbolic link to TARGET (replacing a file or link; TARGET is
        data in the image and is never followed by pyguix)."""
        if "\0" in target or not target:
            raise Escape(f"refusing symbolic link target {target!r}")
        with self._parent(rel, create=True) as (fd, name):
            self._clear(fd, name)
            os.symlink(target, name, dir_fd=fd)

    def link(self, rel: str | os.PathLike[str], existing: str | os.PathLike[str]) -> None:
        """Make REL a hard link to the regular file EXISTING of this tree (replacing a
        file or link at REL); EXISTING itself may not be a link."""
        with self._parent(existing) as (src_fd, src_name):
            st = os.lstat(src_name, dir_fd=src_fd)
            if not stat.S_ISREG(st.st_mode):
                raise Escape(f"/{'/'.join(split(existing))} is not a regular file: refusing to link to it")
            with self._parent(rel, create=True) as (fd, name):
                self._clear(fd, name)
                os.link(src_name, name, src_dir_fd=src_fd, dst_dir_fd=fd, follow_symlinks=False)

    def chmod(self, rel: str | os.PathLike[str], mode: int) -> None:
        with self._parent(rel) as (fd, name):
            st = os.lstat(name, dir_fd=fd)
            if stat.S_ISLNK(st.st_mode):
                raise Escape(f"/{'/'.join(split(rel))} is a symbolic link: refusing to chmod through it")
            os.chmod(name, mode, dir_fd=fd)

    def remove(self, rel: str | os.PathLike[str]) -> None:
        """Remove REL: a file or link, or a directory tree (links inside are removed, not followed)."""
        try:
            with self._parent(rel) as (fd, name):
                try:
                    st = os.lstat(name, dir_fd=fd)
                except FileNotFoundError:
                    return
                if stat.S_ISDIR(st.st_mode):
                    shutil.rmtree(name, dir_fd=fd)
                else:
                    os.unlink(name, dir_fd=fd)
        except FileNotFoundError:
            return

    def copy_tree_in(self, rel: str | os.PathLike[str], source: str | os.PathLike[str], *,
                     dir_mode: int = 0o755, file_mode=None) -> None:
        """Copy the host directory SOURCE to REL: directories, regular files and
        symbolic links (kept as links, never followed); anything else is refused.
        FILE_MODE(host_stat) gives a file's mode (default: its own permission bits)."""
        self.mkdir(rel, dir_mode)
        base = split(rel)
        for name in sorted(os.listdir(source)):
            s = os.path.join(source, name)
            st = os.lstat(s)
            here = "/".join([*base, name])
            if stat.S_ISLNK(st.st_mode):
                self.symlink(here, os.readlink(s))
            elif stat.S_ISDIR(st.st_mode):
                self.copy_tree_in(here, s, dir_mode=dir_mode, file_mode=file_mode)
            elif stat.S_ISREG(st.st_mode):
                self.copy_in(here, s, file_mode(st) if file_mode else stat.S_IMODE(st.st_mode))
            else:
                raise BuildError(f"{s}: not a regular file, directory or symbolic link; refusing to copy it")
        self.chmod(rel, dir_mode) if base else os.chmod(self.root, dir_mode)

    # --- reading (chroot semantics) --------------------------------------------------------

    def lstat(self, rel: str | os.PathLike[str]) -> os.stat_result | None:
        """lstat of REL (its parents must be real directories), or None if missing."""
        try:
            with self._parent(rel) as (fd, name):
                return os.lstat(name, dir_fd=fd)
        except (FileNotFoundError, Escape):
            return None
        except NotADirectoryError:
            return None

    def resolve(self, rel: str | os.PathLike[str]) -> str:
        """REL with every symbolic link resolved inside the tree (an absolute target
        starts at the tree's root, '..' stops there): the relative path of what
        REL names, which need not exist.  Never leaves the tree."""
        todo = [p for p in os.fspath(rel).split("/") if p not in ("", ".")][::-1]
        if any("\0" in p for p in todo):
            raise Escape(f"refusing a path with a NUL byte: {os.fspath(rel)!r}")
        done: list[str] = []
        links = 0
        while todo:
            name = todo.pop()
            if name == "..":
                if done:
                    done.pop()
                continue
            candidate = [*done, name]
            st = self.lstat("/".join(candidate))
            if st is not None and stat.S_ISLNK(st.st_mode):
                links += 1
                if links > MAX_LINKS:
                    raise Escape(f"too many levels of symbolic links in {os.fspath(rel)!r}")
                target = os.readlink(self.path("/".join(candidate)))
                if target.startswith("/"):
                    done = []
                todo.extend(p for p in reversed(target.split("/")) if p not in ("", "."))
                continue
            done = candidate
        return "/".join(done)

    def open_read(self, rel: str | os.PathLike[str]) -> int:
        """A read-only descriptor of the regular file REL, resolved inside the tree."""
        real = self.resolve(rel)
        if not real:
            raise IsADirectoryError(errno.EISDIR, "is the tree's root", os.fspath(rel))
        with self._parent(real) as (fd, name):
            out = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=fd)
        if not stat.S_ISREG(os.fstat(out).st_mode):
            os.close(out)
            raise BuildError(f"{self.path(real)}: not a regular file")
        return out

    def read_bytes(self, rel: str | os.PathLike[str]) -> bytes:
        fd = self.open_read(rel)
        with open(fd, "rb") as f:
            return f.read()

    def is_file(self, rel: str | os.PathLike[str]) -> bool:
        st = self.lstat(self.resolve(rel))
        return st is not None and stat.S_ISREG(st.st_mode)

    def is_dir(self, rel: str | os.PathLike[str]) -> bool:
        real = self.resolve(rel)
        if not real:
            return True
        st = self.lstat(real)
        return st is not None and stat.S_ISDIR(st.st_mode)

    def copy_from(self, source: Tree, src_rel: str, rel: str | os.PathLike[str], mode: int = 0o644) -> None:
        """Copy the file SRC_REL of SOURCE (resolved inside SOURCE) to REL of this tree."""
        self._copy_fd(rel, source.open_read(src_rel), mode)


def in_package(package_dir: str | os.PathLike[str], rel: str) -> Path | None:
    """The host path of the regular file REL of an extracted package, its links
    resolved inside the package (never to a host file); None if there is none."""
    tree = Tree(package_dir)
    real = tree.resolve(rel)
    return tree.path(real) if real and tree.is_file(real) else None


def _open_regular(path: str | os.PathLike[str]) -> int:
    """Open the host file PATH for reading without blocking; refuse what is not a regular file."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise BuildError(f"{os.fspath(path)}: not a regular file (a device, FIFO or socket); refusing to read it")
    return fd
