"""Whole raw-image builds: the pyguix pipeline against the native tools, same tree.

    python bench/bench_build.py [--mb 200] [--repeat 3] [--workdir DIR] [--no-memory]

1. copies ~MB megabytes of real files (/usr/lib/python3*, the interpreter's
   lib, /usr/share) into a tree;
2. raw image, end to end, best of N:
   * ours: `builders.pipeline.build_image` of samples/server.scm as mbr-raw
     with a 1 GiB root, the tree added to the root (the internal
     `extra_content` hook, hard-linked under /extra): root tree, reproducible
     ext4 (touch, mke2fs -d, debugfs fix-ups, e2fsck -fDy), MBR, sparse
     assembly, atomic rename;
   * native: `mke2fs -t ext4 -d TREE` (same options) + `sfdisk` + `dd conv=sparse`;
3. qcow2: `builders.formats.qcow2.convert` against `qemu-img convert -c`
   on our raw image, zstd and zlib;
4. peak memory of a whole build of a 4 GiB image (--image-size 4GiB) with the
   same tree: the Python process's VmHWM, and the largest tool it ran.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SOURCES = [*sorted(glob.glob("/usr/lib/python3*")), f"{sys.prefix}/lib", "/usr/share"]
GIB = 1 << 30


def build_tree(dest: Path, megabytes: int) -> tuple[int, int]:
    """Copy files from SOURCES into DEST until about MEGABYTES are there; (bytes, entries)."""
    budget, total, entries = megabytes << 20, 0, 0
    for i, source in enumerate(SOURCES):
        for dirpath, dirnames, filenames in os.walk(source):
            dirnames.sort()
            target = dest / f"{i}" / os.path.relpath(dirpath, "/")
            target.mkdir(parents=True, exist_ok=True)
            entries += 1
            for name in sorted(filenames):
                src = os.path.join(dirpath, name)
                if os.path.islink(src):
                    os.symlink(os.readlink(src), target / name)
                elif os.path.isfile(src):
                    shutil.copy2(src, target / name)
                    total += os.path.getsize(src)
                else:
                    continue
                entries += 1
                if total >= budget:
                    return total, entries
    return total, entries


def load_plan(size: int):
    from builders import cli
    from builders.lowering.lower import lower_image
    from schemeconf.interpreter import run_deep

    interp = cli._interpreter([])
    value = interp.load_file(ROOT / "samples" / "server.scm")
    image, type_name = run_deep(lambda: cli._image_from_value(interp, value, "mbr-raw", "server.scm"))
    image = run_deep(lambda: cli._apply_options(interp, image, None, size, False))
    return run_deep(lambda: lower_image(image, type_name))


def best_of(repeat: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def sh(*argv: str | Path, **kw) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    return subprocess.run([str(a) for a in argv], check=True, capture_output=True, **kw)


def allocated_mb(path: Path) -> float:
    return path.stat().st_blocks * 512 / 1e6


def native_build(tree: Path, work: Path, options: tuple[str, ...], size: int) -> Path:
    """mke2fs -d + sfdisk + dd: the same disk layout as mbr-raw (root at 1 MiB)."""
    part, disk = work / "native-part.img", work / "native.img"
    for p in (part, disk):
        p.unlink(missing_ok=True)
    sh("mke2fs", "-q", "-t", "ext4", "-d", tree, "-L", "Guix_image",
       "-E", "root_owner=0:0,lazy_itable_init=1,lazy_journal_init=1", *options, "-F", part, f"{size // 1024}k")
    with open(disk, "wb") as f:
        f.truncate(size + (1 << 20))
    sh("sfdisk", "-q", disk, input=f"label: dos\nstart=2048, size={size // 512}, type=83, bootable\n".encode())
    sh("dd", f"if={part}", f"of={disk}", "bs=1M", "seek=1", "conv=sparse,notrunc", "status=none")
    part.unlink()
    return disk


MEMORY_SNIPPET = """
import resource, sys
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
from pathlib import Path
from bench_build import load_plan
from builders.pipeline import build_image
plan = load_plan({size})
build_image(plan, output=Path({out!r}), quiet=True, extra_content=Path({tree!r}))
status = Path("/proc/self/status").read_text()
hwm = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
print(hwm, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--no-memory", action="store_true")
    args = ap.parse_args()

    from builders.formats.qcow2 import convert
    from builders.pipeline import build_image

    work = Path(tempfile.mkdtemp(prefix="bench-build-", dir=args.workdir))
    try:
        tree = work / "tree"
        data, entries = build_tree(tree, args.mb)
        print(f"tree: {data / 1e6:.0f} MB, {entries} entries")
        plan = load_plan(GIB)
        root = next(p for p in plan.partitions if p.is_root)
        ours = work / "ours.img"
        t_ours = best_of(args.repeat, lambda: build_image(plan, output=ours, quiet=True, extra_content=tree))
        native = work / "native.img"
        t_native = best_of(args.repeat, lambda: native_build(tree, work, root.file_system_options, GIB))
        print("\n| raw image, 1 GiB root | time | allocated |")
        print("|---|---|---|")
        print(f"| pyguix `build_image` (mbr-raw, root tree + tree) | {t_ours:.2f} s | {allocated_mb(ours):.0f} MB |")
        print(f"| `mke2fs -d` + `sfdisk` + `dd conv=sparse` | {t_native:.2f} s | {allocated_mb(native):.0f} MB |")
        print(f"| ratio | **{t_ours / t_native:.2f}×** | |")

        print("\n| qcow2 from our raw image | ours | `qemu-img convert -c` | ratio |")
        print("|---|---|---|---|")
        for comp in ("zstd", "zlib"):
            q_ours, q_qemu = work / f"ours-{comp}.qcow2", work / f"qemu-{comp}.qcow2"
            # best_of calls each lambda before the next iteration; the defaults bind this one's values anyway.
            t_q = best_of(args.repeat, lambda comp=comp, q_ours=q_ours: convert(ours, q_ours, compression=comp))
            t_e = best_of(args.repeat, lambda comp=comp, q_qemu=q_qemu: sh(
                "qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2", "-o", f"compression_type={comp}",
                ours, q_qemu))
            same = sh("qemu-img", "compare", "-f", "qcow2", "-F", "qcow2", q_ours, q_qemu).returncode == 0
            print(f"| {comp} | {t_q:.2f} s ({q_ours.stat().st_size / 1e6:.0f} MB) | {t_e:.2f} s "
                  f"({q_qemu.stat().st_size / 1e6:.0f} MB) | {t_e / t_q:.1f}× faster"
                  f"{'' if same else ' (DIFFERENT!)'} |")
            q_ours.unlink()
            q_qemu.unlink()

        if not args.no_memory:
            ours.unlink(missing_ok=True)
            native.unlink(missing_ok=True)
            big = work / "big.img"
            code = MEMORY_SNIPPET.format(root=str(ROOT), bench=str(Path(__file__).parent), size=4 * GIB,
                                         out=str(big), tree=str(tree))
            start = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
            elapsed = time.perf_counter() - start
            hwm, children = (int(x) / 1024 for x in out.split()[-2:])
            print(f"\n4 GiB image ({big.stat().st_size / GIB:.2f} GiB apparent, {allocated_mb(big):.0f} MB allocated, "
                  f"{elapsed:.1f} s): peak RSS pyguix process {hwm:.0f} MB, largest tool {children:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
