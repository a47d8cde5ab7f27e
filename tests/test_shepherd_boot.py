"""The declared system runs: the server sample boots with the Shepherd as PID 1.

One QEMU boot (TCG, bounded, killed by its PID) of samples/server.scm, built
from a copy whose authorized key is a fresh one of this test's, checks what
the issue asks of the running system:

- /proc/1/comm is `shepherd`; `herd status` lists the services, all running;
- DHCP gave the guest its address (10.0.2.15, QEMU's user network);
- from the host, ssh through a hostfwd on 127.0.0.1 to the configured port
  logs in as alice with the listed key and runs a declared package's
  command (`screen -v`); password login over SSH is refused, as the config says;
- alice's `(crypt ...)` password logs her in on the serial console;
- `herd stop ssh-daemon` closes the port, `herd start ssh-daemon` opens it;
- `reboot` comes back to the login prompt.
"""

from __future__ import annotations

import json
import os
import re
import shutil
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

pytestmark = pytest.mark.slow

HOST = "komputilo"
SSH_PORT = 2222            # the sample's openssh-configuration port-number


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(tmp_path: Path, config: Path, image_type: str = "qcow2") -> Path:
    out = tmp_path / f"image.{image_type}"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    r = subprocess.run([sys.executable, "-m", "builders.cli", "system", "image", "--quiet", "-t", image_type,
                        "-o", str(out), str(config)], capture_output=True, text=True, cwd=REPO, env=env, timeout=900)
    assert r.returncode == 0, r.stderr
    return out


def sample_with_key(tmp_path: Path) -> tuple[Path, Path]:
    """samples/server.scm in TMP_PATH, beside alice.pub: the public half of a key made here."""
    need("ssh-keygen", "openssh-client")
    shutil.copy(REPO / "samples" / "server.scm", tmp_path / "server.scm")
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", str(key)], check=True)
    shutil.copy(key.with_suffix(".pub"), tmp_path / "alice.pub")
    return tmp_path / "server.scm", key


def ssh(key: Path, port: int, user: str, command: str, *extra: str, timeout: float = 60) -> subprocess.CompletedProcess:
    argv = ["ssh", "-p", str(port), "-i", str(key), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=15", "-o", "BatchMode=yes",
            "-o", "IdentitiesOnly=yes", *extra, f"{user}@127.0.0.1", command]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


def wait_for_ssh(key: Path, port: int, deadline: float) -> subprocess.CompletedProcess:
    last = None
    while time.monotonic() < deadline:
        last = ssh(key, port, "alice", "true", timeout=40)
        if last.returncode == 0:
            return last
        time.sleep(2)
    raise AssertionError(f"no SSH login before the deadline: {last.stderr if last else ''}")


def host_keys_in(image: Path, tmp_path: Path) -> list[str]:
    """The ssh_host_* files in the image's /etc/ssh (read with debugfs from the root partition)."""
    raw = tmp_path / "check.raw"
    subprocess.run(["qemu-img", "convert", "-O", "raw", str(image), str(raw)], check=True)
    table = json.loads(subprocess.run(["sfdisk", "--json", str(raw)], capture_output=True, text=True,
                                      check=True).stdout)["partitiontable"]
    root = max(table["partitions"], key=lambda p: p["size"])
    listing = subprocess.run(["debugfs", "-R", "ls /etc/ssh", f"{raw}?offset={root['start'] * 512}"],
                             capture_output=True, text=True, check=True).stdout
    raw.unlink()
    assert "sshd_config" in listing or "moduli" in listing, listing  # we did read /etc/ssh
    return re.findall(r"ssh_host_\S+", listing)


def qemu(image: Path, port: int) -> list[str]:
    return ["qemu-system-x86_64", "-accel", "tcg", "-m", "1024", "-smp", "2", "-display", "none",
            "-monitor", "none", "-serial", "stdio", "-snapshot",
            "-drive", f"file={image},format=qcow2,if=virtio",
            "-nic", f"user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:{port}-:{SSH_PORT}", *RNG]


def login(console: Console, user: str, password: str | None, timeout: float = 240) -> float:
    _, seconds = console.expect(rf"[\r\n]{HOST} login: ", timeout)
    console.send(user + "\n")
    if password is not None:
        console.expect(r"Password: ", 30)
        console.send(password + "\n")
    console.expect(r"[$#] ", 60)
    if user == "root":     # the kernel's messages would land amid the commands' output
        console.run("dmesg -n 1")
    return seconds


