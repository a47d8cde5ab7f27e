"""The substitute provider interface, the cache, and the chain of providers.

Guix would build the packages a configuration declares; pyguix realizes them
from Debian binary packages ("substitutes").  A provider turns a Debian
package name and a Debian architecture into a verified .deb file in the
cache; `realize` turns a list of them into one extracted directory.

Cache layout (root: $PYGUIX_SUBSTITUTE_CACHE, else $XDG_CACHE_HOME/pyguix,
else ~/.cache/pyguix; CI keeps this directory between runs):

    apt/<arch>/          private apt state per architecture (lists, pkgcache, partial downloads)
    debs/<arch>/         downloaded .deb files, each with a .sha256 file beside it
    extracted/<key>/     merged extraction of a set of .debs; key = sha256 of their sha256s
    extracted/<key>.json what went into it (package, version, architecture, sha256)
    extracted/<key>.files.json  what the tree held when extracted (checked on every reuse)
    extracted/.<key>.<pid>.*    an extraction in progress (flock-ed by process PID)
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, runtime_checkable

from builders.errors import BuildError
from builders.substitutes import deb as debfile
from builders.tree import Tree

log = logging.getLogger(__name__)

CACHE_ENV = "PYGUIX_SUBSTITUTE_CACHE"
# Bump when the layout of extracted trees changes, so old trees are not reused
# (2: set-id bits dropped, special files refused, a listing recorded beside each tree).
EXTRACT_FORMAT = "2"


def cache_root() -> Path:
    """The substitute cache directory (not created)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "pyguix"


class SubstituteUnavailable(BuildError):
    """PACKAGE for ARCH could not be had; REASON says why (e.g. apt's own message)."""

    def __init__(self, package: str, arch: str, reason: str, *, network: bool = False, hint: str | None = None) -> None:
        super().__init__(f"substitute '{package}' for architecture '{arch}' is not available: {reason}", hint)
        self.package = package
        self.arch = arch
        self.reason = reason
        self.network = network  # True when the cause is (most likely) a network failure


