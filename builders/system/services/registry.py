"""The realizer registry: what turns the services of one kind into parts of the image.

A realizer is registered for the service type names it realizes (Guix's
`service-type-name`: "dhcpcd", "agetty", ...).  The system builder hands
it every ServicePlan of those kinds at once, in the order of the
operating system's services, with a small Context, and gets back a frozen
Realization: lines for /etc/inittab and /etc/init.d/rcS (placed by the
realizer's Stage), files to write through Tree, the packages it needs,
and what it could not realize (Shortfall), each explained by its realizer.

A service whose kind has no realizer is realized by the realizer of a
service type it extends when that one `takes_extensions` (a simple-service
extending etc-service-type is realized with the root tree); otherwise it is
reported: "pyguix has no realizer for the 'X' service yet".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from builders.plan import OsPlan, ServicePlan


class Stage(IntEnum):
    """Where a realizer's lines go in /etc/init.d/rcS (and /etc/inittab): start-up order.

    With the Shepherd as PID 1 this becomes each service's `requirement`."""
    NONE = 0
    LOGIN = 5             # getty entries of /etc/inittab
    LOOPBACK = 10
    SYSCTL = 20
    URANDOM_SEED = 30
    SYSLOG = 40
    NETWORKING = 50
    NTP = 60


@dataclass(frozen=True)
class Context:
    """What a realizer may look at besides its services."""
    os: OsPlan
    applets: frozenset[str]          # the busybox applets the image has ("udhcpc", "syslogd", ...)
    arch: str                        # the image's machine: "x86_64", "i686", "aarch64" or "armhf"


@dataclass(frozen=True)
class ImageFile:
    """A file a realizer places in the image (written through Tree, never a host path)."""
    path: str                        # relative to the image's root: "etc/sysctl.conf"
    text: str
    mode: int = 0o644

    def __post_init__(self) -> None:
        if self.path.startswith("/") or ".." in self.path.split("/") or not self.path:
            raise ValueError(f"image file {self.path!r}: a path relative to the image's root, without '..'")


_LABEL = re.compile(r"(?P<kind>[^ ]+)(?: \((?P<detail>.*)\))?", re.S)


@dataclass(frozen=True)
class Shortfall:
    """Something of a service kind that is not realized: the whole KIND, or one DETAIL of it."""
    kind: str
    detail: str | None = None

    @property
    def label(self) -> str:
        """How warnings name it: "ntp", "agetty (option --bogus)"."""
        return self.kind if self.detail is None else f"{self.kind} ({self.detail})"

    @classmethod
    def parse(cls, label: str) -> Shortfall:
        m = _LABEL.fullmatch(label)
        assert m is not None
        return cls(m["kind"], m["detail"])


@dataclass(frozen=True)
class Realization:
    """What a realizer makes of the services of its kinds.

    The Shepherd milestone adds fields here, each defaulting to empty as
    `packages` does, so that today's realizers stay as they are: `shepherd`
    (Shepherd services: provision, requirement, start/stop command, with
    Stage giving way to requirements), `accounts` (system users and groups)
    and `activation` (snippets run once at boot); the builder then realizes
    `packages` from substitutes (Debian daemons) and writes Shepherd's
    configuration from `shepherd` where it writes inittab and rcS today."""
    inittab: tuple[str, ...] = ()            # /etc/inittab entries
    rcs: tuple[str, ...] = ()                # /etc/init.d/rcS lines
    files: tuple[ImageFile, ...] = ()
    packages: tuple[str, ...] = ()           # Guix package names the image must hold for it
    unrealized: tuple[Shortfall, ...] = ()
    note: str = ""                           # how it is realized, or why nothing is needed


RealizeFn = Callable[[tuple[ServicePlan, ...], Context], Realization]


@dataclass(frozen=True)
class Realizer:
    name: str                                # its module: "dhcp", "getty"
    kinds: tuple[str, ...]
    realize: RealizeFn
    why: Callable[[Shortfall], str]          # the reason for one of its shortfalls
    stage: Stage = Stage.NONE
    takes_extensions: bool = False           # also realizes services that merely extend its kinds


REALIZERS: dict[str, Realizer] = {}
_NAMES: set[str] = set()


