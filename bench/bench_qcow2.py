"""Benchmark: our qcow2 writer and raw disk assembly against qemu-img, cp and dd.

    python bench/bench_qcow2.py [--data-mb 200] [--repeat 3] [--workdir DIR]

Builds a ~1 GiB raw disk (MBR + one ext4 partition made with `mke2fs -d`
from a tree of real files: Python's library, then /usr/share), then times,
in the same run:

* raw assembly: builders.disk.assemble.assemble_disk (zero detection, and
  copy_file_range) vs `cp --sparse=always` and `dd conv=sparse`;
* qcow2: builders.formats.qcow2.convert vs `qemu-img convert -O qcow2`,
  uncompressed and with `-c` for zlib and zstd;
* peak RSS (ru_maxrss) converting a 4 GiB sparse image, each tool in its own
  process.

Times are the best of --repeat runs.  Needs mke2fs and qemu-img.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from builders.disk.assemble import Chunk, assemble_disk  # noqa: E402
from builders.disk.ptable import MbrTable, Partition  # noqa: E402
from builders.formats import qcow2  # noqa: E402

MiB = 1 << 20
PART_OFFSET = MiB
PART_SIZE = 1023 * MiB
DISK_SIZE = PART_OFFSET + PART_SIZE


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    """Smallest wall time of REPEAT calls."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def run(*argv: str | Path) -> None:
    """Run a tool, failing loudly."""
    subprocess.run([os.fspath(a) for a in argv], check=True, stdout=subprocess.DEVNULL)


def build_tree(root: Path, budget: int) -> int:
    """Copy real files (Python stdlib, then /usr/share) into ROOT until BUDGET bytes."""
    total = 0
    sources = [Path(sysconfig.get_paths()["stdlib"]), Path("/usr/lib/python3"), Path("/usr/share")]
    for src in sources:
        for dirpath, _dirs, files in os.walk(src):
            for name in sorted(files):
                path = Path(dirpath, name)
                if path.is_symlink() or not path.is_file():
                    continue
                dest = root / src.name / path.relative_to(src)
                dest.parent.mkdir(parents=True, exist_ok=True)
                try:
                    shutil.copyfile(path, dest)
                except OSError:
                    continue
                total += dest.stat().st_size
                if total >= budget:
                    return total
    return total


def make_disk(work: Path, data_mb: int) -> tuple[Path, Path, int]:
    """(partition image, raw disk, bytes of file data)."""
    tree = work / "tree"
    tree.mkdir()
    data = build_tree(tree, data_mb * MiB)
    part = work / "root.img"
    run("mke2fs", "-q", "-t", "ext4", "-d", tree, "-E", "root_owner=0:0", part, f"{PART_SIZE // 1024}k")
    shutil.rmtree(tree)
    disk = work / "disk.raw"
    assemble(part, disk, True)
    return part, disk, data


def assemble(part: Path, disk: Path, zero_detect: bool) -> None:
    """MBR + the partition at 1 MiB."""
    table = MbrTable(disk_signature=0x12345678)
    regions = table.regions(DISK_SIZE, [Partition(PART_OFFSET, PART_SIZE, 0x83, bootable=True)])
    assemble_disk(disk, DISK_SIZE, [*regions, Chunk(PART_OFFSET, PART_SIZE, part, "root")], zero_detect=zero_detect)


def allocated_mb(path: Path) -> float:
    """Allocated size in MB (10^6)."""
    return os.stat(path).st_blocks * 512 / 1e6


def dd_sparse(part: Path, out: Path) -> None:
    """dd the partition to a fresh file at 1 MiB, seeking over zero blocks."""
    out.unlink(missing_ok=True)
    run("dd", f"if={part}", f"of={out}", "bs=1M", "seek=1", "conv=sparse", "status=none")


def bench_raw(part: Path, work: Path, repeat: int) -> list[tuple[str, float, float]]:
    """Raw assembly timings: (method, seconds, allocated MB)."""
    out = work / "assembled.raw"
    rows = []
    cases: list[tuple[str, Callable[[], object]]] = [
        ("assemble_disk (zero detect)", lambda: assemble(part, out, True)),
        ("assemble_disk (copy_file_range)", lambda: assemble(part, out, False)),
        ("cp --sparse=always (partition only)", lambda: run("cp", "--sparse=always", part, out)),
        ("dd conv=sparse bs=1M seek=1", lambda: dd_sparse(part, out)),
    ]
    for name, fn in cases:
        t = best_of(repeat, fn)
        rows.append((name, t, allocated_mb(out)))
    return rows


QRow = tuple[str, float, float, float, float]


