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
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..errors import BuildError
from . import deb as debfile

log = logging.getLogger(__name__)

CACHE_ENV = "PYGUIX_SUBSTITUTE_CACHE"
# Bump when the layout of extracted trees changes, so old trees are not reused.
EXTRACT_FORMAT = "1"


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
    give the same (reused) tree, and a new package version a new one.
    Treat the result as read-only: it is shared by every build.
    """
    if not names:
        raise BuildError("realize: no packages given")
    debs = [provider.fetch(name, arch) for name in names]
    root = (cache or cache_root()).resolve()
    digests = []
    for path in debs:
        # Files in our cache were hashed (and checked) when fetched; others, e.g. in a
        # --substitutes directory that may be read-only, are hashed here.
        in_cache = path.resolve().is_relative_to(root)
        digests.append((recorded_sha256(path) if in_cache else None) or sha256_file(path))
    key = hashlib.sha256(("\n".join([EXTRACT_FORMAT, *digests])).encode()).hexdigest()[:32]
    base = root / "extracted"
    target = base / key
    if target.is_dir():
        return target
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=base))
    try:
        manifest = []
        for name, path, digest in zip(names, debs, digests):
            fields = debfile.control_fields(path)
            debfile.extract(path, tmp)
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
        (base / f"{key}.json").write_text(json.dumps(manifest, indent=1) + "\n")
        try:
            os.rename(tmp, target)
        except OSError:
            if not target.is_dir():  # not a concurrent winner: a real failure
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


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
    "realize",
    "realized_manifest",
    "record_sha256",
    "sha256_file",
    "verified_sha256",
]
