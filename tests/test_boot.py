"""Images boot: QEMU (TCG) to `HOST login:`, then a root login and checks.

Each boot is bounded by timeouts and QEMU is killed by its PID
(qemu_console.Console).  Substitutes (kernel, busybox, GRUB) come from the
Debian archive through the provider's cache.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from qemu_console import Console, need  # noqa: E402

from builders.vm import RNG
from tests.helpers import REPO

OVMF = Path("/usr/share/ovmf/OVMF.fd")

pytestmark = pytest.mark.slow


def build(tmp_path: Path, image_type: str, sample: str, name: str) -> Path:
    out = tmp_path / name
    env = dict(os.environ, PYTHONPATH=str(REPO))
    r = subprocess.run([sys.executable, "-m", "builders.cli", "system", "image", "--quiet", "-t", image_type,
                        "-o", str(out), f"samples/{sample}"], capture_output=True, text=True, cwd=REPO, env=env,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    return out


def qemu(image: Path, fmt: str, uefi: bool = False) -> list[str]:
    argv = ["qemu-system-x86_64", "-accel", "tcg", "-m", "1024", "-display", "none", "-monitor", "none",
            "-serial", "stdio", "-no-reboot", "-snapshot", "-drive", f"file={image},format={fmt},if=virtio", *RNG]
    if uefi:
        argv += ["-bios", str(OVMF)]
    return argv


def login_and_check(console: Console, host: str, root_device: str, power_off: bool = True) -> dict[str, str]:
    _, seconds = console.expect(rf"[\r\n]{host} login: ", 300)
    console.send("root\n")
    console.expect(r"# ", 30)
    facts = {
        "hostname": console.run("cat /etc/hostname").strip(),
        "machine": console.run("uname -m").strip(),
        "root": console.run("grep ' / ' /proc/mounts | grep -v rootfs").strip(),
        "seconds": f"{seconds:.1f}",
    }
    assert facts["hostname"] == host
    assert facts["machine"] == "x86_64"
    device, mount_point, fstype, options = facts["root"].split()[:4]
    assert (device, mount_point, fstype) == (root_device, "/", "ext4")
    assert options.split(",")[0] == "rw"
    if power_off:
        console.send("poweroff -f\n")
    return facts


BIOS_BOOTS = [
    # (image type, sample, host, root device, qemu format); the server's qcow2 boots under SeaBIOS
    # in tests/test_shepherd_boot.py, with the running system's checks.
    ("mbr-raw", "server.scm", "komputilo", "/dev/vda1", "raw"),
    ("raw", "server.scm", "komputilo", "/dev/vda2", "raw"),
]


@pytest.mark.parametrize("image_type,sample,host,root,fmt", BIOS_BOOTS)
def test_bios_boot_to_login(tmp_path, image_type, sample, host, root, fmt):
    need("qemu-system-x86_64", "qemu-system-x86")
    image = build(tmp_path, image_type, sample, f"{image_type}.img")
    with Console(qemu(image, fmt), log=tmp_path / "console.log") as console:
        facts = login_and_check(console, host, root)
    print(f"{image_type}: login prompt after {facts['seconds']} s")


def test_uefi_boot_to_login(tmp_path):
    """uefi-os.scm as efi-raw under OVMF: root on /dev/vda2, then alice (no password) logs in."""
    need("qemu-system-x86_64", "qemu-system-x86")
    if not OVMF.exists():
        pytest.skip("OVMF not installed (apt-get install ovmf)")
    image = build(tmp_path, "efi-raw", "uefi-os.scm", "efi.img")
    with Console(qemu(image, "raw", uefi=True), log=tmp_path / "console.log") as console:
        facts = login_and_check(console, "efi-box", "/dev/vda2", power_off=False)
        console.send("exit\n")
        console.expect(r"[\r\n]efi-box login: ", 60)
        console.send("alice\n")
        console.expect(r"\$ ", 30)
        assert console.run("id -un").strip() == "alice"
    print(f"efi-raw: login prompt after {facts['seconds']} s")


def test_same_config_twice_gives_identical_images(tmp_path):
    a = build(tmp_path, "qcow2", "server.scm", "a.qcow2")
    b = build(tmp_path, "qcow2", "server.scm", "b.qcow2")
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def test_vm_script_boots(tmp_path):
    """`pyguix system vm` prints its script and the way in: with an SSH server in the system,
    the script forwards a host port to it and says the ssh command (the sample's sshd answers)."""
    need("qemu-system-x86_64", "qemu-system-x86")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(REPO), XDG_CACHE_HOME=str(tmp_path / "cache"),
               PYGUIX_SUBSTITUTE_CACHE=os.environ.get("PYGUIX_SUBSTITUTE_CACHE",
                                                      str(Path.home() / ".cache" / "pyguix")),
               PYGUIX_VM_SSH_PORT=str(port))
    r = subprocess.run([sys.executable, "-m", "builders.cli", "system", "vm", "--quiet", "samples/server.scm"],
                       capture_output=True, text=True, cwd=REPO, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    assert f"ssh -p {port} alice@localhost" in r.stderr
    script = Path(r.stdout.strip())
    assert script.name.endswith("-run-vm.sh") and os.access(script, os.X_OK)
    assert "hostfwd=tcp:127.0.0.1:" in script.read_text() and "-:2222" in script.read_text()
    with Console([str(script)], env=env) as console:
        console.expect(r"[\r\n]komputilo login: ", 300)
        banner = b""
        for _ in range(60):  # sshd may come up a little after the prompt
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
                    banner = c.recv(64)
                if banner.startswith(b"SSH-2.0-"):
                    break
            except OSError:
                pass
            time.sleep(1)
        assert banner.startswith(b"SSH-2.0-OpenSSH"), banner
