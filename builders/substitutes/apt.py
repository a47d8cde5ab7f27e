"""Substitutes from the Debian archive through the host's own apt, without root.

Every Debian release and architecture, the native one included, gets a
PRIVATE apt state under the substitute cache (apt/<release>/<arch>/): its own
sources list, package lists, package cache, empty dpkg status and a small
configuration file.  apt is pointed at it with `-o Dir::State=... -o
Dir::State::Lists=... -o Dir::Cache=... -o Dir::Etc::sourcelist=...` and told
that ARCH is the only architecture (`APT::Architecture`, `APT::Architectures`).
The host's dpkg database and configuration are never read for package state
nor changed: no `dpkg --add-architecture`, no root.  (Checked on Debian 12
amd64: arm64, armhf, i386 and riscv64 lists and downloads work this way.)

Which release: Debian 13 "trixie" unless the build says otherwise
(`--debian-release bookworm`).  The sources list is generated for it
(`RELEASES`): deb.debian.org/debian RELEASE and RELEASE-updates, and
deb.debian.org/debian-security RELEASE-security, main only, each Signed-By the
release's own keyrings in /usr/share/keyrings (debian-archive-keyring).  The
host's sources are never used.  PYGUIX_APT_SOURCES=FILE (a one-line or deb822
.sources file) replaces the generated list; its state is then keyed by the
file's path and content (apt/sources-<digest>/<arch>/), so two lists never
share package lists.  .debs are cached per architecture only
(debs/<arch>/): the archive's pool never gives one file name two contents,
and every reuse is checked against the sha256 of the selected lists.

`apt-get update` runs in that state when its lists are missing or older
than a day (a failed refresh with lists present only warns, so cached builds
work offline).  `apt-get download` verifies each .deb against the hashes of
the signed lists; we additionally record the sha256 beside the cached file
and check it, and the list's SHA256, whenever the file is reused.

Meta packages (linux-image-cloud-amd64 -> linux-image-6.12.NN+deb13-cloud-amd64)
and purely virtual packages with a single provider are resolved with
`apt-cache show` / `apt-cache showpkg` in the same private state.
Dependency closures (closure.py) are computed from the same lists.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from builders.errors import BuildError
from builders.run import ToolFailed, ToolMissing, run
from builders.substitutes.deb import parse_control
from builders.substitutes.provider import (
    ProviderBase,
    SubstituteUnavailable,
    cache_root,
    record_sha256,
    sha256_file,
    verified_sha256,
)

log = logging.getLogger(__name__)

# -- Debian releases ------------------------------------------------------------------------------

DEFAULT_RELEASE = "trixie"  # Debian 13, the current stable release (keep builders/context.py in step)
MIRROR = "http://deb.debian.org/debian"
SECURITY_MIRROR = "http://deb.debian.org/debian-security"
KEYRINGS = Path("/usr/share/keyrings")


@dataclass(frozen=True)
class DebianRelease:
    """A Debian release substitutes may come from, and how its archive is signed."""

    codename: str
    version: int
    keyrings: tuple[str, ...]            # of RELEASE and RELEASE-updates (files in KEYRINGS)
    security_keyrings: tuple[str, ...]   # of RELEASE-security

    def suites(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """(mirror, suite, keyrings) of each suite its sources list names."""
        return [
            (MIRROR, self.codename, self.keyrings),
            (MIRROR, f"{self.codename}-updates", self.keyrings),
            (SECURITY_MIRROR, f"{self.codename}-security", self.security_keyrings),
        ]


RELEASES: dict[str, DebianRelease] = {
    "bookworm": DebianRelease(
        "bookworm", 12,
        ("debian-archive-bookworm-stable.gpg", "debian-archive-bookworm-automatic.gpg"),
        ("debian-archive-bookworm-security-automatic.gpg",),
    ),
    "trixie": DebianRelease(
        "trixie", 13,
        ("debian-archive-trixie-stable.gpg", "debian-archive-trixie-automatic.gpg"),
        ("debian-archive-trixie-security-automatic.gpg",),
    ),
}  # fmt: skip


def debian_release(name: str | None) -> DebianRelease:
    """The release called NAME (a codename, or its version number: "13"); None: the default."""
    key = (name or DEFAULT_RELEASE).strip().lower()
    for release in RELEASES.values():
        if key in (release.codename, str(release.version)):
            return release
    known = ", ".join(f"{r.codename} ({r.version})" for r in RELEASES.values())
    raise BuildError(f"unknown Debian release '{name}'", f"pyguix takes substitutes from {known}")


def release_sources(release: DebianRelease, keyrings: Path = KEYRINGS) -> str:
    """The deb822 sources list of RELEASE (main), each suite Signed-By the release's keyrings."""
    stanzas = []
    for mirror, suite, names in release.suites():
        paths = [keyrings / n for n in names]
        present = [p for p in paths if p.is_file()]
        if not present:
            raise BuildError(
                f"no keyring to check Debian {release.version} ({release.codename}) packages with: "
                f"{', '.join(map(str, paths))} missing",
                "install a debian-archive-keyring that knows the release (apt-get install debian-archive-keyring), "
                "or name an apt sources file with PYGUIX_APT_SOURCES=FILE",
            )
        stanzas.append(f"Types: deb\nURIs: {mirror}\nSuites: {suite}\nComponents: main\n"
                       f"Signed-By: {' '.join(map(str, present))}\n")
    header = f"# pyguix: Debian {release.version} ({release.codename}) for substitutes (generated; do not edit)\n"
    return header + "\n".join(stanzas)


