"""Dependency closures: every Debian package an installed system of some packages needs.

    c = closure(["shepherd", "openssh-server"], "amd64", provider=AptProvider(release="trixie"), base=True)
    c.names()        # ('adduser', 'apt', 'base-files', ..., 'shepherd', ...), sorted
    tree = realize_closure(provider, c)   # the .debs fetched, verified and extracted, merged

The closure is computed in Python from the Packages indices that the private
apt state (apt.py) downloaded and apt verified against the release's signed
InRelease files: no dpkg, no root, no solver.  The same lists always give the
same result:

- **Candidates** are apt's: the highest version of each name over the
  release's suites (suites whose Release says `NotAutomatic: yes`, such as
  backports, only when no other suite has the name).
- **Depends and Pre-Depends** are followed (Recommends and Suggests are not,
  as with `apt-get --no-install-recommends`).  Version constraints are
  checked; `name:any` and `name:native` stand for `name`.
- **Alternatives** (`a | b`): nothing is added when a package already in the
  closure satisfies one of them; otherwise the first alternative that can be
  had, unless PREFERRED names one that satisfies the group
  (`systemd | systemd-standalone-sysusers | systemd-sysusers` ->
  systemd-standalone-sysusers: the 340 KiB sysusers instead of 10 MiB of
  systemd).  Dependencies without alternatives are all added before any
  alternative is chosen, so a choice sees as much of the closure as can be
  known; groups are then settled one at a time, in a fixed order (by the
  name of the package that has them, then field order).
- **Virtual packages** go to PROVIDERS' choice, else to the provider already
  in the closure, else to the provider of highest Priority (required >
  important > standard > optional > extra), then the first by name
  (`awk` -> mawk).
- **base=True** adds what `mmdebstrap --variant=minbase` installs: every
  `Essential: yes` and every `Priority: required` package, with their closure.
- The result is checked: a package that Conflicts with or Breaks another one
  of the closure is a ClosureError (the choices above are then wrong).

`realize_closure` fetches the .debs (one `apt-get download` for all that are
not cached; each checked against the SHA256 of the lists) and extracts them
merged, in name order, into one cached tree with merged /usr (`bin`, `sbin`,
`lib*` are links into `usr/`, as in Debian 12 and 13 systems, and a
package's `bin/x` lands in `usr/bin/x`): provider.realize_debs.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from builders.errors import BuildError
from builders.substitutes import memo
from builders.substitutes.deb import parse_control
from builders.substitutes.directory import compare_versions
from builders.substitutes.provider import (
    SubstituteUnavailable,
    realize_debs,
    record_sha256,
    sha256_file,
    verified_sha256,
)

log = logging.getLogger(__name__)

# Names chosen whenever they satisfy an alternative or provide a virtual package,
# before the first alternative (the order is the order of preference).
PREFERRED: tuple[str, ...] = (
    "systemd-standalone-sysusers",   # systemd | systemd-standalone-sysusers | systemd-sysusers
    "systemd-standalone-tmpfiles",   # systemd | systemd-standalone-tmpfiles | systemd-tmpfiles
)

# Virtual package -> the provider chosen when none is in the closure yet.
PROVIDERS: dict[str, str] = {
    "awk": "mawk",                       # what Debian's minbase has
    "systemd-sysusers": "systemd-standalone-sysusers",
    "systemd-tmpfiles": "systemd-standalone-tmpfiles",
    "mail-transport-agent": "exim4-daemon-light",
    # Guix System has no systemd: its session bus is dbus-launch's and its logind elogind
    # (dbus-user-session and libpam-systemd would pull systemd in, which conflicts with elogind).
    "default-dbus-session-bus": "dbus-x11",
    "dbus-session-bus": "dbus-x11",
    "default-logind": "libpam-elogind",
    "logind": "libpam-elogind",
}

PRIORITY_RANK = {"required": 0, "important": 1, "standard": 2, "optional": 3, "extra": 4}


class ClosureError(BuildError):
    """The closure cannot be computed: a package is unknown or a dependency cannot be satisfied."""


# -- relations -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """One alternative of a dependency: NAME [(OP VERSION)]."""

    name: str
    op: str | None = None
    version: str | None = None

    def __str__(self) -> str:
        return f"{self.name} ({self.op} {self.version})" if self.op else self.name


_RELATION = re.compile(r"^\s*([a-z0-9][a-z0-9+.-]*)(?::([a-z0-9-]+))?\s*(?:\(\s*([<>=]+)\s*([^)\s]+)\s*\))?\s*(.*)$")


@functools.lru_cache(maxsize=65536)
def parse_relations(text: str) -> tuple[tuple[Relation, ...], ...]:
    """A Depends-like field: a tuple of groups of alternatives ('a | b (>= 1), c')."""
    groups = []
    for part in text.replace("\n", " ").split(","):
        if not part.strip():
            continue
        alternatives = []
        for alt in part.split("|"):
            m = _RELATION.match(alt)
            if not m:
                raise ClosureError(f"cannot read the relation '{alt.strip()}' in '{text.strip()}'")
            name, _qualifier, op, version, rest = m.groups()
            if rest and not rest.startswith(("[", "<")):        # [arch] and <profile>: not in binary indices
                raise ClosureError(f"cannot read the relation '{alt.strip()}' in '{text.strip()}'")
            op = {"<": "<=", ">": ">="}.get(op, op) if op else None
            alternatives.append(Relation(name, op, version if op else None))
        groups.append(tuple(alternatives))
    return tuple(groups)


def version_satisfies(version: str, op: str | None, wanted: str | None) -> bool:
    if op is None or wanted is None:
        return True
    c = compare_versions(version, wanted)
    return {"<<": c < 0, "<=": c <= 0, "=": c == 0, ">=": c >= 0, ">>": c > 0}.get(op, False)


# -- the index -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Package:
    """One package of a closure: enough to fetch and verify its .deb."""

    name: str
    version: str
    architecture: str
    filename: str                        # in the archive: pool/main/...
    sha256: str
    size: int = 0
    installed_size: int = 0              # KiB
    essential: bool = False

    @property
    def deb_name(self) -> str:
        return os.path.basename(self.filename) or f"{self.name}_{self.version}_{self.architecture}.deb"


@dataclass
class Record:
    """A candidate's fields (parsed when first needed)."""

    fields: dict[str, str]

    @property
    def name(self) -> str:
        return self.fields["Package"]

    @property
    def version(self) -> str:
        return self.fields.get("Version", "")

    @functools.cached_property
    def depends(self) -> tuple[tuple[Relation, ...], ...]:
        text = ", ".join(t for t in (self.fields.get("Pre-Depends", ""), self.fields.get("Depends", "")) if t)
        return parse_relations(text)

    @functools.cached_property
    def provides(self) -> tuple[Relation, ...]:
        return tuple(g[0] for g in parse_relations(self.fields.get("Provides", "")))

    @functools.cached_property
    def conflicts(self) -> tuple[tuple[Relation, ...], ...]:
        text = ", ".join(t for t in (self.fields.get("Conflicts", ""), self.fields.get("Breaks", "")) if t)
        return parse_relations(text)

    @property
    def priority(self) -> int:
        return PRIORITY_RANK.get(self.fields.get("Priority", "optional"), 3)

    def package(self) -> Package:
        f = self.fields

        def number(key: str) -> int:
            try:
                return int(f.get(key, "0"))
            except ValueError:
                return 0

        return Package(self.name, self.version, f.get("Architecture", ""), f.get("Filename", ""),
                       f.get("SHA256", ""), number("Size"), number("Installed-Size"),
                       f.get("Essential", "").lower() == "yes")


