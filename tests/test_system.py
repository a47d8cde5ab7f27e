"""The busybox-based running system: generated files, and one smoke boot.

The boot test builds an initrd (make_initrd) and an ext4 root (rootfs +
install_system + fs.make_filesystem) and boots them with QEMU's -kernel,
without GRUB, to `HOST-NAME login:`; it then logs in as root.
"""

from __future__ import annotations

import dataclasses
import os
import re
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from test_initrd import SYSTEM, debian_package, load_os, substitute, tool

from builders.plan import ServicePlan
from builders.system.busybox_applets import known_applets
from builders.system.initrd import busybox_binary
from builders.system.rootfs import populate_root
from builders.system.running import (
    applet_paths,
    busybox_version,
    classify,
    explain,
    gettys,
    inittab,
    install_system,
    kernel_console,
    rcs_script,
)


def agetty(**fields) -> ServicePlan:
    value = {"record": "agetty-configuration", "tty": False, "term": False, "baud-rate": False,
             "extra-options": [], "auto-login": False, "local-line": False}
    value.update(fields)
    return ServicePlan("agetty", value)


def with_services(os_plan, *services, kernel_arguments=None):
    return dataclasses.replace(os_plan, services=tuple(services),
                               kernel_arguments=os_plan.kernel_arguments if kernel_arguments is None
                               else tuple(kernel_arguments))


def getty_lines(os_plan) -> list[str]:
    return [line for line in inittab(os_plan).splitlines() if "getty" in line]


# --- inittab ---------------------------------------------------------------------------------------


def test_inittab_of_the_server_sample():
    # console=ttyS0,115200 + Guix's console agetty (tty #f, -L, vt100), and mingetty on tty1..6
    lines = getty_lines(load_os("server.scm", "qcow2"))
    assert lines == ["ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100"] + [
        f"tty{i}::respawn:/sbin/getty 38400 tty{i} linux" for i in range(1, 7)]
    text = inittab(load_os("server.scm", "qcow2"))
    assert "::sysinit:/etc/init.d/rcS" in text.splitlines()


def test_inittab_of_the_pine_sample():
    # (agetty-configuration (extra-options '("-L")) (baud-rate "115200") (term "vt100") (tty "ttyS0")),
    # and no console= argument, so the console agetty of %base-services stays idle.
    os_plan = load_os("my-pine-os.scm", "pine64-raw")
    assert kernel_console(os_plan.kernel_arguments) is None
    lines = getty_lines(os_plan)
    assert lines[0] == "ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100"
    assert [line for line in lines if line.startswith("ttyS")] == [lines[0]]
    assert len(lines) == 7


def test_console_getty_follows_kernel_arguments():
    base = load_os("server.scm", "qcow2")
    g = gettys(with_services(base, agetty(), kernel_arguments=["console=ttyAMA0"]))
    assert [(x.tty, x.baud, x.term) for x in g] == [("ttyAMA0", "115200", "vt100")]
    g = gettys(with_services(base, agetty(), kernel_arguments=["console=tty0", "console=ttyS1,38400n8"]))
    assert [(x.tty, x.baud) for x in g] == [("ttyS1", "38400")]
    assert gettys(with_services(base, agetty(), kernel_arguments=["console=tty0"])) == []
    assert gettys(with_services(base, agetty(), kernel_arguments=["quiet"])) == []
    # a getty named for the console's tty wins over the console getty
    g = gettys(with_services(base, agetty(), agetty(tty="ttyS0", **{"baud-rate": "9600"}),
                             kernel_arguments=["console=ttyS0,115200"]))
    assert [(x.tty, x.baud) for x in g] == [("ttyS0", "9600")]


