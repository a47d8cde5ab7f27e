"""The initial RAM disk: busybox, the kernel modules the root needs, and /init.

`plan_initrd` decides what goes in (modules in load order, compression) and
`make_initrd` writes the archive: a deterministic newc cpio (cpio.py),
compressed with zstd when the kernel's config has RD_ZSTD, else gzip.

The modules are the OS's `initrd-modules` (Guix's default list when the OS
did not set one; lower.py already put it in the plan), keeping those this
kernel has, plus what the boot file systems and the usual virtual and
SATA/IDE disks need, with their dependency closure (modules.py).

/init (a busybox sh script) mounts devtmpfs, proc and sysfs, loads the
modules in order, finds the root device from `root=` (LABEL=, UUID=, or a
device path; the plan's root file system when the command line has none),
polling up to ~10 s, checks it with e2fsck -p when an e2fsck is in the
initrd, mounts it read-write, moves /dev into it and switch_roots to
/sbin/init (or `init=`).

Live images (ISO 9660 root, `volatile`): the ISO is found by its volume id
or volume-date "UUID" (findfs, else by reading its volume descriptor), and
mounted read-only under an overlay whose upper layer is a tmpfs, so the
running system can write anywhere and forgets it all at power-off; the
CD-ROM, ISO 9660 and overlay modules are added.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from pathlib import Path

from builders.errors import BuildError
from builders.plan import FileSystemPlan, OsPlan
from builders.system import cpio
from builders.system.kernel_modules import KernelModules, canonical, kernel_config, read_module
from builders.tree import in_package

# Disk drivers loaded besides the OS's list, per architecture (only those the kernel has).
DISK_MODULES: dict[str, tuple[str, ...]] = {
    "x86_64": ("virtio_pci", "virtio_blk", "virtio_scsi", "ata_piix", "ahci", "sd_mod", "nvme"),
    "i686": ("virtio_pci", "virtio_blk", "virtio_scsi", "ata_piix", "ahci", "sd_mod", "nvme"),
    "aarch64": ("virtio_mmio", "virtio_pci", "virtio_blk", "virtio_scsi", "sd_mod", "ahci", "nvme",
                "mmc_block", "sunxi_mmc", "sdhci_of_arasan", "dw_mmc_rockchip"),
    "armhf": ("virtio_mmio", "virtio_pci", "virtio_blk", "virtio_scsi", "sd_mod", "ahci",
              "mmc_block", "sunxi_mmc"),
    # SiFive's SD card sits on SPI (HiFive Unmatched); the StarFive JH7110's is a DesignWare MMC.
    "riscv64": ("virtio_mmio", "virtio_pci", "virtio_blk", "virtio_scsi", "sd_mod", "nvme",
                "mmc_block", "mmc_spi", "dw_mmc_starfive"),
}

# File-system type -> modules that mount it (Guix's file-system-type->modules, in spirit).
FS_MODULES: dict[str, tuple[str, ...]] = {
    "ext2": ("ext4",), "ext3": ("ext4",), "ext4": ("ext4",),
    "vfat": ("vfat", "nls_cp437", "nls_iso8859_1"), "fat": ("vfat", "nls_cp437", "nls_iso8859_1"),
    "btrfs": ("btrfs",), "xfs": ("xfs",), "f2fs": ("f2fs",), "jfs": ("jfs",),
    "iso9660": ("isofs",), "bcachefs": ("bcachefs",), "ntfs3": ("ntfs3",),
}

# A live image's root: the ISO 9660 file system on a CD drive (IDE/SATA/SCSI), under an
# overlay whose upper layer is a tmpfs (Guix's volatile root).
LIVE_MODULES: dict[str, tuple[str, ...]] = {
    "iso9660": ("isofs", "cdrom", "sr_mod", "ata_piix", "ahci", "virtio_scsi"),
    "volatile": ("overlay",),
}

ARCH_ALIASES = {"x86_64": "x86_64", "amd64": "x86_64", "i686": "i686", "i386": "i686", "i586": "i686",
                "aarch64": "aarch64", "arm64": "aarch64", "armhf": "armhf", "armv7": "armhf", "arm": "armhf",
                "riscv64": "riscv64"}


def normalize_arch(arch: str) -> str:
    """'x86_64-linux', 'amd64', 'aarch64' ... -> x86_64 / i686 / aarch64 / armhf / riscv64."""
    base = arch.split("-")[0]
    try:
        return ARCH_ALIASES[base]
    except KeyError:
        raise BuildError(f"unsupported architecture for the initrd: {arch}",
                         f"pyguix makes initrds for {', '.join(sorted(set(ARCH_ALIASES.values())))}") from None


@dataclass(frozen=True)
class InitrdPlan:
    modules: tuple[str, ...]            # loadable modules, in load order
    missing: tuple[str, ...]            # requested by the OS but absent from this kernel
    builtin: tuple[str, ...]            # requested, compiled into the kernel
    compression: str                    # zstd, gzip or none
    root: str                           # default root spec (LABEL=..., UUID=..., /dev/...)
    root_type: str                      # root file system type
    kernel_release: str
    root_options: str = ""              # the "/" file system's options (rootflags= adds to them)
    volatile: bool = False              # read-only root under a tmpfs-backed overlay (live images)
    init: str = "/sbin/init"            # what runs as PID 1 on the root (`init=` overrides it)


def root_file_system(os_plan: OsPlan) -> FileSystemPlan | None:
    return next((fs for fs in os_plan.file_systems if fs.mount_point == "/"), None)


def device_spec(device: str) -> str:
    if device.startswith("label:"):
        return "LABEL=" + device[len("label:"):]
    if device.startswith("uuid:"):
        return "UUID=" + device[len("uuid:"):]
    return device


def choose_compression(config: dict[str, str]) -> str:
    """zstd when the kernel decompresses it, else gzip (else none)."""
    if not config:
        return "gzip"                   # no config shipped: gzip is the one every kernel has
    if config.get("CONFIG_RD_ZSTD") == "y":
        return "zstd"
    if config.get("CONFIG_RD_GZIP") == "y":
        return "gzip"
    return "none"


def plan_initrd(os_plan: OsPlan, kernel_dir: Path, arch: str, *, root: str | None = None,
                root_type: str | None = None, volatile: bool = False) -> InitrdPlan:
    """What the initrd of OS_PLAN holds with the kernel extracted in KERNEL_DIR.

    ROOT and ROOT_TYPE override the root device ("UUID=...", "LABEL=...") and
    type of the plan's "/" file system, as the image's root partition does;
    the kernel's root= argument overrides both at boot.  VOLATILE: mount the
    root read-only under an overlay with a tmpfs upper layer (live ISOs).
    """
    kernel = KernelModules(kernel_dir)
    arch = normalize_arch(arch)
    requested = [canonical(m) for m in os_plan.initrd_modules]
    missing = tuple(m for m in requested if not kernel.exists(m))
    builtin = tuple(m for m in requested if kernel.is_builtin(m))
    wanted = [m for m in requested if kernel.exists(m)]
    boot_types = [fs.type for fs in os_plan.file_systems if fs.mount_point == "/" or fs.needed_for_boot]
    if root_type:
        boot_types.append(root_type)
    for fs_type in boot_types:
        wanted += [m for m in FS_MODULES.get(fs_type, (fs_type,)) if kernel.exists(m)]
    wanted += [m for m in DISK_MODULES.get(arch, ()) if kernel.exists(m)]
    live = (LIVE_MODULES["iso9660"] if "iso9660" in boot_types else ()) + (LIVE_MODULES["volatile"] if volatile else ())
    wanted += [m for m in live if kernel.exists(m)]
    seen: set[str] = set()
    roots = [m for m in wanted if not (m in seen or seen.add(m))]  # type: ignore[func-returns-value]
    root_fs = root_file_system(os_plan)
    return InitrdPlan(
        modules=tuple(kernel.closure(roots)),
        missing=missing,
        builtin=builtin,
        compression=choose_compression(kernel_config(kernel_dir, kernel.release)),
        root=root or (device_spec(root_fs.device) if root_fs else ""),
        root_type=root_type or (root_fs.type if root_fs else "ext4"),
        kernel_release=str(kernel.release),
        root_options=(root_fs.options or "") if root_fs else "",
        volatile=volatile,
    )


def busybox_binary(busybox_dir: Path) -> Path:
    """The static busybox of an extracted busybox-static package (or a directory holding it)."""
    for rel in ("bin/busybox", "usr/bin/busybox", "busybox"):
        path = in_package(busybox_dir, rel)
        if path is not None:
            return path
    raise FileNotFoundError(f"no busybox binary in {busybox_dir}")


def e2fsck_binary(fsck_dir: Path | None) -> Path | None:
    """A static e2fsck in an extracted e2fsck-static package, if any."""
    if fsck_dir is None:
        return None
    for rel in ("sbin/e2fsck.static", "usr/sbin/e2fsck.static", "sbin/e2fsck", "e2fsck.static"):
        path = in_package(fsck_dir, rel)
        if path is not None:
            return path
    return None


_SAFE = re.compile(r"^[A-Za-z0-9_./=:,+-]*$")


def _quote(text: str) -> str:
    if _SAFE.match(text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


# Live images (sourced into /init when the root is ISO 9660 or volatile):
# `find_iso SPEC` finds the ISO 9660 image whose volume id (LABEL=) or volume
# date (UUID=, "YYYY-MM-DD-HH-MM-SS-CC" as blkid and GRUB spell it) is SPEC,
# reading the primary volume descriptor (sector 16 of 2048 bytes) itself, in
# case busybox's findfs does not know ISO 9660 UUIDs; `mount_volatile DEV`
# mounts DEV read-only on /real-root, a tmpfs on /rw-root and the overlay of
# the two on /newroot, as Guix's initrd does for a volatile root.
LIVE_FUNCTIONS = r"""iso_ids() {
  dd if="$1" of=/tmp/pvd bs=2048 skip=16 count=1 2>/dev/null || return 1
  [ "$(dd if=/tmp/pvd bs=1 skip=1 count=5 2>/dev/null)" = CD001 ] || return 1
  echo "LABEL=$(dd if=/tmp/pvd bs=1 skip=40 count=32 2>/dev/null | sed 's/ *$//')"
  for off in 830 813; do
    d=$(dd if=/tmp/pvd bs=1 skip=$off count=16 2>/dev/null)
    case "$d" in
      0000000000000000|"") ;;
      *) echo "UUID=$(echo "$d" | sed 's/^\(....\)\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)$/\1-\2-\3-\4-\5-\6-\7/')"; break ;;
    esac
  done
}

