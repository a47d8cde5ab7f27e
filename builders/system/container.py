"""The declared system made fit for a container: Guix's `containerized-operating-system`.

`-t docker`, `-t tarball` and `-t wsl2` carry the system the configuration
declares, as the disk images do, but it runs under a container runtime
(Docker, `unshare`, LXC, WSL) on someone else's kernel and devices.  As Guix
does for its docker images (gnu/system/linux-container.scm), the services
that make no sense there are left out of the plan before the system is
installed, and what the others required of them is dropped from their
requirements:

- the consoles: the gettys (agetty, mingetty, kmscon), console fonts, the
  virtual-terminal knob, gpm;
- what acts on the machine rather than the container — and would act on the
  HOST's, since a container shares its kernel: udev (it would replay the
  host's devices and rename its network interfaces), sysctl, kernel module
  loading, swap, the clock (ntp, openntpd, chrony); Guix keeps some of these
  and relies on Docker's missing privileges to make them fail, pyguix leaves
  them out, so that running the image as root (`unshare ... chroot`) is safe
  too;
- file systems "of the host kind": the root, the store, anything on a device
  (a path under /dev/, a label, a UUID) and anything mounted on /dev/... or
  /sys/... (the runtime provides those);
- networking: `static-networking` (its loopback is the runtime's) is replaced
  by a service that only provides `loopback`; with SHARED_NETWORK (WSL,
  whose network the host configures) the DHCP clients and network managers
  go too, and the stand-in provides `networking` as well (Guix's
  dummy-networking-service-type).

Three services change: the system log reads no kernel log (/proc/kmsg is
the host's), `root-file-system` only syncs when stopped (remounting "/"
read-only from a chroot would remount the host's file system), and
`user-processes` signals every process only when the Shepherd is PID 1 of
its own PID namespace (`kill -1` elsewhere reaches the host's processes).

Nothing here starts a udev: the boot program replays devices ("coldplug")
only when the plan has a `udev` service (builders/system/shepherd_system.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from builders.plan import FileSystemPlan, OsPlan, ShepherdServicePlan

# Service types (ShepherdServicePlan.service) a container never runs.
CONSOLE = frozenset({"agetty", "mingetty", "kmscon", "console-fonts", "console-font", "virtual-terminal", "gpm"})
MACHINE = frozenset({"udev", "sysctl", "kernel-module-loader", "swap", "zram-device", "ntp", "openntpd", "chrony",
                     "static-networking"})
# ... and those whose network the host sets up (SHARED_NETWORK).
NETWORK = frozenset({"dhcpcd", "dhcp-client", "network-manager", "connman", "wpa-supplicant", "iwd",
                     "static-networking"})
DROPPED = CONSOLE | MACHINE

STORE = "/gnu/store"

DUMMY_NETWORKING = "dummy-networking"

ROOT_FILE_SYSTEM_STOP = "(lambda _ (sync) #f)"


def host_file_system(fs: FileSystemPlan) -> bool:
    """Whether FS is one the container's runtime provides, or one on the host's devices
    (Guix's containerized-operating-system leaves the same out, and devices by label or UUID too)."""
    target, device = fs.mount_point, fs.device
    return (target in ("/", STORE) or target.startswith(("/dev/", "/sys/")) or target in ("/dev", "/sys", "/proc")
            or device.startswith(("/dev/", "label:", "uuid:")))


def file_system_service(fs: FileSystemPlan) -> str:
    """The name of the Shepherd service that mounts FS (gnu/services/base.scm)."""
    return f"file-system-{fs.mount_point}"


def _guarded_user_processes(stop: str) -> str:
    """user-processes' stop, run only by the PID 1 of a PID namespace of its own."""
    return f"(lambda args (if (= 1 (getpid)) (apply {stop} args) #f))"


def _quiet_kernel_log(code: str) -> str:
    """(system-log-service ...) reading no kernel log: in a container /proc/kmsg is the host's."""
    head = "(system-log-service"
    if not code.startswith(head) or "#:kernel-log-file" in code:
        return code
    return head + " #:kernel-log-file #f" + code[len(head):]


def _adapted(s: ShepherdServicePlan, removed: set[str]) -> ShepherdServicePlan:
    changes: dict[str, object] = {}
    if any(r in removed for r in s.requirement):
        changes["requirement"] = tuple(r for r in s.requirement if r not in removed)
    if "root-file-system" in s.provision:
        changes["stop"] = ROOT_FILE_SYSTEM_STOP
    if "user-processes" in s.provision and not s.free_form:
        changes["stop"] = _guarded_user_processes(s.stop)
    if s.free_form:
        quiet = _quiet_kernel_log(s.free_form)
        if quiet != s.free_form:
            changes["free_form"] = quiet
    return dataclasses.replace(s, **changes) if changes else s  # type: ignore[arg-type]


def dropped_types(shared_network: bool) -> frozenset[str]:
    return DROPPED | NETWORK if shared_network else DROPPED


def containerized(os_plan: OsPlan, *, shared_network: bool = False) -> OsPlan:
    """OS_PLAN for a container (see the module's documentation).  SHARED_NETWORK: the
    container uses the host's network (WSL), so nothing in it configures the network."""
    drop = dropped_types(shared_network)
    host_fs = [fs for fs in os_plan.file_systems if host_file_system(fs)]
    host_mounts = {file_system_service(fs) for fs in host_fs}
    kept: list[ShepherdServicePlan] = []
    removed: set[str] = set()
    for s in os_plan.shepherd_services:
        if s.service in drop or (s.service == "file-systems" and s.provision[0] in host_mounts):
            removed.update(s.provision)
        else:
            kept.append(s)
    provided = {p for s in kept for p in s.provision}
    dummy = tuple(p for p in ("loopback", "networking")
                  if p not in provided and (p in removed or (shared_network and p == "networking")))
    removed -= set(dummy)
    services = [_adapted(s, removed) for s in kept]
    base = _missing_base(services)
    if dummy:
        services.insert(0, ShepherdServicePlan(
            provision=dummy, documentation="Provide loopback and networking without actually doing anything: "
                                           "the container's runtime sets up its network.",
            respawn=False, start="(const #t)", stop="(const #f)", service=DUMMY_NETWORKING))
    gone = {s.service for s in os_plan.shepherd_services if s.provision[0] in removed} - {"file-systems"}
    return dataclasses.replace(
        os_plan,
        shepherd_services=(*base, *services),
        file_systems=tuple(fs for fs in os_plan.file_systems if fs not in host_fs),
        activation=tuple(a for a in os_plan.activation if a.service not in gone),
    )


def _missing_base(services: Iterable[ShepherdServicePlan]) -> list[ShepherdServicePlan]:
    """The bottom of the graph where the fold lacks it, with the container's stops (the
    Shepherd's configuration would otherwise add the machine's: builders/system/shepherd_config.py)."""
    provided = {p for s in services for p in s.provision}
    out = []
    if "root-file-system" not in provided:
        out.append(ShepherdServicePlan(provision=("root-file-system",), respawn=False, start="(const #t)",
                                       documentation="Sync the root file system when stopped.",
                                       stop=ROOT_FILE_SYSTEM_STOP, service="root-file-system"))
    if "user-processes" not in provided:
        kill_all = ("(lambda _ (define (signal-all sig) (false-if-exception (kill -1 sig))) "
                    "(signal-all SIGTERM) (sleep 2) (signal-all SIGKILL) #f)")
        out.append(ShepherdServicePlan(provision=("user-processes",), requirement=("root-file-system",),
                                       documentation="When stopped, terminate every process of the container.",
                                       respawn=False, start="(const #t)", stop=_guarded_user_processes(kill_all),
                                       service="user-processes"))
    return out


__all__ = ["containerized", "dropped_types", "host_file_system"]
