"""Making an image bootable: the system, kernel, initrd and bootloader.

The pipeline calls, in order:

1. `prepare(ctx, tree, ...)` once the root tree is staged: realizes the
   packages from substitutes, installs the busybox-based running system,
   copies the kernel and writes the initrd into /boot (GNU Mach for the
   Hurd), writes the bootloader's configuration file;
2. `esp_files(ctx, parts, initializer)` for each partition an ESP
   initializer fills: the EFI loader(s) it holds;
3. `finish(parts, raw_disk)` once the raw disk is assembled: writes the
   bootloader's boot code (GRUB's boot.img and core.img for BIOS).

Everything about the target comes from the plan (`plan.system`,
`plan.is_hurd`), never from the machine building the image.

What cannot be realized — declared packages without a substitute, services
the busybox system does not run, the Hurd's servers — is collected in
`BootParts.warnings`; with `strict` it is an error instead.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from builders.boot.boards import install_board
from builders.boot.bootloaders import BootContext, Installer, installer_for
from builders.boot.hurd import install_hurd
from builders.boot.system import system_packages
from builders.context import BuildContext
from builders.disk.assemble import write_at
from builders.errors import BuildError, error_at
from builders.plan import ImagePlan, Initializer
from builders.substitutes import SubstituteUnavailable, realize_guix
from builders.substitutes.mapping import debian_architecture, debian_packages, unavailable_reason
from builders.substitutes.provider import realize
from builders.system.depmod import install_module_index
from builders.system.initrd import make_initrd
from builders.system.kernel_modules import kernel_image
from builders.system.locales import compile_locale
from builders.system.running import install_system
from builders.system.shepherd_system import SYSTEM, SystemPackage, install_shepherd_system
from builders.tree import Tree

# Guix's ESP initializer makes the EFI loader of the build host's type (Guix's initialize-efi-partition).
EFI_ARCHS = {"x86_64-linux": ("x86_64",), "i686-linux": ("i386",), "i586-gnu": ("i386",), "x86_64-gnu": ("x86_64",)}
# initialize-efi32-partition: the 32-bit UEFI loader of the system's family.
EFI32_ARCHS = {"x86_64-linux": ("i386",), "i686-linux": ("i386",), "i586-gnu": ("i386",), "x86_64-gnu": ("i386",)}


@dataclass
class BootParts:
    installer: Installer
    context: BootContext
    warnings: list[str] = field(default_factory=list)
    write_boot_code: bool = True
    raw_writes: list = field(default_factory=list)   # (offset, bytes or Path, name): U-Boot blobs


def prepare(ctx: BuildContext, tree: Path, *, root_uuid: str, root_index: int, live: bool = False) -> BootParts:
    """Install the running system, kernel, initrd and bootloader configuration into TREE.

    LIVE (ISO images): the root is the ISO 9660 file system found by ROOT_UUID
    (its volume date), mounted read-only under a tmpfs overlay, and the
    bootloader is GRUB as grub-mkrescue sets it up, whatever the OS declares
    (Guix's operating-system-for-image does the same); builders/boot/live.py makes
    the El Torito images."""
    plan = ctx.plan
    assert plan.os is not None
    provider, system, stamp = ctx.provider, plan.system, ctx.epoch
    has_esp = not live and any(p.initialization.content == "esp" for p in plan.partitions)
    warnings = unrealizable_packages(plan, system)
    Tree(tree).mkdir("boot", 0o755)
    hurd_modules: tuple[str, ...] = ()
    fdtdir: str | None = None
    raw_writes: list = []
    if plan.is_hurd:
        hurd = install_hurd(plan, provider, system, tree, root_index=root_index)
        kernel_path, initrd_path, hurd_modules = hurd.kernel_path, None, hurd.module_lines
        if "hurd" in hurd.installed:  # a --substitutes folder provided the Hurd after all
            warnings = unrealizable_packages(plan, system, provided={"hurd"})
        warnings += hurd.warnings
    else:
        kernel_path, initrd_path, unrealized = _install_linux(plan, provider, system, tree, root_uuid, stamp,
                                                              live=live, init=ctx.options.init)
        if ctx.options.init == "shepherd":
            warnings = unrealized  # the declared packages are realized now: these are the system's own warnings
        else:
            warnings += [f"service '{s}' is not realized: {_explain(s)}" for s in unrealized]
        if plan.os.bootloader.name in ("u-boot", "extlinux", "extlinux-gpt") and not live:
            board = install_board(plan, provider, system, tree)
            fdtdir, raw_writes = board.fdtdir, board.raw_writes
            warnings += board.warnings
    installer = installer_for("grub-mkrescue" if live else plan.os.bootloader.name)
    context = BootContext(
        os_plan=plan.os, table=plan.partition_table, root_partition_index=root_index, root_uuid=root_uuid,
        kernel_path=kernel_path, initrd_path=initrd_path, hurd=plan.is_hurd, hurd_module_lines=hurd_modules,
        fdtdir=fdtdir, efi_archs=EFI_ARCHS.get(system, ()), grub_dirs=provider,
    )
    image = Tree(tree)
    try:
        text = installer.config_text(context)
    except ValueError as e:  # e.g. a serial-unit GRUB cannot use
        raise error_at(plan.os.bootloader.origin, f"{plan.os.bootloader.name}: {e}") from None
    image.mkdir(str(Path(installer.config_file).parent), 0o755)
    image.write_text(installer.config_file, text, 0o644)
    # Guix's GPT images have no BIOS boot partition, so BIOS GRUB has nowhere
    # to put its core image there: such an image boots through its ESP (UEFI).
    bios_on_gpt = installer.name == "grub" and plan.partition_table == "gpt"
    if bios_on_gpt:
        warnings.append("grub-bootloader on a GPT image: no BIOS boot code is written (the image has no BIOS "
                        "boot partition); it boots on UEFI through the ESP" if has_esp else
                        "grub-bootloader on a GPT image without an ESP: the image is not bootable")
    if ctx.options.strict and warnings:
        raise BuildError("--strict: " + "; ".join(warnings))
    return BootParts(installer, context, warnings, write_boot_code=not bios_on_gpt, raw_writes=raw_writes)


def esp_files(ctx: BuildContext, parts: BootParts, initializer: Initializer) -> dict[str, Path]:
    """What an ESP INITIALIZER puts in its partition: the EFI loader(s), as
    {path in the partition: file in the work directory}.  The 32-bit one
    (initialize-efi32-partition) makes the 32-bit loader; a grub-efi
    bootloader makes its own kind."""
    archs = (EFI32_ARCHS if initializer.efi32 else EFI_ARCHS).get(ctx.plan.system, ())
    context = dataclasses.replace(parts.context, efi_archs=archs)
    return parts.installer.esp_files(context, ctx.work)


def finish(parts: BootParts, raw_disk: Path) -> None:
    """Write the bootloader's boot code into the assembled disk: GRUB's boot
    sector and core image, or a board's U-Boot blobs at their offsets."""
    if parts.write_boot_code:
        parts.installer.install(parts.context, raw_disk)
    for offset, data, name in parts.raw_writes:
        write_at(raw_disk, offset, data, name=name)


def unrealizable_packages(plan: ImagePlan, system: str, provided: AbstractSet[str] = frozenset()) -> list[str]:
    by_reason: dict[str, list[str]] = {}
    for name in plan.os.packages if plan.os else ():
        if name not in provided and debian_packages(name, system) is None:
            reason = unavailable_reason(name, system) or "no substitute is known for it"
            general = reason.replace(f" for the Guix package '{name}'", "").replace(f"'{name}' ", "")
            by_reason.setdefault(general, []).append(name)
    return [f"{len(names)} declared package(s) not realized for {system} ({', '.join(names)}): {reason}"
            for reason, names in by_reason.items()]


def install_declared_system(plan: ImagePlan, provider, system: str, tree: Path,
                            kernel_dir: Path | None = None) -> list[str]:
    """The declared system (Debian's packages, the Shepherd as PID 1) in TREE; returns warnings.
    KERNEL_DIR: the kernel's extracted package, whose modules the system gets too."""
    assert plan.os is not None
    arch = debian_architecture(system)
    found = system_packages(plan.os, provider, system, arch)
    packages = list(found.packages)
    if kernel_dir is not None:
        packages.append(SystemPackage(name=plan.os.kernel or "kernel", path=kernel_dir))
    source = plan.origin.file if plan.origin else ""
    warnings = list(found.warnings)
    if plan.os.locale_definition is not None:      # before the packages: theirs do not replace it
        warnings += filter(None, [compile_locale(plan.os.locale_definition, provider, arch, Tree(tree))])
    warnings += install_shepherd_system(plan.os, tree, packages, source=source)
    if kernel_dir is not None:                      # after the packages: the modules are in the tree
        warnings += filter(None, [install_module_index(Tree(tree), kernel_dir, provider)])
    return warnings


def _install_linux(plan: ImagePlan, provider, system: str, tree: Path, root_uuid: str,
                   stamp: int, live: bool = False, init: str = "shepherd") -> tuple[str, str, list[str]]:
    assert plan.os is not None
    arch = debian_architecture(system)
    if not plan.os.kernel:
        raise BuildError("the operating system declares no kernel")
    kernel_dir = realize_guix(provider, plan.os.kernel, system)
    busybox_dir = realize(provider, ["busybox-static"], arch)
    fsck_dir = _optional(lambda: realize(provider, ["e2fsck-static"], arch))
    init_program = f"/{SYSTEM}/boot" if init == "shepherd" else "/sbin/init"
    # The initrd needs only the kernel's and busybox's packages: it is made, in a folder
    # of its own beside the tree, while the system is installed into the tree.
    scratch = Path(tempfile.mkdtemp(prefix=".initrd-", dir=tree.parent))
    try:
        with ThreadPoolExecutor(1) as pool:
            initrd = pool.submit(make_initrd, plan.os, kernel_dir, busybox_dir, arch, scratch / "initrd.img",
                                 fsck_dir=fsck_dir, root=f"UUID={root_uuid}", epoch=stamp,
                                 root_type="iso9660" if live else None, volatile=live, init=init_program)
            if init == "shepherd":
                unrealized = install_declared_system(plan, provider, system, tree, kernel_dir)
            else:
                tzdata_dir = _optional(lambda: realize(provider, ["tzdata"], "all"))
                unrealized = install_system(plan.os, tree, busybox_dir, arch, tzdata_dir=tzdata_dir)
            built = initrd.result()
        image = Tree(tree)
        kernel = str(kernel_image(kernel_dir).relative_to(kernel_dir))
        if init == "shepherd" and not live and image.is_file(kernel):
            image.link("boot/vmlinuz", kernel)     # the declared system has the kernel's package: no second copy
        else:
            image.copy_from(Tree(kernel_dir), kernel, "boot/vmlinuz", 0o644)
        image.copy_in("boot/initrd.img", built, 0o644)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return "/boot/vmlinuz", "/boot/initrd.img", unrealized


def _optional(fn):
    """FN's package directory, or None when the package cannot be had at all
    (a package that was refused, e.g. a hostile .deb, stays an error)."""
    try:
        return fn()
    except SubstituteUnavailable:
        return None


def _explain(kind: str) -> str:
    from builders.system.running import explain

    return explain(kind)
