"""The declared system's packages, from substitutes: what `shepherd_system` installs.

The system is the dependency closure (builders/substitutes/closure.py) of:

- the base of every system: the Shepherd and Guile, the tools its boot
  program and the base services run (mount, agetty, login, ip, modprobe),
  PAM, and Debian's Essential packages (the closure adds them);
- the packages the folded services name (sshd for openssh-service-type, ...);
- the operating system's `packages` and what the services add to the profile.

Each Debian package is extracted on its own (cached by its .deb's digest),
so a change of one package re-extracts one, and the system profile knows
which commands each declared package brings.  A declared package with no
Debian counterpart is a warning that names it (--strict: an error).
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from builders.errors import BuildError
from builders.plan import ActivationPlan, OsPlan, ShepherdServicePlan
from builders.substitutes import mapping, memo, naming
from builders.substitutes.closure import (
    Closure,
    Package,
    PackageIndex,
    closure,
    fetch_closure,
    index_signature,
    package_index,
)
from builders.substitutes.deb import control_text
from builders.substitutes.provider import realize_debs
from builders.system.shepherd_system import SystemPackage

log = logging.getLogger(__name__)

# What every Shepherd system runs, as Debian packages (the closure adds what they need).
BASE = ("base-files", "base-passwd", "bash", "dash", "coreutils", "login", "mount", "util-linux",
        "procps", "iproute2", "kmod", "libpam-modules", "libpam-runtime", "netbase", "tzdata",
        "shepherd", "guile-3.0", "guile-fibers")


@dataclass(frozen=True)
class SystemPackages:
    packages: tuple[SystemPackage, ...]
    warnings: tuple[str, ...]


def guix_packages(os_plan: OsPlan) -> list[str]:
    """The Guix packages the system must hold: declared, added to the profile, or named by services."""
    named = [p for s in os_plan.shepherd_services for p in s.packages]
    named += [p for a in os_plan.activation for p in a.packages]
    return list(dict.fromkeys([*os_plan.packages, *os_plan.profile_packages, *named]))


def service_debian_packages(os_plan: OsPlan) -> list[tuple[str, str]]:
    """(Debian package, service) for the files the services' code runs, where the fold knows the
    Debian package that has them (gexp.py's DEBIAN_PATHS)."""
    codes: list[ShepherdServicePlan | ActivationPlan] = [*os_plan.shepherd_services, *os_plan.activation]
    return [(d, code.service) for code in codes for d in code.debian_packages]


def debian_names(os_plan: OsPlan, system: str, index: PackageIndex) -> tuple[dict[str, str], list[str]]:
    """({Debian package: the Guix package it stands for}, warnings about what has no substitute)."""
    wanted: dict[str, str] = {}
    missing: dict[str, list[str]] = {}
    for name in guix_packages(os_plan):
        found = naming.resolve(name, system, index)
        if found.debian is None:
            reason = found.how.replace(f" for the Guix package '{name}'", "").replace(f"'{name}'", "it")
            missing.setdefault(reason, []).append(name)
            continue
        for d in found.debian:
            wanted.setdefault(d, name)
    # The Debian packages that hold the files the services' code runs, where Debian splits the
    # Guix package (Guix's glibc has nscd, Debian ships it alone; ntp's ntpd is ntpsec's).
    for d, service in service_debian_packages(os_plan):
        if d in index:
            wanted.setdefault(d, service)
    warnings = [f"{len(names)} package(s) not realized for {system} ({', '.join(names)}): {reason}"
                for reason, names in missing.items()]
    return wanted, warnings


def system_packages(os_plan: OsPlan, provider, system: str, arch: str,
                    extra: Iterable[str] = ()) -> SystemPackages:
    """Every Debian package of the system, each extracted on its own, in name order."""
    chosen = _choose(os_plan, provider, system, arch, tuple(extra))
    result = Closure(arch=arch, release="", requested=(), base=True, packages=chosen.packages)
    debs = fetch_closure(provider, result)
    # The maintainer scripts' texts (read for the links they make) are remembered with
    # the closure: the same lists give the same packages.
    scripts = memo.read("postinsts", chosen.digest) if chosen.digest else None
    if not isinstance(scripts, dict) or set(scripts) != {p.name for p in result.packages}:
        scripts = {p.name: control_text(deb, "postinst") or "" for p, deb in zip(result.packages, debs, strict=True)}
        if chosen.digest:
            memo.write("postinsts", chosen.digest, scripts)
    out = []
    for package, deb in zip(result.packages, debs, strict=True):
        path = realize_debs([(package.name, deb)], usr_merge=True)
        out.append(SystemPackage(name=package.name, path=path, guix=chosen.wanted.get(package.name),
                                 postinst=scripts[package.name]))
    return SystemPackages(tuple(out), chosen.warnings)


@dataclass(frozen=True)
class _Choice:
    packages: tuple[Package, ...]      # the closure
    wanted: dict[str, str]             # Debian package -> the Guix package or service it stands for
    warnings: tuple[str, ...]
    digest: str | None = None          # of the request and the lists (memo.py), when they can be told


def _choose(os_plan: OsPlan, provider, system: str, arch: str, extra: tuple[str, ...]) -> _Choice:
    """The Debian packages of the system: names resolved and the closure computed from the
    release's index (1.5 s: reading the lists, then resolving), or read back from the last
    build that asked the same of the same lists (memo.py)."""
    signature = index_signature(provider, arch)
    digest = None
    if signature is not None:
        sexp = os.fspath(Path(mapping.__file__).parent / mapping.DATA_FILE)
        digest = memo.key("system", signature, memo.code_digest(__file__, naming.__file__, mapping.__file__, sexp),
                          system, arch, BASE, extra, guix_packages(os_plan),
                          service_debian_packages(os_plan))
        data = memo.read("systems", digest) or {}
        try:
            return _Choice(tuple(Package(**p) for p in data["packages"]), data["wanted"], tuple(data["warnings"]),
                           digest)
        except (KeyError, TypeError):
            pass
    index = package_index(provider, arch)
    if "shepherd" not in index:
        raise BuildError(f"the Debian release's package lists have no GNU Shepherd for {arch}: the declared "
                         "system runs it as PID 1 (Debian 13 and later package it; Debian 12 does not)",
                         "use the default --debian-release trixie, or build the busybox stand-in with --init busybox")
    wanted, warnings = debian_names(os_plan, system, index)
    result = closure(list(dict.fromkeys([*BASE, *extra, *wanted])), arch, provider=provider, base=True)
    if digest is not None:
        memo.write("systems", digest, {"packages": [dataclasses.asdict(p) for p in result.packages],
                                       "wanted": wanted, "warnings": warnings})
    return _Choice(result.packages, wanted, tuple(warnings), digest)


__all__ = ["BASE", "SystemPackages", "debian_names", "guix_packages", "system_packages"]
