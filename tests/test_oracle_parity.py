"""Say exactly what Guix says: `pyguix system describe` against the real GNU Guix.

tests/oracle/goldens/GROUP/NAME.TYPE.scm hold what Guix 1.5.0 itself printed
for each config of the corpus (samples/, tests/configs/, tests/oracle/configs/)
and image type (regenerate them with `scripts/oracle_goldens.py`, see
tests/oracle/README.md).  This module runs pyguix's describe in-process on the
same (config, type) and compares, one test per field:

    GOLDEN::verdict             both accept the file, or both reject it
    GOLDEN::error-location      where both reject it: the same FILE:LINE:COL
    GOLDEN::file                what the file evaluates to
    GOLDEN::os.FIELD            each field of the (operating-system ...) summary
    GOLDEN::image               the image record (the diff names each differing field)
    GOLDEN::cli-image           the image as the command line hands it on
    GOLDEN::system-image        the verdict of the image checks (ok / error "...")

The only normalizations are those of KNOWN_DIFFERENCES (one table, below).
Where pyguix differs from Guix on something it should match, the row is in
XFAIL (strict: when pyguix is fixed the test says so, and the row must go).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from builders.describe import Dotted, Sym, flat, read_all

REPO = Path(__file__).resolve().parent.parent
GOLDENS = REPO / "tests" / "oracle" / "goldens"
HEADER = re.compile(r";; guix (?P<version>\S+) \(GUIX_ORACLE=[^)]*\): run\.sh (?P<file>\S+)(?: (?P<type>\S+))? "
                    r"=> exit (?P<exit>\d+)")
LOCATION = re.compile(r"^;; stderr: (?P<file>/[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?:error|erreur): ", re.M)


# --- the one table of known, deliberate differences -----------------------------------------
#
# Each entry: the fields it concerns, why it cannot (or should not) match, and how
# it is normalized away -- applied to Guix's golden and to pyguix's output alike.


def _drop_versions(d: Any) -> Any:
    """(file-append (NAME VERSION) SUFFIX) -> (file-append (NAME) SUFFIX); (package (NAME VERSION))
    -> (package (NAME)), the bootloader's package."""
    if isinstance(d, list):
        if len(d) == 3 and d[0] == Sym("file-append") and isinstance(d[1], list):
            return [d[0], d[1][:1], d[2]]
        if len(d) == 2 and d[0] == Sym("package") and isinstance(d[1], list) and d[1][:1] and isinstance(d[1][0], str):
            return [d[0], d[1][:1]]
        return [_drop_versions(x) for x in d]
    return d


def _profile_object(d: Any) -> Any:
    """(package (object "#<<profile> ...>")) -> (package (profile))."""
    if isinstance(d, list):
        if (len(d) == 2 and d[0] == Sym("object") and isinstance(d[1], str)
                and d[1].startswith("#<<profile> ")):
            return [Sym("profile")]
        return [_profile_object(x) for x in d]
    return d


_PROGRAM_FILE = re.compile(r'^#<(?:<program-file> name: "([^"]*)"|program-file ([^ >]+))')


def _program_file_name(d: Any) -> Any:
    """(object "#<<program-file> name: \"X\" gexp: ...>") (Guix) and (object "#<program-file X>")
    (pyguix) -> (program-file "X")."""
    if isinstance(d, list):
        if len(d) == 2 and d[0] == Sym("object") and isinstance(d[1], str) and (m := _PROGRAM_FILE.match(d[1])):
            return [Sym("program-file"), m.group(1) or m.group(2)]
        return [_program_file_name(x) for x in d]
    return d


def _package_names_only(d: Any) -> Any:
    return d[:1] if isinstance(d, list) and len(d) >= 1 and isinstance(d[0], str) else d


def _label_without_version(d: Any) -> Any:
    return re.sub(r" [0-9][0-9a-z.+-]*$", "", d) if isinstance(d, str) else d


def _no_max_layers(d: Any) -> Any:
    return _set_field(d, "max-layers", Sym("normalized")) if isinstance(d, list) else Sym("normalized")


def _no_error_message(d: Any) -> Any:
    if isinstance(d, list):
        if len(d) == 2 and d[0] == Sym("error") and isinstance(d[1], str):
            return [d[0]]
        if d[:1] == [Sym("effective")] or d[:1] == [Sym("error")]:
            return d
        return [_no_error_message(x) for x in d]
    return d


