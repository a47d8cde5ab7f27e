"""The running system: busybox as init, configured from the OS record.

`install_system(os_plan, tree, busybox_dir, arch)` adds to a root tree that
rootfs.populate_root has already staged (it owns /etc/hostname, hosts,
fstab, passwd, group, shadow, issue, ...):

- /bin/busybox and a symlink for every applet (`busybox --list-full`: from
  the binary itself when it can run here, else the recorded list of the same
  busybox version, busybox_applets.py); /sbin/init is one of them;
- /etc/inittab: rcS at sysinit, a getty per agetty/mingetty service (gettys.py);
- /etc/init.d/rcS: proc, sysfs, devtmpfs, devpts, `/` read-write, the
  /etc/fstab mounts, the host name, loopback, sysctl, random seed, syslogd,
  DHCP (udhcpc) for dhcp-client/dhcpcd/network-manager, ntpd for ntp;
- /etc/localtime from tzdata when a tzdata package directory is given;
- a login shell for every account whose shell is not in the tree.

It returns the services it could not realize (kinds, in order; a partial
realization reads "KIND (what is missing)"): the caller warns, or fails
with --strict.  `explain(kind)` says why.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
from pathlib import Path

from .busybox_applets import known_applets
from .errors import BuildError
from .initrd import ARCH_ALIASES, busybox_binary, normalize_arch
from .run import run
from .tree import Tree
from .plan import OsPlan, ServicePlan

# Service kinds that need nothing more than what this busybox system does anyway.
NOTHING_TO_DO: dict[str, str] = {
    "login": "busybox login reads /etc/passwd and /etc/shadow",
    "virtual-terminal": "the kernel's virtual terminals are used as they are",
    "etc-bashrc-d": "a bash snippet directory; the busybox shell does not read it",
    "shepherd-timer": "shepherd's timer service; no timers are declared by it",
    "shepherd-transient": "shepherd's transient service; nothing to start",
    "log-cleanup": "no log files accumulate beyond syslogd's rotation",
    "special-files": "/bin/sh and /usr/bin/env are busybox applets",
    "host-name": "rcS sets the host name from /etc/hostname",
    "user-processes": "busybox init stops processes at shutdown",
    "root-file-system": "the initrd mounts the root; busybox init remounts it at shutdown",
    "file-systems": "rcS mounts /etc/fstab",
    "fstab": "rcS mounts /etc/fstab",
    "motd": "busybox login prints /etc/motd when present",
}

# Why the others cannot be realized yet.
REASONS: dict[str, str] = {
    "guix": "there is no Guix daemon or store in a pyguix image",
    "nscd": "no name service cache daemon in the busybox system",
    "udev": "devtmpfs provides the device nodes, but no udev rules or module autoloading",
    "console-fonts": "no console font files or setfont in the busybox system",
    "ntp": "this busybox has no ntpd applet",
    "openntpd": "this busybox has no ntpd applet",
    "static-networking": "only the loopback interface is configured",
    "openssh": "no SSH server package is installed by pyguix yet",
    "log-rotation": "no log rotation: /var/log/messages grows (Debian's busybox syslogd cannot rotate)",
}

DHCP_KINDS = ("dhcp-client", "dhcpcd", "network-manager", "connman", "wicd")
SYSLOG_KINDS = ("syslog", "shepherd-system-log", "rsyslog")
NTP_KINDS = ("ntp", "openntpd")

GUIX_SYSCTL_DEFAULTS = (("fs.protected_hardlinks", "1"), ("fs.protected_symlinks", "1"))

UDHCPC_SCRIPT = "usr/share/udhcpc/default.script"
PROFILE = "/run/current-system/profile"
PATH = f"{PROFILE}/bin:{PROFILE}/sbin:/bin:/sbin:/usr/bin:/usr/sbin"


def explain(kind: str) -> str:
    """Why the service KIND was reported as not realized."""
    base = kind.split(" (")[0]
    return REASONS.get(base, f"pyguix has no busybox equivalent for the '{base}' service yet")


# --- busybox --------------------------------------------------------------------------------------


def busybox_version(binary: Path) -> str | None:
    """'1.35.0 (Debian 1:1.35.0-4+deb12u1+b1)' from the banner embedded in BINARY."""
    m = re.search(rb"BusyBox v([0-9][^\s\0]*(?: \([^)\0]*\))?)", binary.read_bytes())
    return m.group(1).decode() if m else None


ELF_MACHINES = {0x3E: "x86_64", 0x03: "i686", 0xB7: "aarch64", 0x28: "armhf"}


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
                           "and no applet list of that version is recorded in builders/busybox_applets.py")
    return known


# --- helpers --------------------------------------------------------------------------------------


def _write(tree: Path, rel: str, text: str, mode: int = 0o644) -> None:
    Tree(tree).write_text(rel, text, mode)


def _mkdir(tree: Path, rel: str, mode: int = 0o755) -> None:
    """Make directory REL with MODE unless it exists (never through a link)."""
    t = Tree(tree)
    if t.lstat(rel) is None:
        t.mkdir(rel, mode)


from .gettys import (  # noqa: E402,F401  (re-exported: callers and tests use them from here)
    Getty, _sh_quote, _str, _value, agetty_getty, autologin_program, gettys, inittab, is_serial,
    is_virtual_terminal, kernel_console, mingetty_getty,
)


def dhcp_interfaces(services: list[ServicePlan]) -> list[str] | None:
    """Interfaces to run udhcpc on: None = every interface but lo."""
    names: list[str] = []
    for s in services:
        ifaces = _value(s, "interfaces", "all")
        if not isinstance(ifaces, list) or not ifaces:
            return None
        names += [str(i) for i in ifaces if str(i) not in names]
    return names or None


def sysctl_settings(service: ServicePlan) -> list[tuple[str, str]]:
    settings = _value(service, "settings", None)
    pairs: list[tuple[str, str]] = list(GUIX_SYSCTL_DEFAULTS)
    if isinstance(settings, list):
        for item in settings:
            if isinstance(item, list) and len(item) == 2:
                pairs = [(k, v) for k, v in pairs if k != str(item[0])] + [(str(item[0]), str(item[1]))]
    return pairs


def ntp_servers(service: ServicePlan) -> list[str]:
    servers = _value(service, "servers", [])
    result = []
    for s in servers if isinstance(servers, list) else []:
        if isinstance(s, str):
            result.append(s)
        elif isinstance(s, dict) and isinstance(s.get("address"), str):
            result.append(s["address"])
    return result or ["0.guix.pool.ntp.org", "1.guix.pool.ntp.org"]


FSTAB_SKIPPED_TYPES = ("efivarfs",)   # mounted only when the firmware provides it


def rcs_script(os_plan: OsPlan, applets: set[str], *, dhcp: list[ServicePlan], ntp: list[ServicePlan],
               syslog: bool, sysctl: ServicePlan | None, urandom_seed: bool, loopback: bool) -> str:
    mount_dirs = sorted({fs.mount_point for fs in os_plan.file_systems
                         if fs.mount_point.startswith("/dev/") or fs.mount_point.startswith("/run/")})
    skip = ",".join("no" + t for t in FSTAB_SKIPPED_TYPES)
    out = [
        "#!/bin/sh",
        "# System start-up, generated by pyguix from the operating-system declaration.",
        f"export PATH={PATH}",
        "mounted() { grep -q \"^[^ ]* $1 \" /proc/mounts; }",
        "mount -t proc proc /proc 2>/dev/null",
        "mounted /sys || mount -t sysfs sysfs /sys",
        "mounted /dev || mount -t devtmpfs devtmpfs /dev",
        "mkdir -p /dev/pts /dev/shm" + "".join(f" {_sh_quote(d)}" for d in mount_dirs if d not in ("/dev/pts", "/dev/shm")),
        *([] if any(fs.type == "devpts" for fs in os_plan.file_systems) else
          ["mounted /dev/pts || mount -t devpts devpts /dev/pts"]),
        "mount -o remount,rw /",
        "mkdir -p /run /tmp /var/log /var/lib /var/run",
        "chmod 1777 /tmp",
        "# The file systems of /etc/fstab (efivarfs only on EFI machines).",
        f"mount -a -t {skip} 2>&1 | grep -v 'already mounted\\|busy'",
        "[ -d /sys/firmware/efi/efivars ] && ! mounted /sys/firmware/efi/efivars && "
        "mount -t efivarfs efivarfs /sys/firmware/efi/efivars",
        "hostname -F /etc/hostname",
    ]
    if loopback:
        out.append("ip link set lo up")
    if sysctl is not None:
        out.append("sysctl -q -p /etc/sysctl.conf >/dev/null 2>&1")
    if urandom_seed:
        out += ["# urandom-seed",
                "[ -f /var/lib/random-seed ] && cat /var/lib/random-seed > /dev/urandom",
                "dd if=/dev/urandom of=/var/lib/random-seed bs=512 count=1 2>/dev/null && chmod 600 /var/lib/random-seed"]
    if syslog and "syslogd" in applets:
        out += ["syslogd", "klogd" if "klogd" in applets else ""]
    if dhcp and "udhcpc" in applets:
        ifaces = dhcp_interfaces(dhcp)
        pattern = " ".join(_sh_quote(i) for i in ifaces) if ifaces else "$(ls /sys/class/net)"
        out += [
            "# DHCP (" + ", ".join(sorted({s.kind for s in dhcp})) + ")",
            f"for i in {pattern}; do",
            "  [ \"$i\" = lo ] && continue",
            "  ip link set \"$i\" up 2>/dev/null || continue",
            f"  udhcpc -b -t 3 -T 1 -S -i \"$i\" -p /run/udhcpc.$i.pid -s /{UDHCPC_SCRIPT} -x hostname:$(hostname)",
            "done",
        ]
    if ntp and "ntpd" in applets:
        peers = " ".join(f"-p {_sh_quote(p)}" for s in ntp for p in ntp_servers(s))
        out.append(f"ntpd {peers}")
    out.append("echo \"rcS: $(hostname) is up\"")
    return "\n".join(x for x in out if x) + "\n"


RCK = """#!/bin/sh
# System shut-down, generated by pyguix.
killall5 -15 2>/dev/null; sleep 1; killall5 -9 2>/dev/null
[ -f /var/lib/random-seed ] && dd if=/dev/urandom of=/var/lib/random-seed bs=512 count=1 2>/dev/null
swapoff -a 2>/dev/null
umount -a -r 2>/dev/null
mount -o remount,ro / 2>/dev/null
sync
"""

UDHCPC_DEFAULT = """#!/bin/sh
# udhcpc event script (after busybox's examples/udhcp/simple.script), written by pyguix.
RESOLV_CONF=/etc/resolv.conf
[ -n "$1" ] || { echo "$0: should be called from udhcpc"; exit 1; }
NETMASK=""
[ -n "$subnet" ] && NETMASK="/$subnet"
BROADCAST="broadcast +"
[ -n "$broadcast" ] && BROADCAST="broadcast $broadcast"
case "$1" in
  deconfig)
    ip -4 addr flush dev "$interface"
    ip link set dev "$interface" up
    ;;
  renew|bound)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip$NETMASK" $BROADCAST dev "$interface"
    if [ -n "$router" ]; then
      while ip route del default dev "$interface" 2>/dev/null; do :; done
      metric=0
      for r in $router; do
        ip route add default via "$r" dev "$interface" metric $metric
        metric=$((metric + 1))
      done
    fi
    if [ -n "$dns" ] || [ -n "$domain" ]; then
      tmp="$RESOLV_CONF.$$"
      : > "$tmp"
      [ -n "$domain" ] && echo "search $domain" >> "$tmp"
      for d in $dns; do echo "nameserver $d" >> "$tmp"; done
      mv "$tmp" "$RESOLV_CONF"
    fi
    ;;
