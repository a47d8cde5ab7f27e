#!/usr/bin/env python3
"""How many of the package names of real-world Guix configs pyguix realizes from Debian.

    .venv/bin/python scripts/package_coverage.py          # the report (~30 s; fetches the apt lists once)

The configs are corpus (b) of the fidelity work: other people's Guix System
configs and Guix's own examples, in the ignored folder .corpus/ as
tests/oracle/corpus-b.tsv lists them (scripts/oracle_corpus.py says how to
fetch them on a new machine).  Every file is evaluated by pyguix's `describe`
(in a subprocess per file, with a timeout); each operating system it yields
-- the file's own, or the one inside an image -- gives the names of its
`packages` field (Guix's package-name: "nss-certs", "openssh-sans-x").  Files
pyguix rejects give none (most need the nongnu channel, which Guix rejects
too: see tests/oracle/corpus-b-results.md).

Each distinct name is resolved as images are built (builders/boot/system.py):
builders/substitutes/naming.py `resolve(name, SYSTEM, index)` against the
package lists of the Debian release (the private apt state; Debian 13
"trixie" amd64 by default): the table packages.sexp first, then the same
name, then the renaming rules, then the variant suffixes.

A name counts as having a Debian counterpart unless packages.sexp marks it
unavailable for SYSTEM -- always with the reason (guile-colorized: "not
packaged in Debian"; hurd: "packaged only in debian-ports, which is not a
reachable archive"); those entries are made only after checking Debian's
package lists.  Every other name counts as having one, unmapped names
included: the second share is the share among the names that are not known
to lack a counterpart, nothing is left out because no rule found it.

Checks: every realized Debian name is in the package lists (or is a virtual
package someone provides), the dependency closure of each name's Debian
packages resolves (closure.py `closure(names, ARCH, base=False)`), and the
realized packages of each operating system resolve together (no Conflicts).

Options: FILE... (only these, paths under .corpus/), --release R (default
trixie), --system S (default x86_64-linux), --jobs N (default 4), --timeout S
(per file, default 120), --no-closure (skip the closure checks), --names
(every name with its resolution), --min-share PCT (exit 1 when the share of
the names with a counterpart is below PCT).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stderr
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / ".corpus"
MANIFEST = ROOT / "tests" / "oracle" / "corpus-b.tsv"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --- the corpus: one subprocess per file --------------------------------------------------------------


def corpus_files() -> list[Path]:
    """The files of tests/oracle/corpus-b.tsv, under .corpus/ (in the manifest's order)."""
    with MANIFEST.open(newline="") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
    head, *rows = rows
    assert head[:4] == ["repository", "path", "commit", "local"], head
    return [CORPUS / r[3] for r in rows]


def _os_package_fields(datum) -> list:
    """The `packages` field of every (operating-system ...) form in DATUM (describe's data)."""
    from builders.describe import Sym

    found = []
    if isinstance(datum, list):
        if datum and datum[0] == Sym("operating-system"):
            found += [f[1] for f in datum[1:] if isinstance(f, list) and len(f) == 2 and f[0] == Sym("packages")]
        for item in datum:
            found += _os_package_fields(item)
    return found


def worker(file: Path) -> dict:
    """{"oses": [{"names": [...], "other": [...]}, ...]} or {"error": "..."} for FILE."""
    from builders.describe import Sym, describe, flat

    try:
        with redirect_stderr(StringIO()):
            forms = describe(file)
    except Exception as exc:  # noqa: BLE001 - a rejected file (SchemeError) or a pyguix failure: both reported
        message = getattr(exc, "message", None) or str(exc)
        return {"error": f"{type(exc).__name__}: {message.splitlines()[0] if message else ''}"}
    oses = []
    for packages in _os_package_fields(forms):
        if not isinstance(packages, list) or (packages and packages[0] == Sym("error")):
            oses.append({"names": [], "other": [f"the packages field: {flat(packages)}"]})
            continue
        names, other = [], []
        for p in packages:
            if isinstance(p, str):
                names.append(p)                                     # a package
            elif isinstance(p, list) and p and isinstance(p[0], str):
                names.append(p[0])                                  # (package output ...)
            else:
                other.append(flat(p))                               # file-append, a gexp, ...
        oses.append({"names": names, "other": other})
    return {"oses": oses}


def run_worker(file: Path, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(file)]
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"worker died: {tail[:200]}"}