@dataclass(frozen=True)
class Known:
    fields: tuple[str, ...]      # field names (fnmatch patterns) the entry applies to
    reason: str
    normalize: Callable[[Any], Any] | None  # None: the field is not compared at all
    goldens: tuple[str, ...] = ("*",)       # goldens (fnmatch patterns) it applies to
    guix_side_only: bool = False            # normalize Guix's value only (a convention of Guix's)


KNOWN_DIFFERENCES: dict[str, Known] = {
    "package versions": Known(
        ("os.kernel", "os.hurd"),
        "pyguix names packages, it does not build them: it knows no version (Guix prints (NAME VERSION))",
        _package_names_only),
    "versions in file-append and bootloader package": Known(
        ("os.users", "os.bootloader", "os.kernel-arguments"),
        "same: (file-append (NAME VERSION) SUFFIX) and the bootloader's (NAME VERSION) lose the version",
        _drop_versions),
    "bootloader chain profile": Known(
        ("os.bootloader",),
        "an efi-bootloader-chain's package is a <profile> record, which Guile prints with memory addresses "
        "(#<package NAME@VERSION FILE:LINE 7f6d5c0236e0>, #<promise ...>): compared as (profile)",
        _profile_object),
    "program-file objects": Known(
        ("os.users",),
        "a program-file (a user's shell, say) is printed by Guile with its gexp's internals and memory "
        "addresses (#<package guile@3.0.9 FILE:LINE 7fceeeaa1b00>): compared by its name",
        _program_file_name),
    "kernel version in the boot label": Known(
        ("os.label",),
        "Guix's default label is \"GNU with Linux-Libre 6.17.12\": the kernel's version, which pyguix does not have",
        _label_without_version),
    "derived UUIDs (effective image)": Known(
        ("effective",),
        "the (effective ...) view gives the root partition the UUID Guix derives with Guile's `hash` of the "
        "OS; pyguix derives its own (matching it would need Guile's hash function): not described",
        None),
    "essential services": Known(
        ("os.essential-services",),
        "Guix instantiates its essential services (system, boot, shepherd-root, ...) inside the OS record; "
        "pyguix's vocabulary keeps the field empty and adds what it needs when lowering: not compared",
        None),
    "max-layers of the CLI image": Known(
        ("cli-image", "cli-image.max-layers"),
        "Guix's CLI sets max-layers to %docker-image-max-layers (100) on every image; pyguix builds docker "
        "images as one layer and has no such option",
        _no_max_layers),
    "error column": Known(
        ("error-location",),
        "Guix prints 0-based columns (Guile's); pyguix prints 1-based ones (as compilers do): Guix's +1",
        lambda loc: (loc[0], loc[1], loc[2] + 1) if loc else loc, guix_side_only=True),
    "error wording": Known(
        ("*",),
        "pyguix words its messages its own way (\"unbound variable: x\" for Guile's \"Unbound variable: x\") "
        "and adds hints: where both reject a file, the verdict and FILE:LINE:COL are compared, not the "
        "message; a field that fails to compute is compared as (error), without the message",
        _no_error_message),
    "no package database": Known(
        ("verdict", "error-location"),
        "pyguix has no package database: every (gnu packages M) module binds every package name, so a package "
        "taken from a module that no longer has it (gdb-minimal without (gnu packages gdb), nss-certs from "
        "(gnu packages certs) as configs of 2020 did) is no \"unbound variable\" error",
        None, ("configs/hurd.*", "configs/legacy-2020.*")),
    "2022 module names": Known(
        ("verdict", "error-location"),
        "pyguix keeps (gnu platforms arm), the 2022 home of the platforms, for configs of that time; Guix 1.5 "
        "has only (guix platforms arm)",
        None, ("configs/platforms-2022.*",)),
}


def _known(field: str, golden_name: str = "") -> list[Known]:
    return [k for k in KNOWN_DIFFERENCES.values() if any(fnmatch(field, f) for f in k.fields)
            and (not golden_name or any(fnmatch(golden_name, g) for g in k.goldens))]


# --- rows where pyguix should match Guix and does not yet (strict xfail) -------------------
#
# (golden pattern, field pattern) -> the exact reason.  Golden patterns are paths under
# tests/oracle/goldens/ without .scm (e.g. "samples/server.qcow2").

