"""The service graph, folded as Guix folds it (builders/lowering/services.py), and
gexps lowered to Guile text (builders/lowering/gexp.py).

The bundled Scheme gives service types their extensions (gnu/services/*.scm);
lowering an operating system folds its services into Shepherd services,
accounts, boot-time code, /etc files and profile packages.  Each row below
is a configuration and what its fold must hold."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from builders.lowering.gexp import DEBIAN_PATHS, Lowering, gexp_text
from builders.plan import OsPlan, ShepherdServicePlan
from schemeconf.errors import SchemeError
from schemeconf.interpreter import Interpreter, run_deep
from schemeconf.reader import read_all
from schemeconf.records import Record
from schemeconf.source import SourceFile

REPO = Path(__file__).resolve().parents[1]
GUILE = shutil.which("guile-3.0") or shutil.which("guile")


def lower(config: Path) -> OsPlan:
    """The OsPlan of the operating system CONFIG evaluates to (its qcow2 image)."""
    from builders import cli
    from builders.lowering.lower import lower_image

    interp = cli._interpreter([])
    value = interp.load_file(config)
    image, type_name = run_deep(lambda: cli._image_from_value(interp, value, "qcow2", str(config)))
    plan = run_deep(lambda: lower_image(image, type_name)).os
    assert plan is not None
    return plan


def by_name(plan: OsPlan) -> dict[str, ShepherdServicePlan]:
    return {s.provision[0]: s for s in plan.shepherd_services}


def placed(plan: OsPlan, text: str) -> str:
    """The content of the file of PLAN placed at the first path TEXT names (/etc/pyguix/files/...)."""
    path = re.search(r'"(/etc/pyguix/files/[^"]+)"', text)
    assert path, text
    files = {f.path: f for f in plan.etc_files}
    content = files[path.group(1)].content
    assert content is not None
    return content


OS = """\
(use-modules (gnu) (gnu services shepherd))
(use-service-modules networking ssh sysctl web)
(use-package-modules admin)
(operating-system
  (host-name "fold")
  (bootloader (bootloader-configuration (bootloader grub-bootloader) (targets '("/dev/sda"))))
  (file-systems (cons (file-system (device (file-system-label "root")) (mount-point "/") (type "ext4"))
                      %base-file-systems))
  (services (cons* SERVICES %base-services)))
"""


def write_os(tmp_path: Path, services: str, files: dict[str, str] | None = None) -> Path:
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text)
    config = tmp_path / "os.scm"
    config.write_text(OS.replace("SERVICES", services))
    return config


# --- the server sample -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> OsPlan:
    return lower(REPO / "samples" / "server.scm")


# (provision, service type, fragments of its start code)
SERVER_SERVICES = [
    ("ssh-daemon", "openssh", ['(make-forkexec-constructor (list "/usr/sbin/sshd" "-D" "-e" "-f" "/etc/pyguix/files/']),
    ("networking", "dhcpcd", ['"/usr/sbin/dhcpcd" "-q" "-q" "-B" "-f" "/etc/pyguix/files/']),
    ("term-console", "agetty", ['"/usr/sbin/agetty" "-L" "--keep-baud"', '"--login-program" "/usr/bin/login"',
                                '"/proc/cmdline"']),
    *[(f"term-tty{n}", "mingetty", [f'(list "/usr/sbin/mingetty" "--nohangup" "tty{n}")']) for n in range(1, 7)],
    ("loopback", "static-networking", ['"/usr/sbin/ip"', '("address" "replace" "127.0.0.1/8" "dev" "lo")']),
    ("host-name", "host-name", ['(sethostname "komputilo")']),
    ("user-processes", "user-processes", []),
    ("root-file-system", "root-file-system", []),
    ("file-systems", "file-systems", []),
    ("file-system-/dev/pts", "file-systems", ['"/usr/bin/mount" "-t" "devpts" "-o" "gid=996,mode=620"']),
    ("udev", "udev", ['"/usr/lib/systemd/systemd-udevd"', '"/run/udev/control"']),
    ("system-log", "shepherd-system-log", []),
    ("nscd", "nscd", ['"/usr/sbin/nscd" "-f" "/etc/pyguix/files/', '"--foreground"']),
    ("sysctl", "sysctl", ['"/usr/sbin/sysctl" "--load" "/etc/pyguix/files/']),
    ("urandom-seed", "urandom-seed", ['"/usr/bin/dd"']),
    ("virtual-terminal", "virtual-terminal", ["default_utf8"]),
    ("pam", "pam", []),
]


@pytest.mark.parametrize("provision, kind, fragments", SERVER_SERVICES, ids=[r[0] for r in SERVER_SERVICES])
def test_server_sample_folds_into_shepherd_services(server, provision, kind, fragments):
    services = by_name(server)
    assert provision in services, sorted(services)
    service = services[provision]
    assert service.service == kind
    for fragment in fragments:
        assert fragment in service.start, service.start


def test_server_sample_sshd(server):
    sshd = by_name(server)["ssh-daemon"]
    assert sshd.provision == ("ssh-daemon", "ssh", "sshd")
    assert sshd.requirement == ("user-processes", "pam", "syslogd", "loopback", "networking")
    assert sshd.stop == "(make-kill-destructor)"
    assert "/usr/sbin/sshd" in sshd.files and "openssh" in sshd.packages and "openssh-server" in sshd.debian_packages
    config = placed(server, sshd.start)
    for line in ("Port 2222\n", "PermitRootLogin prohibit-password\n", "PasswordAuthentication no\n",
                 "PermitEmptyPasswords no\n", "X11Forwarding no\n", "UsePAM yes\n", "LogLevel INFO\n",
                 "AuthorizedKeysFile .ssh/authorized_keys .ssh/authorized_keys2 /etc/ssh/authorized_keys.d/%u\n",
                 "Subsystem\tsftp\tinternal-sftp\n"):
        assert line in config
    assert [a for a, _ in sshd.actions] == ["configuration"]
    (activation,) = [a for a in server.activation if a.service == "openssh"]
    assert '(mkdir "/run/sshd" 493)' in activation.code
    # The host keys are made when sshd first starts (not in the activation: it holds up the boot).
    assert '(system* "/usr/bin/ssh-keygen" "-A")' in sshd.start and "ssh-keygen" not in activation.code
    assert '(symlink "/etc/pyguix/files/' in activation.code
    assert "openssh" in server.profile_packages


def test_server_sample_accounts_and_order(server):
    assert [(u.name, u.group, u.shell, u.system) for u in server.service_users] == [
        ("dhcpcd", "dhcpcd", "/usr/sbin/nologin", True), ("sshd", "sshd", "/usr/sbin/nologin", True)]
    assert [g.name for g in server.service_groups] == ["dhcpcd", "sshd"]
    names = [s.provision[0] for s in server.shepherd_services]
    assert len(names) == len(set(names))
    # The file systems and user-processes: what `halt' stops last.
    assert by_name(server)["user-processes"].requirement == ("root-file-system", "file-systems", "urandom-seed")
    assert server.service_notes == ()


def test_every_requirement_of_the_server_is_provided(server):
    provided = {p for s in server.shepherd_services for p in s.provision}
    assert {(s.provision[0], r) for s in server.shepherd_services for r in s.requirement} <= {
        (s.provision[0], r) for s in server.shepherd_services for r in s.requirement if r in provided}


def test_the_fold_is_deterministic(server):
    again = lower(REPO / "samples" / "server.scm")
    assert again.shepherd_services == server.shepherd_services
    assert again.etc_files == server.etc_files and again.activation == server.activation


# --- configurations of the user's own ------------------------------------------------------------

# (name, services, files next to the config, check)
ROWS = [
    ("simple-service-extends-shepherd-root",
     """(simple-service 'heartbeat shepherd-root-service-type
          (list (shepherd-service
                 (provision '(heartbeat))
                 (requirement '(networking no-such-service))
                 (start #~(make-forkexec-constructor
                           (list #$(file-append inetutils "/bin/ping") "-i" "60" "example.org")))
                 (stop #~(make-kill-destructor)))))""", {},
     lambda p: (by_name(p)["heartbeat"].start == '(make-forkexec-constructor (list "/usr/bin/ping" "-i" "60" '
                                                   '"example.org"))'
                and by_name(p)["heartbeat"].requirement == ("networking", "no-such-service")   # kept, as written
                and by_name(p)["heartbeat"].packages == ("inetutils",))),
    ("extension-of-a-type-that-extends-shepherd",
     "(simple-service 'wait-for-it user-processes-service-type '(my-disk))", {},
     lambda p: "my-disk" in by_name(p)["user-processes"].requirement),
    ("authorized-keys-one-and-two-files",
     """(service openssh-service-type
          (openssh-configuration
           (password-authentication? #f)
           (authorized-keys `(("alice" ,(local-file "alice.pub"))
                              ("bob" ,(local-file "bob.pub") ,(plain-file "bob2" "ssh-ed25519 BBB bob@two\\n"))))))""",
     {"alice.pub": "ssh-ed25519 AAA alice\n", "bob.pub": "ssh-ed25519 BBB bob@one\n"},
     lambda p: ({f.path: (f.source is not None, f.content) for f in p.etc_files
                 if f.path.startswith("/etc/ssh/")} == {
         "/etc/ssh/authorized_keys.d/alice": (True, None),
         "/etc/ssh/authorized_keys.d/bob": (False, "ssh-ed25519 BBB bob@one\nssh-ed25519 BBB bob@two\n")}
         and "PasswordAuthentication no\n" in placed(p, by_name(p)["ssh-daemon"].start))),
    ("sshd-options",
     """(service openssh-service-type
          (openssh-configuration (port-number 2200) (permit-root-login #t) (x11-forwarding? #t)
                                 (password-authentication? #t) (extra-content "ClientAliveInterval 30")))""", {},
     lambda p: all(line in placed(p, by_name(p)["ssh-daemon"].start)
                   for line in ("Port 2200\n", "PermitRootLogin yes\n", "X11Forwarding yes\n",
                                "PasswordAuthentication yes\n", "\nClientAliveInterval 30\n"))),
    ("keys-added-by-another-service",
     """(service openssh-service-type)
        (simple-service 'more-keys openssh-service-type `(("carol" ,(plain-file "carol.pub" "ssh-rsa C\\n"))))""", {},
     lambda p: any(f.path == "/etc/ssh/authorized_keys.d/carol" and f.content == "ssh-rsa C\n" for f in p.etc_files)),
    ("nginx-server-block",
     """(service nginx-service-type
          (nginx-configuration
           (server-blocks (list (nginx-server-configuration
                                 (server-name '("www.example.org")) (listen '("8080")) (root "/srv/www"))))))""", {},
     lambda p: ('"/usr/sbin/nginx" "-c" "/etc/pyguix/files/' in by_name(p)["nginx"].start
                and '"-g" "daemon off;"' in by_name(p)["nginx"].start
                and all(line in placed(p, by_name(p)["nginx"].start)
                        for line in ("listen 8080;", "server_name www.example.org;", "root /srv/www;",
                                     "include /etc/nginx/mime.types;", "user nginx nginx;"))
                and "nginx" in [u.name for u in p.service_users])),
    ("static-networking",
     """(service static-networking-service-type
          (list (static-networking
                 (addresses (list (network-address (device "eth0") (value "10.0.2.15/24"))))
                 (routes (list (network-route (destination "default") (gateway "10.0.2.2"))))
                 (name-servers '("10.0.2.3")))))""", {},
     lambda p: ('("route" "replace" "default" "via" "10.0.2.2")' in by_name(p)["networking"].start
                and any(f.path == "/etc/resolv.conf" and f.content.endswith("nameserver 10.0.2.3\n")
                        for f in p.etc_files))),
    ("ntp-and-sysctl-extension",
     """(service ntp-service-type)
        (simple-service 'swappiness sysctl-service-type '(("vm.swappiness" . "10")))""", {},
     lambda p: ('"/usr/sbin/ntpd" "-n" "-c"' in by_name(p)["ntpd"].start
                and "pool 2.guix.pool.ntp.org iburst\n" in placed(p, by_name(p)["ntpd"].start)
                and "vm.swappiness = 10\n" in placed(p, by_name(p)["sysctl"].start))),
    ("udev-rule-from-a-service",
     """(udev-rules-service 'remap (udev-rule "90-remap.rules" "KERNEL==\\"uinput\\", GROUP=\\"input\\"\\n")
                           #:groups '("uinput"))""", {},
     lambda p: (any(f.path == "/etc/udev/rules.d/90-remap.rules" for f in p.etc_files)
                and "uinput" in [g.name for g in p.service_groups])),
    ("code-that-cannot-be-lowered-is-a-note",
     """(simple-service 'built shepherd-root-service-type
          (list (shepherd-service (provision '(built))
                                  (start #~(make-forkexec-constructor
                                            (list #$(program-file "x" #~(display 1))))))))""", {},
     lambda p: ("built" not in by_name(p)
                and any("program-file 'x'" in n.message and n.origin and n.origin.line == 12
                        for n in p.service_notes))),
    ("gexp-splicing-nesting-and-quotes",
     """(simple-service 'quotes shepherd-root-service-type
          (list (shepherd-service (provision '(quotes))
                                  (start #~(lambda _ (display #$(string-append "say \\"hi\\"\\n" "\\\\"))
                                                     (list #$@(list 1 'two "three") . #$(list #:four))
                                                     #$#~(newline) #t)))))""", {},
     lambda p: by_name(p)["quotes"].start == ('(lambda _ (display "say \\"hi\\"\\n\\\\") '
                                              '(list 1 two "three" . (#:four)) (newline) #t)')),
]


@pytest.mark.parametrize("name, services, files, check", ROWS, ids=[r[0] for r in ROWS])
def test_fold(tmp_path, name, services, files, check):
    plan = lower(write_os(tmp_path, services, files))
    assert check(plan)


# --- hostile values: refused where they are written, or escaped ------------------------------------

# (name, services, line and fragment of the error)
REFUSED = [
    ("port-number-with-a-newline",
     '(service openssh-service-type (openssh-configuration (port-number "22\\nPermitRootLogin yes")))',
     "port-number must be a TCP port number"),
    ("authorized-keys-user-with-a-slash",
     '(service openssh-service-type (openssh-configuration (authorized-keys `(("../root" ,(plain-file "k" "x"))))))',
     "is not a user name"),
    ("nginx-server-name-closing-the-block",
     '(service nginx-service-type (nginx-configuration (server-blocks (list (nginx-server-configuration '
     '(server-name (list "a; } server { listen 81")))))))',
     "server-name must be a list of strings"),
    ("sysctl-setting-on-two-lines",
     "(service sysctl-service-type (sysctl-configuration (settings '((\"vm.a\" . \"1\\nkernel.b = 2\")))))",
     "invalid sysctl setting"),
    ("dhcpcd-option-on-two-lines",
     "(service dhcpcd-service-type (dhcpcd-configuration (option '(\"a\\nb\"))))",
     "option must be a list of one-line strings"),
]


@pytest.mark.parametrize("name, services, fragment", REFUSED, ids=[r[0] for r in REFUSED])
def test_hostile_values_are_refused_at_their_field(tmp_path, name, services, fragment):
    config = write_os(tmp_path, services)
    with pytest.raises(SchemeError) as info:
        lower(config)
    assert fragment in info.value.message
    span = info.value.span
    assert span is not None and span.source.name == str(config) and span.line == 9, span


def test_hostile_strings_are_escaped_in_guile_text():
    interp = Interpreter()
    value = run_deep(lambda: interp.eval_string(
        '(use-modules (guix gexp))\n'
        '#~(list #$"a\\"b\\\\c\\nd\\x01e" #$(string->symbol "two words") #$(string->symbol "#t"))', "x.scm"))
    text, packages, files = gexp_text(value)
    assert text == '(list "a\\"b\\\\c\\nd\\x01e" #{two words}# #{#t}#)'
    assert packages == () and files == ()
    if GUILE:
        out = subprocess.run([GUILE, "-c", f"(write (quote {text}))"], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0 and out.stdout == text, out


# --- the text is Guile ----------------------------------------------------------------------------


def all_code(plan: OsPlan) -> list[str]:
    texts = []
    for s in plan.shepherd_services:
        texts += [s.start, s.stop, s.free_form, *[proc for _, proc in s.actions]]
    texts += [a.code for a in plan.activation]
    return [t for t in texts if t]


def test_the_code_reads_back(server):
    texts = all_code(server)
    for text in texts:
        forms = read_all(text, SourceFile("code.scm", text))
        assert len(list(forms)) == 1, text
    if GUILE:
        program = "(for-each (lambda (text) (call-with-input-string text read)) (list " + " ".join(
            '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"' for t in texts) + "))"
        out = subprocess.run([GUILE, "-c", program], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr


def test_debian_paths_are_absolute_and_exact():
    for (_package, suffix), (path, debian) in DEBIAN_PATHS.items():
        assert suffix.startswith("/") and path.startswith("/") and ".." not in path.split("/") and debian


def test_placed_files_are_named_by_their_content():
    interp = Interpreter()
    value = run_deep(lambda: interp.eval_string(
        '(use-modules (guix gexp))\n#~(list #$(plain-file "a.conf" "x") #$(plain-file "a.conf" "x"))', "x.scm"))
    lowering = Lowering()
    text = lowering.gexp(value)
    (path,) = lowering.placed
    assert text == f'(list "{path}" "{path}")' and path.endswith("-a.conf")
    with pytest.raises(SchemeError):
        Lowering().gexp(run_deep(lambda: interp.eval_string('#~(list #$(plain-file "a/b" "x"))', "x.scm")))


# --- every service type says how it runs --------------------------------------------------------------

SERVICE_MODULES = sorted(p for p in (REPO / "gnu" / "services").glob("*.scm")) + [REPO / "gnu" / "services.scm"]
NO_SHEPHERD = "No Shepherd service"


def _reaches_shepherd(kind: Record, seen: set[int] | None = None) -> bool:
    seen = seen if seen is not None else set()
    if id(kind) in seen:
        return False
    seen.add(id(kind))
    name = kind.get("name")
    if getattr(name, "name", None) == "shepherd-root":
        return True
    for ext in _to_list(kind.get("extensions")):
        target = ext.get("target")
        if isinstance(target, Record) and _reaches_shepherd(target, seen):
            return True
    return False


def _to_list(value):
    from schemeconf.datum import Pair, to_list

    return to_list(value) if isinstance(value, Pair) else []


def _paragraph(text: str, name: str) -> str:
    lines = text.split("\n")
    (at,) = [i for i, line in enumerate(lines) if re.match(rf"\(define {re.escape(name)}\b", line)]
    start = at
    while start > 0 and lines[start - 1].strip():
        start -= 1
    end = at
    while end < len(lines) and lines[end].strip():
        end += 1
    return "\n".join(lines[start:end])


@pytest.mark.parametrize("path", SERVICE_MODULES, ids=[p.stem for p in SERVICE_MODULES])
def test_every_service_type_has_a_shepherd_service_or_says_why_not(path):
    text = path.read_text()
    names = re.findall(r"^\(define ([a-z0-9-]+-service-type)\b", text, re.M)
    module = "(gnu services)" if path.name == "services.scm" else f"(gnu services {path.stem})"
    interp = Interpreter()
    missing = []
    for name in names:
        kind = run_deep(lambda n=name: interp.eval_string(f"(@ {module} {n})", "x.scm"))
        assert isinstance(kind, Record) and kind.rtype.name == "<service-type>", name
        if not _reaches_shepherd(kind) and NO_SHEPHERD not in _paragraph(text, name):
            missing.append(name)
    assert missing == [], f"service types without a Shepherd extension nor a ';; {NO_SHEPHERD}: why' comment"
