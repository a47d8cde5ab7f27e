"""GRUB and extlinux: configuration text, BIOS embedding bytes, EFI binaries, real boots.

GRUB's files come from the substitute provider (Debian's grub packages); the
boot tests (marked slow) also take Debian's cloud kernel and busybox-static
from it and boot the disks built here under QEMU (TCG), SeaBIOS and OVMF.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import shutil
import struct
import subprocess
import threading
import time
from pathlib import Path

import pytest

from builders.boot.bootloaders import INSTALLERS, BootContext, installer_for
from builders.boot.bootloaders.extlinux import extlinux_conf
from builders.boot.bootloaders.grub import (
    BLOCKLIST_OFFSET,
    GrubError,
    early_config,
    grub_tools,
    install_grub_bios,
    make_core_image,
    make_grub_efi,
    make_grub_eltorito,
    realize_packages,
)
from builders.boot.bootloaders.grubcfg import grub_cfg
from builders.disk.assemble import Chunk, assemble_disk
from builders.disk.ptable import GptTable, MbrTable, Partition
from builders.disk.ptable import gpt as gptmod
from builders.errors import BuildError
from builders.run import tool_available
from tests.helpers import REPO

MiB = 1 << 20
ROOT_UUID = "5ca1ab1e-0000-4000-8000-00000000b007"
ROOT_LABEL = "my-root"
MARKER = "PYGUIX-INITRD-REACHED"


# --- fixtures -----------------------------------------------------------------------------------


def load_plan(sample: str, image_type: str | None = None):
    from builders import cli
    from builders.lowering.lower import lower_image
    from schemeconf.interpreter import run_deep

    interp = cli._interpreter([])
    value = interp.load_file(REPO / "samples" / sample)
    image, type_name = run_deep(lambda: cli._image_from_value(interp, value, image_type, sample))
    image = run_deep(lambda: cli._apply_options(interp, image, None, 64 * MiB, False))
    return run_deep(lambda: lower_image(image, type_name))


@pytest.fixture(scope="module")
def server_os():
    return load_plan("server.scm", "qcow2").os


def _substitutes(names: list[str]) -> Path:
    from builders.substitutes.provider import SubstituteUnavailable

    try:
        return realize_packages(names, "amd64")
    except SubstituteUnavailable as e:
        if e.network:
            pytest.skip(f"substitutes unreachable: {e}")
        raise


@pytest.fixture(scope="module")
def grub():
    return grub_tools(_substitutes(["grub-common", "grub-pc-bin", "grub-efi-amd64-bin", "grub-efi-ia32-bin"]))


def sfdisk_json(image: Path) -> dict:
    out = subprocess.run(["sfdisk", "--json", str(image)], capture_output=True, check=True, text=True).stdout
    return json.loads(out)


needs_sfdisk = pytest.mark.skipif(not tool_available("sfdisk"), reason="sfdisk missing")


def mbr_disk(path: Path, first_lba: int = 2048, sectors: int = 8192, size: int = 8 * MiB) -> Path:
    table = MbrTable(disk_signature=0x70677578)
    parts = [Partition(offset=first_lba * 512, size=sectors * 512, type=0x83, bootable=True)]
    assemble_disk(path, size, table.regions(size, parts))
    return path


def gpt_disk(path: Path, root_image: Path | None = None, esp_image: Path | None = None,
             root_size: int = 8 * MiB, esp_size: int = 4 * MiB) -> Path:
    """p1 BIOS boot @1 MiB (1 MiB), p2 ESP @2 MiB, p3 root after it (recipe variant B)."""
    esp_off = 2 * MiB
    root_off = esp_off + esp_size
    size = root_off + root_size + MiB
    parts = [
        Partition(1 * MiB, 1 * MiB, gptmod.BIOS_BOOT, "bios-boot", guid=gptmod.guid_from_seed(b"t", "p1")),
        Partition(esp_off, esp_size, gptmod.ESP, "esp", guid=gptmod.guid_from_seed(b"t", "p2")),
        Partition(root_off, root_size, gptmod.LINUX_DATA, ROOT_LABEL, guid=gptmod.guid_from_seed(b"t", "p3")),
    ]
    regions = GptTable(disk_guid=gptmod.guid_from_seed(b"t", "disk")).regions(size, parts)
    if esp_image:
        regions.append(Chunk(esp_off, esp_size, esp_image, "esp"))
    if root_image:
        regions.append(Chunk(root_off, root_size, root_image, "root"))
    assemble_disk(path, size, regions)
    return path


# --- grub.cfg -------------------------------------------------------------------------------


def test_grub_cfg_server_serial_console(server_os):
    cfg = grub_cfg(server_os, root_uuid=ROOT_UUID, kernel_path="/boot/vmlinuz", initrd_path="/boot/initrd.gz")
    lines = cfg.splitlines()
    assert lines[0].startswith("# This file was generated from your Guix configuration.")
    assert lines[1] == "# will be lost upon reconfiguration."
    assert lines[2:5] == ["serial --unit=0 --speed=115200",
                          "terminal_output serial console",
                          "terminal_input serial console"]
    assert "set default=0" in lines and "set timeout=5" in lines
    assert 'menuentry "GNU with Linux-Libre" {' in lines
    assert f"  search --fs-uuid --set {ROOT_UUID}" in lines
    linux = next(line for line in lines if line.startswith("  linux "))
    assert linux.split() == ["linux", "/boot/vmlinuz", f"root=UUID={ROOT_UUID}", "gnu.system=/run/current-system",
                             "gnu.load=/run/current-system/boot", "console=ttyS0,115200"]
    assert "  initrd /boot/initrd.gz" in lines
    # serial set-up comes before anything uses the terminal; the entry after the settings
    assert cfg.index("serial --unit") < cfg.index("set timeout") < cfg.index("menuentry")


def test_grub_cfg_plain_console_and_label(server_os):
    boot = dataclasses.replace(server_os.bootloader, terminal_outputs=("gfxterm",), serial_unit=None,
                               serial_speed=None, timeout=1)
    os_plan = dataclasses.replace(server_os, bootloader=boot, kernel_arguments=("quiet",))
    cfg = grub_cfg(os_plan, root_uuid=None, root_label=ROOT_LABEL, kernel_path="/boot/vmlinuz",
                   initrd_path="/boot/initrd.gz")
    assert "serial" not in cfg and "terminal_" not in cfg
    assert "set timeout=1" in cfg
    assert f'  search --label --set "{ROOT_LABEL}"' in cfg
    assert f"root=LABEL={ROOT_LABEL} gnu.system=/run/current-system gnu.load=/run/current-system/boot quiet" in cfg


def test_grub_cfg_serial_speed_alone_enables_serial(server_os):
    boot = dataclasses.replace(server_os.bootloader, terminal_outputs=("gfxterm",), serial_unit=None,
                               serial_speed=9600)
    cfg = grub_cfg(dataclasses.replace(server_os, bootloader=boot), root_uuid=ROOT_UUID,
                   kernel_path="/boot/vmlinuz", initrd_path="/boot/initrd.gz")
    assert "serial --speed=9600\nterminal_output serial console\nterminal_input serial console\n" in cfg


def test_grub_cfg_hurd():
    os_plan = load_plan("my-hurd-os.scm").os
    cfg = grub_cfg(os_plan, root_uuid=None, root_label="hurd", kernel_path="/boot/gnumach.gz",
                   initrd_path=None, hurd=True, hurd_module_lines=("/hurd/ext2fs.static ext2fs x", "/lib/ld.so.1 exec"))
    assert 'menuentry "GNU with the Hurd" {' in cfg
    assert "  multiboot /boot/gnumach.gz root=device:hd0s1 console=com0\n" in cfg
    assert "  module /hurd/ext2fs.static ext2fs x\n  module /lib/ld.so.1 exec\n" in cfg
    assert "linux " not in cfg and "initrd" not in cfg


def test_extlinux_conf_guix_shape():
    os_plan = load_plan("my-pine-os.scm").os
    text = extlinux_conf(os_plan, "/boot/Image", "/boot/initrd.gz", None, root_uuid=ROOT_UUID)
    assert text == (
        "# This file was generated from your Guix configuration.  Any changes\n"
        "# will be lost upon reconfiguration.\n"
        "UI menu.c32\n"
        "MENU TITLE GNU Guix Boot Options\n"
        "PROMPT 1\n"
        "TIMEOUT 50\n"
        f"LABEL {os_plan.label}\n"
        f"  MENU LABEL {os_plan.label}\n"
        "  KERNEL /boot/Image\n"
        "  FDTDIR /boot/lib/dtbs\n"
        "  INITRD /boot/initrd.gz\n"
        f"  APPEND root=UUID={ROOT_UUID} gnu.system=/run/current-system gnu.load=/run/current-system/boot "
        "modprobe.blacklist=usbmouse,usbkbd quiet console=ttyS0,115200\n"
        "\n"
    )
    # the root from the OS's file systems; no device tree support: empty FDTDIR line
    boot = dataclasses.replace(os_plan.bootloader, device_tree_support=False, timeout=0)
    text = extlinux_conf(dataclasses.replace(os_plan, bootloader=boot), "/boot/Image", "/boot/initrd.gz", "/dtbs")
    assert "PROMPT 0\nTIMEOUT 0\n" in text
    assert "  KERNEL /boot/Image\n\n  INITRD" in text
    assert "APPEND root=LABEL=my-root " in text


def test_registry(server_os):
    for name in ("grub", "grub-efi", "grub-efi32", "grub-efi-removable-bootloader", "grub-mkrescue",
                 "extlinux", "u-boot"):
        assert name in INSTALLERS
    assert installer_for("grub-efi").needs_gpt and not installer_for("grub").needs_gpt
    assert installer_for("u-boot").config_file == "/boot/extlinux/extlinux.conf"
    ctx = BootContext(os_plan=server_os, table="mbr", root_partition_index=2, root_uuid=ROOT_UUID)
    assert installer_for("grub").config_text(ctx) == grub_cfg(
        server_os, root_uuid=ROOT_UUID, kernel_path="/boot/vmlinuz", initrd_path="/boot/initrd.gz")
    with pytest.raises(BuildError, match="(?s)not supported.*supported bootloaders: grub"):
        installer_for("lilo")


# --- BIOS embedding -------------------------------------------------------------------------


@needs_sfdisk
def test_bios_install_mbr_bytes(tmp_path, grub):
    disk = mbr_disk(tmp_path / "disk.img")
    before = disk.read_bytes()[:512]
    table_before = sfdisk_json(disk)
    info = install_grub_bios(disk, core_lba=1, root_partition_index=1, table="mbr", grub_dirs=grub,
                             root_uuid=ROOT_UUID)
    assert sfdisk_json(disk) == table_before
    data = disk.read_bytes()
    boot_img = (grub.platform_dir("i386-pc") / "boot.img").read_bytes()
    s0 = data[:512]
    # boot.img's 440 bytes, except the two patched fields
    expect = bytearray(boot_img[:440])
    expect[0x5C:0x64] = struct.pack("<Q", 1)
    expect[0x66:0x68] = b"\x90\x90"
    assert s0[:440] == bytes(expect)
    assert s0[0x64] == 0xFF                      # boot drive: from the BIOS
    assert s0[440:] == before[440:]              # signature, table, 55AA untouched
    assert s0[510:] == b"\x55\xaa"
    # core.img at LBA 1 with its block list patched
    core = make_core_image(grub, tmp_path / "core.img", early_config(root_uuid=ROOT_UUID))
    raw = core.read_bytes()
    sectors = -(-len(raw) // 512)
    assert info.core_sectors == sectors and info.gap_sectors == 2047
    start, length, seg = struct.unpack_from("<QHH", data, 512 + BLOCKLIST_OFFSET)
    assert (start, length, seg) == (2, sectors - 1, 0x0820)
    assert data[512 + 0x1E8:512 + 0x1F4] == bytes(12)   # list terminator
    patched = bytearray(raw)
    struct.pack_into("<Q", patched, BLOCKLIST_OFFSET, 2)
    assert data[512:512 + len(raw)] == bytes(patched)
    assert data[512 + len(raw):2048 * 512] == bytes(2048 * 512 - 512 - len(raw))


@needs_sfdisk
def test_bios_install_gpt_bios_boot_partition(tmp_path, grub):
    disk = gpt_disk(tmp_path / "gpt.img")
    table_before = sfdisk_json(disk)
    head_before = disk.read_bytes()[440:34 * 512]
    install_grub_bios(disk, core_lba=2048, root_partition_index=3, table="gpt", grub_dirs=grub,
                      root_label=ROOT_LABEL)
    assert sfdisk_json(disk) == table_before
    data = disk.read_bytes()
    assert data[440:34 * 512] == head_before      # protective MBR entry, GPT header and entries
    assert struct.unpack_from("<Q", data, 0x5C)[0] == 2048
    assert data[0x66:0x68] == b"\x90\x90"
    start, length, seg = struct.unpack_from("<QHH", data, 0x1001F4)
    assert start == 2049 and seg == 0x0820 and length > 0


def test_core_too_big_for_the_gap(tmp_path, grub):
    disk = mbr_disk(tmp_path / "small-gap.img", first_lba=63)
    untouched = disk.read_bytes()
    with pytest.raises(GrubError, match=r"core.img is \d+ bytes \(\d+ sectors\) but only 62 sectors") as err:
        install_grub_bios(disk, core_lba=1, root_partition_index=1, table="mbr", grub_dirs=grub,
                          root_uuid=ROOT_UUID)
    assert "1 MiB" in str(err.value)
    assert disk.read_bytes() == untouched


def test_gpt_needs_a_bios_boot_partition(tmp_path, grub):
    disk = gpt_disk(tmp_path / "gpt.img")
    with pytest.raises(GrubError, match="not a BIOS boot partition"):
        install_grub_bios(disk, core_lba=4096, root_partition_index=3, table="gpt", grub_dirs=grub,
                          root_label=ROOT_LABEL)


def test_bios_install_is_reproducible(tmp_path, grub, monkeypatch):
    disks = []
    for i, epoch in enumerate(("1", "1700000000")):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        d = mbr_disk(tmp_path / f"d{i}.img")
        install_grub_bios(d, core_lba=1, root_partition_index=1, table="mbr", grub_dirs=grub, root_uuid=ROOT_UUID)
        disks.append(d.read_bytes())
    assert disks[0] == disks[1]


# --- EFI ------------------------------------------------------------------------------------


@pytest.mark.parametrize("arch,machine,name", [("x86_64", 0x8664, "BOOTX64.EFI"), ("i386", 0x014C, "BOOTIA32.EFI")])
def test_efi_binary_is_pe_and_reproducible(tmp_path, grub, monkeypatch, arch, machine, name):
    a = make_grub_efi(tmp_path / "a" / name, arch, grub_dirs=grub, root_uuid=ROOT_UUID)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    time.sleep(1.1)  # a timestamp taken from the clock would differ
    b = make_grub_efi(tmp_path / "b" / name, arch, grub_dirs=grub, root_uuid=ROOT_UUID)
    data = a.read_bytes()
    assert data[:2] == b"MZ"
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    assert data[pe:pe + 4] == b"PE\0\0"
    assert struct.unpack_from("<H", data, pe + 4)[0] == machine
    magic = struct.unpack_from("<H", data, pe + 24)[0]
    assert magic == (0x20B if arch == "x86_64" else 0x10B)   # PE32+ / PE32
    assert data == b.read_bytes()
    assert ROOT_UUID.encode() in data                          # the embedded early config


def test_esp_files_from_registry(tmp_path, grub, server_os):
    ctx = BootContext(os_plan=server_os, table="gpt", root_partition_index=2, root_uuid=ROOT_UUID, grub_dirs=grub)
    files = installer_for("grub-efi32").esp_files(ctx, tmp_path)
    assert list(files) == ["EFI/BOOT/BOOTIA32.EFI"]
    files = installer_for("grub").esp_files(ctx, tmp_path)
    assert list(files) == ["EFI/BOOT/BOOTX64.EFI"] and files["EFI/BOOT/BOOTX64.EFI"].read_bytes()[:2] == b"MZ"


def test_grub_comes_from_substitutes(grub):
    assert not str(grub.mkimage).startswith("/usr/")
    assert not str(grub.lib).startswith("/usr/lib/grub")


def test_eltorito_image(tmp_path, grub):
    out = make_grub_eltorito(tmp_path / "eltorito.img", early_config(root_label="GUIX_IMAGE"), grub_dirs=grub)
    data = out.read_bytes()
    cdboot = (grub.platform_dir("i386-pc") / "cdboot.img").read_bytes()
    assert data.startswith(cdboot) and len(data) > len(cdboot)


def test_bios_on_gpt_needs_core_lba(tmp_path, server_os):
    ctx = BootContext(os_plan=server_os, table="gpt", root_partition_index=2, root_uuid=ROOT_UUID)
    with pytest.raises(BuildError, match="BIOS boot partition"):
        installer_for("grub").install(ctx, tmp_path / "unused.img")


# --- real boots (slow) ------------------------------------------------------------------------


def newc(entries: list[tuple[str, int, bytes]]) -> bytes:
    """A newc cpio archive of (name, mode, data), with the trailer."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate([*entries, ("TRAILER!!!", 0, b"")], 1):
        encoded = name.encode() + b"\0"
        fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(encoded), 0]
        out += b"070701" + b"".join(b"%08X" % f for f in fields) + encoded
        out += bytes(-len(out) % 4)
        out += data
        out += bytes(-len(out) % 4)
    return bytes(out)


