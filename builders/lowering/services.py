"""The service graph of an operating system, folded as Guix folds it.

An OS's services are its `services` field plus its essential services
(gnu/system.scm: shepherd-root, account, etc, activation, profile,
host-name, user-processes, root-file-system, file-systems...).  A service
type's extensions say what a service of that type adds to services of other
types; folding computes, for each service, its value extended with what the
services extending it compute from *their* folded values:

    folded(S) = EXTEND(value(S), COMPOSE([COMPUTE_E(folded(X)) for each X, E extending S's type]))

as Guix's fold-services does (`gnu/services.scm` explains it for learners).
The roots of the graph are read here: the <shepherd-service> records that
extend shepherd-root-service-type (lowered to ShepherdServicePlan, their
gexps to Guile text by gexp.py), the accounts of account-service-type, the
gexps of activation-service-type, the packages of profile-service-type and
the /etc files of etc-service-type.

Target types are matched by name (Guix matches them by identity; pyguix
makes one object per name).  A target type that no service instantiates
gets one with its default value, as Guix's instantiate-missing-services
does; one without a default is reported in the notes and its extensions
left out.  What cannot be lowered (code refering to a computed-file, say)
is left out with a located note, not an error: the build shows the notes
as warnings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from builders import validate
from builders.lowering.gexp import Lowering, tagged
from builders.plan import (
    ActivationPlan,
    EtcFilePlan,
    GroupPlan,
    Origin,
    ServiceNote,
    ShepherdServicePlan,
    UserPlan,
)
from schemeconf.datum import NIL, Pair, Symbol, from_list, to_list
from schemeconf.errors import ConfigError
from schemeconf.evaluator import apply_procedure
from schemeconf.filelike import ComputedFile, FileAppend, FileLike, Gexp
from schemeconf.printer import write_string
from schemeconf.records import Record
from schemeconf.source import Span
from schemeconf.vocabulary import Package

# The roots of the graph: read here, never folded through their own EXTEND.
SHEPHERD_ROOT, ACCOUNT, ACTIVATION, PROFILE, ETC = "shepherd-root", "account", "activate", "profile", "etc"
SINKS = (SHEPHERD_ROOT, ACCOUNT, ACTIVATION, PROFILE, ETC)

# Guile modules that exist on Guix System only (Guix's own build-side code).
GUIX_ONLY_MODULES = ("guix", "gnu")


@dataclass
class _Service:
    """One service of the OS: its type (a <service-type> record) and value."""

    kind: Record
    value: Any
    span: Span | None

    @property
    def name(self) -> str:
        return type_name(self.kind)


def type_name(kind: Any) -> str:
    name = kind.get("name") if isinstance(kind, Record) else None
    return name.name if isinstance(name, Symbol) else str(name)


def _extensions(kind: Record) -> list[Record]:
    exts = kind.get("extensions")
    return [e for e in to_list(exts) if isinstance(e, Record)] if isinstance(exts, Pair) else []


def _no_default(value: Any) -> bool:
    """Whether VALUE is gnu/services.scm's %no-default-value marker."""
    return type(value) is Pair and isinstance(value.car, Symbol) and value.car.name == "no-default-value"


def _span(service: _Service) -> Span | None:
    """Where the service was written, as well as pyguix knows: its value's record."""
    value = service.value
    if isinstance(value, Record) and value.span is not None:
        return value.span
    return service.span


def _origin(span: Span | None) -> Origin | None:
    return Origin(span.source.name, span.line, span.col) if span else None


