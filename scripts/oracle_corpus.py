#!/usr/bin/env python3
"""Corpus (b): other people's Guix System configs, judged by the real GNU Guix.

The files live outside the repository, in the ignored folder .corpus/ (other
people's files are never committed); tests/oracle/corpus-b.tsv lists them
(repository, path, commit, local file name under .corpus/, licence if stated),
with Guix's own gnu/system/examples/*.tmpl and gnu/system/images/*.scm taken
from the Debian guix packages of the oracle chroots (.corpus/guix-1.5/,
.corpus/guix-1.2/).

For every file this runs the real Guix 1.5 (/work/shared/oracle/run.sh FILE:
verdict + summary, cached under .corpus/cache/guix-1.5/ in the golden format of
scripts/oracle_goldens.py), and -- for a file Guix 1.5 rejects -- Guix 1.2 too
(cached under .corpus/cache/guix-1.2/), then pyguix's describe (in a
subprocess per file, with a timeout), and compares them with the parity
test's own functions (tests/test_oracle_parity.py: golden, fields, compare,
and its KNOWN_DIFFERENCES normalization).

The rule:
- a file Guix 1.5 accepts: pyguix must accept it and every compared field must
  be equal;
- a file Guix 1.5 rejects: pyguix must reject it at the same place
  (FILE:LINE:COL, where Guix says one) with the same cause (unbound variable X,
  missing module M, ...) -- or, where the file is valid in an older Guix (here:
  Guix 1.2 accepts it) and only a later rename breaks it, accept it with a
  warning naming the change (a pyguix warning that names Guix 1.5's culprit).
  A file Guix 1.2 evaluates to its end without an error but whose value is
  neither an operating system nor an image (a module of Guix 1.2's own, such
  as its gnu/system/images/pine64.scm) is valid Guix 1.2 code too: there
  pyguix must say what Guix 1.2 says ("not an OS"), with that warning.
  A file that pyguix accepts with such a warning while Guix 1.2 rejects it
  too (for a name Guix 1.3 introduced, say `targets`: the file is of Guix
  1.3 or 1.4, versions the oracle does not run) is
  "unconfirmed" and counted as a disagreement: the oracle cannot show that
  some Guix accepted it.

Run (as root; the oracle chroots are created on first use):

    .venv/bin/python scripts/oracle_corpus.py            # report on stdout
    .venv/bin/python scripts/oracle_corpus.py --write    # ... and tests/oracle/corpus-b-results.md

Options: FILE... (only these, paths under .corpus/), --refresh (rerun the
oracle even where cached), --no-oracle (use the cache only), --jobs N
(default 2), --timeout S (pyguix, per file; default 180), --restore-guix-files
(copy Guix's own files of the manifest from the oracle chroots into .corpus/,
then exit).

On a new machine .corpus/ is empty: --restore-guix-files brings back Guix's
files; the GitHub files are fetched by repository, path and commit as the
manifest lists them (each written byte for byte to .corpus/LOCAL).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stderr
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / ".corpus"
CACHE = CORPUS / "cache"
MANIFEST = ROOT / "tests" / "oracle" / "corpus-b.tsv"
RESULTS = ROOT / "tests" / "oracle" / "corpus-b-results.md"
ORACLE = Path(os.environ.get("GUIX_ORACLE_DIR", "/work/shared/oracle"))
CHROOTS = Path(os.environ.get("ORACLE_HOME", Path.home() / ".cache" / "guix-oracle"))
CHROOT_OF = {"1.5": "sid", "1.2": "bullseye"}

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


og = _load("oracle_goldens", ROOT / "scripts" / "oracle_goldens.py")


def parity():
    """tests/test_oracle_parity.py, its goldens read from the corpus cache."""
    tp = sys.modules.get("test_oracle_parity") or _load("test_oracle_parity", ROOT / "tests" / "test_oracle_parity.py")
    tp.GOLDENS = CACHE / "guix-1.5"
    return tp


# --- the manifest ------------------------------------------------------------------------------


@dataclass
class Entry:
    repository: str
    path: str
    commit: str
    local: str          # under .corpus/
    licence: str

    @property
    def file(self) -> Path:
        return CORPUS / self.local


def manifest() -> list[Entry]:
    with MANIFEST.open(newline="") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
    head, *rows = rows
    assert head[:4] == ["repository", "path", "commit", "local"], head
    return [Entry(*(r + [""] * (5 - len(r)))[:5]) for r in rows]


def restore_guix_files(entries: list[Entry]) -> int:
    """Copy the manifest's files of Guix itself (repository "guix (Debian package guix V, chroot C)")
    from the oracle chroot C into .corpus/; the number copied."""
    import shutil

    copied = 0
    for e in entries:
        m = re.match(r"guix \(Debian package guix \S+, chroot (\S+)\)", e.repository)
        if not m:
            continue
        site = next((d for d in (CHROOTS / m.group(1) / "usr/share/guile/site").glob("*") if (d / e.path).is_file()),
                    None)
        if site is None:
            print(f"not in the {m.group(1)} chroot: {e.path}", file=sys.stderr)
            continue
        e.file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(site / e.path, e.file)
        copied += 1
    return copied


# --- the oracle, cached --------------------------------------------------------------------------


def cached(version: str, file: Path) -> Path:
    rel = file.relative_to(CORPUS)
    return CACHE / f"guix-{version}" / rel.parent / f"{file.stem}.os.scm"


def oracle_available(version: str) -> bool:
    return (CHROOTS / CHROOT_OF[version] / "usr/bin/guix").exists()


def run_oracle(version: str, files: list[Path], jobs: int, refresh: bool) -> None:
    todo = [f for f in files if refresh or not cached(version, f).exists()
            or cached(version, f).stat().st_mtime < f.stat().st_mtime]
    if not todo:
        return
    os.environ["GUIX_ORACLE"] = version   # read by run.sh and by og.record's header
    if not oracle_available(version):
        subprocess.run([str(ORACLE / "setup.sh")], check=True)
    og.GOLDENS = CACHE / f"guix-{version}"
    run_sh = ORACLE / "run.sh"
    guix = og.guix_version(run_sh)
    print(f"running Guix {guix} on {len(todo)} file(s)...", file=sys.stderr, flush=True)

    def one(f: Path):
        return og.record(run_sh, guix, f.relative_to(CORPUS).parent.as_posix(), f, None)

    with ThreadPoolExecutor(max(1, jobs)) as pool:
        for out, rc in pool.map(one, todo):
            print(f"  guix {version}: {'accepted' if rc == 0 else 'REJECTED'}  {out.relative_to(CACHE)}",
                  file=sys.stderr, flush=True)


def stderr_lines(golden_file: Path) -> list[str]:
    prefix = ";; stderr: "
    return [line[len(prefix):] for line in golden_file.read_text().splitlines() if line.startswith(prefix)]


def exit_code(golden_file: Path) -> int | None:
    m = re.search(r"=> exit (\d+)", golden_file.read_text().split("\n", 1)[0])
    return int(m.group(1)) if m else None


# --- pyguix, one file per subprocess ----------------------------------------------------------------


def worker(golden_file: Path) -> dict:
    """pyguix's describe of the golden's config, compared row by row with the parity test's compare()."""
    tp = parity()
    golden_file = golden_file.resolve()
    g = tp.golden(golden_file)
    out: dict = {"accepts": False, "error": None, "location": None, "warnings": [], "rows": [], "crash": None}
    captured = io.StringIO()
    try:
        with redirect_stderr(captured):
            ours = tp.pyguix(g.config, g.image_type)
    except Exception as e:  # noqa: BLE001 - not a SchemeError: pyguix itself failed
        out["crash"] = f"{type(e).__name__}: {e}"
        return out
    interp = tp._evaluated(g.config)[0]
    out["warnings"] = [message for message, _ in interp.loader.warnings]
    out["accepts"] = ours.forms is not None
    if ours.error is not None:
        out["error"] = getattr(ours.error, "message", str(ours.error))
        span = getattr(ours.error, "span", None)
        if span is not None:
            out["location"] = [str(Path(span.source.name).resolve()), span.line, span.col]
    names = ["verdict"]
    if g.exit != 0 and g.location is not None:
        names.append("error-location")
    elif g.exit == 0:
        names += list(tp.fields(g.forms))
    names = [n for n in names if not any(k.normalize is None for k in tp._known(n, g.name))]
    for name in names:
        try:
            outcome, message = tp.compare(golden_file, name)
        except Exception as e:  # noqa: BLE001
            outcome, message = "fail", f"compare crashed: {type(e).__name__}: {e}"
        out["rows"].append([name, outcome, message])
    return out