find_iso() {
  for d in /dev/sr* /dev/vd* /dev/sd* /dev/hd* /dev/nvme*n*; do
    [ -b "$d" ] || continue
    if iso_ids "$d" 2>/dev/null | grep -qixF "$1"; then echo "$d"; return 0; fi
  done
  return 1
}

mount_volatile() {
  mkdir -p /real-root /rw-root
  mount -t "$ROOTTYPE" -o "ro${ROOTFLAGS:+,$ROOTFLAGS}" "$1" /real-root || return 1
  if mount -t tmpfs -o mode=0755 tmpfs /rw-root && mkdir -p /rw-root/upper /rw-root/work &&
     mount -t overlay -o lowerdir=/real-root,upperdir=/rw-root/upper,workdir=/rw-root/work overlay /newroot; then
    return 0
  fi
  umount /rw-root 2>/dev/null
  umount /real-root
  return 1
}
"""  # noqa: E501 - shell text, written into the initrd byte for byte (one sed expression)


def init_script(plan: InitrdPlan, has_fsck: bool) -> str:
    """The /init of the initrd (busybox sh)."""
    modules = " ".join(plan.modules)
    fsck = "e2fsck" if has_fsck else ""
    live_functions = LIVE_FUNCTIONS if plan.volatile or plan.root_type == "iso9660" else ""
    return f"""#!/bin/sh
