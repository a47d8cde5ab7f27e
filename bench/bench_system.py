"""The declared system against the busybox stand-in, on the same config.

    python bench/bench_system.py [CONFIG]        # default samples/server.scm

For `--init shepherd` (the declared system: Debian 13 packages, the Shepherd
as PID 1) and `--init busybox` (the stand-in pyguix booted before), prints:
the qcow2 image's size, the build time as a whole process with substitutes
cached (best of 5, after one warm-up build), and the time QEMU (TCG, 1 GiB,
2 vCPUs, a virtio RNG as `pyguix system vm` and Guix's VMs have) takes from
start to the login prompt on the serial console (best of 3); then the
ratios shepherd / busybox (the issue's budget: boot <= 2x, build <= 2x).
The two systems are built and booted in turns, so that a slow spell of the
machine falls on both alike.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]
from qemu_console import Console  # noqa: E402

from builders.vm import RNG  # noqa: E402

BUILDS, BOOTS = 5, 3      # best of: this machine's timings vary by a second from run to run


def build(config: Path, init: str, out: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out.unlink(missing_ok=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "builders.cli", "system", "image", "--quiet", "-t", "qcow2",
                    "--init", init, "-o", str(out), str(config)], cwd=REPO, env=env, check=True,
                   capture_output=True)
    return time.perf_counter() - start


def boot(image: Path, host: str) -> float:
    argv = ["qemu-system-x86_64", "-accel", "tcg", "-m", "1024", "-smp", "2", "-display", "none",
            "-monitor", "none", "-serial", "stdio", "-snapshot", "-drive", f"file={image},format=qcow2,if=virtio",
            "-nic", "user,model=virtio-net-pci", *RNG]
    with Console(argv) as console:
        _, seconds = console.expect(rf"[\r\n]{host} login: ", 300)
    return seconds


def main() -> None:
    config = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "samples" / "server.scm"
    host = "komputilo"
    inits = ("busybox", "shepherd")
    results: dict[str, dict[str, float]] = {init: {"build_s": float("inf"), "boot_s": float("inf")}
                                            for init in inits}
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as tmp:
        outs = {init: Path(tmp) / f"{init}.qcow2" for init in inits}
        for init in inits:
            build(config, init, outs[init])  # warm the substitute cache
        # Taken in turns, so that a slow spell of the machine falls on both systems alike.
        for _ in range(BUILDS):
            for init in inits:
                results[init]["build_s"] = min(results[init]["build_s"], build(config, init, outs[init]))
        for _ in range(BOOTS):
            for init in inits:
                results[init]["boot_s"] = min(results[init]["boot_s"], boot(outs[init], host))
        for init in inits:
            results[init]["size_mib"] = outs[init].stat().st_size / 2**20
    print(f"config: {config.relative_to(REPO) if config.is_relative_to(REPO) else config}")
    print(f"{'':10} {'image MiB':>10} {'build s':>8} {'boot-to-login s':>16}")
    for init, r in results.items():
        print(f"{init:10} {r['size_mib']:10.1f} {r['build_s']:8.1f} {r['boot_s']:16.1f}")
    b, s = results["busybox"], results["shepherd"]
    print(f"{'ratio':10} {s['size_mib'] / b['size_mib']:10.2f} {s['build_s'] / b['build_s']:8.2f} "
          f"{s['boot_s'] / b['boot_s']:16.2f}   (budget: boot <= 2.00, build <= 2.00)")


if __name__ == "__main__":
    main()
