"""Same input, same bytes, whatever the builder's environment: the umask of the
caller and the file system under -o (tmpfs reports directory sizes unlike
ext4) change no byte of the image."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.slow

# (sample, image type or None): every bundled sample, and the tree formats.  The declared
# system (Debian's packages, the Shepherd) is in the server's disk image and tarball; the
# others, built three times each, take the busybox stand-in (their layouts are the point).
SAMPLES = [
    ("server.scm", "qcow2"),
    ("server.scm", "iso9660"),
    ("server.scm", "tarball"),
    ("uefi-os.scm", "efi-raw"),
    ("my-pine-os.scm", "pine64-raw"),
    ("my-hurd-os.scm", "hurd-qcow2"),
    ("my-image-type.scm", None),
    ("my-image.scm", None),
]
DECLARED_SYSTEM = {("server.scm", "qcow2"), ("server.scm", "tarball")}

TMPFS = Path("/dev/shm")


def build(sample: str, image_type: str | None, out: Path, umask: int) -> str:
    args = [sys.executable, "-m", "builders.cli", "system", "image", "--quiet", "-o", str(out)]
    args += ["-t", image_type] if image_type else []
    init = "shepherd" if (sample, image_type) in DECLARED_SYSTEM else "busybox"
    proc = subprocess.run([*args, f"samples/{sample}"], cwd=REPO, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, PYTHONPATH=str(REPO), PYGUIX_INIT=init),
                          preexec_fn=lambda: os.umask(umask))
    assert proc.returncode == 0, proc.stderr[-3000:]
    digest = hashlib.sha256()
    with open(out, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    out.unlink()
    return digest.hexdigest()


@pytest.mark.parametrize("sample,image_type", SAMPLES, ids=[f"{s}-{t}" for s, t in SAMPLES])
def test_umask_and_file_system_change_nothing(tmp_path, sample, image_type):
    name = "image.out"
    reference = build(sample, image_type, tmp_path / name, 0o022)
    assert build(sample, image_type, tmp_path / name, 0o077) == reference, "umask 077 changed the image"
    if TMPFS.is_dir() and os.access(TMPFS, os.W_OK):
        with tempfile.TemporaryDirectory(dir=TMPFS) as shm:
            assert build(sample, image_type, Path(shm) / name, 0o022) == reference, "tmpfs changed the image"
