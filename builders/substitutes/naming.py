"""Guix package names -> Debian package names, for packages the table does not know.

`debian_packages(guix_name, system)` in mapping.py answers from the curated
table (packages.sexp): kernels, bootloaders, packages whose Debian name
differs in no predictable way (openssh -> openssh-server + openssh-client,
nss-certs -> ca-certificates), and names known to have no counterpart.  For
every other name, `guess(guix_name, index)` looks in the Debian release's
package index:

1. the same name (screen, mingetty, nginx, htop, ...);
2. the naming rules of the two distributions, first match that exists:

       python-X   -> python3-X          font-X    -> fonts-X
       emacs-X    -> elpa-X             perl-X    -> libX-perl
       ghc-X      -> libghc-X-dev       guile-X   -> guile-3.0-X, guile-X
       X-minimal, X-sans-x, X-static, X-next, X-with-...  -> X

`resolve(guix_name, system, index)` puts the two together and says how the
name was found ("table", "same name", "rule python-X -> python3-X") or why
not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from builders.substitutes import mapping

# (description, Guix name pattern, Debian name template), tried in order.
RULES: tuple[tuple[str, re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    ("python-X -> python3-X", re.compile(r"python-(.+)"), lambda m: f"python3-{m[1]}"),
    ("font-X -> fonts-X", re.compile(r"font-(.+)"), lambda m: f"fonts-{m[1]}"),
    ("emacs-X -> elpa-X", re.compile(r"emacs-(.+)"), lambda m: f"elpa-{m[1]}"),
    ("perl-X -> libX-perl", re.compile(r"perl-(.+)"), lambda m: f"lib{m[1]}-perl"),
    ("ghc-X -> libghc-X-dev", re.compile(r"ghc-(.+)"), lambda m: f"libghc-{m[1]}-dev"),
    ("guile-X -> guile-3.0-X", re.compile(r"guile-(.+)"), lambda m: f"guile-3.0-{m[1]}"),
    ("X-minimal -> X", re.compile(r"(.+)-minimal"), lambda m: m[1]),
    ("X-sans-x -> X", re.compile(r"(.+)-sans-x"), lambda m: m[1]),
    ("X-static -> X", re.compile(r"(.+)-static"), lambda m: m[1]),
    ("X-next -> X", re.compile(r"(.+)-next"), lambda m: m[1]),
    ("X-with-Y -> X", re.compile(r"(.+?)-with-.+"), lambda m: m[1]),
)

class Names(Protocol):
    """What the package index offers here: whether it has a package of that name."""

    def __contains__(self, name: str, /) -> bool: ...


_DEBIAN_NAME = re.compile(r"[a-z0-9][a-z0-9+.-]+")


@dataclass(frozen=True)
class Naming:
    guix: str
    debian: tuple[str, ...] | None       # None: no substitute
    how: str                             # "table", "same name", "rule ...", or why there is none


def guess(guix_name: str, index: Names) -> tuple[str, str] | None:
    """(Debian name, how) for GUIX_NAME by the same name or a rule, if INDEX has one."""
    name = guix_name.lower()
    if _DEBIAN_NAME.fullmatch(name) and name in index:
        return name, "same name"
    for how, pattern, template in RULES:
        m = pattern.fullmatch(name)
        if m is None:
            continue
        candidate = template(m)
        if _DEBIAN_NAME.fullmatch(candidate) and candidate in index:
            return candidate, f"rule {how}"
        # a rule's result may itself need the same-name step (X-minimal -> X)
    return None


def resolve(guix_name: str, system: str, index: Names) -> Naming:
    """How GUIX_NAME is realized on SYSTEM: the table first, then the index."""
    table = mapping.debian_packages(guix_name, system)
    if table is not None:
        return Naming(guix_name, tuple(table), "table")
    entry = mapping.entry(guix_name)
    if entry is not None and (entry.unavailable is not None or system in entry.system_unavailable):
        return Naming(guix_name, None, mapping.unavailable_reason(guix_name, system) or "unavailable")
    found = guess(guix_name, index)
    if found is not None:
        return Naming(guix_name, (found[0],), found[1])
    return Naming(guix_name, None, f"no Debian package is named '{guix_name}' or follows from it by a rule")


__all__ = ["RULES", "Naming", "guess", "resolve"]