def test_agetty_options():
    base = load_os("server.scm", "qcow2")
    problems: list[str] = []
    autologins: set[str] = set()
    service = agetty(tty="ttyS2", term="xterm", **{"flow-control?": True, "no-issue?": True,
                     "local-line": "always", "extra-options": ["--local-line", "--8bits", "--bogus"],
                     "auto-login": "alice"})
    (g,) = gettys(with_services(base, service), problems, autologins)
    assert g.line() == "ttyS2::respawn:/sbin/getty -L -h -i -n -l /etc/pyguix/autologin-alice 115200 ttyS2 xterm"
    assert problems == ["agetty (option --bogus)"]
    assert autologins == {"alice"}
    (g,) = gettys(with_services(base, agetty(tty="tty3")))
    assert g.line() == "tty3::respawn:/sbin/getty 38400 tty3 linux"


# --- rcS and services ------------------------------------------------------------------------------

APPLETS = {"udhcpc", "syslogd", "klogd", "ip", "hostname", "mount"}


def test_rcs_of_the_server_sample():
    os_plan = load_os("server.scm", "qcow2")
    groups, unrealized = classify(os_plan, APPLETS)
    assert [s.kind for s in groups["dhcp"]] == ["dhcpcd"]
    assert unrealized == ["openssh", "console-fonts", "guix", "nscd", "log-rotation", "udev"]
    for kind in unrealized:
        assert explain(kind)
    text = rcs_script(os_plan, APPLETS, dhcp=groups["dhcp"], ntp=[], syslog=True, sysctl=None,
                      urandom_seed=True, loopback=True)
    assert "hostname -F /etc/hostname" in text
    assert "mount -o remount,rw /" in text
    assert "mount -a -t noefivarfs" in text
    assert "udhcpc -b" in text and "-s /usr/share/udhcpc/default.script" in text
    assert "syslogd" in text and "ip link set lo up" in text
    res = subprocess.run([tool("sh"), "-n"], input=text, text=True, capture_output=True)
    assert res.returncode == 0, res.stderr


def test_ntp_needs_an_ntpd_applet():
    base = load_os("server.scm", "qcow2")
    ntp = ServicePlan("ntp", {"record": "ntp-configuration", "servers": ["0.pool.ntp.org"]})
    os_plan = with_services(base, ntp, ServicePlan("network-manager", {"record": "x"}))
    groups, unrealized = classify(os_plan, APPLETS)
    assert unrealized == ["ntp"] and "ntpd" in explain("ntp")
    groups, unrealized = classify(os_plan, APPLETS | {"ntpd"})
    assert unrealized == []
    text = rcs_script(os_plan, APPLETS | {"ntpd"}, dhcp=groups["dhcp"], ntp=groups["ntp"], syslog=False,
                      sysctl=None, urandom_seed=False, loopback=False)
    assert "ntpd -p 0.pool.ntp.org" in text
    assert "udhcpc" in text


# --- applets ---------------------------------------------------------------------------------------


def test_recorded_applet_list_matches_the_binary():
    busybox = busybox_binary(substitute("busybox"))        # usr/bin/busybox in Debian 13
    version = busybox_version(busybox)
    assert version and version.startswith(("1.35.0", "1.37.0"))   # Debian 12, 13
    recorded = known_applets(version)
    assert recorded is not None
    assert tuple(applet_paths(busybox)) == recorded         # the amd64 binary runs here


@pytest.mark.slow
def test_foreign_busybox_uses_the_recorded_list():
    busybox = busybox_binary(debian_package("busybox-static", "arm64"))
    assert busybox_version(busybox).startswith(("1.35.0", "1.37.0"))
    assert "sbin/init" in applet_paths(busybox)


# --- the whole tree --------------------------------------------------------------------------------


def _tree(tmp_path: Path, os_plan, **kw) -> tuple[Path, list[str]]:
    tree = tmp_path / "tree"
    populate_root(os_plan, tree, root_device="LABEL=Guix_image", root_type="ext4")
    unrealized = install_system(os_plan, tree, substitute("busybox"), SYSTEM, **kw)
    return tree, unrealized