MAX_LIST_AGE = 24 * 3600  # seconds; older lists are refreshed
RETRY_AFTER_FAILURE = 3600  # seconds between refresh attempts once one failed (lists present)
SOURCES_ENV = "PYGUIX_APT_SOURCES"  # a sources.list (one-line or deb822 .sources) replacing the release's
PROXY_VARIABLES = ("http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")
MAX_META_DEPTH = 4
META_SECTIONS = ("kernel", "metapackages")
META_MAX_INSTALLED_SIZE = 100  # KiB: a meta package ships only its documentation

# Read after the host's configuration (`-c`): the host's hooks must not run
# for our private state, only the Packages indices are wanted, and they are
# kept uncompressed (closure.py reads them; a host may ask for lz4 lists).
PRIVATE_APT_CONF = """\
// pyguix: private apt state for substitutes (generated; do not edit)
#clear APT::Update::Pre-Invoke;
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
#clear DPkg::Pre-Invoke;
#clear DPkg::Post-Invoke;
Acquire::Languages "none";
Acquire::GzipIndexes "false";
Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled "false";
Acquire::IndexTargets::deb::DEP-11::DefaultEnabled "false";
Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled "false";
Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled "false";
Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled "false";
Acquire::IndexTargets::deb::DEP-11-icons-large::DefaultEnabled "false";
Acquire::IndexTargets::deb::DEP-11-icons-large-hidpi::DefaultEnabled "false";
"""

NETWORK_HINT = (
    "the Debian archive could not be reached; check the network (or proxy), "
    "or build offline from a directory of .deb files with --substitutes DIR"
)
NETWORK_PATTERNS = (
    "Could not resolve",
    "Temporary failure resolving",
    "Failed to fetch",
    "Unable to connect",
    "Could not connect",
    "Connection failed",
    "Connection timed out",
    "Network is unreachable",
    "No route to host",
    "Some index files failed to download",
    "Unable to fetch some archives",
)


