"""The root file system tree of an image, staged in a host directory.

`populate_root(os_plan, root, root_device=...)` writes the skeleton of
Guix's `initialize-root-partition` and the /etc files derived from the OsPlan.  Every
file and directory gets an explicit mode (the umask does not matter) and the
contents depend only on the plan, so two builds stage identical trees.  The
store itself is not copied yet: /etc/pyguix/manifest.json records what the
image declares (packages, services, kernel, bootloader, initrd modules).
"""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path

from builders.errors import BuildError
from builders.plan import EtcFilePlan, GroupPlan, OsPlan, UserPlan
from builders.system.debian_root import USR_MERGED
from builders.tree import Tree

# (path, mode) of the skeleton directories, parents first.
SKELETON: tuple[tuple[str, int], ...] = (
    ("gnu", 0o755),
    ("gnu/store", 0o1775),
    ("etc", 0o755),
    ("etc/pyguix", 0o755),
    ("var", 0o755),
    ("var/log", 0o755),
    ("var/guix", 0o755),
    ("var/guix/gcroots", 0o755),
    ("var/guix/profiles", 0o755),
    ("var/guix/profiles/per-user", 0o755),
    ("var/guix/profiles/per-user/root", 0o755),
    ("var/empty", 0o755),
    ("var/db", 0o755),
    ("var/tmp", 0o1777),
    ("var/lock", 0o1777),
    ("mnt", 0o755),
    ("bin", 0o755),
    ("tmp", 0o1777),
    ("home", 0o755),
    ("root", 0o700),
    ("boot", 0o755),
)

# Guix mount flags -> mount(8) option names.
MOUNT_FLAGS = {"read-only": "ro", "bind-mount": "bind", "no-suid": "nosuid", "no-dev": "nodev",
               "no-exec": "noexec", "no-atime": "noatime", "no-diratime": "nodiratime",
               "strict-atime": "strictatime", "lazy-time": "lazytime", "shared": "shared"}

FIRST_USER_ID = 1000
LAST_SYSTEM_ID = 999


def _write(root: Tree, rel: str, text: str, mode: int = 0o644) -> None:
    root.write_text(rel, text, mode)


def _device_spec(device: str) -> str:
    """Guix device notation -> fstab spec: label:x -> LABEL=x, uuid:x -> UUID=x."""
    if device.startswith("label:"):
        return "LABEL=" + device[len("label:"):]
    if device.startswith("uuid:"):
        return "UUID=" + device[len("uuid:"):]
    return device


def fstab(os_plan: OsPlan, root_device: str | None, root_type: str | None = None) -> str:
    """/etc/fstab; the "/" entry points at ROOT_DEVICE (e.g. "UUID=...") when given,
    with type ROOT_TYPE (the image's root file system, as Guix rewrites it) when given."""
    from builders.validate import fstab_escape

    lines = ["# This file was generated from your Guix configuration.  Any changes",
             "# will be lost upon reboot or reconfiguration.", ""]
    for fs in os_plan.file_systems:
        device = _device_spec(fs.device)
        fs_type = fs.type
        if fs.mount_point == "/" and root_device is not None:
            device = root_device
            fs_type = root_type or fs.type
        flags = [MOUNT_FLAGS.get(f, f) for f in fs.flags]
        options = ",".join(filter(None, [*flags, fs.options or ""])) or "defaults"
        passno = (1 if fs.mount_point == "/" else 2) if fs.check else 0
        fields = (device, fs.mount_point, fs_type, options)  # spaces, tabs, newlines as \040 \011 \012
        lines.append("\t".join(fstab_escape(f) for f in fields) + f"\t0\t{passno}")
    return "\n".join(lines) + "\n"


