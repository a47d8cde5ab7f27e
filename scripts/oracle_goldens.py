#!/usr/bin/env python3
"""Record what the real GNU Guix makes of our configs, as goldens for
tests/test_oracle_parity.py.

Regenerate all goldens (as root; the Guix 1.5 chroot is created on first use,
~35 s, by /work/shared/oracle/setup.sh):

    .venv/bin/python scripts/oracle_goldens.py

Options: FILE... (only these configs), --types (print the (config, type) list
and exit), --oracle DIR (where run.sh lives; default $GUIX_ORACLE_DIR or
/work/shared/oracle), --jobs N (parallel oracle runs, default 2).  The Guix
version is GUIX_ORACLE (default 1.5, i.e. Guix 1.5.0).

For every config of the corpus -- samples/*.scm, tests/configs/*.scm and
tests/oracle/configs/*.scm -- and each image type that makes sense for it
(`types_for`: none, i.e. the OS summary, plus the image types its bootloader
suits; an image or image-type file is summarized as it is), this runs

    run.sh FILE [TYPE]

and writes tests/oracle/goldens/GROUP/NAME.TYPE.scm (TYPE `os` for none):

    ;; guix 1.5.0 (GUIX_ORACLE=1.5): run.sh tests/configs/x.scm qcow2 => exit 0
    ;; stderr: ...            (each line Guix wrote to stderr, if any)
    (file "x.scm" evaluates-to operating-system)   (Guix's stdout, verbatim)
    ...

Configs must be where the oracle can bind-mount them (not under /tmp): it
mounts FILE's directory read-only at the same path inside the chroot.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDENS = ROOT / "tests" / "oracle" / "goldens"
CORPUS = [("samples", "samples/*.scm"), ("configs", "tests/configs/*.scm"), ("oracle", "tests/oracle/configs/*.scm")]

# Image types chosen by hand where the heuristic below would not do.
TYPES: dict[str, list[str]] = {
    "samples/my-pine-os-qemu.scm": ["pine64-raw"],
    "tests/configs/hurd.scm": ["hurd-qcow2", "hurd-raw"],
    "samples/my-hurd-os.scm": ["hurd-qcow2"],
    "tests/oracle/configs/hurd-vm.scm": ["hurd-qcow2"],
    "tests/oracle/configs/board-pine64.scm": ["pine64-raw"],
    "tests/configs/docker-image.scm": ["docker", "mbr-hybrid-raw"],
    "tests/configs/common-services.scm": [],  # a list of services, not a system
    "tests/oracle/configs/unknown-field-nested.scm": [],  # rejected: the OS summary says it all
    "tests/oracle/configs/package-inputs.scm": ["mbr-hybrid-raw"],
}


def types_for(rel: str, text: str) -> list[str | None]:
    """None (the OS summary, or the file's own image) first, then image types."""
    if re.search(r"^\(image\b|^\s*\(image-type\b|^[a-z0-9-]*image(-type)?\s*$", text, re.M) and not re.search(
            r"^\(operating-system\b", text, re.M):
        return [None]  # an image or an image type: summarized as it is
    if rel in TYPES:
        return [None, *TYPES[rel]]
    if "u-boot-pine64" in text or "pine64-barebones-os" in text:
        return [None, "pine64-raw"]
    if "hurd" in text:
        return [None, "hurd-qcow2"]
    if "grub-efi" in text:
        return [None, "efi-raw", "mbr-hybrid-raw"]  # the second: Guix's GPT check
    return [None, "mbr-hybrid-raw", "qcow2"]


def corpus() -> list[tuple[str, Path]]:
    return [(group, path) for group, pattern in CORPUS for path in sorted(ROOT.glob(pattern))]


def golden_path(group: str, config: Path, image_type: str | None) -> Path:
    return GOLDENS / group / f"{config.stem}.{image_type or 'os'}.scm"


def guix_version(run_sh: Path) -> str:
    out = subprocess.run([str(run_sh), "--cmd", "guix", "--version"], capture_output=True, text=True, check=True)
    m = re.search(r"\(GNU Guix\) (\S+)", out.stdout)
    return m.group(1) if m else out.stdout.splitlines()[0]


def record(run_sh: Path, version: str, group: str, config: Path, image_type: str | None) -> tuple[Path, int]:
    rel = config.relative_to(ROOT).as_posix()
    cmd = [str(run_sh), rel, *([image_type] if image_type else [])]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    oracle = os.environ.get("GUIX_ORACLE", "1.5")
    lines = [f";; guix {version} (GUIX_ORACLE={oracle}): run.sh {' '.join(cmd[1:])} => exit {done.returncode}\n"]
    lines += [f";; stderr: {line}\n" for line in done.stderr.splitlines()]
    out = golden_path(group, config, image_type)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(lines) + done.stdout)
    return out, done.returncode


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path, help="only these configs (default: the whole corpus)")
    ap.add_argument("--oracle", type=Path, default=Path(os.environ.get("GUIX_ORACLE_DIR", "/work/shared/oracle")))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--types", action="store_true", help="print the (config, type) list and exit")
    args = ap.parse_args(argv)
    wanted = {p.resolve() for p in args.files}
    jobs = [(group, path, t) for group, path in corpus() if not wanted or path.resolve() in wanted
            for t in types_for(path.relative_to(ROOT).as_posix(), path.read_text(errors="replace"))]
    if args.types:
        for _, path, t in jobs:
            print(path.relative_to(ROOT), t or "-")
        return 0
    run_sh = args.oracle / "run.sh"
    root = Path(os.environ.get("ORACLE_HOME", Path.home() / ".cache" / "guix-oracle"))
    if os.environ.get("GUIX_ORACLE", "1.5") in ("1.5", "1.5.0", "sid") and not (root / "sid" / "usr/bin/guix").exists():
        subprocess.run([str(args.oracle / "setup.sh")], check=True)
    version = guix_version(run_sh)
    if not wanted:  # a full run replaces the goldens: none stays from a config that is gone
        for old in GOLDENS.glob("*/*.scm"):
            old.unlink()
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        for out, rc in pool.map(lambda job: record(run_sh, version, *job), jobs):
            print(f"{'accepted' if rc == 0 else 'REJECTED'}  {out.relative_to(ROOT)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
