"""Compatibility corpus: realistic Guix configurations, and errors users make.

Every tests/configs/*.scm is evaluated as `guix system` would load it; the
table CONFIGS says what each must evaluate to (record type, and a few field
values).  ERRORS lists small broken configurations with the SchemeError
subclass, the line:col and a fragment of the message each must produce.

Rows marked `known_bug(...)` document interpreter bugs found while writing
this corpus; they are expected failures until the bug is fixed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from schemeconf.datum import NIL, Pair, Symbol
from schemeconf.errors import (
    ArityError,
    ConfigError,
    EvalLimit,
    ModuleError,
    RecordError,
    SchemeError,
    UnboundVariable,
)
from schemeconf.interpreter import Interpreter
from schemeconf.printer import write_string
from schemeconf.vocabulary import CryptRequest, Package

CONFIGS = Path(__file__).parent / "configs"


def load(path: Path):
    return Interpreter().load_file(path)


def lst(x) -> list:
    out = []
    while isinstance(x, Pair):
        out.append(x.car)
        x = x.cdr
    assert x is NIL, "improper list"
    return out


def rtype(v) -> str | None:
    t = getattr(v, "rtype", None)
    return t.name if t is not None else None


def kind_name(service) -> str:
    return service.get("kind").get("name").name


def svc_names(os) -> list[str]:
    return [kind_name(s) for s in lst(os.get("services"))]


def svc_value(os, name: str):
    for s in lst(os.get("services")):
        if kind_name(s) == name:
            return s.get("value")
    raise AssertionError(f"no {name} service")


def users(os) -> dict:
    return {u.get("name"): u for u in lst(os.get("users"))}


def fs_by_mount(os) -> dict:
    return {f.get("mount-point"): f for f in lst(os.get("file-systems"))}


def part_labels(img) -> list[str]:
    return [p.get("label") for p in lst(img.get("partitions"))]


def uuid_string(u) -> str:
    from schemeconf.vocabulary import format_uuid

    return format_uuid(u.get("bytevector"), u.get("type"))


def pkg_names(os) -> list[str]:
    return [p.name for p in lst(os.get("packages")) if isinstance(p, Package)]


BASE_SERVICES = 23  # len(%base-services) in the bundled vocabulary
def _error_message(thunk):
    from schemeconf.errors import SchemeError

    try:
        thunk()
    except SchemeError as e:
        return e.message
    return None


DESKTOP_SERVICES = 53  # len(%desktop-services), as in Guix 1.5

OS = "<operating-system>"
IMAGE = "<image>"


def known_bug(reason: str):
    return pytest.mark.xfail(reason=reason, strict=False)


# file -> (record type, {description: (getter, expected)})
CONFIG_TABLE = {
    "bare-bones.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "komputilo"),
        "services": (lambda v: len(lst(v.get("services"))), BASE_SERVICES + 2),
        "alice's groups": (lambda v: [g for g in lst(users(v)["alice"].get("supplementary-groups"))],
                           ["wheel", "audio", "video"]),
        "screen first": (lambda v: pkg_names(v)[0], "screen"),
        "sshd port": (lambda v: svc_value(v, "openssh").get("port-number"), 2222),
        "targets": (lambda v: lst(v.get("bootloader").get("targets")), ["/dev/sdX"]),
    }),
    "desktop.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "antelope"),
        # %desktop-services - ntp + xfce + xorg
        "services": (lambda v: len(lst(v.get("services"))), DESKTOP_SERVICES - 1 + 2),
        "ntp deleted": (lambda v: "ntp" in svc_names(v), False),
        "substitute-urls": (lambda v: lst(svc_value(v, "guix").get("substitute-urls")),
                            ["https://bordeaux.guix.gnu.org"]),
        "layout reused": (lambda v: v.get("bootloader").get("keyboard-layout") is v.get("keyboard-layout"), True),
        "root depends on LUKS": (lambda v: [m.get("target") for m in lst(fs_by_mount(v)["/"].get("dependencies"))],
                                 ["my-root"]),
        "esp uuid": (lambda v: write_string(fs_by_mount(v)["/boot/efi"].get("device")), None),
        "group": (lambda v: users(v)["bob"].get("group"), "students"),
    }),
    "lightweight-desktop.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "antelope"),
        "bootloader": (lambda v: v.get("bootloader").get("bootloader").get("name").name, "grub-efi"),
        "targets": (lambda v: lst(v.get("bootloader").get("targets")), ["/boot/efi"]),
        "esp type": (lambda v: fs_by_mount(v)["/boot/efi"].get("type"), "vfat"),
        "services": (lambda v: len(lst(v.get("services"))), DESKTOP_SERVICES),
        "packages": (lambda v: pkg_names(v)[:3], ["emacs", "emacs-exwm", "emacs-desktop-environment"]),
    }),
    "vm-image.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "gnu"),
        "label": (lambda v: v.get("label").startswith("GNU Guix "), True),
        "network-manager removed": (lambda v: [n for n in svc_names(v) if n in (
            "network-manager", "wpa-supplicant", "modem-manager", "usb-modeswitch")], []),
        "services": (lambda v: len(lst(v.get("services"))), DESKTOP_SERVICES - 4 + 4),
        "first services": (lambda v: svc_names(v)[:2], ["xfce-desktop", "cow-store-motd"]),
        "motd escape": (lambda v: svc_value(v, "login").fields["motd"].content.startswith(
            "\n\x1b[1;37mThis is the GNU system."), True),
        "sudoers continuation": (lambda v: v.get("sudoers-file").get("content")
                                 if hasattr(v.get("sudoers-file"), "get") else v.get("sudoers-file").content,
                                 "root ALL=(ALL) ALL\n%wheel ALL=NOPASSWD: ALL\n"),
        "guest password": (lambda v: users(v)["guest"].get("password"), ""),
    }),
    "container.scm": (OS, {                        # tests/test_container_system.py builds it
        "host-name": (lambda v: v.get("host-name"), "kontenero"),
        "services": (lambda v: svc_names(v)[:2], ["dhcpcd", "openssh"]),
        "sshd port": (lambda v: svc_value(v, "openssh").get("port-number"), 2222),
        "packages": (lambda v: pkg_names(v), ["screen"]),
    }),
    "services-vm.scm": (OS, {                      # tests/test_shepherd_boot.py boots it
        "host-name": (lambda v: v.get("host-name"), "servo"),
        "services": (lambda v: svc_names(v)[:5], ["static-networking", "nginx", "ntp", "special-file", "forwarding"]),
        "timezone": (lambda v: v.get("timezone"), "Europe/Paris"),
    }),
    "docker-image.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "komputilo"),
        "services": (lambda v: svc_names(v), ["dhcpcd", "openssh"]),
        "root login": (lambda v: svc_value(v, "openssh").get("permit-root-login"),
                       Symbol("prohibit-password")),
    }),
    "legacy-2020.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "komputilo"),
        "target": (lambda v: v.get("bootloader").get("target"), "/dev/sda"),
        "targets unset": (lambda v: v.get("bootloader").get("targets"), False),
        "dhcp-client": (lambda v: svc_names(v)[0], "dhcp-client"),
        "nss-certs": (lambda v: pkg_names(v)[:2], ["nss-certs", "screen"]),
    }),
    "swap-and-crypt.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "swappy"),
        "swap": (lambda v: [s.get("target") for s in lst(v.get("swap-devices"))], ["/swapfile"]),
        "crypt": (lambda v: isinstance(users(v)["alice"].get("password"), CryptRequest), True),
        "salt": (lambda v: users(v)["alice"].get("password").salt, "$6$abc"),
        "btrfs options": (lambda v: fs_by_mount(v)["/"].get("options"), "compress=zstd"),
        "timeout": (lambda v: v.get("bootloader").get("timeout"), 3),
    }),
    "image-record.scm": (IMAGE, {
        "format": (lambda v: v.get("format").name, "disk-image"),
        "table": (lambda v: v.get("partition-table-type").name, "gpt"),
        "labels": (part_labels, ["MY-ESP", "my-root", "data"]),
        "esp size inherited": (lambda v: lst(v.get("partitions"))[0].get("size"), 40 * 2**20),
        "esp flags inherited": (lambda v: [f.name for f in lst(lst(v.get("partitions"))[0].get("flags"))], ["esp"]),
        "root size": (lambda v: lst(v.get("partitions"))[1].get("size"), 4 * 2**30),
        "host-name": (lambda v: v.get("operating-system").get("host-name"), "imagine"),
    }),
    "image-type.scm": (IMAGE, {
        "name": (lambda v: v.get("name").name, "big-gap.qcow2"),
        "format": (lambda v: v.get("format").name, "compressed-qcow2"),
        "offset": (lambda v: lst(v.get("partitions"))[0].get("offset"), 8 * 2**20),
        "volatile-root?": (lambda v: v.get("volatile-root?"), False),
        "host-name": (lambda v: v.get("operating-system").get("host-name"), "gap"),
    }),
    "hurd.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "guixygnu"),
        "hurd": (lambda v: v.get("hurd") is not False, True),
        "kernel-arguments": (lambda v: lst(v.get("kernel-arguments")), ["noide"]),
        "root fs": (lambda v: fs_by_mount(v)["/"].get("type"), "ext2"),
        "ssh no pam": (lambda v: svc_value(v, "openssh").get("use-pam?"), False),
        "packages": (lambda v: pkg_names(v)[:2], ["gdb-minimal", "git-minimal"]),
    }),
    "common-services.scm": ("list", {
        "services": (lambda v: [kind_name(s) for s in lst(v)], ["openssh", "ntp"]),
    }),
    "include-main.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "included"),
        "included services": (lambda v: svc_names(v)[:2], ["openssh", "ntp"]),
        "services": (lambda v: len(lst(v.get("services"))), BASE_SERVICES + 2),
    }),
    "match-lists.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "matcher"),
        "users": (lambda v: list(users(v)), ["alice", "bob", "carol", "nobody"]),
        "admins": (lambda v: [n for n, u in users(v).items() if "wheel" in lst(u.get("supplementary-groups"))],
                   ["alice", "carol"]),
        "comment": (lambda v: users(v)["bob"].get("comment"), "Bob Dobbs"),
    }),
    "define-star.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "db1"),
        "targets": (lambda v: lst(v.get("bootloader").get("targets")), ["/dev/nvme0n1"]),
        "timezone default": (lambda v: v.get("timezone"), "Etc/UTC"),
        "services": (lambda v: svc_names(v)[0], "dhcpcd"),
    }),
    "local-file.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "local"),
        "motd file": (lambda v: write_string(svc_value(v, "motd")), None),
    }),
    "installer.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "installato"),
        "spec packages": (lambda v: [(p.name, p.version) for p in lst(v.get("packages"))[:3]],
                          [("emacs", None), ("git", "2"), ("nss-certs", None)]),
        "services": (lambda v: len(lst(v.get("services"))), DESKTOP_SERVICES + 4),
        "swap by uuid": (lambda v: rtype(lst(v.get("swap-devices"))[0].get("target")), "<uuid>"),
        "esp uuid": (lambda v: uuid_string(fs_by_mount(v)["/boot/efi"].get("device")), "F416-7E34"),
        "root uuid": (lambda v: uuid_string(fs_by_mount(v)["/"].get("device")),
                      "cd7a5b6a-3cbe-4dce-a9b7-3c0b1e2f9d4e"),
    }),
    "special-files.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "special"),
        "special files": (lambda v: [lst(e)[0] for e in lst(svc_value(v, "special-files"))],
                          ["/bin/sh", "/usr/bin/env", "/usr/bin/python3"]),
        "services": (lambda v: len(lst(v.get("services"))), BASE_SERVICES),
    }),
    "gexp-programs.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "gexpy"),
        "services": (lambda v: svc_names(v)[:2], ["mcron", "hello"]),
        "jobs": (lambda v: len(lst(svc_value(v, "mcron").fields["jobs"])), 2),
    }),
    "srfi1.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "srfi-12"),
        "packages": (lambda v: pkg_names(v)[:5], ["emacs", "htop", "git", "emacs", "git"]),
    }),
    "at-ref.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "qualified"),
        "services": (lambda v: svc_names(v)[0], "dhcpcd"),
    }),
    "case-lambda.scm": (OS, {
        "host-name": (lambda v: v.get("host-name"), "lambda"),
        "mounts": (lambda v: list(fs_by_mount(v)), ["/", "/srv"]),
        "srv": (lambda v: (fs_by_mount(v)["/srv"].get("type"),
                           fs_by_mount(v)["/srv"].get("device").get("label")),
                ("xfs", "data")),
    }),
    # Shapes found trying real-world configurations (issue 2), in our words.
    "nonguix-laptop.scm": (OS, {
        "kernel": (lambda v: v.get("kernel").name, "linux"),
        "firmware": (lambda v: [p.name for p in lst(v.get("firmware"))], ["linux-firmware", "iwlwifi-firmware"]),
        "initrd": (lambda v: v.get("initrd").name, "microcode-initrd"),
        "spec packages": (lambda v: [p.name if isinstance(p, Package) else (lst(p)[0].name, lst(p)[1])
                                     for p in lst(v.get("packages"))[:2]],
                          ["sway", ("git", "send-email")]),
        "gdm deleted": (lambda v: "gdm" in svc_names(v), False),
        "sddm theme": (lambda v: svc_value(v, "sddm").get("theme"), "breeze"),
        "sddm default vt": (lambda v: svc_value(v, "sddm").get("minimum-vt"), 7),
        "udev rules": (lambda v: [r.name for r in lst(svc_value(v, "udev").get("rules"))], ["90-remap.rules"]),
        "channels": (lambda v: [c.get("name").name for c in lst(svc_value(v, "guix").get("channels"))],
                     ["nonguix", "guix"]),
        "fingerprint": (lambda v: lst(svc_value(v, "guix").get("channels"))[0].get("introduction")
                        .get("first-commit-signer"), "aaaabbbbccccddddeeeeffff0000111122223333"),
        "daemon's guix": (lambda v: svc_value(v, "guix").get("guix").name, "guix"),
    }),
    "old-procedures.scm": (OS, {
        "bootloader": (lambda v: v.get("bootloader").get("bootloader").get("name").name, "grub"),
        "targets": (lambda v: lst(v.get("bootloader").get("targets")), ["/dev/sda"]),
        # Guix 1.5 exports gnome-desktop-service but no longer defines it: the
        # (thunked) services field fails, as it does in Guix.
        "services": (lambda v: _error_message(lambda: v.get("services")), "unbound variable: gnome-desktop-service"),
    }),
    "shepherd-containers.scm": (OS, {
        "services": (lambda v: svc_names(v)[:4], ["dhcpcd", "heartbeat", "rootless-podman", "web-containers"]),
        "provision": (lambda v: [s.name for s in lst(lst(svc_value(v, "heartbeat"))[0].get("provision"))],
                      ["heartbeat"]),
        "respawn default": (lambda v: lst(svc_value(v, "heartbeat"))[0].get("respawn?"), True),
        "subuid count": (lambda v: lst(svc_value(v, "rootless-podman").fields["subuids"])[0].get("count"), 65536),
        "subgid start": (lambda v: lst(svc_value(v, "rootless-podman").fields["subgids"])[0].get("start"), 200000),
        "containers": (lambda v: len(lst(svc_value(v, "web-containers").get("containers"))), 1),
        "sysctl": (lambda v: [p.car for p in lst(svc_value(v, "sysctl").get("settings"))],
                   ["vm.swappiness", "fs.protected_hardlinks", "fs.protected_symlinks"]),
    }),
    "pine64-user.scm": (IMAGE, {
        "name": (lambda v: v.get("name").name, "my-pine-image"),
        "platform": (lambda v: v.get("platform").get("target"), "aarch64-linux-gnu"),
        "host-name": (lambda v: v.get("operating-system").get("host-name"), "pinoccio"),
        "bootloader": (lambda v: v.get("operating-system").get("bootloader").get("bootloader")
                       .get("package").name, "u-boot-pine64-lts"),
        "labels": (part_labels, ["Guix_image"]),
    }),
    "platforms-2022.scm": (IMAGE, {
        "platform": (lambda v: v.get("platform").get("system"), "armhf-linux"),
        "offset": (lambda v: lst(v.get("partitions"))[0].get("offset"), 2**20),
        "host-name": (lambda v: v.get("operating-system").get("host-name"), "armistice"),
    }),
}

KNOWN_CONFIG_BUGS: dict[str, str] = {}


def _config_params():
    files = sorted(p.name for p in CONFIGS.glob("*.scm"))
    params = []
    for name in files:
        marks = [known_bug(KNOWN_CONFIG_BUGS[name])] if name in KNOWN_CONFIG_BUGS else []
        params.append(pytest.param(name, marks=marks, id=name))
    return params


def test_every_config_is_in_the_table():
    assert sorted(p.name for p in CONFIGS.glob("*.scm")) == sorted(CONFIG_TABLE)


CHANNEL_CONFIGS = {"nonguix-laptop.scm"}


def test_nonguix_needs_the_channel(monkeypatch):
    """Without the nonguix channel (Guix as installed), its modules are missing, as in Guix."""
    monkeypatch.delenv("PYGUIX_CHANNELS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent")
    from schemeconf.modules import Loader

    monkeypatch.setattr("schemeconf.modules.channel_files", lambda: [])
    with pytest.raises(ModuleError, match=r"no code for module \(nongnu packages linux\)") as e:
        load(CONFIGS / "nonguix-laptop.scm")
    assert "nonguix channel" in (e.value.hint or "")
    assert Loader([]).has_channel("nonguix") is False


@pytest.mark.parametrize("name", _config_params())
def test_config(name, monkeypatch):
    kind, checks = CONFIG_TABLE[name]
    if name in CHANNEL_CONFIGS:  # the user's Guix has the nonguix channel (which pyguix bundles)
        monkeypatch.setenv("PYGUIX_CHANNELS", "nonguix")
    value = load(CONFIGS / name)
    if kind == "list":
        assert isinstance(value, Pair)
    else:
        assert rtype(value) == kind
    failures = []
    for what, (get, expected) in checks.items():
        actual = get(value)
        if expected is None:  # only "evaluates without error"
            assert actual
            continue
        if actual != expected:
            failures.append(f"{what}: expected {expected!r}, got {actual!r}")
    assert not failures, "\n".join(failures)


# --- errors --------------------------------------------------------------------------

# (id, source, exception class, line, col, message fragment, hint fragment or None)
ERRORS = [
    ("unbound-variable", """\