def register(r: Realizer) -> Realizer:
    """Make R the realizer of its kinds (a kind has one realizer, a realizer one name)."""
    if r.name in _NAMES:
        raise ValueError(f"two realizers named '{r.name}'")
    taken = [k for k in r.kinds if k in REALIZERS]
    if taken:
        raise ValueError(f"two realizers for the '{taken[0]}' service: {REALIZERS[taken[0]].name} and {r.name}")
    _NAMES.add(r.name)
    REALIZERS.update(dict.fromkeys(r.kinds, r))
    return r


def _reason(why: str | Callable[[Shortfall], str]) -> Callable[[Shortfall], str]:
    return why if callable(why) else (lambda _s: why)


def realizer(*kinds: str, stage: Stage = Stage.NONE, why: str | Callable[[Shortfall], str] = "",
             takes_extensions: bool = False) -> Callable[[RealizeFn], RealizeFn]:
    """Register the decorated function as the realizer of KINDS (named after its module)."""
    def register_fn(fn: RealizeFn) -> RealizeFn:
        register(Realizer(fn.__module__.rsplit(".", 1)[-1], kinds, fn, _reason(why), stage, takes_extensions))
        return fn
    return register_fn


def not_realized(services: tuple[ServicePlan, ...]) -> Realization:
    """The realization of services none of which can be realized: each kind, once."""
    return Realization(unrealized=tuple(Shortfall(k) for k in dict.fromkeys(s.kind for s in services)))


def nothing_to_do(name: str, notes: Mapping[str, str]) -> None:
    """Register the realizer NAME of kinds the system needs nothing more for (NOTES: why, per kind)."""
    def note(services: tuple[ServicePlan, ...], ctx: Context) -> Realization:
        return Realization(note="; ".join(dict.fromkeys(notes[s.kind] for s in services)))

    register(Realizer(name, tuple(notes), note, _reason("")))


def cannot_realize(name: str, reasons: Mapping[str, str]) -> None:
    """Register the realizer NAME of kinds that cannot be realized yet (REASONS: why not, per kind)."""
    register(Realizer(name, tuple(reasons), lambda services, _ctx: not_realized(services),
                      lambda s: reasons[s.kind]))


MISSING = Realizer("missing", (), lambda services, _ctx: not_realized(services),
                   lambda s: f"pyguix has no realizer for the '{s.kind}' service yet")


def realizer_for(service: ServicePlan) -> Realizer:
    """The realizer of SERVICE: its kind's, else that of a service type it extends, else MISSING."""
    found = REALIZERS.get(service.kind)
    if found is not None:
        return found
    for target in service.extends:
        r = REALIZERS.get(target)
        if r is not None and r.takes_extensions:
            return r
    return MISSING


def explain(label: str) -> str:
    """Why the shortfall LABEL ("ntp", "agetty (option --bogus)") is not realized."""
    s = Shortfall.parse(label)
    r = REALIZERS.get(s.kind)
    if r is None:
        return MISSING.why(s)
    return r.why(s) or f"pyguix cannot realize '{s.label}' yet"


@dataclass(frozen=True)
class Realized:
    realizer: Realizer
    services: tuple[ServicePlan, ...]
    realization: Realization


def realize(services: Iterable[ServicePlan], ctx: Context) -> tuple[Realized, ...]:
    """Every realizer with its services, called once, in start-up order (Stage, then first service)."""
    groups: dict[Realizer, list[ServicePlan]] = {}
    for s in services:
        groups.setdefault(realizer_for(s), []).append(s)
    done = [Realized(r, tuple(ss), r.realize(tuple(ss), ctx)) for r, ss in groups.items()]
    return tuple(sorted(done, key=lambda x: x.realizer.stage))


def unrealized(services: Iterable[ServicePlan], realized: Iterable[Realized]) -> list[Shortfall]:
    """The shortfalls: whole kinds in the order of their first service, then details in realizer order."""
    first: dict[str, int] = {}
    for i, s in enumerate(services):
        first.setdefault(s.kind, i)
    found = [s for r in sorted(realized, key=lambda r: first.get(r.services[0].kind, 0) if r.services else 0)
             for s in r.realization.unrealized]
    whole = sorted((s for s in found if s.detail is None), key=lambda s: first.get(s.kind, len(first)))
    return list(dict.fromkeys([*whole, *(s for s in found if s.detail is not None)]))