# --- resolving and checking ---------------------------------------------------------------------------


@dataclass
class Coverage:
    files: int = 0
    rejected: dict[str, str] = field(default_factory=dict)          # file -> cause
    oses: list[tuple[str, list[str]]] = field(default_factory=list)  # (file, names)
    other: Counter = field(default_factory=Counter)                 # entries that are not packages
    listings: Counter = field(default_factory=Counter)              # name -> number of OSes listing it
    resolved: dict = field(default_factory=dict)                    # name -> naming.Naming
    problems: list[str] = field(default_factory=list)               # failed checks

    def realized(self) -> list[str]:
        return sorted(n for n, r in self.resolved.items() if r.debian is not None)

    def no_counterpart(self) -> list[str]:
        return sorted(n for n, r in self.resolved.items() if r.debian is None and r.unavailable)

    def unmapped(self) -> list[str]:
        return sorted(n for n, r in self.resolved.items() if r.debian is None and not r.unavailable)


def _cause(error: str) -> str:
    """The gist of a rejection: 'no code for module (nongnu packages linux)' -> 'no code for module (nongnu ...)'."""
    import re

    m = re.search(r"no code for module \((\S+)", error)
    if m:
        return f"no code for module ({m.group(1)} ...)"
    return re.sub(r"^\S+: (\S+:\d+:\d+: )?", "", error).replace(f"{CORPUS}/", "")[:100]


def collect(files: list[Path], jobs: int, timeout: float) -> Coverage:
    cov = Coverage(files=len(files))
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        results = list(pool.map(lambda f: run_worker(f, timeout), files))
    for file, result in zip(files, results, strict=True):
        rel = file.relative_to(CORPUS).as_posix() if file.is_relative_to(CORPUS) else str(file)
        if "error" in result:
            cov.rejected[rel] = result["error"]
            continue
        for os_ in result["oses"]:
            names = list(dict.fromkeys(os_["names"]))
            cov.oses.append((rel, names))
            cov.listings.update(names)
            cov.other.update(os_["other"])
    return cov


def resolve_all(cov: Coverage, system: str, index) -> None:
    from builders.substitutes import naming

    for name in sorted(cov.listings):
        cov.resolved[name] = naming.resolve(name, system, index)


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [""])[0]


def check(cov: Coverage, index, provider, arch: str, closures: bool) -> None:
    """Every realized Debian name exists; each name's closure and each OS's resolve."""
    from builders.errors import BuildError
    from builders.substitutes.closure import closure

    for name in cov.realized():
        for deb in cov.resolved[name].debian:
            if deb not in index and not index.providers(deb):
                cov.problems.append(f"{name}: the Debian package '{deb}' is not in the package lists")
    if not closures:
        return
    for name in cov.realized():
        try:
            closure(cov.resolved[name].debian, arch, provider=provider, base=False)
        except BuildError as exc:
            cov.problems.append(f"{name}: the closure of {' '.join(cov.resolved[name].debian)} fails: "
                                f"{_first_line(exc)}")
    for file, names in cov.oses:
        debs = sorted({d for n in names for d in (cov.resolved[n].debian or ())})
        try:
            closure(debs, arch, provider=provider, base=False)
        except BuildError as exc:
            cov.problems.append(f"{file}: its {len(debs)} Debian packages do not resolve together: "
                                f"{_first_line(exc)}")


# --- the report ---------------------------------------------------------------------------------------


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f} %" if b else "-"