def bench_qcow2(disk: Path, work: Path, repeat: int) -> list[QRow]:
    """qcow2 timings per compression: (label, ours s, qemu-img s, ours MB, qemu MB)."""
    rows = []
    ours, theirs = work / "ours.qcow2", work / "qemu.qcow2"
    for comp in ("zstd", "zlib", None):
        # best_of calls each lambda before the next iteration; the defaults bind this one's values anyway.
        t_ours = best_of(repeat, lambda comp=comp: qcow2.convert(disk, ours, compression=comp))
        opts = ["-c", "-o", f"compression_type={comp}"] if comp else []
        t_qemu = best_of(repeat, lambda opts=opts: run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", *opts, disk,
                                                       theirs))
        check = subprocess.run(["qemu-img", "compare", disk, ours], capture_output=True, text=True)
        assert "identical" in check.stdout, check.stdout
        rows.append((comp or "none", t_ours, t_qemu, os.path.getsize(ours) / 1e6, os.path.getsize(theirs) / 1e6))
    return rows


RSS_SNIPPET = """
import sys
sys.path.insert(0, {root!r})
from pathlib import Path
from builders.formats import qcow2
qcow2.convert(Path({src!r}), Path({dst!r}), compression={comp!r})
status = Path("/proc/self/status").read_text()
print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
"""


def python_peak_mb(code: str) -> float:
    """Peak RSS (VmHWM, which starts afresh at exec) of a Python child running CODE."""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return int(out.split()[-1]) / 1024


def tool_peak_mb(argv: list[str]) -> float | None:
    """Peak RSS of a tool via GNU time (which forks it from a small process), or None."""
    gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    if gnu_time is None:
        return None
    out = subprocess.run([gnu_time, "-f", "%M", *argv], check=True, capture_output=True, text=True).stderr
    return int(out.split()[-1]) / 1024


def bench_memory(disk: Path, work: Path) -> list[tuple[str, float | None]]:
    """Peak RSS converting a 4 GiB sparse image (the 1 GiB disk placed at 0 and at 3 GiB)."""
    big = work / "big.raw"
    assemble_disk(big, 4 << 30, [Chunk(0, DISK_SIZE, disk, "a"), Chunk(3 << 30, DISK_SIZE, disk, "b")])
    root = str(Path(__file__).resolve().parent.parent)
    rows: list[tuple[str, float | None]] = []
    for comp in ("zstd", "zlib", None):
        code = RSS_SNIPPET.format(root=root, src=str(big), dst=str(work / "big.qcow2"), comp=comp)
        rows.append((f"ours, {comp or 'uncompressed'}", python_peak_mb(code)))
    for comp in ("zstd", "zlib"):
        argv = ["qemu-img", "convert", "-c", "-O", "qcow2", "-o", f"compression_type={comp}", str(big),
                str(work / "q.qcow2")]
        rows.append((f"qemu-img convert -c, {comp}", tool_peak_mb(argv)))
    big.unlink()
    return rows


def report(data: int, raw_rows: list[tuple[str, float, float]], q_rows: list[QRow],
           mem_rows: list[tuple[str, float | None]]) -> None:  # fmt: skip
    """Print markdown tables."""
    print(f"\ninput: {data / 1e6:.0f} MB of files in ext4 (mke2fs -d), 1 GiB raw disk; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}\n")  # fmt: skip
    print("| raw assembly | time | allocated |\n|---|---|---|")
    for name, t, mb in raw_rows:
        print(f"| {name} | {t:.3f} s | {mb:.1f} MB |")
    print("\n| qcow2 | ours | qemu-img convert | speed-up | ours size | qemu size |\n|---|---|---|---|---|---|")
    for comp, t_ours, t_qemu, s_ours, s_qemu in q_rows:
        print(f"| {comp} | {t_ours:.3f} s | {t_qemu:.3f} s | {t_qemu / t_ours:.2f}x | {s_ours:.1f} MB "
              f"| {s_qemu:.1f} MB |")
    print("\n| peak RSS, 4 GiB sparse raw holding the disk twice | MB |\n|---|---|")
    for label, peak in mem_rows:
        print(f"| {label} | {'n/a' if peak is None else f'{peak:.0f}'} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-mb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    for tool in ("mke2fs", "qemu-img"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found")
    with tempfile.TemporaryDirectory(dir=args.workdir, prefix="bench-qcow2-") as tmp:
        work = Path(tmp)
        part, disk, data = make_disk(work, args.data_mb)
        raw_rows = bench_raw(part, work, args.repeat)
        q_rows = bench_qcow2(disk, work, args.repeat)
        mem_rows = bench_memory(disk, work)
        report(data, raw_rows, q_rows, mem_rows)


if __name__ == "__main__":
    main()
