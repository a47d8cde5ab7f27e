"""Substitutes: Debian binary packages standing in for the packages Guix would build.

    provider = default_provider(substitutes_dir)            # directory first, then apt (trixie)
    tree = realize_guix(provider, "linux-libre", "x86_64-linux")
    tree / "boot" / "vmlinuz-6.12.NN+deb13-cloud-amd64"
    from builders.substitutes.closure import closure, realize_closure   # imported when needed
    system = realize_closure(provider, closure(["openssh-server"], "amd64", provider=provider, base=True))

See provider.py (interface, cache), apt.py (releases, private apt states),
closure.py (dependency closures), directory.py, deb.py and mapping.py with
its table packages.sexp.
"""

from __future__ import annotations

import os
from pathlib import Path

from builders.substitutes import mapping
from builders.substitutes.apt import DEFAULT_RELEASE, RELEASES, AptProvider, debian_release, native_architecture
from builders.substitutes.deb import DebError, control_fields, extract
from builders.substitutes.directory import DirectoryProvider, check_substitutes_dir, compare_versions
from builders.substitutes.provider import (
    CACHE_ENV,
    ChainProvider,
    SubstituteProvider,
    SubstituteUnavailable,
    cache_root,
    package_tree,
    realize,
    realize_debs,
    realized_manifest,
)


def default_provider(
    substitutes_dir: str | os.PathLike[str] | None = None, *, use_apt: bool = True, release: str | None = None
) -> SubstituteProvider:
    """The provider for a build: the --substitutes directory (if any), then the
    Debian archive of RELEASE (default: DEFAULT_RELEASE, trixie) via apt.

    A SUBSTITUTES_DIR that is missing, not a directory or holds no .deb is a
    BuildError (see check_substitutes_dir), not a silent fall back to apt."""
    providers: list[SubstituteProvider] = []
    if substitutes_dir is not None:
        providers.append(DirectoryProvider(check_substitutes_dir(substitutes_dir)))
    if use_apt:
        providers.append(AptProvider(release=release))
    if len(providers) == 1:
        return providers[0]
    return ChainProvider(providers)


def with_release(provider: SubstituteProvider, release: str) -> SubstituteProvider:
    """PROVIDER with its Debian archive part taking packages from RELEASE instead (the
    --substitutes directories kept, in order); PROVIDER itself when nothing changes."""
    if isinstance(provider, AptProvider):
        if provider.release == debian_release(release):
            return provider
        return AptProvider(provider.cache, release=release, max_list_age=provider.max_list_age,
                           sources=provider.sources, retries=provider.retries)
    if isinstance(provider, ChainProvider):
        members = [with_release(p, release) for p in provider.providers]
        if all(a is b for a, b in zip(members, provider.providers, strict=True)):
            return provider
        return ChainProvider(members)
    return provider


def realize_guix(provider: SubstituteProvider, guix_name: str, system: str) -> Path:
    """The extracted tree of the Debian substitutes of the Guix package GUIX_NAME on SYSTEM.

    Raises SubstituteUnavailable (a BuildError) naming the package, the
    architecture and the reason when it cannot be had.
    """
    names = mapping.debian_packages(guix_name, system)
    arch = mapping.substitute_architecture(guix_name, system) if system in mapping.SYSTEM_ARCHITECTURES else system
    if names is None:
        reason = mapping.unavailable_reason(guix_name, system) or "unknown"
        raise SubstituteUnavailable(guix_name, arch, reason)
    return realize(provider, names, arch)


__all__ = [
    "CACHE_ENV",
    "DEFAULT_RELEASE",
    "RELEASES",
    "AptProvider",
    "ChainProvider",
    "DebError",
    "DirectoryProvider",
    "SubstituteProvider",
    "SubstituteUnavailable",
    "cache_root",
    "check_substitutes_dir",
    "compare_versions",
    "control_fields",
    "debian_release",
    "default_provider",
    "extract",
    "mapping",
    "native_architecture",
    "package_tree",
    "realize",
    "realize_debs",
    "realize_guix",
    "realized_manifest",
    "with_release",
]