def run_pyguix(golden_file: Path, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(golden_file)]
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired:
        return {"accepts": False, "crash": f"timeout after {timeout:.0f} s", "rows": [], "warnings": [],
                "error": None, "location": None}
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"accepts": False, "crash": f"worker died: {tail[:200]}", "rows": [], "warnings": [],
                "error": None, "location": None}


# --- causes --------------------------------------------------------------------------------------


GUIX_MODULES = ("gnu", "guix", "ice-9", "srfi", "rnrs", "oop", "web", "system", "sxml", "texinfo", "json")


def cause_of(text: str) -> tuple[str, str]:
    """(kind, subject) of an error message, Guix's or pyguix's wording."""
    if m := re.search(r"(?:Unbound variable: |unbound variable: )(\S+)", text) or \
            re.search(r"error: (\S+): unbound variable", text):
        return "unbound variable", m.group(1)
    if m := re.search(r"(?:no code for module|module) (\([^()]*\))(?: not found)?", text):
        return "missing module", m.group(1)
    if m := re.search(r"extraneous field initializers \((\S+)\)|unknown field '([^']+)'", text):
        return "unknown field", m.group(1) or m.group(2)
    if m := re.search(r"missing field initializers \((\S+)\)|missing (?:required )?field '([^']+)'", text):
        return "missing field", m.group(1) or m.group(2)
    if re.search(r"does not return an operating system|neither an OS nor an image|evaluates to neither", text):
        return "not an OS", ""
    msg = re.sub(r"(/[^\s:]+)+(:\d+)*", "FILE", text.strip().splitlines()[0] if text.strip() else "")
    msg = re.sub(r"^(FILE: )?(guix repl: )?(error|erreur): ", "", msg)
    return "error", msg[:140]


