"""The declared system's pieces, without building an image: the Shepherd's
configuration (read back by real Guile), Debian packages merged into a
usr-merged tree (never through a link), alternatives, the system layout."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from builders.errors import BuildError
from builders.plan import ActivationPlan, OsPlan, ShepherdServicePlan, UserPlan
from builders.system.debian_root import alternatives_of, choose_alternatives, merge_packages
from builders.system.rootfs import populate_root, usr_merged_path
from builders.system.shepherd_config import guile_string, shepherd_config, unmet_requirements
from builders.system.shepherd_system import SYSTEM, SystemPackage, install_shepherd_system

GUILE = shutil.which("guile-3.0")

SSHD = ShepherdServicePlan(
    provision=("ssh-daemon", "ssh", "sshd"), requirement=("networking",),
    documentation='OpenSSH "sshd"\n(a quote, a newline)',
    start='(make-forkexec-constructor (list "/usr/sbin/sshd" "-D" "-e" "-p" "2222"))',
    stop="(make-kill-destructor)", packages=("openssh",), files=("/usr/sbin/sshd",), service="openssh")
NET = ShepherdServicePlan(provision=("networking",), one_shot=True, start="(lambda _ #t)", service="dhcpcd")
ODD = ShepherdServicePlan(provision=('we"ird) (system "x")',), start="(const #t)", service="x")


def guile_read_all(text: str) -> list[str]:
    """Every top-level datum of TEXT as Guile reads it (written back), or a failure."""
    assert GUILE is not None
    program = ('(use-modules (ice-9 rdelim))'
               '(let loop ((x (read))) (unless (eof-object? x) (write x) (newline) (loop (read))))')
    out = subprocess.run([GUILE, "--no-auto-compile", "-c", program], input=text.encode(),
                         capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr.decode()
    return out.stdout.decode().splitlines()


@pytest.mark.skipif(GUILE is None, reason="guile-3.0 is not installed")
def test_configuration_reads_in_guile_and_names_every_service():
    text = shepherd_config([SSHD, NET, ODD])
    data = guile_read_all(text)
    assert data[0].startswith("(use-modules (shepherd service)")
    assert data[-1].startswith("(start-in-the-background (list (quote root-file-system) (quote user-processes)")
    for name in ("ssh-daemon", "networking", 'we\\"ird'):
        assert name in data[-1]
    services = data[1]
    # every service of ours plus the base pair; the hostile name stays a string for string->symbol
    for name in ("root-file-system", "user-processes", "ssh-daemon", "networking"):
        assert name in services
    assert '(string->symbol "we\\"ird) (system \\"x\\")")' in services
    assert '"/usr/sbin/sshd"' in services


@pytest.mark.skipif(GUILE is None, reason="guile-3.0 is not installed")
def test_strings_round_trip_through_guile():
    for s in ['plain', 'a "quote"', "back\\slash", "new\nline", "tab\tx", "bell\x07", "ü ✓"]:
        program = f'(display (string=? {guile_string(s)} (call-with-input-file "/dev/stdin" read-string)))'
        assert GUILE
        out = subprocess.run([GUILE, "--no-auto-compile", "-c", "(use-modules (ice-9 textual-ports))"
                              + program.replace("read-string", "get-string-all")],
                             input=s.encode(), capture_output=True, timeout=60)
        assert out.stdout == b"#t", (s, out.stderr)


def test_unmet_requirements_are_reported_and_not_started():
    text = shepherd_config([SSHD])
    assert "#:requirement '(networking)" in text
    assert unmet_requirements([SSHD]) == [("ssh-daemon", "networking")]
    start_line = next(line for line in text.splitlines() if line.startswith("(start-in-the-background"))
    assert "ssh-daemon" not in start_line  # it could not start: Shepherd would refuse it
    assert "ssh-daemon" in shepherd_config([SSHD, NET]).splitlines()[-1]


def test_the_base_pair_is_added_only_where_the_fold_lacks_it():
    mine = ShepherdServicePlan(provision=("user-processes",), requirement=("root-file-system", "udev"),
                               start="(const #t)", service="user-processes")
    text = shepherd_config([mine, NET])
    assert text.count("(service '(user-processes)") == 1
    assert "#:requirement '(root-file-system udev)" in text
    assert text.count("(service '(root-file-system)") == 1


def test_free_form_services_are_written_as_they_are():
    log = ShepherdServicePlan(provision=("system-log", "syslogd"), free_form="(system-log-service)",
                              service="shepherd-system-log")
    assert "   (system-log-service)" in shepherd_config([log])


def _package(tmp_path: Path, name: str, files: dict[str, str | tuple[str]]) -> Path:
    root = tmp_path / "pkgs" / name
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, tuple):
            os.symlink(content[0], p)
        else:
            p.write_text(content)
    root.mkdir(parents=True, exist_ok=True)
    return root


def test_merge_is_usr_merged_and_never_writes_through_a_link(tmp_path, canaries):
    image = tmp_path / "image"
    image.mkdir()
    (image / "usr" / "bin").mkdir(parents=True)
    os.symlink("usr/bin", image / "bin")
    outside = canaries.directory  # a host directory a hostile package aims at
    base = _package(tmp_path, "base", {"etc/os-release": "debian\n", "usr/lib/link": (str(outside),)})
    legacy = _package(tmp_path, "legacy", {"bin/tool": "#!/bin/sh\n", "usr/lib/link/escape": "pwned\n"})
    count, skipped = merge_packages(image, [base, legacy])
    assert (image / "usr" / "bin" / "tool").read_text() == "#!/bin/sh\n"
    assert os.readlink(image / "bin") == "usr/bin"
    assert skipped == ["/usr/lib/link"]
    canaries.check()


def test_merge_keeps_the_configuration_files(tmp_path):
    image = tmp_path / "image"
    (image / "etc").mkdir(parents=True)
    (image / "etc" / "hostname").write_text("mine\n")
    pkg = _package(tmp_path, "netbase", {"etc/hostname": "debian\n", "etc/services": "ssh 22/tcp\n"})
    merge_packages(image, [pkg], keep_existing=True)
    assert (image / "etc" / "hostname").read_text() == "mine\n"
    assert (image / "etc" / "services").read_text() == "ssh 22/tcp\n"


def test_merge_refuses_device_nodes(tmp_path):
    pkg = tmp_path / "pkgs" / "fifo"
    pkg.mkdir(parents=True)
    os.mkfifo(pkg / "pipe")
    image = tmp_path / "image"
    image.mkdir()
    with pytest.raises(BuildError, match="not a regular file"):
        merge_packages(image, [pkg])


def test_alternatives_from_postinst_text():
    postinst = ("update-alternatives --install /usr/bin/awk awk /usr/bin/mawk 5 \\\n"
                "   --slave /usr/share/man/man1/awk.1.gz awk.1.gz /usr/share/man/man1/mawk.1.gz\n"
                "update-alternatives --quiet --install /usr/bin/pager pager /bin/more 50\n")
    found = alternatives_of(postinst)
    assert ("/usr/bin/awk", "awk", "/usr/bin/mawk", 5) in found
    assert ("/usr/bin/pager", "pager", "/bin/more", 50) in found
    chosen = choose_alternatives(found + [("/usr/bin/awk", "awk", "/usr/bin/gawk", 10)],
                                 lambda p: p != "/usr/bin/gawk")
    assert chosen["awk"] == ("/usr/bin/awk", "/usr/bin/mawk")


def test_usr_merged_paths():
    assert usr_merged_path("/bin/sh") == "usr/bin/sh"
    assert usr_merged_path("sbin/x") == "usr/sbin/x"
    assert usr_merged_path("/etc/x") == "etc/x"
    assert usr_merged_path("/binary/x") == "binary/x"


def _os(**kw) -> OsPlan:
    from builders.plan import BootloaderPlan
    base = dict(host_name="box", timezone="UTC", locale="en_US.utf8", label="x", kernel="linux-libre", hurd=None,
                kernel_arguments=(), initrd_modules=(), file_systems=(),
                bootloader=BootloaderPlan(name="grub", package=None, configuration_file="/boot/grub/grub.cfg"),
                users=(UserPlan("alice", "users", None, None, (), "Alice", "/home/alice", "/bin/bash", False, True),),
                groups=(), packages=("screen",), services=(), issue="hi\n")
    base.update(kw)
    return OsPlan(**base)


def test_system_layout(tmp_path):
    root = tmp_path / "root"
    plan = _os(shepherd_services=(SSHD, NET),
               service_users=(UserPlan("sshd", "sshd", None, None, (), "sshd", "/var/empty", "/usr/sbin/nologin",
                                       True, False),),
               activation=(ActivationPlan('(mkdir "/run/sshd")', service="openssh"),))
    populate_root(plan, root, usr_merged=True)
    screen = _package(tmp_path, "screen", {"usr/bin/screen": "elf\n"})
    shep = _package(tmp_path, "shepherd", {"usr/bin/shepherd": "#!/usr/bin/guile-3.0\n",
                                           "usr/libexec/shepherd/sbin/reboot": "x", "usr/sbin/sshd": "elf"})
    install_shepherd_system(plan, root, [SystemPackage("screen", screen, guix="screen"),
                                                    SystemPackage("shepherd", shep)])
    assert os.readlink(root / SYSTEM / "profile" / "bin" / "screen") == "/usr/bin/screen"
    assert os.readlink(root / "usr" / "sbin" / "reboot") == "/usr/libexec/shepherd/sbin/reboot"
    boot = (root / SYSTEM / "boot").read_text()
    assert boot.startswith("#!/usr/bin/dash")
    assert "exec /usr/bin/shepherd --config /var/guix/profiles/system/shepherd.scm" in boot
    config = (root / SYSTEM / "shepherd.scm").read_text()
    assert '(mkdir "/run/sshd")' in config and "ssh-daemon" in config
    passwd = (root / "etc" / "passwd").read_text()
    assert "\nsshd:x:" in passwd and "\nalice:x:1000:" in passwd
    assert "LANG=C.UTF-8" in boot          # en_US.utf8 is not compiled into this tree (locales.py does that)
    assert (root / "home" / "alice").is_dir()


def test_one_getty_per_serial_terminal():
    from builders.system.shepherd_system import serial_console, without_duplicate_console_getty

    console = ShepherdServicePlan(provision=("term-console",), start="(const #t)", service="agetty")
    ama0 = ShepherdServicePlan(provision=("term-ttyAMA0",), start="(const #t)", service="agetty")
    assert serial_console(["quiet", "console=tty0", "console=ttyAMA0,115200"]) == "ttyAMA0"
    assert serial_console(["console=tty1"]) is None
    both = _os(kernel_arguments=("console=ttyAMA0",), shepherd_services=(console, ama0))
    assert without_duplicate_console_getty(both) == (ama0,)
    other = _os(kernel_arguments=("console=ttyS0",), shepherd_services=(console, ama0))
    assert without_duplicate_console_getty(other) == (console, ama0)
