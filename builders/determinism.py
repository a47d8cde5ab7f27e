"""Seeded identifiers, so two builds from the same plan give the same bytes.

Everything here is a pure function of ``(seed, purpose)``: the seed comes from
the build plan, the purpose names the thing being identified (for example
``"gpt-disk"`` or ``"gpt-part:2"``), so different things never share a value.
"""

from __future__ import annotations

import hashlib
import uuid


def _digest(seed: bytes, purpose: str) -> bytes:
    """sha256 over the seed, a NUL separator and the UTF-8 purpose."""
    return hashlib.sha256(seed + b"\0" + purpose.encode("utf-8")).digest()


def guid_from_seed(seed: bytes, purpose: str) -> uuid.UUID:
    """An RFC 4122 version-4-shaped UUID derived from sha256(seed, purpose).

    The first 16 digest bytes are used; the version nibble is forced to 4 and
    the variant bits to ``10``, so tools that validate UUIDs accept it.
    """
    raw = bytearray(_digest(seed, purpose)[:16])
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    return uuid.UUID(bytes=bytes(raw))


def u32_from_seed(seed: bytes, purpose: str) -> int:
    """A non-zero 32-bit value (MBR disk signature, FAT volume serial).

    Zero is avoided because an MBR disk signature of 0 means "not set".
    """
    value = int.from_bytes(_digest(seed, purpose)[:4], "little")
    return value or 1