def sha256_file(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def record_sha256(deb: Path, digest: str | None = None) -> str:
    """Write DEB's sha256 beside it (DEB.sha256) and return it."""
    digest = digest or sha256_file(deb)
    sidecar = deb.with_name(deb.name + ".sha256")
    tmp = sidecar.with_name(sidecar.name + f".{os.getpid()}.tmp")
    tmp.write_text(f"{digest}  {deb.name}\n")
    os.replace(tmp, sidecar)
    return digest


def recorded_sha256(deb: Path) -> str | None:
    sidecar = deb.with_name(deb.name + ".sha256")
    try:
        return sidecar.read_text().split()[0]
    except (FileNotFoundError, IndexError):
        return None


def verified_sha256(deb: Path) -> str | None:
    """DEB's sha256 if it matches the recorded one; None when absent, unrecorded or altered."""
    if not deb.is_file():
        return None
    recorded = recorded_sha256(deb)
    if recorded is None:
        return None
    actual = sha256_file(deb)
    if actual != recorded:
        log.warning("cached %s does not match its recorded sha256; fetching it again", deb)
        return None
    return actual


@runtime_checkable
class SubstituteProvider(Protocol):
    """Something that can produce .deb files by Debian package name and architecture."""

    name: str

    def fetch(self, debian_package: str, arch: str) -> Path:
        """The .deb of DEBIAN_PACKAGE (a real or virtual/meta package name) for ARCH.

        The file is in the cache and verified.  Raise SubstituteUnavailable
        (a BuildError) saying which package, which arch, and why.
        """
        ...


class ProviderBase:
    """Shared behaviour of the concrete providers: `realize`."""

    name = "provider"

    def fetch(self, debian_package: str, arch: str) -> Path:  # pragma: no cover - abstract
        raise NotImplementedError

    def realize(self, names: list[str], arch: str) -> Path:
        return realize(self, names, arch)


def realize(provider: SubstituteProvider, names: list[str], arch: str, *, cache: Path | None = None) -> Path:
    """Fetch NAMES for ARCH with PROVIDER and extract them, merged, into one cached directory.

    The directory is keyed by the sha256 of the .debs, so the same packages
    give the same (reused) tree, and a new package version a new one.  A
    reused tree is first checked against the listing recorded when it was
    extracted (every file's sha256, every link's target, every mode) and
    extracted again if anything changed.  Treat the result as read-only: it
    is shared by every build; read package content through
    `package_tree(result)` (builders.tree.Tree), which keeps the package's
    symbolic links inside it.
    """
    if not names:
        raise BuildError("realize: no packages given")
    debs = [provider.fetch(name, arch) for name in names]
    return realize_debs(list(zip(names, debs, strict=True)), cache=cache)


def realize_debs(debs: list[tuple[str, Path]], *, cache: Path | None = None, usr_merge: bool = False) -> Path:
    """Extract the .deb files DEBS ((requested name, path) pairs, in order: later
    files win) merged into one cached directory, as `realize` does.

    USR_MERGE: lay the tree out as a merged-/usr system (deb.extract), with
    the links bin -> usr/bin, ... made at the end; such a tree has a key of
    its own.
    """
    if not debs:
        raise BuildError("realize: no packages given")
    root = (cache or cache_root()).resolve()
    digests = []
    for _, path in debs:
        # Files in our cache were hashed (and checked) when fetched; others, e.g. in a
        # --substitutes directory that may be read-only, are hashed here.
        in_cache = path.resolve().is_relative_to(root)
        digests.append((recorded_sha256(path) if in_cache else None) or sha256_file(path))
    layout = EXTRACT_FORMAT + ("/usr-merge" if usr_merge else "")
    key = hashlib.sha256(("\n".join([layout, *digests])).encode()).hexdigest()[:32]
    base = root / "extracted"
    target = base / key
    collect_orphans(base)
    if target.is_dir():
        problem = tree_problem(target)
        if problem is None:
            return target
        log.warning("cached substitute tree %s was modified (%s); extracting it again", target, problem)
        _discard(base, key)
    base.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with _extraction_dir(base, key) as tmp:
        manifest = []
        for (name, path), digest in zip(debs, digests, strict=True):
            fields = debfile.control_fields(path)
            try:
                debfile.extract(path, tmp, usr_merge=usr_merge)
            except debfile.DebError as exc:
                exc.hint = exc.hint or (f"the package {path} is refused and nothing of it is used; remove it "
                                        "(or replace it with a genuine Debian package) and build again")
                raise
            manifest.append(
                {
                    "requested": name,
                    "package": fields.get("Package"),
                    "version": fields.get("Version"),
                    "architecture": fields.get("Architecture"),
                    "sha256": digest,
                    "file": path.name,
                }
            )
        if usr_merge:
            debfile.make_usr_links(tmp)
        # The record is written before the tree is renamed into place, so a reader
        # never sees a tree without one.  (A concurrent extraction of the same .debs
        # records the same content, with other stat data: one content check settles it.)
        _write_atomic(base / f"{key}.json", json.dumps(manifest, indent=1) + "\n")
        record_tree(tmp, base / f"{key}{LISTING_SUFFIX}")
        try:
            os.rename(tmp, target)
        except OSError:
            if not target.is_dir():  # not a concurrent winner: a real failure
                raise
            _rmtree(tmp)
    if len(debs) > 1:
        log.info("extracted %d packages into %s in %.1f s", len(debs), target, time.monotonic() - started)
    return target


def package_tree(tree: str | os.PathLike[str]) -> Tree:
    """The extracted package directory TREE (from `realize`) as a Tree: reads resolve
    its symbolic links inside it, as a chroot would, never on the host."""
    return Tree(tree)


# -- verifying cached trees ------------------------------------------------------
#
# Beside each tree, <key>.files.json records what extraction produced: every
# entry's type and mode, every file's size and sha256, every link's target;
# and a digest of the entries' stat data (inode, size, mtime, ctime).  On reuse
# the stat digest is checked first (~10 ms for a kernel): any write, chmod or
# replacement changes a ctime, which no program can set back.  When it differs
# (a changed tree, or the same one restored from a CI cache) the content is
# checked against the listing (~0.1 s per 100 MB), and the stat digest renewed
# if the content is intact.

LISTING_SUFFIX = ".files.json"


def _entries(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    """(relative path, lstat) of everything under ROOT, links not followed (one stat call each:
    this runs over every cached package at every build)."""
    stack = [(os.fspath(root), "")]
    while stack:
        directory, prefix = stack.pop()
        with os.scandir(directory) as listing:
            for entry in listing:
                rel = prefix + entry.name
                yield rel, entry.stat(follow_symlinks=False)
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, rel + "/"))


