"""Bootloaders, looked up by the Guix bootloader name (BootloaderPlan.name).

`installer_for(name)` returns an Installer whose three steps the image
pipeline calls in order:

1. ``config_text(ctx)`` -> the text of ``installer.config_file`` (grub.cfg or
   extlinux.conf) to put in the root tree before the root file system is made;
2. ``esp_files(ctx, work)`` -> ``{path inside the ESP: host file}`` to copy into
   the EFI system partition before it is made (GRUB's BOOT*.EFI);
3. ``install(ctx, disk_image)`` -> writes to the assembled raw disk (GRUB's
   boot.img and core.img for BIOS).

`BootContext` carries what these steps need about the image being built.
Names: grub (BIOS), grub-efi, grub-efi32, their -removable/-netboot forms,
grub-mkrescue (ISO), extlinux, extlinux-gpt, u-boot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builders.errors import BuildError
from builders.plan import OsPlan


@dataclass(frozen=True)
class BootContext:
    """What a bootloader installer needs to know about the image.

    ROOT_PARTITION_INDEX is 1-based.  CORE_LBA is where GRUB's BIOS core.img
    goes: None means LBA 1 on MBR, and the BIOS boot partition's first LBA
    must be given on GPT.  GRUB_DIRS: extracted GRUB packages (None: ask the
    substitute provider).  Paths (kernel, initrd, fdtdir) are as seen on the
    root file system.
    """

    os_plan: OsPlan
    table: str                               # "mbr" or "gpt"
    root_partition_index: int
    root_uuid: str | None = None
    root_label: str | None = None
    kernel_path: str = "/boot/vmlinuz"
    initrd_path: str | None = "/boot/initrd.gz"
    hurd: bool = False
    hurd_module_lines: tuple[str, ...] = ()
    core_lba: int | None = None
    fdtdir: str | None = None
    efi_archs: tuple[str, ...] = ("x86_64",)  # ESP loaders made for BIOS-GRUB images (Guix: host's)
    grub_dirs: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


class Installer:
    """Base: a bootloader that writes a config file and nothing else."""

    name: str = ""
    config_file: str = "/boot/grub/grub.cfg"
    needs_gpt: bool = False

    def __init__(self, name: str) -> None:
        self.name = name

    def config_text(self, ctx: BootContext) -> str:
        raise NotImplementedError

    def esp_files(self, ctx: BootContext, work: Path) -> dict[str, Path]:
        return {}

    def install(self, ctx: BootContext, disk_image: Path) -> None:
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class GrubConfigMixin:
    def config_text(self, ctx: BootContext) -> str:
        from builders.boot.bootloaders.grubcfg import grub_cfg

        return grub_cfg(ctx.os_plan, root_uuid=ctx.root_uuid, root_label=ctx.root_label,
                        kernel_path=ctx.kernel_path, initrd_path=ctx.initrd_path, hurd=ctx.hurd,
                        root_partition_index=ctx.root_partition_index,
                        hurd_module_lines=ctx.hurd_module_lines)


def _efi_loader(ctx: BootContext, arch: str, work: Path) -> dict[str, Path]:
    from builders.boot.bootloaders.grub import efi_file_name, make_grub_efi

    name = efi_file_name(arch)
    out = make_grub_efi(work / name, arch, grub_dirs=ctx.grub_dirs, root_uuid=ctx.root_uuid,
                        root_label=ctx.root_label)
    return {f"EFI/BOOT/{name}": out}


class GrubBios(GrubConfigMixin, Installer):
    """grub-bootloader: boot.img in sector 0, core.img in the MBR gap / BIOS boot partition.

    Like Guix's ESP initializer, an ESP (if the image has one) also gets the
    removable-media EFI loader, so hybrid images boot on UEFI too.
    """

    def esp_files(self, ctx: BootContext, work: Path) -> dict[str, Path]:
        files: dict[str, Path] = {}
        for arch in ctx.efi_archs:
            files.update(_efi_loader(ctx, arch, work))
        return files

    def install(self, ctx: BootContext, disk_image: Path) -> None:
        from builders.boot.bootloaders.grub import install_grub_bios

        core_lba = ctx.core_lba
        if core_lba is None:
            if ctx.table != "mbr":
                raise BuildError("GRUB for BIOS on a GPT disk needs a BIOS boot partition (core_lba not given)",
                                 "use grub-efi-bootloader for GPT images, or add a BIOS boot partition")
            core_lba = 1
        install_grub_bios(disk_image, core_lba=core_lba, root_partition_index=ctx.root_partition_index,
                          table=ctx.table, grub_dirs=ctx.grub_dirs, root_uuid=ctx.root_uuid,
                          root_label=ctx.root_label)


class GrubEfi(GrubConfigMixin, Installer):
    """grub-efi family: a standalone BOOT<ARCH>.EFI in the ESP's EFI/BOOT; nothing else written."""

    needs_gpt = True

    def __init__(self, name: str, arch: str) -> None:
        super().__init__(name)
        self.arch = arch

    def esp_files(self, ctx: BootContext, work: Path) -> dict[str, Path]:
        return _efi_loader(ctx, self.arch, work)


