"""One placement rule for --dry-run and the build (builders/disk/placement.py).

* `place_regions` as a pure function: rows of (table, bootloader, partitions)
  and the regions it must give, before the content is measured (the dry run)
  and after (the build); the offsets never differ.
* Layout errors as rows: each is located at the field to change.
* Built images (slow): the regions --dry-run prints are where sfdisk and a
  byte scan find the partitions, the tables, GRUB's core.img and U-Boot.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from builders.disk.placement import GPT_HEAD, GPT_TAIL, GRUB_CORE_AREA, LayoutError, Placement, align_up, place_regions
from builders.plan import BootloaderPlan, ImagePlan, Origin, OsPlan, PartitionPlan, RawWrite

pytestmark = pytest.mark.usefixtures("busybox_system")  # 64 MiB images: the busybox stand-in

REPO = Path(__file__).resolve().parent.parent
MiB = 1 << 20
CACHE = {"PYGUIX_SUBSTITUTE_CACHE": os.environ.get("PYGUIX_SUBSTITUTE_CACHE", "/var/cache/pyguix-ci")}


# --- plans by hand ------------------------------------------------------------------------------

def os_plan(bootloader: str, raw_writes: tuple[RawWrite, ...] = (), package: str | None = None) -> OsPlan:
    return OsPlan(host_name="h", timezone="UTC", locale="en_US.utf8", label="x", kernel="linux-libre", hurd=None,
                  kernel_arguments=(), initrd_modules=(),
                  bootloader=BootloaderPlan(bootloader, package, "/boot/grub/grub.cfg", raw_writes=raw_writes,
                                            origin=Origin("os.scm", 3, 5)),
                  file_systems=(), users=(), groups=(), packages=(), services=(), issue="")


def partition(n: int, offset: int, size: int | None, flags: tuple[str, ...] = ()) -> PartitionPlan:
    """Partition N, its fields 'written' on line 10 * N of image.scm (offset at column 20, size at 40)."""
    return PartitionPlan(label=f"p{n}", file_system="ext4", size=size, offset=offset, flags=flags,
                         origin=Origin("image.scm", 10 * n, 3), offset_origin=Origin("image.scm", 10 * n, 20),
                         size_origin=Origin("image.scm", 10 * n, 40))


def image(table: str, parts: list[tuple[int, int | None]], bootloader: str = "grub-efi",
          raw_writes: tuple[RawWrite, ...] = (), root_size: int | None = None) -> ImagePlan:
    partitions = tuple(partition(i + 1, off, size, ("boot",) if i == len(parts) - 1 else ())
                       for i, (off, size) in enumerate(parts))
    return ImagePlan(name="t", format="disk-image", partition_table=table, partitions=partitions,
                     platform_system="x86_64-linux", platform_target=None, root_size=root_size, compression=False,
                     volatile_root=False, shared_store=False,
                     os=os_plan(bootloader, raw_writes, "u-boot-pine64-lts" if raw_writes else None))


def rows_of(placement: Placement) -> list[tuple[str, int | None, int | None]]:
    return [(r.name, r.start, r.size) for r in placement.regions]


# --- the rule, as rows --------------------------------------------------------------------------
#
# (id, plan, measured sizes (the build's), regions before measuring (the dry run's), partition starts
#  after measuring).  "guess" is a size of None.

ESP, ROOT = 40 * MiB, 300 * MiB
A64 = (RawWrite("u-boot-sunxi-with-spl.bin", 8192),)

PLACEMENTS = [
    ("gpt-offset-0-first-partition",
     image("gpt", [(0, ESP), (0, None)]), [ESP, ROOT],
     [("gpt", 0, GPT_HEAD), ("partition 1 (p1)", GPT_HEAD, ESP), ("partition 2 (p2)", GPT_HEAD + ESP, None),
      ("gpt backup", None, GPT_TAIL)],
     [GPT_HEAD, GPT_HEAD + ESP]),
    ("efi-raw",
     image("gpt", [(MiB, ESP), (0, None)]), [ESP, ROOT],
     [("gpt", 0, GPT_HEAD), ("partition 1 (p1)", MiB, ESP), ("partition 2 (p2)", MiB + ESP, None),
      ("gpt backup", None, GPT_TAIL)],
     [MiB, MiB + ESP]),
    ("gpt-all-sizes-known",
     image("gpt", [(MiB, ESP), (0, ROOT)]), [ESP, ROOT],
     [("gpt", 0, GPT_HEAD), ("partition 1 (p1)", MiB, ESP), ("partition 2 (p2)", MiB + ESP, ROOT),
      ("gpt backup", MiB + ESP + ROOT, GPT_TAIL)],
     [MiB, MiB + ESP]),
    ("mbr-raw-bios-grub",
     image("mbr", [(MiB, None)], bootloader="grub"), [ROOT],
     [("mbr", 0, 512), ("bootloader core.img", 512, GRUB_CORE_AREA), ("partition 1 (p1)", MiB, None)],
     [MiB]),
    ("mbr-hybrid-bios-grub",
     image("mbr", [(MiB, ESP), (0, None)], bootloader="grub"), [ESP, ROOT],
     [("mbr", 0, 512), ("bootloader core.img", 512, GRUB_CORE_AREA), ("partition 1 (p1)", MiB, ESP),
      ("partition 2 (p2)", MiB + ESP, None)],
     [MiB, MiB + ESP]),
    ("image-size-gives-the-root-size",
     image("mbr", [(MiB, None)], bootloader="grub", root_size=64 * MiB), [64 * MiB],
     [("mbr", 0, 512), ("bootloader core.img", 512, GRUB_CORE_AREA), ("partition 1 (p1)", MiB, 64 * MiB)],
     [MiB]),
    ("mbr-extlinux-offset-0-right-after-the-mbr",
     image("mbr", [(0, None)], bootloader="extlinux"), [ROOT],
     [("mbr", 0, 512), ("partition 1 (p1)", 512, None)],
     [512]),
    ("after-a-guess-is-auto",
     image("gpt", [(MiB, None), (0, ESP)]), [ROOT, ESP],
     [("gpt", 0, GPT_HEAD), ("partition 1 (p1)", MiB, None), ("partition 2 (p2)", None, ESP),
      ("gpt backup", None, GPT_TAIL)],
     [MiB, MiB + ROOT]),
    ("sizes-round-up-to-sectors",
     image("gpt", [(MiB, 1000), (0, 1000)]), [1000, 1000],
     [("gpt", 0, GPT_HEAD), ("partition 1 (p1)", MiB, 1024), ("partition 2 (p2)", MiB + 1024, 1024),
      ("gpt backup", MiB + 2048, GPT_TAIL)],
     [MiB, MiB + 1024]),
    ("u-boot-blob-of-unknown-size",
     image("mbr", [(MiB, None)], bootloader="u-boot", raw_writes=A64), [ROOT],
     [("mbr", 0, 512), ("bootloader u-boot-sunxi-with-spl.bin", 8192, None), ("partition 1 (p1)", MiB, None)],
     [MiB]),
    ("u-boot-blob-with-its-size",
     image("mbr", [(MiB, None)], bootloader="u-boot",
           raw_writes=(RawWrite("idbloader.img", 32768, 4000 * 512),)), [ROOT],
     [("mbr", 0, 512), ("bootloader idbloader.img", 32768, 4000 * 512), ("partition 1 (p1)", MiB, None)],
     None),                       # the blob's 2 MiB end runs past the root at 1 MiB: see LAYOUT_ERRORS
]


@pytest.mark.parametrize("plan,measured,dry,starts", [p[1:] for p in PLACEMENTS if p[4] is not None],
                         ids=[p[0] for p in PLACEMENTS if p[4] is not None])
def test_dry_run_and_build_place_alike(plan, measured, dry, starts):
    before = place_regions(plan)                       # what --dry-run prints
    assert rows_of(before) == dry
    after = place_regions(plan, measured, blob_sizes=[801989] * len(plan.os.bootloader.raw_writes))
    assert [r.start for r in after.partitions] == starts
    assert [r.size for r in after.partitions] == [align_up(s) for s in measured]
    # Whatever the dry run knew, the build has unchanged.
    for b, a in zip(before.partitions, after.partitions, strict=True):
        assert b.start is None or b.start == a.start
        assert b.size is None or b.size == a.size
    # Disk order, nothing overlapping, and the GPT backup ends the disk.
    known = [r for r in after.regions if r.kind != "bootloader"]
    assert all(x.end <= y.start for x, y in itertools.pairwise(known))
    if plan.partition_table == "gpt":
        assert after.regions[-1].name == "gpt backup" and after.regions[-1].end == after.disk_size


def test_gpt_offset_0_is_after_the_table_in_both():
    plan = PLACEMENTS[0][1]
    assert place_regions(plan).partitions[0].start == place_regions(plan, [ESP, ROOT]).partitions[0].start == 34 * 512


# --- layout errors, located at the field to change ----------------------------------------------
#
# (id, plan, sizes (None: the declared ones), blob sizes, (line, column) of the error, message fragment)

LAYOUT_ERRORS = [
    ("partition-inside-the-gpt", image("gpt", [(4096, ESP)]), None, None, (10, 20),
     "partition 1 (p1) [4096, 41947136) overlaps the GPT partition table [0, 17408)"),
    ("offset-0-over-grub-core", image("mbr", [(0, None)], bootloader="grub"), None, None, (10, 20),
     "partition 1 (p1) [512, 512 + guess) overlaps the area of GRUB's core.img [512, 492032)"),
    ("small-offset-over-grub-core", image("mbr", [(128 * 1024, ESP), (0, None)], bootloader="grub"), None, None,
     (10, 20), "partition 1 (p1) [131072, 42074112) overlaps the area of GRUB's core.img"),
    ("five-mbr-partitions", image("mbr", [(MiB, MiB)] + [(0, MiB)] * 4), None, None, (50, 3),
     "partition 5 (p5): an MBR holds at most 4 partitions, the image has 5"),
    ("mbr-start-beyond-32-bits", image("mbr", [(1 << 41, MiB)]), None, None, (10, 20),
     "partition 1 (p1) starts at byte 2199023255552 (LBA 4294967296)"),
    ("mbr-size-beyond-32-bits", image("mbr", [(MiB, 1 << 41)]), None, None, (10, 40),
     "partition 1 (p1) is 2199023255552 bytes (4294967296 sectors)"),
    ("mbr-guess-measured-beyond-32-bits", image("mbr", [(MiB, None)]), [1 << 41], None, (10, 40),
     "partition 1 (p1) is 2199023255552 bytes"),
    ("later-partition-starts-inside", image("gpt", [(MiB, 8 * MiB), (4 * MiB, 4 * MiB)]), None, None, (20, 20),
     "partition 2 (p2) [4194304, 8388608) overlaps partition 1 (p1) [1048576, 9437184)"),
    ("later-partition-runs-into", image("gpt", [(8 * MiB, MiB), (MiB, 8 * MiB)]), None, None, (20, 40),
     "partition 2 (p2) [1048576, 9437184) overlaps partition 1 (p1) [8388608, 9437184)"),
    ("guess-is-at-least-1-MiB", image("gpt", [(MiB, None), (MiB + 512 * 1024, MiB)]), None, None, (20, 20),
     "partition 2 (p2) [1572864, 2621440) overlaps partition 1 (p1) [1048576, 1048576 + guess)"),
    ("measured-guess-runs-into-the-next", image("gpt", [(MiB, None), (4 * MiB, MiB)]), [8 * MiB, MiB], None,
     (20, 20), "partition 2 (p2) [4194304, 5242880) overlaps partition 1 (p1) [1048576, 9437184)"),
    ("blob-start-inside-a-partition", image("mbr", [(4096, None)], bootloader="u-boot", raw_writes=A64),
     None, None, (10, 20),
     "bootloader blob u-boot-sunxi-with-spl.bin [8192, 8192 + file size) of u-boot-pine64-lts overlaps "
     "partition 1 (p1) [4096, 4096 + guess)"),
    ("blob-of-known-size-runs-into-a-partition",
     image("mbr", [(512 * 1024, None)], bootloader="u-boot", raw_writes=A64), [ROOT], [801989], (10, 20),
     "bootloader blob u-boot-sunxi-with-spl.bin [8192, 810181) of u-boot-pine64-lts overlaps partition 1 (p1)"),
    ("blob-with-its-size-runs-into-a-partition", PLACEMENTS[-1][1], None, None, (10, 20),
     "bootloader blob idbloader.img [32768, 2080768) of u-boot-pine64-lts overlaps partition 1 (p1)"),
    ("blob-over-the-gpt", image("gpt", [(MiB, None)], bootloader="u-boot", raw_writes=A64), None, None, (3, 5),
     "bootloader blob u-boot-sunxi-with-spl.bin [8192, 8192 + file size) of u-boot-pine64-lts overlaps "
     "the GPT partition table [0, 17408)"),
]


@pytest.mark.parametrize("plan,sizes,blobs,where,fragment", [e[1:] for e in LAYOUT_ERRORS],
                         ids=[e[0] for e in LAYOUT_ERRORS])
def test_layout_errors_are_located(plan, sizes, blobs, where, fragment):
    from schemeconf.errors import ConfigError

    with pytest.raises(LayoutError) as err:
        place_regions(plan, sizes, blob_sizes=blobs)
    assert isinstance(err.value, ConfigError)           # rendered FILE:LINE:COL by the CLI
    assert (err.value.span.line, err.value.span.col) == where, err.value
    assert fragment in err.value.message
    assert err.value.hint


def test_blobs_may_overlap_each_other():
    """allwinner64: the FIT inside u-boot-sunxi-with-spl.bin is written again at 40 KiB."""
    writes = (RawWrite("u-boot-sunxi-with-spl.bin", 8192), RawWrite("u-boot-sunxi-with-spl.fit.itb", 40960))
    placement = place_regions(image("mbr", [(MiB, None)], bootloader="u-boot", raw_writes=writes),
                              [ROOT], blob_sizes=[801989, 769221])
    assert [r.start for r in placement.regions] == [0, 8192, 40960, MiB]


def test_unknown_table_type():
    with pytest.raises(Exception, match="unknown partition table type 'apm'"):
        place_regions(image("apm", [(MiB, None)]))


# --- built images against --dry-run (slow) -----------------------------------------------------------

GPT_OFFSET_0 = """\
(use-modules (gnu) (gnu image) (gnu system image))
(image
 (format 'disk-image)
 (partition-table-type 'gpt)
 (operating-system
   (operating-system (host-name "gpt-offset-0")
     (bootloader (bootloader-configuration (bootloader grub-efi-bootloader) (targets '("/boot/efi"))))
     (file-systems (cons (file-system (device (file-system-label "Guix_image")) (mount-point "/") (type "ext4"))
                         %base-file-systems))))
 (partitions (list (partition (inherit esp-partition) (offset 0)) root-partition)))
"""


@dataclass(frozen=True)
class Built:
    id: str
    args: tuple[str, ...]            # after `pyguix system image`, without -o
    label: str                       # sfdisk's: dos or gpt
    qcow2: bool = False


BUILDS = [
    Built("mbr-raw", ("-t", "mbr-raw", "--image-size", "64MiB", "samples/server.scm"), "dos"),
    Built("qcow2", ("-t", "qcow2", "--image-size", "64MiB", "samples/server.scm"), "dos", qcow2=True),
    Built("efi-raw", ("-t", "efi-raw", "--image-size", "64MiB", "samples/uefi-os.scm"), "gpt"),
    Built("raw-with-offset", ("-t", "raw-with-offset", "--image-size", "64MiB", "samples/server.scm"), "dos"),
    Built("pine64-raw", ("-t", "pine64-raw", "--image-size", "64MiB", "samples/my-pine-os.scm"), "dos"),
    Built("my-image", ("samples/my-image.scm",), "gpt"),
    Built("my-image-type", ("samples/my-image-type.scm",), "dos"),
    Built("gpt-offset-0", ("GPT_OFFSET_0",), "gpt"),
    Built("mbr-hybrid-raw", ("-t", "mbr-hybrid-raw", "--image-size", "64MiB", "samples/server.scm"), "dos"),
    Built("efi32-raw", ("-t", "efi32-raw", "--image-size", "64MiB", "samples/uefi-os.scm"), "gpt"),
    Built("qcow2-gpt", ("-t", "qcow2-gpt", "--image-size", "64MiB", "samples/uefi-os.scm"), "gpt", qcow2=True),
    Built("hurd-raw", ("-t", "hurd-raw", "samples/my-hurd-os.scm"), "dos"),
    Built("hurd64-qcow2", ("-t", "hurd64-qcow2", "samples/my-hurd-os.scm"), "dos", qcow2=True),
    Built("rock64-raw", ("-e", "(begin (use-modules (gnu system images rock64)) rock64-barebones-raw-image)"),
          "dos"),
    Built("novena-raw", ("-e", "(begin (use-modules (gnu system images novena)) novena-barebones-raw-image)"),
          "dos"),
]

# Image types whose layout is another's (qcow2 is mbr-hybrid-raw compressed, qcow2-gpt efi-raw).
SAME_LAYOUT = [(("-t", "mbr-hybrid-raw"), ("-t", "qcow2")), (("-t", "qcow2-gpt"), ("-t", "efi-raw"))]


def pyguix(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), **CACHE)
    return subprocess.run([sys.executable, "-m", "builders.cli", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=600)


def dry_run_table(args: tuple[str, ...]) -> list[dict]:
    """--dry-run's layout rows: start, end, size (None when not known), region, contents."""
    res = pyguix("system", "image", "--dry-run", *args)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.rstrip("\n").split("\n\n")[-1].splitlines()
    spans, pos = [], 0
    for dashes in lines[1].split("  "):
        spans.append((pos, pos + len(dashes)))
        pos += len(dashes) + 2
    rows = []
    for line in lines[2:]:
        start, end, size, region, what = (line[a:b].strip() for a, b in spans[:4] + [(spans[4][0], None)])
        rows.append({"start": int(start) if start.isdigit() else None, "end": int(end) if end.isdigit() else None,
                     "region": region, "what": what,
                     "size": int(end) - int(start) if end.isdigit() else None})
    return rows


def tool(name: str) -> str:
    found = shutil.which(name, path=os.environ.get("PATH", "") + os.pathsep + "/usr/sbin:/sbin")
    if found is None:
        pytest.skip(f"{name} not installed")
    return found


@pytest.mark.parametrize("a,b", SAME_LAYOUT, ids=["mbr-hybrid-raw=qcow2", "qcow2-gpt=efi-raw"])
def test_image_types_of_the_same_layout(a, b):
    sample = "samples/server.scm" if "mbr" in a[1] else "samples/uefi-os.scm"
    assert dry_run_table(a + (sample,)) == dry_run_table(b + (sample,))


@pytest.mark.slow
@pytest.mark.parametrize("built", BUILDS, ids=[b.id for b in BUILDS])
def test_dry_run_is_what_the_build_writes(tmp_path, built):
    args = built.args
    if args == ("GPT_OFFSET_0",):
        config = tmp_path / "gpt-offset-0.scm"
        config.write_text(GPT_OFFSET_0)
        args = (str(config),)
    rows = dry_run_table(args)
    out = tmp_path / ("image.qcow2" if built.qcow2 else "image.img")
    res = pyguix("system", "image", "--quiet", "-o", str(out), *args)
    assert res.returncode == 0, res.stderr
    raw = out
    if built.qcow2:
        raw = tmp_path / "image.raw"
        subprocess.run([tool("qemu-img"), "convert", "-O", "raw", str(out), str(raw)], check=True)

    # Partitions: sfdisk finds them where the dry run said, as big as it said (when it knew).
    table = json.loads(subprocess.run([tool("sfdisk"), "--json", str(raw)], capture_output=True, text=True,
                                      check=True).stdout)["partitiontable"]
    assert table["label"] == built.label
    found = [(p["start"] * 512, p["size"] * 512) for p in table["partitions"]]
    shown = [r for r in rows if r["region"].startswith("partition ")]
    assert len(shown) == len(found)
    for r, (start, size) in zip(shown, found, strict=True):
        assert r["start"] == start, (r, start)
        assert r["size"] is None or r["size"] == size, (r, size)

    # The tables and the bootloaders' areas, by a byte scan.
    disk_size = raw.stat().st_size
    with open(raw, "rb") as f:
        def at(offset: int, n: int) -> bytes:
            f.seek(offset)
            return f.read(n)

        assert at(510, 2) == b"\x55\xaa"
        names = [r["region"] for r in rows]
        if built.label == "gpt":
            assert names[0] == "gpt" and rows[0]["end"] == 34 * 512 and names[-1] == "gpt backup"
            assert at(512, 8) == b"EFI PART"
            assert at(disk_size - 512, 8) == b"EFI PART"
            backup = rows[-1]
            assert backup["start"] in (None, disk_size - GPT_TAIL) and backup["end"] in (None, disk_size)
            assert backup["what"] == "GPT backup entries and header"
        else:
            assert names[0] == "mbr" and rows[0]["end"] == 512 and "gpt backup" not in names
            assert at(512, 8) != b"EFI PART"
        for r in rows:
            if r["region"] == "bootloader core.img":
                # diskboot.img's block list: the rest of core.img from LBA 2, LENGTH sectors.
                start, length, segment = struct.unpack("<QHH", at(512 + 0x1F4, 12))
                assert (r["start"], start, segment) == (512, 2, 0x0820)
                assert 512 + (length + 1) * 512 <= r["end"] <= found[0][0]
            elif r["region"] == "bootloader u-boot-sunxi-with-spl.bin":
                assert r["start"] == 8192 and r["end"] is None and "size unknown until fetched" in r["what"]
                assert at(8192 + 4, 8) == b"eGON.BT0"               # the A64 boot ROM's SPL header
        if any(r["region"] == "bootloader core.img" for r in rows) is False and built.label == "dos":
            assert at(512, 512) == bytes(512) or built.id == "pine64-raw"   # no GRUB: nothing after the MBR


def _riscv(file_system: str = "unformatted") -> ImagePlan:
    """The RISC-V boards' layout: the SPL written at the start of an unformatted 1 MiB partition."""
    plan = image("gpt", [(17408, MiB), (0, None)], bootloader="u-boot",
                 raw_writes=(RawWrite("spl/u-boot-spl.bin", 17408),))
    spl = dataclasses.replace(plan.partitions[0], label="spl", file_system=file_system)
    return dataclasses.replace(plan, partitions=(spl, plan.partitions[1]))


def test_a_blob_goes_into_the_unformatted_partition_made_for_it():
    placement = place_regions(_riscv(), [MiB, ROOT], blob_sizes=[86755])
    assert ("bootloader spl/u-boot-spl.bin", 17408, 86755) in rows_of(placement)
    with pytest.raises(LayoutError, match=r"overlaps partition 1 \(spl\)"):     # larger than its partition
        place_regions(_riscv(), [MiB, ROOT], blob_sizes=[2 * MiB])
    with pytest.raises(LayoutError, match=r"overlaps partition 1 \(spl\)"):     # a partition with a file system
        place_regions(_riscv(file_system="ext4"), [MiB, ROOT], blob_sizes=[86755])
