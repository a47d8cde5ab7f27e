"""MBR (DOS) partition table writer.

Sector 0 layout (512 bytes, little-endian):

=======  ====  ==========================================================
offset   size  field
=======  ====  ==========================================================
0        440   boot code (zero unless a bootloader supplies it)
440      4     disk signature (the "label-id" sfdisk prints)
444      2     reserved, zero
446      4x16  primary partition entries
510      2     boot signature 0x55 0xAA
=======  ====  ==========================================================

Each 16-byte entry: status (0x80 = bootable), CHS of the first sector,
type byte, CHS of the last sector, first LBA (u32), sector count (u32).
CHS values use the geometry modern tools assume (255 heads, 63 sectors per
track); addresses beyond cylinder 1023 are written as 0xFE 0xFF 0xFF.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from builders.disk.assemble import Chunk, write_at
from builders.disk.ptable.base import SECTOR, Partition, PtableError, check_partitions

BOOT_CODE_SIZE = 440
ENTRY = struct.Struct("<B3sB3sII")
assert ENTRY.size == 16
HEADER = struct.Struct("<440sIH")  # boot code, disk signature, reserved
assert HEADER.size == 446
ENTRIES_OFFSET = 446
SIGNATURE = b"\x55\xaa"
MAX_LBA = 0xFFFFFFFF

HEADS = 255
SECTORS_PER_TRACK = 63
CHS_OVERFLOW = b"\xfe\xff\xff"

#: Guix partition kinds -> MBR type bytes (the type codes Guix's image builder gives them).
TYPES: dict[str, int] = {
    "esp": 0xEF,
    "linux": 0x83,
    "swap": 0x82,
    "fat16": 0x0E,
    "fat32": 0x0C,
    "gpt-protective": 0xEE,
}


def chs(lba: int) -> bytes:
    """Encode LBA as 3 CHS bytes: head, sector | cylinder bits 8-9 << 6, cylinder low."""
    cylinder, rest = divmod(lba, HEADS * SECTORS_PER_TRACK)
    if cylinder > 1023:
        return CHS_OVERFLOW
    head, sector0 = divmod(rest, SECTORS_PER_TRACK)
    return bytes((head, (sector0 + 1) | ((cylinder >> 2) & 0xC0), cylinder & 0xFF))


def entry(first_lba: int, sectors: int, type_byte: int, bootable: bool) -> bytes:
    """One 16-byte partition entry; CHS fields derived from the LBAs."""
    if not 0 < type_byte <= 0xFF:
        raise PtableError(f"MBR partition type {type_byte:#x} is not a byte")
    if first_lba > MAX_LBA or sectors > MAX_LBA:
        raise PtableError(f"partition at LBA {first_lba} ({sectors} sectors) exceeds MBR's 32-bit limit")
    last = first_lba + sectors - 1
    status = 0x80 if bootable else 0x00
    return ENTRY.pack(status, chs(first_lba), type_byte, chs(last), first_lba, sectors)


def sector0(boot_code: bytes, disk_signature: int, entries: Sequence[bytes]) -> bytes:
    """Assemble the 512-byte MBR from boot code, signature and up to 4 entries."""
    if len(boot_code) > BOOT_CODE_SIZE:
        raise PtableError(f"MBR boot code is {len(boot_code)} bytes, at most {BOOT_CODE_SIZE} fit")
    table = b"".join(entries).ljust(4 * ENTRY.size, b"\0")
    out = HEADER.pack(boot_code, disk_signature, 0) + table + SIGNATURE
    assert len(out) == SECTOR
    return out


@dataclass(frozen=True)
class MbrTable:
    """An MBR writer.  DISK_SIGNATURE is a caller-chosen 32-bit value (seeded).

    BOOT_CODE (at most 440 bytes) is placed at the start of sector 0, so a
    bootloader's boot.img can be kept when the table is (re)written.
    """

    disk_signature: int = 0
    boot_code: bytes = b""
    kind: str = "mbr"
    max_partitions: int = 4

    def head_bytes(self) -> int:
        """Only sector 0 is reserved."""
        return SECTOR

    def tail_bytes(self) -> int:
        """MBR keeps nothing at the end of the disk."""
        return 0

    def render(self, disk_size: int, partitions: Sequence[Partition]) -> bytes:
        """The 512-byte sector 0 for PARTITIONS (in table order)."""
        check_partitions(partitions, disk_size, SECTOR, disk_size, self.max_partitions)
        if not 0 <= self.disk_signature <= 0xFFFFFFFF:
            raise PtableError(f"MBR disk signature {self.disk_signature:#x} is not 32-bit")
        entries = [
            entry(p.offset // SECTOR, p.size // SECTOR, _type_byte(p), p.bootable) for p in partitions
        ]
        return sector0(self.boot_code, self.disk_signature, entries)

    def regions(self, disk_size: int, partitions: Sequence[Partition]) -> list[Chunk]:
        """One region: sector 0."""
        return [Chunk(0, SECTOR, self.render(disk_size, partitions), "MBR")]


def _type_byte(p: Partition) -> int:
    """The partition's type as an MBR byte (GUID types are a GPT-only notion)."""
    if isinstance(p.type, int):
        return p.type
    raise PtableError(f"partition {p.name or 'unnamed'}: GUID type {p.type} cannot go in an MBR")


def read_boot_code(image: Path) -> bytes:
    """The first 440 bytes of IMAGE (to keep a bootloader's code across rewrites)."""
    with open(image, "rb") as f:
        return f.read(BOOT_CODE_SIZE).ljust(BOOT_CODE_SIZE, b"\0")


def write_boot_code(image: Path, code: bytes) -> None:
    """Write at most 440 bytes of boot code at offset 0, leaving the table intact."""
    if len(code) > BOOT_CODE_SIZE:
        raise PtableError(f"MBR boot code is {len(code)} bytes, at most {BOOT_CODE_SIZE} fit")
    write_at(image, 0, code, name="MBR boot code")
