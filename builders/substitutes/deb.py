"""Reading Debian binary packages (.deb) in pure Python, without dpkg-deb.

A .deb is an `ar` archive holding, in order, `debian-binary` ("2.0\\n"),
`control.tar[.gz|.xz|.zst]` and `data.tar[.gz|.xz|.zst|.bz2|.lzma]`.  The
tar members are streamed (never loaded whole) and extracted by our own code,
not by tarfile's `extractall`, so that every rule below is ours to check:

- member names are relative to the target: absolute names and names with a
  `..` component are rejected, as is any member whose parent directory in the
  target is a symbolic link (a link `a -> /etc` followed by a member `a/x`
  would otherwise write outside the target);
- nothing is ever written, chmod-ed or timestamped through a symbolic link:
  the last component of a member is replaced, never opened through, and
  directory modes (set at the end) are applied through descriptors opened
  with O_NOFOLLOW, so a directory later replaced by `d -> /host/dir` leaves
  the host alone;
- symbolic links are kept verbatim as data, absolute or leaving the package
  included (they are never followed here; readers resolve them inside the
  tree with builders.tree.Tree);
- hard links must name a regular file already extracted in the target;
- modes are preserved except the set-user-ID and set-group-ID bits, which
  are dropped (the extracted tree belongs to whoever runs pyguix, often
  root); modification times are preserved; owners are ignored (the image
  builder assigns owners);
- device nodes, FIFOs and other special members are refused (Debian
  packages ship none; a package that does is not one we trust);
- any other failure to write a member is a DebError naming the package and
  the member, not a stray OSError.
"""

from __future__ import annotations

import bz2
import contextlib
import errno
import gzip
import io
import logging
import lzma
import os
import shutil
import stat
import tarfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from builders.errors import BuildError

log = logging.getLogger(__name__)

AR_MAGIC = b"!<arch>\n"
AR_HEADER_SIZE = 60


class DebError(BuildError):
    """A .deb is malformed or unsafe to extract."""


# What a malformed archive raises from decompression, tarfile or the file system.
BAD_INPUT: tuple[type[BaseException], ...] = (
    OSError, EOFError, ValueError, OverflowError, tarfile.TarError, lzma.LZMAError, zlib.error,
)
try:
    import zstandard as _zstandard

    BAD_INPUT += (_zstandard.ZstdError,)
except ImportError:  # pragma: no cover - zstandard is a dependency
    pass


# -- ar ---------------------------------------------------------------------


class _Slice(io.RawIOBase):
    """A read-only window of LENGTH bytes at OFFSET of an open binary file."""

    def __init__(self, fileobj: BinaryIO, offset: int, length: int) -> None:
        self._f = fileobj
        self._start = offset
        self._length = length
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        remaining = self._length - self._pos
        if remaining <= 0:
            return 0
        view = memoryview(buffer)[: min(len(buffer), remaining)]
        self._f.seek(self._start + self._pos)
        n = self._f.readinto(view)  # type: ignore[attr-defined]
        self._pos += n or 0
        return n or 0


def ar_members(fileobj: BinaryIO, origin: str = "archive") -> Iterator[tuple[str, int, int]]:
    """Yield (name, offset, size) for each member of the ar archive FILEOBJ."""
    fileobj.seek(0)
    if fileobj.read(len(AR_MAGIC)) != AR_MAGIC:
        raise DebError(f"{origin}: not a Debian package (no ar archive signature)")
    pos = len(AR_MAGIC)
    while True:
        fileobj.seek(pos)
        header = fileobj.read(AR_HEADER_SIZE)
        if not header:
            return
        if len(header) < AR_HEADER_SIZE or header[58:60] != b"`\n":
            raise DebError(f"{origin}: corrupt ar member header at byte {pos}")
        name = header[0:16].decode("ascii", "replace").rstrip()
        if name.endswith("/") and name != "/":
            name = name[:-1]  # GNU ar terminates names with '/'
        try:
            size = int(header[48:58].decode("ascii").strip())
        except ValueError as exc:
            raise DebError(f"{origin}: corrupt size in ar member header at byte {pos}") from exc
        offset = pos + AR_HEADER_SIZE
        yield name, offset, size
        pos = offset + size + (size & 1)  # members are 2-byte aligned


