"""extlinux.conf for U-Boot boards and extlinux (as Guix's extlinux-configuration-file writes it).

Same text as Guix's `extlinux-configuration-file`: header, menu settings,
one LABEL block per entry followed by a blank line.  The APPEND line holds
`root=` (UUID= or LABEL=, as our initrd understands it), Guix's gnu.system
and gnu.load keys, then the OS's kernel-arguments; when those name no
console, `console=TTY,BAUD` of the OS's serial agetty is added, so the
kernel talks on the line the login prompt will be on.
Writing U-Boot itself onto the disk is a separate step (raw writes).
U-Boot and syslinux take the rest of the APPEND (and LABEL) line as it is,
with no quoting: the only way out of a line is a line break, so control
characters are refused (lowering refuses them first).
"""

from __future__ import annotations

import posixpath

from builders.boot.bootloaders.grubcfg import HEADER, kernel_command_line
from builders.plan import OsPlan
from builders.validate import CONTROL


def extlinux_conf(
    os_plan: OsPlan,
    kernel: str,
    initrd: str,
    fdtdir: str | None = None,
    *,
    root_uuid: str | None = None,
    root_label: str | None = None,
) -> str:
    """The text of /boot/extlinux/extlinux.conf.

    FDTDIR is the device-tree directory; None means Guix's default,
    `<dirname KERNEL>/lib/dtbs`.  With `device-tree-support? #f` the FDTDIR
    line is left empty, as current Guix does.  Without ROOT_UUID or
    ROOT_LABEL the root is taken from the OS's "/" file system.
    """
    boot = os_plan.bootloader
    timeout = boot.timeout if isinstance(boot.timeout, int) and not isinstance(boot.timeout, bool) else 5
    if root_uuid is None and root_label is None:
        root_uuid, root_label = root_from_file_systems(os_plan)
    args = kernel_command_line(os_plan, root_uuid, root_label)
    if not any(a.startswith("console=") for a in args):
        console = serial_console_argument(os_plan)
        if console:
            args.append(console)
    if fdtdir is None:
        fdtdir = posixpath.join(posixpath.dirname(kernel), "lib/dtbs")
    fdt_line = f"  FDTDIR {fdtdir}\n" if boot.device_tree_support else "\n"
    label = os_plan.label
    for text in (label, kernel, initrd, fdtdir, *args):
        if CONTROL.search(text):
            raise ValueError(f"{text!r} contains a control character: it cannot be part of extlinux.conf")
    return (
        HEADER
        + "UI menu.c32\n"
        + "MENU TITLE GNU Guix Boot Options\n"
        + f"PROMPT {1 if timeout > 0 else 0}\n"
        + f"TIMEOUT {timeout * 10}\n"
        + f"LABEL {label}\n"
        + f"  MENU LABEL {label}\n"
        + f"  KERNEL {kernel}\n"
        + fdt_line
        + f"  INITRD {initrd}\n"
        + f"  APPEND {' '.join(args)}\n"
        + "\n"
    )


def serial_console_argument(os_plan: OsPlan) -> str | None:
    """`console=TTY,BAUD` for the first agetty on a serial line (boards print there)."""
    for service in os_plan.services:
        if service.kind != "agetty" or not isinstance(service.value, dict):
            continue
        tty, baud = service.value.get("tty"), service.value.get("baud-rate")
        if isinstance(tty, str) and tty.startswith("tty") and not tty[3:].isdigit():
            return f"console={tty},{baud}" if isinstance(baud, (str, int)) and baud else f"console={tty}"
    return None


def root_from_file_systems(os_plan: OsPlan) -> tuple[str | None, str | None]:
    """(uuid, label) of the OS's root file system declaration."""
    for fs in os_plan.file_systems:
        if fs.mount_point == "/":
            if fs.device.startswith("uuid:"):
                return fs.device[5:], None
            if fs.device.startswith("label:"):
                return None, fs.device[6:]
            break
    raise ValueError("the OS declares no root file system by label or UUID; pass root_uuid or root_label")


__all__ = ["extlinux_conf", "root_from_file_systems", "serial_console_argument"]
