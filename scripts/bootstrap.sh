#!/usr/bin/env bash
# Set up everything pyguix and its tests need on a Debian/Ubuntu machine:
# the Debian tools the builders call and the tests check images with, and a
# virtual environment (.venv) with pyguix installed from this checkout.
# Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3-venv            # the virtual environment
  guile-3.0               # reference reader for the differential tests
  e2fsprogs               # mke2fs, debugfs, e2fsck, dumpe2fs
  dosfstools mtools       # fsck.fat, mdir, mcopy (checking FAT partitions)
  fdisk gdisk             # sfdisk, sgdisk (checking partition tables)
  qemu-utils              # qemu-img (checking qcow2 images)
  xorriso genisoimage     # checking ISO images (xorriso, isoinfo)
  zstd cpio
  qemu-system-x86 ovmf    # boot tests: SeaBIOS and UEFI firmware
  qemu-system-arm u-boot-qemu  # board boot test: QEMU virt with Debian's qemu_arm64 U-Boot
  skopeo umoci            # container test: load and unpack the docker archive (tests/test_container_system.py)
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ] || [ ! -x .venv/bin/pip ]; then   # none yet, or one cut short
  rm -rf .venv
  python3 -m venv .venv
fi
.venv/bin/pip install -q --upgrade pip >/dev/null
.venv/bin/pip install -q '.[test]'