esac
exit 0
"""


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
    shims = []
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


def classify(os_plan: OsPlan, applets: set[str]) -> tuple[dict[str, list[ServicePlan]], list[str]]:
    """Services grouped by what realizes them, and the kinds nothing realizes (first-seen order)."""
    groups: dict[str, list[ServicePlan]] = {"getty": [], "dhcp": [], "ntp": [], "syslog": [],
                                            "sysctl": [], "urandom-seed": [], "loopback": []}
    unrealized: list[str] = []

    def miss(kind: str) -> None:
        if kind not in unrealized:
            unrealized.append(kind)

    for s in os_plan.services:
        kind = s.kind
        if kind in ("agetty", "mingetty"):
            groups["getty"].append(s)
        elif kind in DHCP_KINDS:
            groups["dhcp"].append(s) if "udhcpc" in applets else miss(kind)
        elif kind in NTP_KINDS:
            groups["ntp"].append(s) if "ntpd" in applets else miss(kind)
        elif kind in SYSLOG_KINDS:
            groups["syslog"].append(s) if "syslogd" in applets else miss(kind)
        elif kind == "sysctl":
            groups["sysctl"].append(s)
        elif kind == "urandom-seed":
            groups["urandom-seed"].append(s)
        elif kind == "static-networking":
            value = s.value if isinstance(s.value, list) else [s.value]
            if any(v != "loopback" for v in value):
                miss("static-networking")
            if "loopback" in value:
                groups["loopback"].append(s)
        elif kind in NOTHING_TO_DO:
            continue
        else:
            miss(kind)
    return groups, unrealized


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

    Returns the services that could not be realized; `explain` says why.
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
    groups, unrealized = classify(os_plan, applets)
    problems: list[str] = []
    autologins: set[str] = set()
    _write(tree, "etc/inittab", inittab(os_plan, problems, autologins))
    for user in sorted(autologins):
        _write(tree, autologin_program(user).lstrip("/"), f"#!/bin/sh\nexec /bin/login -f {_sh_quote(user)}\n", 0o755)
    sysctl = groups["sysctl"][0] if groups["sysctl"] else None
    if sysctl is not None:
        _write(tree, "etc/sysctl.conf", "".join(f"{k} = {v}\n" for k, v in sysctl_settings(sysctl)))
    _write(tree, "etc/init.d/rcS", rcs_script(
        os_plan, applets, dhcp=groups["dhcp"], ntp=groups["ntp"], syslog=bool(groups["syslog"]),
        sysctl=sysctl, urandom_seed=bool(groups["urandom-seed"]), loopback=bool(groups["loopback"])), 0o755)
    _write(tree, "etc/init.d/rcK", RCK, 0o755)
    if groups["dhcp"]:
        _write(tree, UDHCPC_SCRIPT, UDHCPC_DEFAULT, 0o755)
    if not (tree / "etc" / "profile").exists():
        _write(tree, "etc/profile", f"export PATH={PATH}\nexport PS1='\\u@\\h \\w\\$ '\n")
    if not (tree / "etc" / "shells").exists():
        _write(tree, "etc/shells", "/bin/sh\n/bin/ash\n")
    if not install_timezone(tree, os_plan.timezone, tzdata_dir):
        problems.append(f"timezone ({os_plan.timezone}: no tzdata)")
    install_shells(tree, applets)
    for p in problems:
        if p not in unrealized:
            unrealized.append(p)
    return unrealized
