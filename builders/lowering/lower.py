"""THE boundary: evaluated Scheme records -> the typed build plan (plan.py).

Every shape and combination check that needs the user's source lives here,
and raises ConfigError pointing at the field that is wrong.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from platform import machine as host_machine
from typing import Any

from builders import validate
from builders.disk.fs.ext import EXT_TYPES, MKE2FS_OPTIONS, check_mke2fs_options
from builders.disk.fs.vfat import parse_options
from builders.lowering.config_source import os_config_source
from builders.lowering.digest import source_digest
from builders.lowering.services import fold_services
from builders.lowering.show import uuid_string
from builders.plan import (
    DEFAULT_INITIALIZER,
    INITIALIZERS,
    BootloaderPlan,
    EtcFilePlan,
    FileSystemPlan,
    GroupPlan,
    ImagePlan,
    LocalePlan,
    Origin,
    OsPlan,
    PartitionPlan,
    RawWrite,
    ServicePlan,
    SpecialFilePlan,
    UserPlan,
)
from builders.system.sha_crypt import sha_crypt
from schemeconf.datum import NIL, Keyword, Pair, Symbol, Vector, to_list
from schemeconf.errors import ConfigError
from schemeconf.evaluator import apply_procedure
from schemeconf.filelike import FileAppend, FileLike, Gexp, LocalFile, MixedTextFile, PlainFile
from schemeconf.printer import write_string
from schemeconf.records import Record
from schemeconf.source import Span
from schemeconf.vocabulary import CryptRequest, OpaqueConfiguration, Package

# Bootloaders that need a GPT disk (current Guix: gnu/system/image.scm refuses them on MBR).
EFI_BOOTLOADERS = {
    "grub-efi", "grub-efi32", "grub-efi-removable-bootloader", "grub-efi32-removable-bootloader",
    "grub-efi-netboot-bootloader", "grub-efi-netboot-removable-bootloader",
}

# The name of an image that has none, as Guix's system-image names it.
DEFAULT_NAMES = {
    "disk-image": "disk-image", "compressed-qcow2": "disk-image", "iso9660": "image.iso",
    "docker": "docker-image.tar.gz", "tarball": "image", "wsl2": "image.tar.gz",
}


def origin(span: Span | None) -> Origin | None:
    return Origin(span.source.name, span.line, span.col) if span else None


def lower_image(image: Record, type_name: str | None = None) -> ImagePlan:
    """The plan of IMAGE (an <image> record whose operating system is set)."""
    fmt = image.get("format").name
    os_rec = image.get("operating-system")
    if os_rec is False:
        raise ConfigError("the image has no operating system", image.span,
                          "use (image-with-os IMAGE OS), or give the image an (operating-system ...) field")
    table = image.get("partition-table-type").name
    records = to_list(image.get("partitions"))
    partitions = tuple(lower_partition(p) for p in records)
    os_plan = lower_os(os_rec)
    _check_combinations(image, os_rec, os_plan, fmt, table, list(zip(records, partitions, strict=True)))
    platform = image.get("platform")
    size = image.get("size")
    name = image.get("name")
    platform_system = platform.get("system") if isinstance(platform, Record) else None
    return ImagePlan(
        name=name.name if isinstance(name, Symbol) else DEFAULT_NAMES[fmt],
        format=fmt,
        partition_table=table,
        partitions=partitions,
        platform_system=platform_system,
        platform_target=platform.get("target") if isinstance(platform, Record) else None,
        root_size=size if isinstance(size, int) else None,
        compression=image.get("compression?") is not False,
        volatile_root=image.get("volatile-root?") is not False or fmt == "iso9660",
        shared_store=image.get("shared-store?") is not False,
        os=os_plan,
        type_name=type_name,
        origin=origin(image.span),
        system=platform_system or build_system(),
    )


# `uname -m` of a GNU/Linux build machine -> its Guix system type.
BUILD_MACHINES: dict[str, str] = {
    "x86_64": "x86_64-linux", "amd64": "x86_64-linux", "i686": "i686-linux", "i386": "i686-linux",
    "aarch64": "aarch64-linux", "arm64": "aarch64-linux", "armv7l": "armhf-linux",
    "riscv64": "riscv64-linux", "ppc64le": "powerpc64le-linux", "mips64": "mips64el-linux",
}  # fmt: skip


def build_system() -> str:
    """The system of an image that names no platform: the build machine's, as
    Guix's %current-system is.  Decided here, once, and kept in the plan."""
    machine = host_machine() or "x86_64"
    return BUILD_MACHINES.get(machine, f"{machine}-linux")