(use-modules (gnu))
(operating-system
  (host-name "x")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)))
  (file-systems %base-file-system))
""", UnboundVariable, 6, 17, "unbound variable: %base-file-system", "did you mean '%base-file-systems'"),
    ("unknown-field", """\
(use-modules (gnu))
(operating-system
  (host-name "x")
  (hostname "y")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)))
  (file-systems %base-file-systems))
""", RecordError, 2, 1, "unknown field 'hostname'", "host-name"),
    ("unknown-nested-field", """\
(use-modules (gnu))
(file-system (device "/dev/sda1") (mount-point "/") (typ "ext4"))
""", RecordError, 2, 1, "unknown field 'typ'", "did you mean 'type'"),
    ("missing-host-name", """\
(use-modules (gnu))
(operating-system
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)))
  (file-systems %base-file-systems))
""", RecordError, 2, 1, "missing field initializers (host-name)", None),
    ("partition-size-type", """\
(use-modules (gnu image))
(partition
  (label "root")
  (size "big"))
""", ConfigError, 4, 9, "can only be 'guess or a numeric expression", None),
    ("bootloader-not-a-bootloader", """\
(use-modules (gnu))
(bootloader-configuration
  (bootloader "grub"))
""", ConfigError, 3, 15, "must be a bootloader", None),
    ("unknown-module", """\