class Folder:
    """The folded values of SERVICES (memoized), and what extends each type."""

    def __init__(self, services: list[_Service]):
        self.services = services
        self.values: dict[int, Any] = {}
        self.active: set[int] = set()
        self.into: dict[str, list[tuple[_Service, Any]]] = {}
        self.notes: list[ServiceNote] = []
        self._instantiate_missing()

    def _instantiate_missing(self) -> None:
        """Add a default instance of each target type that has none, as Guix does."""
        present = {s.name for s in self.services}
        todo = list(self.services)
        while todo:
            service = todo.pop(0)
            for ext in _extensions(service.kind):
                target = ext.get("target")
                name = type_name(target)
                if name in present or not isinstance(target, Record):
                    continue
                default = target.get("default-value")
                if _no_default(default):
                    if name not in SINKS:
                        self.notes.append(ServiceNote(
                            service.name, f"no service of type '{name}' to extend (Guix refuses this: "
                            f"\"no target of type '{name}' for service '{service.name}'\"); its extension is "
                            "left out", _origin(_span(service))))
                    present.add(name)
                    continue
                added = _Service(target, default, None)
                self.services.append(added)
                todo.append(added)
                present.add(name)

    def folded(self, service: _Service) -> Any:
        """SERVICE's value, extended by the services that extend its type."""
        key = id(service)
        if key in self.values:
            return self.values[key]
        if key in self.active:
            raise ConfigError(f"the services extend each other in a cycle through '{service.name}'",
                              _span(service))
        self.active.add(key)
        try:
            value = service.value
            extend = service.kind.get("extend")
            if extend is not False and service.name not in SINKS:
                compose = service.kind.get("compose")
                extensions = from_list([v for _, v in self.extensions_into(service.name)])
                composed = apply_procedure(compose, [extensions]) if compose is not False else extensions
                value = apply_procedure(extend, [value, composed])
        finally:
            self.active.discard(key)
        self.values[key] = value
        return value

    def extensions_into(self, target: str) -> list[tuple[_Service, Any]]:
        """(service, value) for each extension of the type named TARGET, in the services' order."""
        cached = self.into.get(target)
        if cached is not None:
            return cached
        out: list[tuple[_Service, Any]] = []
        for service in self.services:
            for ext in _extensions(service.kind):
                if type_name(ext.get("target")) == target:
                    out.append((service, apply_procedure(ext.get("compute"), [self.folded(service)])))
        self.into[target] = out
        return out


def os_services(os_rec: Record) -> list[_Service]:
    """The OS's essential services, then those of its `services` field."""
    out = []
    for field_name in ("essential-services", "services"):
        value = os_rec.get(field_name)
        for s in to_list(value) if isinstance(value, Pair) else []:
            if isinstance(s, Record) and isinstance(s.get("kind"), Record):
                out.append(_Service(s.get("kind"), s.get("value"), s.span))
    return out


@dataclass
class Folded:
    """What the fold gives the plan (fields of OsPlan)."""

    shepherd_services: list[ShepherdServicePlan] = field(default_factory=list)
    users: list[UserPlan] = field(default_factory=list)
    groups: list[GroupPlan] = field(default_factory=list)
    activation: list[ActivationPlan] = field(default_factory=list)
    profile_packages: set[str] = field(default_factory=set)
    etc_files: dict[str, EtcFilePlan] = field(default_factory=dict)
    notes: list[ServiceNote] = field(default_factory=list)