def _check_combinations(image: Record, os_rec: Record, os_plan: OsPlan, fmt: str, table: str, parts) -> None:
    if os_plan.bootloader.name in EFI_BOOTLOADERS and table != "gpt" and fmt in ("disk-image", "compressed-qcow2"):
        boot = os_rec.get("bootloader")
        raise ConfigError(
            "EFI bootloader required with GPT partitioning",
            boot.span_of("bootloader") if isinstance(boot, Record) else os_rec.span_of("bootloader"),
            f"bootloader '{os_plan.bootloader.name}' needs a GPT image (for example -t efi-raw or -t qcow2-gpt); "
            "for -t mbr-raw, mbr-hybrid-raw or qcow2 use grub-bootloader",
        )
    if fmt in ("disk-image", "compressed-qcow2", "iso9660") and not any(p.is_root for _, p in parts):
        raise ConfigError("image lacks a partition with the 'boot' flag", image.span_of("partitions"))
    _unique([(rec, p.label) for rec, p in parts if p.label], "label", "partition label {} is used twice",
            "each partition needs its own label: the boot loader and fstab find partitions by label")
    _unique([(rec, "boot") for rec, p in parts if p.is_root], "flags", "two partitions have the 'boot' flag",
            "only the root partition carries the 'boot' flag")
    for rec, p in parts:
        if p.offset % 512:
            raise ConfigError(f"partition offset {p.offset} is not a multiple of 512 bytes", rec.span_of("offset"),
                              "offsets are counted in bytes and must fall on a 512-byte sector")


def _unique(items: list[tuple[Record, Any]], field: str, message: str, hint: str) -> None:
    """A ConfigError at the second record of ITEMS that repeats a key (MESSAGE formatted with it)."""
    seen: dict[Any, Record] = {}
    for rec, key in items:
        if key in seen:
            raise ConfigError(message.format(validate.show(key)), rec.span_of(field), hint).note(
                "first given here", seen[key].span_of(field))
        seen[key] = rec


def lower_partition(p: Record) -> PartitionPlan:
    size = p.get("size")
    uuid = p.get("uuid")
    label_problem = validate.label_problem(p.get("label"), p.get("file-system"))
    if label_problem:
        raise ConfigError(label_problem[0], p.span_of("label"), label_problem[1])
    validate.check("fs-type", p.get("file-system"), p.span_of("file-system"), "file system")
    if uuid is not False and not (isinstance(uuid, Record) and uuid.rtype.name == "<uuid>"):
        raise ConfigError(f"partition uuid {validate.show(uuid)} is not a UUID", p.span_of("uuid"),
                          "write (uuid \"1234abcd-...\"), or leave the field out for a derived one")
    _check_file_system_options(p)
    return PartitionPlan(
        label=p.get("label"),
        file_system=p.get("file-system"),
        size=None if isinstance(size, Symbol) else size,
        offset=p.get("offset"),
        file_system_options=tuple(to_list(p.get("file-system-options"))),
        flags=tuple(f.name for f in to_list(p.get("flags"))),
        uuid=uuid_string(uuid) if isinstance(uuid, Record) else None,
        initializer=lower_initializer(p),
        origin=origin(p.span),
        size_origin=origin(p.field_spans.get("size")),
        offset_origin=origin(p.field_spans.get("offset")),
        file_system_origin=origin(p.field_spans.get("file-system")),
    )