REASONS: dict[str, str] = {
    # "cause": "why pyguix differs here, exactly" -- none left on corpus (a)
}

# (field, reasons, goldens): the rows that fail, each for all of its reasons.
XFAIL_ROWS: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []

XFAIL: dict[tuple[str, str], str] = {
    (golden, name): "; ".join(REASONS[r] for r in reasons)
    for name, reasons, goldens in XFAIL_ROWS for golden in goldens
}


# --- goldens -------------------------------------------------------------------------------


@dataclass
class Golden:
    name: str            # e.g. "samples/server.qcow2"
    config: Path
    image_type: str | None
    version: str
    exit: int
    location: tuple[str, int, int] | None
    stderr_error: str | None
    forms: list


@cache
def golden(path: Path) -> Golden:
    text = path.read_text()
    m = HEADER.match(text)
    assert m, f"{path}: no oracle header line"
    loc = LOCATION.search(text)
    err = re.search(r"^;; stderr: (.*\berror: .*)$", text, re.M)
    forms = read_all(text) if m.group("exit") == "0" else []
    return Golden(name=path.relative_to(GOLDENS).as_posix()[: -len(".scm")], config=REPO / m.group("file"),
                  image_type=m.group("type"), version=m.group("version"), exit=int(m.group("exit")),
                  location=(loc.group("file"), int(loc.group("line")), int(loc.group("col"))) if loc else None,
                  stderr_error=err.group(1) if err else ("it evaluates to neither an OS nor an image"
                                                          if _evaluates_to_other(text) else None),
                  forms=forms)


def _evaluates_to_other(text: str) -> bool:
    return "evaluates-to\n      other" in text or "evaluates-to other" in text


GOLDEN_FILES = sorted(GOLDENS.glob("*/*.scm"))


# --- pyguix's side, in-process and cached per config ----------------------------------------


@dataclass
class Outcome:
    forms: list | None
    error: Any = None    # the SchemeError, when pyguix rejects the file


@cache
def _evaluated(config: Path):
    from builders.cli import _interpreter

    interp = _interpreter([])
    interp.loader.channels["nonguix"] = False  # the oracle's Guix has no channels (whatever this machine's has)
    try:
        return interp, interp.load_file(config), None
    except Exception as e:  # noqa: BLE001 - SchemeError: a rejection; anything else shows in the row
        return interp, None, e


@cache
def pyguix(config: Path, image_type: str | None) -> Outcome:
    from builders.describe import describe_value
    from schemeconf.errors import SchemeError

    interp, value, error = _evaluated(config)
    if error is not None:
        if not isinstance(error, SchemeError):
            raise error
        return Outcome(None, error)
    try:
        return Outcome(describe_value(interp, value, str(config), image_type))
    except SchemeError as e:
        return Outcome(None, e)


# --- field extraction -----------------------------------------------------------------------


def _fields_of(form: list) -> dict[str, Any]:
    """(NAME (KEY VALUE) ...) -> {KEY: VALUE} (VALUE: the rest when it is not one datum)."""
    out = {}
    for item in form[1:]:
        if isinstance(item, list) and item and isinstance(item[0], Sym):
            out[item[0].name] = item[1] if len(item) == 2 else item[1:]
    return out


def _set_field(form: list, key: str, value: Any) -> list:
    return [form[0], *[[x[0], value] if isinstance(x, list) and x and x[0] == Sym(key) else x for x in form[1:]]]


def fields(forms: list) -> dict[str, Any]:
    """The comparable fields of a summary: file, os.*, image (one row: its diff names each field),
    cli-image, system-image, effective."""
    out: dict[str, Any] = {}
    for form in forms:
        if not isinstance(form, list) or not form:
            continue
        head = form[0]
        if head == Sym("file"):
            out["file"] = form
        elif head == Sym("operating-system"):
            out.update({f"os.{k}": v for k, v in _fields_of(form).items()})
        elif head == Sym("image-type-applied-to"):
            out.update(fields(form[2:]))
        elif head == Sym("image-summary"):
            summary = _fields_of(form)
            image = next(x for x in form[1:] if isinstance(x, list) and x[:1] == [Sym("image")])
            out["image-type"] = summary.get("image-type")
            out["image"] = image
            cli = summary.get("cli-image")
            out["cli-image"] = image if cli == Sym("same-as-image") else cli
            if "system-image" in summary:
                out["system-image"] = summary["system-image"]
            if "effective" in summary:
                out["effective"] = summary["effective"]
            os_form = next((x for x in form[1:] if isinstance(x, list) and x[:1] == [Sym("operating-system")]), None)
            if os_form is not None and len(os_form) > 2:
                out.update(fields([os_form]))
            elif os_form is not None:
                out["os"] = os_form[1]
    return out


