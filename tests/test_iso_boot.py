"""Live ISOs (`iso9660`, `uncompressed-iso9660`): El Torito for BIOS and UEFI, a volatile root.

The images are read back with independent tools (xorriso, isoinfo, blkid,
mtools, fsck.fat, zstd/cpio) and booted in QEMU (TCG) from `-cdrom`, with
SeaBIOS and with OVMF, to the login prompt; each boot is bounded and QEMU
is killed by its PID (qemu_console.Console).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from qemu_console import Console, need  # noqa: E402

pytestmark = pytest.mark.slow   # builds images (or boots them in QEMU)

REPO = Path(__file__).resolve().parent.parent
OVMF = Path("/usr/share/ovmf/OVMF.fd")
HOST = "komputilo"


def build(out: Path, image_type: str = "iso9660", sample: str = "server.scm") -> Path:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    r = subprocess.run([sys.executable, "-m", "builders.cli", "system", "image", "--quiet", "-t", image_type,
                        "-o", str(out), f"samples/{sample}"], capture_output=True, text=True, cwd=REPO, env=env,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    assert [line for line in r.stderr.splitlines() if not line.startswith("pyguix: warning:")] == []
    return out


def tool(*argv, check: bool = True) -> subprocess.CompletedProcess:
    if shutil.which(str(argv[0])) is None:
        pytest.skip(f"{argv[0]} not installed")
    r = subprocess.run([str(a) for a in argv], capture_output=True, timeout=120)
    if check:
        assert r.returncode == 0, r.stderr.decode(errors="replace")
    return r


def text(*argv) -> str:
    return tool(*argv).stdout.decode()


def iso_file(image: Path, path: str) -> bytes:
    return tool("isoinfo", "-R", "-i", image, "-x", path).stdout


@pytest.fixture(scope="module")
def images(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("iso")
    return {t: build(base / f"{t}.iso", t) for t in ("iso9660", "uncompressed-iso9660")}


@pytest.fixture(scope="module")
def iso(images) -> Path:
    return images["iso9660"]


def iso_uuid(image: Path) -> str:
    """The UUID Linux's blkid reads from the ISO (its volume date)."""
    return text("blkid", "-p", "-o", "value", "-s", "UUID", image).strip()


# --- what is on the ISO ------------------------------------------------------------------------


@pytest.mark.parametrize("image_type", ["iso9660", "uncompressed-iso9660"])
def test_both_el_torito_entries(images, image_type):
    report = text("xorriso", "-indev", images[image_type], "-report_el_torito", "plain")
    entries = re.findall(r"El Torito boot img :\s+(\d)\s+(\w+)\s+(\w)\s+(\w+)\s+\S+\s+\S+\s+(\d+)\s+(\d+)", report)
    assert [(n, platform, emul) for n, platform, _, emul, _, _ in entries] == \
        [("1", "BIOS", "none"), ("2", "UEFI", "none")], report
    assert entries[0][4] == "4"                                  # grub-mkrescue's -boot-load-size 4
    assert "El Torito img path :   1  /boot/grub/i386-pc/eltorito.img" in report
    assert "El Torito img opts :   1  boot-info-table" in report
    assert "El Torito img path :   2  /boot/grub/efi.img" in report
    efi_line = next(line for line in text("xorriso", "-indev", images[image_type], "-lsdl", "/boot/grub/efi.img")
                    .splitlines() if line.endswith("'/boot/grub/efi.img'"))
    efi_size = int(efi_line.split()[4])
    assert int(entries[1][4]) * 512 == efi_size                  # the whole EFI image is loaded


@pytest.mark.parametrize("image_type", ["iso9660", "uncompressed-iso9660"])
def test_volume_and_files(images, image_type):
    image = images[image_type]
    info = text("isoinfo", "-d", "-i", image)
    assert "Volume id: GUIX_IMAGE" in info
    assert "Rock Ridge signatures" in info and "Joliet" in info
    listing = text("isoinfo", "-R", "-f", "-i", image).split()
    for wanted in ("/boot/vmlinuz", "/boot/initrd.img", "/boot/grub/grub.cfg", "/boot/grub/i386-pc/eltorito.img",
                   "/boot/grub/efi.img", "/etc/hostname", "/etc/fstab", "/var/guix/profiles/system/boot",
                   "/var/guix/profiles/system/shepherd.scm", "/usr/bin/shepherd", "/usr/bin/sh", "/bin", "/gnu/store",
                   "/tmp"):
        assert wanted in listing, wanted
    assert iso_file(image, "/etc/hostname") == f"{HOST}\n".encode()
    assert blkid_label(image) == "GUIX_IMAGE"


def blkid_label(image: Path) -> str:
    return text("blkid", "-p", "-o", "value", "-s", "LABEL", image).strip()