INITIALIZER_HINT = ("pyguix fills a partition with one of Guix's own initializers: leave the field out (#f) for "
                    "the operating system's tree, or use " + ", ".join(sorted(INITIALIZERS)))


# Guix's own initializers that Guix writes as code rather than as a name:
# the text of the gexp (as written back) -> the initializer it is.  Guix's
# gnu/system/images/hurd.scm, loaded as a configuration, has the Hurd one.
GEXP_INITIALIZERS: dict[str, str] = {
    "(lambda* (#:rest args) (apply initialize-root-partition (append args (list #:make-device-nodes "
    "make-hurd-device-nodes #:wal-mode? #f))))": "initialize-hurd-root-partition",
}


def lower_initializer(p: Record) -> str:
    """The name of P's initializer, one of Guix's (plan.INITIALIZERS); #f is
    initialize-root-partition.  gnu/system/image.scm binds them as symbols,
    Guix 1.5 as (gexp NAME) (or, for the Hurd's, as Guix's code itself:
    GEXP_INITIALIZERS); a procedure of the user's own is refused."""
    init = p.get("initializer")
    if init is False:
        return DEFAULT_INITIALIZER
    if isinstance(init, Gexp) and not isinstance(init.datum, Symbol):
        known = GEXP_INITIALIZERS.get(write_string(init.datum))
        if known is not None:
            return known
    name = init.datum if isinstance(init, Gexp) else init
    if isinstance(name, Symbol):
        if name.name in INITIALIZERS:
            return name.name
        raise ConfigError(f"unknown partition initializer '{name.name}'", p.span_of("initializer"), INITIALIZER_HINT)
    shown = write_string(init)
    raise ConfigError("custom partition initializers are not supported: "
                      + (shown if len(shown) <= 60 else shown[:57] + "..."),
                      p.span_of("initializer"), INITIALIZER_HINT)


def _check_file_system_options(p: Record) -> None:
    """file-system-options become mkfs arguments: only those that shape the file system."""
    options = p.get("file-system-options")
    items = to_list(options) if options is NIL or isinstance(options, Pair) else [options]
    fs = p.get("file-system")
    problem = None
    hint = None
    if any(not isinstance(o, str) for o in items):
        problem = f"file-system-options must be a list of strings, not {validate.show(options)}"
    elif fs in EXT_TYPES:
        problem = check_mke2fs_options(items)
        hint = ("file-system-options may only shape the file system (" + " ".join(sorted(MKE2FS_OPTIONS)) +
                "); pyguix sets the rest")
    elif fs in ("vfat", "fat16", "fat32"):
        try:
            parse_options(tuple(items))
        except ValueError as e:
            problem = str(e)
    if problem is not None:
        raise ConfigError(problem, p.span_of("file-system-options"), hint)


def device_string(device: Any) -> str:
    if isinstance(device, str):
        return device
    if isinstance(device, Record):
        if device.rtype.name == "<file-system-label>":
            return "label:" + device.get("label")
        if device.rtype.name == "<uuid>":
            return "uuid:" + uuid_string(device)
    return str(device)


def package_name(value: Any) -> str | None:
    if isinstance(value, Package):
        return value.name
    if value is False:
        return None
    return getattr(value, "name", None) or str(value)


def lower_bootloader(conf: Record) -> BootloaderPlan:
    bl = conf.get("bootloader")
    targets = conf.get("targets")
    target = conf.get("target")
    target_list = to_list(targets) if targets is not False else ([target] if isinstance(target, str) else [])
    raw = bl.get("disk-image-installer")
    writes = tuple(_raw_write(w) for w in to_list(raw)) if isinstance(raw, Pair) else ()
    unit, speed = conf.get("serial-unit"), conf.get("serial-speed")
    return BootloaderPlan(
        name=bl.get("name").name,
        package=package_name(bl.get("package")),
        configuration_file=bl.get("configuration-file"),
        targets=tuple(t.name if isinstance(t, Symbol) else str(t) for t in target_list),
        raw_writes=writes,
        timeout=conf.get("timeout"),
        default_entry=conf.get("default-entry") if isinstance(conf.get("default-entry"), int) else 0,
        terminal_outputs=tuple(s.name for s in to_list(conf.get("terminal-outputs"))),
        serial_unit=unit if isinstance(unit, int) else None,
        serial_speed=speed if isinstance(speed, int) else None,
        device_tree_support=conf.get("device-tree-support?") is not False,
        origin=origin(conf.span),
    )


