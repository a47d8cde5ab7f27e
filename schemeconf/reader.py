"""Read Guile source text into datums (see datum.py), with source positions.

    read_all(text, source) -> list of top-level datums
    read_file(path)        -> (SourceFile, datums)

The grammar is scheme.lark (LALR, contextual lexer, `regex` module for nested
`#| |#` comments).  It is compiled once per process and cached on disk.  The
datums are built while parsing, by an inline transformer (`_Builder`), which
also attaches spans: `Pair.span` on the first pair of every list (its opening
paren) and `Pair.car_span` on every pair (where its element starts).

The token-level syntax (numbers, character names, string escapes) is in
lexical.py, shared with the printer; it follows Guile 3.0's reader (ice-9/read.scm):
  * "\\xHH" takes exactly two hex digits; "\\<newline>" drops only the newline
    (Guile's default, hungry-eol-escapes off, keeps the next line's indent);
  * `|a b|` is not special: `|a` and `b|` are two symbols;
  * `(. x)` reads as x; `[...]` is a list that must be closed by `]`.
Guix's reader extensions are built in: #~ #$ #$@ #+ #+@.

Every failure is a ReadError carrying a span; no lark exception escapes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from pathlib import Path

from .budget import MAX_SOURCE_BYTES
from .errors import ReadError
from .lexical import (
    is_numberish,
    parse_number,
)
from .source import Forms, SourceFile, Span, offset_span

__all__ = ["read_all", "read_file", "parse_number", "is_numberish"]

_GRAMMAR_FILE = Path(__file__).with_name("scheme.lark")


# --- entry points ---------------------------------------------------------------------

def read_all(text: str, source: SourceFile) -> Forms:
    """All the top-level datums of TEXT (the contents of SOURCE)."""
    from .lark_reader import parse

    return parse(text, source)


def read_file(path: str | os.PathLike[str], cache: bool = False) -> tuple[SourceFile, Forms]:
    """Read the file at PATH; an unreadable or non-text file is a ReadError.

    CACHE (for pyguix's own Scheme, read at every start): keep the datums in
    the per-user cache, keyed by the file's name and text and by the reader."""
    name = os.fspath(path)
    data = read_source_bytes(name)
    if cache:
        cached = _cached_forms(name, data)
        if cached is not None:
            return cached
    if b"\0" in data:
        source = SourceFile(name, "")
        raise ReadError("this is a binary file (it contains NUL bytes), not Scheme source",
                        Span(source, 1, 1))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        source = SourceFile(name, data.decode("utf-8", errors="replace"))
        raise ReadError(f"not valid UTF-8 text (byte 0x{data[e.start]:02x})",
                        offset_span(source, len(data[: e.start].decode("utf-8", errors="replace"))),
                        hint="Guile source files are read as UTF-8") from None
    if text.startswith("\ufeff"):  # a UTF-8 byte-order mark; Guile's file ports skip it too
        text = text[1:]
    source = SourceFile(name, text)
    forms = read_all(text, source)
    if cache:
        _store_forms(name, data, (source, forms))
    return source, forms


# --- the datums of pyguix's own Scheme, cached ----------------------------------------------

_CACHE_FORMAT = 1


def _reader_digest() -> str:
    """What the datums depend on besides the text: the grammar and the reader's code."""
    here = Path(__file__).resolve().parent
    parts = [str(_CACHE_FORMAT)]
    names = ("reader.py", "lark_reader.py", "lexical.py", "datum.py", "source.py")
    for f in [_GRAMMAR_FILE] + [here / n for n in names]:
        try:
            st = f.stat()
        except OSError:
            return ""
        parts.append(f"{f.name}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)


def _forms_cache_file(name: str, data: bytes) -> Path | None:
    directory = _private_cache_dir()
    if directory is None:
        return None
    digest = hashlib.sha256()
    for part in (_reader_digest().encode(), os.path.abspath(name).encode(), data):
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return directory / f"{digest.hexdigest()[:32]}.forms"


_cache_dir: list[Path | None] = []  # [] until looked for, then [the directory or None]


def _private_cache_dir() -> Path | None:
    """~/.cache/pyguix-forms, if it is this user's alone (its pickles are trusted).
    Not inside ~/.cache/pyguix: that is the substitute cache, which the build
    sandbox (builders/sandbox.py) is allowed to write."""
    if not _cache_dir:
        _cache_dir.append(None)
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        directory = Path(base) / "pyguix-forms"
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            st = directory.stat()
            if (not hasattr(os, "getuid") or st.st_uid == os.getuid()) and not st.st_mode & 0o022:
                _cache_dir[0] = directory
        except OSError:
            pass
    return _cache_dir[0]


def _cached_forms(name: str, data: bytes) -> tuple[SourceFile, Forms] | None:
    import pickle

    try:
        path = _forms_cache_file(name, data)
        if path is None:
            return None
        with open(path, "rb") as f:
            source, forms = pickle.load(f)
    except Exception:  # noqa: BLE001 - no cache, or a stale or damaged one: read the text
        return None
    if not isinstance(source, SourceFile) or not isinstance(forms, Forms) or source.name != name:
        return None
    return source, forms


_CACHE_ENTRIES = 1024  # at most (then the older half goes)


def _prune(directory: Path) -> None:
    entries = list(os.scandir(directory))
    if len(entries) <= _CACHE_ENTRIES:
        return
    entries.sort(key=lambda e: e.stat().st_mtime_ns)
    for e in entries[: len(entries) // 2]:
        with contextlib.suppress(OSError):
            os.unlink(e.path)


def _store_forms(name: str, data: bytes, value: tuple[SourceFile, Forms]) -> None:
    import pickle

    tmp: str | None = None
    try:
        path = _forms_cache_file(name, data)
        if path is None:
            return
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        _prune(path.parent)
    except Exception:  # noqa: BLE001 - a cache only
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def read_source_bytes(name: str, limit: int | None = None) -> bytes:
    """The bytes of the regular file NAME (at most LIMIT); devices, FIFOs and
    sockets are refused before they are opened, so reading never blocks."""
    limit = MAX_SOURCE_BYTES if limit is None else limit
    try:
        kind = special_file_kind(os.stat(name).st_mode)
        if kind is not None:
            raise ReadError(f"{name}: is {kind}, not a regular file", None,
                            "only regular files can be read as Scheme source")
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        try:
            info = os.fstat(fd)
            kind = special_file_kind(info.st_mode)
            if kind is not None:  # replaced since the stat above
                raise ReadError(f"{name}: is {kind}, not a regular file")
            if info.st_size > limit:
                raise ReadError(f"{name}: the file is too large ({info.st_size} bytes; limit {limit})")
            chunks, size = [], 0
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    raise ReadError(f"{name}: the file is too large (more than {limit} bytes)")
            return b"".join(chunks)
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise ReadError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise ReadError(f"{name}: is a directory, not a file") from None
    except PermissionError:
        raise ReadError(f"{name}: permission denied") from None
    except OSError as e:
        raise ReadError(f"{name}: cannot read: {e.strerror or e}") from None
    except ValueError as e:  # a NUL in the name
        raise ReadError(f"{name!r}: cannot read: {e}") from None


def special_file_kind(mode: int) -> str | None:
    """What a non-regular, non-directory file of MODE is ("a FIFO"...), or None."""
    for test, kind in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode):
        return None
    return "a special file"


# --- errors ---------------------------------------------------------------------------