@pytest.fixture(scope="module")
def boot_payload(tmp_path_factory):
    """A root tree with Debian's cloud kernel and an initrd whose /init prints MARKER and powers off."""
    tree = _substitutes(["linux-image-cloud-amd64", "busybox-static"])
    vmlinuz = sorted((tree / "boot").glob("vmlinuz-*"))[-1]
    init = f"#!/bin/busybox sh\n/bin/busybox echo {MARKER}\n/bin/busybox poweroff -f\n".encode()
    cpio = newc([("bin", 0o040755, b""), ("bin/busybox", 0o100755, (tree / "bin/busybox").read_bytes()),
                 ("init", 0o100755, init)])
    root = tmp_path_factory.mktemp("root")
    (root / "boot/grub").mkdir(parents=True)
    shutil.copyfile(vmlinuz, root / "boot/vmlinuz")
    (root / "boot/initrd.gz").write_bytes(gzip.compress(cpio, mtime=0))
    return root


def boot_os(server_os):
    boot = dataclasses.replace(server_os.bootloader, timeout=0)
    return dataclasses.replace(server_os, bootloader=boot, kernel_arguments=("console=ttyS0,115200", "panic=-1"))


def make_root_fs(tree: Path, out: Path, server_os, size: int = 40 * MiB) -> Path:
    from builders.disk.fs import make_filesystem

    cfg = grub_cfg(boot_os(server_os), root_uuid=ROOT_UUID, kernel_path="/boot/vmlinuz", initrd_path="/boot/initrd.gz")
    (tree / "boot/grub/grub.cfg").write_text(cfg)
    make_filesystem("ext4", tree, out, size, ROOT_LABEL, ROOT_UUID, (), 1)
    return out