def _stanza_field(stanza: bytes, key: bytes) -> bytes | None:
    """The value of field KEY (not the first) of STANZA, continuation lines included."""
    i = stanza.find(b"\n" + key + b": ")
    if i < 0:
        return None
    start = i + len(key) + 3
    end = stanza.find(b"\n", start)
    while end >= 0 and stanza[end + 1:end + 2] in (b" ", b"\t"):
        end = stanza.find(b"\n", end + 1)
    return stanza[start:] if end < 0 else stanza[start:end]


def _version(stanza: bytes) -> str:
    return (_stanza_field(stanza, b"Version") or b"").decode("ascii", "replace").strip()


def _known_version(entry: tuple[int, str | None, bytes | dict[str, str]]) -> str:
    rank, version, raw = entry
    if version is not None:
        return version
    return _version(raw) if isinstance(raw, bytes) else raw.get("Version", "")


class PackageIndex:
    """The candidate of every package name in some Packages indices, and who provides what."""

    def __init__(self) -> None:
        # name -> (rank, version (None: not read yet), raw stanza or fields)
        self._stanzas: dict[str, tuple[int, str | None, bytes | dict[str, str]]] = {}
        self._records: dict[str, Record] = {}
        self._provides: dict[str, list[str]] | None = None
        self._base: list[str] = []
        self.sources: list[str] = []

    # Loading.  Only the Package line of each stanza is read up front (and the
    # Version of names seen twice): 69,000 stanzas of trixie amd64 in ~0.4 s.

    def add_packages_file(self, data: bytes, origin: str = "", *, rank: int = 0) -> None:
        """Add the stanzas of one Packages file; RANK 1 for NotAutomatic suites (used only as a fall-back)."""
        self.sources.append(origin)
        self._provides = None
        stanzas = self._stanzas
        for stanza in data.split(b"\n\n"):
            if not stanza.startswith(b"Package: "):
                stanza = stanza.lstrip(b"\n")
                if not stanza.startswith(b"Package: "):
                    continue
            name = stanza[9:stanza.find(b"\n")].decode("ascii", "replace").strip()
            old = stanzas.get(name)
            if old is None:
                stanzas[name] = (rank, None, stanza)        # the Version is read only if NAME comes again
                continue
            version = _version(stanza)
            if rank < old[0] or (rank == old[0] and compare_versions(version, _known_version(old)) > 0):
                stanzas[name] = (rank, version, stanza)

    def add_record(self, fields: Mapping[str, str], *, rank: int = 0) -> None:
        """Add one package given by its control fields (a .deb of a --substitutes directory)."""
        name, version = fields.get("Package", ""), fields.get("Version", "")
        if not name:
            return
        self._provides = None
        old = self._stanzas.get(name)
        if old is None or rank < old[0] or (rank == old[0] and compare_versions(version, _known_version(old)) > 0):
            self._stanzas[name] = (rank, version, dict(fields))

    # Queries.

    def __contains__(self, name: str) -> bool:
        return name in self._stanzas

    def __len__(self) -> int:
        return len(self._stanzas)

    def get(self, name: str) -> Record | None:
        record = self._records.get(name)
        if record is None:
            entry = self._stanzas.get(name)
            if entry is None:
                return None
            raw = entry[2]
            fields = parse_control(raw.decode("utf-8", "replace")) if isinstance(raw, bytes) else dict(raw)
            record = self._records[name] = Record(fields)
        return record

    def providers(self, virtual: str) -> list[str]:
        """The candidates that Provide VIRTUAL (sorted)."""
        if self._provides is None:
            provides: dict[str, set[str]] = {}
            for name, (_, _, raw) in self._stanzas.items():
                if isinstance(raw, bytes):
                    field_ = _stanza_field(raw, b"Provides")
                    text = field_.decode("utf-8", "replace") if field_ is not None else ""
                else:
                    text = raw.get("Provides", "")
                for group in parse_relations(text) if text else ():
                    provides.setdefault(group[0].name, set()).add(name)
            self._provides = {k: sorted(v) for k, v in provides.items()}
        return self._provides.get(virtual, [])

    def base_names(self) -> list[str]:
        """Every Essential: yes or Priority: required candidate (sorted): mmdebstrap's minbase."""
        out = []
        for name, (_, _, raw) in self._stanzas.items():
            if isinstance(raw, bytes):
                if b"\nEssential: yes" in raw or b"\nPriority: required" in raw:
                    out.append(name)
            elif raw.get("Essential", "").lower() == "yes" or raw.get("Priority") == "required":
                out.append(name)
        return sorted(out)

    def satisfiers(self, rel: Relation) -> list[str]:
        """The packages that satisfy REL: the real package first, then its providers."""
        out = []
        record = self.get(rel.name)
        if record is not None and version_satisfies(record.version, rel.op, rel.version):
            out.append(rel.name)
        for provider in self.providers(rel.name):
            if provider in out:
                continue
            if rel.op is None:
                out.append(provider)
                continue
            record = self.get(provider)
            assert record is not None
            if any(p.name == rel.name and p.op == "=" and p.version is not None
                   and version_satisfies(p.version, rel.op, rel.version) for p in record.provides):
                out.append(provider)
        return out


