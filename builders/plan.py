"""The build plan: plain, frozen Python data describing one image.

Lowering (lower.py) turns evaluated Scheme records into these values; after
that nothing looks at the configuration again, nor at the machine building
the image: everything a writer needs is decided here (the target system,
what fills each partition).  Every item that can be wrong
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
class LocalePlan:
    """The operating system's locale as its `locale-definition` says: NAME
    ("en_US.utf8") compiled from the locale source SOURCE ("en_US") in CHARSET ("UTF-8")."""

    name: str
    source: str
    charset: str


@dataclass(frozen=True)
class SpecialFilePlan:
    """A symbolic link the special-files service creates: /bin/sh -> TARGET."""

    path: str
    target: str
    package: str | None = None       # the package TARGET lives in, for the next stage
    origin: Origin | None = None


@dataclass(frozen=True)
class ShepherdServicePlan:
    """One Shepherd service, folded from the OS's services as Guix folds them
    (a <shepherd-service> that a service type's extension of
    shepherd-root-service-type computed).

    START, STOP and each action's procedure are Guile source text: the
    service's gexps written out, every package they reference replaced by
    where its Debian substitute installs it (`#$(file-append openssh
    "/sbin/sshd")` -> "/usr/sbin/sshd").  FILES lists those absolute paths,
    so the builder can check that each exists in the image."""

    provision: tuple[str, ...]                 # the first is its canonical name
    requirement: tuple[str, ...] = ()
    documentation: str = ""
    one_shot: bool = False
    respawn: bool = True
    auto_start: bool = True
    start: str = "(const #t)"
    stop: str = "(const #f)"
    actions: tuple[tuple[str, str], ...] = ()  # (name, procedure text)
    modules: tuple[str, ...] = ()              # Guile module names as written: "(ice-9 match)"
    packages: tuple[str, ...] = ()             # Guix package names the code references
    files: tuple[str, ...] = ()                # absolute paths in the image the code references
    service: str = ""                          # the service type it was folded from: "openssh"
    # Added with the fold (builders/lowering/services.py):
    free_form: str = ""                        # Guile code for the whole service ((system-log-service ...)),
                                               # used instead of START/STOP when set, as Guix's free-form
    debian_packages: tuple[str, ...] = ()      # Debian packages that hold FILES, where the fold knows them
    respawn_limit: str = ""                    # Guile expression for #:respawn-limit, "" for the default
    respawn_delay: str = ""                    # Guile expression for #:respawn-delay, "" for the default
    transient: bool = False


@dataclass(frozen=True)
class ActivationPlan:
    """A Guile snippet a service runs at every boot before the Shepherd services
    start (Guix's activation-service-type extensions): text, as START above."""

    code: str
    service: str = ""                          # the service type it came from
    packages: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    debian_packages: tuple[str, ...] = ()      # Debian packages that hold FILES, where the fold knows them


@dataclass(frozen=True)
class ServiceNote:
    """Something the fold left out, and why (a warning for the build to show;
    `--strict` may make it an error)."""

    service: str                               # the service type concerned
    message: str
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
    # The services folded as Guix folds them (builders/lowering/services.py):
    shepherd_services: tuple[ShepherdServicePlan, ...] = ()
    service_users: tuple[UserPlan, ...] = ()         # account-service-type extensions (sshd, nscd, ...)
    service_groups: tuple[GroupPlan, ...] = ()
    activation: tuple[ActivationPlan, ...] = ()
    profile_packages: tuple[str, ...] = ()           # profile-service-type extensions (package names)
    service_notes: tuple[ServiceNote, ...] = ()      # what the fold left out, and why
    locale_definition: LocalePlan | None = None      # how to compile `locale` (None: C, POSIX)


@dataclass(frozen=True)
class Initializer:
    """What a partition initializer of Guix's puts in its partition
    (gnu/build/image.scm), by name: the partition's content follows it, not
    the partition's flags ('boot marks the root, 'esp the partition type)."""

    name: str
    content: str                     # "root": the operating system's tree; "esp": the EFI loader
    efi32: bool = False              # esp: the 32-bit UEFI loader (BOOTIA32.EFI), not the system's own
    device_nodes: bool = False       # root: also the Hurd's device and server nodes (make-hurd-device-nodes)


# Guix's initializers; a partition whose initializer is #f is built with initialize-root-partition.
DEFAULT_INITIALIZER = "initialize-root-partition"
INITIALIZERS: dict[str, Initializer] = {i.name: i for i in (
    Initializer("initialize-root-partition", "root"),
    Initializer("initialize-hurd-root-partition", "root", device_nodes=True),
    Initializer("initialize-efi-partition", "esp"),
    Initializer("initialize-efi32-partition", "esp", efi32=True),
)}


@dataclass(frozen=True)
class PartitionPlan:
    label: str
    file_system: str
    size: int | None                 # bytes; None = 'guess
    offset: int                      # bytes; 0 = right after the previous partition
    file_system_options: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    uuid: str | None = None
    initializer: str = DEFAULT_INITIALIZER   # a name of INITIALIZERS (lowering refuses any other)
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

    @property
    def initialization(self) -> Initializer:
        """What fills the partition (its initializer's entry in INITIALIZERS)."""
        return INITIALIZERS[self.initializer]


@dataclass(frozen=True)
class ImagePlan:
    name: str                        # output file name stem
    format: str                      # disk-image, compressed-qcow2, iso9660, docker, tarball, wsl2
    partition_table: str             # mbr or gpt
    partitions: tuple[PartitionPlan, ...]
    platform_system: str | None      # the image's platform: "aarch64-linux", or None when it names none
    platform_target: str | None
    root_size: int | None            # --image-size / image size (for a 'guess root)
    compression: bool
    volatile_root: bool
    shared_store: bool
    os: OsPlan | None
    type_name: str | None = None
    origin: Origin | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # The Nix-style system the image is for ("x86_64-linux", "aarch64-linux", "i586-gnu"),
    # decided by lowering: the platform's, else the build machine's (as Guix does).  Given
    # only PLATFORM_SYSTEM, it is that; writers read it here, never from the host.
    system: str = ""

    def __post_init__(self) -> None:
        if not self.system:
            if not self.platform_system:
                raise ValueError("ImagePlan: no system (lowering decides it)")
            object.__setattr__(self, "system", self.platform_system)

    @property
    def is_hurd(self) -> bool:
        """A GNU/Hurd image: the OS names a Hurd, or the system is one (i586-gnu, x86_64-gnu)."""
        return bool(self.os and self.os.hurd) or self.system.endswith("-gnu")

    @property
    def root_index(self) -> int | None:
        """The root partition (the first with the 'boot flag), or None."""
        return next((i for i, p in enumerate(self.partitions) if p.is_root), None)

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
