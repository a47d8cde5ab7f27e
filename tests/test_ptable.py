"""MBR and GPT writers, checked with sfdisk, sgdisk and fdisk."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
import zlib
from pathlib import Path
from typing import Any

import pytest

from builders.determinism import guid_from_seed, u32_from_seed
from builders.disk.assemble import assemble_disk
from builders.disk.ptable import (
    TABLES,
    GptTable,
    MbrTable,
    Partition,
    PartitionTable,
    PtableError,
    gpt,
    make_table,
    mbr,
    partition_guid,
)  # fmt: skip

MiB = 1 << 20
SEED = b"test-seed"


def need(tool: str, package: str) -> str:
    """Path of TOOL, or skip naming the Debian package that provides it."""
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} not found (apt-get install {package})")
    return path


def sfdisk_json(image: Path) -> dict[str, Any]:
    """sfdisk --json parsed."""
    out = subprocess.run([need("sfdisk", "fdisk"), "--json", image], capture_output=True, text=True, check=True)
    table: dict[str, Any] = json.loads(out.stdout)["partitiontable"]
    return table


def write(image: Path, table: PartitionTable, size: int, parts: list[Partition]) -> Path:
    """Assemble a disk holding only the table."""
    assemble_disk(image, size, table.regions(size, parts))
    return image


# --- MBR -----------------------------------------------------------------------

MBR_LAYOUTS = [
    pytest.param(  # mbr-raw: root at 1 MiB, bootable
        [Partition(MiB, 8 * MiB, 0x83, bootable=True)],
        [{"start": 2048, "size": 16384, "type": "83", "bootable": True}],
        id="mbr-raw",
    ),
    pytest.param(  # mbr-hybrid-raw: ESP 0xEF then root
        [Partition(MiB, 4 * MiB, 0xEF), Partition(5 * MiB, 3 * MiB, 0x83, bootable=True)],
        [{"start": 2048, "size": 8192, "type": "ef"}, {"start": 10240, "size": 6144, "type": "83", "bootable": True}],
        id="mbr-hybrid",
    ),
    pytest.param(  # four primaries, FAT and swap types, odd 512-aligned offsets
        [Partition(512 * 63, 512 * 100, 0x0C), Partition(512 * 200, 512 * 300, 0x0E),
         Partition(512 * 600, 512 * 1000, 0x82), Partition(2 * MiB, 6 * MiB, 0x83)],
        [{"start": 63, "size": 100, "type": "c"}, {"start": 200, "size": 300, "type": "e"},
         {"start": 600, "size": 1000, "type": "82"}, {"start": 4096, "size": 12288, "type": "83"}],
        id="four-primaries",
    ),
]  # fmt: skip


@pytest.mark.parametrize("parts,expected", MBR_LAYOUTS)
def test_mbr_layout_read_by_sfdisk(tmp_path: Path, parts: list[Partition], expected: list[dict[str, Any]]) -> None:
    image = write(tmp_path / "d.img", MbrTable(disk_signature=0x1234ABCD), 8 * MiB + MiB, parts)
    table = sfdisk_json(image)
    assert table["label"] == "dos"
    assert table["id"] == "0x1234abcd"
    got = [{k: v for k, v in p.items() if k != "node"} for p in table["partitions"]]
    assert got == expected


def test_mbr_matches_sfdisk_bytes(tmp_path: Path) -> None:
    """Sector 0 is byte-identical to what sfdisk writes for the same layout (CHS included)."""
    ours = write(tmp_path / "ours.img", MbrTable(0xB02069D8), 64 * MiB,
                 [Partition(MiB, 40 * MiB, 0xEF), Partition(41 * MiB, 20 * MiB, 0x83, bootable=True)])  # fmt: skip
    theirs = tmp_path / "theirs.img"
    with open(theirs, "wb") as f:
        f.truncate(64 * MiB)
    script = ("label: dos\nlabel-id: 0xb02069d8\nstart=2048, size=81920, type=ef\n"
              "start=83968, size=40960, type=83, bootable\n")
    subprocess.run([need("sfdisk", "fdisk"), "-q", theirs], input=script, text=True, check=True)
    assert ours.read_bytes()[:512] == theirs.read_bytes()[:512]


@pytest.mark.parametrize(
    "lba,expected",
    [(0, "000100"), (2048, "202100"), (63, "010100"), (16065, "000101"), (1023 * 16065, "00c1ff"),
     (1024 * 16065, "feffff"), (20_000_000, "feffff")],
)  # fmt: skip
def test_chs_encoding(lba: int, expected: str) -> None:
    assert mbr.chs(lba).hex() == expected


def test_mbr_fdisk_lists_bootable(tmp_path: Path) -> None:
    image = write(tmp_path / "d.img", MbrTable(7), 4 * MiB, [Partition(MiB, 2 * MiB, 0x83, bootable=True)])
    out = subprocess.run([need("fdisk", "fdisk"), "-l", image], capture_output=True, text=True, check=True).stdout
    assert "Disklabel type: dos" in out and "0x00000007" in out
    assert any(line.split()[1] == "*" for line in out.splitlines() if line.startswith(str(image)))


def test_mbr_boot_code_kept_and_table_preserved(tmp_path: Path) -> None:
    code = bytes(range(256)) + bytes(range(184))
    table = MbrTable(disk_signature=0xCAFEBABE, boot_code=code)
    image = write(tmp_path / "d.img", table, 4 * MiB, [Partition(MiB, MiB, 0x83)])
    assert mbr.read_boot_code(image) == code
    mbr.write_boot_code(image, b"\xeb\x63" + b"\x90" * 438)
    data = image.read_bytes()
    assert data[:2] == b"\xeb\x63" and data[510:512] == b"\x55\xaa"
    assert sfdisk_json(image)["id"] == "0xcafebabe"
    with pytest.raises(PtableError, match="440"):
        mbr.write_boot_code(image, bytes(441))


# --- GPT -----------------------------------------------------------------------


def gpt_parts(size: int) -> list[Partition]:
    """efi-raw shape: ESP then bootable root up to the last usable sector."""
    root_end = size - 33 * 512  # last usable sector is N-34
    root_start = 5 * MiB
    return [
        Partition(MiB, 4 * MiB, gpt.ESP, "GNU-ESP", guid=partition_guid(SEED, 1)),
        Partition(root_start, (root_end - root_start) // 512 * 512, gpt.LINUX_DATA, "Guix_image", True,
                  partition_guid(SEED, 2)),
    ]  # fmt: skip


def test_gpt_read_by_sfdisk(tmp_path: Path) -> None:
    size = 16 * MiB
    disk_guid = guid_from_seed(SEED, "gpt-disk")
    image = write(tmp_path / "d.img", GptTable(disk_guid), size, gpt_parts(size))
    table = sfdisk_json(image)
    assert table["label"] == "gpt"
    assert table["id"] == str(disk_guid).upper()
    assert (table["firstlba"], table["lastlba"]) == (34, size // 512 - 34)
    esp, root = table["partitions"]
    assert (esp["start"], esp["size"], esp["type"], esp["name"]) == (2048, 8192, str(gpt.ESP).upper(), "GNU-ESP")
    assert esp["uuid"] == str(partition_guid(SEED, 1)).upper() and "attrs" not in esp
    assert (root["start"], root["start"] + root["size"] - 1) == (10240, size // 512 - 34)
    assert root["type"] == str(gpt.LINUX_DATA).upper() and root["name"] == "Guix_image"
    assert root["attrs"] == "LegacyBIOSBootable"


def test_gpt_verified_by_sgdisk(tmp_path: Path) -> None:
    size = 16 * MiB
    image = write(tmp_path / "d.img", make_table("gpt", SEED), size, gpt_parts(size))
    out = subprocess.run([need("sgdisk", "gdisk"), "-v", image], capture_output=True, text=True).stdout
    assert "No problems found" in out


GPT_TYPES = [
    pytest.param(gpt.TYPES["L"], "0FC63DAF-8483-4772-8E79-3D69D8477DE4", id="linux"),
    pytest.param(gpt.TYPES["U"], "C12A7328-F81F-11D2-BA4B-00A0C93EC93B", id="esp"),
    pytest.param(gpt.TYPES["bios-boot"], "21686148-6449-6E6F-744E-656564454649", id="bios-boot"),
    pytest.param(gpt.TYPES["S"], "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F", id="swap"),
    pytest.param(gpt.TYPES["F"], "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", id="ms-basic-data"),
    pytest.param(uuid.UUID("12345678-9abc-4def-8123-456789abcdef"), "12345678-9ABC-4DEF-8123-456789ABCDEF",
                 id="unformatted-arbitrary"),
]  # fmt: skip


@pytest.mark.parametrize("type_guid,expected", GPT_TYPES)
def test_gpt_type_guids(tmp_path: Path, type_guid: uuid.UUID, expected: str) -> None:
    part = Partition(MiB, MiB, type_guid, "p", guid=partition_guid(SEED, 1))
    image = write(tmp_path / "d.img", GptTable(uuid.UUID(int=1)), 4 * MiB, [part])
    assert sfdisk_json(image)["partitions"][0]["type"] == expected


def test_gpt_guid_mixed_endian_bytes() -> None:
    """The ESP GUID's on-disk bytes, as the UEFI spec lists them."""
    part = Partition(MiB, MiB, gpt.ESP, "", guid=uuid.UUID(int=0))
    assert gpt.entry(part)[:16].hex() == "28732ac11ff8d211ba4b00a0c93ec93b"