def channel_of(module: str) -> str | None:
    """The channel a missing module comes from, if it is not Guix's own."""
    first = module.strip("()").split()[0] if module.strip("()") else ""
    if first in GUIX_MODULES:
        return None
    if first in ("nongnu", "nonguix"):
        return "nonguix"
    if first == "rosenthal":
        return "rosenthal"
    return f"a private module {module}"


def guix_cause(golden_file: Path) -> tuple[str, str]:
    lines = stderr_lines(golden_file)
    err = [i for i, line in enumerate(lines) if re.search(r"\berror: |In procedure ", line)]
    if not err:
        if "evaluates-to other" in golden_file.read_text() or "evaluates-to\n      other" in golden_file.read_text():
            return "not an OS", ""
        return "error", (lines[-1] if lines else "no message")[:140]
    return cause_of("\n".join(lines[err[0]:]))


def oracle_failure(golden_file: Path) -> str | None:
    """The oracle's own failure (its summary script, not Guix, failed), if any."""
    line = next((x for x in stderr_lines(golden_file) if "/oracle/guix-summary.scm" in x), None)
    if line:
        return line.split("guix-summary.scm", 1)[1].lstrip(":0123456789 ")
    if exit_code(golden_file) == 0 and not any(not x.startswith(";;") and x.strip()
                                               for x in golden_file.read_text().splitlines()):
        return "exit 0 without a summary (rerun it: --refresh FILE)"
    return None


def show(cause: tuple[str, str]) -> str:
    kind, subject = cause
    return f"{kind} {subject}".strip() if kind != "error" else subject


# --- one file's verdict ----------------------------------------------------------------------------


@dataclass
class Result:
    entry: Entry
    guix_accepts: bool | None = None
    guix_cause: tuple[str, str] | None = None
    guix_location: tuple | None = None
    guix12_accepts: bool | None = None
    guix12_cause: tuple[str, str] | None = None
    py: dict = field(default_factory=dict)
    agree: bool = False
    verdicts_agree: bool = False
    equal: list[str] = field(default_factory=list)
    different: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)
    note: str = ""
    oracle_failed: str = ""

    @property
    def py_accepts(self) -> bool:
        return bool(self.py.get("accepts"))

    @property
    def py_cause(self) -> tuple[str, str] | None:
        if self.py.get("crash"):
            return "pyguix crash", self.py["crash"][:140]
        return cause_of(self.py["error"]) if self.py.get("error") else None


def _unindexed(path: str) -> str:
    return re.sub(r"\[\d+\]", "[]", path)