def _decompressed(raw: BinaryIO, member: str, origin: str) -> BinaryIO:
    """A stream of the uncompressed tar inside ar member MEMBER (named by suffix)."""
    suffix = member.rsplit(".", 1)[-1] if member.count(".") >= 2 else ""
    if suffix == "":
        return raw
    if suffix == "gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if suffix == "xz":
        return lzma.LZMAFile(raw, mode="rb")  # type: ignore[return-value]
    if suffix == "lzma":
        return lzma.LZMAFile(raw, mode="rb", format=lzma.FORMAT_ALONE)  # type: ignore[return-value]
    if suffix == "bz2":
        return bz2.BZ2File(raw, mode="rb")  # type: ignore[return-value]
    if suffix == "zst":
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
    raise DebError(f"{origin}: unsupported compression of member '{member}'")


class _Tar:
    """Context manager: the streaming TarFile of the control or data member of DEB."""

    def __init__(self, deb: str | os.PathLike[str], which: str) -> None:
        self.deb = os.fspath(deb)
        self.which = which

    def __enter__(self) -> tarfile.TarFile:
        self._file = open(self.deb, "rb")
        try:
            names = []
            for name, offset, size in ar_members(self._file, self.deb):
                names.append(name)
                if name == f"{self.which}.tar" or name.startswith(f"{self.which}.tar."):
                    raw = io.BufferedReader(_Slice(self._file, offset, size), 1 << 20)
                    stream = _decompressed(raw, name, self.deb)
                    self._tar = tarfile.open(fileobj=stream, mode="r|")
                    return self._tar
            if not names or names[0] != "debian-binary":
                raise DebError(f"{self.deb}: not a Debian package (members: {', '.join(names) or 'none'})")
            raise DebError(f"{self.deb}: no {self.which}.tar member (members: {', '.join(names)})")
        except BaseException:
            self._file.close()
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            self._tar.close()
        finally:
            self._file.close()


# -- control ------------------------------------------------------------------


def parse_control(text: str) -> dict[str, str]:
    """Fields of one deb822 stanza (continuation lines joined with newlines)."""
    fields: dict[str, str] = {}
    key: str | None = None
    for line in text.splitlines():
        if not line.strip():
            if fields:
                break
            continue
        if line[0] in " \t":
            if key is not None:
                fields[key] += "\n" + line[1:]
            continue
        key, _, value = line.partition(":")
        key = key.strip()
        fields[key] = value.strip()
    return fields


def control_fields(deb: str | os.PathLike[str]) -> dict[str, str]:
    """The fields of DEB's `control` file: Package, Version, Architecture, Depends, ..."""
    with _Tar(deb, "control") as tar:
        for member in tar:
            if _normalize(member.name) == "control" and member.isfile():
                f = tar.extractfile(member)
                assert f is not None
                return parse_control(f.read().decode("utf-8", "replace"))
    raise DebError(f"{os.fspath(deb)}: control archive has no 'control' file")


def control_text(deb: str | os.PathLike[str], name: str) -> str | None:
    """The text of the control archive's member NAME ("postinst", "conffiles", ...), or None."""
    with _Tar(deb, "control") as tar:
        for member in tar:
            if _normalize(member.name) == name and member.isfile():
                f = tar.extractfile(member)
                assert f is not None
                return f.read().decode("utf-8", "replace")
    return None


def list_files(deb: str | os.PathLike[str]) -> list[str]:
    """Relative names of the members of DEB's data archive ('' is the root)."""
    with _Tar(deb, "data") as tar:
        return [_normalize(m.name) for m in tar]


# -- extraction ---------------------------------------------------------------


