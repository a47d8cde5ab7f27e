"""Whole-process time of `pyguix system image --dry-run -t pine64-raw samples/my-pine-os.scm`.

Prints best-of-N wall time (the budget is 0.5 s) of the installed `pyguix`
(what users run: its modules are byte-compiled at install) and of the checkout
run as `python -m builders.cli` (slower where PYTHONDONTWRITEBYTECODE is set, as
every module is compiled again), and, when guile is installed, the time Guile
alone takes to start and read the same file, as a floor.
"""

import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CMD = [sys.executable, "-m", "builders.cli", "system", "image", "--dry-run", "-t", "pine64-raw",
       "samples/my-pine-os.scm"]


def best_of(cmd, n=5):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=REPO, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    installed = Path(sys.executable).with_name("pyguix")
    ours = best_of(CMD)
    if installed.exists():
        ours = best_of([str(installed), *CMD[3:]])
        print(f"pyguix --dry-run -t pine64-raw (installed): {ours:.3f} s "
              f"(budget 0.5 s: {'ok' if ours <= 0.5 else 'OVER'})")
    print(f"python -m builders.cli (checkout): {best_of(CMD):.3f} s")
    if shutil.which("guile"):
        g = best_of(["guile", "-c", '(call-with-input-file "samples/my-pine-os.scm"'
                                    ' (lambda (p) (let loop () (unless (eof-object? (read p)) (loop)))))'])
        print(f"guile start + read the same file: {g:.3f} s (ratio {ours / g:.1f}x)")


if __name__ == "__main__":
    main()
