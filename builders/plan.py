"""The build plan: plain, frozen Python data describing one image.

Lowering (lower.py) turns evaluated Scheme records into these values; after
that nothing looks at the configuration again.  Every item that can be wrong
remembers where it came from (an Origin), so a build error can point at the
user's file.  `'guess` survives as `size=None` until the content is known.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Origin:
    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class RawWrite:
    """A bootloader blob written at a byte offset of the disk (U-Boot boards)."""

    file: str
    offset: int
    size: int | None = None          # None: the whole file


@dataclass(frozen=True)
class BootloaderPlan:
    name: str                        # 'grub', 'grub-efi', 'u-boot', 'extlinux', ...
    package: str | None
    configuration_file: str          # /boot/grub/grub.cfg, /boot/extlinux/extlinux.conf
    targets: tuple[str, ...] = ()
    raw_writes: tuple[RawWrite, ...] = ()
    timeout: int = 5
    default_entry: int = 0
    terminal_outputs: tuple[str, ...] = ("gfxterm",)
    serial_unit: int | None = None
    serial_speed: int | None = None
    device_tree_support: bool = True
    origin: Origin | None = None


@dataclass(frozen=True)
class FileSystemPlan:
    device: str                      # "/dev/sda1", "label:my-root", "uuid:1234-..."
    mount_point: str
    type: str
    options: str | None = None
    flags: tuple[str, ...] = ()
    needed_for_boot: bool = False
    check: bool = True


@dataclass(frozen=True)
class UserPlan:
    name: str
    group: str
    uid: int | None
    password: str | None             # a crypt hash, "" (no password) or None (locked)
    supplementary_groups: tuple[str, ...]
    comment: str
    home: str
    shell: str
    system: bool
    create_home: bool


@dataclass(frozen=True)
class GroupPlan:
    name: str
    id: int | None
    system: bool


@dataclass(frozen=True)
class ServicePlan:
    kind: str                        # the service type's name
    value: Any                       # JSON-friendly summary of the configuration
    extends: tuple[str, ...] = ()    # names of the service types it extends (etc, special-files, ...)


@dataclass(frozen=True)
class EtcFilePlan:
    """A file the OS places in its tree: /etc/NAME from etc-service-type, /etc/motd, ...

    Exactly one of CONTENT (the file's text; base64 when ENCODING is
    "base64") and SOURCE (a host path, for local-file: copied, recursively
    for a directory) is set.  SHA256 covers the bytes (for SOURCE: the
    file, or the sorted tree), so the plan's hash changes when they do.
    """

    path: str                        # absolute path in the image, "/etc/motd"
    content: str | None = None
    encoding: str = "utf-8"          # "utf-8" or "base64" (for CONTENT)
    source: str | None = None
    mode: int = 0o444
    sha256: str = ""
    origin: Origin | None = None


@dataclass(frozen=True)
class SpecialFilePlan:
    """A symbolic link the special-files service creates: /bin/sh -> TARGET."""

    path: str
    target: str
    package: str | None = None       # the package TARGET lives in, for the next stage
    origin: Origin | None = None


@dataclass(frozen=True)
class OsPlan:
    host_name: str
    timezone: str
    locale: str
    label: str
    kernel: str | None               # package name
    hurd: str | None
    kernel_arguments: tuple[str, ...]
    initrd_modules: tuple[str, ...]
    bootloader: BootloaderPlan
    file_systems: tuple[FileSystemPlan, ...]
    users: tuple[UserPlan, ...]
    groups: tuple[GroupPlan, ...]
    packages: tuple[str, ...]
    services: tuple[ServicePlan, ...]
    issue: str
    origin: Origin | None = None
    config_source: str = ""          # the configuration printed back (/etc/config.scm)
    etc_files: tuple[EtcFilePlan, ...] = ()
    special_files: tuple[SpecialFilePlan, ...] = ()


@dataclass(frozen=True)
class PartitionPlan:
    label: str
    file_system: str
    size: int | None                 # bytes; None = 'guess
    offset: int                      # bytes; 0 = right after the previous partition
    file_system_options: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    uuid: str | None = None
    initializer: str | None = None
    origin: Origin | None = None
    size_origin: Origin | None = None        # where the size / offset / file system were written
    offset_origin: Origin | None = None
    file_system_origin: Origin | None = None

    @property
    def is_root(self) -> bool:
        return "boot" in self.flags

    @property
    def is_esp(self) -> bool:
        return "esp" in self.flags


@dataclass(frozen=True)
class ImagePlan:
    name: str                        # output file name stem
    format: str                      # disk-image, compressed-qcow2, iso9660, docker, tarball, wsl2
    partition_table: str             # mbr or gpt
    partitions: tuple[PartitionPlan, ...]
    platform_system: str | None      # "aarch64-linux", or None: this machine
    platform_target: str | None
    root_size: int | None            # --image-size / image size (for a 'guess root)
    compression: bool
    volatile_root: bool
    shared_store: bool
    os: OsPlan | None
    type_name: str | None = None
    origin: Origin | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True, default=str)

    def identity_json(self) -> str:
        """The plan without what does not affect the image's bytes: source
        locations (Origins) and host paths of local files (their SHA-256
        stays).  Building the same configuration from another directory,
        or through another path, gives the same identity."""
        return json.dumps(_strip(dataclasses.asdict(self)), sort_keys=True, separators=(",", ":"), default=str)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items()
                if k not in ("origin", "source") and not k.endswith("_origin")}
    if isinstance(value, (list, tuple)):
        return [_strip(v) for v in value]
    return value
