"""The running system: busybox as init, configured from the OS record.

`install_system(os_plan, tree, busybox_dir, arch)` adds to a root tree that
rootfs.populate_root has already staged (it owns /etc/hostname, hosts,
fstab, passwd, group, shadow, issue, ...):

- /bin/busybox and a symlink for every applet (`busybox --list-full`: from
  the binary itself when it can run here, else the recorded list of the same
  busybox version, busybox_applets.py); /sbin/init is one of them;
- the services, each realized by the realizer of its kind
  (builders/system/services/): their /etc/inittab entries (gettys) and
  /etc/init.d/rcS lines go into the frame of builders/system/services/init.py, in
  start-up order, and their files are written through Tree;
- /etc/localtime from tzdata when a tzdata package directory is given;
- a login shell for every account whose shell is not in the tree.

It returns what could not be realized (labels, in order: whole kinds as
"ntp", details as "agetty (option --bogus)"): the caller warns, or fails
with --strict.  `explain(label)` says why.
"""

from __future__ import annotations

import os
import platform
import re
from collections import defaultdict
from pathlib import Path

from builders.errors import BuildError
from builders.plan import OsPlan, ServicePlan
from builders.run import run
from builders.system.busybox_applets import known_applets
from builders.system.gettys import gettys, inittab, kernel_console  # noqa: F401  (callers and tests use them from here)
from builders.system.initrd import ARCH_ALIASES, busybox_binary, normalize_arch
from builders.system.services import Context, Realized, Shortfall, realize, unrealized
from builders.system.services import explain as explain_service
from builders.system.services.init import PATH, PROFILE, RCK, inittab_text, rcs_text
from builders.tree import Tree

# What is not realized that is no service: the OS record's own fields.
FIELD_REASONS: dict[str, str] = {
    "timezone": "no tzdata package could be had, so /etc/localtime is missing and programs use UTC",
}


def explain(label: str) -> str:
    """Why LABEL ("openssh", "agetty (option --bogus)", "timezone (...)") is not realized."""
    return FIELD_REASONS.get(Shortfall.parse(label).kind) or explain_service(label)


# --- busybox --------------------------------------------------------------------------------------


def busybox_version(binary: Path) -> str | None:
    """'1.35.0 (Debian 1:1.35.0-4+deb12u1+b1)' from the banner embedded in BINARY."""
    m = re.search(rb"BusyBox v([0-9][^\s\0]*(?: \([^)\0]*\))?)", binary.read_bytes())
    return m.group(1).decode() if m else None


ELF_MACHINES = {0x3E: "x86_64", 0x03: "i686", 0xB7: "aarch64", 0x28: "armhf", 0xF3: "riscv64"}


def elf_arch(binary: Path) -> str | None:
    with open(binary, "rb") as f:
        head = f.read(20)
    if head[:4] != b"\x7fELF":
        return None
    machine = int.from_bytes(head[18:20], "little" if head[5] == 1 else "big")
    return ELF_MACHINES.get(machine)


def can_run_here(binary: Path) -> bool:
    arch = elf_arch(binary)
    if arch is None or platform.system() != "Linux":
        return False
    host = ARCH_ALIASES.get(platform.machine())
    return arch == host or (host == "x86_64" and arch == "i686")


def applet_paths(binary: Path) -> tuple[str, ...]:
    """`busybox --list-full` of BINARY: run it when possible, else the recorded list of its version."""
    if can_run_here(binary):
        return tuple(run([binary, "--list-full"]).stdout.decode().split())
    version = busybox_version(binary)
    known = known_applets(version) if version else None
    if known is None:
        raise BuildError(f"cannot list the applets of {binary} (busybox {version or '?'}, "
                           f"{elf_arch(binary) or 'unknown'} binary): it cannot run on this machine "
                           "and no applet list of that version is recorded in builders/system/busybox_applets.py")
    return known


# --- helpers --------------------------------------------------------------------------------------


