"""The service realizers (builders/system/services/): what each kind of service becomes in the
image, or why it cannot be realized, and that every bundled service type is accounted for."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders.plan import BootloaderPlan, OsPlan, ServicePlan
from builders.system.services import (
    MISSING,
    REALIZERS,
    Context,
    Realization,
    Realizer,
    Stage,
    explain,
    realize,
    registry,
    unrealized,
)

REPO = Path(__file__).resolve().parents[1]
BUSYBOX = frozenset({"udhcpc", "syslogd", "klogd", "ip", "hostname", "mount", "getty", "sysctl"})
UDHCPC = "usr/share/udhcpc/default.script"


def os_plan(*services: ServicePlan, kernel_arguments: tuple[str, ...] = ()) -> OsPlan:
    return OsPlan(host_name="komputilo", timezone="UTC", locale="en_US.utf8", label="test", kernel="linux-libre",
                  hurd=None, kernel_arguments=kernel_arguments, initrd_modules=(),
                  bootloader=BootloaderPlan("grub", None, "/boot/grub/grub.cfg"), file_systems=(), users=(),
                  groups=(), packages=(), services=tuple(services), issue="")


def outcome(services: list[ServicePlan], applets=BUSYBOX, kernel_arguments=()) -> dict:
    """What the realizers make of SERVICES, folded as builders/system/running.py folds it."""
    ctx = Context(os_plan(*services, kernel_arguments=kernel_arguments), frozenset(applets), "x86_64")
    done = realize(services, ctx)
    return {
        "inittab": [e for r in done for e in r.realization.inittab],
        "rcs": [line for r in done for line in r.realization.rcs],
        "files": {f.path: (f.mode, f.text) for r in done for f in r.realization.files},
        "unrealized": {s.label: explain(s.label) for s in unrealized(services, done)},
    }


S = ServicePlan
AGETTY = {"record": "agetty-configuration", "tty": False, "term": False, "baud-rate": False, "extra-options": [],
          "auto-login": False, "local-line": False}

# (id, services, applets, kernel arguments, expected: the keys of `outcome` that must match exactly,
#  and for "rcs_has"/"files_has" lines and paths that must be there)
CASES = [
    ("dhcpcd-every-interface", [S("dhcpcd", {"interfaces": []})], BUSYBOX, (),
     {"rcs_has": ["# DHCP (dhcpcd)", "for i in $(ls /sys/class/net); do",
                  "  udhcpc -b -t 3 -T 1 -S -i \"$i\" -p /run/udhcpc.$i.pid -s /usr/share/udhcpc/default.script "
                  "-x hostname:$(hostname)"],
      "files_has": {UDHCPC: 0o755}, "unrealized": {}}),
    ("dhcp-interfaces-quoted", [S("dhcp-client", {"interfaces": ["eth0", "we ird"]}),
                                S("network-manager", {"record": "x", "interfaces": ["eth0", "eth1"]})], BUSYBOX, (),
     {"rcs_has": ["# DHCP (dhcp-client, network-manager)", "for i in eth0 'we ird' eth1; do"], "unrealized": {}}),
    ("dhcp-without-udhcpc", [S("network-manager", {"record": "x"}), S("connman", None)], {"ip"}, (),
     {"rcs": [], "files": {}, "unrealized": {"network-manager": "this busybox has no udhcpc applet",
                                             "connman": "this busybox has no udhcpc applet"}}),
    ("ntp-with-ntpd", [S("ntp", {"servers": ["0.pool.ntp.org", {"address": "a b"}]})], BUSYBOX | {"ntpd"}, (),
     {"rcs": ["ntpd -p 0.pool.ntp.org -p 'a b'"], "unrealized": {}}),
    ("ntp-default-servers", [S("ntp", False)], BUSYBOX | {"ntpd"}, (),
     {"rcs": ["ntpd -p 0.guix.pool.ntp.org -p 1.guix.pool.ntp.org"]}),
    ("ntp-debian-busybox", [S("ntp", False), S("openntpd", False)], BUSYBOX, (),
     {"rcs": [], "unrealized": {"ntp": "this busybox has no ntpd applet",
                                "openntpd": "this busybox has no ntpd applet"}}),
    ("syslog-and-klogd", [S("shepherd-system-log", False)], BUSYBOX, (), {"rcs": ["syslogd", "klogd"]}),
    ("syslog-without-klogd", [S("syslog", False)], {"syslogd"}, (), {"rcs": ["syslogd"], "unrealized": {}}),
    ("syslog-without-syslogd", [S("rsyslog", False)], {"ip"}, (),
     {"rcs": [], "unrealized": {"rsyslog": "this busybox has no syslogd applet"}}),
    ("sysctl", [S("sysctl", {"settings": [["net.ipv4.ip_forward", "1"], ["fs.protected_symlinks", "0"]]})],
     BUSYBOX, (),
     {"rcs": ["sysctl -q -p /etc/sysctl.conf >/dev/null 2>&1"],
      "files": {"etc/sysctl.conf": (0o644, "fs.protected_hardlinks = 1\nnet.ipv4.ip_forward = 1\n"
                                           "fs.protected_symlinks = 0\n")}, "unrealized": {}}),
    ("sysctl-line-breaking-setting", [S("sysctl", {"settings": [["kernel.x\nvm.y", "1"], ["vm.z", "2\n3"]]})],
     BUSYBOX, (),
     {"files": {"etc/sysctl.conf": (0o644, "fs.protected_hardlinks = 1\nfs.protected_symlinks = 1\n")},
      "unrealized": {'sysctl (setting "kernel.x\\nvm.y")':
                     "a sysctl key is names separated by '.' or '/', and a value is one line",
                     'sysctl (setting "vm.z")':
                     "a sysctl key is names separated by '.' or '/', and a value is one line"}}),
    ("urandom-seed", [S("urandom-seed", False)], BUSYBOX, (),
     {"rcs": ["# urandom-seed", "[ -f /var/lib/random-seed ] && cat /var/lib/random-seed > /dev/urandom",
              "dd if=/dev/urandom of=/var/lib/random-seed bs=512 count=1 2>/dev/null "
              "&& chmod 600 /var/lib/random-seed"]}),
    ("loopback", [S("static-networking", ["loopback"])], BUSYBOX, (), {"rcs": ["ip link set lo up"], "unrealized": {}}),
    ("static-networking-beyond-loopback", [S("static-networking", ["loopback", {"addresses": []}])], BUSYBOX, (),
     {"rcs": ["ip link set lo up"], "unrealized": {"static-networking": "only the loopback interface is configured"}}),
    ("console-agetty-follows-console=", [S("agetty", AGETTY)], BUSYBOX, ("console=ttyS0,115200",),
     {"inittab": ["ttyS0::respawn:/sbin/getty 115200 ttyS0 vt100"], "files": {}, "unrealized": {}}),
    ("agetty-auto-login-and-bad-option",
     [S("agetty", {**AGETTY, "tty": "ttyS1", "auto-login": "alice", "extra-options": ["--bogus"]})], BUSYBOX, (),
     {"inittab": ["ttyS1::respawn:/sbin/getty -n -l /etc/pyguix/autologin-alice 115200 ttyS1 vt100"],
      "files": {"etc/pyguix/autologin-alice": (0o755, "#!/bin/sh\nexec /bin/login -f alice\n")},
      "unrealized": {"agetty (option --bogus)": "busybox getty has no counterpart for this agetty option"}}),
    ("agetty-login-program", [S("agetty", {**AGETTY, "tty": "ttyS1", "login-program": "/bin/x"})], BUSYBOX, (),
     {"unrealized": {"agetty (login-program)": "busybox getty runs /bin/login (or the auto-login program); "
                                               "another login program is not supported"}}),
    ("mingetty", [S("mingetty", {"tty": "tty2"}), S("mingetty", {"tty": "tty3"})], BUSYBOX, (),
     {"inittab": ["tty2::respawn:/sbin/getty 38400 tty2 linux", "tty3::respawn:/sbin/getty 38400 tty3 linux"]}),
    ("nothing-to-do", [S("login", False), S("virtual-terminal", True), S("host-name", "x"), S("motd", ""),
                       S("user-processes", False), S("shepherd-root", False), S("fstab", [])], BUSYBOX, (),
     {"inittab": [], "rcs": [], "files": {}, "unrealized": {}}),
    ("realized-by-the-tree", [S("etc", []), S("special-files", []), S("profile", []), S("setuid-program", []),
                              S("my-config", None, ("etc",)), S("hello", None, ("profile",))], BUSYBOX, (),
     {"inittab": [], "rcs": [], "files": {}, "unrealized": {}}),
    ("not-realized-with-a-reason",
     [S("openssh", {}), S("guix", {}), S("nscd", False), S("udev", {}), S("console-fonts", []),
      S("log-rotation", False)], BUSYBOX, (),
     {"unrealized": {"openssh": "no SSH server package is installed by pyguix yet",
                     "guix": "there is no Guix daemon or store in a pyguix image",
                     "nscd": "no name service cache daemon in the busybox system",
                     "udev": "devtmpfs provides the device nodes, but no udev rules or module autoloading",
                     "console-fonts": "no console font files or setfont in the busybox system",
                     "log-rotation": "no log rotation: /var/log/messages grows (Debian's busybox syslogd cannot "
                                     "rotate)"}}),
    ("no-realizer", [S("mcron", {}), S("my-sysctl", [["a", "1"]], ("sysctl",))], BUSYBOX, (),
     {"unrealized": {"mcron": "pyguix has no realizer for the 'mcron' service yet",
                     "my-sysctl": "pyguix has no realizer for the 'my-sysctl' service yet"}}),
]


@pytest.mark.parametrize("services,applets,kernel_arguments,expected", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_realization(services, applets, kernel_arguments, expected):
    got = outcome(services, applets, kernel_arguments)
    for key in ("inittab", "rcs", "files", "unrealized"):
        if key in expected:
            assert got[key] == expected[key], key
    for line in expected.get("rcs_has", ()):
        assert line in got["rcs"]
    for path, mode in expected.get("files_has", {}).items():
        assert got["files"][path][0] == mode


def test_rcs_follows_start_up_order_not_declaration_order():
    services = [S("ntp", False), S("dhcpcd", {"interfaces": ["eth0"]}), S("syslog", False), S("urandom-seed", False),
                S("sysctl", {}), S("static-networking", ["loopback"])]
    rcs = outcome(services, BUSYBOX | {"ntpd"})["rcs"]
    firsts = [next(i for i, line in enumerate(rcs) if line.startswith(start)) for start in
              ("ip link set lo up", "sysctl -q", "# urandom-seed", "syslogd", "# DHCP", "ntpd")]
    assert firsts == sorted(firsts)


def test_unrealized_kinds_in_declaration_order_then_details():
    services = [S("openssh", {}), S("agetty", {**AGETTY, "tty": "ttyS0", "extra-options": ["--bogus"]}),
                S("ntp", False), S("guix", {}), S("weird", None), S("my-etc", None, ("etc",)), S("openssh", {})]
    assert list(outcome(services)["unrealized"]) == ["openssh", "ntp", "guix", "weird", "agetty (option --bogus)"]


@pytest.fixture
def scratch_registry(monkeypatch):
    """The registry, copied: what a test registers is gone after it."""
    monkeypatch.setattr(registry, "REALIZERS", dict(registry.REALIZERS))
    monkeypatch.setattr(registry, "_NAMES", set(registry._NAMES))


def test_each_realizer_is_called_once_with_all_its_services(scratch_registry):
    seen: list[tuple[str, ...]] = []

    def count(services, ctx) -> Realization:
        seen.append(tuple(s.kind for s in services))
        return Realization(rcs=(f"echo {len(services)}",))

    registry.register(Realizer("test-counting", ("test-a", "test-b"), count, lambda s: "", Stage.NTP))
    got = outcome([S("test-a", 1), S("login", False), S("test-b", 2), S("test-a", 3)])
    assert seen == [("test-a", "test-b", "test-a")] and got["rcs"] == ["echo 3"]


def test_a_kind_has_one_realizer(scratch_registry):
    with pytest.raises(ValueError, match="two realizers for the 'login' service"):
        registry.register(Realizer("test-duplicate", ("login",), lambda services, ctx: Realization(), lambda s: ""))
    assert registry.REALIZERS["login"].name == "nothing"


def bundled_service_types() -> dict[str, str]:
    """{service type name: its variable} of every service type gnu/services.scm and gnu/services/*.scm export."""
    from schemeconf.interpreter import Interpreter, run_deep
    from schemeconf.records import Record

    def collect() -> dict[str, str]:
        interp = Interpreter()
        found: dict[str, str] = {}
        for path in [REPO / "gnu" / "services.scm", *sorted((REPO / "gnu" / "services").glob("*.scm"))]:
            module = interp.module(tuple(path.relative_to(REPO).with_suffix("").parts))
            for name in module.exports:
                value = module.exported(name, False)
                if isinstance(value, Record) and value.rtype.name == "<service-type>":
                    found.setdefault(value.get("name").name, name.name)
        return found

    return run_deep(collect)


def test_every_bundled_service_type_has_a_realizer_or_a_reason():
    types = bundled_service_types()
    assert {"agetty", "dhcpcd", "openssh", "etc", "sysctl", "gdm"} <= set(types)   # the modules were read
    ctx = Context(os_plan(), frozenset(), "x86_64")         # no applets: what needs one says so
    for kind, variable in sorted(types.items()):
        assert REALIZERS.get(kind, MISSING) is not MISSING, f"{variable}: no realizer for '{kind}'"
        (done,) = realize([S(kind, False)], ctx)
        for shortfall in done.realization.unrealized:
            reason = explain(shortfall.label)
            assert reason and "has no realizer" not in reason and "cannot realize" not in reason, (kind, reason)