def test_gpt_structure_and_crcs(tmp_path: Path) -> None:
    """Primary/backup headers point at each other and their CRC32s verify."""
    size = 8 * MiB
    image = write(tmp_path / "d.img", GptTable(uuid.UUID(int=5)), size, gpt_parts(size))
    data = image.read_bytes()
    sectors = size // 512
    pmbr = mbr.ENTRY.unpack_from(data, 446)
    assert (pmbr[2], pmbr[4], pmbr[5]) == (0xEE, 1, sectors - 1) and data[510:512] == b"\x55\xaa"
    for lba, my, alt, array_lba in [(1, 1, sectors - 1, 2), (sectors - 1, sectors - 1, 1, sectors - 33)]:
        raw = data[lba * 512 : lba * 512 + 92]
        fields = gpt.HEADER.unpack(raw)
        assert fields[0] == b"EFI PART" and fields[5:9] == (my, alt, 34, sectors - 34)
        assert fields[3] == zlib.crc32(raw[:16] + b"\0\0\0\0" + raw[20:])
        assert fields[10] == array_lba
        assert fields[13] == zlib.crc32(data[array_lba * 512 : array_lba * 512 + 128 * 128])


def test_protective_mbr_capped_for_huge_disks() -> None:
    sectors = (3 << 40) // 512  # 3 TiB
    entry = mbr.ENTRY.unpack_from(gpt.protective_mbr(sectors), 446)
    assert entry[5] == 0xFFFFFFFF


