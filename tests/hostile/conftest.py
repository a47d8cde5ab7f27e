"""Shared helpers of the hostile-input suite: run pyguix as a user would, and
canary files that prove the host was not touched.

Every case is a row of a data table in its test file: the input (a config,
options, an environment) and the exact outcome (a located error, or an image
built with every canary unchanged).
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_pyguix(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
               timeout: float = 300, input: str | None = None) -> subprocess.CompletedProcess:
    """`pyguix ARGS...` in a subprocess (stdout/stderr as text)."""
    full_env = dict(os.environ, PYTHONPATH=str(REPO))
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "builders.cli", *args], capture_output=True, text=True,
                          cwd=cwd or REPO, env=full_env, timeout=timeout, input=input)


def assert_clean_error(out: subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit 1, one 'error:' message containing FRAGMENTS, no Python traceback."""
    assert out.returncode == 1, (out.returncode, out.stdout[-2000:], out.stderr[-3000:])
    assert "Traceback" not in out.stderr, out.stderr[-3000:]
    assert "error:" in out.stderr, out.stderr[-3000:]
    for fragment in fragments:
        assert fragment in out.stderr, (fragment, out.stderr[-3000:])


def assert_located(out: subprocess.CompletedProcess, file: Path | str, line: int, *fragments: str) -> None:
    """A clean error located at FILE:LINE (any column)."""
    assert_clean_error(out, *fragments)
    assert f"{file}:{line}:" in out.stderr, out.stderr[-3000:]


@dataclass
class Canaries:
    """Root-owned files and directories planted around the work area; `check()`
    asserts each is byte-for-byte, mode and owner unchanged, and that nothing
    was added to the canary directories."""

    root: Path
    snapshot: dict[str, tuple]

    @property
    def file(self) -> Path:
        return self.root / "secret"

    @property
    def directory(self) -> Path:
        return self.root / "dir"

    def take(self) -> dict[str, tuple]:
        state: dict[str, tuple] = {}
        for dirpath, dirnames, filenames in os.walk(self.root):
            for name in sorted(dirnames + filenames):
                p = os.path.join(dirpath, name)
                st = os.lstat(p)
                digest = ""
                if stat.S_ISREG(st.st_mode):
                    with open(p, "rb") as f:
                        digest = hashlib.sha256(f.read()).hexdigest()
                state[os.path.relpath(p, self.root)] = (st.st_mode, st.st_uid, st.st_gid, digest,
                                                        os.readlink(p) if stat.S_ISLNK(st.st_mode) else "")
        return state

    def check(self) -> None:
        now = self.take()
        assert now == self.snapshot, {k: (self.snapshot.get(k), now.get(k))
                                      for k in set(now) | set(self.snapshot) if now.get(k) != self.snapshot.get(k)}


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
