"""The digest of a file a configuration names (local-file), for the plan's hash."""

from __future__ import annotations

import hashlib
import os
from typing import Any


def source_digest(path: Any) -> str:
    """SHA-256 of a file, or of a directory tree (names, kinds, modes' x bit, contents; sorted)."""
    digest = hashlib.sha256()

    def add(p: str, rel: str) -> None:
        if os.path.islink(p):
            digest.update(f"l {rel} {os.readlink(p)}\0".encode("utf-8", "surrogateescape"))
        elif os.path.isdir(p):
            digest.update(f"d {rel}\0".encode("utf-8", "surrogateescape"))
            for name in sorted(os.listdir(p)):
                add(os.path.join(p, name), f"{rel}/{name}")
        else:
            x = "x" if os.access(p, os.X_OK) else "-"
            digest.update(f"f {rel} {x} {os.path.getsize(p)}\0".encode("utf-8", "surrogateescape"))
            with open(p, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)

    add(os.fspath(path), ".")
    return digest.hexdigest()


__all__ = ["source_digest"]
