"""Raw disk assembly: placement, sparseness, overlap errors, blob writes."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from builders.disk.assemble import AssemblyError, Chunk, assemble_disk, check_layout, data_extents, write_at
from builders.disk.ptable import GptTable, MbrTable, Partition, gpt

MiB = 1 << 20


def sparse_file(path: Path, size: int, chunks: dict[int, bytes]) -> Path:
    """A SIZE-byte sparse file with CHUNKS written at their offsets."""
    with open(path, "wb") as f:
        f.truncate(size)
        for offset, data in chunks.items():
            f.seek(offset)
            f.write(data)
    return path


def allocated(path: Path) -> int:
    """Bytes actually allocated on disk."""
    return os.stat(path).st_blocks * 512


def test_regions_land_at_their_offsets(tmp_path: Path) -> None:
    part = sparse_file(tmp_path / "p.img", 2 * MiB, {0: b"first", MiB + 7: b"middle", 2 * MiB - 3: b"end"})
    out = tmp_path / "disk.img"
    assemble_disk(out, 8 * MiB, [Chunk(MiB, 2 * MiB, part, "root"), Chunk(0, 4, b"HEAD", "head")])
    data = out.read_bytes()
    assert len(data) == 8 * MiB
    assert data[:4] == b"HEAD"
    assert data[MiB : MiB + 5] == b"first"
    assert data[2 * MiB + 7 : 2 * MiB + 13] == b"middle"
    assert data[3 * MiB - 3 : 3 * MiB] == b"end"
    assert data.count(0) == len(data) - 4 - 5 - 6 - 3


def test_short_source_is_zero_padded(tmp_path: Path) -> None:
    part = sparse_file(tmp_path / "p.img", 1000, {0: b"x" * 1000})
    out = tmp_path / "disk.img"
    assemble_disk(out, 4 * MiB, [Chunk(MiB, 2 * MiB, part, "root")])
    data = out.read_bytes()
    assert data[MiB : MiB + 1000] == b"x" * 1000 and not any(data[MiB + 1000 :])


@pytest.mark.parametrize("zero_detect", [True, False])
def test_output_is_sparse(tmp_path: Path, zero_detect: bool) -> None:
    """A 256 MiB disk with ~3 MiB of data allocates about 3 MiB."""
    payload = os.urandom(MiB)
    part = sparse_file(tmp_path / "p.img", 200 * MiB, {0: payload, 100 * MiB: payload, 199 * MiB: payload})
    out = tmp_path / "disk.img"
    assemble_disk(out, 256 * MiB, [Chunk(MiB, 200 * MiB, part, "root")], zero_detect=zero_detect)
    assert os.stat(out).st_size == 256 * MiB
    assert allocated(out) <= 4 * MiB


def test_zero_blocks_inside_data_become_holes(tmp_path: Path) -> None:
    """Explicitly written zeros in the source are not written to the disk."""
    part = tmp_path / "p.img"
    part.write_bytes(b"a" * 4096 + bytes(8 * MiB) + b"b" * 4096)
    assert allocated(part) >= 8 * MiB
    out = tmp_path / "disk.img"
    assemble_disk(out, 16 * MiB, [Chunk(MiB, 9 * MiB, part, "root")])
    assert allocated(out) <= 64 * 1024
    data = out.read_bytes()
    assert data[MiB : MiB + 4096] == b"a" * 4096 and data[MiB + 4096 + 8 * MiB : MiB + 8192 + 8 * MiB] == b"b" * 4096


def test_deterministic(tmp_path: Path) -> None:
    part = sparse_file(tmp_path / "p.img", MiB, {12345: os.urandom(50000)})
    regions = [Chunk(MiB, MiB, part, "root"), Chunk(0, 3, b"abc", "t")]
    digests = set()
    for name in ("a.img", "b.img"):
        assemble_disk(tmp_path / name, 4 * MiB, regions)
        digests.add(hashlib.sha256((tmp_path / name).read_bytes()).hexdigest())
    assert len(digests) == 1


OVERLAPS = [
    pytest.param([Chunk(0, 100, b"", "a"), Chunk(99, 10, b"", "b")],
                 "'a' \\[0, 100\\) overlaps region 'b' \\[99, 109\\)", id="tail"),
    pytest.param([Chunk(50, 10, b"", "inner"), Chunk(0, 1000, b"", "outer")],
                 "'outer' \\[0, 1000\\) overlaps region 'inner'", id="contained"),
    pytest.param([Chunk(0, 1000, b"", "big"), Chunk(10, 5, b"", "x"), Chunk(500, 5, b"", "y")], "'big'.*'x'",
                 id="first-of-many"),
    pytest.param([Chunk(4000, 200, b"", "late")], "'late' \\[4000, 4200\\) ends beyond the disk size 4096",
                 id="bounds"),
    pytest.param([Chunk(0, 2, b"abc", "fat")], "'fat' \\[0, 2\\): source holds 3 bytes", id="source-too-big"),
    pytest.param([Chunk(-1, 2, b"", "neg")], "negative", id="negative"),
]  # fmt: skip


@pytest.mark.parametrize("regions,message", OVERLAPS)
def test_layout_errors(regions: list[Chunk], message: str) -> None:
    with pytest.raises(AssemblyError, match=message):
        check_layout(4096, regions)


def test_adjacent_regions_are_fine(tmp_path: Path) -> None:
    check_layout(300, [Chunk(0, 100, b"", "a"), Chunk(100, 100, b"", "b"), Chunk(200, 100, b"", "c")])
    out = tmp_path / "d.img"
    with pytest.raises(AssemblyError):
        assemble_disk(out, 100, [Chunk(0, 60, b"", "a"), Chunk(50, 10, b"", "b")])


def test_data_extents_skip_holes(tmp_path: Path) -> None:
    path = sparse_file(tmp_path / "s.img", 64 * MiB, {0: b"x", 32 * MiB: b"y" * 5000})
    with open(path, "rb") as f:
        extents = list(data_extents(f.fileno(), 64 * MiB))
    assert extents[0][0] == 0 and extents[-1][0] <= 32 * MiB < extents[-1][0] + extents[-1][1]
    assert sum(length for _, length in extents) <= MiB


def test_write_at_keeps_size_and_neighbours(tmp_path: Path) -> None:
    image = tmp_path / "d.img"
    assemble_disk(image, MiB, [Chunk(0, 8, b"ABCDEFGH", "x")])
    blob = tmp_path / "spl.bin"
    blob.write_bytes(b"\x00\x01\x02")
    write_at(image, 2, blob, name="spl")
    write_at(image, MiB - 1, b"Z")
    data = image.read_bytes()
    assert len(data) == MiB and data[:8] == b"AB\x00\x01\x02FGH" and data[-1:] == b"Z"
    with pytest.raises(AssemblyError, match="'u-boot' \\[1048575, 1048577\\)"):
        write_at(image, MiB - 1, b"no", name="u-boot")


def test_full_gpt_disk_checks_out(tmp_path: Path) -> None:
    """Table + ESP + root images assembled; sgdisk finds no problems and data is where sfdisk says."""
    if shutil.which("sgdisk") is None:
        pytest.skip("sgdisk not found (apt-get install gdisk)")
    size = 32 * MiB
    esp = sparse_file(tmp_path / "esp.img", 4 * MiB, {0: b"\xebESP"})
    root = sparse_file(tmp_path / "root.img", 20 * MiB, {1024: b"ROOT"})
    parts = [Partition(MiB, 4 * MiB, gpt.ESP, "GNU-ESP", guid=uuid.UUID(int=1)),
             Partition(5 * MiB, 20 * MiB, gpt.LINUX_DATA, "Guix_image", True, uuid.UUID(int=2))]  # fmt: skip
    table = GptTable(uuid.UUID(int=3))
    regions = table.regions(size, parts) + [Chunk(MiB, 4 * MiB, esp, "esp"), Chunk(5 * MiB, 20 * MiB, root, "root")]
    out = tmp_path / "disk.img"
    assemble_disk(out, size, regions)
    assert "No problems found" in subprocess.run(["sgdisk", "-v", out], capture_output=True, text=True).stdout
    data = out.read_bytes()
    assert data[MiB : MiB + 4] == b"\xebESP" and data[5 * MiB + 1024 : 5 * MiB + 1028] == b"ROOT"


def test_table_overlapping_partition_image_is_reported(tmp_path: Path) -> None:
    mbr_regions = MbrTable(1).regions(4 * MiB, [Partition(MiB, MiB, 0x83)])
    with pytest.raises(AssemblyError, match="'MBR' \\[0, 512\\) overlaps region 'bad' \\[256, 1280\\)"):
        assemble_disk(tmp_path / "d.img", 4 * MiB, mbr_regions + [Chunk(256, 1024, b"", "bad")])
