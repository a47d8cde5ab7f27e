"""GNU/Hurd images: hurd-raw, hurd-qcow2 (i586-gnu) and hurd64-raw, hurd64-qcow2 (x86_64-gnu).

Images are built through the CLI and inspected with independent tools
(sfdisk, dumpe2fs, e2fsck, debugfs, qemu-img, pyelftools).  The boot tests
(marked slow) start GNU Mach from the images in QEMU -- qemu-system-i386 for
the 32-bit images, qemu-system-x86_64 for the 64-bit ones -- and wait for its
version banner and memory map on the serial console.  The --substitutes
tests build a tiny fake hurd-i386/hurd-amd64 `hurd` package.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from builders.boot.bootloaders.grubcfg import hurd_modules
from builders.boot.hurd import HURD_ARCHITECTURES, SERVER_FILES, TRANSLATORS, translator_value

sys.path.insert(0, str(Path(__file__).parent))
from qemu_console import Console, need  # noqa: E402

from tests.helpers import check, pyguix

pytestmark = pytest.mark.slow   # builds images (or boots them in QEMU)

SECTOR = 512
TYPES = {  # image type -> (system, qcow2?, QEMU, ELF class, ELF machine)
    "hurd-raw": ("i586-gnu", False, "qemu-system-i386", 32, "EM_386"),
    "hurd-qcow2": ("i586-gnu", True, "qemu-system-i386", 32, "EM_386"),
    "hurd64-raw": ("x86_64-gnu", False, "qemu-system-x86_64", 64, "EM_X86_64"),
    "hurd64-qcow2": ("x86_64-gnu", True, "qemu-system-x86_64", 64, "EM_X86_64"),
}
LOADER = {"i586-gnu": "/lib/ld.so.1", "x86_64-gnu": "/lib/ld-x86-64.so.1"}
NO_SERVERS = "the Hurd's servers are in no reachable package"
# GNU Mach's version line (at the start of a line; GRUB's serial terminal ends lines with
# "\n\r"), not the menu entry's title.
BANNER = r"(?m)^\r?GNU Mach 1\.8\S*"
MEMORY_MAP = r"biosmem: physical memory map:"


def build(out: Path, image_type: str, *extra: str) -> subprocess.CompletedProcess:
    res = pyguix("system", "disk-image", "-t", image_type, "-o", str(out), *extra, "samples/my-hurd-os.scm")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == str(out)
    return res


def raw_of(image: Path, qcow2: bool, tmp: Path) -> Path:
    if not qcow2:
        return image
    assert check("qemu-img", "check", image).returncode == 0
    raw = tmp / (image.name + ".raw")
    assert check("qemu-img", "convert", "-O", "raw", image, raw).returncode == 0
    return raw


def root_fs(raw: Path) -> tuple[str, dict]:
    """The root file system as a debugfs/e2fsck device spec (IMAGE?offset=N), and its partition."""
    table = json.loads(check("sfdisk", "--json", raw).stdout)["partitiontable"]
    assert table["label"] == "dos"
    (part,) = table["partitions"]
    return f"{raw}?offset={part['start'] * SECTOR}", part


def debugfs(fs: str, request: str) -> str:
    res = check("debugfs", "-R", request, fs)
    assert res.returncode == 0, res.stderr
    return res.stdout


def dump(fs: str, path: str, out: Path) -> bytes:
    check("debugfs", "-R", f"dump {path} {out}", fs)
    assert out.is_file(), f"{path} is not in the image"
    return out.read_bytes()


# --- pieces ------------------------------------------------------------------------------------


def test_module_lines_are_guix_hurd_multiboot_modules():
    ext2fs, exec_line = hurd_modules("/hurd/ext2fs.static", "/hurd/exec", "/lib/ld.so.1")
    assert ext2fs == ("/hurd/ext2fs.static ext2fs --multiboot-command-line='${kernel-command-line}' "
                      "--host-priv-port='${host-port}' --device-master-port='${device-port}' "
                      "--exec-server-task='${exec-task}' --store-type=typed --x-xattr-translator-records "
                      "'${root}' '$(task-create)' '$(task-resume)'")
    assert exec_line == "/lib/ld.so.1 exec /hurd/exec '$(exec-task=task-create)'"
    assert hurd_modules("/hurd/ext2fs.static", "/hurd/exec.static")[1] == \
        "/hurd/exec.static exec '$(exec-task=task-create)'"


def test_translator_records():
    assert translator_value(("/hurd/term", "/dev/console", "device", "console")) == \
        "/hurd/term\\000/dev/console\\000device\\000console\\000"
    nodes = {path for path, _, _ in TRANSLATORS}
    assert {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/console", "/dev/tty", "/dev/tty1",
            "/dev/ptyp0", "/dev/ttyp0", "/servers/socket/1", "/servers/password", "/proc"} <= nodes
    with pytest.raises(ValueError):
        translator_value(('/hurd/x"',))


# --- the four image types, without booting ------------------------------------------------------


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    base = tmp_path_factory.mktemp("hurd")
    built: dict[str, tuple[Path, str]] = {}

    def get(image_type: str) -> tuple[Path, str]:
        if image_type not in built:
            out = base / image_type
            res = build(out, image_type)
            built[image_type] = (out, res.stderr)
        return built[image_type]

    return get


@pytest.mark.parametrize("image_type", list(TYPES))
def test_hurd_image(images, tmp_path, image_type):
    system, qcow2, _, elf_class, machine = TYPES[image_type]
    image, stderr = images(image_type)
    raw = raw_of(image, qcow2, tmp_path)
    fs, part = root_fs(raw)

    # One bootable Linux-type (83) partition at 1 MiB; GRUB's boot code in the MBR.
    assert part["start"] == 2048 and part["type"] == "83" and part.get("bootable") is True
    assert raw.read_bytes()[:SECTOR].find(b"GRUB") >= 0

    # ext2 with the Hurd's options, clean.
    header = check("dumpe2fs", "-h", fs).stdout
    assert "Filesystem OS type:       Hurd" in header
    assert "Filesystem volume name:   Guix_image" in header
    features = next(line for line in header.splitlines() if line.startswith("Filesystem features:"))
    assert "ext_attr" in features and "has_journal" not in features
    res = check("e2fsck", "-fn", fs)
    assert res.returncode == 0, res.stdout + res.stderr

    # GNU Mach: a gzip of a 32-bit (i386) or 64-bit (x86-64) ELF executable.
    from elftools.elf.elffile import ELFFile

    elf = ELFFile(io.BytesIO(gzip.decompress(dump(fs, "/boot/gnumach.gz", tmp_path / "gnumach.gz"))))
    assert elf.elfclass == elf_class and elf["e_machine"] == machine and elf["e_type"] == "ET_EXEC"

    # grub.cfg: multiboot GNU Mach on the root partition, console on com0, Guix's module lines.
    cfg = debugfs(fs, "cat /boot/grub/grub.cfg")
    assert 'menuentry "GNU with the Hurd" {' in cfg
    assert "  multiboot /boot/gnumach.gz root=device:hd0s1 console=com0\n" in cfg
    modules = [line.strip()[len("module "):] for line in cfg.splitlines() if line.strip().startswith("module ")]
    assert modules == hurd_modules("/hurd/ext2fs.static", "/hurd/exec", LOADER[system])

    # The Hurd's skeleton (make-hurd-device-nodes) and its device and server nodes.
    root = debugfs(fs, "ls -l /")
    for d in ("dev", "servers", "hurd"):
        assert re.search(rf"\s40755 .* {d}\n", root), root
    servers = debugfs(fs, "ls /servers")
    for name in (*SERVER_FILES, "socket", "crash", "crash-kill", "crash-suspend"):
        assert name in servers.split(), servers
    assert "Type: regular    Mode:  0444" in debugfs(fs, "stat /servers/startup")
    assert debugfs(fs, "cat /servers/exec") == "exec"
    assert "Type: directory" in debugfs(fs, "stat /servers/socket")
    for path, command, mode in TRANSLATORS:
        stat = debugfs(fs, f"stat {path}")
        if path == "/dev/vcs":       # a directory (dev/vcs/1, 2 are made first), as in Guix
            assert "Type: directory    Mode:  0755" in stat, stat
        else:
            assert f"Type: regular    Mode:  {mode:04o}" in stat, (path, stat)
        value = tmp_path / "value"
        value.unlink(missing_ok=True)
        check("debugfs", "-R", f"ea_get -f {value} {path} gnu.translator", fs)
        assert value.read_bytes() == b"".join(a.encode() + b"\0" for a in command), path
    assert 'Fast link dest: "/dev/random"' in debugfs(fs, "stat /dev/urandom")
    assert 'Fast link dest: "/proc/mounts"' in debugfs(fs, "stat /etc/mtab")

    # The warning names the binaries no reachable package provides.
    warning = next(line for line in stderr.splitlines() if NO_SERVERS in line)
    for binary in ("/hurd/ext2fs.static", "/hurd/exec", LOADER[system], "/hurd/startup", "/hurd/null", "/hurd/term"):
        assert binary in warning
    assert f"--substitutes directory with the Hurd's {HURD_ARCHITECTURES[system]} .debs" in warning


# --- --substitutes with the Hurd's own packages -----------------------------------------------


def _ar(members: list[tuple[str, bytes]]) -> bytes:
    out = b"!<arch>\n"
    for name, data in members:
        out += f"{name:<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(data):<10}`\n".encode() + data
        if len(data) % 2:
            out += b"\n"
    return out


def _targz(entries: list[tuple[str, bytes | None, int]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.GNU_FORMAT) as tar:
        for name, data, mode in entries:
            info = tarfile.TarInfo(name)
            info.mode = mode
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def fake_hurd_deb(directory: Path, arch: str, loader: str) -> dict[str, bytes]:
    """A `hurd` package for ARCH with dummy ext2fs.static, exec and loader; returns its files."""
    files = {"/hurd/ext2fs.static": b"dummy ext2fs.static\n", "/hurd/exec": b"dummy exec\n",
             loader: b"dummy loader\n", "/usr/share/doc/hurd/copyright": b"GPL\n"}
    control = f"Package: hurd\nVersion: 1:0.9.git20230216-1\nArchitecture: {arch}\n" \
              "Maintainer: Test <t@example.org>\nDescription: fake GNU Hurd servers for tests\n"
    dirs = sorted({str(Path(p).parent) for p in files} | {"/usr", "/usr/share", "/usr/share/doc"})
    data = [("./", None, 0o755), *((f".{d}/", None, 0o755) for d in dirs),
            *((f".{p}", content, 0o755) for p, content in files.items())]
    deb = directory / f"hurd_0.9.git20230216-1_{arch}.deb"
    deb.write_bytes(_ar([("debian-binary", b"2.0\n"),
                         ("control.tar.gz", _targz([("./", None, 0o755), ("./control", control.encode(), 0o644)])),
                         ("data.tar.gz", _targz(data))]))
    return files


@pytest.mark.parametrize("image_type", ["hurd-raw", "hurd64-raw"])
def test_substitutes_directory_provides_the_hurd(tmp_path, image_type):
    system = TYPES[image_type][0]
    debs = tmp_path / "debs"
    debs.mkdir()
    files = fake_hurd_deb(debs, HURD_ARCHITECTURES[system], LOADER[system])
    # Another architecture's hurd package must not be taken.
    other = "hurd-amd64" if system == "i586-gnu" else "hurd-i386"
    (tmp_path / "other").mkdir()
    fake_hurd_deb(tmp_path / "other", other, "/lib/other.so")
    shutil.copy(next((tmp_path / "other").glob("*.deb")), debs / "hurd-other.deb")

    out = tmp_path / "hurd.img"
    res = build(out, image_type, "--substitutes", str(debs))
    assert NO_SERVERS not in res.stderr and "boot modules are missing" not in res.stderr, res.stderr
    assert "(hurd)" not in res.stderr, res.stderr     # the package list no longer calls it missing
    fs, _ = root_fs(out)
    for path, content in files.items():
        if path.startswith("/usr/share/doc/"):
            assert "File not found" in check("debugfs", "-R", f"stat {path}", fs).stderr   # docs left out
            continue
        assert dump(fs, path, tmp_path / "f") == content, path
    assert "File not found" in check("debugfs", "-R", "stat /lib/other.so", fs).stderr
    cfg = debugfs(fs, "cat /boot/grub/grub.cfg")
    for line in hurd_modules("/hurd/ext2fs.static", "/hurd/exec", LOADER[system]):
        assert f"  module {line}\n" in cfg
    assert e2fsck_ok(fs)


def e2fsck_ok(fs: str) -> bool:
    res = check("e2fsck", "-fn", fs)
    return res.returncode == 0


# --- boots (slow) ------------------------------------------------------------------------------


def _boot(qemu: str, image: Path, fmt: str, log: Path, timeout: float = 120) -> dict[str, float]:
    need(qemu, "qemu-system-x86")
    argv = [qemu, "-accel", "tcg", "-m", "1024", "-display", "none", "-monitor", "none", "-serial", "stdio",
            "-no-reboot", "-snapshot", "-drive", f"file={image},format={fmt},if=ide"]
    seen = {}
    with Console(argv, log=log) as console:
        m, seen["banner"] = console.expect(BANNER, timeout)
        _, seen["biosmem"] = console.expect(MEMORY_MAP, 30)
        seen["text"] = m.group(0)
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("image_type", ["hurd-qcow2", "hurd64-qcow2"])
def test_boot_gnumach(tmp_path, image_type):
    """`pyguix system disk-image -t hurd-qcow2` (and hurd64-qcow2) boots to GNU Mach's banner and memory map."""
    _, _, qemu, _, _ = TYPES[image_type]
    image = tmp_path / f"{image_type}.qcow2"
    build(image, image_type)
    seen = _boot(qemu, image, "qcow2", tmp_path / "console.log")
    print(f"\n{image_type} with {qemu}: {seen['text']!r} at {seen['banner']:.1f}s, "
          f"memory map at {seen['biosmem']:.1f}s")


