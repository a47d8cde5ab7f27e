"""The kernel modules' index (modules.dep, modules.alias, ... and their .bin
forms), made at build time by Debian's depmod.

Debian's kernel packages ship no index: their maintainer script runs depmod.
Without one, modprobe and udev find no module, so the declared system's boot
program would make it at the first boot -- 15 s under QEMU's TCG, a third of
the boot.  Instead, the build runs the Debian release's own depmod (kmod, run
through its own loader: builders/substitutes/hostrun.py) on the extracted
kernel package's modules, read-only, writing into a directory of its own:

    depmod -b BASE -o OUT RELEASE     # BASE/lib/modules/RELEASE: a link to the package's modules

The index depends only on the modules, so it is kept beside the other
cached trees (keyed by the kernel package's tree and kmod's), and copied
into the image through builders/tree.Tree: a kernel package whose modules
directory is a link cannot make it write elsewhere.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from builders.errors import BuildError
from builders.run import run
from builders.substitutes import memo
from builders.system.kernel_modules import kernel_release, modules_root
from builders.tree import Tree

log = logging.getLogger(__name__)

INDEX_PREFIX = "modules."      # the files depmod writes: modules.dep, modules.dep.bin, modules.alias, ...


def install_module_index(tree: Tree, kernel_dir: Path, provider) -> str | None:
    """Put the module index of the kernel package KERNEL_DIR into TREE's modules directory;
    a warning when it cannot be made (the boot program makes it at the first boot then)."""
    from builders.substitutes.apt import native_architecture
    from builders.substitutes.hostrun import runtime_tree

    try:
        release = kernel_release(kernel_dir)
    except (FileNotFoundError, BuildError):
        return None                     # a kernel without modules: nothing to index
    rel = f"{modules_root(kernel_dir).relative_to(kernel_dir)}/{release}"
    try:
        tools = runtime_tree(provider, ["kmod"], native_architecture())
    except BuildError as exc:
        return f"kernel modules: Debian's depmod cannot be had ({exc.message}); the first boot makes the index"
    try:
        index = memo.cached_directory(f"depmod-{memo.key(os.fspath(kernel_dir), os.fspath(tools))}",
                                      lambda out: _depmod(tools, kernel_dir / rel, release, out))
    except _NoIndex:
        return f"kernel modules: depmod wrote no modules.dep for {release}; the first boot makes it"
    if tree.lstat(rel) is None or not tree.is_dir(rel):
        return f"kernel modules: /{rel} is not a directory in the image; no index"
    for p in sorted(index.iterdir()):
        tree.copy_in(f"{rel}/{p.name}", p, 0o644)
    return None


class _NoIndex(Exception):
    pass


def _depmod(tools: Path, modules: Path, release: str, out: Path) -> None:
    """The index of the MODULES of RELEASE, made by TOOLS' depmod, as files of directory OUT."""
    from builders.substitutes.hostrun import loader_command

    work = out.with_name("depmod")
    # depmod reads BASE/lib/modules/RELEASE; Debian 13's kernel has them in usr/lib/modules.
    (work / "base/lib/modules").mkdir(parents=True)
    (work / "base/lib/modules" / release).symlink_to(modules)
    run([*loader_command(tools, tools / "usr/sbin/depmod"), "-b", work / "base", "-o", work / "out", release])
    found = sorted(p for p in (work / "out").rglob(INDEX_PREFIX + "*") if p.is_file() and not p.is_symlink())
    if not any(p.name == "modules.dep" for p in found):
        raise _NoIndex(release)
    out.mkdir()
    for p in found:
        os.replace(p, out / p.name)


__all__ = ["install_module_index"]