def _apt_messages(stderr: str) -> str:
    """apt's error lines (E:), else its warnings, else the tail of STDERR, on one line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line[3:] for line in lines if line.startswith("E: ")]
    if not errors:
        errors = [line[3:] for line in lines if line.startswith("W: ")]
    if not errors:
        errors = lines[-3:]
    return "; ".join(errors) or "no message"


def _is_network_error(text: str) -> bool:
    return any(p in text for p in NETWORK_PATTERNS)


_MACHINE_ARCHITECTURES = {
    "x86_64": "amd64", "amd64": "amd64", "i686": "i386", "i386": "i386", "aarch64": "arm64",
    "arm64": "arm64", "armv7l": "armhf", "riscv64": "riscv64", "ppc64le": "ppc64el",
}  # fmt: skip


def _world_writable(folder: str) -> bool:
    """Whether FOLDER is a sticky folder everyone may write in (as /tmp is)."""
    try:
        st = os.stat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_mode & 0o1777 == 0o1777


def native_architecture() -> str:
    """The Debian architecture of this machine (from uname, not dpkg)."""
    import platform

    machine = platform.machine()
    return _MACHINE_ARCHITECTURES.get(machine, machine)


def _first_dependency(depends: str) -> str | None:
    """The package name of the first alternative of the first entry of a Depends field."""
    first = depends.split(",")[0].split("|")[0].strip()
    name = re.split(r"[\s(\[:]", first, maxsplit=1)[0]
    return name or None


class AptProvider(ProviderBase):
    """Debian packages of one RELEASE downloaded with `apt-get download`, in a
    private apt state per release and architecture."""

    name = "apt"

    def __init__(
        self,
        cache: str | os.PathLike[str] | None = None,
        *,
        release: str | None = None,
        max_list_age: float = MAX_LIST_AGE,
        sources: str | os.PathLike[str] | None = None,
        retries: int | None = None,
    ) -> None:
        # Absolute: apt reads relative Dir:: paths against its own root, not ours.
        self.cache = (Path(cache) if cache is not None else cache_root()).expanduser().absolute()
        self.release = debian_release(release)
        self.max_list_age = max_list_age
        src = sources if sources is not None else os.environ.get(SOURCES_ENV)
        self.sources = Path(src).absolute() if src else None
        self.retries = retries  # Acquire::Retries for every apt call; None: apt's default
        self._updated: set[str] = set()
        self._resolved: dict[tuple[str, str], dict[str, str]] = {}

    # -- private state ------------------------------------------------------

    @functools.cached_property
    def state_key(self) -> str:
        """What the private states of this provider are keyed by: the release's
        codename, or `sources-DIGEST` of an explicit PYGUIX_APT_SOURCES file
        (its path and content)."""
        if self.sources is None:
            return self.release.codename
        try:
            content = self.sources.read_bytes()
        except OSError:
            content = b""  # apt reports the missing file when it is used
        digest = hashlib.sha256(os.fsencode(self.sources) + b"\0" + content).hexdigest()[:16]
        return f"sources-{digest}"

    @property
    def archive(self) -> str:
        """What packages come from, for messages: "Debian 13 (trixie)", or the sources file."""
        if self.sources is not None:
            return f"{SOURCES_ENV}={self.sources}"
        return f"Debian {self.release.version} ({self.release.codename})"

    def state_dir(self, arch: str) -> Path:
        return self.cache / "apt" / self.state_key / arch

    def deb_dir(self, arch: str) -> Path:
        return self.cache / "debs" / arch

    def sources_file(self, arch: str) -> Path:
        """The sources list apt reads: PYGUIX_APT_SOURCES, else the release's generated list."""
        if self.sources is not None:
            return self.sources
        return self.state_dir(arch) / "pyguix.sources"

    def _prepare_state(self, arch: str) -> Path:
        state = self.state_dir(arch)
        for sub in ("lists/partial", "state", "cache/archives/partial", "sources.d", "tmp"):
            (state / sub).mkdir(parents=True, exist_ok=True)
        status = state / "state" / "status"
        if not status.exists():
            status.touch()
        conf = state / "apt.conf"
        if not conf.exists() or conf.read_text() != PRIVATE_APT_CONF:
            conf.write_text(PRIVATE_APT_CONF)
        if self.sources is None:
            listing = state / "pyguix.sources"
            text = release_sources(self.release)
            if not listing.exists() or listing.read_text() != text:
                tmp = listing.with_name(f".pyguix.sources.{os.getpid()}.tmp")
                tmp.write_text(text)
                os.replace(tmp, listing)
                (state / "updated").unlink(missing_ok=True)  # other sources: the lists are stale
        return state

    def apt_options(self, arch: str) -> list[str]:
        """The apt-get/apt-cache options selecting ARCH's private state."""
        state = self.state_dir(arch)
        opts = [
            "-c", str(state / "apt.conf"),
            "-o", f"Dir::State={state / 'state'}",
            "-o", f"Dir::State::Lists={state / 'lists'}",
            "-o", f"Dir::State::status={state / 'state' / 'status'}",
            "-o", f"Dir::Cache={state / 'cache'}",
            "-o", "Dir::Cache::pkgcache=pkgcache.bin",  # 35 MB; apt-cache 0.3 s a call instead of 0.8 s
            "-o", "Dir::Cache::srcpkgcache=",  # not needed: would be another 35 MB
            "-o", f"APT::Architecture={arch}",
            "-o", f"APT::Architectures={arch}",
        ]  # fmt: skip
        if os.geteuid() == 0:
            # apt would otherwise drop to _apt, who cannot write into a private cache under /root.
            opts += ["-o", "APT::Sandbox::User=root"]
        else:
            # (apt ignores it when not root; the build sandbox's identity has no passwd entry)
            opts += ["-o", f"APT::Sandbox::User={os.environ.get('USER') or os.environ.get('LOGNAME') or 'root'}"]
        if self.retries is not None:
            opts += ["-o", f"Acquire::Retries={self.retries}"]
        # Never the host's sources: the release's own list (or PYGUIX_APT_SOURCES), and an
        # empty sources.d.  (Dir::Etc::sourcelist is named: a deb822 list must end in .sources.)
        opts += ["-o", f"Dir::Etc::sourcelist={self.sources_file(arch).resolve()}",
                 "-o", f"Dir::Etc::sourceparts={state / 'sources.d'}"]  # fmt: skip
        return opts

    def _env(self, arch: str) -> dict[str, str]:
        env = {name: os.environ[name] for name in PROXY_VARIABLES if name in os.environ}
        # apt's signature checks (apt-key merges the Signed-By keyrings into a file in
        # $TMPDIR for gpgv) run without the build sandbox's capability to traverse folders
        # it does not own: a TMPDIR under /root or a pytest 0700 folder -- the private
        # state's too, when the cache is there -- gives "NO_PUBKEY ... is not signed".  The
        # system's temporary folder is reachable by everyone (apt-key makes its own 0700
        # folder in it, owned by whoever runs it).
        env["TMPDIR"] = "/tmp" if _world_writable("/tmp") else str(self.state_dir(arch) / "tmp")
        return env

    @contextlib.contextmanager
    def _locked(self, arch: str) -> Iterator[None]:
        state = self._prepare_state(arch)
        with open(state / "pyguix.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _has_lists(self, arch: str) -> bool:
        """Whether ARCH's state has package lists to work with: any, for a PYGUIX_APT_SOURCES
        file; the release's main suite's, for the generated sources (an update that got only
        the security suite, say, is no list to build from)."""
        lists = self.state_dir(arch) / "lists"
        if self.sources is not None:
            return any(p.name.find("_Packages") >= 0 for p in lists.glob("*Packages*"))
        return any(lists.glob(f"*_dists_{self.release.codename}_main_binary-{arch}_Packages*"))

    def _stamp(self, arch: str) -> Path:
        return self.state_dir(arch) / "updated"

    def _run_apt(self, tool: str, arch: str, args: list[str], package: str, *, cwd: Path | None = None):
        try:
            return run([tool, *self.apt_options(arch), *args], env=self._env(arch), cwd=cwd)
        except ToolMissing as exc:
            raise SubstituteUnavailable(package, arch, f"{tool} is not installed ({exc.message})") from exc
        except ToolFailed as exc:
            message = _apt_messages(exc.stderr)
            command = next((a for a in args if not a.startswith("-") and "::" not in a), "")
            network = _is_network_error(exc.stderr)
            raise SubstituteUnavailable(package, arch, f"{tool} {command}: {message}", network=network,
                                        hint=NETWORK_HINT if network else None) from exc  # fmt: skip

    def update(self, arch: str, package: str = "(package lists)") -> None:
        """Run `apt-get update` in ARCH's private state (caller holds the lock).

        A refresh of existing lists does not retry (a failure falls back to
        those lists at once, so offline builds are not held up by apt's
        back-off); a first update retries as apt does by default.
        """
        self._prepare_state(arch)
        started = time.monotonic()
        args = ["update"] if not self._has_lists(arch) else ["-o", "Acquire::Retries=0", "update"]
        proc = self._run_apt("apt-get", arch, args, package)
        stderr = proc.stderr.decode("utf-8", "replace")
        # apt-get update exits 0 even when some indices failed ("W: Failed to fetch").
        if "Failed to fetch" in stderr or not self._has_lists(arch):
            reason = _apt_messages(stderr) if stderr.strip() else f"{self.archive} has no {arch} packages"
            network = _is_network_error(stderr)
            raise SubstituteUnavailable(
                package, arch, f"apt-get update: {reason}", network=network, hint=NETWORK_HINT if network else None
            )
        self._stamp(arch).touch()
        (self.state_dir(arch) / "update-failed").unlink(missing_ok=True)
        self._updated.add(arch)
        log.info("apt lists for %s (%s) updated in %.1f s", arch, self.state_key, time.monotonic() - started)

    def ensure_lists(self, arch: str, package: str = "(package lists)") -> None:
        """Make sure ARCH's private lists exist and are at most a day old (caller holds the lock)."""
        if arch in self._updated:
            return
        stamp = self._stamp(arch)
        failed = self.state_dir(arch) / "update-failed"
        fresh = self._has_lists(arch) and (
            (stamp.exists() and time.time() - stamp.stat().st_mtime < self.max_list_age)
            or (failed.exists() and time.time() - failed.stat().st_mtime < min(RETRY_AFTER_FAILURE, self.max_list_age))
        )
        if fresh:
            self._updated.add(arch)
            return
        try:
            self.update(arch, package)
        except SubstituteUnavailable as exc:
            if not self._has_lists(arch):
                raise
            log.warning("could not refresh the %s package lists (%s); using the cached ones", arch, exc.reason)
            failed.touch()  # don't try again for a while: offline, or a mirror out of sync
            self._updated.add(arch)

    # -- resolution -----------------------------------------------------------

    def _show(self, name: str, arch: str, requested: str) -> dict[str, str] | None:
        """The candidate record of NAME, or None if NAME has no candidate (unknown or virtual)."""
        try:
            proc = self._run_apt("apt-cache", arch, ["show", "--no-all-versions", name], requested)
        except SubstituteUnavailable as exc:
            if "No packages found" in exc.reason or "Unable to locate" in exc.reason:
                return None
            raise
        text = proc.stdout.decode("utf-8", "replace")
        fields = parse_control(text)
        return fields or None

    def _providers(self, name: str, arch: str, requested: str) -> list[str]:
        try:
            proc = self._run_apt("apt-cache", arch, ["showpkg", name], requested)
        except SubstituteUnavailable:
            return []
        text = proc.stdout.decode("utf-8", "replace")
        _, found, rest = text.partition("Reverse Provides:")
        if not found:
            return []
        names = []
        for line in rest.splitlines():
            word = line.strip().split(" ", 1)[0]
            if word and word not in names:
                names.append(word)
        return names

    def resolve(self, debian_package: str, arch: str) -> dict[str, str]:
        """The apt record of the real package DEBIAN_PACKAGE stands for (meta and virtual resolved)."""
        key = (debian_package, arch)
        if key in self._resolved:
            return self._resolved[key]
        with self._locked(arch):
            self.ensure_lists(arch, debian_package)
            memo = self._load_memo(arch)
            record = memo["records"].get(debian_package)
            if record is None:
                record = self._resolve_locked(debian_package, arch)
                memo["records"][debian_package] = record
                self._save_memo(arch, memo)
        self._resolved[key] = record
        return record

    # Resolutions are remembered on disk while the lists stay the same, so a
    # cached build runs no apt-cache at all (each call costs ~0.15 s).

    def _lists_signature(self, arch: str) -> str:
        entries = sorted(
            f"{e.name}:{e.stat().st_size}:{e.stat().st_mtime_ns}"
            for e in os.scandir(self.state_dir(arch) / "lists")
            if "Packages" in e.name or e.name.endswith("Release")
        )
        return hashlib.sha256("\n".join(entries).encode()).hexdigest()

    def _load_memo(self, arch: str) -> dict:
        signature = self._lists_signature(arch)
        try:
            memo = json.loads((self.state_dir(arch) / "resolved.json").read_text())
            if memo.get("lists") == signature and isinstance(memo.get("records"), dict):
                return memo
        except (OSError, ValueError):
            pass
        return {"lists": signature, "records": {}}

    def _save_memo(self, arch: str, memo: dict) -> None:
        path = self.state_dir(arch) / "resolved.json"
        tmp = path.with_name(f".resolved.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(memo, indent=1, sort_keys=True) + "\n")
        os.replace(tmp, path)

    def _resolve_locked(self, requested: str, arch: str) -> dict[str, str]:
        name = requested
        seen: list[str] = []
        for _ in range(MAX_META_DEPTH + 1):
            seen.append(name)
            record = self._show(name, arch, requested)
            if record is None:
                providers = self._providers(name, arch, requested)
                if len(providers) == 1:
                    name = providers[0]
                    continue
                via = f" (via {' -> '.join(seen)})" if len(seen) > 1 else ""
                if providers:
                    reason = f"'{name}' is a virtual package provided by {', '.join(providers)}; name one of them{via}"
                else:
                    reason = f"apt-cache: Unable to locate package {name} in the {arch} lists of {self.archive}{via}"
                raise SubstituteUnavailable(requested, arch, reason)
            if self._is_meta(record):
                target = _first_dependency(record.get("Depends", ""))
                if target and target not in seen:
                    log.debug("%s (%s): meta package, following %s", name, arch, target)
                    name = target
                    continue
            return record
        raise SubstituteUnavailable(requested, arch, f"meta package chain too long: {' -> '.join(seen)}")

    @staticmethod
    def _is_meta(record: dict[str, str]) -> bool:
        if not record.get("Depends"):
            return False
        try:
            size = int(record.get("Installed-Size", "0"))
        except ValueError:
            return False
        section = record.get("Section", "").rsplit("/", 1)[-1]
        return section in META_SECTIONS and size <= META_MAX_INSTALLED_SIZE

    # -- fetching -------------------------------------------------------------

    def fetch(self, debian_package: str, arch: str) -> Path:
        if arch == "all":  # Architecture: all packages are in every architecture's lists
            arch = native_architecture()
        record = self.resolve(debian_package, arch)
        package = record["Package"]
        expected = record.get("SHA256")
        filename = os.path.basename(record.get("Filename", "")) or f"{package}_{record.get('Version')}_{arch}.deb"
        debs = self.deb_dir(arch)
        target = debs / filename
        cached = verified_sha256(target)
        if cached is not None and (expected is None or cached == expected):
            return target
        with self._locked(arch):
            cached = verified_sha256(target)
            if cached is not None and (expected is None or cached == expected):
                return target
            debs.mkdir(parents=True, exist_ok=True)
            for stale in debs.glob(".download.*"):  # left by a killed run: downloads hold this lock
                shutil.rmtree(stale, ignore_errors=True)
            tmp = Path(tempfile.mkdtemp(prefix=".download.", dir=debs))
            try:
                started = time.monotonic()
                self._run_apt("apt-get", arch, ["download", f"{package}={record['Version']}"], debian_package, cwd=tmp)
                files = [p for p in tmp.iterdir() if p.suffix == ".deb"]
                if len(files) != 1:
                    raise SubstituteUnavailable(
                        debian_package, arch, f"apt-get download of {package} produced {len(files)} files"
                    )
                digest = sha256_file(files[0])
                if expected is not None and digest != expected:
                    raise SubstituteUnavailable(
                        debian_package, arch, f"{files[0].name}: sha256 {digest} differs from the archive's {expected}"
                    )
                os.replace(files[0], target)
                record_sha256(target, digest)
                log.info(
                    "downloaded %s (%d bytes) in %.1f s", target.name, target.stat().st_size, time.monotonic() - started
                )
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        return target


__all__ = [
    "DEFAULT_RELEASE",
    "MAX_LIST_AGE",
    "RELEASES",
    "SOURCES_ENV",
    "AptProvider",
    "DebianRelease",
    "debian_release",
    "native_architecture",
    "release_sources",
]