def _raw_write(item: Any) -> RawWrite:
    parts = to_list(item)
    return RawWrite(parts[0], parts[1], parts[2] if len(parts) > 2 else None)


def lower_os(os_rec: Record) -> OsPlan:
    if not isinstance(os_rec, Record) or os_rec.rtype.name != "<operating-system>":
        raise ConfigError("expected an operating-system record", getattr(os_rec, "span", None))
    for field, kind in OS_FIELD_KINDS.items():
        validate.check(kind, os_rec.get(field), os_rec.span_of(field), field.replace("-", " "))
    kernel_arguments = to_list(os_rec.get("kernel-arguments"))
    validate.check_all("kernel-argument", kernel_arguments, os_rec.span_of("kernel-arguments"))
    file_systems = to_list(os_rec.get("file-systems"))
    users, groups = to_list(os_rec.get("users")), to_list(os_rec.get("groups"))
    services = to_list(os_rec.get("services"))
    _check_file_systems(file_systems)
    _check_accounts(users, groups, services)
    _check_gettys(services)
    return OsPlan(
        host_name=os_rec.get("host-name"),
        timezone=os_rec.get("timezone"),
        locale=os_rec.get("locale"),
        label=os_rec.get("label"),
        kernel=package_name(os_rec.get("kernel")),
        hurd=package_name(os_rec.get("hurd")),
        kernel_arguments=tuple(kernel_arguments),
        initrd_modules=tuple(to_list(os_rec.get("initrd-modules"))),
        bootloader=lower_bootloader(os_rec.get("bootloader")),
        file_systems=tuple(_file_system(fs) for fs in file_systems),
        users=tuple(_user(u) for u in users),
        groups=tuple(_group(g) for g in groups),
        packages=tuple(sorted({n for n in (package_name(p) for p in _flatten(os_rec.get("packages"))) if n})),
        services=tuple(_service(s) for s in to_list(os_rec.get("services"))),
        issue=os_rec.get("issue") if isinstance(os_rec.get("issue"), str) else "",
        origin=origin(os_rec.span),
        config_source=os_config_source(os_rec),
        **fold_services(os_rec, etc_files(os_rec)),   # the service graph, folded (services.py)
        special_files=special_files(os_rec),
        locale_definition=locale_definition(os_rec),
    )


def _flatten(value: Any) -> list[Any]:
    out = []
    for item in to_list(value):
        out.extend(_flatten(item) if isinstance(item, Pair) else [item])  # (list pkg "out")
    return out


# operating-system fields that become lines of generated files -> their rule (validate.RULES).
OS_FIELD_KINDS = {"host-name": "host-name", "timezone": "timezone", "locale": "locale", "label": "os-label"}

# user-account fields -> (rule, what the message calls it); uid and strings only (#f and gexps pass).
USER_FIELD_KINDS = {"name": ("account-name", "user name"), "group": ("account-name", "group name"),
                    "comment": ("comment", "comment"), "home-directory": ("home-directory", "home directory"),
                    "uid": ("id", "uid")}
OPTIONAL_USER_FIELDS = {"password": ("password", "password"), "shell": ("shell", "shell")}
GROUP_FIELD_KINDS = {"name": ("account-name", "group name"), "id": ("id", "gid")}
FILE_SYSTEM_FIELD_KINDS = {"mount-point": "mount-point", "type": "fs-type"}

