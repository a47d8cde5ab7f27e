"""Login prompts: the agetty and mingetty services as busybox getty entries of /etc/inittab.

An agetty service with `(tty #f)` follows the kernel's `console=` argument, as
Guix's does; serial ttys get a baud rate and busybox getty's options mapped
from agetty's (`-L`, `-h`, ...), virtual terminals run at 38400.  Options
busybox getty has no counterpart for are reported, not dropped silently.
An auto-login user gets a small login program, /etc/pyguix/autologin-USER.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from builders.errors import BuildError
from builders.plan import ServicePlan
from builders.system.services.registry import Context, ImageFile, Realization, Shortfall, Stage, realizer
from builders.system.services.values import field, sh_quote, string
from builders.validate import CONTROL, TTY

SERIAL_PREFIXES = ("ttyS", "ttyAMA", "ttyUSB", "ttyACM", "hvc", "ttymxc", "ttyO", "ttySAC", "ttyPS", "ttyLP")


@dataclass(frozen=True)
class Getty:
    tty: str
    baud: str
    term: str | None
    options: tuple[str, ...] = ()
    explicit: bool = True           # the tty was named in the config (not taken from console=)

    def line(self) -> str:
        """The inittab line (`ID::respawn:COMMAND`): the tty is its ID field, so it may hold
        no ':' or line break; lowering has refused those, this is the last guard."""
        args = ["/sbin/getty", *self.options, self.baud, self.tty]
        if self.term:
            args.append(self.term)
        if not TTY.fullmatch(self.tty) or any(CONTROL.search(a) for a in args):
            raise BuildError(f"getty on {self.tty!r}: a terminal name or option would break /etc/inittab",
                             "terminal names are device names such as ttyS0; options hold no line breaks")
        return f"{self.tty}::respawn:" + " ".join(sh_quote(a) for a in args)


def is_serial(tty: str) -> bool:
    return tty.startswith(SERIAL_PREFIXES)


def is_virtual_terminal(tty: str) -> bool:
    return re.fullmatch(r"tty[0-9]+", tty) is not None


def kernel_console(kernel_arguments: Iterable[str]) -> tuple[str, str | None] | None:
    """(tty, baud) of the last console= argument, e.g. ('ttyS0', '115200'); None when there is none."""
    found = None
    for arg in kernel_arguments:
        for word in str(arg).split():
            if word.startswith("console="):
                spec = word[len("console="):]
                tty, _, options = spec.partition(",")
                baud = re.match(r"[0-9]*", options).group(0) or None  # type: ignore[union-attr]
                found = (tty.removeprefix("/dev/"), baud)
    return found


# busybox getty flags that take no argument, and agetty spellings of them.
_GETTY_FLAGS = {"-h": "-h", "--flow-control": "-h", "-L": "-L", "--local-line": "-L", "-m": "-m",
                "--extract-baud": "-m", "-n": "-n", "--skip-login": "-n", "-w": "-w", "--wait-cr": "-w",
                "-i": "-i", "--noissue": "-i"}
_GETTY_ARGS = {"-l": "-l", "--login-program": "-l", "-t": "-t", "--timeout": "-t", "-I": "-I",
               "--init-string": "-I", "-H": "-H", "--host": "-H", "-f": "-f", "--issue-file": "-f"}
# agetty options with no busybox equivalent that change nothing essential.
_GETTY_IGNORED = {"-8", "--8bits", "-s", "--keep-baud", "-N", "--nonewline", "--nohints", "-J", "--noclear",
                  "-c", "--noreset", "-U", "--detect-case"}


def _getty_options(extra: list[str], problems: list[str]) -> list[str]:
    options: list[str] = []
    items = list(extra)
    while items:
        opt = items.pop(0)
        key, eq, inline = opt.partition("=")
        if key in _GETTY_FLAGS and not eq:
            options.append(_GETTY_FLAGS[key])
        elif key in _GETTY_ARGS:
            value = inline if eq else (items.pop(0) if items else "")
            options += [_GETTY_ARGS[key], value]
        elif key in _GETTY_IGNORED:
            continue
        else:
            problems.append(f"agetty (option {opt})")
    return options


def autologin_program(user: str) -> str:
    return f"/etc/pyguix/autologin-{user}"


def agetty_getty(service: ServicePlan, kernel_arguments: tuple[str, ...], problems: list[str],
                 autologins: set[str]) -> Getty | None:
    tty = string(field(service, "tty", False))
    baud = field(service, "baud-rate", False)
    baud = str(baud) if isinstance(baud, (int, str)) and baud != "" and baud is not False else None
    explicit = tty is not None
    if tty is None:
        console = kernel_console(kernel_arguments)
        if console is None:
            return None                   # as in Guix: no console= argument, no console getty
        tty, console_baud = console
        if is_virtual_terminal(tty) or tty == "console":
            return None                   # the mingetty services cover the virtual terminals
        if not TTY.fullmatch(tty):
            problems.append(f"agetty (console={tty})")
            return None                   # not a device name: the kernel has no such console either
        baud = baud or console_baud
    tty = tty.removeprefix("/dev/")
    if baud is None:
        baud = "115200" if is_serial(tty) else "38400"
    term = string(field(service, "term", False)) or ("vt100" if is_serial(tty) else "linux")
    options: list[str] = []
    local = field(service, "local-line", False)
    if local in ("always", True):
        options.append("-L")
    for field_name, flag in (("flow-control?", "-h"), ("no-issue?", "-i"), ("wait-cr?", "-w"),
                             ("extract-baud?", "-m")):
        if field(service, field_name, False) is True:
            options.append(flag)
    for field_name, flag in (("host", "-H"), ("init-string", "-I")):
        text = string(field(service, field_name, False))
        if text:
            options += [flag, text]
    timeout = field(service, "timeout", False)
    if isinstance(timeout, int) and not isinstance(timeout, bool):
        options += ["-t", str(timeout)]
    user = string(field(service, "auto-login", False))
    if user:
        options += ["-n", "-l", autologin_program(user)]
        autologins.add(user)
    elif field(service, "skip-login?", False) is True:
        options.append("-n")
    login = field(service, "login-program", False)
    if login not in (False, None) and not user:
        problems.append("agetty (login-program)")
    extra = field(service, "extra-options", [])
    options += _getty_options([str(x) for x in extra] if isinstance(extra, list) else [], problems)
    # Drop repeated flags (e.g. -L from both local-line and extra-options), keeping order.
    deduped: list[str] = []
    i = 0
    while i < len(options):
        if options[i] in _GETTY_ARGS.values():
            deduped += options[i:i + 2]
            i += 2
            continue
        if options[i] not in deduped:
            deduped.append(options[i])
        i += 1
    return Getty(tty, baud, term, tuple(deduped), explicit)


def mingetty_getty(service: ServicePlan, autologins: set[str]) -> Getty | None:
    tty = string(field(service, "tty", False))
    if tty is None:
        return None
    options: list[str] = []
    user = string(field(service, "auto-login", False))
    if user:
        options += ["-n", "-l", autologin_program(user)]
        autologins.add(user)
    return Getty(tty.removeprefix("/dev/"), "38400", "linux", tuple(options))


def gettys(services: Iterable[ServicePlan], kernel_arguments: tuple[str, ...], problems: list[str] | None = None,
           autologins: set[str] | None = None) -> list[Getty]:
    """The getty of every agetty/mingetty service, one per tty (a named tty wins over console=)."""
    problems = problems if problems is not None else []
    autologins = autologins if autologins is not None else set()
    found: list[Getty] = []
    for service in services:
        make = GETTY_MAKERS.get(service.kind)
        g = make(service, kernel_arguments, problems, autologins) if make else None
        if g is not None:
            found.append(g)
    result: list[Getty] = []
    for g in sorted(found, key=lambda g: not g.explicit):   # stable: explicit ones first
        if all(r.tty != g.tty for r in result):
            result.append(g)
    order = {id(g): i for i, g in enumerate(found)}
    return sorted(result, key=lambda g: order[id(g)])


GETTY_MAKERS = {
    "agetty": agetty_getty,
    "mingetty": lambda service, _kernel_arguments, _problems, autologins: mingetty_getty(service, autologins),
}


def autologin_file(user: str) -> ImageFile:
    """The login program of an auto-login getty: `login -f USER` (USER is an account name, checked
    at lowering; quoted here all the same)."""
    return ImageFile(autologin_program(user).lstrip("/"), f"#!/bin/sh\nexec /bin/login -f {sh_quote(user)}\n", 0o755)


# Why a detail of a getty service is not realized, by the start of the detail.
DETAIL_REASONS = {
    "option ": "busybox getty has no counterpart for this agetty option",
    "login-program": "busybox getty runs /bin/login (or the auto-login program); another login program is "
                     "not supported",
    "console=": "the console= kernel argument names no terminal device, so there is no console getty",
}


def _why(s: Shortfall) -> str:
    return next((why for start, why in DETAIL_REASONS.items() if (s.detail or "").startswith(start)),
                "busybox getty cannot do this")


@realizer("agetty", "mingetty", stage=Stage.LOGIN, why=_why)
def realize_gettys(services: tuple[ServicePlan, ...], ctx: Context) -> Realization:
    problems: list[str] = []
    autologins: set[str] = set()
    entries = tuple(g.line() for g in gettys(services, ctx.os.kernel_arguments, problems, autologins))
    return Realization(inittab=entries, files=tuple(autologin_file(u) for u in sorted(autologins)),
                       unrealized=tuple(Shortfall.parse(p) for p in problems))