def fold_services(os_rec: Record, etc_files: Iterable[EtcFilePlan] = ()) -> dict[str, Any]:
    """The OsPlan fields of OS_REC's folded services.  ETC_FILES are the /etc
    files lowering already made (lower.etc_files): they are kept, and the fold
    adds the ones only it finds (extensions of essential services, of services
    extending other services, files that gexps refer to)."""
    folder = Folder(os_services(os_rec))
    out = Folded(notes=folder.notes)
    lowering = Lowering()
    base = {f.path: f for f in etc_files}
    declared_users = {u.get("name") for u in _records(os_rec.get("users"))}
    declared_groups = {g.get("name") for g in _records(os_rec.get("groups"))}

    taken: dict[str, str] = {}
    for service, value in folder.extensions_into(SHEPHERD_ROOT):
        for rec in _shepherd_records(service, value):
            plan = _shepherd_plan(rec, service, lowering, out.notes)
            if plan is None:
                continue
            clash = next((p for p in plan.provision if p in taken), None)
            if clash is not None:
                out.notes.append(ServiceNote(service.name, f"'{clash}' is already provided by the "
                                             f"'{taken[clash]}' service: this Shepherd service is left out",
                                             _origin(rec.span)))
                continue
            taken.update({p: plan.provision[0] for p in plan.provision})
            out.shepherd_services.append(plan)

    for _, value in folder.extensions_into(ACCOUNT):
        for rec in _records(value):
            if rec.rtype.name == "<user-account>" and rec.get("name") not in declared_users:
                out.users.append(_user(rec, lowering))
                declared_users.add(rec.get("name"))
            elif rec.rtype.name == "<user-group>" and rec.get("name") not in declared_groups:
                out.groups.append(_group(rec))
                declared_groups.add(rec.get("name"))

    for service, value in folder.extensions_into(ACTIVATION):
        for code in to_list(value) if isinstance(value, Pair) else [value]:
            activation = _activation_plan(code, service, lowering, out.notes)
            if activation is not None:
                out.activation.append(activation)

    for _, value in folder.extensions_into(PROFILE):
        out.profile_packages.update(_package_names(value))

    for service, value in folder.extensions_into(ETC):
        for name, file in _etc_entries(service, value):
            directory = tagged(file, "directory")       # files under their own names
            for path, item in ([("/etc/" + name, file)] if directory is None else
                               [(f"/etc/{name}/{_file_name(f)}", f) for f in directory]):
                if path in base or path in out.etc_files:
                    continue
                try:
                    out.etc_files[path] = lowering.file_plan(path, item, _span(service))
                except ConfigError as e:
                    out.notes.append(ServiceNote(service.name, f"{path} is left out: {e.message}",
                                                 _origin(e.span or _span(service))))

    files = dict(base)
    files.update(out.etc_files)
    files.update(lowering.placed)
    return {
        "etc_files": tuple(files[p] for p in sorted(files)),
        "shepherd_services": tuple(out.shepherd_services),
        "service_users": tuple(out.users),
        "service_groups": tuple(out.groups),
        "activation": tuple(out.activation),
        "profile_packages": tuple(sorted(out.profile_packages)),
        "service_notes": tuple(out.notes),
    }


# --- the roots' values -> plans ------------------------------------------------------------


def _records(value: Any) -> list[Record]:
    return [r for r in to_list(value) if isinstance(r, Record)] if isinstance(value, Pair) else []


def _shepherd_records(service: _Service, value: Any) -> list[Record]:
    items = [value] if isinstance(value, Record) else (to_list(value) if isinstance(value, Pair) else [])
    if value is not NIL and not items or any(
            not (isinstance(r, Record) and r.rtype.name == "<shepherd-service>") for r in items):
        raise ConfigError(f"service '{service.name}' extends shepherd-root-service-type with "
                          f"{validate.show(write_string(value))}, not a list of shepherd-service records",
                          _span(service))
    return items


def _symbols(rec: Record, field_name: str, required: bool) -> tuple[str, ...]:
    value = rec.get(field_name)
    items = to_list(value) if isinstance(value, Pair) or value is NIL else None
    if items is None or not all(isinstance(x, Symbol) for x in items) or (required and not items):
        raise ConfigError(f"shepherd-service {field_name} must be a {'non-empty ' if required else ''}"
                          f"list of symbols, not {validate.show(write_string(value))}", rec.span_of(field_name))
    return tuple(x.name for x in items)


