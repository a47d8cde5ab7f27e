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
import tempfile
from collections.abc import Callable
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


def cached_directory(name: str, make: Callable[[Path], None]) -> Path:
    """CACHE/NAME: a directory MAKE(PATH) creates at PATH (which does not exist yet), made
    once and renamed into place whole, so a reader never sees it half made (an identical
    one a concurrent build placed first is kept).  In the cache's top directory, which a
    build as root and its sandbox (builders/sandbox.py) may both write."""
    from builders.substitutes.provider import cache_root

    cache = cache_root()
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / name
    if not target.is_dir():
        with tempfile.TemporaryDirectory(dir=cache, prefix=f".{name}.") as work:
            made = Path(work) / "made"      # alone in its directory (localedef links equal files of siblings)
            make(made)
            try:
                made.rename(target)
            except OSError:
                if not target.is_dir():     # not another build's, just placed
                    raise
    return target


@functools.cache
def code_digest(*files: str) -> str:
    """A digest of the source FILES (paths): part of a key, so that changed code computes anew."""
    h = hashlib.sha256()
    for f in files:
        h.update(Path(f).read_bytes())
    return h.hexdigest()


__all__ = ["cached_directory", "code_digest", "key", "read", "write"]