def test_server_runs_the_declared_system(tmp_path):
    need("qemu-system-x86_64", "qemu-system-x86")
    need("ssh", "openssh-client")
    config, key = sample_with_key(tmp_path)
    image = build(tmp_path, config)
    assert not host_keys_in(image, tmp_path), "SSH host keys must be made at first boot, not baked in"
    port = free_port()
    with Console(qemu(image, port), log=tmp_path / "console.log") as console:
        seconds = login(console, "root", None)
        print(f"login prompt after {seconds:.1f} s")
        assert console.run("cat /proc/1/comm").strip() == "shepherd"
        # sshd may still be starting at the login prompt: it makes the host keys first.
        status = console.run("for i in $(seq 90); do herd status | grep -q 'Starting:' || break; sleep 1; done; "
                             "herd status", timeout=120)
        started = re.findall(r"^ \+ (\S+)", status, re.M)
        for name in ("ssh-daemon", "networking", "term-console", "nscd", "udev", "system-log"):
            assert name in started, status
        assert not re.search(r"^ - ", status, re.M) or "Stopped:" not in status.split("One-shot:")[0], status
        # DHCP (dhcpcd probes its address for a few seconds first)
        addresses = console.run("for i in $(seq 60); do ip -4 -o addr show scope global | grep -q inet && break; "
                                "sleep 1; done; ip -4 -o addr show scope global | cat", timeout=90)
        assert "10.0.2.15/" in addresses, addresses

        # From the host: the listed key logs alice in, and a declared package runs.
        wait_for_ssh(key, port, time.monotonic() + 120)
        r = ssh(key, port, "alice", "screen -v; id -un; stat -c %U ~")
        assert r.returncode == 0 and "Screen version" in r.stdout, r.stderr
        assert r.stdout.split()[-2:] == ["alice", "alice"], r.stdout  # her home is hers
        assert "Permission denied" not in r.stderr, r.stderr
        # Password login over SSH is refused: the server offers no password method.
        r = ssh(key, port, "alice", "true", "-o", "PubkeyAuthentication=no",
                "-o", "PreferredAuthentications=password,keyboard-interactive")
        assert r.returncode != 0 and "Permission denied (publickey)" in r.stderr, r.stderr

        # herd stop / start.
        console.run("herd stop ssh-daemon", timeout=60)
        r = ssh(key, port, "alice", "true", timeout=40)
        assert r.returncode != 0
        console.run("herd start ssh-daemon", timeout=60)
        wait_for_ssh(key, port, time.monotonic() + 60)

        # alice's (crypt ...) password on the serial console.
        console.send("exit\n")
        login(console, "alice", "alice")
        assert console.run("id -un").strip() == "alice"
        console.send("exit\n")

        # reboot comes back to the login prompt.
        login(console, "root", None)
        before = len(console.buffer)
        console.send("reboot\n")
        seconds = login(console, "root", None, timeout=300)
        assert console.run("cat /proc/1/comm").strip() == "shepherd"
        # the services were stopped and / unmounted cleanly: the next boot finds nothing to recover
        rebooted = console.buffer[before:]
        assert "EXT4-fs (vda2): mounted filesystem" in rebooted, rebooted[-3000:]
        assert not re.search(r"recovery complete|orphan cleanup|not clean|needs_recovery", rebooted), rebooted


OVMF = Path("/usr/share/ovmf/OVMF.fd")


def test_same_system_boots_as_efi_raw_under_ovmf(tmp_path):
    """The server's OS as efi-raw (GPT, an ESP with GRUB for UEFI) under OVMF: the Shepherd is PID 1
    and the listed key logs alice in over SSH."""
    need("qemu-system-x86_64", "qemu-system-x86")
    if not OVMF.exists():
        pytest.skip("OVMF not installed (apt-get install ovmf)")
    config, key = sample_with_key(tmp_path)
    image = build(tmp_path, config, "efi-raw")
    port = free_port()
    argv = [a if a != f"file={image},format=qcow2,if=virtio" else f"file={image},format=raw,if=virtio"
            for a in qemu(image, port)] + ["-bios", str(OVMF)]
    with Console(argv, log=tmp_path / "console.log") as console:
        seconds = login(console, "root", None, timeout=300)
        print(f"efi-raw: login prompt after {seconds:.1f} s")
        assert console.run("cat /proc/1/comm; test -d /sys/firmware/efi && echo uefi").split() == ["shepherd", "uefi"]
        wait_for_ssh(key, port, time.monotonic() + 120)
        r = ssh(key, port, "alice", "cat /proc/1/comm")
        assert r.stdout.strip() == "shepherd", r.stderr


