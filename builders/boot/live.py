"""Live ISO images: what grub-mkrescue gives Guix's `iso9660` images (gnu/system/image.scm's iso9660 images).

Guix runs `grub-mkrescue -o IMAGE boot/grub/grub.cfg=BOOTCFG tmp-root`; the
image boots on BIOS and UEFI machines, from a CD or a USB stick, into a root
that is the ISO itself under an overlay on tmpfs ("volatile").  pyguix
writes the ISO with pycdlib (formats/iso9660.py) and adds to the root tree
what grub-mkrescue would:

* `bootable.prepare(live=True)` installs the system, /boot/vmlinuz, an
  /boot/initrd.img that finds the ISO by its "UUID" (the volume date) and
  mounts it read-only with a tmpfs overlay, and /boot/grub/grub.cfg (menu
  entry `search --fs-uuid`, `linux ... root=UUID=...`, `initrd ...`);
* BIOS: GRUB's i386-pc El Torito image (cdboot.img + core.img with every
  module linked in and a small config that finds the ISO by its UUID and
  loads /boot/grub/grub.cfg from it) at /boot/grub/i386-pc/eltorito.img,
  booted as grub-mkrescue does: no emulation, 4 sectors loaded, boot info
  table;
* UEFI: an EFI system image, a small FAT file built with builders.disk.fs
  holding EFI/BOOT/BOOTX64.EFI (GRUB x86_64-efi with the same embedded
  config, iso9660 linked in) at /boot/grub/efi.img, the second El Torito
  entry (platform id 0xEF).

Every input is fixed (GRUB's images depend only on their inputs, the FAT
image's serial is seeded from the plan, dates are the build epoch), so two
builds give the same bytes.  Not done: the isohybrid MBR that lets
grub-mkrescue's images boot from a USB stick on BIOS machines, and zisofs
compression (`iso9660` and `uncompressed-iso9660` give the same image).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from builders.boot import bootable
from builders.boot.bootloaders.grub import (
    EFI_MODULES,
    EFI_TARGETS,
    GrubError,
    efi_file_name,
    grub_tools,
    make_grub_eltorito,
    mkimage,
)
from builders.boot.bootloaders.grub import early_config as grub_early_config
from builders.context import BuildContext
from builders.determinism import u32_from_seed
from builders.disk.fs import content_size, make_filesystem
from builders.disk.placement import align_up
from builders.errors import BuildError

ELTORITO_PATH = "boot/grub/i386-pc/eltorito.img"   # where grub-mkrescue puts it
EFI_IMAGE_PATH = "boot/grub/efi.img"
EFI_IMAGE_LABEL = "GUIX_EFI"
# GRUB modules linked into the EFI loader of an ISO: the disk images' set, plus ISO 9660.
EFI_REQUIRED = ("part_gpt", "part_msdos", "iso9660", "normal", "linux", "search", "serial", "terminal",
                "configfile")
# Systems whose ISOs get El Torito entries (GRUB's i386-pc core cannot start anything else).
X86_SYSTEMS = ("x86_64-linux", "i686-linux")


@dataclass
class LiveBoot:
    """The El Torito images (paths inside the root tree) and what could not be realized."""

    bios_image: Path | None = None
    efi_image: Path | None = None
    warnings: list[str] = field(default_factory=list)


def prepare_live(ctx: BuildContext, tree: Path, *, uuid: str) -> LiveBoot:
    """Make TREE a bootable live root whose ISO will have the volume date UUID."""
    if ctx.plan.is_hurd:
        raise BuildError("ISO 9660 images of the Hurd are not supported",
                         "build a hurd-raw or hurd-qcow2 image instead")
    system, work = ctx.plan.system, ctx.work
    boot = bootable.prepare(ctx, tree, root_uuid=uuid, root_index=1, live=True)
    live = LiveBoot(warnings=list(boot.warnings))
    if system not in X86_SYSTEMS:
        live.warnings.append(f"the ISO image for {system} has no El Torito boot entries "
                             "(pyguix makes them for x86_64-linux and i686-linux only)")
        return live
    config = early_config(uuid)
    live.bios_image = install_file(eltorito_image(work / "eltorito.img", config, boot.context.grub_dirs),
                                   tree / ELTORITO_PATH)
    arch = (boot.context.efi_archs or ("x86_64",))[0]
    efi = efi_system_image(work, arch, config, seed=ctx.seed, stamp=ctx.epoch, grub_dirs=boot.context.grub_dirs)
    live.efi_image = install_file(efi, tree / EFI_IMAGE_PATH)
    return live


def early_config(uuid: str) -> str:
    """The config embedded in GRUB's images: find the ISO by its UUID, read its /boot/grub."""
    return grub_early_config(root_uuid=uuid)


def eltorito_image(out: Path, config: str, grub_dirs=None) -> Path:
    """GRUB's i386-pc-eltorito image (cdboot.img followed by core.img)."""
    return make_grub_eltorito(out, config, grub_dirs=grub_dirs)


def efi_loader(out: Path, arch: str, config: str, grub_dirs=None) -> Path:
    """A standalone GRUB EFI application that can read ISO 9660."""
    try:
        fmt, _ = EFI_TARGETS[arch]
    except KeyError:
        raise GrubError(f"no GRUB EFI target for {arch!r}") from None
    return mkimage(grub_tools(grub_dirs), fmt, out, config, EFI_MODULES + ("iso9660",), required=EFI_REQUIRED)


def efi_system_image(work: Path, arch: str, config: str, *, seed: bytes, stamp: int, grub_dirs=None) -> Path:
    """The El Torito EFI image: a FAT file system holding EFI/BOOT/BOOT<ARCH>.EFI."""
    esp = work / "efi-image-tree"
    loader_dir = esp / "EFI" / "BOOT"
    loader_dir.mkdir(parents=True)
    efi_loader(loader_dir / efi_file_name(arch), arch, config, grub_dirs)
    # Room for the FAT tables and directories; whole MiBs, as grub-mkrescue's image is sized.
    size = align_up(content_size(esp) + (512 << 10), 1 << 20)
    serial = u32_from_seed(seed, "iso9660-efi-image")
    out = work / "efi.img"
    make_filesystem("vfat", esp, out, size, EFI_IMAGE_LABEL, f"{serial >> 16:04X}-{serial & 0xFFFF:04X}", (), stamp)
    return out


def install_file(source: Path, target: Path) -> Path:
    """Copy SOURCE to TARGET in the root tree (mode 0644) and return TARGET."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for parent in (target.parent, target.parent.parent):
        os.chmod(parent, 0o755)
    if target.is_symlink():
        target.unlink()
    with open(source, "rb") as fin, open(target, "xb") as fout:  # never through a link
        shutil.copyfileobj(fin, fout, 1 << 20)
    os.chmod(target, 0o644)
    return target