def stat_digest(root: Path) -> str:
    """A digest of the stat data of everything under ROOT (changes with any write)."""
    h = hashlib.sha256()
    for rel, st in sorted(_entries(root)):
        h.update(f"{rel}\0{st.st_ino}:{st.st_mode}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}\n".encode())
    return h.hexdigest()


def tree_listing(root: Path) -> list[list]:
    """What ROOT holds, sorted: [path, "d", mode], [path, "l", target] or
    [path, "f", mode, size, sha256]; anything else is listed as "?"."""
    entries: list[list] = []
    for rel, st in sorted(_entries(root)):
        mode = stat.S_IMODE(st.st_mode)
        if stat.S_ISDIR(st.st_mode):
            entries.append([rel, "d", mode])
        elif stat.S_ISLNK(st.st_mode):
            entries.append([rel, "l", os.readlink(root / rel)])
        elif stat.S_ISREG(st.st_mode):
            entries.append([rel, "f", mode, st.st_size, sha256_file(root / rel)])
        else:
            entries.append([rel, "?", st.st_mode])
    return entries


def _record(tree: Path) -> Path:
    return tree.with_name(tree.name + LISTING_SUFFIX)


def record_tree(tree: Path, record: Path | None = None) -> None:
    """Record what TREE holds (in RECORD, by default beside TREE)."""
    data = {"stat": stat_digest(tree), "entries": tree_listing(tree)}
    _write_atomic(record or _record(tree), json.dumps(data) + "\n")


def tree_problem(tree: Path) -> str | None:
    """None when TREE matches the record made at extraction; else what differs."""
    try:
        recorded = json.loads(_record(tree).read_text())
        entries, digest = recorded["entries"], recorded["stat"]
    except (OSError, ValueError, TypeError, KeyError):
        return "no record of its extraction"
    try:
        if stat_digest(tree) == digest:
            return None
        actual = tree_listing(tree)
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if actual == entries:
        with contextlib.suppress(OSError):
            _write_atomic(_record(tree), json.dumps({"stat": stat_digest(tree), "entries": entries}) + "\n")
        return None
    before = {e[0]: e for e in entries if isinstance(e, list) and e}
    after = {e[0]: e for e in actual}
    for rel in sorted(set(before) | set(after)):
        if rel not in after:
            return f"{rel} is missing"
        if rel not in before:
            return f"{rel} was added"
        if before[rel] != after[rel]:
            return f"{rel} changed"
    return "its extraction record is inconsistent"


# -- temporary extraction directories ----------------------------------------------
#
# `.<key>.<pid>.<random>` under extracted/, flock-ed by the process that made it
# for as long as it exists.  A run killed by SIGKILL leaves one behind; the next
# run removes it (the owner's process is gone and its lock with it).  SIGTERM
# during extraction is turned into SystemExit(143), so the directory is removed
# on the way out as with SIGINT.