def test_more_services_run_as_declared(tmp_path):
    """tests/configs/services-vm.scm: static networking (no DHCP), nginx serving the special file
    /srv/www/index.html (reached from the host through a hostfwd), ntpd, mingetty on tty1, the
    system log and its rotation, a sysctl setting, the time zone, the locale, a udev rule."""
    need("qemu-system-x86_64", "qemu-system-x86")
    image = build(tmp_path, REPO / "tests" / "configs" / "services-vm.scm")
    port = free_port()
    argv = [a.replace(f"-:{SSH_PORT}", "-:8080") for a in qemu(image, port)]
    with Console(argv, log=tmp_path / "console.log") as console:
        _, seconds = console.expect(r"[\r\n]servo login: ", 300)
        console.send("root\n")
        console.expect(r"# ", 60)
        print(f"services-vm: login prompt after {seconds:.1f} s")
        status = re.sub(r"\x1b\[[0-9;]*m", "", console.run("herd status", timeout=60))
        started = re.findall(r"^ \+ (\S+)", status, re.M)
        for name in ("networking", "nginx", "system-log", "nscd", "udev", "loopback", "log-rotation"):
            assert name in started, status
        # log rotation is a Shepherd timer: triggered now, it runs and stays scheduled
        rotation = console.run("herd trigger log-rotation; echo rc=$?; herd status log-rotation | cat", timeout=60)
        assert "rc=0" in rotation and "It is running" in rotation and "Completed in" in rotation, rotation
        assert "/var/log/messages.1" in rotation, rotation          # it rotated the system log
        assert "ntpd" in started, status        # ntpsec's, with the generated ntp.conf
        procs = console.run("ps -eo user=,args= | grep -E '[n]tpd|[m]ingetty|[a]getty' | cat")
        assert re.search(r"^ntpd +/usr/sbin/ntpd -n -c /etc/pyguix/files/\S+-ntp.conf", procs, re.M), procs
        assert re.search(r"mingetty.* tty1\b", procs), procs            # a login on tty1 too
        assert "dhcpcd" not in status
        facts = console.run("ip -4 -o addr show dev ens3 | cat; ip route | cat; cat /etc/resolv.conf; "
                            "cat /proc/sys/net/ipv4/ip_forward; date +%Z; hostname")
        assert "10.0.2.15/24" in facts and "default via 10.0.2.2" in facts, facts
        assert "nameserver 10.0.2.3" in facts, facts
        assert "\n1\nCET\nservo\n" in facts, facts        # ip_forward, Europe/Paris in December, host name
        # the configuration's udev rule made its link when the devices were coldplugged
        assert console.run("readlink /dev/null-alias").strip() == "null", console.run("ls -l /dev/ | head -50")
        # the locale, compiled: the shell has it, and glibc loads it without complaint
        locale = console.run("echo $LANG; locale charmap; locale 2>&1 >/dev/null | wc -l; date -d @0 +%x")
        assert locale.split() == ["en_US.utf8", "UTF-8", "0", "01/01/1970"], locale
        logged = console.run("logger -t pyguix-test hello-syslog; sleep 1; grep -h hello-syslog /var/log/messages")
        assert "hello-syslog" in logged, logged
        page = b""
        for _ in range(60):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
                    c.sendall(b"GET / HTTP/1.0\r\nHost: servo\r\n\r\n")
                    page = b"".join(iter(lambda: c.recv(4096), b""))     # HTTP/1.0: read to the end
                if page:
                    break
            except OSError:
                pass
            time.sleep(1)
        # nginx answers from the guest's port 8080 with the page of the special file /srv/www/index.html
        assert page.startswith(b"HTTP/1.1 200") and page.endswith(b"\r\n\r\nserved by servo\n"), page