# --- diffs ----------------------------------------------------------------------------------


def _is_record(d: Any) -> bool:
    return (isinstance(d, list) and len(d) >= 2 and isinstance(d[0], Sym)
            and all(isinstance(x, list) and x and isinstance(x[0], Sym) for x in d[1:]))


def diff(guix: Any, ours: Any, path: str = "") -> list[str]:
    """Lines saying where GUIX and OURS differ (empty when equal)."""
    if guix == ours:
        return []
    if _is_record(guix) and _is_record(ours) and guix[0] == ours[0]:
        g, o = _fields_of(guix), _fields_of(ours)
        lines = []
        for key in list(g) + [k for k in o if k not in g]:
            if key not in o:
                lines.append(f"{path}.{key}: Guix {flat(g[key])}, pyguix has no such field")
            elif key not in g:
                lines.append(f"{path}.{key}: pyguix {flat(o[key])}, Guix has no such field")
            else:
                lines += diff(g[key], o[key], f"{path}.{key}")
        return lines
    if isinstance(guix, list) and isinstance(ours, list):
        if len(guix) == len(ours) and any(_is_record(x) for x in guix):
            pairs = enumerate(zip(guix, ours, strict=True))
            return [line for i, (a, b) in pairs for line in diff(a, b, f"{path}[{i}]")]
        if all(not isinstance(x, list) or not _is_record(x) for x in guix + ours):
            a, b = [flat(x) for x in guix], [flat(x) for x in ours]
            same = sorted(a) == sorted(b)
            lines = [f"{path}: {'same items in another order' if same else 'lists differ'} (- Guix, + pyguix):"]
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
                if op != "equal":
                    lines += [f"    - {x}" for x in a[i1:i2]] + [f"    + {x}" for x in b[j1:j2]]
            return lines
    return [f"{path or 'value'}: Guix {flat(guix)}\n{' ' * len(path or 'value')}  pyguix {flat(ours)}"]


# --- the rows ---------------------------------------------------------------------------------


def _rows() -> list:
    rows = []
    for path in GOLDEN_FILES:
        g = golden(path)
        names = ["verdict"]
        if g.exit != 0 and g.location is not None:  # (Guix's "not an OS" message has no location)
            names.append("error-location")
        else:
            names += [f for f in fields(g.forms) if not _shown_by_os_golden(g, f)]
        names = [n for n in names if not any(k.normalize is None for k in _known(n, g.name))]
        for name in names:
            reason = XFAIL.get((g.name, name))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            rows.append(pytest.param(path, name, marks=marks, id=f"{g.name}::{name}"))
    return rows


def _shown_by_os_golden(g: Golden, name: str) -> bool:
    """An OS field of a (config, TYPE) golden is compared in the config's `os` golden, unless
    Guix says something else there (the OS of an image type's image is usually the same)."""
    if not name.startswith("os.") or g.image_type is None:
        return False
    os_golden = GOLDENS / f"{g.name.rsplit('.', 1)[0]}.os.scm"
    if not os_golden.exists() or golden(os_golden).exit != 0:
        return False
    return fields(golden(os_golden).forms).get(name) == fields(g.forms).get(name)


def _normalized(name: str, value: Any, guix: bool = True) -> Any:
    for k in _known(name):
        if k.normalize is not None and (guix or not k.guix_side_only):
            value = k.normalize(value)
    return value


def _rejection(error: Any) -> str:
    return f"{type(error).__name__}: {getattr(error, 'message', error)}"


def _in_repo(path: str) -> str:
    """PATH relative to the checkout it lies in (goldens are made in one checkout, tested in another)."""
    for marker in ("/tests/", "/samples/"):
        if marker in path:
            return path[path.index(marker) + 1:]
    return path


