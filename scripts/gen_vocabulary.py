#!/usr/bin/env python3
"""Generate pyguix's closed vocabulary from a real GNU Guix.

    scripts/gen_vocabulary.py            # Guix 1.5 -> schemeconf/lib/vocabulary-1.5.json.gz
    scripts/gen_vocabulary.py 1.2        # Guix 1.2 -> schemeconf/lib/vocabulary-1.2.json.gz

It runs Guile inside the oracle's Debian chroot (/work/shared/oracle, made by
its setup.sh; GUIX_ORACLE=1.2 for the 1.2 one), loads every module a system
configuration may import (all of gnu/packages/*, gnu/services/*,
gnu/system/*, gnu/bootloader/*, (gnu image), (guix gexp), (guix packages),
(guix platforms *), (gnu), the SRFI and ice-9 modules configurations use,
...) and asks each for its exported names.  scripts/gen_vocabulary.scm does
the asking; this script chooses the modules and writes the index.

The index is *data* (names, versions, kinds), never Guix's code:

    {"guix-version": "1.5.0",
     "modules": {"gnu packages base": '{"hello": ["package", "hello", "2.12.2", "out"], ...}', ...},
     "deprecated": {"gnu system image": {"esp-partition": "esp-partition/grub", ...}, ...}}

"deprecated" lists the names Guix defines with define-deprecated (and its
variants): they still work but Guix warns and names the replacement.

Beside it, schemeconf/lib/package-inputs-VERSION.json.gz holds the packages'
inputs (what `package-inputs`, `package-native-inputs`,
`package-propagated-inputs` and `package-direct-inputs` return, as Guix's
devel-hurd.tmpl uses them), read only by a configuration that asks:

    {"guix-version": "1.5.0",
     "packages": [[NAME, VERSION, OUTPUTS], ...],          # OUTPUTS: "out,debug" ("" for "out")
     "inputs": [[[FIELD, ID], [FIELD, ID, LABEL, OUTPUT], [FIELD, -1, LABEL], ...], ...],
     "variables": {"gnu packages hurd": {"hurd": ID, ...}, ...}}

Package number ID is the ID-th of "packages"; its inputs the ID-th of
"inputs", FIELD 0, 1, 2 for native-inputs, inputs, propagated-inputs (the
order of package-direct-inputs); LABEL and OUTPUT are left out when the label
is the package's name and no output is chosen; ID -1 is an input that is not
a package (an origin, a file).

Each binding is [KIND, FIELD...]: package (name, version, comma-separated
outputs, and the name of the package superseding it if it is a deprecated
package), service-type (name), bootloader (name), platform (target, system),
image-type (name), image, record-type, syntax, procedure, value.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
ORACLE = Path("/work/shared/oracle")
CHROOTS = Path(os.environ.get("ORACLE_HOME", Path.home() / ".cache/guix-oracle"))
SITE = "usr/share/guile/site/3.0"
SITE_22 = "usr/share/guile/site/2.2"

# Directories of Guix whose every module a configuration may import.
FAMILIES = ["gnu/packages", "gnu/services", "gnu/system", "gnu/system/images", "gnu/bootloader",
            "guix/platforms", "guix/build-system"]
# Single modules (those not present in a Guix version are skipped).
SINGLE = [
    "gnu", "gnu/packages", "gnu/services", "gnu/system", "gnu/bootloader", "gnu/image", "gnu/platform",
    "gnu/artwork", "guix", "guix/gexp", "guix/packages", "guix/platform", "guix/utils", "guix/download",
    "guix/git-download", "guix/licenses", "guix/channels", "guix/records", "guix/store", "guix/monads",
    "guix/derivations", "guix/build/utils", "guix/modules", "guix/search-paths", "guix/profiles",
    "guix/describe", "guix/deprecation", "guix/diagnostics", "guix/ui",
]
# Guile's own modules configurations use (always present).
GUILE_MODULES = [
    "(guile)", "(srfi srfi-1)", "(srfi srfi-2)", "(srfi srfi-9)", "(srfi srfi-9 gnu)", "(srfi srfi-11)",
    "(srfi srfi-13)", "(srfi srfi-19)", "(srfi srfi-26)", "(srfi srfi-34)", "(srfi srfi-35)", "(srfi srfi-39)",
    "(srfi srfi-71)", "(ice-9 match)", "(ice-9 format)", "(ice-9 regex)", "(ice-9 rdelim)", "(ice-9 popen)",
    "(ice-9 ftw)", "(ice-9 pretty-print)", "(ice-9 receive)", "(ice-9 optargs)", "(ice-9 string-fun)",
    "(ice-9 vlist)", "(ice-9 textual-ports)", "(rnrs bytevectors)",
]


def chroot_of(version: str) -> Path:
    return CHROOTS / ("sid" if version == "1.5" else "bullseye")


def module_names(site: Path) -> list[str]:
    names = []
    for family in FAMILIES:
        d = site / family
        if d.is_dir():
            for f in sorted(d.glob("*.scm")):
                names.append("(" + " ".join(family.split("/") + [f.stem]) + ")")
    for single in SINGLE:
        if (site / (single + ".scm")).is_file():
            names.append("(" + " ".join(single.split("/")) + ")")
    return names + GUILE_MODULES


def run_guile(version: str, modules: list[str], inputs: bool = False) -> str:
    root = chroot_of(version)
    site = next(p for p in (SITE, SITE_22) if (root / p / "gnu.scm").is_file())
    env = dict(os.environ, GUIX_ORACLE=version, ORACLE_BIND=str(HERE))
    cmd = [str(ORACLE / "run.sh"), "--cmd", "guix", "repl", "--", str(HERE / "gen_vocabulary.scm"),
           *(["--inputs"] if inputs else []), "/" + site] + modules
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"guile failed ({done.returncode})")
    return done.stdout


def guix_version(version: str) -> str:
    env = dict(os.environ, GUIX_ORACLE=version)
    out = subprocess.run([str(ORACLE / "run.sh"), "--cmd", "guix", "--version"], env=env,
                         capture_output=True, text=True).stdout
    first = out.splitlines()[0] if out else ""
    return first.split()[-1] if first else version


def parse(text: str) -> tuple[dict, dict, dict]:
    modules: dict[str, dict[str, list[str]]] = {}
    deprecated: dict[str, dict[str, str]] = {}
    errors: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        tag = parts[0]
        if tag == "M":
            modules.setdefault(parts[1].strip("()"), {})
        elif tag == "X" and len(parts) >= 4:
            fields = parts[3:]
            if fields[0] == "package" and fields[-1] == "":
                fields = fields[:-1]  # not superseded
            modules.setdefault(parts[1].strip("()"), {})[parts[2]] = fields
        elif tag == "D":  # FILE is /usr/share/guile/site/V/gnu/x.scm: module (gnu x)
            rel = parts[1].split("/site/", 1)[-1].split("/", 1)[-1].removesuffix(".scm")
            deprecated.setdefault(rel.replace("/", " "), {})[parts[2]] = parts[3]
        elif tag == "E":
            errors[parts[1].strip("()")] = parts[2]
    return modules, deprecated, errors


INPUT_FIELDS = {"native-inputs": 0, "inputs": 1, "propagated-inputs": 2}


def parse_inputs(text: str) -> dict:
    packages: list[list[str]] = []
    inputs: dict[int, list[list]] = {}
    variables: dict[str, dict[str, int]] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if parts[0] == "P":
            assert int(parts[1]) == len(packages), line
            packages.append([parts[2], parts[3], "" if parts[4] == "out" else parts[4]])
        elif parts[0] == "V":
            variables.setdefault(parts[1].strip("()"), {})[parts[2]] = int(parts[3])
        elif parts[0] == "I":
            field, label, output = INPUT_FIELDS[parts[2]], parts[3], parts[5]
            ref = -1 if parts[4] == "-" else int(parts[4])
            if ref < 0:
                entry: list = [field, -1, label]
            elif label == packages[ref][0] and not output:
                entry = [field, ref]
            else:
                entry = [field, ref, label, output]
            inputs.setdefault(int(parts[1]), []).append(entry)
    return {"packages": packages, "inputs": [inputs.get(i, []) for i in range(len(packages))],
            "variables": variables}


def write_gz(path: Path, index: dict) -> bytes:
    data = json.dumps(index, sort_keys=True, separators=(",", ":")).encode()
    # mtime=0: the same Guix gives byte-identical files.
    with open(path, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return data


def main() -> None:
    version = sys.argv[1] if len(sys.argv) > 1 else "1.5"
    root = chroot_of(version)
    if not (root / "usr/bin/guix").exists():
        raise SystemExit(f"no Guix {version} chroot at {root}: run GUIX_ORACLE={version} {ORACLE}/setup.sh")
    site = next(root / p for p in (SITE, SITE_22) if (root / p / "gnu.scm").is_file())
    modules, deprecated, errors = parse(run_guile(version, module_names(site)))
    # Each module's bindings are stored as a JSON text of their own, so that
    # pyguix parses only the modules a configuration imports.
    index = {"guix-version": guix_version(version),
             "modules": {m: json.dumps(b, sort_keys=True, separators=(",", ":")) for m, b in modules.items()},
             "deprecated": deprecated, "load-errors": errors}
    out = REPO / "schemeconf" / "lib" / f"vocabulary-{version}.json.gz"
    data = write_gz(out, index)
    n = sum(len(v) for v in modules.values())
    if version == "1.5":
        # Guile's own modules, small and apart: which core names need an import.
        guile = {m: sorted(b) for m, b in modules.items() if not m.startswith(("gnu", "guix"))}
        (REPO / "schemeconf" / "lib" / "guile-modules.json").write_text(
            json.dumps(guile, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"{out}: Guix {index['guix-version']}, {len(modules)} modules, {n} bindings, "
          f"{sum(map(len, deprecated.values()))} deprecated aliases, {len(errors)} modules failed; "
          f"{len(data)} bytes, {out.stat().st_size} compressed")
    if version == "1.5":  # the inputs of 1.5's packages (1.2's are never asked for)
        inputs = {"guix-version": index["guix-version"],
                  **parse_inputs(run_guile(version, module_names(site), inputs=True))}
        out = REPO / "schemeconf" / "lib" / f"package-inputs-{version}.json.gz"
        data = write_gz(out, inputs)
        print(f"{out}: {len(inputs['packages'])} packages, {sum(map(len, inputs['inputs']))} inputs; "
              f"{len(data)} bytes, {out.stat().st_size} compressed")


if __name__ == "__main__":
    main()
