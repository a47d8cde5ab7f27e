"""-t docker, -t tarball and -t wsl2 carry the declared system, made fit for a container.

The containerized plan (builders/system/container.py, Guix's
containerized-operating-system) is checked without building anything: what
it leaves out (udev above all: a udev in a container would replay the HOST's
devices), the requirements it mends, the stops it makes safe.

The slow tests build tests/configs/container.scm (base services, DHCP, SSH on
port 2222, the declared package screen) as the three archives, then:

- the docker archive loads (`skopeo inspect docker-archive:` on the
  decompressed tar: Debian's skopeo reads no gzip) and unpacks (`skopeo copy`
  to an OCI layout, `umoci unpack`);
- its entrypoint runs as root on the unpacked tree in fresh namespaces with a
  network of its own, as a container runtime would set it up (/proc mounted,
  /sys read-only, /dev a tmpfs with the usual nodes): the Shepherd becomes
  PID 1, `herd status` lists the services, sshd listens on the configured
  port, `screen -v` runs.  The run is bounded and ended by killing the
  namespace's PID 1 (its PID, never a name): nothing is left running;
- the tarball holds the docker layer's tree, the wsl2 archive the same
  system with WSL's boot command, and without the DHCP client (WSL's network
  is the host's).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

from builders.plan import FileSystemPlan, ShepherdServicePlan
from builders.system.container import containerized, host_file_system
from builders.system.rootfs import populate_root
from builders.system.shepherd_config import all_services, shepherd_config, unmet_requirements
from builders.system.shepherd_system import SYSTEM, install_shepherd_system
from tests.helpers import REPO, pyguix

CONFIG = REPO / "tests" / "configs" / "container.scm"
HOST = "kontenero"
SSH_PORT = 2222
ENTRYPOINT = f"/{SYSTEM}/boot"

# Never in a container: they would act on the host's devices, consoles, kernel or clock.
LEFT_OUT = ("udev", "sysctl", "virtual-terminal", "term-console", "term-tty1", "file-system-/dev/pts",
            "file-system-/sys/kernel/debug", "file-system-/gnu/store")
RUNNING = ("ssh-daemon", "networking", "loopback", "system-log", "nscd", "user-processes", "root-file-system",
           "file-systems", "urandom-seed")


def load_os(config: Path = CONFIG, image_type: str = "docker"):
    from builders import cli
    from builders.lowering.lower import lower_image
    from schemeconf.interpreter import run_deep

    interp = cli._interpreter([])
    value = interp.load_file(config)
    image, type_name = run_deep(lambda: cli._image_from_value(interp, value, image_type, str(config)))
    image = run_deep(lambda: cli._apply_options(interp, image, None, None, False))
    return run_deep(lambda: lower_image(image, type_name)).os


@pytest.fixture(scope="module")
def os_plan():
    return load_os()


def provisions(services) -> set[str]:
    return {p for s in services for p in s.provision}


# --- the containerized plan (no build) -------------------------------------------------------


def test_the_container_leaves_out_what_acts_on_the_machine(os_plan):
    before = provisions(os_plan.shepherd_services)
    assert {"udev", "sysctl", "term-console", "file-system-/dev/pts"} <= before   # the base services have them
    after = containerized(os_plan)
    names = provisions(after.shepherd_services)
    for name in LEFT_OUT:
        assert name not in names
    assert {"ssh-daemon", "networking", "nscd", "system-log", "user-processes", "root-file-system",
            "file-systems", "loopback", "urandom-seed", "host-name"} <= names
    assert not any(s.service in ("udev", "agetty", "mingetty", "sysctl", "static-networking")
                   for s in after.shepherd_services)
    # every requirement is met: the removed names are dropped, 'loopback' has a stand-in
    assert unmet_requirements(all_services(after.shepherd_services)) == []
    (dummy,) = [s for s in after.shepherd_services if s.service == "dummy-networking"]
    assert dummy.provision == ("loopback",) and dummy.start == "(const #t)"
    assert not any("udev" in s.requirement for s in after.shepherd_services)
    # the file systems of the host kind are gone from /etc/fstab too
    assert after.file_systems == ()


def test_a_shared_network_is_left_to_the_host(os_plan):
    """WSL: no DHCP client; the stand-in provides 'networking' too (Guix's dummy-networking)."""
    after = containerized(os_plan, shared_network=True)
    assert not any(s.service == "dhcpcd" for s in after.shepherd_services)
    (dummy,) = [s for s in after.shepherd_services if s.service == "dummy-networking"]
    assert dummy.provision == ("loopback", "networking")
    assert unmet_requirements(all_services(after.shepherd_services)) == []


def test_stops_that_would_reach_the_host_are_made_safe(os_plan):
    services = {s.provision[0]: s for s in containerized(os_plan).shepherd_services}
    # no remount of "/": from a chroot it is the host's file system
    assert "remount" not in services["root-file-system"].stop and "(sync)" in services["root-file-system"].stop
    # kill -1 only as PID 1 of a PID namespace
    assert services["user-processes"].stop.startswith("(lambda args (if (= 1 (getpid))")
    # the system log reads no kernel log (/proc/kmsg is the host's)
    assert "#:kernel-log-file #f" in services["system-log"].free_form
    text = shepherd_config(containerized(os_plan).shepherd_services)
    assert "remount" not in text and "udev" not in text


def test_the_base_pair_is_the_container_s_own_when_the_fold_lacks_it(os_plan):
    import dataclasses

    bare = dataclasses.replace(os_plan, shepherd_services=(
        ShepherdServicePlan(provision=("x",), requirement=("user-processes", "udev"), service="x"),
        ShepherdServicePlan(provision=("udev",), service="udev")))
    services = {s.provision[0]: s for s in all_services(containerized(bare).shepherd_services)}
    assert "remount" not in services["root-file-system"].stop
    assert "(getpid)" in services["user-processes"].stop
    assert services["x"].requirement == ("user-processes",)


@pytest.mark.parametrize("mount_point,device,kind,host", [
    ("/", "label:root", "ext4", True),
    ("/gnu/store", "/gnu/store", "none", True),
    ("/dev/shm", "tmpfs", "tmpfs", True),
    ("/sys/kernel/debug", "none", "debugfs", True),
    ("/data", "uuid:1234-5678", "ext4", True),        # the host's disk, by its UUID
    ("/data", "label:data", "ext4", True),
    ("/data", "/dev/sdb1", "ext4", True),
    ("/tmp", "tmpfs", "tmpfs", False),                 # the container's own
    ("/srv", "/var/srv", "none", False),               # a bind mount inside the container
])
def test_host_file_systems(mount_point, device, kind, host):
    fs = FileSystemPlan(device=device, mount_point=mount_point, type=kind, options=None, flags=(),
                        needed_for_boot=False, check=False)
    assert host_file_system(fs) is host


def test_the_boot_program_replays_no_devices(os_plan, tmp_path):
    """Without a udev service, the boot program has no coldplug (it would trigger the host's devices)."""
    full = tmp_path / "full"
    populate_root(os_plan, full, usr_merged=True)
    install_shepherd_system(os_plan, full, [])
    assert "udevadm trigger" in (full / SYSTEM / "boot").read_text()   # the machine's system does replay them
    container = tmp_path / "container"
    small = containerized(os_plan)
    populate_root(small, container, usr_merged=True)
    install_shepherd_system(small, container, [])
    boot = (container / SYSTEM / "boot").read_text()
    assert "udev" not in boot
    # it mounts only what is missing: a runtime's /proc, /sys and /dev stay as they are
    for where in ("/proc", "/sys", "/dev", "/dev/pts", "/dev/shm", "/run"):
        assert f"mounted {where} || mount" in boot
    # `mounted` is the shell's own loop over /proc/mounts (no program started): run it here
    function = boot[boot.index("mounted() {"):boot.index("\n}\n") + 3]
    check = subprocess.run(["sh", "-c", function + 'mounted /proc && echo P; mounted /proc/nowhere || echo N; '
                            'mounted / && echo R'], capture_output=True, text=True, check=True)
    assert check.stdout.split() == ["P", "N", "R"], check


# --- the archives (slow: they build the system) ------------------------------------------------


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    base = tmp_path_factory.mktemp("container-archives")
    built = {}
    for kind in ("docker", "tarball", "wsl2"):
        out = base / f"{kind}.tar.gz"
        res = pyguix("system", "image", "--quiet", "--init", "shepherd", "-t", kind, "-o", str(out), str(CONFIG),
                     timeout=1200)
        assert res.returncode == 0, res.stderr
        assert "udev" not in res.stderr and "requires" not in res.stderr, res.stderr
        built[kind] = out
    return built


def docker_layer(archive: Path) -> tarfile.TarFile:
    with tarfile.open(archive) as outer:
        (entry,) = json.load(outer.extractfile("manifest.json"))  # type: ignore[arg-type]
        data = outer.extractfile(entry["Layers"][0]).read()  # type: ignore[union-attr]
    return tarfile.open(fileobj=io.BytesIO(data))


def names(tar: tarfile.TarFile) -> set[str]:
    return {re.sub(r"^\./", "", m.name).rstrip("/") for m in tar.getmembers()} - {"", "."}


SYSTEM_FILES = ("usr/bin/shepherd", "usr/bin/herd", f"{SYSTEM}/boot", f"{SYSTEM}/shepherd.scm", "usr/sbin/sshd",
                "usr/bin/screen", f"{SYSTEM}/profile/bin/screen", "usr/bin/dash", "etc/passwd")


@pytest.mark.slow
def test_the_archives_hold_the_same_system(archives):
    layer = docker_layer(archives["docker"])
    docker = names(layer)
    with tarfile.open(archives["tarball"]) as t:
        tarball = names(t)
    with tarfile.open(archives["wsl2"]) as t:
        wsl = names(t)
        wsl_conf = t.extractfile("./etc/wsl.conf").read().decode()  # type: ignore[union-attr]
        wsl_config = t.extractfile(f"./{SYSTEM}/shepherd.scm").read().decode()  # type: ignore[union-attr]
        assert t.getmember("./bin").linkname == "usr/bin" and t.getmember("./usr/bin/sh").issym()
    for name in SYSTEM_FILES:
        assert name in docker, name
    assert len(docker) > 3000                              # the system, not a skeleton of ~40 entries
    assert tarball == docker
    # WSL: the same system, started by WSL's boot command; its network is the host's (no DHCP client)
    assert wsl - docker == {"etc/wsl.conf"}
    assert docker - wsl and all("dhcpcd" in n for n in docker - wsl), sorted(docker - wsl)
    assert f"command = {ENTRYPOINT} &" in wsl_conf.splitlines()
    assert "dhcpcd" not in wsl_config and "'(loopback networking)" in wsl_config
    config = layer.extractfile(f"{SYSTEM}/shepherd.scm").read().decode()  # type: ignore[union-attr]
    boot = layer.extractfile(f"{SYSTEM}/boot").read().decode()  # type: ignore[union-attr]
    for name in ("udev", "term-", "sysctl", "virtual-terminal", "remount"):
        assert name not in config, name
    assert "udev" not in boot and boot.startswith("#!/usr/bin/dash\n")


@pytest.mark.slow
def test_the_docker_archive_is_reproducible(archives, tmp_path):
    """The same bytes again, from another output folder and another umask (the archives of
    tests/test_build.py are of the busybox stand-in: this one carries the declared system)."""
    import hashlib
    import sys

    out = tmp_path / "elsewhere" / "again.tar.gz"
    out.parent.mkdir()
    proc = subprocess.run([sys.executable, "-m", "builders.cli", "system", "image", "--quiet", "--init", "shepherd",
                           "-t", "docker", "-o", str(out), str(CONFIG)], cwd=REPO, capture_output=True, text=True,
                          timeout=1200, env=dict(os.environ, PYTHONPATH=str(REPO)), preexec_fn=lambda: os.umask(0o077))
    assert proc.returncode == 0, proc.stderr

    def digest(path: Path) -> str:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                h.update(block)
        return h.hexdigest()
    assert digest(out) == digest(archives["docker"])


# --- the docker archive, loaded, unpacked and run -------------------------------------------------

# What a container runtime gives the entrypoint: /proc (unshare --mount-proc), a
# read-only /sys and a tmpfs /dev with the usual nodes.  Everything is mounted in
# the namespace's own (private) mount table; nothing reaches the host's devices.
RUNTIME = r"""
set -e
root=$1
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
mount -t tmpfs -o mode=0755,nosuid,size=65536k tmpfs "$root/dev"
mknod -m 0666 "$root/dev/null" c 1 3
mknod -m 0666 "$root/dev/zero" c 1 5
mknod -m 0666 "$root/dev/full" c 1 7
mknod -m 0666 "$root/dev/random" c 1 8
mknod -m 0666 "$root/dev/urandom" c 1 9
mknod -m 0666 "$root/dev/tty" c 5 0
ln -s pts/ptmx "$root/dev/ptmx"
ln -s /proc/self/fd "$root/dev/fd"
exec chroot "$root" "$2"
"""


def need_tool(name: str) -> str:
    found = shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    if found is None:
        pytest.skip(f"{name} is not installed (scripts/bootstrap.sh installs it)")
    return found


def need_namespaces() -> None:
    if os.geteuid() != 0:
        pytest.skip("running the entrypoint needs root (the tree's files are root's, chroot and mounts)")
    probe = subprocess.run(["unshare", "--pid", "--fork", "--kill-child", "--mount", "--mount-proc", "--uts", "--ipc",
                            "--net", "true"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip(f"no new namespaces here: {probe.stderr.strip()}")


def unpack(archive: Path, work: Path) -> tuple[dict, Path]:
    """The image's configuration (skopeo) and its unpacked root (skopeo copy + umoci unpack)."""
    skopeo, umoci = need_tool("skopeo"), need_tool("umoci")
    plain = work / "image.tar"
    with open(plain, "wb") as f:
        subprocess.run(["gzip", "-dc", str(archive)], stdout=f, check=True, timeout=300)
    inspect = subprocess.run([skopeo, "inspect", "--config", f"docker-archive:{plain}"], capture_output=True,
                             text=True, timeout=300)
    assert inspect.returncode == 0, inspect.stderr
    config = json.loads(inspect.stdout)
    copy = subprocess.run([skopeo, "--insecure-policy", "copy", "-q", f"docker-archive:{plain}",
                           f"oci:{work / 'oci'}:guix"], capture_output=True, text=True, timeout=600)
    assert copy.returncode == 0, copy.stderr
    bundle = work / "bundle"
    res = subprocess.run([umoci, "unpack", "--image", f"{work / 'oci'}:guix", str(bundle)], capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    runtime = json.loads((bundle / "config.json").read_text())
    assert runtime["process"]["args"] == [ENTRYPOINT]
    return config, bundle / "rootfs"


def namespace_init(unshare: subprocess.Popen, deadline: float) -> int:
    """The PID (on the host) of the namespace's PID 1: unshare's child."""
    while time.monotonic() < deadline:
        try:
            children = Path(f"/proc/{unshare.pid}/task/{unshare.pid}/children").read_text().split()
        except OSError:
            children = []
        if children:
            return int(children[0])
        assert unshare.poll() is None, "unshare ended before its child started"
        time.sleep(0.1)
    raise AssertionError("the namespace's PID 1 did not start")


def inside(pid: int, root: Path, *command: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """COMMAND in the namespaces of PID, chrooted into ROOT."""
    return subprocess.run(["nsenter", "--target", str(pid), "--mount", "--pid", "--net", "--uts", "--ipc",
                           "chroot", str(root), *command], capture_output=True, text=True, timeout=timeout)


def started(status: str) -> list[str]:
    return re.findall(r"^ \+ (\S+)", status.split("Stopped:")[0].split("One-shot:")[0], re.M)


@pytest.mark.slow
def test_the_docker_entrypoint_runs_the_system(archives, tmp_path):
    need_namespaces()
    need_tool("nsenter")
    config, root = unpack(archives["docker"], tmp_path)
    assert config["config"]["Entrypoint"] == [ENTRYPOINT]
    assert config["architecture"] == "amd64" and config["os"] == "linux"
    # Before anything runs: nothing in this system would start a udev (the HOST's devices).
    assert "udev" not in (root / SYSTEM / "boot").read_text()
    assert "udev" not in (root / SYSTEM / "shepherd.scm").read_text()
    host_name = socket.gethostname()
    argv = ["unshare", "--pid", "--fork", "--kill-child", "--mount", f"--mount-proc={root}/proc", "--uts", "--ipc",
            "--net", "sh", "-c", RUNTIME, "runtime", str(root), ENTRYPOINT]
    with open(tmp_path / "console.log", "wb") as log:       # the child keeps its own descriptor
        unshare = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    init = None
    try:
        deadline = time.monotonic() + 180
        init = namespace_init(unshare, deadline)
        status = ""
        while time.monotonic() < deadline:
            assert unshare.poll() is None, (tmp_path / "console.log").read_text(errors="replace")
            try:
                r = inside(init, root, "herd", "status")
            except subprocess.TimeoutExpired:
                continue
            status = r.stdout
            if r.returncode == 0 and "ssh-daemon" in started(status) and "nscd" in started(status):
                break
            time.sleep(1)
        else:
            raise AssertionError(f"the Shepherd did not bring the services up:\n{status}\n"
                                 + (tmp_path / "console.log").read_text(errors="replace"))
        assert Path(f"/proc/{init}/comm").read_text().strip() == "shepherd"
        assert inside(init, root, "cat", "/proc/1/comm").stdout.strip() == "shepherd"
        for name in RUNNING:
            assert name in started(status), status
        for name in LEFT_OUT:
            assert name not in status, status
        # sshd listens on the configured port, in the container's own network
        listening = ""
        for _ in range(30):
            listening = inside(init, root, "ss", "-ltnH").stdout          # the image's ss (iproute2)
            if re.search(rf":{SSH_PORT}\b", listening):
                break
            time.sleep(1)
        assert re.search(rf":{SSH_PORT}\b", listening), listening
        # a declared package's command, from the system profile on the login PATH
        r = inside(init, root, "/bin/sh", "-l", "-c", "command -v screen; screen -v")
        assert r.stdout.startswith("/run/current-system/profile/bin/screen\n") and "Screen version" in r.stdout, r
        assert inside(init, root, "hostname").stdout.strip() == HOST
        processes = inside(init, root, "sh", "-c", "cat /proc/[0-9]*/comm").stdout.split()
        assert "sshd" in processes and not any("udev" in p for p in processes), processes
        # the runtime's mounts were kept, the missing ones made
        mounts = inside(init, root, "cat", "/proc/self/mounts").stdout
        assert re.search(r"^sysfs /sys sysfs ro,", mounts, re.M) and re.search(r"^tmpfs /dev tmpfs ", mounts, re.M)
        assert re.search(r"^devpts /dev/pts devpts ", mounts, re.M) and re.search(r"^tmpfs /run tmpfs ", mounts, re.M)
    finally:
        if init is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(init, signal.SIGKILL)          # PID 1 of the namespace: the kernel ends the rest
        try:
            unshare.wait(timeout=30)
        except subprocess.TimeoutExpired:
            unshare.kill()
            unshare.wait(timeout=30)
    assert socket.gethostname() == host_name
    if init is not None:
        assert not Path(f"/proc/{init}").exists()