# Groups that Guix services declare for themselves (account-service-type extensions),
# so that a user may list them as supplementary groups.
SERVICE_GROUPS = {"docker": ("docker",), "libvirt": ("libvirt",), "cups": ("lp", "lpadmin"),
                  "sane": ("scanner",), "guix": ("guixbuild",), "dbus": ("messagebus",),
                  "gdm": ("gdm",), "sddm": ("sddm",), "tor": ("tor",), "nginx": ("nginx",)}

# Service types whose configuration names a terminal that becomes a line of /etc/inittab.
GETTY_FIELD_KINDS = {"tty": "tty", "term": "tty", "host": "fs-options", "init-string": "fs-options",
                     "auto-login": "account-name", "baud-rate": "fs-options"}
GETTY_SERVICES = ("agetty", "mingetty")


def _check_file_systems(file_systems: list[Any]) -> None:
    """Each field of each file system, then: no mount point twice (so at most one root)."""
    for fs in file_systems:
        if not isinstance(fs, Record):
            continue
        for field, kind in FILE_SYSTEM_FIELD_KINDS.items():
            validate.check(kind, fs.get(field), fs.span_of(field), field.replace("-", " "))
        device = fs.get("device")
        if isinstance(device, Record) and device.rtype.name == "<file-system-label>":
            validate.check("partition-label", device.get("label"), fs.span_of("device"), "label")
        elif not isinstance(device, Record):
            validate.check("device", device, fs.span_of("device"))
        if isinstance(fs.get("options"), str):
            validate.check("fs-options", fs.get("options"), fs.span_of("options"), "options")
    # A bind mount may stack on another file system's mount point, as Guix's own
    # %immutable-store does on a /gnu/store subvolume; two real file systems may not.
    mounted = [(fs, fs.get("mount-point")) for fs in file_systems
               if isinstance(fs, Record) and not _is_bind_mount(fs)]
    _unique(mounted, "mount-point", "mount point {} is declared twice",
            "each mount point takes one file system; remove or rename one of them")
    # No "/" at all is fine, as in Guix: an image supplies its root partition as "/".


def _is_bind_mount(fs: Record) -> bool:
    flags = fs.get("flags")
    return isinstance(flags, Pair) and any(isinstance(f, Symbol) and f.name == "bind-mount" for f in to_list(flags))


def _check_accounts(users: list[Any], groups: list[Any], services: list[Any]) -> None:
    """Every field of every account; names used once; groups declared (as Guix's account service checks)."""
    for g in groups:
        for field, (kind, what) in GROUP_FIELD_KINDS.items():
            validate.check(kind, g.get(field), g.span_of(field), what)
    for u in users:
        for field, (kind, what) in USER_FIELD_KINDS.items():
            validate.check(kind, u.get(field), u.span_of(field), what)
        for field, (kind, what) in OPTIONAL_USER_FIELDS.items():
            if isinstance(u.get(field), str):
                validate.check(kind, u.get(field), u.span_of(field), what)
        validate.check_all("account-name", to_list(u.get("supplementary-groups")), u.span_of("supplementary-groups"),
                           "group name")
    _unique([(u, u.get("name")) for u in users], "name", "user account {} appears more than once",
            "declare each account once (%base-user-accounts already holds \"nobody\")")
    _unique([(g, g.get("name")) for g in groups], "name", "group {} appears more than once",
            "declare each group once (%base-groups already holds root, wheel, users, audio, video, ...)")
    declared = {g.get("name") for g in groups} | {"root"}
    for service in services:
        if isinstance(service, Record):
            declared |= set(SERVICE_GROUPS.get(_kind_name(service), ()))
    hint = "declare it: (groups (cons (user-group (name \"{0}\")) %base-groups))"
    for u in users:
        if u.get("group") not in declared:
            raise ConfigError(f"primary group '{u.get('group')}' of user '{u.get('name')}' is undeclared",
                              u.span_of("group"), hint.format(u.get("group")))
        for g in to_list(u.get("supplementary-groups")):
            if g not in declared:
                raise ConfigError(f"supplementary group '{g}' of user '{u.get('name')}' is undeclared",
                                  u.span_of("supplementary-groups"), hint.format(g))


