"""Fixtures and markers shared by every test module (helpers live in tests/helpers.py).

Markers: `slow` — builds real images or boots them in QEMU (seconds to
minutes each).  The README's test command runs everything; `-m "not slow"`
gives the quick suite.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import Canaries


@pytest.fixture
def canaries(tmp_path: Path) -> Canaries:
    """A canary area: `secret` (0600), `dir/` (0755) with a file, `shadow` (0640),
    and `zoneinfo-like` files; configs under test aim at these paths."""
    root = tmp_path / "host"
    (root / "dir").mkdir(parents=True)
    (root / "secret").write_text("canary secret\n")
    os.chmod(root / "secret", 0o600)
    (root / "shadow").write_text("root:$6$canary:1::::::\n")
    os.chmod(root / "shadow", 0o640)
    (root / "dir" / "inside").write_text("canary inside\n")
    os.chmod(root / "dir" / "inside", 0o644)
    os.chmod(root / "dir", 0o755)
    os.chmod(root, 0o755)
    c = Canaries(root, {})
    c.snapshot = c.take()
    return c


@pytest.fixture(scope="module")
def busybox_system():
    """Builds of this test make the small busybox stand-in (PYGUIX_INIT, the default of --init):
    for tests of layouts, outputs and options, where the running system is beside the point
    and a 64 MiB image is enough.  The declared system has tests of its own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYGUIX_INIT", "busybox")
        yield
