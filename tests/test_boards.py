"""U-Boot board images: the blobs at the board's offsets, the device trees
and extlinux.conf in the root, overlap errors, and a boot in QEMU's virt board.

Images are built through the CLI and inspected with sfdisk and debugfs;
the expected blob bytes come from the Debian .deb itself, unpacked here
with dpkg-deb (not with pyguix's own extractor).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from qemu_console import Console, need  # noqa: E402

from tests.helpers import REPO, pyguix, tool

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("busybox_system")]  # 96 MiB images (or QEMU boots)

SIZE = "96MiB"
MiB = 1 << 20
FIT = bytes.fromhex("d00dfeed")           # flattened device tree / FIT image
UIMAGE = bytes.fromhex("27051956")        # legacy U-Boot image header
IMX_IVT = bytes.fromhex("d1002040")       # i.MX image vector table header (tag, length, version)


def barebones(board: str) -> list[str]:
    """CLI arguments building the board module's own barebones image."""
    return ["-e", f"(begin (use-modules (gnu system images {board})) {board}-barebones-raw-image)"]


@dataclass(frozen=True)
class Board:
    image_type: str
    source: tuple[str, ...]                       # CLI arguments naming the OS / image
    deb: tuple[str, str, str]                     # (Debian package, architecture, /usr/lib/u-boot/ directory)
    writes: tuple[tuple[int, str], ...]           # (disk offset, file of the board directory written there)
    magic: tuple[tuple[int, bytes], ...]          # (disk offset, bytes expected there)
    root_offset: int
    dtb: str                                      # relative to FDTDIR
    console: str | None                           # console= expected on the APPEND line


PINE64 = Board("pine64-raw", ("-t", "pine64-raw", "samples/my-pine-os.scm"), ("u-boot-sunxi", "arm64", "pine64-lts"),
               ((8192, "u-boot-sunxi-with-spl.bin"),),
               ((8196, b"eGON.BT0"), (40960, FIT)), MiB, "allwinner/sun50i-a64-pine64-lts.dtb",
               "console=ttyS0,115200")
BOARDS = [
    PINE64,
    Board("rock64-raw", tuple(barebones("rock64")), ("u-boot-rockchip", "arm64", "rock64-rk3328"),
          ((32768, "idbloader.img"), (8 * MiB, "u-boot.itb")),
          ((8 * MiB, FIT),), 16 * MiB, "rockchip/rk3328-rock64.dtb", None),
    Board("pinebook-pro-raw", tuple(barebones("pinebook-pro")), ("u-boot-rockchip", "arm64", "pinebook-pro-rk3399"),
          ((32768, "idbloader.img"), (8 * MiB, "u-boot.itb")),
          ((8 * MiB, FIT),), 16 * MiB, "rockchip/rk3399-pinebook-pro.dtb", "console=ttyS2,1500000"),
    Board("novena-raw", tuple(barebones("novena")), ("u-boot-imx", "armhf", "novena"),
          ((1024, "SPL"), (70656, "u-boot.img")),
          ((1024, IMX_IVT), (70656, UIMAGE)), MiB, "imx6q-novena.dtb", "console=ttymxc1,115200"),
    Board("am335x-evm-raw", tuple(barebones("am335x-evm")), ("u-boot-omap", "armhf", "am335x_evm"),
          ((131072, "MLO"), (262144, "MLO"), (393216, "u-boot.img")),
          ((131072 + 0x14, b"CHSETTINGS"), (262144 + 0x14, b"CHSETTINGS"), (393216, FIT)),
          4 * MiB, "am335x-evm.dtb", "console=ttyS0,115200"),
    Board("a20-olinuxino-lime2-raw", tuple(barebones("a20-olinuxino-lime2")),
          ("u-boot-sunxi", "armhf", "A20-OLinuXino-Lime2"),
          ((8192, "u-boot-sunxi-with-spl.bin"),),
          ((8196, b"eGON.BT0"),), 4 * MiB, "sun7i-a20-olinuxino-lime2.dtb", "console=tty1"),
]