def test_grub_cfg_points_at_the_iso(iso):
    uuid = iso_uuid(iso)
    assert re.fullmatch(r"1970-01-01-\d\d-\d\d-\d\d-\d\d", uuid), uuid
    cfg = iso_file(iso, "/boot/grub/grub.cfg").decode()
    assert f"search --fs-uuid --set {uuid}\n" in cfg
    linux = next(line.split() for line in cfg.splitlines() if line.strip().startswith("linux "))
    assert linux[1] == "/boot/vmlinuz" and f"root=UUID={uuid}" in linux and "console=ttyS0,115200" in linux
    assert "  initrd /boot/initrd.img\n" in cfg
    assert "serial --unit=0 --speed=115200" in cfg
    fstab = iso_file(iso, "/etc/fstab").decode()
    assert f"UUID={uuid}\t/\tiso9660\t" in fstab


def test_bios_image_has_boot_info_table(iso, tmp_path):
    """cdboot.img finds the rest of GRUB's core through the boot info table (offset 8)."""
    data = iso_file(iso, "/boot/grub/i386-pc/eltorito.img")
    pvd_lba, file_lba, length, checksum = struct.unpack_from("<IIII", data, 8)
    assert pvd_lba == 16 and length == len(data)
    padded = data + bytes(-len(data) % 4)   # the checksum covers the last word zero-padded
    words = struct.unpack_from(f"<{(len(padded) - 64) // 4}I", padded, 64)
    assert sum(words) & 0xFFFFFFFF == checksum
    report = text("xorriso", "-indev", iso, "-report_el_torito", "plain")
    assert re.search(rf"El Torito boot img :\s+1\s+BIOS.*\s{file_lba}\s*$", report, re.M), report


def test_efi_system_image(iso, tmp_path):
    efi = tmp_path / "efi.img"
    efi.write_bytes(iso_file(iso, "/boot/grub/efi.img"))
    r = tool("fsck.fat", "-n", efi)
    assert r.returncode == 0, r.stdout
    assert "BOOTX64  EFI" in text("mdir", "-i", efi, "::/EFI/BOOT")
    tool("mcopy", "-i", efi, "::/EFI/BOOT/BOOTX64.EFI", tmp_path / "BOOTX64.EFI")
    loader = (tmp_path / "BOOTX64.EFI").read_bytes()
    assert loader[:2] == b"MZ" and loader[loader.find(b"PE\0\0") + 4:][:2] == b"\x64\x86"   # x86-64 PE
    assert f"--fs-uuid --set=root {iso_uuid(iso)}".encode() in loader


def test_rock_ridge_modes_links_owner(iso):
    listing = text("xorriso", "-indev", iso, "-lsdl", "/etc/shadow", "/bin", "/tmp", "/gnu/store", "/root",
                   "/boot/vmlinuz", "/var/guix/profiles/system/boot")
    lines = {re.search(r"'([^']+)'", line).group(1): line.split() for line in listing.splitlines() if "'" in line}
    assert lines["/etc/shadow"][0] == "-rw-------"
    assert lines["/tmp"][0] == "drwxrwxrwt"
    assert lines["/root"][0] == "drwx------"
    assert lines["/var/guix/profiles/system/boot"][0] == "-rwxr-xr-x"
    assert lines["/boot/vmlinuz"][0] == "-rw-r--r--"
    assert lines["/bin"][0].startswith("l") and "'usr/bin'" in listing      # usr-merged, as Debian 13
    for fields in lines.values():
        assert fields[2:4] == ["0", "0"], fields                 # uid 0, gid 0


def test_initrd_mounts_a_volatile_iso_root(iso, tmp_path):
    initrd = iso_file(iso, "/boot/initrd.img")
    magic = initrd[:4]
    if magic == b"\x28\xb5\x2f\xfd":
        archive = subprocess.run(["zstd", "-dc"], input=initrd, capture_output=True, check=True).stdout
    else:
        import gzip

        archive = gzip.decompress(initrd)
    names = subprocess.run(["cpio", "-t", "--quiet"], input=archive, capture_output=True, check=True).stdout.decode()
    for module in ("isofs", "overlay", "sr_mod", "cdrom", "ata_piix"):
        assert f"lib/modules/{module}.ko" in names.split(), module
    (tmp_path / "x").mkdir()
    subprocess.run(["cpio", "-id", "--quiet", "init"], input=archive, cwd=tmp_path / "x", check=True)
    init = (tmp_path / "x" / "init").read_text()
    assert f"ROOT=UUID={iso_uuid(iso)}\n" in init and "ROOTTYPE=iso9660\n" in init and "VOLATILE=yes\n" in init
    assert "mount -t overlay -o lowerdir=/real-root,upperdir=/rw-root/upper,workdir=/rw-root/work" in init
    assert "mount -t tmpfs" in init