# pyguix initrd: load modules, find the root file system, switch to it.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
exec </dev/console >/dev/console 2>&1

rescue() {{
  echo "initrd: $*"
  echo "initrd: dropping to a shell; exit to retry the boot"
  sh
}}

for m in {modules}; do
  insmod /lib/modules/$m.ko 2>/dev/null || echo "initrd: could not load module $m"
done

ROOT={_quote(plan.root)}
ROOTTYPE={_quote(plan.root_type)}
ROOTFLAGS={_quote(plan.root_options)}
VOLATILE={"yes" if plan.volatile else ""}
INIT={_quote(plan.init)}
for x in $(cat /proc/cmdline); do
  case "$x" in
    root=*) ROOT="${{x#root=}}" ;;
    --root=*) ROOT="${{x#--root=}}" ;;
    rootfstype=*) ROOTTYPE="${{x#rootfstype=}}" ;;
    rootflags=*) ROOTFLAGS="${{ROOTFLAGS:+$ROOTFLAGS,}}${{x#rootflags=}}" ;;
    init=*) INIT="${{x#init=}}" ;;
  esac
done
case "$ROOT" in
  /dev/disk/by-label/*) ROOT="LABEL=${{ROOT#/dev/disk/by-label/}}" ;;
  /dev/disk/by-uuid/*) ROOT="UUID=${{ROOT#/dev/disk/by-uuid/}}" ;;
esac

{live_functions}
while :; do
  dev=""
  i=0
  while [ $i -lt 100 ]; do
    case "$ROOT" in
      LABEL=*|UUID=*) dev=$(findfs "$ROOT" 2>/dev/null) ;;
      *) [ -b "$ROOT" ] && dev="$ROOT" ;;
    esac
    [ -z "$dev" ] && [ "$ROOTTYPE" = iso9660 ] && dev=$(find_iso "$ROOT")
    [ -n "$dev" ] && break
    sleep 0.1
    i=$((i + 1))
  done
  if [ -z "$dev" ]; then rescue "root device $ROOT not found"; continue; fi
  FSCK={fsck}
  if [ -n "$FSCK" ] && command -v "$FSCK" >/dev/null; then
    case "$ROOTTYPE" in
      ext2|ext3|ext4)
        echo "initrd: checking $dev"
        "$FSCK" -p "$dev"
        rc=$?
        if [ $rc -ge 4 ]; then rescue "$FSCK -p $dev failed (exit $rc)"; continue; fi ;;
    esac
  fi
  if [ -n "$VOLATILE" ]; then
    echo "initrd: mounting $dev ($ROOT) read-only, with a volatile overlay on /"
    if mount_volatile "$dev"; then break; fi
  else
    echo "initrd: mounting $dev ($ROOT) on /"
    if mount -t "$ROOTTYPE" -o "rw${{ROOTFLAGS:+,$ROOTFLAGS}}" "$dev" /newroot; then break; fi
  fi
  rescue "could not mount $dev"
done

# /dev, /proc and /sys come along into the new root (the system's first program
# then need not mount them again); where the root has no place for them, they go.
mount --move /dev /newroot/dev
mount --move /proc /newroot/proc 2>/dev/null || umount /proc
mount --move /sys /newroot/sys 2>/dev/null || umount /sys
exec switch_root /newroot "$INIT"
"""


def initrd_entries(plan: InitrdPlan, kernel_dir: Path, busybox_dir: Path,
                   fsck_dir: Path | None = None) -> list[cpio.Entry]:
    kernel = KernelModules(kernel_dir, plan.kernel_release)
    fsck = e2fsck_binary(fsck_dir)
    entries = [
        cpio.directory("bin"), cpio.directory("sbin"), cpio.directory("dev"), cpio.directory("proc"),
        cpio.directory("sys"), cpio.directory("newroot"), cpio.directory("etc"), cpio.directory("lib"),
        cpio.directory("lib/modules"), cpio.directory("run"), cpio.directory("tmp", 0o1777),
        cpio.char_device("dev/console", 5, 1, 0o600),
        cpio.char_device("dev/null", 1, 3, 0o666),
        cpio.regular("bin/busybox", busybox_binary(busybox_dir).read_bytes(), 0o755),
        cpio.symlink("bin/sh", "busybox"),
        cpio.regular("init", init_script(plan, fsck is not None).encode(), 0o755),
        cpio.regular("etc/fstab", b""),
    ]
    if fsck is not None:
        entries.append(cpio.regular("sbin/e2fsck", fsck.read_bytes(), 0o755))
    for name in plan.modules:
        entries.append(cpio.regular(f"lib/modules/{name}.ko", read_module(kernel.files[name]), 0o644))
    return entries


def make_initrd(
    os_plan: OsPlan,
    kernel_dir: Path,
    busybox_dir: Path,
    arch: str,
    out: Path,
    *,
    fsck_dir: Path | None = None,
    root: str | None = None,
    root_type: str | None = None,
    compression: str | None = None,
    epoch: int = 1,
    volatile: bool = False,
    init: str = "/sbin/init",
) -> Path:
    """Write the initrd of OS_PLAN to OUT and return OUT.

    KERNEL_DIR and BUSYBOX_DIR are extracted packages (the kernel's and
    busybox-static's); FSCK_DIR an optional extracted e2fsck-static.
    ROOT/ROOT_TYPE/VOLATILE: see plan_initrd.  COMPRESSION overrides the choice made
    from the kernel's config.  EPOCH is every member's mtime.
    """
    plan = dataclasses.replace(plan_initrd(os_plan, kernel_dir, arch, root=root, root_type=root_type,
                                           volatile=volatile), init=init)
    method = compression or plan.compression
    entries = initrd_entries(plan, kernel_dir, busybox_dir, fsck_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    cpio.write_archive(entries, tmp, method, mtime=epoch)
    os.chmod(tmp, 0o644)
    os.replace(tmp, out)
    return out

