"""GNU/Hurd images: GNU Mach, the Hurd's boot modules, and what the Hurd needs on disk.

`install_hurd` (called by bootable.prepare for Hurd images) puts into the root tree:

1. GNU Mach, from the gnumach substitute (Debian's gnumach-image-1.8-486: a
   32-bit build in the i386 archive for i586-gnu, a 64-bit one in the amd64
   archive for x86_64-gnu), at /boot/gnumach.gz.  It is always Debian 12's
   (HURD_RELEASE), whatever --debian-release says: Debian 13 renamed and
   rebuilt its GNU Mach images (gnumach-image-1.8-486-up,
   gnumach-image-1.8-amd64-up), and the Hurd's own packages come from
   debian-ports, not from a Debian release;
2. the Hurd's directory skeleton, as Guix's `make-hurd-device-nodes`
   (gnu/build/hurd-boot.scm) makes it, plus the device and server nodes that
   Guix's first boot (`set-hurd-device-translators`) would make: see
   `TRANSLATORS` for why they are translator records and not mknod nodes;
3. the Hurd's servers, when a `--substitutes` directory holds the Hurd's own
   Debian packages (hurd-i386 / hurd-amd64 `.deb`s: hurd, libc0.3,
   hurd-libs0.3).  Debian's main archive has GNU Mach only; the Hurd is
   packaged in debian-ports, which apt cannot reach here, so apt is not asked.

It returns GRUB's `module` lines (Guix's `hurd-multiboot-modules`: the root
file system server ext2fs.static, then exec) and a warning naming the
binaries no reachable package provides.  GRUB still boots GNU Mach when a
module file is missing (it reports the error, waits for a key or a few
seconds, then boots; tests/test_hurd.py boots such images), so the module
lines are always written, pointing at where the files belong.

`device_node_commands` gives the debugfs commands that attach the
translator records to those nodes when the root file system is made
(builders/pipeline.py passes them to make_filesystem for the root partition).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from builders.boot.bootloaders.grubcfg import hurd_modules
from builders.errors import BuildError
from builders.plan import ImagePlan
from builders.substitutes import SubstituteUnavailable, mapping, realize_guix, with_release
from builders.substitutes.provider import ChainProvider, realize
from builders.tree import Tree

# The Debian architectures of the Hurd's own ports (debian-ports), which hold the
# Hurd's servers and its C library.  The gnumach substitute comes from the
# i386/amd64 archives instead (mapping.SYSTEM_ARCHITECTURES).
HURD_ARCHITECTURES = {"i586-gnu": "hurd-i386", "x86_64-gnu": "hurd-amd64"}
# The Debian release GNU Mach comes from (its package names are those of packages.sexp).
HURD_RELEASE = "bookworm"
# Debian packages of the Hurd's userland, in the order they are installed: the
# servers (/hurd/*), the C library with the dynamic loader, the Hurd's libraries.
HURD_PACKAGES = ("hurd", "libc0.3", "hurd-libs0.3")
# The dynamic loader of the Hurd's C library (Debian: libc0.3).
LOADERS = {"i586-gnu": "/lib/ld.so.1", "x86_64-gnu": "/lib/ld-x86-64.so.1"}
EXT2FS = "/hurd/ext2fs.static"
EXEC = "/hurd/exec"
EXEC_STATIC = "/hurd/exec.static"
# Documentation is of no use in an image.
SKIP_PREFIXES = ("usr/share/doc/", "usr/share/man/", "usr/share/info/", "usr/share/lintian/")

# make-hurd-device-nodes: /servers/* files, each holding its own name, mode 0444.
SERVER_FILES = ("startup", "exec", "proc", "password", "default-pager", "crash-dump-core", "kill", "suspend")

# Device and server nodes, as Guix's `set-hurd-device-translators` makes them on the
# first boot: (path, translator command, mode of the node).
#
# Why translator records and not `mknod`: the Hurd has no device numbers.  A
# Hurd "device" is a file with a passive translator record, the command
# line of the server that the file system starts when the node is first
# opened (/dev/null is served by /hurd/null, /dev/console by /hurd/term on
# Mach's console device).  A Linux-style character node (major 1, minor 3)
# would mean nothing to the Hurd's ext2fs.  Guix writes these records on
# the first boot with settrans, or from a Linux host as the `gnu.translator`
# extended attribute (the `ext_attr` feature of the Hurd's ext2 options);
# ext2fs reads them from there (Guix starts it with
# --x-xattr-translator-records).  No Hurd server runs at build time, so the
# records are written with debugfs `ea_set` into the image, which is what
# the first boot would write: `set-hurd-device-translators` leaves nodes
# that already have a translator alone.
TRANSLATORS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("/servers/crash-dump-core", ("/hurd/crash", "--dump-core"), 0o444),
    ("/servers/crash-kill", ("/hurd/crash", "--kill"), 0o600),
    ("/servers/crash-suspend", ("/hurd/crash", "--suspend"), 0o600),
    ("/servers/password", ("/hurd/password",), 0o444),
    ("/servers/socket/1", ("/hurd/pflocal",), 0o600),
    ("/proc", ("/hurd/procfs", "--stat-mode=444"), 0o600),
    ("/dev/full", ("/hurd/null", "--full"), 0o666),
    ("/dev/null", ("/hurd/null",), 0o666),
    ("/dev/random", ("/hurd/random", "--seed-file", "/var/lib/random-seed"), 0o644),
    ("/dev/zero", ("/hurd/storeio", "--store-type=zero"), 0o666),
    ("/dev/console", ("/hurd/term", "/dev/console", "device", "console"), 0o600),
    ("/dev/klog", ("/hurd/streamio", "kmsg"), 0o600),
    ("/dev/mem", ("/hurd/storeio", "--no-cache", "mem"), 0o660),
    ("/dev/shm", ("/hurd/tmpfs", "--mode=1777", "50%"), 0o644),
    ("/dev/time", ("/hurd/storeio", "--no-cache", "time"), 0o644),
    ("/dev/vcs", ("/hurd/console",), 0o600),
    ("/dev/tty", ("/hurd/magic", "tty"), 0o666),
    ("/dev/fd", ("/hurd/magic", "--directory", "fd"), 0o555),
    *((f"/dev/tty{n}", ("/hurd/term", f"/dev/tty{n}", "hurdio", f"/dev/vcs/{n}/console"), 0o666)
      for n in (1, 2, 3)),
    *((f"/dev/ptyp{n}", ("/hurd/term", f"/dev/ptyp{n}", "pty-master", f"/dev/ttyp{n}"), 0o666)
      for n in (0, 1, 2)),
    *((f"/dev/ttyp{n}", ("/hurd/term", f"/dev/ttyp{n}", "pty-slave", f"/dev/ptyp{n}"), 0o666)
      for n in (0, 1, 2)),
)
# Directories that must exist before the nodes above (dev/vcs is a directory: Guix
# makes dev/vcs/1 and dev/vcs/2 before setting /hurd/console on it).
DIRECTORIES = ("/dev", "/dev/vcs", "/dev/vcs/1", "/dev/vcs/2", "/servers", "/servers/socket", "/hurd")
SYMLINKS = (
    ("/dev/urandom", "/dev/random"),
    ("/dev/stdin", "/dev/fd/0"),
    ("/dev/stdout", "/dev/fd/1"),
    ("/dev/stderr", "/dev/fd/2"),
    ("/servers/crash", "crash-dump-core"),
    ("/etc/mtab", "/proc/mounts"),
)


@dataclass
class HurdParts:
    kernel_path: str
    module_lines: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)
    installed: list[str] = field(default_factory=list)   # Debian packages of the Hurd put into the tree


def install_hurd(plan: ImagePlan, provider, system: str, tree: Path, *, root_index: int) -> HurdParts:
    if system not in HURD_ARCHITECTURES:
        raise BuildError(f"{system} is not a GNU/Hurd system", f"Hurd images are for {', '.join(HURD_ARCHITECTURES)}")
    mach_dir = realize_guix(with_release(provider, HURD_RELEASE), "gnumach", system)
    candidates = sorted((mach_dir / "boot").glob("gnumach*.gz"))
    if not candidates:
        raise BuildError(f"no GNU Mach image in the gnumach substitute for {system}")
    image = Tree(tree)
    if image.lstat("boot") is None:
        image.mkdir("boot", 0o755)
    image.copy_from(Tree(mach_dir), f"boot/{candidates[-1].name}", "boot/gnumach.gz", 0o644)

    installed, unavailable = install_hurd_packages(provider, system, tree)
    make_skeleton(tree)

    # Guix's current form starts exec.static; with the dynamically linked exec
    # (Debian's, and Guix's before 2022-10) the C library's loader runs it.
    loader = LOADERS[system]
    if (tree / EXEC_STATIC.lstrip("/")).exists() and not (tree / EXEC.lstrip("/")).exists():
        modules = hurd_modules(EXT2FS, EXEC_STATIC)
        needed = [EXT2FS, EXEC_STATIC]
    else:
        if not _exists(tree, loader) and _exists(tree, "/lib/ld.so.1"):
            loader = "/lib/ld.so.1"
        modules = hurd_modules(EXT2FS, EXEC, loader)
        needed = [EXT2FS, loader, EXEC]
    warnings = []
    if "hurd" not in installed:
        missing = [f for f in needed if not _exists(tree, f)]
        servers = sorted({cmd[0] for _, cmd, _ in TRANSLATORS} | {"/hurd/startup", "/hurd/proc", "/hurd/auth"})
        missing += [s for s in servers if not _exists(tree, s)]
        warnings.append(
            f"the Hurd's servers are in no reachable package ({unavailable}), so the image boots GNU Mach, "
            f"which then stops for lack of its bootstrap servers; missing: {', '.join(missing)}. "
            f"A --substitutes directory with the Hurd's {HURD_ARCHITECTURES[system]} .debs "
            f"({', '.join(HURD_PACKAGES)}) gives a complete system; see README, 'The Hurd'")
    else:
        missing = [f for f in needed if not _exists(tree, f)]
        if missing:
            warnings.append(f"GRUB's Hurd boot modules are missing from the {HURD_ARCHITECTURES[system]} packages "
                            f"given ({', '.join(installed)}): {', '.join(missing)}")
    return HurdParts("/boot/gnumach.gz", tuple(modules), warnings, installed)


def _exists(tree: Path, path: str) -> bool:
    return os.path.lexists(tree / path.lstrip("/"))


def _directory_providers(provider) -> list:
    """The local-directory providers (--substitutes) among PROVIDER (a chain or a single one)."""
    members = getattr(provider, "providers", None) or [provider]
    return [p for p in members if getattr(p, "name", None) == "directory"]


def install_hurd_packages(provider, system: str, tree: Path) -> tuple[list[str], str]:
    """Copy the Hurd's Debian packages found in the --substitutes directories into TREE.

    Only local directories are asked: the Hurd's packages are built for the
    Hurd's own Debian architectures (hurd-i386, hurd-amd64), which are in
    debian-ports, not in the Debian archive apt uses (`apt-cache policy hurd`:
    no candidate), so asking apt would only cost a failing `apt-get update`.
    Returns the packages installed and, when 'hurd' is not among them, why.
    """
    arch = HURD_ARCHITECTURES[system]
    directories = _directory_providers(provider)
    reason = mapping.unavailable_reason("hurd", system) or "no substitute is known"
    if not directories:
        return [], f"no --substitutes directory; {reason}"
    source = directories[0] if len(directories) == 1 else ChainProvider(directories)
    installed: list[str] = []
    for name in HURD_PACKAGES:
        try:
            extracted = realize(source, [name], arch)
        except SubstituteUnavailable as exc:
            if name == "hurd":
                return [], f"{exc.reason}; {reason}"
            continue
        copy_into(extracted, tree)
        installed.append(name)
    return installed, ""


def copy_into(source: Path, tree: Path) -> None:
    """Merge the extracted package tree SOURCE into TREE.

    Files already in TREE (the system's own /etc, written from the OS
    configuration) win; documentation is left out; symbolic links are kept
    as links (data in the image: never followed on the host, and nothing is
    written through them, builders/tree.py).
    """
    image = Tree(tree)
    for dirpath, dirnames, filenames in os.walk(source):
        rel_dir = os.path.relpath(dirpath, source)
        rel_dir = "" if rel_dir == "." else rel_dir
        for name in sorted(dirnames):
            rel = os.path.join(rel_dir, name)
            src = os.path.join(dirpath, name)
            if _skipped(rel + "/") or image.lstat(rel) is not None:
                continue
            if os.path.islink(src):
                image.symlink(rel, os.readlink(src))
            else:
                image.mkdir(rel, os.lstat(src).st_mode & 0o7777)
        # Descend only into real directories of both trees.
        kept = []
        for d in dirnames:
            st = image.lstat(os.path.join(rel_dir, d))
            if (not os.path.islink(os.path.join(dirpath, d)) and not _skipped(os.path.join(rel_dir, d) + "/")
                    and st is not None and stat.S_ISDIR(st.st_mode)):
                kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            rel = os.path.join(rel_dir, name)
            src = os.path.join(dirpath, name)
            if _skipped(rel) or image.lstat(rel) is not None:
                continue
            if os.path.islink(src):
                image.symlink(rel, os.readlink(src))
            else:
                image.copy_in(rel, src, os.lstat(src).st_mode & 0o7777)


def _skipped(rel: str) -> bool:
    return rel.startswith(SKIP_PREFIXES)


def make_skeleton(tree: Path) -> None:
    """The Hurd's directories, /servers files, device nodes and symlinks (see TRANSLATORS)."""
    image = Tree(tree)
    for d in DIRECTORIES:
        if image.lstat(d) is None:
            image.mkdir(d, 0o755)
    for name in SERVER_FILES:
        _node(tree, f"/servers/{name}", 0o444, name)
    for path, _, mode in TRANSLATORS:
        # Empty, unlike Guix's (which hold their names so that the store's
        # deduplication does not hard-link them): nothing here deduplicates, and
        # each node already costs a block for its translator record.
        _node(tree, path, mode, "")
    for path, target in SYMLINKS:
        st = image.lstat(path)
        if st is not None and stat.S_ISDIR(st.st_mode):
            continue
        image.symlink(path, target)