@pytest.mark.slow
def test_missing_modules_do_not_stop_grub(tmp_path):
    """GRUB reports the missing module files, then still boots GNU Mach (why the lines are always written)."""
    image = tmp_path / "hurd.img"
    build(image, "hurd-raw")
    fs, _ = root_fs(image)
    cfg = debugfs(fs, "cat /boot/grub/grub.cfg")
    assert "module /hurd/ext2fs.static" in cfg
    serial_cfg = tmp_path / "grub.cfg"      # the same entry, with GRUB's own messages on the serial port too
    serial_cfg.write_text(cfg.replace("set default=0\n", "serial\nterminal_output serial console\nset default=0\n"))
    commands = tmp_path / "cmds"
    commands.write_text(f"rm /boot/grub/grub.cfg\ncd /boot/grub\nwrite {serial_cfg} grub.cfg\n")
    assert check("debugfs", "-w", "-f", commands, fs).returncode == 0
    need("qemu-system-i386", "qemu-system-x86")
    argv = ["qemu-system-i386", "-accel", "tcg", "-m", "1024", "-display", "none", "-monitor", "none",
            "-serial", "stdio", "-no-reboot", "-snapshot", "-drive", f"file={image},format=raw,if=ide"]
    with Console(argv, log=tmp_path / "console.log") as console:
        console.expect(r"error: file `/hurd/ext2fs\.static' not found", 90)
        _, waited = console.expect(r"Press any key to continue", 30)
        _, booted = console.expect(BANNER, 60)
    print(f"\nGRUB waited {booted - waited:.1f}s after the missing-module errors, then booted GNU Mach")