# -- reading the private apt state's lists ---------------------------------------------------------

_COMPRESSED = (".gz", ".xz", ".lz4", ".zst", ".bz2", ".lzma")


def _read_list(path: Path) -> bytes:
    if not path.name.endswith(_COMPRESSED):
        return path.read_bytes()
    if path.name.endswith(".gz"):
        import gzip

        return gzip.decompress(path.read_bytes())
    if path.name.endswith(".xz") or path.name.endswith(".lzma"):
        import lzma

        return lzma.decompress(path.read_bytes())
    # lz4, zstd, bzip2 (a host's Acquire::GzipIndexes): apt's own reader.
    helper = "/usr/lib/apt/apt-helper"
    try:
        return subprocess.run([helper, "cat-file", os.fspath(path)], check=True, capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ClosureError(f"cannot read the package list {path}: {exc}") from None


def _not_automatic(lists: Path, packages_file: str) -> bool:
    """Whether the suite of PACKAGES_FILE says NotAutomatic: yes (backports, experimental)."""
    prefix = packages_file.split("_dists_", 1)
    if len(prefix) != 2:
        return False
    suite = prefix[1].split("_", 1)[0]
    for name in (f"{prefix[0]}_dists_{suite}_InRelease", f"{prefix[0]}_dists_{suite}_Release"):
        try:
            head = (lists / name).read_bytes()[:4096]
        except OSError:
            continue
        return b"\nNotAutomatic: yes" in head
    return False


def packages_files(lists: Path) -> list[Path]:
    """The Packages indices in an apt lists directory (sorted)."""
    try:
        names = sorted(e.name for e in os.scandir(lists) if e.is_file())
    except OSError:
        return []
    return [lists / n for n in names if re.search(r"_Packages(\.[a-z0-9]+)?$", n)]


_INDEX_CACHE: dict[tuple[str, str], PackageIndex] = {}


def lists_signature(lists: Path) -> str:
    """A digest of the Packages files in LISTS (names, sizes, modification times): it changes
    when apt updates them."""
    return hashlib.sha256("\n".join(
        f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in packages_files(lists)).encode()).hexdigest()


def load_index(lists: Path) -> PackageIndex:
    """The index of the Packages files in LISTS (kept for the process while the files stay the same)."""
    files = packages_files(lists)
    key = (os.fspath(lists), lists_signature(lists))
    index = _INDEX_CACHE.get(key)
    if index is None:
        started = time.monotonic()
        index = PackageIndex()
        for path in files:
            index.add_packages_file(_read_list(path), path.name, rank=1 if _not_automatic(lists, path.name) else 0)
        log.debug("indexed %d packages of %s in %.2f s", len(index), lists, time.monotonic() - started)
        _INDEX_CACHE.clear()  # one index at a time: ~100 MB each
        _INDEX_CACHE[key] = index
    return index


# -- the closure ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Closure:
    """The packages (sorted by name) an installed system of REQUESTED needs on ARCH."""

    arch: str
    release: str                                   # the apt state's key: "trixie", "sources-..."
    requested: tuple[str, ...]
    base: bool
    packages: tuple[Package, ...]
    choices: tuple[tuple[str, str, str], ...] = field(default=(), compare=False)  # (package, group, chosen)

    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.packages)

    def versions(self) -> dict[str, str]:
        return {p.name: p.version for p in self.packages}

    def __iter__(self) -> Iterator[Package]:
        return iter(self.packages)

    def __len__(self) -> int:
        return len(self.packages)

    def __contains__(self, name: object) -> bool:
        return any(p.name == name for p in self.packages)

    @property
    def key(self) -> str:
        """A digest of what the closure holds (names, versions, architectures, sha256s)."""
        text = "\n".join(f"{p.name} {p.version} {p.architecture} {p.sha256}" for p in self.packages)
        return hashlib.sha256(text.encode()).hexdigest()