LINUX_MILESTONES = {"grub": "Booting `", "linux": "Linux version", "initrd": MARKER}


def run_qemu(disk: Path, extra: list[str], timeout: float = 120.0, milestones: dict[str, str] | None = None,
             until: str = "initrd") -> tuple[str, dict[str, float]]:
    """Boot a COPY of DISK until milestone UNTIL shows on the serial console (at most TIMEOUT s).

    Return the serial output and when (s after start) each of MILESTONES appeared.
    QEMU is killed by its PID at the end, whatever happened.
    """
    copy = disk.with_name(disk.name + ".boot")
    shutil.copyfile(disk, copy)
    argv = ["qemu-system-x86_64", "-accel", "tcg", "-m", "512", "-display", "none", "-monitor", "none",
            "-serial", "stdio", "-no-reboot", *extra, "-drive", f"file={copy},format=raw,if=virtio"]
    milestones = milestones or LINUX_MILESTONES
    seen: dict[str, float] = {}
    chunks: list[bytes] = []
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    done = threading.Event()

    def reader() -> None:
        assert proc.stdout is not None
        while chunk := proc.stdout.read1(4096):
            chunks.append(chunk)
            text = b"".join(chunks).decode("latin-1")
            for key, needle in milestones.items():
                if key not in seen and needle in text:
                    seen[key] = round(time.monotonic() - t0, 2)
            if until in seen:
                break
        done.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        done.wait(timeout)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, 9)
        proc.wait(10)
        thread.join(5)
        copy.unlink(missing_ok=True)
    return b"".join(chunks).decode("latin-1"), seen


