"""Small JSON results remembered between builds, in the substitute cache.

What a build computes from the package lists alone (a dependency closure:
reading the lists, then resolving, ~1.5 s for a whole system) is the same
for the next build while the lists stay the same.  Such results are kept as
`CACHE/memo/KIND/KEY.json`, KEY a digest of everything that decides them
(index_signature() of closure.py for the lists, the request, and the code's
own digest).  Best effort both ways: an unreadable or malformed entry is
computed again; one that cannot be written (a directory of another user's)
only costs time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def key(*parts: Any) -> str:
    """A digest of PARTS (anything JSON can write)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=list).encode()).hexdigest()[:32]


def _path(kind: str, digest: str) -> Path:
    from builders.substitutes.provider import cache_root

    return cache_root() / "memo" / kind / f"{digest}.json"


def read(kind: str, digest: str) -> Any | None:
    try:
        return json.loads(_path(kind, digest).read_text())
    except (OSError, ValueError):
        return None


def write(kind: str, digest: str, data: Any) -> None:
    path = _path(kind, digest)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(data, sort_keys=True))
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("memo %s/%s not written (%s)", kind, digest, exc)


@functools.cache
def code_digest(*files: str) -> str:
    """A digest of the source FILES (paths): part of a key, so that changed code computes anew."""
    h = hashlib.sha256()
    for f in files:
        h.update(Path(f).read_bytes())
    return h.hexdigest()


__all__ = ["code_digest", "key", "read", "write"]