def _preference(names: Sequence[str], prefer: Sequence[str]) -> str | None:
    for wanted in prefer:
        if wanted in names:
            return wanted
    return None


def resolve(index: PackageIndex, names: Iterable[str], *, base: bool = False,
            prefer: Sequence[str] = PREFERRED, providers: Mapping[str, str] | None = None,
            arch: str = "", release: str = "") -> Closure:
    """The closure of NAMES in INDEX (see the module's docstring)."""
    chosen_providers = PROVIDERS if providers is None else providers
    requested = tuple(sorted(set(names)))
    selected: dict[str, Record] = {}
    why: dict[str, str] = {}
    choices: list[tuple[str, str, str]] = []

    def pick_virtual(name: str, candidates: list[str]) -> str:
        preferred = _preference(candidates, prefer)
        if preferred:
            return preferred
        if chosen_providers.get(name) in candidates:
            return chosen_providers[name]
        return min(candidates, key=lambda c: (index.get(c).priority, c))  # type: ignore[union-attr]

    def root(name: str) -> str:
        if name in index:
            return name
        candidates = index.providers(name)
        if not candidates:
            raise ClosureError(f"no package '{name}' for {arch or 'this architecture'} in the {release or ''} "
                               "package lists".replace("  ", " "))
        return pick_virtual(name, candidates)

    roots = {root(n): "requested" for n in requested}
    if base:
        for name in index.base_names():
            roots.setdefault(name, "base (Essential or Priority: required)")
    pending: list[tuple[str, int, tuple[Relation, ...]]] = []

    def satisfiers(group: tuple[Relation, ...]) -> list[str]:
        return list(dict.fromkeys(s for rel in group for s in index.satisfiers(rel)))

    def unsatisfiable(owner: str, group: tuple[Relation, ...]) -> ClosureError:
        have = []
        for rel in group:
            record = index.get(rel.name)
            have.append(f"{rel.name} {record.version}" if record else f"no {rel.name}")
        return ClosureError(f"{owner} depends on {' | '.join(map(str, group))}, which nothing in the package "
                            f"lists satisfies ({', '.join(have)}); {owner} is needed because {_chain(owner, why)}")

    def add(name: str, reason: str) -> None:
        stack = [(name, reason)]
        while stack:
            pkg, because = stack.pop()
            if pkg in selected:
                continue
            record = index.get(pkg)
            if record is None:
                raise ClosureError(f"'{pkg}' is not in the package lists ({because})")
            selected[pkg] = record
            why[pkg] = because
            for i, group in enumerate(record.depends):
                found = satisfiers(group)
                if not found:
                    raise unsatisfiable(pkg, group)
                if any(s in selected for s in found):
                    continue
                if len(found) == 1:          # no choice: added at once
                    stack.append((found[0], f"{pkg} depends on {' | '.join(map(str, group))}"))
                else:                        # settled once everything without a choice is in
                    pending.append((pkg, i, group))

    for name in sorted(roots):
        add(name, roots[name])
    while pending:
        pending.sort(key=lambda t: (t[0], t[1]))
        owner, _, group = pending.pop(0)
        found = satisfiers(group)
        if any(s in selected for s in found):
            continue
        preferred = _preference(found, prefer)
        if preferred is None:
            first = next(rel for rel in group if index.satisfiers(rel))
            direct = index.satisfiers(first)
            preferred = first.name if first.name in direct else pick_virtual(first.name, direct)
        choices.append((owner, " | ".join(map(str, group)), preferred))
        add(preferred, f"{owner} depends on {' | '.join(map(str, group))}")
    _check_conflicts(selected)
    packages = tuple(selected[n].package() for n in sorted(selected))
    return Closure(arch=arch, release=release, requested=requested, base=base, packages=packages,
                   choices=tuple(sorted(choices)))


