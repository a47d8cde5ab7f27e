"""The Shepherd's configuration file, written from the folded services.

Guix folds an operating system's services into <shepherd-service> records
and writes one Guile file that PID 1 loads.  pyguix does the same:
lowering (builders/lowering/services.py) gives the records as
ShepherdServicePlan values whose start/stop code is Guile text already, and
`shepherd_config` wraps them into a configuration for Shepherd 1.0:

    (use-modules (shepherd service) ...)        ; every module the code names
    (define %services (list (service '(sshd ssh-daemon) #:start ... ) ...))
    (register-services %services)
    (start-in-the-background '(sshd ...))       ; those with auto-start? #t

It adds the two services every Guix system has at the bottom of its graph:
`root-file-system` (stopped last: it syncs and remounts / read-only) and
`user-processes` (its stop kills what is left before that), so that
`halt` and `reboot` leave a clean file system.

Names and documentation come from the configuration, so they are written as
Guile string literals (`(string->symbol "...")` for names): whatever a name
holds, it cannot become code.  Start and stop code is the configuration's
own code, as in Guix: it runs in the image's PID 1, never on the build host.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from builders.plan import ShepherdServicePlan

SIMPLE_SYMBOL = re.compile(r"[a-z][a-z0-9+.-]*")


def guile_string(text: str) -> str:
    """TEXT as a Guile string literal."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def guile_symbol(name: str) -> str:
    """NAME as an expression that evaluates to that symbol."""
    if SIMPLE_SYMBOL.fullmatch(name):
        return "'" + name
    return f"(string->symbol {guile_string(name)})"


def _symbols(names: Iterable[str]) -> str:
    items = list(names)
    if all(SIMPLE_SYMBOL.fullmatch(n) for n in items):
        return "'(" + " ".join(items) + ")"
    return "(list " + " ".join(guile_symbol(n) for n in items) + ")"


# The bottom of the graph (Guix: root-file-system-service and user-processes-service).
ROOT_FILE_SYSTEM = ShepherdServicePlan(
    provision=("root-file-system",),
    documentation="Take care of the root file system: sync it and remount it read-only when stopped.",
    respawn=False,
    start="(const #t)",
    stop="""(lambda _
      (sync)
      (system* "/usr/bin/mount" "-o" "remount,ro" "/")
      #f)""",
    service="root-file-system",
)

USER_PROCESSES = ShepherdServicePlan(
    provision=("user-processes",),
    requirement=("root-file-system",),
    documentation="When stopped, terminate every process the services left behind.",
    respawn=False,
    start="(const #t)",
    stop="""(lambda _
      (define (signal-all sig) (false-if-exception (kill -1 sig)))
      (signal-all SIGTERM)
      (sleep 2)
      (signal-all SIGKILL)
      #f)""",
    service="user-processes",
)

BASE_SERVICES = (ROOT_FILE_SYSTEM, USER_PROCESSES)
BASE_MODULES = ("(shepherd service)", "(srfi srfi-1)", "(ice-9 match)")


def _service_code(s: ShepherdServicePlan) -> str:
    if s.free_form:  # a service made by code of its own: (system-log-service ...), (timer-service ...)
        return s.free_form
    lines = [f"(service {_symbols(s.provision)}"]
    if s.requirement:
        lines.append(f"  #:requirement {_symbols(s.requirement)}")
    if s.documentation:
        lines.append(f"  #:documentation {guile_string(s.documentation)}")
    if s.one_shot:
        lines.append("  #:one-shot? #t")
    if s.transient:
        lines.append("  #:transient? #t")
    lines.append(f"  #:respawn? {'#t' if s.respawn and not s.one_shot else '#f'}")
    if s.respawn_limit:
        lines.append(f"  #:respawn-limit {s.respawn_limit}")
    if s.respawn_delay:
        lines.append(f"  #:respawn-delay {s.respawn_delay}")
    lines.append(f"  #:start {s.start}")
    lines.append(f"  #:stop {s.stop}")
    actions = [(name, proc) for name, proc in s.actions if SIMPLE_SYMBOL.fullmatch(name)]
    if actions:  # `actions` takes bare names: others are left out (and reported by lowering)
        lines.append("  #:actions (actions " + " ".join(f"({name} {proc})" for name, proc in actions) + ")")
    return "\n".join(lines) + ")"


def all_services(services: Iterable[ShepherdServicePlan]) -> tuple[ShepherdServicePlan, ...]:
    """SERVICES, with the base pair first where the folded services lack it (a service
    provided twice is kept once: the first)."""
    items = list(services)
    provided = {p for s in items for p in s.provision}
    out: list[ShepherdServicePlan] = [b for b in BASE_SERVICES if b.provision[0] not in provided]
    taken = {p for b in out for p in b.provision}
    for s in items:
        if any(p in taken for p in s.provision):
            continue
        taken.update(s.provision)
        out.append(s)
    return tuple(out)


def unmet_requirements(services: Iterable[ShepherdServicePlan]) -> list[tuple[str, str]]:
    """(service, requirement) pairs whose requirement no service provides."""
    items = list(services)
    provided = {p for s in items for p in s.provision}
    return [(s.provision[0], r) for s in items for r in s.requirement if r not in provided]


def shepherd_config(services: Iterable[ShepherdServicePlan], *, modules: Iterable[str] = (),
                    source: str = "") -> str:
    """The text of the Shepherd configuration running SERVICES (the base pair added).

    A service whose requirements cannot be met is left out of the start list
    (Shepherd would refuse it) but still registered, so `herd status` shows it."""
    everything = all_services(services)
    unmet = {name for name, _ in unmet_requirements(everything)}
    mods = list(dict.fromkeys([*BASE_MODULES, *modules]))
    start = [s.provision[0] for s in everything if s.auto_start and s.provision[0] not in unmet]
    out = [
        ";; The Shepherd's configuration, generated by pyguix"
        + (f" from {source}" if source else "") + ".",
        ";; Each service is one <shepherd-service> of the operating system's folded services.",
        "",
        "(use-modules " + "\n             ".join(mods) + ")",
        "",
        "(define %services",
        "  (list",
    ]
    for s in everything:
        origin = f", from the '{s.service}' service" if s.service and s.service != s.provision[0] else ""
        out.append("   ;; " + " ".join(s.provision).replace("\n", " ") + origin.replace("\n", " "))
        out.append("   " + _service_code(s).replace("\n", "\n   "))
    out += [
        "   ))",
        "",
        "(register-services %services)",
        "",
        ";; Start what starts at boot, in parallel, as Guix does.",
        f"(start-in-the-background {_symbols(start)})",
    ]
    return "\n".join(out) + "\n"


__all__ = ["BASE_SERVICES", "guile_string", "guile_symbol", "shepherd_config", "unmet_requirements"]
