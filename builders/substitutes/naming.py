"""Guix package names -> Debian package names, for packages the table does not know.

`debian_packages(guix_name, system)` in mapping.py answers from the curated
table (packages.sexp): kernels, bootloaders, packages whose Debian name
differs in no predictable way (openssh -> openssh-server + openssh-client,
nss-certs -> ca-certificates), and names known to have no counterpart.  For
every other name, `guess(guix_name, index)` looks in the Debian release's
package index:

1. the same name (screen, mingetty, nginx, htop, ...);
2. the naming rules of the two distributions (RULES), first match that exists:

       python-X          -> python3-X                 r-X            -> r-cran-X
       font-X            -> fonts-X, then ttf-X       emacs-X        -> elpa-X
       font-FOUNDRY-X    -> fonts-X (font-gnu-unifont -> fonts-unifont; FOUNDRY one of
                            abattis, adobe, gnu, google, ibm, microsoft)
       sbcl-X            -> cl-X  (Debian's Common Lisp libraries serve every Lisp)
       perl-X            -> libX-perl                 ghc-X          -> libghc-X-dev
       guile-X           -> guile-3.0-X               ocaml-X        -> libX-ocaml-dev
       xf86-video-X      -> xserver-xorg-video-X      xf86-input-X   -> xserver-xorg-input-X
       libX              -> libX-dev, with libX-bin, libX-tools, libX-utils where
                            Debian has them (a Guix library package carries its
                            headers and its commands; Debian splits them off, and the
                            -dev package depends on the shared library)

3. the variant suffixes (VARIANTS): Guix's reduced or altered builds of a
   package, which Debian does not split off, stand for the package itself:

       X-minimal, X-sans-x, X-static, X-next, X-with-Y  ->  X

   (-static and -with-Y not after a language library's prefix, where they
   belong to the library's name: sbcl-with-user-abort, julia-static)

   and X goes through all of `resolve` again (the table first:
   python-minimal-wrapper is not needed, libpciaccess-static -> libpciaccess
   -> libpciaccess-dev).

`resolve(guix_name, system, index)` puts them together and says how the name
was found ("table", "same name", "rule python-X -> python3-X", "rule
X-static -> X, then rule libX -> libX-dev") or why there is none.  A name the
table lists is decided by the table alone: marked unavailable, or listed for
other systems only (a kernel, a bootloader, Linux binaries asked for a GNU/Hurd
system), it has no substitute, with the table's reason (`Naming.unavailable`);
otherwise the reason is that neither the name nor a rule gives a Debian package.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from builders.substitutes import mapping

Rule = tuple[str, re.Pattern[str], Callable[[re.Match[str]], str]]

# (description, Guix name pattern, Debian name template): renaming rules, tried in order.
RULES: tuple[Rule, ...] = (
    ("python-X -> python3-X", re.compile(r"python-(.+)"), lambda m: f"python3-{m[1]}"),
    ("font-X -> fonts-X", re.compile(r"font-(.+)"), lambda m: f"fonts-{m[1]}"),
    ("font-FOUNDRY-X -> fonts-X", re.compile(r"font-(?:abattis|adobe|gnu|google|ibm|microsoft)-(.+)"),
     lambda m: f"fonts-{m[1]}"),
    ("font-X -> ttf-X", re.compile(r"font-(.+)"), lambda m: f"ttf-{m[1]}"),
    ("emacs-X -> elpa-X", re.compile(r"emacs-(.+)"), lambda m: f"elpa-{m[1]}"),
    ("perl-X -> libX-perl", re.compile(r"perl-(.+)"), lambda m: f"lib{m[1]}-perl"),
    ("ghc-X -> libghc-X-dev", re.compile(r"ghc-(.+)"), lambda m: f"libghc-{m[1]}-dev"),
    ("guile-X -> guile-3.0-X", re.compile(r"guile-(.+)"), lambda m: f"guile-3.0-{m[1]}"),
    ("r-X -> r-cran-X", re.compile(r"r-(.+)"), lambda m: f"r-cran-{m[1]}"),
    ("sbcl-X -> cl-X", re.compile(r"sbcl-(.+)"), lambda m: f"cl-{m[1]}"),
    ("ocaml-X -> libX-ocaml-dev", re.compile(r"ocaml-(.+)"), lambda m: f"lib{m[1]}-ocaml-dev"),
    ("xf86-video-X -> xserver-xorg-video-X", re.compile(r"xf86-video-(.+)"),
     lambda m: f"xserver-xorg-video-{m[1]}"),
    ("xf86-input-X -> xserver-xorg-input-X", re.compile(r"xf86-input-(.+)"),
     lambda m: f"xserver-xorg-input-{m[1]}"),
    ("libX -> libX-dev", re.compile(r"(lib.+)"), lambda m: f"{m[1]}-dev"),
)

# Debian packages that go with a rule's result when the index has them (Debian's
# splits of what is one Guix package), by the rule's description.
COMPANIONS: dict[str, tuple[Callable[[re.Match[str]], str], ...]] = {
    "libX -> libX-dev": (lambda m: f"{m[1]}-bin", lambda m: f"{m[1]}-tools", lambda m: f"{m[1]}-utils"),
}

# Guix's prefixes of language libraries: there "-with-" and "-static" are part of the
# library's name (sbcl-with-user-abort, emacs-with-simulated-input, julia-static).
_LIBRARY = r"(?!(?:cl|ecl|emacs|ghc|go|java|julia|node|ocaml|perl|python|r|ruby|rust|sbcl|texlive)-)"

# (description, Guix name pattern, the package it is a variant of), tried in order; the
# package then goes through `resolve` (table, same name, rules, variants) again.
VARIANTS: tuple[Rule, ...] = (
    ("X-minimal -> X", re.compile(r"(.+)-minimal"), lambda m: m[1]),
    ("X-sans-x -> X", re.compile(r"(.+)-sans-x"), lambda m: m[1]),
    ("X-static -> X", re.compile(_LIBRARY + r"(.+)-static"), lambda m: m[1]),
    ("X-next -> X", re.compile(r"(.+)-next"), lambda m: m[1]),
    ("X-with-Y -> X", re.compile(_LIBRARY + r"(.+?)-with-.+"), lambda m: m[1]),
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
    unavailable: bool = False            # the table says there is no substitute (`how` is its reason)


def _base_name(guix_name: str) -> str:
    """'git@2.45' -> 'git'; 'git:send-email' -> 'git' (as mapping.py reads names)."""
    return guix_name.split("@", 1)[0].split(":", 1)[0].lower()


def _known(name: str, index: Names) -> bool:
    return _DEBIAN_NAME.fullmatch(name) is not None and name in index


def guess(guix_name: str, index: Names) -> tuple[tuple[str, ...], str] | None:
    """(Debian names, how) for GUIX_NAME by the same name or a renaming rule, if INDEX has them."""
    name = _base_name(guix_name)
    if _known(name, index):
        return (name,), "same name"
    for how, pattern, template in RULES:
        m = pattern.fullmatch(name)
        if m is None:
            continue
        candidate = template(m)
        if _known(candidate, index):
            extra = [c for c in (f(m) for f in COMPANIONS.get(how, ())) if _known(c, index)]
            return (candidate, *extra), f"rule {how}"
    return None


def resolve(guix_name: str, system: str, index: Names) -> Naming:
    """How GUIX_NAME is realized on SYSTEM: the table first, then the index, then its variants."""
    return _resolve(guix_name, system, index, depth=0)


def _resolve(guix_name: str, system: str, index: Names, depth: int) -> Naming:
    table = mapping.debian_packages(guix_name, system)
    if table is not None:
        return Naming(guix_name, tuple(table), "table")
    if mapping.entry(guix_name) is not None:   # unavailable, or listed for other systems only
        return Naming(guix_name, None, mapping.unavailable_reason(guix_name, system) or "unavailable", True)
    found = guess(guix_name, index)
    if found is not None:
        return Naming(guix_name, found[0], found[1])
    name = _base_name(guix_name)
    for how, pattern, template in VARIANTS if depth < 3 else ():
        m = pattern.fullmatch(name)
        if m is None:
            continue
        base = _resolve(template(m), system, index, depth + 1)
        if base.debian is not None:
            return Naming(guix_name, base.debian, f"rule {how}, then {base.how}")
    return Naming(guix_name, None, f"no Debian package is named '{guix_name}' or follows from it by a rule")


__all__ = ["COMPANIONS", "RULES", "VARIANTS", "Naming", "guess", "resolve"]
