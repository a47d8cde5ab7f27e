"""Making an image bootable: bootable.py (kernel, initrd, bootloader
configuration), the bootloaders (bootloaders/: GRUB, extlinux), U-Boot boards
(boards.py), the Hurd (hurd.py) and live ISOs (live.py)."""