def _ids(items: list[tuple[str, int | None, bool]]) -> dict[str, int]:
    """Fixed ids first; missing ones allocated deterministically (system: 999 down, users: 1000 up)."""
    taken = {i for _, i, _ in items if isinstance(i, int) and not isinstance(i, bool)}
    result: dict[str, int] = {}
    next_system, next_user = LAST_SYSTEM_ID, FIRST_USER_ID
    for name, ident, system in items:
        if isinstance(ident, int) and not isinstance(ident, bool):
            result[name] = ident
            continue
        if system:
            while next_system in taken:
                next_system -= 1
            result[name] = next_system
            taken.add(next_system)
        else:
            while next_user in taken:
                next_user += 1
            result[name] = next_user
            taken.add(next_user)
    return result


def accounts(os_plan: OsPlan) -> tuple[str, str, str]:
    """(/etc/passwd, /etc/group, /etc/shadow) for root plus the plan's users and groups.
    Lowering has checked every field (builders/validate.py); a field that could still
    split a line is refused here rather than written."""
    from builders.validate import CONTROL

    named: tuple[UserPlan | GroupPlan, ...] = (*os_plan.users, *os_plan.groups)
    for item in named:
        texts = [t for t in (item.name, getattr(item, "comment", ""), getattr(item, "home", ""),
                             getattr(item, "shell", ""), getattr(item, "password", None) or "") if isinstance(t, str)]
        if any(":" in t or CONTROL.search(t) for t in texts):
            raise BuildError(f"account {item.name!r} has a field with ':' or a line break",
                             "such a field would add lines or columns to /etc/passwd, /etc/group or /etc/shadow")
    users: list[UserPlan] = [u for u in os_plan.users if u.name != "root"]
    root = next((u for u in os_plan.users if u.name == "root"), None)
    groups: list[GroupPlan] = list(os_plan.groups)
    group_names = {g.name for g in groups}
    if "root" not in group_names:
        groups.insert(0, GroupPlan("root", 0, True))
    for u in users:  # a user's primary group must exist
        if u.group not in group_names and u.group != "root":
            groups.append(GroupPlan(u.group, None, u.system))
            group_names.add(u.group)
    gids = _ids([(g.name, g.id, g.system) for g in groups])
    gids["root"] = 0
    uids = _ids([("root", 0, True)] + [(u.name, u.uid, u.system) for u in users])

    passwd = ["root:x:0:0:System administrator:/root:" + (root.shell if root else "/bin/sh")]
    shadow = [f"root:{_shadow_password(root.password if root else '')}:1::::::"]
    for u in users:
        passwd.append(f"{u.name}:x:{uids[u.name]}:{gids.get(u.group, 0)}:{u.comment}:{u.home}:{u.shell}")
        shadow.append(f"{u.name}:{_shadow_password(u.password)}:1::::::")
    members: dict[str, list[str]] = {}
    for u in users:
        for g in u.supplementary_groups:
            members.setdefault(g, []).append(u.name)
    group = [f"{g.name}:x:{gids[g.name]}:{','.join(members.get(g.name, []))}" for g in groups]
    return ("\n".join(passwd) + "\n", "\n".join(group) + "\n", "\n".join(shadow) + "\n")


def _shadow_password(password: str | None) -> str:
    """A password string kept as given; "" is an empty password; None (or #f) is locked ("!")."""
    if password is None or password is False:
        return "!"
    return str(password)


def os_release(os_plan: OsPlan) -> str:
    return ('NAME="Guix System"\nID=guix\nPRETTY_NAME="Guix System"\n'
            'HOME_URL="https://guix.gnu.org"\n'
            'VERSION_ID="pyguix"\n')


def manifest(os_plan: OsPlan) -> str:
    data = {
        "host-name": os_plan.host_name,
        "packages": sorted(os_plan.packages),
        "services": [{"kind": s.kind, "value": s.value} for s in os_plan.services],
        "kernel": os_plan.kernel,
        "hurd": os_plan.hurd,
        "kernel-arguments": list(os_plan.kernel_arguments),
        "initrd-modules": list(os_plan.initrd_modules),
        "bootloader": {
            "name": os_plan.bootloader.name,
            "package": os_plan.bootloader.package,
            "configuration-file": os_plan.bootloader.configuration_file,
            "targets": list(os_plan.bootloader.targets),
        },
        "etc-files": [f.path for f in os_plan.etc_files],
        "special-files": [{"path": f.path, "target": f.target, "package": f.package}
                          for f in os_plan.special_files],
    }
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"


