"""Helpers every test module shares: run pyguix as a user would, find the
independent tools that check images, assert clean located errors, and canary
files that prove the host was not touched (tests/conftest.py makes the
`canaries` fixture of them)."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SBIN = "/usr/local/sbin:/usr/sbin:/sbin"


def pyguix(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
           timeout: float = 600, input: str | None = None) -> subprocess.CompletedProcess:
    """`pyguix ARGS...` in a subprocess, from this checkout (stdout/stderr as text)."""
    full_env = dict(os.environ, PYTHONPATH=str(REPO))
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "builders.cli", *args], capture_output=True, text=True,
                          cwd=cwd or REPO, env=full_env, timeout=timeout, input=input)


run_pyguix = pyguix


def tool(name: str) -> str:
    """The path of the host tool NAME (sbin directories searched too); skip the test without it."""
    found = shutil.which(name, path=os.environ.get("PATH", "") + os.pathsep + SBIN)
    if found is None:
        pytest.skip(f"{name} not installed")
    return found


def check(*argv, **kw) -> subprocess.CompletedProcess:
    """Run an independent checking tool (sfdisk, e2fsck, qemu-img...) in the C locale."""
    return subprocess.run([tool(str(argv[0])), *map(str, argv[1:])], capture_output=True, text=True,
                          env=dict(os.environ, LC_ALL="C"), **kw)


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