def _node(tree: Path, path: str, mode: int, content: str) -> None:
    """A file holding CONTENT with MODE at PATH, unless something is there already."""
    image = Tree(tree)
    if image.lstat(path) is None:
        image.write_text(path, content, mode)


def translator_value(command: tuple[str, ...]) -> str:
    """COMMAND as the `gnu.translator` attribute value, in debugfs's escaped form:
    the arguments, each followed by a NUL (what settrans and Guix store)."""
    for arg in command:
        if any(c in arg for c in '"\\\n\0'):
            raise ValueError(f"translator argument cannot be written: {arg!r}")
    return "".join(f"{arg}\\000" for arg in command)


def device_node_commands(plan: ImagePlan, tree: Path) -> list[str]:
    """debugfs commands setting the passive translator records of the nodes in TREE.

    Empty unless PLAN is a Hurd image whose tree `install_hurd` prepared.
    builders/pipeline.py asks for them for the partitions the Hurd's root
    initializer (initialize-hurd-root-partition) fills, as Guix's
    make-hurd-device-nodes runs only for those.
    """
    if plan.os is None or not plan.is_hurd or not (tree / "servers").is_dir():
        return []
    commands = []
    for path, command, _ in TRANSLATORS:
        if os.path.lexists(tree / path.lstrip("/")):
            commands.append(f'ea_set "{path}" gnu.translator "{translator_value(command)}"')
    return commands


__all__ = ["HURD_ARCHITECTURES", "HURD_PACKAGES", "HurdParts", "TRANSLATORS", "device_node_commands",
           "install_hurd", "make_skeleton"]