def _shepherd_plan(rec: Record, service: _Service, lowering: Lowering,
                   notes: list[ServiceNote]) -> ShepherdServicePlan | None:
    provision = _symbols(rec, "provision", True)
    requirement = _symbols(rec, "requirement", False)
    mine = Lowering(placed=lowering.placed)     # this service's references; files placed once for all
    try:
        free = rec.get("free-form")
        free_form = mine.gexp(free, rec.span_of("free-form")) if isinstance(free, Gexp) else ""
        start = _code(mine, rec, "start") if not free_form else "(const #t)"
        stop = _code(mine, rec, "stop") if not free_form else "(const #f)"
        actions = tuple(_action(mine, a) for a in _records(rec.get("actions")))
        limit, delay = rec.get("respawn-limit"), rec.get("respawn-delay")
        respawn_limit = "" if limit is False else _expression(mine, limit, rec.span_of("respawn-limit"))
        respawn_delay = "" if delay is False else _expression(mine, delay, rec.span_of("respawn-delay"))
    except ConfigError as e:
        notes.append(ServiceNote(service.name, f"Shepherd service '{provision[0]}' is left out: {e.message}",
                                 _origin(e.span or rec.span)))
        return None
    documentation = rec.get("documentation")
    return ShepherdServicePlan(
        provision=provision,
        requirement=requirement,
        documentation=documentation if isinstance(documentation, str) else "",
        one_shot=rec.get("one-shot?") is not False,
        respawn=rec.get("respawn?") is not False,
        auto_start=rec.get("auto-start?") is not False,
        start=start,
        stop=stop,
        actions=actions,
        modules=_modules(rec, service, notes),
        packages=tuple(sorted(mine.packages)),
        files=tuple(mine.files),
        service=service.name,
        free_form=free_form,
        debian_packages=tuple(sorted(mine.debian_packages)),
        respawn_limit=respawn_limit,
        respawn_delay=respawn_delay,
        transient=rec.get("transient?") is not False,
    )


def _code(lowering: Lowering, rec: Record, field_name: str) -> str:
    value = rec.get(field_name)
    if not isinstance(value, Gexp):
        raise ConfigError(f"the {field_name} of a shepherd-service must be a gexp (#~...), not "
                          f"{validate.show(write_string(value))}", rec.span_of(field_name))
    return lowering.gexp(value, rec.span_of(field_name))


def _expression(lowering: Lowering, value: Any, span: Span | None) -> str:
    """Guile text evaluating to VALUE: code for a gexp, a quoted datum otherwise."""
    if isinstance(value, Gexp):
        return lowering.gexp(value, span)
    text = lowering.code(value, span)
    return text if isinstance(value, (int, float, str)) else "'" + text


def _action(lowering: Lowering, rec: Record) -> tuple[str, str]:
    name = rec.get("name")
    if not isinstance(name, Symbol):
        raise ConfigError(f"shepherd-action name must be a symbol, not {validate.show(write_string(name))}",
                          rec.span_of("name"))
    procedure = rec.get("procedure")
    if not isinstance(procedure, Gexp):
        raise ConfigError("shepherd-action procedure must be a gexp (#~...)", rec.span_of("procedure"))
    return name.name, lowering.gexp(procedure, rec.span_of("procedure"))


def _modules(rec: Record, service: _Service, notes: list[ServiceNote]) -> tuple[str, ...]:
    """The Guile modules as written, less Guix's own (not on a Debian system)."""
    out = []
    for spec in to_list(rec.get("modules")) if isinstance(rec.get("modules"), Pair) else []:
        name = spec.car if type(spec) is Pair and type(spec.car) is Pair else spec  # ((guix build utils) #:hide ...)
        first = name.car if type(name) is Pair else None
        if isinstance(first, Symbol) and first.name in GUIX_ONLY_MODULES:
            notes.append(ServiceNote(service.name, f"Guile module {write_string(name)} is Guix's own, not "
                                     "on the Debian system: left out of the Shepherd's configuration",
                                     _origin(rec.span_of("modules"))))
            continue
        text = write_string(spec)
        if text not in out:
            out.append(text)
    return tuple(out)