(use-modules (gnu)
             (gnu nonexistent))
#t
""", ModuleError, 2, 14, "(gnu nonexistent)", None),
    ("wrong-arg-count", """\
(define (f a b) (+ a b))
(f 1)
""", ArityError, 2, 1, "expected 2, got 1", None),
    ("runaway-recursion", """\
(define (loop n) (+ 1 (loop n)))
(loop 0)
""", EvalLimit, None, None, "recursion too deep", None),
    ("service-without-default", """\
(use-modules (gnu services))
(define no-default-type
  (service-type (name 'no-default) (extensions '()) (description "none")))
(service no-default-type)
""", ConfigError, 4, 1, "no value specified for service of type 'no-default'", None),
    ("modify-absent-service", """\
(use-modules (gnu) (gnu services desktop) (gnu services xorg))
(modify-services %base-services
  (gdm-service-type config => config))
""", ConfigError, 2, 1, "service 'gdm' not found in service list", None),
    ("invalid-uuid", """\
(use-modules (gnu))
(file-system
  (device (uuid "not-a-uuid"))
  (mount-point "/")
  (type "ext4"))
""", ConfigError, 3, 11, "invalid UUID", None),
    ("typo-in-bootloader", """\
(use-modules (gnu))
(bootloader-configuration
  (bootloader grub-bootloadr))
