"""GUID Partition Table writer (UEFI spec, chapter 5).

Layout for a disk of N sectors of 512 bytes:

* LBA 0: protective MBR, one entry of type 0xEE from LBA 1 covering the
  disk (capped at 0xFFFFFFFF sectors);
* LBA 1: primary header; LBA 2..33: 128 entries of 128 bytes;
* LBA N-33..N-2: backup entries; LBA N-1: backup header.

First usable LBA is 34, last usable is N-34.  Header and entry-array
checksums are CRC32 (zlib.crc32).  GUIDs are stored mixed-endian: the first
three fields little-endian, the last two as bytes (``UUID.bytes_le``).
Partition names are UTF-16LE, at most 36 code units.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from builders.determinism import guid_from_seed
from builders.disk.assemble import Chunk
from builders.disk.ptable import mbr
from builders.disk.ptable.base import SECTOR, Partition, PtableError, check_partitions

__all__ = ["GptTable", "TYPES", "guid_from_seed"]

HEADER = struct.Struct("<8sIIIIQQQQ16sQIII")
assert HEADER.size == 92
ENTRY = struct.Struct("<16s16sQQQ72s")
assert ENTRY.size == 128
SIGNATURE = b"EFI PART"
REVISION = 0x00010000
NUM_ENTRIES = 128
ARRAY_SECTORS = NUM_ENTRIES * ENTRY.size // SECTOR  # 32
FIRST_USABLE_LBA = 2 + ARRAY_SECTORS  # 34
NAME_UNITS = 36
ATTR_LEGACY_BIOS_BOOTABLE = 1 << 2

LINUX_DATA = uuid.UUID("0FC63DAF-8483-4772-8E79-3D69D8477DE4")
ESP = uuid.UUID("C12A7328-F81F-11D2-BA4B-00A0C93EC93B")
BIOS_BOOT = uuid.UUID("21686148-6449-6E6F-744E-656564454649")
LINUX_SWAP = uuid.UUID("0657FD6D-A4AB-43C4-84E5-0933C84B4F4F")
MS_BASIC_DATA = uuid.UUID("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7")

#: genimage's shortcuts (as Guix uses them) and readable names -> type GUIDs.
TYPES: dict[str, uuid.UUID] = {
    "L": LINUX_DATA,
    "U": ESP,
    "F": MS_BASIC_DATA,
    "S": LINUX_SWAP,
    "linux": LINUX_DATA,
    "esp": ESP,
    "bios-boot": BIOS_BOOT,
    "swap": LINUX_SWAP,
    "fat": MS_BASIC_DATA,
}


def encode_name(name: str) -> bytes:
    """UTF-16LE partition name, zero-padded to 72 bytes (36 code units)."""
    raw = name.encode("utf-16-le")
    if len(raw) > 2 * NAME_UNITS:
        raise PtableError(f"GPT partition name {name!r} is longer than {NAME_UNITS} UTF-16 units")
    return raw.ljust(2 * NAME_UNITS, b"\0")


def entry(p: Partition) -> bytes:
    """One 128-byte entry: type GUID, unique GUID, first/last LBA (inclusive), attributes, name."""
    if not isinstance(p.type, uuid.UUID):
        raise PtableError(f"partition {p.name or 'unnamed'}: GPT needs a type GUID, got {p.type!r}")
    if p.guid is None:
        raise PtableError(f"partition {p.name or 'unnamed'}: no unique partition GUID given")
    attributes = ATTR_LEGACY_BIOS_BOOTABLE if p.bootable else 0
    first = p.offset // SECTOR
    last = first + p.size // SECTOR - 1
    return ENTRY.pack(p.type.bytes_le, p.guid.bytes_le, first, last, attributes, encode_name(p.name))


def entry_array(partitions: Sequence[Partition]) -> bytes:
    """The full 16 KiB entry array; unused entries are zero."""
    data = b"".join(entry(p) for p in partitions)
    return data.ljust(NUM_ENTRIES * ENTRY.size, b"\0")


def header(disk_guid: uuid.UUID, sectors: int, backup: bool, array_crc: int) -> bytes:
    """A 512-byte header sector (primary at LBA 1, or backup at LBA N-1) with its CRC32."""
    my_lba, alt_lba = (sectors - 1, 1) if backup else (1, sectors - 1)
    array_lba = sectors - 1 - ARRAY_SECTORS if backup else 2
    last_usable = sectors - 2 - ARRAY_SECTORS  # N-34
    fields = [SIGNATURE, REVISION, HEADER.size, 0, 0, my_lba, alt_lba, FIRST_USABLE_LBA,
              last_usable, disk_guid.bytes_le, array_lba, NUM_ENTRIES, ENTRY.size, array_crc]  # fmt: skip
    fields[3] = zlib.crc32(HEADER.pack(*fields))
    return HEADER.pack(*fields).ljust(SECTOR, b"\0")


def protective_mbr(sectors: int) -> bytes:
    """Sector 0: one 0xEE entry from LBA 1 over the rest of the disk (libfdisk's CHS choice)."""
    count = min(sectors - 1, mbr.MAX_LBA)
    pmbr = mbr.ENTRY.pack(0, b"\x00\x02\x00", 0xEE, b"\xff\xff\xff", 1, count)
    return mbr.sector0(b"", 0, [pmbr])


@dataclass(frozen=True)
class GptTable:
    """A GPT writer.  DISK_GUID is caller-given (see ``guid_from_seed``)."""

    disk_guid: uuid.UUID
    kind: str = "gpt"
    max_partitions: int = NUM_ENTRIES

    def head_bytes(self) -> int:
        """Protective MBR, header and entry array: LBA 0..33."""
        return FIRST_USABLE_LBA * SECTOR

    def tail_bytes(self) -> int:
        """Backup entry array and header: the last 33 sectors."""
        return (ARRAY_SECTORS + 1) * SECTOR

    def regions(self, disk_size: int, partitions: Sequence[Partition]) -> list[Chunk]:
        """Protective MBR + primary header + entries at the start; backup copies at the end."""
        end = disk_size - self.tail_bytes()
        if end <= self.head_bytes():
            raise PtableError(f"disk of {disk_size} bytes is too small for a GPT")
        check_partitions(partitions, disk_size, self.head_bytes(), end, self.max_partitions)
        sectors = disk_size // SECTOR
        array = entry_array(partitions)
        crc = zlib.crc32(array)
        head = protective_mbr(sectors) + header(self.disk_guid, sectors, False, crc) + array
        tail = array + header(self.disk_guid, sectors, True, crc)
        return [
            Chunk(0, len(head), head, "GPT primary"),
            Chunk(disk_size - len(tail), len(tail), tail, "GPT backup"),
        ]