def _normalize(name: str) -> str:
    """NAME relative to the archive root, '' for the root itself."""
    parts = [p for p in name.split("/") if p not in ("", ".")]
    return "/".join(parts)


def _checked(name: str, origin: str) -> str:
    if name.startswith("/"):
        raise DebError(f"{origin}: refusing absolute member name '{name}'")
    rel = _normalize(name)
    if ".." in PurePosixPath(rel).parts:
        raise DebError(f"{origin}: refusing member name with '..': '{name}'")
    return rel


def _prepare_parent(target: Path, rel: str, origin: str) -> Path:
    """Create REL's parent directories under TARGET (none may be a symlink); return REL's path."""
    current = target
    parts = rel.split("/")
    for part in parts[:-1]:
        current = current / part
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            os.mkdir(current, 0o755)
            continue
        if stat.S_ISLNK(st.st_mode):
            raise DebError(f"{origin}: member '{rel}' would be written through the symbolic link '{current}'")
        if not stat.S_ISDIR(st.st_mode):
            raise DebError(f"{origin}: member '{rel}' needs '{current}' to be a directory")
    return current / parts[-1]


SETID_BITS = stat.S_ISUID | stat.S_ISGID
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _remove_existing(path: Path) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def _open_directory(root: Path, rel: str) -> int | None:
    """A descriptor of the directory REL under ROOT, every component opened with
    O_NOFOLLOW; None when REL is no longer a directory (e.g. replaced by a link)."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in rel.split("/"):
            try:
                nfd = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.ENOENT):
                    return None
                raise
            os.close(fd)
            fd = nfd
        fd, result = -1, fd
        return result
    finally:
        if fd >= 0:
            os.close(fd)


def _write_file(path: Path, src: IO[bytes], mode: int, mtime: float) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
        out.flush()
        os.fchmod(fd, mode)
        os.utime(fd, (mtime, mtime))


def _hard_link(root: Path, m: tarfile.TarInfo, rel: str, path: Path, origin: str) -> None:
    source_rel = _checked(m.linkname, origin)
    if source_rel == "":
        raise DebError(f"{origin}: hard link '{rel}' to the archive root")
    source = _prepare_parent(root, source_rel, origin)
    try:
        regular = stat.S_ISREG(os.lstat(source).st_mode)
    except FileNotFoundError:
        regular = False
    if not regular:
        raise DebError(f"{origin}: hard link '{rel}' to missing or non-regular '{m.linkname}'")
    _remove_existing(path)
    try:
        os.link(source, path, follow_symlinks=False)
    except OSError:  # e.g. a file system without hard links
        shutil.copy2(source, path, follow_symlinks=False)


def _extract_member(tar: tarfile.TarFile, m: tarfile.TarInfo, root: Path, rel: str, origin: str,
                    dir_modes: list[tuple[str, int, float]]) -> None:
    path = _prepare_parent(root, rel, origin)
    mode = m.mode & 0o7777 & ~SETID_BITS
    if m.isdir():
        try:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                _remove_existing(path)
                os.mkdir(path, 0o755)
        except FileNotFoundError:
            os.mkdir(path, 0o755)
        dir_modes.append((rel, mode, m.mtime))
    elif m.isreg():
        _remove_existing(path)
        src = tar.extractfile(m)
        assert src is not None
        _write_file(path, src, mode, m.mtime)
    elif m.issym():
        if not m.linkname or "\0" in m.linkname:
            raise DebError(f"{origin}: symbolic link '{rel}' has an empty or invalid target")
        _remove_existing(path)
        os.symlink(m.linkname, path)
        with contextlib.suppress(NotImplementedError, OSError):
            os.utime(path, (m.mtime, m.mtime), follow_symlinks=False)
    elif m.islnk():
        _hard_link(root, m, rel, path, origin)
    else:
        kind = ("character device" if m.ischr() else "block device" if m.isblk()
                else "FIFO" if m.isfifo() else f"special file (tar type {m.type!r})")
        raise DebError(f"{origin}: refusing {kind} member '{rel}' (packages ship none; pyguix creates none)")


def _set_directory_modes(root: Path, dir_modes: list[tuple[str, int, float]]) -> None:
    """Directory modes last, deepest first, so read-only directories don't block
    extraction; through O_NOFOLLOW descriptors, never through a link."""
    for rel, mode, mtime in sorted(dir_modes, key=lambda t: t[0].count("/"), reverse=True):
        fd = _open_directory(root, rel)
        if fd is None:
            continue  # replaced by a later member
        try:
            os.fchmod(fd, mode)
            os.utime(fd, (mtime, mtime))
        finally:
            os.close(fd)


# -- merged /usr ------------------------------------------------------------------------
#
# Debian 12 and 13 systems have merged /usr: /bin, /sbin and /lib* are links
# into /usr (trixie's base-files ships them: bin -> usr/bin, ...).  Packages
# still ship files under bin/ or lib/ (bookworm's, and some of trixie's); on a
# merged system dpkg writes them through the links.  Extracting with
# usr_merge=True does the same without ever writing through a link: a
# member's leading alias directory is replaced by its usr/ directory
# (`bin/sh` -> `usr/bin/sh`, hard-link targets too), the packages' own alias
# links are left out, and `make_usr_links` makes them once every package is in.

USR_MERGED = ("bin", "sbin", "lib", "lib32", "lib64", "libx32", "libo32")


def usr_merged(rel: str) -> str:
    """REL as it lands on a merged-/usr system ('bin/sh' -> 'usr/bin/sh')."""
    top, sep, rest = rel.partition("/")
    return f"usr/{top}{sep}{rest}" if top in USR_MERGED else rel


def make_usr_links(root: str | os.PathLike[str]) -> list[str]:
    """The links ROOT/X -> usr/X for each alias directory X whose usr/X exists; return those made."""
    made = []
    for name in USR_MERGED:
        link = Path(root) / name
        if not os.path.isdir(Path(root) / "usr" / name) or os.path.lexists(link):
            continue
        os.symlink(f"usr/{name}", link)
        made.append(name)
    return made


def extract(
    deb: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    member: str = "data",
    usr_merge: bool = False,
) -> list[str]:
    """Extract DEB's MEMBER archive ('data' or 'control') into TARGET; return the names written.

    TARGET is created if needed; existing files are replaced (so several
    packages can be merged into one tree, later ones winning).  USR_MERGE:
    as on a merged-/usr system (see above).  Raises DebError (naming DEB and
    the member) for anything unsafe or unwritable.
    """
    origin = os.fspath(deb)
    root = Path(target)
    root.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    dir_modes: list[tuple[str, int, float]] = []
    rel = ""
    try:
        with _Tar(deb, member) as tar:
            for m in tar:
                rel = _checked(m.name, origin)
                if rel and usr_merge:
                    if rel in USR_MERGED and not m.isdir():
                        if m.issym() and m.linkname.strip("/") in (f"usr/{rel}", f"usr/{rel}/"):
                            continue        # base-files' alias link: make_usr_links makes it
                        raise DebError(f"{origin}: member '{rel}' would replace the merged-/usr link /{rel}")
                    rel = usr_merged(rel)
                    if m.islnk():
                        m.linkname = usr_merged(_checked(m.linkname, origin))
                if rel:
                    _extract_member(tar, m, root, rel, origin, dir_modes)
                    written.append(rel)
        rel = ""
        _set_directory_modes(root, dir_modes)
    except DebError:
        raise
    except BAD_INPUT as exc:
        where = f"member '{rel}'" if rel else f"its {member} archive"
        detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise DebError(f"{origin}: cannot extract {where}: {detail}") from None
    return written


__all__ = [
    "SETID_BITS",
    "USR_MERGED",
    "DebError",
    "ar_members",
    "control_fields",
    "extract",
    "list_files",
    "make_usr_links",
    "parse_control",
    "usr_merged",
]