@pytest.fixture(scope="module")
def board_images(tmp_path_factory):
    base = tmp_path_factory.mktemp("boards")
    cache: dict[str, Path] = {}

    def get(board: Board) -> Path:
        if board.image_type not in cache:
            out = base / f"{board.image_type}.img"
            res = pyguix("system", "image", "--quiet", "--image-size", SIZE, "-o", str(out), *board.source)
            assert res.returncode == 0, res.stderr
            assert res.stdout.strip() == str(out)
            cache[board.image_type] = out
        return cache[board.image_type]

    return get


@pytest.fixture(scope="module")
def debian_files(tmp_path_factory):
    """The board directory of a U-Boot .deb, unpacked with dpkg-deb."""
    base = tmp_path_factory.mktemp("debs")
    dpkg_deb = tool("dpkg-deb")

    def get(package: str, arch: str, board_dir: str) -> Path:
        from builders.substitutes import default_provider

        target = base / f"{package}_{arch}"
        if not target.is_dir():
            deb = default_provider().fetch(package, arch)
            subprocess.run([dpkg_deb, "-x", str(deb), str(target)], check=True)
        return target / "usr/lib/u-boot" / board_dir

    return get


def guix_file(directory: Path, name: str) -> bytes:
    """The board file NAME as Guix has it: Debian's, or for 64-bit Allwinner boards of Debian 12,
    which ships no u-boot-sunxi-with-spl.bin, the SPL (32 KiB) followed by the FIT."""
    if name == "u-boot-sunxi-with-spl.bin" and not (directory / name).exists():
        return (directory / "sunxi-spl.bin").read_bytes() + (directory / "u-boot-sunxi-with-spl.fit.itb").read_bytes()
    return (directory / name).read_bytes()


def read_at(path: Path, offset: int, size: int) -> bytes:
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(size)


def partitions(image: Path) -> list[dict]:
    res = subprocess.run([tool("sfdisk"), "--json", str(image)], capture_output=True, text=True,
                         env=dict(os.environ, LC_ALL="C"))
    assert res.returncode == 0, res.stderr
    table = json.loads(res.stdout)["partitiontable"]
    assert table["label"] == "dos"
    return table["partitions"]


def root_fs(image: Path, start: int, out: Path) -> Path:
    with open(image, "rb") as src, open(out, "wb") as dst:
        src.seek(start)
        shutil.copyfileobj(src, dst)
    return out


