"""`pyguix system vm`: a script that boots an image in QEMU.

As `guix system vm` does, the command builds a qcow2 image and prints the path
of a script that runs it: serial console on the terminal, the image opened as
a throw-away snapshot (the image itself is never written), and software
emulation (TCG) unless PYGUIX_VM_ACCEL=kvm is set — on machines where
/dev/kvm exists but does not work, KVM hangs instead of failing.
"""

from __future__ import annotations

import shlex
from pathlib import Path

# What QEMU program and machine an image's system needs.
QEMU = {
    "x86_64-linux": ("qemu-system-x86_64", []),
    "i686-linux": ("qemu-system-i386", []),
    "i586-gnu": ("qemu-system-i386", []),
    "x86_64-gnu": ("qemu-system-x86_64", []),
    "aarch64-linux": ("qemu-system-aarch64", ["-M", "virt", "-cpu", "cortex-a53",
                                              "-bios", "/usr/lib/u-boot/qemu_arm64/u-boot.bin"]),
}


def qemu_command(image: Path, system: str, *, fmt: str = "qcow2", memory: int = 1024, uefi: bool = False,
                 snapshot: bool = True) -> list[str]:
    """The QEMU command line booting IMAGE (without the accelerator choice)."""
    program, machine = QEMU.get(system, QEMU["x86_64-linux"])
    disk_if = "ide" if system.endswith("-gnu") else "virtio"
    cmd = [program, *machine, "-m", str(memory), "-display", "none", "-serial", "mon:stdio", "-no-reboot",
           "-nic", "user,model=virtio-net-pci" if not system.endswith("-gnu") else "user,model=e1000"]
    if uefi:
        cmd += ["-bios", "/usr/share/ovmf/OVMF.fd"]
    if system == "aarch64-linux":
        cmd += ["-drive", f"if=none,file={image},format={fmt},id=hd0", "-device", "virtio-blk-device,drive=hd0"]
    else:
        cmd += ["-drive", f"file={image},format={fmt},if={disk_if}"]
    if snapshot:
        cmd.append("-snapshot")
    return cmd


def write_script(image: Path, system: str, out: Path, *, fmt: str = "qcow2", uefi: bool = False) -> Path:
    """Write an executable shell script that boots IMAGE; return its path."""
    cmd = " ".join(shlex.quote(c) for c in qemu_command(image, system, fmt=fmt, uefi=uefi))
    out.write_text(
        "#!/bin/sh\n"
        "# Boot the image pyguix built; the console is this terminal (Ctrl-A X quits).\n"
        "# The image is opened as a snapshot: changes are discarded at exit.\n"
        'accel="${PYGUIX_VM_ACCEL:-tcg}"\n'
        f'exec {cmd} -accel "$accel" "$@"\n'
    )
    out.chmod(0o755)
    return out