class GrubRescue(GrubConfigMixin, Installer):
    """grub-mkrescue (ISO images): the ISO builder takes `eltorito_image` and `esp_files`."""

    def esp_files(self, ctx: BootContext, work: Path) -> dict[str, Path]:
        return _efi_loader(ctx, "x86_64", work)

    def eltorito_image(self, ctx: BootContext, work: Path) -> Path:
        from builders.boot.bootloaders.grub import early_config, make_grub_eltorito

        cfg = early_config(root_uuid=ctx.root_uuid, root_label=ctx.root_label)
        return make_grub_eltorito(work / "eltorito.img", cfg, grub_dirs=ctx.grub_dirs)


class Extlinux(Installer):
    """extlinux / U-Boot: /boot/extlinux/extlinux.conf (U-Boot's raw writes are done elsewhere)."""

    config_file = "/boot/extlinux/extlinux.conf"

    def config_text(self, ctx: BootContext) -> str:
        from builders.boot.bootloaders.extlinux import extlinux_conf

        if not ctx.initrd_path:
            raise BuildError("extlinux.conf needs an initrd")
        return extlinux_conf(ctx.os_plan, ctx.kernel_path, ctx.initrd_path, ctx.fdtdir,
                             root_uuid=ctx.root_uuid, root_label=ctx.root_label)


INSTALLERS: dict[str, Installer] = {
    "grub": GrubBios("grub"),
    "grub-efi": GrubEfi("grub-efi", "x86_64"),
    "grub-efi-removable-bootloader": GrubEfi("grub-efi-removable-bootloader", "x86_64"),
    "grub-efi-netboot-bootloader": GrubEfi("grub-efi-netboot-bootloader", "x86_64"),
    "grub-efi-netboot-removable-bootloader": GrubEfi("grub-efi-netboot-removable-bootloader", "x86_64"),
    "grub-efi32": GrubEfi("grub-efi32", "i386"),
    "grub-efi32-removable-bootloader": GrubEfi("grub-efi32-removable-bootloader", "i386"),
    "grub-mkrescue": GrubRescue("grub-mkrescue"),
    "extlinux": Extlinux("extlinux"),
    "extlinux-gpt": Extlinux("extlinux-gpt"),
    "u-boot": Extlinux("u-boot"),
}


def installer_for(name: str) -> Installer:
    """The installer of bootloader NAME; BuildError naming the known ones otherwise."""
    try:
        return INSTALLERS[name]
    except KeyError:
        raise BuildError(f"bootloader '{name}' is not supported for images",
                         f"supported bootloaders: {', '.join(INSTALLERS)}") from None


__all__ = ["BootContext", "INSTALLERS", "Installer", "installer_for"]