def debugfs(fs: Path, request: str) -> str:
    res = subprocess.run([tool("debugfs"), "-R", request, str(fs)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return res.stdout


@pytest.mark.slow
@pytest.mark.parametrize("board", BOARDS, ids=[b.image_type for b in BOARDS])
def test_board_image(board, board_images, debian_files, tmp_path):
    image = board_images(board)
    # The MBR: intact signature, one bootable Linux partition at the board's root offset.
    assert read_at(image, 510, 2) == b"\x55\xaa"
    (root,) = partitions(image)
    assert root["start"] * 512 == board.root_offset
    assert root["type"] == "83" and root.get("bootable") is True
    # The blobs: magic numbers, and byte for byte the files of the Debian package.
    for offset, expected in board.magic:
        assert read_at(image, offset, len(expected)) == expected, (offset, expected)
    directory = debian_files(*board.deb)
    last_end = 0
    for offset, name in board.writes:
        data = guix_file(directory, name)
        assert read_at(image, offset, len(data)) == data, (offset, name)
        last_end = max(last_end, offset + len(data))
    assert last_end <= board.root_offset
    # The root: ext4 with extlinux.conf (FDTDIR holding the board's device tree, its console).
    fs = root_fs(image, board.root_offset, tmp_path / "root.ext4")
    assert "Filesystem volume name:   Guix_image" in subprocess.run(
        [tool("dumpe2fs"), "-h", str(fs)], capture_output=True, text=True).stdout
    conf = debugfs(fs, "cat /boot/extlinux/extlinux.conf")
    lines = {line.split()[0]: line.split(None, 1)[1] for line in conf.splitlines()
             if line.strip() and not line.startswith("#") and len(line.split()) > 1}
    assert lines["KERNEL"] == "/boot/vmlinuz" and lines["INITRD"] == "/boot/initrd.img"
    assert lines["LABEL"].startswith("GNU with Linux-Libre")
    append = lines["APPEND"].split()
    assert any(a.startswith("root=UUID=") for a in append)
    if board.console:
        assert board.console in append
    fdtdir = lines["FDTDIR"]
    dtb = debugfs(fs, f"stat {fdtdir}/{board.dtb}")
    assert "Type: regular" in dtb, dtb
    res = subprocess.run([tool("debugfs"), "-R", f"cat {fdtdir}/{board.dtb}", str(fs)], capture_output=True)
    assert res.stdout[:4] == FIT                         # a flattened device tree


@pytest.mark.slow
def test_pine64_spl_and_fit_concatenate_into_guix_file(board_images, debian_files):
    """Guix writes one u-boot-sunxi-with-spl.bin at 8 KiB: SPL (32 KiB) + FIT.  Debian 12 ships no
    such file (the SPL and the FIT make it); Debian 13 ships it (binman's, with a FIT of its own)."""
    image = board_images(PINE64)
    directory = debian_files(*PINE64.deb)
    spl = (directory / "sunxi-spl.bin").read_bytes()
    assert len(spl) == 32768
    data = guix_file(directory, "u-boot-sunxi-with-spl.bin")
    assert data[:32768] == spl and data[32768:32772] == FIT
    if not (directory / "u-boot-sunxi-with-spl.bin").exists():
        assert data[32768:] == (directory / "u-boot-sunxi-with-spl.fit.itb").read_bytes()
    assert read_at(image, 8192, len(data)) == data
    assert read_at(image, 8192 + len(data), MiB - 8192 - len(data)) == bytes(
        MiB - 8192 - len(data))                              # nothing else before the root partition
    assert read_at(image, 512, 8192 - 512) == bytes(8192 - 512)


def test_board_without_a_package_is_a_clear_error(tmp_path):
    out = tmp_path / "rock-4c-plus.img"
    res = pyguix("system", "image", "--quiet", "-o", str(out), *barebones("rock-4c-plus"))
    assert res.returncode == 1
    assert "rock-4c-plus-rk3399" in res.stderr
    assert "idbloader.img" in res.stderr and "u-boot.itb" in res.stderr
    assert "Debian's u-boot-rockchip has no rock-4c-plus-rk3399 build" in res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists()


def test_dry_run_of_an_unavailable_board_says_so():
    res = pyguix("system", "image", "-n", *barebones("rock-4c-plus"))
    assert res.returncode == 0, res.stderr
    row = next(line for line in res.stdout.splitlines() if "idbloader.img" in line)
    assert row.split()[:3] == ["32768", "-", "file"] and "(not available)" in row


# --- every U-Boot bootloader of gnu/bootloader/u-boot.scm ----------------------------------------

def u_boot_bootloaders() -> list[tuple[str, str | None, list[tuple[str, int, int | None]]]]:
    """(bootloader variable, package, raw writes) of every board bootloader."""
    from builders import cli
    from schemeconf.datum import to_list
    from schemeconf.vocabulary import Package

    text = (REPO / "gnu/bootloader/u-boot.scm").read_text()
    names = [line.split()[1] for line in text.splitlines()
             if line.startswith("(define u-boot-") and line.split()[1].endswith("-bootloader")]
    interp = cli._interpreter([])
    out = []
    for name in names:
        bl = interp.eval_string(f"(@@ (gnu bootloader u-boot) {name})",   # exported or not (the family helpers)
                                name="<test>")
        package = bl.get("package")
        writes = bl.get("disk-image-installer")
        items = [tuple(to_list(w)) for w in to_list(writes)] if writes is not False else []
        out.append((name, package.name if isinstance(package, Package) else None,
                    [(w[0], w[1], w[2] if len(w) > 2 else None) for w in items]))
    return out


def test_every_board_bootloader_resolves_or_says_why():
    """Each board's files come from its Debian package, or the error names the board and the file."""
    from builders.boot.boards import realize_board, resolve_blobs
    from builders.errors import BuildError
    from builders.plan import RawWrite
    from builders.substitutes import default_provider, mapping

    provider = default_provider()
    resolved, missing, data = {}, {}, {}
    for name, package, writes in u_boot_bootloaders():
        if package is None or not writes:
            continue
        entry = mapping.entry(package)
        assert entry is not None, package
        system = sorted(entry.systems)[0] if entry.systems else "aarch64-linux"
        raw = tuple(RawWrite(f, o, s) for f, o, s in writes)
        try:
            directory = realize_board(provider, package, system, [w.file for w in raw])
        except BuildError as e:
            assert package.removeprefix("u-boot-") in e.message and writes[0][0] in e.message, e.message
            missing[name] = e.message
            continue
        blobs = resolve_blobs(raw, directory, package)
        for blob, (_file, offset, size) in zip(blobs, writes, strict=True):
            assert blob.offset == offset and 0 < len(blob.data) <= (size or len(blob.data))
            assert blob.extent == (size if size is not None else len(blob.data))
        resolved[name] = [len(b.data) for b in blobs]
        data[name] = [b.data for b in blobs]
    # What Debian 12 and 13 provide (see builders/substitutes/packages.sexp).
    for name in ["u-boot-pine64-lts-bootloader", "u-boot-pine64-plus-bootloader", "u-boot-pinebook-bootloader",
                 "u-boot-a20-olinuxino-lime2-bootloader", "u-boot-cubietruck-bootloader",
                 "u-boot-novena-bootloader", "u-boot-wandboard-bootloader", "u-boot-mx6cuboxi-bootloader",
                 "u-boot-rock64-rk3328-bootloader", "u-boot-pinebook-pro-rk3399-bootloader",
                 "u-boot-puma-rk3399-bootloader", "u-boot-beaglebone-black-bootloader",
                 "u-boot-am335x-evm-bootloader"]:
        assert name in resolved, (name, missing.get(name))
    for name in ["u-boot-rock-4c-plus-rk3399-bootloader", "u-boot-orangepi-r1-plus-lts-rk3328-bootloader",
                 "u-boot-nanopi-r4s-rk3399-bootloader", "u-boot-orangepi-zero2w-bootloader"]:
        assert name in missing, name
    # RISC-V: Debian 13 (the default release) has a riscv64 port, Debian 12 none.
    riscv = ["u-boot-sifive-unmatched-bootloader", "u-boot-starfive-visionfive2-bootloader"]
    assert all((name in resolved) == (provider.release.version >= 13) for name in riscv), (resolved, missing)
    # allwinner64: the file at 8 KiB is the SPL (32 KiB) and a FIT, the FIT written again at 40 KiB
    # (Debian 12: the very same bytes, concatenated here; Debian 13 ships the file, its FIT 1 KiB larger).
    whole, fit = data["u-boot-pine64-plus-bootloader"]
    assert whole[4:12] == b"eGON.BT0" and whole[32768:32772] == fit[:4] == FIT
    assert len(whole) - 32768 - len(fit) in (0, 1024)


def tiny_elf(segments: list[tuple[int, bytes]]) -> bytes:
    """A minimal little-endian ELF64 executable with one PT_LOAD per (address, bytes)."""
    import struct

    phoff, phsize = 64, 56
    data_at = phoff + phsize * len(segments)
    header = struct.pack("<4sBBBBB7xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, 2, 183, 1, segments[0][0],
                         phoff, 0, 0, 64, phsize, len(segments), 64, 0, 0)
    phdrs, blobs, offset = b"", b"", data_at
    for addr, data in segments:
        phdrs += struct.pack("<IIQQQQQQ", 1, 7, offset, addr, addr, len(data), len(data), 1)
        blobs += data
        offset += len(data)
    return header + phdrs + blobs


def test_elf_blobs_are_written_as_their_loadable_segments(tmp_path):
    """An ELF given as a blob is laid out flat (objcopy -O binary), sized from its segments."""
    from builders.boot.boards import resolve_file

    board = tmp_path / "board"
    board.mkdir()
    (board / "u-boot-spl").write_bytes(tiny_elf([(0x1000, b"SPL!" * 4), (0x1100, b"DATA")]))
    (board / "plain.bin").write_bytes(b"\x7fELX not an elf")
    data, source = resolve_file(board, "spl/u-boot-spl", "u-boot-test-board")   # found by its base name
    assert data == b"SPL!" * 4 + bytes(0x100 - 16) + b"DATA"
    assert source.endswith("/board/u-boot-spl")
    assert resolve_file(board, "plain.bin", "u-boot-test-board")[0] == b"\x7fELX not an elf"


def test_missing_file_in_a_board_directory_names_the_board_and_the_file(tmp_path):
    from builders.boot.boards import resolve_file
    from builders.errors import BuildError

    board = tmp_path / "some-board"
    board.mkdir()
    (board / "u-boot.bin").write_bytes(b"x")
    with pytest.raises(BuildError) as err:
        resolve_file(board, "idbloader.img", "u-boot-some-board")
    assert "'some-board'" in err.value.message and "idbloader.img" in err.value.message
    assert "has u-boot.bin" in err.value.message


# --- overlaps: blobs over the partition table or a partition -----------------------------------

def hand_made(tmp_path: Path, image_expr: str) -> Path:
    """A config file: the Pine64 sample's OS as `my-os`, `base` its pine64 image, then IMAGE_EXPR."""
    src = (REPO / "samples/my-pine-os.scm").read_text()
    head, body = src.split("(operating-system", 1)
    text = (head + "(use-modules (gnu image) (gnu system image))\n"
            + "(define my-os (operating-system" + body.rstrip() + ")\n"
            + "(define base (os->image my-os #:type pine64-image-type))\n" + image_expr + "\n")
    path = tmp_path / "hand-made.scm"
    path.write_text(text)
    return path


@pytest.mark.slow
def test_blob_over_the_gpt_is_refused(tmp_path):
    config = hand_made(tmp_path, "(image (inherit base) (partition-table-type 'gpt))")
    out = tmp_path / "gpt.img"
    res = pyguix("system", "image", "--quiet", "-o", str(out), str(config))
    assert res.returncode == 1
    message = ("bootloader blob u-boot-sunxi-with-spl.bin [8192, 8192 + file size) of u-boot-pine64-lts "
               "overlaps the GPT partition table [0, 17408)")
    assert message in res.stderr
    assert f"{config}:" in res.stderr                     # where the bootloader is declared
    assert not out.exists()
    dry = pyguix("system", "image", "-n", str(config))    # the dry run says the same, at the same place
    assert dry.returncode == 1 and message in dry.stderr and f"{config}:" in dry.stderr


@pytest.mark.slow
def test_partition_inside_the_blob_is_refused(tmp_path):
    config = hand_made(tmp_path, "(image (inherit base)\n"
                                 "  (partitions (map (lambda (p) (partition (inherit p) (offset (* 512 1024))))\n"
                                 "                   (image-partitions base))))")
    out = tmp_path / "part.img"
    res = pyguix("system", "image", "--quiet", "-o", str(out), str(config))
    assert res.returncode == 1
    assert re.search(r"bootloader blob u-boot-sunxi-with-spl\.bin \[8192, \d{6}\)", res.stderr), res.stderr
    assert "overlaps partition 1 (Guix_image) [524288, " in res.stderr
    assert "to byte 1048576 or later" in res.stderr
    assert not out.exists()


@pytest.mark.slow
def test_overlap_with_the_real_file_size_in_the_pipeline(tmp_path):
    """No SIZE in the raw write: the extent is the resolved file's size."""
    from test_build import load_plan

    from builders.errors import BuildError
    from builders.pipeline import build_image

    plan = load_plan("my-pine-os.scm", "pine64-raw")
    root = dataclasses.replace(plan.partitions[0], offset=400 * 1024)
    plan = dataclasses.replace(plan, partitions=(root,))
    with pytest.raises(BuildError) as err:
        build_image(plan, output=tmp_path / "x.img", quiet=True)
    end = int(re.search(r"\[8192, (\d+)\)", str(err.value)).group(1))   # the file's size, not SIZE
    assert end > 409600 and "partition 1 (Guix_image) [409600, " in str(err.value)


# --- --dry-run: blobs beside the partitions --------------------------------------------------------

def test_dry_run_shows_blob_rows_without_fetching():
    # The dry run never consults the substitute cache: the blob's start is known,
    # its end once the package is fetched; the placement is the build's.
    res = pyguix("system", "image", "-n", "-t", "pine64-raw", "samples/my-pine-os.scm")
    assert res.returncode == 0, res.stderr
    table = res.stdout.split("\n\n")[-1].splitlines()
    rows = [r.split() for r in table[2:]]
    assert rows[0][:3] == ["0", "512", "512"]
    assert rows[1][:5] == ["8192", "-", "file", "size", "bootloader"]
    assert "size unknown until fetched" in table[3]
    assert rows[2][0] == "1048576"
    assert not any(line.startswith("overlap") for line in table)


def test_dry_run_without_the_substitute_says_file_size(tmp_path):
    env_cache = dict(os.environ, PYTHONPATH=str(REPO), PYGUIX_SUBSTITUTE_CACHE=str(tmp_path / "empty"))
    res = subprocess.run([sys.executable, "-m", "builders.cli", "system", "image", "-n", "-t", "pine64-raw",
                          "samples/my-pine-os.scm"], capture_output=True, text=True, cwd=REPO, env=env_cache,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    row = next(line for line in res.stdout.splitlines() if "bootloader" in line and "8192" in line)
    assert row.split()[:4] == ["8192", "-", "file", "size"]


# --- boot: the pine64-raw layout in QEMU's virt board with Debian's QEMU U-Boot ----------------------

QEMU_U_BOOT = Path("/usr/lib/u-boot/qemu_arm64/u-boot.bin")


@pytest.mark.slow
def test_pine64_layout_boots_in_qemu_virt(tmp_path):
    need("qemu-system-aarch64", "qemu-system-arm")
    if not QEMU_U_BOOT.is_file():
        pytest.skip("Debian's QEMU U-Boot is not installed (apt-get install u-boot-qemu)")
    image = tmp_path / "pine-qemu.img"
    res = pyguix("system", "image", "--quiet", "-t", "pine64-raw", "--image-size", "1GiB", "--init", "shepherd",
                 "-o", str(image), "samples/my-pine-os-qemu.scm")
    assert res.returncode == 0, res.stderr
    assert read_at(image, 8196, 8) == b"eGON.BT0" and read_at(image, 40960, 4) == FIT
    argv = ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a53", "-m", "1024", "-nographic",
            "-snapshot", "-no-reboot", "-bios", str(QEMU_U_BOOT),
            "-drive", f"if=none,file={image},format=raw,id=hd0", "-device", "virtio-blk-device,drive=hd0"]
    with Console(argv, log=tmp_path / "console.log") as console:
        console.expect(r"/boot/extlinux/extlinux\.conf", 120)      # U-Boot's distro boot found it
        console.expect(r"Starting kernel", 120)
        _, seconds = console.expect(r"[\r\n]vignemale login: ", 600)
        console.send("root\n")
        console.expect(r"# ", 60)
        cmdline = console.run("cat /proc/cmdline", timeout=180)     # Guile and the services, emulated: slow
        mounts = console.run("grep ' / ' /proc/mounts | grep -v rootfs", timeout=120)
        init = console.run("cat /proc/1/comm; uname -m", timeout=120)
        console.send("halt\n")
    assert init.split() == ["shepherd", "aarch64"]   # the declared system: the Shepherd is PID 1
    assert "console=ttyAMA0" in cmdline
    device, mount_point, fstype = mounts.split()[:3]
    assert (device, mount_point, fstype) == ("/dev/vda1", "/", "ext4")
    print(f"pine64-raw layout: login prompt after {seconds:.1f}s")


# --- RISC-V boards (Debian 13 has a riscv64 port; Debian 12 none) -----------------------------------

@dataclass(frozen=True)
class RiscvBoard:
    name: str
    deb: tuple[str, str, str]                     # (Debian package, architecture, /usr/lib/u-boot/ directory)
    parts: tuple[tuple[str, str, str], ...]       # (label, GPT type GUID, the board file written at its start)


RISCV_BOARDS = [
    RiscvBoard("unmatched", ("u-boot-sifive", "riscv64", "sifive_unmatched"),
               (("spl", "5B193300-FC78-40CD-8002-E86C45580B47", "u-boot-spl.bin"),        # HiFive FSBL
                ("uboot", "2E54B353-1271-4842-806F-E436D6AF6985", "u-boot.itb"))),         # HiFive BBL
    RiscvBoard("visionfive2", ("u-boot-starfive", "riscv64", "starfive_visionfive2"),
               (("spl", "2E54B353-1271-4842-806F-E436D6AF6985", "u-boot-spl.bin.normal.out"),
                ("uboot", "BC13C2FF-59E6-4262-A352-B275FD6F7172", "u-boot.itb"))),
]


@pytest.mark.slow
@pytest.mark.parametrize("board", RISCV_BOARDS, ids=[b.name for b in RISCV_BOARDS])
def test_riscv64_board_image(board, debian_files, tmp_path):
    """The RISC-V boards' images (Debian 13 substitutes): the SPL and U-Boot in the unformatted
    partitions made for them, found by their GPT type GUIDs as the boot ROM finds them, and a
    riscv64 system in the ext4 root after them."""
    out = tmp_path / f"{board.name}.img"
    res = pyguix("system", "image", "--quiet", "-o", str(out), *barebones(board.name))
    assert res.returncode == 0, res.stderr
    table = json.loads(subprocess.run([tool("sfdisk"), "--json", str(out)], capture_output=True, text=True,
                                      check=True).stdout)["partitiontable"]
    assert table["label"] == "gpt"
    *blobs, root = table["partitions"]
    directory = debian_files(*board.deb)
    for part, (label, guid, name) in zip(blobs, board.parts, strict=True):
        assert (part.get("name"), part["type"]) == (label, guid), part
        data = (directory / name).read_bytes()
        assert len(data) <= part["size"] * 512 and read_at(out, part["start"] * 512, len(data)) == data, name
    assert root["type"] == "0FC63DAF-8483-4772-8E79-3D69D8477DE4" and root["start"] == 10274
    fs = root_fs(out, root["start"] * 512, tmp_path / "root.ext4")
    check = subprocess.run([tool("e2fsck"), "-fn", str(fs)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    kernel = subprocess.run([tool("debugfs"), "-R", "cat /boot/vmlinuz", str(fs)], capture_output=True).stdout
    assert kernel[48:56] == b"RISCV\0\0\0", kernel[:64]          # the RISC-V Linux image header's magic
    assert "APPEND" in debugfs(fs, "cat /boot/extlinux/extlinux.conf")


def test_riscv64_substitutes_come_from_debian_13():
    """The kernel and the U-Boot of the RISC-V boards exist in the default release only."""
    from builders.errors import BuildError
    from builders.substitutes import AptProvider, SubstituteUnavailable, mapping

    trixie, bookworm = AptProvider(), AptProvider(release="bookworm")
    try:
        kernel = trixie.resolve("linux-image-riscv64", "riscv64")
    except SubstituteUnavailable as exc:
        if exc.network:
            pytest.skip(f"no network for apt: {exc.reason}")
        raise
    assert kernel["Package"].startswith("linux-image-6.12.") and kernel["Architecture"] == "riscv64"
    for package in ("u-boot-sifive-unmatched", "u-boot-starfive-visionfive2"):
        (deb,) = mapping.debian_packages(package, "riscv64-linux")
        assert trixie.resolve(deb, "riscv64")["Architecture"] == "riscv64"
    with pytest.raises(BuildError):                     # bookworm has no riscv64 port at all
        bookworm.resolve("linux-image-riscv64", "riscv64")
