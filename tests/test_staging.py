"""Where builds stage their file trees (builders/staging.py): in /dev/shm when it is a tmpfs
with room, never left behind, and the same bytes as when staged beside the output."""

from __future__ import annotations

import dataclasses
import fcntl
import filecmp
import os
import time

import pytest

from builders import staging
from builders.pipeline import LOCK_NAME, collect_orphans
from tests.helpers import REPO, pyguix

pytestmark = pytest.mark.skipif(not staging._is_tmpfs(staging.SHM), reason="/dev/shm is not a tmpfs here")


def _abandoned() -> set[str]:
    """Staging directories no build holds (a build in another test process holds its own)."""
    out = set()
    for p in staging.SHM.glob(staging.PREFIX + "*"):
        try:
            fd = os.open(p / LOCK_NAME, os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError:
            out.add(p.name)
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            out.add(p.name)
        except BlockingIOError:
            pass
        finally:
            os.close(fd)
    return out


def test_trees_are_staged_in_memory_unless_told_otherwise(monkeypatch):
    from builders.plan import ImagePlan

    plan = ImagePlan(name="x", format="disk-image", partition_table="mbr", partitions=(), platform_system=None,
                     platform_target=None, root_size=None, compression=False, volatile_root=False,
                     shared_store=False, os=None, system="x86_64-linux")
    stage = staging.staging_dir(plan)
    try:
        assert stage is not None and stage.parent == staging.SHM and stage.name.startswith(staging.PREFIX)
    finally:
        stage.rmdir()
    monkeypatch.setenv(staging.ENV, "disk")
    assert staging.staging_dir(plan) is None
    monkeypatch.delenv(staging.ENV)
    huge = dataclasses.replace(plan, root_size=1 << 50)     # more than the machine has
    assert staging.staging_dir(huge) is None


def test_a_killed_builds_staging_directory_is_collected():
    orphan = staging.SHM / f"{staging.PREFIX}orphan-test"
    (orphan / "tree-1" / "etc").mkdir(parents=True)
    (orphan / "tree-1" / "etc" / "passwd").write_text("root:x:0:0::/root:/bin/sh\n")
    old = time.time() - 3600                 # killed long ago, before it took its lock
    os.utime(orphan, (old, old))
    collect_orphans(staging.SHM, staging.PREFIX + "*")     # (or another test process's build did)
    assert not orphan.exists()


@pytest.mark.slow
def test_a_build_in_dev_shm_keeps_its_own_work_directory(tmp_path):
    """-o in /dev/shm: the staging directories' collector leaves the build's work directory alone."""
    out = staging.SHM / f"pyguix-test-{os.getpid()}.img"
    try:
        r = pyguix("system", "image", "--quiet", "-t", "mbr-raw", "--init", "busybox", "-o", str(out),
                   str(REPO / "samples" / "server.scm"))
        assert r.returncode == 0 and out.is_file(), r.stderr
    finally:
        out.unlink(missing_ok=True)


@pytest.mark.slow
def test_staged_in_memory_or_on_disk_the_image_is_the_same(tmp_path, busybox_system):
    outs = {}
    for where in ("auto", "disk"):
        out = tmp_path / f"{where}.qcow2"
        r = pyguix("system", "image", "--quiet", "-t", "qcow2", "-o", str(out), str(REPO / "samples" / "server.scm"),
                   env={staging.ENV: where})
        assert r.returncode == 0, r.stderr
        outs[where] = out
    assert filecmp.cmp(outs["auto"], outs["disk"], shallow=False)
    assert not _abandoned()                  # nothing left in memory