_TEMP_NAME = re.compile(r"\.[0-9a-f]{32}\.(?:(\d+)\.)?[^/]+")
_collected: set[Path] = set()


def _locked_dir(path: Path, *, wait: bool) -> int | None:
    """A descriptor of directory PATH holding its exclusive flock; None if another
    process holds it (when not WAIT) or PATH is not a directory of ours."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def collect_orphans(base: Path) -> list[Path]:
    """Remove the temporary extraction directories under BASE whose process is gone
    (once per process and BASE); return those removed."""
    if base in _collected:
        return []
    _collected.add(base)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP_NAME.fullmatch(entry.name)
        if not m or not entry.is_dir(follow_symlinks=False):
            continue
        pid = m.group(1)
        if pid and int(pid) != os.getpid() and os.path.exists(f"/proc/{pid}"):
            continue  # its process still runs (its lock would say so too)
        fd = _locked_dir(Path(entry.path), wait=False)
        if fd is None:
            continue
        try:
            _rmtree(Path(entry.path))
        finally:
            os.close(fd)
        log.info("removed %s, left behind by an interrupted pyguix", entry.path)
        removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def _extraction_dir(base: Path, key: str) -> Iterator[Path]:
    """A new locked temporary directory under BASE, removed unless renamed away."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.{os.getpid()}.", dir=base))
    fd = _locked_dir(tmp, wait=True)
    try:
        with _sigterm_as_exit():
            yield tmp
    except BaseException:
        _rmtree(tmp)
        raise
    finally:
        if fd is not None:
            os.close(fd)


def _discard(base: Path, key: str) -> None:
    """Remove the cached tree KEY (moved aside first, so no reader sees it half removed)."""
    aside = base / f".{key}.{os.getpid()}.stale-{os.urandom(4).hex()}"
    try:
        os.rename(base / key, aside)
    except FileNotFoundError:
        return  # another process discarded it first
    fd = _locked_dir(aside, wait=True)
    try:
        _rmtree(aside)
    finally:
        if fd is not None:
            os.close(fd)


def _rmtree(path: Path) -> None:
    """Remove PATH, also when a package made some of its directories read-only."""

    def writable(function, name, excinfo) -> None:
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(name), 0o700)  # a directory of the tree, never a link
            function(name)

    shutil.rmtree(path, onerror=writable)


@contextlib.contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """Within: SIGTERM raises SystemExit(143), so `finally` clauses clean up (main
    thread only, and only if no one else handles SIGTERM)."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def realized_manifest(tree: Path) -> list[dict[str, str]]:
    """What `realize` put into TREE: one dict per .deb (package, version, architecture, sha256)."""
    return json.loads(tree.with_name(tree.name + ".json").read_text())


class ChainProvider(ProviderBase):
    """Try several providers in order; the first that has the package wins."""

    name = "chain"

    def __init__(self, providers: list[SubstituteProvider]) -> None:
        if not providers:
            raise BuildError("no substitute provider configured")
        self.providers = list(providers)

    def fetch(self, debian_package: str, arch: str) -> Path:
        reasons: list[str] = []
        network = False
        for provider in self.providers:
            try:
                return provider.fetch(debian_package, arch)
            except SubstituteUnavailable as exc:
                reasons.append(f"{provider.name}: {exc.reason}")
                network = network or exc.network
        raise SubstituteUnavailable(debian_package, arch, "; ".join(reasons), network=network)


__all__ = [
    "CACHE_ENV",
    "ChainProvider",
    "ProviderBase",
    "SubstituteProvider",
    "SubstituteUnavailable",
    "cache_root",
    "collect_orphans",
    "package_tree",
    "realize",
    "realize_debs",
    "realized_manifest",
    "record_sha256",
    "record_tree",
    "sha256_file",
    "stat_digest",
    "tree_listing",
    "tree_problem",
    "verified_sha256",
]