def _chain(name: str, why: Mapping[str, str]) -> str:
    steps = []
    seen = set()
    current = name
    while current in why and current not in seen:
        seen.add(current)
        reason = why[current]
        steps.append(reason)
        if " depends on " not in reason:
            break
        current = reason.split(" depends on ", 1)[0]
    return "; ".join(steps) or "requested"


def _check_conflicts(selected: Mapping[str, Record]) -> None:
    provided: dict[str, list[tuple[str, Relation]]] = {}
    for name, record in selected.items():
        provided.setdefault(name, []).append((name, Relation(name, "=", record.version)))
        for rel in record.provides:
            provided.setdefault(rel.name, []).append((name, rel))
    for name, record in sorted(selected.items()):
        for group in record.conflicts:
            for rel in group:
                for other, how in provided.get(rel.name, []):
                    if other == name:
                        continue   # a package may conflict with what it provides itself
                    if rel.op is not None and not (how.op == "=" and how.version is not None
                                                   and version_satisfies(how.version, rel.op, rel.version)):
                        continue
                    raise ClosureError(f"{name} {record.version} conflicts with (or breaks) {other} "
                                       f"{selected[other].version} ({rel}); both are in the closure",
                                       "request one of them explicitly, or change the preferences of "
                                       "builders/substitutes/closure.py")