def _resolve(tree: Path, path: str, depth: int = 0) -> Path:
    """PATH followed through absolute symlinks inside TREE."""
    parts = Path(path.lstrip("/")).parts
    current = tree
    for i, part in enumerate(parts):
        current = current / part
        if current.is_symlink():
            target = os.readlink(current)
            rest = "/".join(parts[i + 1:])
            if target.startswith("/"):
                return _resolve(tree, target + ("/" + rest if rest else ""), depth + 1)
            return _resolve(tree, str(current.parent.relative_to(tree) / target) + ("/" + rest if rest else ""),
                            depth + 1)
    return current


def test_install_system_tree(tmp_path):
    os_plan = load_os("server.scm", "qcow2")
    tree, unrealized = _tree(tmp_path, os_plan, tzdata_dir=substitute("tzdata"))
    assert "guix" in unrealized and "openssh" in unrealized
    assert not any(k.startswith(("agetty", "mingetty", "dhcpcd", "timezone")) for k in unrealized)
    busybox = tree / "bin" / "busybox"
    assert busybox.stat().st_mode & 0o777 == 0o755
    assert os.readlink(tree / "sbin" / "init") == "/bin/busybox"
    for path in ("/sbin/init", "/bin/sh", "/usr/bin/env", "/sbin/getty", "/bin/login", "/sbin/udhcpc"
                 if (tree / "sbin" / "udhcpc").is_symlink() else "/usr/bin/udhcpc"):
        assert _resolve(tree, path) == busybox, path
    # Guix's special files point into the system profile, which the applets fill
    assert os.readlink(tree / "bin" / "sh") == "/run/current-system/profile/bin/sh"
    # every login shell exists (bash is stood in for by busybox sh)
    for line in (tree / "etc" / "passwd").read_text().splitlines():
        shell = line.split(":")[6]
        assert _resolve(tree, shell).exists(), shell
    assert (tree / "etc" / "inittab").read_text() == inittab(os_plan)
    assert (tree / "etc" / "init.d" / "rcS").stat().st_mode & 0o111
    assert (tree / "usr" / "share" / "udhcpc" / "default.script").stat().st_mode & 0o111
    localtime = _resolve(tree, "/etc/localtime")
    assert localtime == tree / "usr" / "share" / "zoneinfo" / "Europe" / "Berlin"
    assert localtime.read_bytes()[:4] == b"TZif"
    for d in ("dev", "proc", "sys", "run", "tmp"):
        assert (tree / d).is_dir()
    # rootfs's files are left alone
    assert (tree / "etc" / "hostname").read_text() == "komputilo\n"


def test_timezone_without_tzdata(tmp_path):
    os_plan = load_os("server.scm", "qcow2")
    _, unrealized = _tree(tmp_path, os_plan)
    assert "timezone (Europe/Berlin: no tzdata)" in unrealized
    utc = dataclasses.replace(os_plan, timezone="UTC")
    tree, unrealized = _tree(tmp_path / "utc", utc)
    assert not any(k.startswith("timezone") for k in unrealized)
    assert (tree / "etc" / "TZ").read_text() == "UTC0\n"


def test_install_system_is_reproducible(tmp_path):
    os_plan = load_os("my-pine-os.scm", "pine64-raw")
    a, _ = _tree(tmp_path / "a", os_plan)
    b, _ = _tree(tmp_path / "b", os_plan)

    def snapshot(root: Path) -> list[tuple]:
        out = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(dirnames + filenames):
                p = Path(dirpath) / name
                st = os.lstat(p)
                content = os.readlink(p) if p.is_symlink() else (p.read_bytes() if p.is_file() else b"")
                out.append((str(p.relative_to(root)), st.st_mode, content))
        return out

    assert snapshot(a) == snapshot(b)


# --- boot ------------------------------------------------------------------------------------------


