"""Running a program of a Debian substitute on the build machine (GRUB's grub-mkimage).

A dynamically linked program of Debian 13 needs Debian 13's C library
(`GLIBC_2.38` and later), which a Debian 12 build machine does not have.  So
such a program is realized with its dependency closure (closure.py: libc6
and the libraries it links with, in one merged-/usr tree) and started
through that tree's own dynamic loader, named by the program's ELF
interpreter (PT_INTERP) and resolved inside the tree:

    tree = runtime_tree(provider, ["grub-common", "grub-pc-bin"], "amd64")
    argv = loader_command(tree, tree / "usr/bin/grub-mkimage") + ["--version"]
    # [TREE/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2, "--library-path", "TREE/usr/lib/x86_64-linux-gnu:...",
    #  TREE/usr/bin/grub-mkimage, "--version"]

The host's own libraries are then never mixed with the tree's (ld.so and
libc must be of one build); a program keeps working whatever the host's
release, as long as its architecture is the host's.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from builders.errors import BuildError
from builders.tree import in_package

log = logging.getLogger(__name__)

# Library directories of a Debian tree, after the multiarch one (usr/lib/<triplet>).
LIBRARY_DIRS = ("usr/lib/{triplet}", "lib/{triplet}", "usr/lib", "lib")


def elf_interpreter(binary: Path) -> str | None:
    """The PT_INTERP of the ELF file BINARY (e.g. /lib64/ld-linux-x86-64.so.2), or None (static, not ELF)."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile
    from elftools.elf.segments import InterpSegment

    try:
        with open(binary, "rb") as f:
            if f.read(4) != b"\x7fELF":
                return None
            f.seek(0)
            for segment in ELFFile(f).iter_segments():
                if isinstance(segment, InterpSegment):
                    return segment.get_interp_name()
    except (OSError, ELFError):
        return None
    return None


def library_path(tree: Path) -> list[Path]:
    """The shared-library directories of TREE: every usr/lib/<triplet> with a libc, then usr/lib."""
    dirs: list[Path] = []
    lib = tree / "usr" / "lib"
    if lib.is_dir():
        for entry in sorted(lib.iterdir()):
            if entry.is_dir() and not entry.is_symlink() and entry.name.endswith("-gnu") and \
                    any(entry.glob("libc.so.*")):
                dirs.append(entry)
    for rel in ("usr/lib", "lib"):
        path = tree / rel
        if path.is_dir() and not path.is_symlink() and path not in dirs:
            dirs.append(path)
    return dirs


def loader_command(tree: Path, binary: Path) -> list[str]:
    """The argv starting BINARY with TREE's own dynamic loader and libraries; [BINARY]
    when BINARY is static or TREE has no loader for it (the host's libraries are used then)."""
    interp = elf_interpreter(binary)
    if interp is None:
        return [os.fspath(binary)]
    loader = in_package(tree, interp)
    if loader is None:
        return [os.fspath(binary)]
    dirs = library_path(tree)
    return [os.fspath(loader), "--library-path", os.pathsep.join(map(os.fspath, dirs)), os.fspath(binary)]


def runtime_tree(provider, names: list[str], arch: str) -> Path:
    """NAMES for ARCH with their dependency closure, extracted into one tree (closure.py);
    just NAMES (run with the host's libraries) when the closure cannot be had, e.g. a
    --substitutes directory without the libraries and no archive in reach."""
    from builders.substitutes.closure import closure, realize_closure
    from builders.substitutes.provider import realize

    try:
        result = closure(names, arch, provider=provider)
        return realize_closure(provider, result)
    except BuildError as exc:
        log.warning("running %s with the host's libraries: their dependencies cannot be had (%s)",
                    ", ".join(names), exc.message)
        return realize(provider, names, arch)


__all__ = ["elf_interpreter", "library_path", "loader_command", "runtime_tree"]