def _write(tree: Path, rel: str, text: str, mode: int = 0o644) -> None:
    Tree(tree).write_text(rel, text, mode)


def _mkdir(tree: Path, rel: str, mode: int = 0o755) -> None:
    """Make directory REL with MODE unless it exists (never through a link)."""
    t = Tree(tree)
    if t.lstat(rel) is None:
        t.mkdir(rel, mode)


# --- time zone, shells ----------------------------------------------------------------------------


def install_timezone(tree: Path, timezone: str, tzdata_dir: Path | None) -> bool:
    """/etc/localtime for TIMEZONE from an extracted tzdata package; False when not possible."""
    if tzdata_dir is not None:
        # The zone is read inside the package (links resolved as in a chroot) and
        # written inside the image: a hostile zone name or package reaches neither host.
        tzdata, image = Tree(tzdata_dir), Tree(tree)
        zone = f"usr/share/zoneinfo/{timezone}"
        if tzdata.is_file(zone):
            for rel in _parent_dirs(zone):
                if image.lstat(rel) is None:
                    image.mkdir(rel, 0o755)
            image.copy_from(tzdata, zone, zone, 0o644)
            image.symlink("etc/localtime", f"/usr/share/zoneinfo/{timezone}")
            return True
    # UTC without data: glibc defaults to UTC; /etc/TZ serves uClibc/musl programs.
    _write(tree, "etc/TZ", "UTC0\n")
    return timezone in ("UTC", "Etc/UTC", "Universal", "Zulu", "Etc/Universal", "GMT", "Etc/GMT")


SHELL_SHIM = """#!/bin/sh
# {shell} is not in this image: a busybox shell stands in for it.
exec /bin/busybox sh "$@"
"""


def install_shells(tree: Path, applets: set[str]) -> list[str]:
    """Make every login shell named in /etc/passwd exist; returns the shells that were stood in for."""
    passwd = tree / "etc" / "passwd"
    shims: list[str] = []
    if not passwd.exists():
        return shims
    for line in passwd.read_text().splitlines():
        fields = line.split(":")
        if len(fields) < 7 or not fields[6].startswith("/"):
            continue
        shell = fields[6]
        image = Tree(tree)
        if image.lstat(shell) is not None:
            continue
        name = os.path.basename(shell)
        if name in applets:
            image.symlink(shell, "/bin/busybox")
        else:
            image.write_text(shell, SHELL_SHIM.format(shell=shell), 0o755)
            shims.append(shell)
    return shims


# --- the whole system -----------------------------------------------------------------------------


def realize_services(os_plan: OsPlan, applets: set[str] | frozenset[str], arch: str) -> tuple[Realized, ...]:
    """Every service of OS_PLAN realized by its kind's realizer, in start-up order."""
    return realize(os_plan.services, Context(os_plan, frozenset(applets), normalize_arch(arch)))


def classify(os_plan: OsPlan, applets: set[str],
             arch: str = "x86_64") -> tuple[dict[str, list[ServicePlan]], list[str]]:
    """The services handed to each realizer (by realizer name: "dhcp", "ntp", ...) and the
    labels of what is not realized."""
    done = realize_services(os_plan, applets, arch)
    groups: dict[str, list[ServicePlan]] = defaultdict(list, {r.realizer.name: list(r.services) for r in done})
    return groups, [s.label for s in unrealized(os_plan.services, done)]


def rcs_script(os_plan: OsPlan, applets: set[str], *, dhcp: list[ServicePlan], ntp: list[ServicePlan],
               syslog: bool, sysctl: ServicePlan | None, urandom_seed: bool, loopback: bool,
               arch: str = "x86_64") -> str:
    """/etc/init.d/rcS for the given services, the loopback, urandom seed and syslog ones implied
    (install_system folds all the realizations instead)."""
    services = [*([ServicePlan("static-networking", ["loopback"])] if loopback else []),
                *([sysctl] if sysctl is not None else []),
                *([ServicePlan("urandom-seed", False)] if urandom_seed else []),
                *([ServicePlan("syslog", False)] if syslog else []), *dhcp, *ntp]
    done = realize(services, Context(os_plan, frozenset(applets), normalize_arch(arch)))
    return rcs_text(os_plan, [line for r in done for line in r.realization.rcs])


