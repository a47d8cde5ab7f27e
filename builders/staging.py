"""Where a build stages its file trees: in memory when the machine has room.

A declared system is thousands of files (9,100 and 160 MB for the server
sample).  Creating each on a disk's ext4 costs journal writes: merging the
packages takes 2.7 s there and 1.2 s in a tmpfs, and mke2fs reads the tree
back faster too.  So when /dev/shm is a tmpfs with room to spare, a build's
trees go into a directory of its own there, `/dev/shm/.pyguix-stage.work-*`;
else into the build's work directory beside the output, as everything else.
The image files themselves (partition images, the disk, the output) stay in
the work directory.

Room to spare: MIN_FREE, and twice the image's size where the plan gives it.
PYGUIX_STAGING=disk keeps the trees in the work directory.  A staging
directory is locked and removed like the work directory; one a killed
build left behind is removed by the next build (pipeline.collect_orphans).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from builders.plan import ImagePlan

SHM = Path("/dev/shm")
PREFIX = ".pyguix-stage.work-"     # the pattern collect_orphans looks for
MIN_FREE = 4 << 30
ENV = "PYGUIX_STAGING"             # "auto" (default) or "disk"


def staging_dir(plan: ImagePlan) -> Path | None:
    """A new directory in memory for PLAN's trees, or None: stage them in the work directory."""
    if os.environ.get(ENV, "auto") == "disk" or not _is_tmpfs(SHM):
        return None
    try:
        st = os.statvfs(SHM)
        size = (plan.root_size or 0) + sum(p.size or 0 for p in plan.partitions)
        if st.f_bavail * st.f_frsize < max(MIN_FREE, 2 * size):
            return None
        return Path(tempfile.mkdtemp(prefix=PREFIX, dir=SHM))
    except OSError:
        return None


def _is_tmpfs(path: Path) -> bool:
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as mounts:
            return any(len(f) > 2 and f[1] == os.fspath(path) and f[2] == "tmpfs"
                       for f in (line.split() for line in mounts))
    except OSError:
        return False


__all__ = ["ENV", "SHM", "staging_dir"]