def report(cov: Coverage, release: str, arch: str, system: str, index_size: int, names: bool,
           closures: bool) -> str:
    out = []
    evaluated = cov.files - len(cov.rejected)
    out.append(f"corpus (b): {cov.files} files ({MANIFEST.relative_to(ROOT)}); pyguix evaluates {evaluated} "
               f"of them to {len(cov.oses)} operating systems and rejects {len(cov.rejected)}")
    for cause, count in Counter(_cause(e) for e in cov.rejected.values()).most_common():
        out.append(f"  rejected ({count}): {cause}")
    if cov.other:
        out.append(f"  entries of package lists that are not packages (not counted): {sum(cov.other.values())}")
    out.append(f"Debian release {release}, {arch} ({index_size} packages), for the Guix system {system}")
    out.append("")
    total = len(cov.resolved)
    realized, absent, unmapped = cov.realized(), cov.no_counterpart(), cov.unmapped()
    by_how = Counter(("table (packages.sexp)" if r.how == "table" else r.how)
                     for r in cov.resolved.values() if r.debian is not None)
    width = 48
    out.append(f"{'distinct package names':<{width}}{total:>5}")
    out.append(f"{'realized':<{width}}{len(realized):>5}   {pct(len(realized), total)}")
    for how, count in sorted(by_how.items(), key=lambda kv: (-kv[1], kv[0])):
        out.append(f"  {how:<{width - 2}}{count:>5}")
    out.append(f"{'not realized':<{width}}{len(absent) + len(unmapped):>5}")
    out.append(f"  {'no Debian counterpart (packages.sexp says why)':<{width - 2}}{len(absent):>5}")
    out.append(f"  {'unmapped':<{width - 2}}{len(unmapped):>5}")
    with_counterpart = total - len(absent)
    out.append(f"{'share of the names with a Debian counterpart':<{width}}{len(realized):>5}   "
               f"{pct(len(realized), with_counterpart)} (of {with_counterpart})")
    listed = sum(cov.listings.values())
    listed_realized = sum(cov.listings[n] for n in realized)
    out.append(f"{'package listings (a name per OS) realized':<{width}}{listed_realized:>5}   "
               f"{pct(listed_realized, listed)} (of {listed})")

    def oses(name: str) -> str:
        n = cov.listings[name]
        return f"{n} OS{'es' if n != 1 else ''}"

    if absent:
        out += ["", "no Debian counterpart:"]
        out += [f"  {n} ({oses(n)}): {cov.resolved[n].how}" for n in absent]
    if unmapped:
        out += ["", "unmapped:"]
        out += [f"  {n} ({oses(n)}): {cov.resolved[n].how}" for n in unmapped]
    if names:
        out += ["", "every name:"]
        for n in sorted(cov.resolved):
            r = cov.resolved[n]
            debs = " ".join(r.debian) if r.debian else "-"
            how = r.how if r.debian else ("no Debian counterpart" if r.unavailable else "unmapped")
            out.append(f"  {n:<28} {debs:<40} {how}")
    out.append("")
    what = ("every realized Debian name is in the package lists, and its closure and each OS's resolve"
            if closures else "every realized Debian name is in the package lists (closures not checked)")
    if cov.problems:
        out.append(f"checks: {len(cov.problems)} problem(s):")
        out += [f"  {p}" for p in cov.problems]
    else:
        out.append(f"checks: ok ({what})")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="only these files (under .corpus/)")
    parser.add_argument("--release", default=None, help="the Debian release (default: pyguix's, trixie)")
    parser.add_argument("--system", default="x86_64-linux", help="the Guix system type (default x86_64-linux)")
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per file")
    parser.add_argument("--no-closure", action="store_true", help="skip the closure checks")
    parser.add_argument("--names", action="store_true", help="list every name with its resolution")
    parser.add_argument("--min-share", type=float, default=None,
                        help="exit 1 if the share of the names with a counterpart is below this percentage")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        print(json.dumps(worker(args.worker)))
        return 0

    from builders.substitutes import AptProvider
    from builders.substitutes.apt import DEFAULT_RELEASE
    from builders.substitutes.closure import package_index
    from builders.substitutes.mapping import debian_architecture

    files = [f.resolve() for f in args.files] or corpus_files()
    missing = [f for f in files if not f.is_file()]
    if missing:
        print(f"{len(missing)} corpus file(s) missing (see scripts/oracle_corpus.py to fetch them), "
              f"e.g. {missing[0]}", file=sys.stderr)
        files = [f for f in files if f.is_file()]
    if not files:
        return 2
    release = args.release or DEFAULT_RELEASE
    arch = debian_architecture(args.system)
    provider = AptProvider(release=release)
    index = package_index(provider, arch)
    cov = collect(files, args.jobs, args.timeout)
    resolve_all(cov, args.system, index)
    check(cov, index, provider, arch, not args.no_closure)
    print(report(cov, release, arch, args.system, len(index), args.names, not args.no_closure))
    if args.min_share is not None:
        with_counterpart = len(cov.resolved) - len(cov.no_counterpart())
        share = 100 * len(cov.realized()) / with_counterpart if with_counterpart else 100.0
        if share < args.min_share:
            print(f"the share {share:.1f} % is below {args.min_share} %", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