def _check_gettys(services: list[Any]) -> None:
    """The terminal fields of getty services, which become /etc/inittab lines."""
    for service in services:
        if not isinstance(service, Record) or _kind_name(service) not in GETTY_SERVICES:
            continue
        value = service.get("value")
        fields = value.fields if isinstance(value, OpaqueConfiguration) else (
            {f.name.name: value.get(f.name.name) for f in value.rtype.fields} if isinstance(value, Record) else {})
        for field, kind in GETTY_FIELD_KINDS.items():
            item = fields.get(field, False)
            if item is False or item is None or (field == "baud-rate" and isinstance(item, int)):
                continue
            span = value.span_of(field) if isinstance(value, Record) else service.span
            validate.check(kind, item, span, field.replace("-", " "))


def _file_system(fs: Record) -> FileSystemPlan:
    opts = fs.get("options")
    return FileSystemPlan(
        device=device_string(fs.get("device")),
        mount_point=fs.get("mount-point"),
        type=fs.get("type"),
        options=opts if isinstance(opts, str) else None,
        flags=tuple(f.name for f in to_list(fs.get("flags"))),
        needed_for_boot=fs.get("needed-for-boot?") is not False,
        check=fs.get("check?") is not False,
    )


def _password(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, CryptRequest):  # (crypt "pw" "$6$salt"): hashed now, as Guile would
        try:
            return sha_crypt(value.password, value.salt)
        except ValueError as e:
            raise ConfigError(str(e), None) from None
    return None


def _user(u: Record) -> UserPlan:
    uid = u.get("uid")
    return UserPlan(
        name=u.get("name"), group=u.get("group"), uid=uid if isinstance(uid, int) else None,
        password=_password(u.get("password")),
        supplementary_groups=tuple(to_list(u.get("supplementary-groups"))),
        comment=u.get("comment"), home=u.get("home-directory"),
        shell=_shell(u.get("shell")), system=u.get("system?") is not False,
        create_home=u.get("create-home-directory?") is not False,
    )


def _shell(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, FileLike):
        return "/run/current-system/profile" + "".join(getattr(value, "suffixes", [])) or "/bin/sh"
    return "/bin/sh"


def _group(g: Record) -> GroupPlan:
    gid = g.get("id")
    return GroupPlan(name=g.get("name"), id=gid if isinstance(gid, int) else None, system=g.get("system?") is not False)


def _service(s: Record) -> ServicePlan:
    service_type = s.get("kind")
    kind = service_type.get("name")
    targets = []
    for ext in to_list(service_type.get("extensions")):
        target = ext.get("target") if isinstance(ext, Record) else None
        name = target.get("name") if isinstance(target, Record) else None
        if isinstance(name, Symbol):
            targets.append(name.name)
    return ServicePlan(kind=kind.name if isinstance(kind, Symbol) else str(kind), value=to_json_value(s.get("value")),
                       extends=tuple(targets))


def to_json_value(v: Any, depth: int = 0) -> Any:
    """A JSON-friendly summary of a Scheme value (for the plan and the manifest)."""
    if depth > 8:
        return "..."
    if v is True or v is False or v is None or isinstance(v, (int, float, str)):
        return v
    if isinstance(v, Symbol):
        return v.name
    if isinstance(v, Keyword):
        return "#:" + v.name
    if v is NIL:
        return []
    if isinstance(v, Pair):
        try:
            return [to_json_value(x, depth + 1) for x in to_list(v)]
        except ValueError:
            return [to_json_value(v.car, depth + 1), to_json_value(v.cdr, depth + 1)]
    if isinstance(v, Vector):
        return [to_json_value(x, depth + 1) for x in v]
    if isinstance(v, Record):
        return {"record": v.rtype.name.strip("<>"),
                **{f.name.name: to_json_value(v.get(f.name.name), depth + 1) for f in v.rtype.fields}}
    if isinstance(v, OpaqueConfiguration):
        return {"record": v.type_name, **{k: to_json_value(x, depth + 1) for k, x in v.fields.items()}}
    if isinstance(v, Package):
        return {"package": v.name}
    return getattr(v, "scheme_repr", lambda w: repr(v))(True)