class Console:
    """QEMU on a pipe: read the serial console, wait for text, type."""

    def __init__(self, argv: list[str], log: Path) -> None:
        self.log = log
        self.buffer = b""
        self.start = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def expect(self, pattern: bytes, timeout: float) -> float:
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        pos = 0
        while True:
            m = regex.search(self.buffer, pos)
            if m:
                self.buffer_pos = m.end()
                return time.monotonic() - self.start
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                tail = self.buffer[-3000:].decode(errors="replace")
                raise AssertionError(f"{pattern!r} not seen after {timeout} s; console tail:\n{tail}")
            ready, _, _ = select.select([self.proc.stdout], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                self.buffer += chunk
                with open(self.log, "ab") as f:
                    f.write(chunk)

    def send(self, text: str) -> None:
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)     # the process group we started, by its id
        self.proc.wait(timeout=30)


@pytest.mark.slow
def test_smoke_boot_to_login(tmp_path):
    """initrd + busybox root on virtio-blk, kernel booted by QEMU directly: login prompt, root login."""
    qemu = tool("qemu-system-x86_64")
    from builders.disk.fs import make_filesystem
    from builders.system.initrd import make_initrd
    from builders.system.kernel_modules import kernel_image

    os_plan = load_os("server.scm", "qcow2")
    kernel_dir, busybox = substitute("linux-libre"), substitute("busybox")
    t0 = time.monotonic()
    initrd = make_initrd(os_plan, kernel_dir, busybox, SYSTEM, tmp_path / "initrd",
                         fsck_dir=debian_package("e2fsck-static"), root="LABEL=Guix_image", root_type="ext4")
    t1 = time.monotonic()
    tree = tmp_path / "tree"
    populate_root(os_plan, tree, root_device="LABEL=Guix_image", root_type="ext4")
    unrealized = install_system(os_plan, tree, busybox, SYSTEM, tzdata_dir=substitute("tzdata"))
    assert "dhcpcd" not in unrealized
    t2 = time.monotonic()
    root = tmp_path / "root.ext4"
    make_filesystem("ext4", tree, root, 64 << 20, "Guix_image", None, (), 1)
    t3 = time.monotonic()
    disk = tmp_path / "boot.ext4"
    shutil.copyfile(root, disk)                      # booting writes to the disk
    argv = ["timeout", "-s", "KILL", "240", qemu, "-accel", "tcg", "-m", "512", "-no-reboot",
            "-kernel", str(kernel_image(kernel_dir)), "-initrd", str(initrd),
            "-append", "root=LABEL=Guix_image console=ttyS0",
            "-drive", f"file={disk},format=raw,if=virtio",
            "-display", "none", "-monitor", "none", "-serial", "stdio", "-nic", "user,model=virtio-net-pci"]
    console = Console(argv, tmp_path / "console.log")
    try:
        mounted = console.expect(rb"initrd: mounting /dev/vda", 120)
        login = console.expect(rb"komputilo login: ", 120)
        print(f"\ninitrd {t1 - t0:.2f} s, tree {t2 - t1:.2f} s, ext4 {t3 - t2:.2f} s; "
              f"boot: root found {mounted:.1f} s, login prompt {login:.1f} s")
        console.send("root\n")
        console.expect(rb"root@komputilo", 30)
        console.send("echo M1; grep -E ' / | /dev/pts | /dev/shm ' /proc/mounts; ls /bin/sh; "
                     "date +%Z; echo $((6*7))-OK\n")
        console.expect(rb"42-OK", 30)
        out = console.buffer.decode(errors="replace")
        session = out[out.rindex("M1"):]
        assert re.search(r"/dev/vda / ext4 rw", session), session
        assert "/dev/pts devpts" in session and "/dev/shm tmpfs" in session, session
        assert re.search(r"\nCES?T\r?\n", session), session          # Europe/Berlin from tzdata
        assert "initrd: could not load module" not in out
        console.send("poweroff -f\n")
    finally:
        console.close()