def test_gpt_name_utf16_and_limit() -> None:
    name = "Guix_ïmage"
    raw = gpt.entry(Partition(MiB, MiB, gpt.LINUX_DATA, name, guid=uuid.UUID(int=1)))
    assert raw[56:128].decode("utf-16-le").rstrip("\0") == name
    with pytest.raises(PtableError, match="36"):
        gpt.encode_name("x" * 37)


ERRORS = [
    pytest.param("mbr", [Partition(0, MiB, 0x83)], "outside the usable area", id="mbr-over-sector0"),
    pytest.param("mbr", [Partition(MiB, MiB, 0x83)] * 5, "at most 4", id="mbr-five"),
    pytest.param("mbr", [Partition(MiB, 2 * MiB, 0x83), Partition(2 * MiB, MiB, 0x83)], "overlaps", id="mbr-overlap"),
    pytest.param("mbr", [Partition(MiB + 1, MiB, 0x83)], "multiples of 512", id="mbr-unaligned"),
    pytest.param("mbr", [Partition(MiB, MiB, gpt.ESP)], "GUID type", id="mbr-guid-type"),
    pytest.param("gpt", [Partition(512 * 33, MiB, gpt.ESP, guid=uuid.UUID(int=1))], "usable area", id="gpt-in-array"),
    pytest.param("gpt", [Partition(3 * MiB, MiB, gpt.ESP, guid=uuid.UUID(int=1))], "usable area", id="gpt-in-backup"),
    pytest.param("gpt", [Partition(MiB, MiB, 0x83, guid=uuid.UUID(int=1))], "type GUID", id="gpt-byte-type"),
    pytest.param("gpt", [Partition(MiB, MiB, gpt.ESP)], "unique partition GUID", id="gpt-no-guid"),
]  # fmt: skip


@pytest.mark.parametrize("kind,parts,message", ERRORS)
def test_table_errors(kind: str, parts: list[Partition], message: str) -> None:
    with pytest.raises(PtableError, match=message):
        make_table(kind, SEED).regions(4 * MiB, parts)


def test_registry_and_determinism() -> None:
    assert set(TABLES) == {"mbr", "gpt"}
    assert make_table("gpt", SEED) == make_table("gpt", SEED) != make_table("gpt", b"other")
    assert make_table("mbr", SEED).regions(4 * MiB, []) == make_table("mbr", SEED).regions(4 * MiB, [])
    g = guid_from_seed(SEED, "x")
    assert g.version == 4 and g.variant == uuid.RFC_4122 and g != guid_from_seed(SEED, "y")
    assert 0 < u32_from_seed(SEED, "sig") <= 0xFFFFFFFF
    with pytest.raises(PtableError, match="unknown partition table"):
        make_table("apm", SEED)