needs_qemu = pytest.mark.skipif(not shutil.which("qemu-system-x86_64"), reason="qemu-system-x86 missing")
OVMF = Path("/usr/share/ovmf/OVMF.fd")


@pytest.mark.slow
@needs_qemu
def test_boot_mbr_seabios(tmp_path, grub, server_os, boot_payload):
    root = make_root_fs(boot_payload, tmp_path / "root.ext4", server_os)
    disk = mbr_disk(tmp_path / "disk.img", sectors=40 * MiB // 512, size=41 * MiB)
    with open(disk, "r+b") as f, open(root, "rb") as r:
        f.seek(MiB)
        shutil.copyfileobj(r, f)
    installer_for("grub").install(BootContext(os_plan=server_os, table="mbr", root_partition_index=1,
                                              root_uuid=ROOT_UUID, grub_dirs=grub), disk)
    log, seen = run_qemu(disk, [])
    print(f"\nMBR/SeaBIOS milestones (s): {seen}")
    assert "Booting `GNU with Linux-Libre'" in log, log[-2000:]   # grub.cfg read, menu on serial
    assert "Linux version" in log, log[-2000:]
    assert MARKER in log, log[-2000:]


def _gpt_boot_disk(tmp_path, grub, server_os, boot_payload) -> Path:
    from builders.disk.fs import make_filesystem

    root = make_root_fs(boot_payload, tmp_path / "root.ext4", server_os)
    esp_tree = tmp_path / "esp"
    esp_tree.mkdir()
    ctx = BootContext(os_plan=server_os, table="gpt", root_partition_index=3, root_uuid=ROOT_UUID,
                      core_lba=2048, grub_dirs=grub)
    for rel, src in installer_for("grub-efi").esp_files(ctx, tmp_path / "efi").items():
        (esp_tree / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, esp_tree / rel)
    esp = tmp_path / "esp.img"
    make_filesystem("vfat", esp_tree, esp, 16 * MiB, "ESP", None, (), 1)
    disk = gpt_disk(tmp_path / "gpt.img", root_image=root, esp_image=esp, root_size=40 * MiB, esp_size=16 * MiB)
    installer_for("grub").install(ctx, disk)   # the same disk also boots on BIOS
    return disk


@pytest.mark.slow
@needs_qemu
@pytest.mark.skipif(not OVMF.is_file(), reason="ovmf missing")
def test_boot_gpt_ovmf_and_seabios(tmp_path, grub, server_os, boot_payload):
    disk = _gpt_boot_disk(tmp_path, grub, server_os, boot_payload)
    log, seen = run_qemu(disk, ["-bios", str(OVMF)], timeout=180)
    print(f"\nGPT/OVMF milestones (s): {seen}")
    assert "Linux version" in log, log[-2000:]
    assert MARKER in log, log[-2000:]
    log, seen = run_qemu(disk, [])
    print(f"GPT/SeaBIOS milestones (s): {seen}")
    assert "Linux version" in log, log[-2000:]
    assert MARKER in log, log[-2000:]


@pytest.mark.slow
@needs_qemu
def test_boot_gnumach_multiboot(tmp_path, grub, server_os):
    """GRUB's multiboot loads GNU Mach (x86_64 build), which prints its banner and memory map on com0."""
    from builders.boot.hurd import HURD_RELEASE
    from builders.disk.fs import make_filesystem
    from builders.substitutes import AptProvider, realize

    mach = realize(AptProvider(release=HURD_RELEASE), ["gnumach-image-1.8-486"], "amd64")   # Debian 12's
    image = sorted((mach / "boot").glob("gnumach*.gz"))[-1]
    hurd = load_plan("my-hurd-os.scm").os
    boot = dataclasses.replace(server_os.bootloader, timeout=0)
    tree = tmp_path / "root"
    (tree / "boot/grub").mkdir(parents=True)
    shutil.copyfile(image, tree / "boot/gnumach.gz")
    cfg = grub_cfg(dataclasses.replace(hurd, bootloader=boot), root_uuid=ROOT_UUID, kernel_path="/boot/gnumach.gz",
                   initrd_path=None, hurd=True)
    (tree / "boot/grub/grub.cfg").write_text(cfg)
    root = tmp_path / "root.ext4"
    make_filesystem("ext4", tree, root, 8 * MiB, ROOT_LABEL, ROOT_UUID, (), 1)
    disk = mbr_disk(tmp_path / "disk.img", sectors=8 * MiB // 512, size=9 * MiB)
    with open(disk, "r+b") as f, open(root, "rb") as r:
        f.seek(MiB)
        shutil.copyfileobj(r, f)
    install_grub_bios(disk, core_lba=1, root_partition_index=1, table="mbr", grub_dirs=grub, root_uuid=ROOT_UUID)
    log, seen = run_qemu(disk, [], timeout=90, until="biosmem",
                         milestones={"grub": "Booting `", "mach": "GNU Mach 1.8", "biosmem": "biosmem:"})
    print(f"\nGNU Mach milestones (s): {seen}")
    assert "Booting `GNU with the Hurd'" in log, log[-2000:]
    assert "biosmem:" in log, log[-2000:]
