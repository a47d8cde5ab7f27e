"""Disk layouts that cannot be built: --dry-run and the build give the same located error.

Each row is a configuration whose partitions (or bootloader) cannot share the
disk, the line of the field to change, and the message.  Both the dry run and
the build (where building is reasonable: not a 2 TiB disk) must exit 1 with
FILE:LINE:COL pointing there, no traceback, and no image left behind.  One
placement function (builders/disk/placement.py) decides for both, before any
content is built.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import assert_located, run_pyguix

CACHE = {"PYGUIX_SUBSTITUTE_CACHE": os.environ.get("PYGUIX_SUBSTITUTE_CACHE", "/var/cache/pyguix-ci")}

MiB = "(* 1024 1024)"

# An x86 image with GRUB for BIOS; line 12 onwards: the partitions.
BIOS_IMAGE = """\
(use-modules (gnu) (gnu image) (gnu system image))
(image
 (format 'disk-image)
 (partition-table-type 'mbr)
 (operating-system
   (operating-system (host-name "layout")
     (bootloader (bootloader-configuration (bootloader grub-bootloader) (targets '("/dev/sda"))))
     (file-systems (cons (file-system (device (file-system-label "Guix_image")) (mount-point "/") (type "ext4"))
                         %base-file-systems))))
 (partitions
  (list
{partitions})))
"""

# The Pine64 LTS image (U-Boot written at 8 KiB) with its root moved; line 4 onwards: the partitions.
PINE64_IMAGE = """\
(use-modules (gnu) (gnu image) (gnu system image) (gnu system images pine64))
(image
 (inherit pine64-barebones-raw-image)
 (partitions
  (list
{partitions})))
"""


def part(label: str, *fields: str, flags: str = "") -> str:
    """A partition on one line (so that every field's line is the partition's line)."""
    extra = f" (flags '({flags}))" if flags else ""
    return f'   (partition (label "{label}") (file-system "ext4"){extra} ' + " ".join(fields) + ")"


@dataclass(frozen=True)
class Row:
    id: str
    template: str
    partitions: list[str]
    line: int                        # the line the error points at
    fragments: tuple[str, ...]
    build: bool = True               # False: --dry-run only


ROWS = [
    Row("root-at-offset-0-over-grub-core", BIOS_IMAGE,
        [part("Guix_image", "(offset 0)", flags="boot")], 12,
        ("partition 1 (Guix_image) [512, 512 + guess) overlaps the area of GRUB's core.img [512, 492032)",
         "offset 1048576")),
    Row("root-at-64KiB-over-grub-core", BIOS_IMAGE,
        [part("Guix_image", "(offset (* 64 1024))", flags="boot")], 12,
        ("partition 1 (Guix_image) [65536, 65536 + guess) overlaps the area of GRUB's core.img",)),
    Row("five-mbr-partitions", BIOS_IMAGE,
        [part("Guix_image", f"(offset {MiB})", f"(size (* 8 {MiB}))", flags="boot")]
        + [part(f"data{i}", f"(size {MiB})") for i in range(2, 6)], 16,
        ("partition 5 (data5): an MBR holds at most 4 partitions, the image has 5", "partition-table-type 'gpt")),
    Row("beyond-the-mbr-32-bit-limit", BIOS_IMAGE,
        [part("Guix_image", f"(offset (* 3 1024 1024 {MiB}))", flags="boot")], 12,
        ("partition 1 (Guix_image) starts at byte 3298534883328 (LBA 6442450944)", "32-bit",
         "partition-table-type 'gpt"), build=False),
    Row("two-partitions-overlap", BIOS_IMAGE,
        [part("Guix_image", f"(offset {MiB})", f"(size (* 8 {MiB}))", flags="boot"),
         part("data", f"(offset (* 4 {MiB}))", f"(size (* 4 {MiB}))")], 13,
        ("partition 2 (data) [4194304, 8388608) overlaps partition 1 (Guix_image) [1048576, 9437184)",)),
    Row("u-boot-blob-over-a-partition", PINE64_IMAGE,
        ["   (partition (inherit root-partition) (offset 4096))"], 6,
        ("bootloader blob u-boot-sunxi-with-spl.bin [8192, 8192 + file size) of u-boot-pine64-lts overlaps "
         "partition 1 (Guix_image) [4096, 4096 + guess)", "to byte 1048576 or later")),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_layout_error_in_dry_run_and_build(tmp_path: Path, row: Row) -> None:
    config = tmp_path / "layout.scm"
    config.write_text(row.template.format(partitions="\n".join(row.partitions)))

    dry = run_pyguix("system", "image", "--dry-run", str(config), env=CACHE)
    assert_located(dry, config, row.line, *row.fragments)
    assert dry.stderr.count("error:") == 1

    if row.build:
        out = tmp_path / "out" / "layout.img"
        built = run_pyguix("system", "image", "--quiet", "-o", str(out), str(config), env=CACHE)
        assert_located(built, config, row.line, *row.fragments)
        # The same message: the first line (location and text) is the dry run's.
        assert built.stderr.splitlines()[0] == dry.stderr.splitlines()[0]
        assert not out.parent.exists() or list(out.parent.iterdir()) == []