# --- files the OS places in its tree --------------------------------------------------------

# Guix's default login-configuration motd (gnu/services/base.scm).
DEFAULT_MOTD = "This is the GNU operating system, welcome!\n\n"
PROFILE = "/run/current-system/profile"


def _kind_name(service: Record) -> str:
    name = service.get("kind").get("name")
    return name.name if isinstance(name, Symbol) else str(name)


def _extension_values(service: Record, target: str) -> list[Any]:
    """What SERVICE contributes to the service type named TARGET: its value
    if it is of that type, else what its extensions of TARGET compute."""
    if _kind_name(service) == target:
        return [service.get("value")]
    out = []
    extensions = service.get("kind").get("extensions")
    for ext in to_list(extensions) if isinstance(extensions, Pair) else []:
        tgt = ext.get("target")
        if isinstance(tgt, Record) and isinstance(tgt.get("name"), Symbol) and tgt.get("name").name == target:
            out.append(apply_procedure(ext.get("compute"), [service.get("value")]))
    return out


def _entries(value: Any) -> list[list[Any]]:
    """(NAME FILE) entries of an etc/special-files value; a single (NAME FILE) is accepted too."""
    if not isinstance(value, Pair):
        return []
    items = to_list(value)
    if items and isinstance(items[0], str):
        return [items]
    return [to_list(i) for i in items if isinstance(i, Pair)]


def _reference_text(value: Any) -> str | None:
    """The text a file-like reference stands for in a generated file (store paths are
    not realized yet: packages are referred to through the system profile)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Package):
        return PROFILE
    if isinstance(value, FileAppend):
        base = _reference_text(value.base)
        return None if base is None else base + "".join(value.suffixes)
    if isinstance(value, (PlainFile, LocalFile)):
        return f"/gnu/store/{value.name}"
    if isinstance(value, (int, float)):
        return str(value)
    return None


def file_plan(path: str, value: Any, span: Span | None) -> EtcFilePlan | None:
    """The plan of a file at PATH made from the file-like VALUE; None if pyguix cannot
    make its bytes (computed-file, program-file: build-side code)."""
    where = origin(span)
    if isinstance(value, (PlainFile, str)):
        content = value.content if isinstance(value, PlainFile) else value
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = base64.b64encode(data).decode("ascii"), "base64"
        return EtcFilePlan(path, content=text, encoding=encoding, sha256=hashlib.sha256(data).hexdigest(),
                           origin=where)
    if isinstance(value, MixedTextFile):
        parts = []
        for part in value.parts:
            part_text = _reference_text(part)
            if part_text is None:
                return None
            parts.append(part_text)
        data = "".join(parts).encode("utf-8")
        return EtcFilePlan(path, content=data.decode("utf-8"), sha256=hashlib.sha256(data).hexdigest(), origin=where)
    if isinstance(value, LocalFile):
        source = os.fspath(value.path)
        executable = os.path.isfile(source) and os.access(source, os.X_OK)
        return EtcFilePlan(path, source=source, mode=0o555 if executable else 0o444,
                           sha256=source_digest(value.path), origin=where)
    return None


def etc_files(os_rec: Record) -> tuple[EtcFilePlan, ...]:
    """Files of etc-service-type entries (/etc/NAME) and the login service's motd."""
    plans: dict[str, EtcFilePlan] = {}
    spans: dict[str, Span | None] = {}
    login: Record | None = None
    for service in to_list(os_rec.get("services")):
        if not isinstance(service, Record):
            continue
        if _kind_name(service) == "login":
            login = service
        for value in _extension_values(service, "etc"):
            for entry in _entries(value):
                if len(entry) < 2 or not isinstance(entry[0], str):
                    continue
                name = entry[0].strip("/")
                if not name or ".." in name.split("/"):
                    raise ConfigError(f"bad /etc file name {entry[0]!r}", service.span,
                                      "etc-service-type entries are (\"NAME\" FILE), NAME relative to /etc")
                if name in plans:
                    raise ConfigError(f"duplicate '{name}' entry for /etc", service.span).note(
                        "first given here", spans[name])
                plan = file_plan("/etc/" + name, entry[1], service.span)
                if plan is not None:
                    plans[name], spans[name] = plan, service.span
    if login is not None and "motd" not in plans:
        value = login.get("value")
        motd: Any = DEFAULT_MOTD
        if isinstance(value, OpaqueConfiguration) and "motd" in value.fields:
            motd = value.fields["motd"]
        elif isinstance(value, Record) and sym_field(value, "motd"):
            motd = value.get("motd")
        plan = file_plan("/etc/motd", motd, login.span)
        if plan is not None:
            plans["motd"] = plan
    return tuple(plans[name] for name in sorted(plans))