def _diff_items(name: str, message: str) -> list[str]:
    """The differing items of a compare() message: list items (- Guix, + pyguix) and record fields."""
    items = [f"{name} {line.strip()}" for line in message.splitlines() if re.match(r"\s+[-+] ", line)]
    for m in re.finditer(r"^(\S+): Guix (.*)\n\s+pyguix (.*)$", message, re.M):
        items.append(f"{_unindexed(m.group(1))}: Guix {m.group(2)[:90]} / pyguix {m.group(3)[:90]}")
    no_such_field = r"^(\S+): (Guix .*, pyguix has no such field|pyguix .*, Guix has no such field)$"
    for m in re.finditer(no_such_field, message, re.M):
        items.append(f"{_unindexed(m.group(1))}: {m.group(2)[:120]}")
    return items


def judge(r: Result) -> None:
    if r.oracle_failed:
        r.causes.append(f"the oracle failed (its summary script, not Guix): {r.oracle_failed}")
        return
    rows = {name: (outcome, message) for name, outcome, message in r.py.get("rows", [])}
    if r.guix_accepts:
        r.verdicts_agree = r.py_accepts
        if not r.py_accepts:
            r.causes.append(f"pyguix rejects a file Guix accepts: {show(r.py_cause)}")
            return
        for name, (outcome, message) in rows.items():
            if name == "verdict":
                continue
            (r.equal if outcome == "pass" else r.different).append(name)
            if outcome == "fail":
                items = _diff_items(name, message)
                r.items += list(dict.fromkeys(items))
                r.causes.append(f"field {name} differs")
                r.details.append("; ".join(items[:4]) + (" ..." if len(items) > 4 else "")
                                 if items else f"{name}: " + " ".join(message.split("\n", 1)[-1].split())[:240])
        r.agree = not r.different
        return
    # Guix 1.5 rejects
    kind, subject = r.guix_cause
    channel = channel_of(subject) if kind == "missing module" else None
    warned = subject and any(subject in w or subject.strip("()") in w for w in r.py.get("warnings", []))
    if not r.py_accepts and r.guix12_cause == ("not an OS", "") and r.py_cause == r.guix12_cause and warned:
        r.verdicts_agree = r.agree = True
        r.note = (f"valid Guix 1.2 code, whose value is neither an OS nor an image there too: pyguix says so, "
                  f"and warns about {subject}")
        return
    if not r.py_accepts:
        r.verdicts_agree = True
        place = rows.get("error-location", ("pass", ""))
        same_cause = r.py_cause == r.guix_cause
        r.agree = place[0] == "pass" and same_cause
        if not same_cause and channel:
            kind2, subject2 = r.py_cause
            other = channel_of(subject2) if kind2 == "missing module" else None
            r.causes.append(f"needs channel {channel}: Guix stops at {subject}; pyguix (which bundles nonguix) goes on "
                            f"and rejects: " + (f"needs {other}" + ("" if subject2 in other else f" {subject2}")
                                                 if other else show(r.py_cause)))
        elif not same_cause:
            r.causes.append(f"both reject, different cause: Guix {show(r.guix_cause)} / pyguix {show(r.py_cause)}")
        elif place[0] != "pass":
            r.causes.append(f"both reject ({show(r.guix_cause)}), at a different place")
            r.details.append(place[1].split("\n")[0][:240])
        return
    # pyguix accepts what Guix 1.5 rejects: right only for an old config, with a warning naming the change
    if r.guix12_accepts and warned:
        r.agree = True
        r.note = f"valid in Guix 1.2; pyguix warns about {subject}"
        return
    if warned and not channel:
        r.causes.append(f"unconfirmed: pyguix accepts with a warning about {subject}, Guix 1.2 rejects the file too "
                        f"(it may be valid in Guix 1.3-1.4, which the oracle lacks)")
    elif channel:
        r.causes.append(f"needs channel {channel}: Guix (no channels) rejects ({show(r.guix_cause)}), pyguix accepts")
    elif r.guix12_accepts:
        r.causes.append(f"old config (Guix 1.2 accepts): pyguix accepts without a warning naming {show(r.guix_cause)}")
    else:
        r.causes.append(f"pyguix accepts a file Guix rejects: {show(r.guix_cause)}")


# --- the report -------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f}%" if b else "-"