def compare(path: Path, name: str) -> tuple[str, str]:
    """("pass" | "fail" | "skip", message) for the row (PATH, NAME)."""
    g = golden(path)
    ours = pyguix(g.config, g.image_type)
    guix_accepts = g.exit == 0
    if name == "verdict":
        if guix_accepts != (ours.forms is not None):
            return "fail", (f"{g.name}: Guix {'accepts' if guix_accepts else 'rejects'} the file"
                            + (f" ({g.stderr_error})" if g.stderr_error else "") + ", pyguix "
                            + ("accepts it" if ours.forms is not None else f"rejects it: {_rejection(ours.error)}"))
        return "pass", ""
    if guix_accepts != (ours.forms is not None):
        return "skip", "the verdicts differ (see the ::verdict row)"
    if name == "error-location":
        span = getattr(ours.error, "span", None)
        where = (_in_repo(str(Path(span.source.name).resolve())), span.line, span.col) if span is not None else None
        want = _normalized(name, g.location)
        if want is not None:  # the golden names the file where it was made: compare within the repository
            want = (_in_repo(want[0]), *want[1:])
        if where != want:
            return "fail", f"{g.name}: Guix rejects at {want}, pyguix at {where} ({_rejection(ours.error)})"
        return "pass", ""
    theirs, mine = fields(g.forms), fields(ours.forms)
    if name not in mine:
        return "fail", f"{g.name}: pyguix's describe has no {name} (Guix: {flat(theirs[name])[:200]})"
    lines = diff(_normalized(name, theirs[name]), _normalized(name, mine[name], guix=False), name)
    if lines:
        return "fail", f"{g.name} (Guix {g.version}) differs:\n" + "\n".join(lines)
    return "pass", ""


@pytest.mark.parametrize("path,name", _rows())
def test_parity(path: Path, name: str) -> None:
    outcome, message = compare(path, name)
    if outcome == "skip":
        pytest.skip(message)
    if outcome == "fail":  # pytrace=False: a failure is its diff (and tracebacks of this module are slow)
        pytest.fail(message, pytrace=False)


def test_goldens_exist() -> None:
    assert GOLDEN_FILES, "no goldens: run scripts/oracle_goldens.py (see tests/oracle/README.md)"


def test_reader_round_trip() -> None:
    from builders.describe import render

    forms = read_all('(a "b\\"c" #t #f 12 (d . e) ())')
    assert forms == [[Sym("a"), 'b"c', True, False, 12, Dotted((Sym("d"),), Sym("e")), []]]
    assert read_all(render(forms)) == forms


def figures() -> str:
    """The parity figures (PYTHONPATH=. python tests/test_oracle_parity.py)."""
    runs = [golden(p) for p in GOLDEN_FILES]
    configs = {g.config for g in runs}
    accepts = {g.name: pyguix(g.config, g.image_type).forms is not None for g in runs}
    g_acc = sum(g.exit == 0 for g in runs)
    p_acc = sum(accepts.values())
    agree = sum((g.exit == 0) == accepts[g.name] for g in runs)
    known = sum(1 for g in runs if (g.exit == 0) != accepts[g.name]
                and any(k.normalize is None for k in _known("verdict", g.name)))
    cfg_g = sum(all(g.exit == 0 for g in runs if g.config == c) for c in configs)
    cfg_p = sum(all(accepts[g.name] for g in runs if g.config == c) for c in configs)
    per_field: dict[str, list[int]] = {}
    for param in _rows():
        path, name = param.values
        outcome, _ = compare(path, name)
        key = name if name.startswith("os.") else name.split(".")[0]
        counts = per_field.setdefault(key, [0, 0, 0])
        counts[("pass", "fail", "skip").index(outcome)] += 1
    rows = [c for c in per_field.values()]
    lines = [f"configs: {len(configs)}; (config, type) runs: {len(runs)}",
             f"configs accepted in every run: Guix {cfg_g}, pyguix {cfg_p}",
             f"runs accepted: Guix {g_acc}, pyguix {p_acc}; verdicts agree: {agree}/{len(runs)} "
             f"({len(runs) - agree} differ, of which known differences: "
             f"{known})",
             f"rows (fields compared, after KNOWN_DIFFERENCES): {sum(sum(c) for c in rows)}; "
             f"equal {sum(c[0] for c in rows)}, differ {sum(c[1] for c in rows)}, "
             f"not compared (verdicts differ) {sum(c[2] for c in rows)}"]
    lines += [f"  {name:24} equal {ok:4}  differ {bad:4}  skipped {skip}" for name, (ok, bad, skip)
              in sorted(per_field.items())]
    return "\n".join(lines)


if __name__ == "__main__":
    print(figures())