def install_busybox(tree: Path, busybox_dir: Path) -> set[str]:
    """/bin/busybox and its applet links (absolute, to /bin/busybox); returns the applet names."""
    binary = busybox_binary(busybox_dir)
    paths = applet_paths(binary)
    image = Tree(tree)
    _mkdir(tree, "bin")
    image.copy_in("bin/busybox", binary, 0o755)
    # The applets, then the system profile: Guix's special files (/bin/sh,
    # /usr/bin/env) and login shells point into it, and PATH starts with it.
    # Entries the root tree already has win.
    profile = PROFILE.lstrip("/")
    links = [rel for rel in (r.strip("/") for r in paths) if rel not in ("bin/busybox", "linuxrc")]
    links += [f"{profile}/{'sbin' if rel.startswith(('sbin/', 'usr/sbin/')) else 'bin'}/{os.path.basename(rel)}"
              for rel in list(links)]
    for rel in links:
        for d in _parent_dirs(rel):
            if image.lstat(d) is None:
                image.mkdir(d, 0o755)
        if image.lstat(rel) is None:
            image.symlink(rel, "/bin/busybox")
    return {os.path.basename(p) for p in paths}


def _parent_dirs(rel: str) -> list[str]:
    """The parent directories of REL, outermost first: a/b/c -> [a, a/b]."""
    parts = rel.strip("/").split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def install_system(os_plan: OsPlan, tree: Path, busybox_dir: Path, arch: str, *,
                   tzdata_dir: Path | None = None) -> list[str]:
    """Make TREE (staged by rootfs.populate_root) a busybox system running OS_PLAN.

    Returns the labels of what could not be realized; `explain` says why.
    """
    normalize_arch(arch)                   # refuse unknown architectures early
    for rel, mode in (("dev", 0o755), ("proc", 0o555), ("sys", 0o555), ("run", 0o755), ("tmp", 0o1777),
                      ("sbin", 0o755), ("usr", 0o755), ("usr/bin", 0o755), ("usr/sbin", 0o755),
                      ("var/log", 0o755), ("var/lib", 0o755), ("etc/init.d", 0o755), ("etc/pyguix", 0o755),
                      ("root", 0o700)):
        _mkdir(tree, rel, mode)
    if Tree(tree).lstat("var/run") is None:
        Tree(tree).symlink("var/run", "/run")
    applets = install_busybox(tree, busybox_dir)
    done = realize_services(os_plan, applets, arch)
    image = Tree(tree)
    image.write_text("etc/inittab", inittab_text(e for r in done for e in r.realization.inittab), 0o644)
    for r in done:
        for f in r.realization.files:
            image.write_text(f.path, f.text, f.mode)
    image.write_text("etc/init.d/rcS", rcs_text(os_plan, [line for r in done for line in r.realization.rcs]), 0o755)
    image.write_text("etc/init.d/rcK", RCK, 0o755)
    if image.lstat("etc/profile") is None:
        image.write_text("etc/profile", f"export PATH={PATH}\nexport PS1='\\u@\\h \\w\\$ '\n", 0o644)
    if image.lstat("etc/shells") is None:
        image.write_text("etc/shells", "/bin/sh\n/bin/ash\n", 0o644)
    missing = [s.label for s in unrealized(os_plan.services, done)]
    if not install_timezone(tree, os_plan.timezone, tzdata_dir):
        missing.append(f"timezone ({os_plan.timezone}: no tzdata)")
    install_shells(tree, applets)
    return list(dict.fromkeys(missing))
