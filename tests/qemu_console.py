"""Drive a QEMU serial console from tests: wait for text, type lines, always clean up.

Every run is bounded: `expect` has a timeout, and `close` (also on errors,
through the context manager) kills QEMU by its PID.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path


class Console:
    def __init__(self, argv: list[str], log: Path | None = None, env: dict[str, str] | None = None):
        self.argv = argv
        self.log = log
        self.buffer = ""
        self.start = time.monotonic()
        self._lock = threading.Lock()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=env)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._pos = 0

    def _read(self) -> None:
        assert self.proc.stdout is not None
        while True:
            chunk = self.proc.stdout.read1(4096)  # type: ignore[attr-defined]
            if not chunk:
                return
            with self._lock:
                self.buffer += chunk.decode("utf-8", "replace")

    def expect(self, pattern: str, timeout: float) -> tuple[re.Match, float]:
        """Wait for PATTERN in output not yet consumed; return the match and the seconds since start."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                m = regex.search(self.buffer, self._pos)
            if m:
                self._pos = m.end()
                return m, time.monotonic() - self.start
            if self.proc.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"timed out after {timeout}s waiting for {pattern!r}; console output:\n{self.tail()}")

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def run(self, command: str, timeout: float = 30) -> str:
        """Type COMMAND at a shell prompt and return its output.

        The output is framed by two markers that the shell prints; each is
        typed split in two ('__be''gin') so the echo of the typed line never
        matches, however the line editor redraws it."""
        tag = f"{int(time.monotonic() * 1000)}"
        begin, end = f"__begin{tag}__", f"__end{tag}__"
        self.send(f"echo '{begin[:4]}''{begin[4:]}'; {command}; echo '{end[:4]}''{end[4:]}'\n")
        self.expect(re.escape(begin) + r"\r?\n", timeout)
        start = self._pos
        m, _ = self.expect(re.escape(end), timeout)
        with self._lock:
            output = self.buffer[start:m.start()]
        return output.replace("\r", "")

    def tail(self, n: int = 3000) -> str:
        with self._lock:
            return self.buffer[-n:]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()  # by PID: only the QEMU this test started
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        if self.log is not None:
            self.log.write_text(self.buffer)

    def __enter__(self) -> Console:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def need(program: str, package: str) -> None:
    import pytest

    if shutil.which(program) is None:
        pytest.skip(f"{program} not installed (apt-get install {package})")
