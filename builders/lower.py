"""THE boundary: evaluated Scheme records -> the typed build plan (plan.py).

Every shape and combination check that needs the user's source lives here,
and raises ConfigError pointing at the field that is wrong.
"""

from __future__ import annotations

from typing import Any

from schemeconf.datum import NIL, Keyword, Pair, Symbol, Vector, to_list
from schemeconf.errors import ConfigError
from schemeconf.filelike import FileLike
from schemeconf.records import Record
from schemeconf.source import Span
from schemeconf.vocabulary import CryptRequest, OpaqueConfiguration, Package

from .plan import (
    BootloaderPlan, FileSystemPlan, GroupPlan, ImagePlan, Origin, OsPlan, PartitionPlan, RawWrite,
    ServicePlan, UserPlan,
)

# Bootloaders that need a GPT disk (current Guix, image-types.md §2).
EFI_BOOTLOADERS = {
    "grub-efi", "grub-efi32", "grub-efi-removable-bootloader", "grub-efi32-removable-bootloader",
    "grub-efi-netboot-bootloader", "grub-efi-netboot-removable-bootloader",
}

DEFAULT_NAMES = {
    "disk-image": "disk-image", "compressed-qcow2": "image.qcow2", "iso9660": "image.iso",
    "docker": "docker-image", "tarball": "image", "wsl2": "image",
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
    _check_combinations(image, os_rec, os_plan, fmt, table, list(zip(records, partitions)))
    platform = image.get("platform")
    size = image.get("size")
    name = image.get("name")
    return ImagePlan(
        name=name.name if isinstance(name, Symbol) else DEFAULT_NAMES[fmt],
        format=fmt,
        partition_table=table,
        partitions=partitions,
        platform_system=platform.get("system") if isinstance(platform, Record) else None,
        platform_target=platform.get("target") if isinstance(platform, Record) else None,
        root_size=size if isinstance(size, int) else None,
        compression=image.get("compression?") is not False,
        volatile_root=image.get("volatile-root?") is not False or fmt == "iso9660",
        shared_store=image.get("shared-store?") is not False,
        os=os_plan,
        type_name=type_name,
        origin=origin(image.span),
    )


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
    for rec, p in parts:
        if p.file_system in ("vfat", "fat16", "fat32") and len(p.label) > 11:
            raise ConfigError(f"vfat label \"{p.label}\" is longer than 11 characters", rec.span_of("label"),
                              "FAT volume labels hold at most 11 characters")
        if p.offset % 512:
            raise ConfigError(f"partition offset {p.offset} is not a multiple of 512 bytes", rec.span_of("offset"),
                              "offsets are counted in bytes and must fall on a 512-byte sector")


def lower_partition(p: Record) -> PartitionPlan:
    size = p.get("size")
    uuid = p.get("uuid")
    init = p.get("initializer")
    return PartitionPlan(
        label=p.get("label"),
        file_system=p.get("file-system"),
        size=None if isinstance(size, Symbol) else size,
        offset=p.get("offset"),
        file_system_options=tuple(to_list(p.get("file-system-options"))),
        flags=tuple(f.name for f in to_list(p.get("flags"))),
        uuid=uuid_string(uuid) if isinstance(uuid, Record) else None,
        initializer=init.name if isinstance(init, Symbol) else (None if init is False else "custom"),
        origin=origin(p.span),
    )


def uuid_string(u: Record) -> str:
    from schemeconf.vocabulary import format_uuid

    return format_uuid(u.get("bytevector"), u.get("type"))


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
        targets=tuple(target_list),
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


def lower_os(os: Record) -> OsPlan:
    if not isinstance(os, Record) or os.rtype.name != "<operating-system>":
        raise ConfigError("expected an operating-system record", getattr(os, "span", None))
    return OsPlan(
        host_name=os.get("host-name"),
        timezone=os.get("timezone"),
        locale=os.get("locale"),
        label=os.get("label"),
        kernel=package_name(os.get("kernel")),
        hurd=package_name(os.get("hurd")),
        kernel_arguments=tuple(str(a) for a in to_list(os.get("kernel-arguments"))),
        initrd_modules=tuple(to_list(os.get("initrd-modules"))),
        bootloader=lower_bootloader(os.get("bootloader")),
        file_systems=tuple(_file_system(fs) for fs in to_list(os.get("file-systems"))),
        users=tuple(_user(u) for u in to_list(os.get("users"))),
        groups=tuple(_group(g) for g in to_list(os.get("groups"))),
        packages=tuple(sorted({n for n in (package_name(p) for p in _flatten(os.get("packages"))) if n})),
        services=tuple(_service(s) for s in to_list(os.get("services"))),
        issue=os.get("issue") if isinstance(os.get("issue"), str) else "",
        origin=origin(os.span),
    )


def _flatten(value: Any) -> list[Any]:
    out = []
    for item in to_list(value):
        out.extend(_flatten(item) if isinstance(item, Pair) else [item])  # (list pkg "out")
    return out


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
    if isinstance(value, CryptRequest):
        return f"crypt:{value.salt}:{value.password}"
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
    kind = s.get("kind").get("name")
    return ServicePlan(kind=kind.name if isinstance(kind, Symbol) else str(kind), value=to_json_value(s.get("value")))


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