def report(all_results: list[Result], markdown: bool) -> str:
    failed = [r for r in all_results if r.oracle_failed]
    results = [r for r in all_results if not r.oracle_failed]
    n = len(results)
    g_acc = sum(bool(r.guix_accepts) for r in results)
    p_acc = sum(r.py_accepts for r in results)
    agree = sum(r.agree for r in results)
    vagree = sum(r.verdicts_agree for r in results)
    acc_rej = [r for r in results if r.guix_accepts and not r.py_accepts]
    channel_files = [r for r in results if r.causes and r.causes[0].startswith("needs ")]
    fields_eq = sum(len(r.equal) for r in results)
    fields_ne = sum(len(r.different) for r in results)
    both_acc = [r for r in results if r.guix_accepts and r.py_accepts]
    figures = [
        ("files", f"{len(all_results)} ({sum(r.entry.local.startswith('github/') for r in all_results)} from "
                  f"{len({r.entry.repository for r in all_results if r.entry.local.startswith('github/')})} GitHub "
                  f"repositories, {sum(not r.entry.local.startswith('github/') for r in all_results)} of Guix's own)"),
        ("the oracle itself failed (not counted below)", len(failed)),
        ("files judged", n),
        ("Guix 1.5 accepts / rejects", f"{g_acc} / {n - g_acc}"),
        ("pyguix accepts / rejects", f"{p_acc} / {n - p_acc}"),
        ("verdicts agree (accept/reject)", f"{vagree}/{n} ({_pct(vagree, n)})"),
        ("agreement by the rule (verdict, place and cause of a rejection, every field)",
         f"{agree}/{n} ({_pct(agree, n)})"),
        ("agreement leaving out the files that need a channel", f"{agree}/{n - len(channel_files)} "
                                                                   f"({_pct(agree, n - len(channel_files))})"),
        ("**files Guix accepts but pyguix rejects (must become 0)**", len(acc_rej)),
        ("files both accept: all fields equal", f"{sum(not r.different for r in both_acc)}/{len(both_acc)}"),
        ("fields compared where both accept: equal / different", f"{fields_eq} / {fields_ne}"),
    ]
    causes: dict[str, list[str]] = defaultdict(list)
    items: dict[str, list[str]] = defaultdict(list)
    for r in results:
        for c in dict.fromkeys(r.causes):
            causes[c].append(r.entry.local)
        for it in dict.fromkeys(r.items):
            items[it].append(r.entry.local)
    ranked = sorted(causes.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ranked_items = sorted(items.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:40]
    out = io.StringIO()
    w = out.write
    if markdown:
        w("# Corpus (b): other people's Guix System configs, Guix 1.5 vs pyguix\n\n")
        w("Generated by `scripts/oracle_corpus.py --write` (see its docstring); the files are listed in "
          "`tests/oracle/corpus-b.tsv` and stored, never committed, under `.corpus/`. "
          "Guix 1.5 = the real GNU Guix 1.5.0 of /work/shared/oracle; a file Guix 1.5 rejects is also run "
          "with Guix 1.2. Fields are compared with tests/test_oracle_parity.py's `compare` (its "
          "KNOWN_DIFFERENCES normalization included). This is the to-do list for the vocabulary.\n\n")
        w("## Figures\n\n| | |\n|---|---|\n")
        for k, v in figures:
            w(f"| {k} | {v} |\n")
        w("\n## Causes of disagreement, ranked\n\n| # | files | cause | files affected |\n|---|---|---|---|\n")
        for i, (c, fs) in enumerate(ranked, 1):
            w(f"| {i} | {len(fs)} | {_cell(c)} | {', '.join(f'`{f}`' for f in fs)} |\n")
        if ranked_items:
            w("\n## Items that differ most often (where both accept; - Guix, + pyguix)\n\n"
              "| files | field item |\n|---|---|\n")
            for it, fs in ranked_items:
                w(f"| {len(fs)} | `{_cell(it)}` |\n")
        w("\n## Per file\n\n"
          "| file | Guix 1.5 | Guix 1.2 | pyguix | agree | fields equal / different | cause, details |\n"
          "|---|---|---|---|---|---|---|\n")
        for r in all_results:
            g = ("oracle failed" if r.oracle_failed else "accepts" if r.guix_accepts
                 else f"rejects: {show(r.guix_cause)}")
            g12 = {True: "accepts", False: "rejects", None: ""}[r.guix12_accepts]
            p = "accepts" if r.py_accepts else f"rejects: {show(r.py_cause) if r.py_cause else '?'}"
            fe = f"{len(r.equal)} / {len(r.different)}" if r.guix_accepts and r.py_accepts else ""
            why = "; ".join(list(dict.fromkeys(r.causes)) + r.details[:4] + ([r.note] if r.note else []))
            cells = [f"`{r.entry.local}`", g, g12, p, "yes" if r.agree else "**no**", fe, why]
            w("| " + " | ".join(_cell(c) for c in cells) + " |\n")
        w("\n## Rerun\n\n```sh\n.venv/bin/python scripts/oracle_corpus.py --write   # as root; cached oracle runs are "
          "reused\n.venv/bin/python scripts/oracle_corpus.py --refresh --write   # rerun Guix too\n```\n")
    else:
        for r in all_results:
            flag = "agree   " if r.agree else "DISAGREE"
            g = "G?" if r.oracle_failed else "G+" if r.guix_accepts else "G-"
            p = "P+" if r.py_accepts else "P-"
            fe = f" fields {len(r.equal)}={len(r.different)}!" if r.guix_accepts and r.py_accepts else ""
            print(f"{flag} {g} {p}{fe}  {r.entry.local}", file=out)
            for c in dict.fromkeys(r.causes):
                print(f"           {c}", file=out)
        print("\nFIGURES", file=out)
        for k, v in figures:
            print(f"  {k.strip('*')}: {v}", file=out)
        print("\nCAUSES OF DISAGREEMENT (ranked)", file=out)
        for c, fs in ranked:
            print(f"  {len(fs):3}  {c}", file=out)
            for f in fs:
                print(f"         {f}", file=out)
        if ranked_items:
            print("\nITEMS THAT DIFFER MOST OFTEN (- Guix, + pyguix)", file=out)
            for it, fs in ranked_items:
                print(f"  {len(fs):3}  {it}", file=out)
    return out.getvalue()


# --- main --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path, help="only these files (under .corpus/)")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--refresh", action="store_true", help="rerun the oracle even where cached")
    ap.add_argument("--no-oracle", action="store_true", help="use the oracle cache only")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=180)
    ap.add_argument("--write", action="store_true", help=f"write {RESULTS.relative_to(ROOT)}")
    ap.add_argument("--restore-guix-files", action="store_true",
                    help="copy Guix's own files of the manifest from the oracle chroots into .corpus/")
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0
    entries = manifest()
    if args.restore_guix_files:
        print(f"copied {restore_guix_files(entries)} files of Guix into {CORPUS.relative_to(ROOT)}/", file=sys.stderr)
        return 0
    if args.files:
        wanted = {p.resolve() for p in args.files}
        entries = [e for e in entries if e.file.resolve() in wanted]
    missing = [e.local for e in entries if not e.file.exists()]
    if missing:
        print(f"missing under .corpus/ (fetch them again from the manifest): {', '.join(missing)}", file=sys.stderr)
        entries = [e for e in entries if e.file.exists()]
    files = [e.file for e in entries]
    if not args.no_oracle:
        run_oracle("1.5", files, args.jobs, args.refresh)
    results = [Result(e) for e in entries if cached("1.5", e.file).exists()]
    for r in results:
        gf = cached("1.5", r.entry.file)
        r.guix_accepts = exit_code(gf) == 0
        if not r.guix_accepts:
            r.guix_cause = guix_cause(gf)
        if fail := oracle_failure(gf):
            r.guix_accepts, r.oracle_failed = None, fail
    rejected = [r.entry.file for r in results if r.guix_accepts is False]
    if rejected and not args.no_oracle and (oracle_available("1.2") or os.environ.get("CORPUS_SETUP_12")):
        run_oracle("1.2", rejected, args.jobs, args.refresh)
    for r in results:
        if r.guix_accepts is False and cached("1.2", r.entry.file).exists():
            r.guix12_accepts = exit_code(cached("1.2", r.entry.file)) == 0
            if not r.guix12_accepts:
                r.guix12_cause = guix_cause(cached("1.2", r.entry.file))
    print(f"running pyguix on {len(results)} file(s)...", file=sys.stderr, flush=True)
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        pys = list(pool.map(lambda r: run_pyguix(cached("1.5", r.entry.file), args.timeout), results))
    for r, py in zip(results, pys, strict=True):
        r.py = py
        judge(r)
    print(report(results, markdown=False))
    if args.write:
        RESULTS.write_text(report(results, markdown=True))
        print(f"wrote {RESULTS.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
