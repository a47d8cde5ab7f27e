"""qcow2 writer, checked with qemu-img check / compare / info."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest

from builders.formats import qcow2

MiB = 1 << 20
GiB = 1 << 30
COMPRESSIONS = [pytest.param("zstd", id="zstd"), pytest.param("zlib", id="zlib"), pytest.param(None, id="none")]


def qemu_img(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run qemu-img, skipping the test when it is not installed."""
    tool = shutil.which("qemu-img")
    if tool is None:
        pytest.skip("qemu-img not found (apt-get install qemu-utils)")
    return subprocess.run([tool, *(os.fspath(a) for a in args)], capture_output=True, text=True)


def assert_valid_and_identical(raw: Path, image: Path) -> None:
    """qemu-img check is clean and the guest contents equal RAW."""
    check = qemu_img("check", image)
    assert check.returncode == 0 and "No errors were found" in check.stdout, check.stdout + check.stderr
    compare = qemu_img("compare", "-f", "raw", "-F", "qcow2", raw, image)
    assert compare.returncode == 0 and "Images are identical" in compare.stdout, compare.stdout + compare.stderr


def info(image: Path) -> dict[str, Any]:
    """qemu-img info as JSON."""
    result: dict[str, Any] = json.loads(qemu_img("info", "--output=json", image).stdout)
    return result


def mixed_raw(path: Path, clusters: int = 96, tail: bytes = b"tail") -> Path:
    """Compressible text, random (incompressible), half-random, zero and hole clusters."""
    rng = random.Random(42)
    with open(path, "wb") as f:
        for i in range(clusters):
            kind = i % 6
            block = {
                0: (b"guix %d " % i) * 9000,
                1: rng.randbytes(65536),
                2: rng.randbytes(40000),
                3: bytes(65536),  # explicit zeros: must not be stored
                4: rng.randbytes(65000) + bytes(536),
                5: b"",  # hole
            }[kind][:65536]
            if block:
                f.write(block.ljust(65536, b"\0"))
            else:
                f.seek(65536, os.SEEK_CUR)
        f.write(tail)
    return path


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_mixed_content_round_trips(tmp_path: Path, compression: str | None) -> None:
    raw = mixed_raw(tmp_path / "disk.raw")
    out = tmp_path / "disk.qcow2"
    stats = qcow2.convert(raw, out, compression=compression)
    assert_valid_and_identical(raw, out)
    assert stats.virtual_size == 96 * 65536 + 512  # rounded up to 512
    assert stats.raw_clusters + stats.compressed_clusters == 96 // 6 * 4 + 1  # zero and hole clusters skipped
    meta = info(out)
    assert meta["virtual-size"] == stats.virtual_size and meta["format"] == "qcow2"
    assert meta["format-specific"]["data"]["compat"] == "1.1"
    assert meta["format-specific"]["data"]["refcount-bits"] == 16
    assert meta["cluster-size"] == 65536
    assert meta["format-specific"]["data"]["compression-type"] == (compression or "zlib")
    if compression:
        assert stats.compressed_clusters > 0 and stats.raw_clusters > 0  # random clusters stay raw
        assert os.path.getsize(out) < os.path.getsize(raw)
    else:
        assert stats.compressed_clusters == 0


@pytest.mark.parametrize("compression,ctype,incompat", [("zstd", 1, 8), ("zlib", 0, 0), (None, 0, 0)])
def test_header_fields(tmp_path: Path, compression: str | None, ctype: int, incompat: int) -> None:
    raw = mixed_raw(tmp_path / "disk.raw", clusters=12)
    out = tmp_path / "disk.qcow2"
    qcow2.convert(raw, out, compression=compression)
    head = out.read_bytes()[:112]
    fields = qcow2.HEADER.unpack(head)
    assert fields[0] == b"QFI\xfb" and fields[1] == 3 and fields[4] == 16
    assert (fields[13], fields[16], fields[17], fields[18]) == (incompat, 4, 112, ctype)
    assert struct.unpack_from(">B", head, 104)[0] == ctype