def _apt_of(provider):
    """The AptProvider of PROVIDER (itself, or a member of a chain), or None."""
    from builders.substitutes.apt import AptProvider

    for member in getattr(provider, "providers", None) or [provider]:
        if isinstance(member, AptProvider):
            return member
    return None


def _directories_of(provider) -> list:
    from builders.substitutes.directory import DirectoryProvider

    return [m for m in getattr(provider, "providers", None) or [provider] if isinstance(m, DirectoryProvider)]


def closure(names: Iterable[str], arch: str, *, provider=None, release: str | None = None, base: bool = False,
            prefer: Sequence[str] = PREFERRED, providers: Mapping[str, str] | None = None) -> Closure:
    """The dependency closure of the Debian packages NAMES on ARCH (see the module's docstring).

    PROVIDER is an AptProvider, a DirectoryProvider (the .debs of a
    --substitutes directory are the index then) or a chain of them (the
    directory's packages take part, with the archive's); None: an AptProvider
    of RELEASE.  BASE adds the minbase set (Essential and required packages).
    """
    from builders.substitutes.apt import AptProvider

    if provider is None:
        provider = AptProvider(release=release)
    apt = _apt_of(provider)
    if apt is None and not _directories_of(provider):
        raise ClosureError(f"no package index to compute a closure from (provider {provider!r})")
    names = list(names)
    signature = index_signature(provider, arch)
    digest = memo.key("closure", signature, memo.code_digest(__file__), names, arch, base, list(prefer),
                      sorted((providers or {}).items())) if signature is not None else None
    if digest is not None and (known := _from_memo(memo.read("closures", digest))) is not None:
        return known
    index = package_index(provider, arch)
    label = apt.state_key if apt is not None and apt._has_lists(arch) else "directory"
    started = time.monotonic()
    result = resolve(index, names, base=base, prefer=prefer, providers=providers, arch=arch, release=label)
    log.debug("closure of %d names (%s): %d packages in %.2f s", len(result.requested), arch, len(result),
              time.monotonic() - started)
    if digest is not None:
        memo.write("closures", digest, dataclasses.asdict(result))
    return result


def _from_memo(data) -> Closure | None:
    """The Closure a memo entry holds (memo.py), or None when it is not one."""
    try:
        return Closure(arch=data["arch"], release=data["release"], requested=tuple(data["requested"]),
                       base=data["base"], packages=tuple(Package(**p) for p in data["packages"]),
                       choices=tuple(tuple(c) for c in data["choices"]))
    except (KeyError, TypeError):
        return None


# -- fetching and extracting ---------------------------------------------------------------------------

DOWNLOAD_BATCH = 200   # packages per `apt-get download` call


def fetch_closure(provider, result: Closure) -> list[Path]:
    """The .deb file of every package of RESULT, in order: from a --substitutes
    directory when it has that very version, else from the cache or the archive
    (downloaded together), each checked against the lists' SHA256."""
    from builders.substitutes.directory import DirectoryProvider

    paths: dict[str, Path] = {}
    for directory in _directories_of(provider):
        assert isinstance(directory, DirectoryProvider)
        for package in result.packages:
            if package.name in paths:
                continue
            for entry in directory.index:
                if (entry.package == package.name and entry.version == package.version
                        and entry.architecture == package.architecture):
                    paths[package.name] = entry.path
                    break
    missing = [p for p in result.packages if p.name not in paths]
    if missing:
        apt = _apt_of(provider)
        if apt is None:
            raise SubstituteUnavailable(missing[0].name, result.arch,
                                        f"{len(missing)} packages of the closure are not in the --substitutes "
                                        f"directory: {', '.join(p.name + ' ' + p.version for p in missing[:10])}")
        paths.update(download(apt, missing, result.arch))
    return [paths[p.name] for p in result.packages]