""", UnboundVariable, 3, 15, "unbound variable: grub-bootloadr", "did you mean 'grub-bootloader'"),
    ("typo-through-gnu", """\
(use-modules (gnu))
(list opensh-server)
""", UnboundVariable, 2, 7, "unbound variable: opensh-server", None),
    ("typo-in-service-type", """\
(use-modules (gnu))
(use-service-modules ssh)
(service opensh-service-type)
""", UnboundVariable, 3, 10, "opensh-service-type", "openssh-service-type"),
    ("typo-in-package", """\
(use-modules (gnu))
(use-package-modules screen)
(list screeen)
""", UnboundVariable, 3, 7, "screeen", "screen"),
]

KNOWN_ERROR_BUGS: dict[str, str] = {
    # (none: the closed vocabulary generated from Guix catches the typos the
    # open vocabularies used to accept)
}


def _error_params():
    out = []
    for row in ERRORS:
        marks = [known_bug(KNOWN_ERROR_BUGS[row[0]])] if row[0] in KNOWN_ERROR_BUGS else []
        out.append(pytest.param(*row[1:], marks=marks, id=row[0]))
    return out


@pytest.mark.parametrize("source, exc, line, col, fragment, hint", _error_params())
def test_error(tmp_path, source, exc, line, col, fragment, hint):
    path = tmp_path / "config.scm"
    path.write_text(source)
    with pytest.raises(SchemeError) as info:
        load(path)
    err = info.value
    assert isinstance(err, exc), f"{type(err).__name__}: {err}"
    assert fragment in err.message
    if line is not None:
        assert err.span is not None, f"no location: {err}"
        assert Path(err.span.source.name).resolve() == path.resolve(), f"located elsewhere: {err}"
        assert (err.span.line, err.span.col) == (line, col), str(err)
    if hint is not None:
        assert err.hint and hint in err.hint, err.hint


# --- package lookups across modules --------------------------------------------------

# Regression: a package resolved once through a (gnu packages X) module used
# to be invisible to later importers of that module.
def test_package_resolved_twice(tmp_path):
    path = tmp_path / "config.scm"
    path.write_text("(use-modules (gnu))\n(use-package-modules linux base)\n(list linux-libre coreutils)\n")
    assert [p.name for p in lst(load(path))] == ["linux-libre", "coreutils"]


# Regression for the same bug: board modules loaded in one interpreter.
def test_all_image_types_listed():
    from schemeconf import discovery
    from schemeconf.interpreter import run_deep

    interp = Interpreter()
    found = run_deep(lambda: [t.get("name").name for t in discovery.iter_image_types(interp.loader)])
    for name in ["pine64-raw", "pinebook-pro-raw", "rock64-raw", "rock-4c-plus-raw",
                 "orangepi-r1-plus-lts-rk3328-raw", "novena-raw", "a20-olinuxino-lime2-raw",
                 "am335x-evm-raw", "unmatched-raw", "visionfive2-raw", "hurd-raw", "wsl2"]:
        assert name in found


# --- board modules -------------------------------------------------------------------

MiB = 2**20

# type name -> (module, root offset, platform system, image name or None, table)
BOARDS = {
    "pinebook-pro-raw": ("pinebook-pro", 16 * MiB, "aarch64-linux", None, "mbr"),
    "rock64-raw": ("rock64", 16 * MiB, "aarch64-linux", None, "mbr"),
    "rock-4c-plus-raw": ("rock-4c-plus", 16 * MiB, "aarch64-linux", None, "mbr"),
    "orangepi-r1-plus-lts-rk3328-raw": ("orangepi-r1-plus-lts-rk3328", 16 * MiB, "aarch64-linux",
                                        None, "mbr"),
    "novena-raw": ("novena", 1 * MiB, "armhf-linux", None, "mbr"),
    "a20-olinuxino-lime2-raw": ("a20-olinuxino-lime2", 8192 * 512, "armhf-linux",
                                None, "mbr"),
    "am335x-evm-raw": ("am335x-evm", 4 * MiB, "armhf-linux", None, "mbr"),
    "unmatched-raw": ("unmatched", 0, "riscv64-linux", None, "gpt"),
    "visionfive2-raw": ("visionfive2", 0, "riscv64-linux", None, "gpt"),
}


@pytest.mark.parametrize("type_name", sorted(BOARDS))
def test_board_image_type(type_name):
    from schemeconf import discovery
    from schemeconf.datum import sym
    from schemeconf.evaluator import apply_procedure
    from schemeconf.interpreter import run_deep

    module, offset, system, image_name, table = BOARDS[type_name]
    interp = Interpreter()

    def build():
        t = discovery.find_image_type(interp.loader, type_name)
        assert t is not None, type_name
        mod = interp.loader.load(("gnu", "system", "images", module))
        os = mod.exported(sym(f"{module}-barebones-os"))
        return apply_procedure(t.get("constructor"), [os])

    img = run_deep(build)
    parts = lst(img.get("partitions"))
    assert parts[-1].get("label") == "Guix_image"
    assert parts[-1].get("offset") == offset
    assert img.get("platform").get("system") == system
    assert (img.get("name").name if img.get("name") else None) == image_name
    assert img.get("partition-table-type").name == table
    if table == "gpt":
        assert [(p.get("label"), p.get("offset"), p.get("size"), p.get("file-system")) for p in parts[:2]] == [
            ("spl", 17408, 1 * MiB, "unformatted"), ("uboot", 1065984, 4 * MiB, "unformatted")]
        assert all(rtype(p.get("uuid")) == "<uuid>" for p in parts[:2])


# --- one service type per name, whichever module it is imported from ---------------

# Regression (issue 2): %desktop-services held a GDM and an Avahi service type
# of its own, so `(delete gdm-service-type)' in modify-services failed with
# "not found" and `memq' on service kinds never matched.
def test_desktop_service_kinds_are_the_exported_types(tmp_path):
    path = tmp_path / "config.scm"
    path.write_text(
        "(use-modules (gnu) (gnu services avahi) (gnu services sddm) (gnu services dbus))\n"
        "(use-service-modules desktop xorg)\n"
        "(define kinds (map service-kind %desktop-services))\n"
        "(list (and (memq gdm-service-type kinds) #t)\n"
        "      (and (memq avahi-service-type kinds) #t)\n"
        "      (and (memq dbus-root-service-type kinds) #t)\n"
        "      (eq? sddm-service-type (@ (gnu services xorg) sddm-service-type))\n"
        "      (length (modify-services %desktop-services (delete gdm-service-type))))\n"
    )
    assert lst(load(path)) == [True, True, True, True, DESKTOP_SERVICES - 1]
