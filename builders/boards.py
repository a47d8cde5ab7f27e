"""U-Boot boards: the kernel's device trees in the root file system, and the
board's U-Boot blobs written at the byte offsets its boot ROM reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .plan import ImagePlan


@dataclass
class BoardParts:
    fdtdir: str | None = None
    raw_writes: list = field(default_factory=list)   # (offset, bytes or Path, name)
    warnings: list[str] = field(default_factory=list)


def install_board(plan: ImagePlan, provider, system: str, tree: Path) -> BoardParts:
    return BoardParts(warnings=["U-Boot blobs and device trees are not installed yet"])
