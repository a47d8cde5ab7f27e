"""The host name (host-name): rootfs.py writes /etc/hostname from the operating system's
host-name field, and rcS sets it (`hostname -F /etc/hostname`, builders/system/services/init.py)
whether or not a host-name service is declared: nothing more to do."""

from __future__ import annotations

from builders.system.services.registry import nothing_to_do

nothing_to_do("host_name", {"host-name": "rcS sets the host name from /etc/hostname"})
