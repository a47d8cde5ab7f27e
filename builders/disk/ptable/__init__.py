"""Partition-table writers, looked up by table type.

``TABLES["mbr"]`` / ``TABLES["gpt"]`` are the writer classes; build one with
its identifiers (``MbrTable(disk_signature=…)``, ``GptTable(disk_guid=…)``)
and call ``.regions(disk_size, partitions)`` to get the blobs to splice into
the disk with ``builders.disk.assemble.assemble_disk``.
"""

from __future__ import annotations

import uuid

from builders.determinism import guid_from_seed, u32_from_seed
from builders.disk.ptable.base import Partition, PartitionTable, PtableError
from builders.disk.ptable.gpt import GptTable
from builders.disk.ptable.mbr import MbrTable

__all__ = ["TABLES", "GptTable", "MbrTable", "Partition", "PartitionTable", "PtableError", "make_table"]

TABLES: dict[str, type[MbrTable] | type[GptTable]] = {"mbr": MbrTable, "gpt": GptTable}


def make_table(kind: str, seed: bytes) -> PartitionTable:
    """A writer for KIND ("mbr" or "gpt") with identifiers derived from SEED."""
    if kind == "mbr":
        return MbrTable(disk_signature=u32_from_seed(seed, "mbr-disk-signature"))
    if kind == "gpt":
        return GptTable(disk_guid=guid_from_seed(seed, "gpt-disk"))
    raise PtableError(f"unknown partition table type {kind!r} (expected one of: {', '.join(TABLES)})")


def partition_guid(seed: bytes, index: int) -> uuid.UUID:
    """The unique GPT partition GUID of the INDEX-th (1-based) partition for SEED."""
    return guid_from_seed(seed, f"gpt-partition:{index}")
