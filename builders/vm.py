"""`pyguix system vm`: a script that boots an image in QEMU.

As `guix system vm` does, the command builds a qcow2 image and prints the path
of a script that runs it: serial console on the terminal, the image opened as
a throw-away snapshot (the image itself is never written), and software
emulation (TCG) unless PYGUIX_VM_ACCEL=kvm is set — on machines where
/dev/kvm exists but does not work, KVM hangs instead of failing.

When the system runs an SSH server (openssh-service-type), the script
forwards a port of the host's loopback (PYGUIX_VM_SSH_PORT, default 10022)
to the configured port of the guest, and `ssh_hint` gives the command that
logs in through it.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from builders.plan import OsPlan

SSH_HOST_PORT = 10022          # PYGUIX_VM_SSH_PORT overrides it when the script runs

# What QEMU program and machine an image's system needs.
QEMU = {
    "x86_64-linux": ("qemu-system-x86_64", []),
    "i686-linux": ("qemu-system-i386", []),
    "i586-gnu": ("qemu-system-i386", []),
    "x86_64-gnu": ("qemu-system-x86_64", []),
    "aarch64-linux": ("qemu-system-aarch64", ["-M", "virt", "-cpu", "cortex-a53",
                                              "-bios", "/usr/lib/u-boot/qemu_arm64/u-boot.bin"]),
}


# A source of entropy for the guest, as Guix's VMs have (common-qemu-options):
# without it, under TCG, the kernel's random pool takes seconds to fill and
# what needs random bytes at boot (udev, ssh-keygen) waits.
RNG = ["-object", "rng-random,filename=/dev/urandom,id=guix-vm-rng", "-device", "virtio-rng-pci,rng=guix-vm-rng"]


def ssh_port(os_plan: OsPlan | None) -> int | None:
    """The port the system's SSH server listens on, if it has one (openssh-configuration port-number)."""
    for service in os_plan.services if os_plan is not None else ():
        if service.kind == "openssh":
            value = service.value if isinstance(service.value, dict) else {}
            port = value.get("port-number", 22)
            try:
                port = int(port)
            except (TypeError, ValueError):
                return None
            return port if 0 < port < 65536 else None
    return None


def ssh_user(os_plan: OsPlan) -> str:
    """Whom to log in as: the first ordinary user, else root."""
    return next((u.name for u in os_plan.users if not u.system and u.name != "root"), "root")


def ssh_hint(os_plan: OsPlan | None, host_port: int = SSH_HOST_PORT) -> str | None:
    """The `ssh` command that reaches the VM's SSH server through the forwarded port."""
    if os_plan is None or ssh_port(os_plan) is None:
        return None
    return f"ssh -p {host_port} {ssh_user(os_plan)}@localhost"


def qemu_command(image: Path, system: str, *, fmt: str = "qcow2", memory: int = 1024, uefi: bool = False,
                 snapshot: bool = True, guest_ssh_port: int | None = None,
                 host_ssh_port: int | str = SSH_HOST_PORT) -> list[str]:
    """The QEMU command line booting IMAGE (without the accelerator choice); with GUEST_SSH_PORT,
    the host's 127.0.0.1:HOST_SSH_PORT is forwarded to it."""
    program, machine = QEMU.get(system, QEMU["x86_64-linux"])
    disk_if = "ide" if system.endswith("-gnu") else "virtio"
    nic = "user,model=virtio-net-pci" if not system.endswith("-gnu") else "user,model=e1000"
    if guest_ssh_port is not None:
        nic += f",hostfwd=tcp:127.0.0.1:{host_ssh_port}-:{guest_ssh_port}"
    cmd = [program, *machine, "-m", str(memory), "-display", "none", "-serial", "mon:stdio", "-no-reboot",
           "-nic", nic]
    if not system.endswith("-gnu"):
        cmd += RNG
    if uefi:
        cmd += ["-bios", "/usr/share/ovmf/OVMF.fd"]
    if system == "aarch64-linux":
        cmd += ["-drive", f"if=none,file={image},format={fmt},id=hd0", "-device", "virtio-blk-device,drive=hd0"]
    else:
        cmd += ["-drive", f"file={image},format={fmt},if={disk_if}"]
    if snapshot:
        cmd.append("-snapshot")
    return cmd


def write_script(image: Path, system: str, out: Path, *, fmt: str = "qcow2", uefi: bool = False,
                 os_plan: OsPlan | None = None) -> Path:
    """Write an executable shell script that boots IMAGE; return its path."""
    guest = ssh_port(os_plan)
    marker = "@SSH_PORT@"
    argv = qemu_command(image, system, fmt=fmt, uefi=uefi, guest_ssh_port=guest, host_ssh_port=marker)
    cmd = " ".join(shlex.quote(c) for c in argv).replace(marker, '"$ssh_port"')
    ssh = ""
    if guest is not None:
        hint = ssh_hint(os_plan, 0)
        assert hint is not None
        ssh = (f'ssh_port="${{PYGUIX_VM_SSH_PORT:-{SSH_HOST_PORT}}}"\n'
               f'echo "SSH: {hint.replace(" -p 0 ", " -p $ssh_port ")}  (port {guest} of the guest)" >&2\n')
    out.write_text(
        "#!/bin/sh\n"
        "# Boot the image pyguix built; the console is this terminal (Ctrl-A X quits).\n"
        "# The image is opened as a snapshot: changes are discarded at exit.\n"
        'accel="${PYGUIX_VM_ACCEL:-tcg}"\n'
        + ssh +
        f'exec {cmd} -accel "$accel" "$@"\n'
    )
    out.chmod(0o755)
    return out