def place_file(root: Tree, f: EtcFilePlan) -> None:
    """Write F (text, base64 or a copy of a host file/directory) into ROOT
    (replacing what was there; never through a symbolic link of the tree)."""
    if f.source is not None:
        source = Path(f.source)
        if not source.exists():
            raise BuildError(f"local file {f.source} (for {f.path}) has disappeared",
                             "keep local-file sources in place until the image is built")
        root.remove(f.path)
        if source.is_dir():
            root.copy_tree_in(f.path, source, file_mode=lambda st: 0o555 if st.st_mode & 0o111 else 0o444)
            return
        root.copy_in(f.path, source, f.mode)
        return
    data = base64.b64decode(f.content or "") if f.encoding == "base64" else (f.content or "").encode("utf-8")
    root.remove(f.path)
    root.write_bytes(f.path, data, f.mode)


def usr_merged_path(rel: str) -> str:
    """REL with a leading bin/, sbin/, lib/ or lib64/ written as the /usr path it is in a usr-merged tree."""
    head, sep, rest = rel.lstrip("/").partition("/")
    return f"{USR_MERGED[head]}/{rest}" if sep and head in USR_MERGED else rel.lstrip("/")


def populate_root(os_plan: OsPlan, path: Path, *, root_device: str | None = None,
                  root_type: str | None = None, usr_merged: bool = False) -> Path:
    """Stage the root file system of OS_PLAN in PATH (created if missing).

    USR_MERGED: /bin, /sbin, /lib and /lib64 are links into /usr (the
    Debian 13 system of builders/system/shepherd_system.py), and what the
    configuration places under them lands in /usr.

    Every write goes through builders/tree.Tree: nothing the configuration
    declares (an /etc entry, a special file, a home directory) can place a
    file outside PATH or write through a link placed earlier."""
    path.mkdir(parents=True, exist_ok=True)
    root = Tree(path)
    root.mkdir("", 0o755)
    for rel, mode in SKELETON:
        if usr_merged and rel in USR_MERGED:
            continue
        root.mkdir(rel, mode)
    if usr_merged:
        for alias, target in USR_MERGED.items():
            root.mkdir(target, 0o755)
            if root.lstat(alias) is None:
                root.symlink(alias, target)
    passwd, group, shadow = accounts(os_plan)
    _write(root, "etc/hostname", os_plan.host_name + "\n")
    _write(root, "etc/hosts", f"127.0.0.1 localhost {os_plan.host_name}\n::1 localhost {os_plan.host_name}\n")
    _write(root, "etc/fstab", fstab(os_plan, root_device, root_type))
    _write(root, "etc/passwd", passwd)
    _write(root, "etc/group", group)
    _write(root, "etc/shadow", shadow, 0o600)
    _write(root, "etc/timezone", os_plan.timezone + "\n")
    _write(root, "etc/locale.conf", f"LANG={os_plan.locale}\n")
    _write(root, "etc/os-release", os_release(os_plan))
    _write(root, "etc/issue", os_plan.issue)
    _write(root, "etc/pyguix/manifest.json", manifest(os_plan))
    if os_plan.config_source:
        _write(root, "etc/config.scm", os_plan.config_source)
    for f in os_plan.etc_files:
        place_file(root, dataclasses.replace(f, path="/" + usr_merged_path(f.path)) if usr_merged else f)
    # The declared system (usr-merged) makes its special files at boot, with the
    # special-files service's activation code; those into the profile are also
    # placed with the system (shepherd_system.py).
    for special in () if usr_merged else os_plan.special_files:
        where = special.path
        parent = where.lstrip("/").rpartition("/")[0]
        if parent and root.lstat(parent) is None:
            root.mkdir(parent, 0o755)
        root.symlink(where, special.target)
    for u in os_plan.users:
        if u.create_home and u.home.startswith("/home/"):
            root.mkdir(u.home, 0o700)
    return path