def test_initrd_reads_the_iso_ids_itself(iso, tmp_path):
    """The initrd's fallback (when findfs does not know an ISO's UUID) reads the volume
    descriptor with busybox dd/sed; run it with the image's busybox on the ISO file."""
    from builders.substitutes import SubstituteUnavailable, default_provider
    from builders.substitutes.provider import realize
    from builders.system.initrd import LIVE_FUNCTIONS, busybox_binary

    try:
        busybox = busybox_binary(realize(default_provider(), ["busybox-static"], "amd64"))
    except SubstituteUnavailable as e:
        pytest.skip(f"substitute unavailable: {e}")
    script = LIVE_FUNCTIONS.replace("/tmp/pvd", str(tmp_path / "pvd")) + f'iso_ids "{iso}"\n'
    r = subprocess.run([busybox, "sh", "-c", script], capture_output=True, text=True, timeout=60)
    assert r.stdout.split("\n") == ["LABEL=GUIX_IMAGE", f"UUID={iso_uuid(iso)}", ""], r.stdout + r.stderr


@pytest.mark.parametrize("image_type", ["iso9660", "uncompressed-iso9660"])
def test_live_iso_is_reproducible(tmp_path, images, image_type):
    again = build(tmp_path / "again.iso", image_type)
    assert hashlib.sha256(again.read_bytes()).hexdigest() == hashlib.sha256(images[image_type].read_bytes()).hexdigest()


# --- booting -----------------------------------------------------------------------------------


def qemu(image: Path, uefi: bool = False) -> list[str]:
    argv = ["qemu-system-x86_64", "-accel", "tcg", "-m", "1024", "-display", "none", "-monitor", "none",
            "-serial", "stdio", "-no-reboot", "-cdrom", str(image)]
    if uefi:
        argv += ["-bios", str(OVMF)]
    return argv


def login(console: Console) -> float:
    _, seconds = console.expect(rf"[\r\n]{HOST} login: ", 240)
    console.send("root\n")
    console.expect(r"# ", 30)
    return seconds


def check_live_root(console: Console) -> None:
    root = console.run("grep ' / ' /proc/mounts | grep -v rootfs").strip()
    device, mount_point, fstype, options = root.split()[:4]
    assert (device, mount_point, fstype) == ("overlay", "/", "overlay"), root
    assert options.split(",")[0] == "rw" and "lowerdir=/real-root" in options and "upperdir=/rw-root/upper" in options
    # The initrd's lower (the CD) and upper (tmpfs) mounts stay behind switch_root, as in
    # Guix; the CD mounted again shows the ISO unchanged by what the live system writes.
    assert re.search(r"initrd: mounting /dev/sr0 \(UUID=[-0-9]+\) read-only, with a volatile overlay",
                     console.buffer)
    assert console.run("touch /etc/written-at-run-time && echo ok-$(cat /etc/written-at-run-time | wc -c)").strip() \
        == "ok-0"
    assert console.run("echo changed > /etc/motd && cat /etc/motd").strip() == "changed"
    console.run("mkdir -p /mnt/cd && mount -t iso9660 -o ro /dev/sr0 /mnt/cd")
    assert console.run("cat /mnt/cd/etc/hostname").strip() == HOST
    assert console.run("ls /mnt/cd/etc/written-at-run-time 2>&1 || echo absent").strip().endswith("absent")
    assert console.run("grep -c changed /mnt/cd/etc/motd").strip() == "0"
    assert "Read-only file system" in console.run("touch /mnt/cd/x 2>&1")
    console.run("umount /mnt/cd")
    assert console.run("cat /etc/hostname").strip() == HOST
    assert console.run("hostname").strip() == HOST


@pytest.mark.slow
def test_bios_cdrom_boots_to_login(iso, tmp_path):
    need("qemu-system-x86_64", "qemu-system-x86")
    with Console(qemu(iso), log=tmp_path / "console.log") as console:
        console.expect(r"GNU GRUB", 120)                           # GRUB's El Torito image runs ...
        seconds = login(console)                                   # ... and boots the live system
        check_live_root(console)
        console.send("poweroff -f\n")
    print(f"iso9660 (BIOS): login prompt after {seconds:.1f} s")


@pytest.mark.slow
def test_uefi_cdrom_boots_to_login(iso, tmp_path):
    need("qemu-system-x86_64", "qemu-system-x86")
    if not OVMF.exists():
        pytest.skip("OVMF not installed (apt-get install ovmf)")
    with Console(qemu(iso, uefi=True), log=tmp_path / "console.log") as console:
        console.expect(r"BdsDxe: starting Boot\S+ \"UEFI QEMU DVD-ROM", 120)   # the firmware boots the CD ...
        seconds = login(console)
        assert console.run("[ -d /sys/firmware/efi ] && echo uefi").strip() == "uefi"   # ... as UEFI
        check_live_root(console)
        console.send("poweroff -f\n")
    print(f"iso9660 (UEFI): login prompt after {seconds:.1f} s")