def test_compressed_clusters_packed_across_host_clusters(tmp_path: Path) -> None:
    """Compressed data is packed at byte granularity, so it takes far less than a cluster each."""
    rng = random.Random(7)
    raw = tmp_path / "disk.raw"
    # 64 clusters of ~50% compressible data: each compresses to ~32 KiB, so pairs share host clusters
    raw.write_bytes(b"".join(rng.randbytes(32768) + b"x" * 32768 for _ in range(64)))
    out = tmp_path / "disk.qcow2"
    stats = qcow2.convert(raw, out, compression="zstd")
    assert stats.compressed_clusters == 64
    assert_valid_and_identical(raw, out)
    assert os.path.getsize(out) < 40 * 65536  # 64 x ~32 KiB data + a few metadata clusters


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_sparse_5gib_across_l2_boundaries(tmp_path: Path, compression: str | None) -> None:
    """5 GiB virtual, data straddling 512 MiB L2 boundaries and at the very last byte."""
    raw = tmp_path / "big.raw"
    with open(raw, "wb") as f:
        f.truncate(5 * GiB)
        for boundary in (512 * MiB, 2 * GiB, 4 * GiB + 512 * MiB):
            f.seek(boundary - 100)
            f.write(os.urandom(100) + b"straddle" * 10000)
        f.seek(5 * GiB - 1)
        f.write(b"Z")
    out = tmp_path / "big.qcow2"
    stats = qcow2.convert(raw, out, compression=compression)
    assert stats.virtual_size == 5 * GiB
    assert stats.raw_clusters + stats.compressed_clusters == 3 * 3 + 1
    assert os.path.getsize(out) < 2 * MiB
    assert_valid_and_identical(raw, out)
    assert info(out)["virtual-size"] == 5 * GiB


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_deterministic(tmp_path: Path, compression: str | None) -> None:
    raw = mixed_raw(tmp_path / "disk.raw", clusters=300)
    digests = set()
    for name in ("a.qcow2", "b.qcow2"):
        qcow2.convert(raw, tmp_path / name, compression=compression, threads=3)
        digests.add(hashlib.sha256((tmp_path / name).read_bytes()).hexdigest())
    assert len(digests) == 1


def test_empty_and_all_zero_images(tmp_path: Path) -> None:
    for name, size in [("empty.raw", 0), ("zeros.raw", 3 * MiB + 17)]:
        raw = tmp_path / name
        with open(raw, "wb") as f:
            f.write(bytes(size))
        out = tmp_path / (name + ".qcow2")
        stats = qcow2.convert(raw, out)
        assert stats.raw_clusters == stats.compressed_clusters == 0
        assert stats.virtual_size == -(-size // 512) * 512
        if size:
            assert_valid_and_identical(raw, out)


def test_qemu_reads_ext4_image(tmp_path: Path) -> None:
    """A real file system image: qemu-img compare and e2fsck through the qcow2 round trip."""
    mke2fs = shutil.which("mke2fs")
    if mke2fs is None:
        pytest.skip("mke2fs not found (apt-get install e2fsprogs)")
    tree = tmp_path / "tree"
    tree.mkdir()
    for i in range(40):
        (tree / f"f{i}.txt").write_text(f"file {i}\n" * (i * 200))
    raw = tmp_path / "root.img"
    subprocess.run([mke2fs, "-q", "-t", "ext4", "-d", tree, "-E", "root_owner=0:0", raw, "16M"], check=True)
    out = tmp_path / "root.qcow2"
    qcow2.convert(raw, out, compression="zstd")
    assert_valid_and_identical(raw, out)
    back = tmp_path / "back.img"
    qemu_img("convert", "-f", "qcow2", "-O", "raw", out, back)
    e2fsck = shutil.which("e2fsck")
    if e2fsck:
        assert subprocess.run([e2fsck, "-fn", back], capture_output=True).returncode == 0


def test_unknown_compression_rejected(tmp_path: Path) -> None:
    raw = tmp_path / "r.raw"
    raw.write_bytes(b"x")
    with pytest.raises(qcow2.Qcow2Error, match="lz4"):
        qcow2.convert(raw, tmp_path / "o.qcow2", compression="lz4")


def test_refcount_sizes_cover_themselves() -> None:
    for used in (1, 32767, 32768, 32767 * 2, 10**6):
        blocks, table = qcow2._refcount_sizes(used)
        assert blocks * qcow2.REFCOUNT_ENTRIES >= used + blocks + table
        assert table * 8192 >= blocks