def sym_field(rec: Record, name: str) -> bool:
    return any(f.name.name == name for f in rec.rtype.fields)


# Locale sources and charmaps are file names of Debian's locales package (/usr/share/i18n).
LOCALE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_@.+-]*")


def locale_definition(os_rec: Record) -> LocalePlan | None:
    """The locale-definition the OS's `locale` names (Guix compiles every definition; the
    image gets the one in use).  Without one, it follows from the name as Guix's
    locale-name->definition has it: "de_DE.utf8" is de_DE in UTF-8."""
    name = os_rec.get("locale")
    if not isinstance(name, str) or name.split(".")[0] in ("C", "POSIX"):
        return None
    definitions = os_rec.get("locale-definitions")
    for d in to_list(definitions) if isinstance(definitions, Pair) else []:
        if isinstance(d, Record) and d.rtype.name == "<locale-definition>" and d.get("name") == name:
            source, charset, record = d.get("source"), d.get("charset"), d
            break
    else:
        language, _, codeset = name.partition(".")
        modifier = codeset.partition("@")[2]
        codeset = codeset.partition("@")[0]
        source = language + (f"@{modifier}" if modifier else "")
        charset = "UTF-8" if codeset.lower().replace("-", "") in ("utf8", "") else codeset
        record = None
    for what, value in (("source", source), ("charset", charset)):
        if not isinstance(value, str) or LOCALE_PART.fullmatch(value) is None:
            raise ConfigError(f"locale-definition {what} {validate.show(value)} is not the name "
                              "of a locale source or character set",
                              record.span_of(what) if record is not None else os_rec.span_of("locale"),
                              'e.g. (locale-definition (name "fr_FR.utf8") (source "fr_FR") (charset "UTF-8"))')
    return LocalePlan(name, source, charset)


def special_files(os_rec: Record) -> tuple[SpecialFilePlan, ...]:
    """Symbolic links of the special-files service: ("/bin/sh" TARGET) -> /bin/sh -> TARGET."""
    found: dict[str, SpecialFilePlan] = {}
    for service in to_list(os_rec.get("services")):
        if not isinstance(service, Record):
            continue
        for value in _extension_values(service, "special-files"):
            for entry in _entries(value):
                if len(entry) < 2 or not isinstance(entry[0], str) or not entry[0].startswith("/"):
                    continue
                target = _reference_text(entry[1])
                if target is None:
                    continue
                package = None
                base = entry[1]
                while isinstance(base, FileAppend):
                    base = base.base
                if isinstance(base, Package):
                    package = base.name
                found[entry[0]] = SpecialFilePlan(entry[0], target, package, origin(service.span))
    return tuple(found[p] for p in sorted(found))