def _activation_plan(code: Any, service: _Service, lowering: Lowering,
                     notes: list[ServiceNote]) -> ActivationPlan | None:
    if not isinstance(code, Gexp):
        if code is not NIL and code is not False:
            notes.append(ServiceNote(service.name, "an activation extension that is not a gexp is left out",
                                     _origin(_span(service))))
        return None
    mine = Lowering(placed=lowering.placed)     # the files it refers to are placed with the others'
    try:
        text = mine.gexp(code, _span(service))
    except ConfigError as e:
        notes.append(ServiceNote(service.name, f"its boot-time code is left out: {e.message}",
                                 _origin(e.span or _span(service))))
        return None
    return ActivationPlan(code=text, service=service.name, packages=tuple(sorted(mine.packages)),
                          files=tuple(mine.files), debian_packages=tuple(sorted(mine.debian_packages)))


def _package_names(value: Any) -> list[str]:
    names = []
    for item in to_list(value) if isinstance(value, Pair) else []:
        if type(item) is Pair:          # (PACKAGE "out")
            item = item.car
        if isinstance(item, Package):
            names.append(item.name)
    return names


def _etc_entries(service: _Service, value: Any) -> list[tuple[str, Any]]:
    """The (NAME FILE) entries of an etc extension value, NAME checked."""
    out = []
    for entry in to_list(value) if isinstance(value, Pair) else []:
        items = to_list(entry) if type(entry) is Pair else []
        if len(items) < 2 or not isinstance(items[0], str):
            raise ConfigError(f"service '{service.name}' extends etc-service-type with "
                              f"{validate.show(write_string(entry))}, not (\"NAME\" FILE)", _span(service))
        name = items[0].strip("/")
        if not name or ".." in name.split("/") or "\x00" in name or "\n" in name:
            raise ConfigError(f"bad /etc file name {items[0]!r}", _span(service),
                              "etc-service-type entries are (\"NAME\" FILE), NAME relative to /etc")
        out.append((name, items[1]))
    return out


def _file_name(file: Any) -> str:
    """The name a file-like object has in a directory: one path component."""
    name = getattr(file, "name", None)
    if not isinstance(name, str) or not name or "/" in name or name in (".", "..") or "\x00" in name:
        raise ConfigError(f"{validate.show(write_string(file))} cannot be a file of a directory", None)
    return name


def _user(rec: Record, lowering: Lowering) -> UserPlan:
    for field_name, (kind, what) in {"name": ("account-name", "user name"),
                                     "group": ("account-name", "group name"),
                                     "comment": ("comment", "comment"),
                                     "home-directory": ("home-directory", "home directory")}.items():
        validate.check(kind, rec.get(field_name), rec.span_of(field_name), what)
    uid = rec.get("uid")
    password = rec.get("password")
    shell = rec.get("shell")
    if isinstance(shell, (FileAppend, Package, FileLike)) and not isinstance(shell, ComputedFile):
        shell = lowering.path(shell, rec.span_of("shell"))
    return UserPlan(
        name=rec.get("name"), group=rec.get("group"),
        uid=uid if isinstance(uid, int) and not isinstance(uid, bool) else None,
        password=password if isinstance(password, str) else None,   # service accounts are locked
        supplementary_groups=tuple(g for g in to_list(rec.get("supplementary-groups")) if isinstance(g, str)),
        comment=rec.get("comment"), home=rec.get("home-directory"),
        shell=shell if isinstance(shell, str) else "/usr/sbin/nologin",
        system=rec.get("system?") is not False,
        create_home=rec.get("create-home-directory?") is not False,
    )


def _group(rec: Record) -> GroupPlan:
    validate.check("account-name", rec.get("name"), rec.span_of("name"), "group name")
    gid = rec.get("id")
    return GroupPlan(name=rec.get("name"), id=gid if isinstance(gid, int) and not isinstance(gid, bool) else None,
                     system=rec.get("system?") is not False)


__all__ = ["Folder", "fold_services", "os_services"]