def download(apt, packages: Sequence[Package], arch: str) -> dict[str, Path]:
    """PACKAGES' .debs in APT's cache (debs/ARCH/), downloading those not there with one
    `apt-get download` per DOWNLOAD_BATCH; each checked against its SHA256."""
    debs = apt.deb_dir(arch)
    out: dict[str, Path] = {}
    wanted = []
    for package in packages:
        target = debs / package.deb_name
        if package.sha256 and verified_sha256(target) == package.sha256:
            out[package.name] = target
        else:
            wanted.append(package)
    if not wanted:
        return out
    with apt._locked(arch):
        debs.mkdir(parents=True, exist_ok=True)
        for stale in debs.glob(".download.*"):
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=".download.", dir=debs))
        try:
            started = time.monotonic()
            for i in range(0, len(wanted), DOWNLOAD_BATCH):
                batch = wanted[i:i + DOWNLOAD_BATCH]
                apt._run_apt("apt-get", arch, ["download", *(f"{p.name}={p.version}" for p in batch)],
                             batch[0].name if len(batch) == 1 else f"{batch[0].name} (and {len(batch) - 1} more)",
                             cwd=tmp)
            by_name = {}
            for path in tmp.iterdir():
                if path.suffix == ".deb":
                    by_name[path.name] = path
            total = 0
            for package in wanted:
                got = _downloaded(by_name, package)
                if got is None:
                    raise SubstituteUnavailable(package.name, arch,
                                                f"apt-get download gave no {package.deb_name}")
                digest = sha256_file(got)
                if package.sha256 and digest != package.sha256:
                    raise SubstituteUnavailable(package.name, arch, f"{got.name}: sha256 {digest} differs from "
                                                f"the archive's {package.sha256}")
                target = debs / package.deb_name
                total += got.stat().st_size
                os.replace(got, target)
                record_sha256(target, digest)
                out[package.name] = target
            log.info("downloaded %d packages (%d bytes) in %.1f s", len(wanted), total, time.monotonic() - started)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def _downloaded(by_name: Mapping[str, Path], package: Package) -> Path | None:
    if package.deb_name in by_name:
        return by_name[package.deb_name]
    # apt names the file NAME_VERSION_ARCH.deb with the epoch's ':' as '%3a'; the pool's name has no epoch.
    version = package.version.replace(":", "%3a")
    for candidate in (f"{package.name}_{version}_{package.architecture}.deb",
                      f"{package.name}_{package.version.split(':', 1)[-1]}_{package.architecture}.deb"):
        if candidate in by_name:
            return by_name[candidate]
    return None


def realize_closure(provider, result: Closure, *, cache: Path | None = None) -> Path:
    """RESULT's packages fetched, verified and extracted into one cached tree with merged /usr."""
    debs = fetch_closure(provider, result)
    return realize_debs([(p.name, path) for p, path in zip(result.packages, debs, strict=True)],
                        cache=cache, usr_merge=True)


__all__ = [
    "PREFERRED",
    "PROVIDERS",
    "Closure",
    "ClosureError",
    "Package",
    "PackageIndex",
    "Relation",
    "closure",
    "download",
    "fetch_closure",
    "index_signature",
    "lists_signature",
    "load_index",
    "parse_relations",
    "realize_closure",
    "resolve",
    "version_satisfies",
]


def index_signature(provider, arch: str) -> str | None:
    """A digest that changes when PROVIDER's package index for ARCH does: that of the apt
    lists (refreshed first when a day old, as package_index does); None when the index is
    not apt's alone (a --substitutes directory takes part)."""
    apt = _apt_of(provider)
    if apt is None or _directories_of(provider):
        return None
    try:
        with apt._locked(arch):
            apt.ensure_lists(arch)
            lists = apt.state_dir(arch) / "lists"
            return hashlib.sha256(f"{apt.state_key}\0{lists_signature(lists)}".encode()).hexdigest()
    except SubstituteUnavailable:
        return None


def package_index(provider, arch: str) -> PackageIndex:
    """The package index of PROVIDER's Debian release for ARCH (the lists apt verified), for
    looking names up; a provider without lists (a --substitutes directory) gives its own .debs."""
    apt = _apt_of(provider)
    directories = _directories_of(provider)
    index = PackageIndex()
    if apt is not None:
        try:
            with apt._locked(arch):
                apt.ensure_lists(arch)
                index = load_index(apt.state_dir(arch) / "lists")
        except SubstituteUnavailable as exc:
            if not directories:
                raise
            log.warning("no %s package lists (%s): the index comes from the --substitutes directory alone",
                        arch, exc.reason)
    if directories:
        merged = PackageIndex()   # never add to the shared, cached index
        merged._stanzas = dict(index._stanzas)
        index = merged
    for directory in directories:
        for entry in directory.index:
            if entry.architecture in (arch, "all"):
                index.add_record(entry.fields, rank=-1)  # the --substitutes directory comes first
    return index
