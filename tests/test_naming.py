"""Guix package names -> Debian package names (builders/substitutes/naming.py).

The first half needs no network: each renaming rule and variant suffix
against a small fake index (a set of Debian names), the table's precedence
over the index, and the reasons given for names without a substitute.  The
second half reads the Debian 13 (trixie) amd64 package lists of the private
apt state and skips only when apt reports a network failure (as in
test_substitutes.py and test_closure.py): every Debian name the table gives
for x86_64-linux exists, and its dependency closure resolves.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builders.errors import BuildError
from builders.substitutes import AptProvider, SubstituteUnavailable, mapping, naming
from builders.substitutes.closure import closure, package_index

# (Guix name, the Debian names of the fake index, Debian names realizing it, how)
CASES = [
    ("screen", {"screen"}, ("screen",), "same name"),
    ("python-requests", {"python3-requests"}, ("python3-requests",), "rule python-X -> python3-X"),
    ("font-dejavu", {"fonts-dejavu", "ttf-dejavu"}, ("fonts-dejavu",), "rule font-X -> fonts-X"),
    ("font-gnu-unifont", {"fonts-unifont"}, ("fonts-unifont",), "rule font-FOUNDRY-X -> fonts-X"),
    ("font-bitstream-vera", {"ttf-bitstream-vera"}, ("ttf-bitstream-vera",), "rule font-X -> ttf-X"),
    ("emacs-magit", {"elpa-magit"}, ("elpa-magit",), "rule emacs-X -> elpa-X"),
    ("perl-json", {"libjson-perl"}, ("libjson-perl",), "rule perl-X -> libX-perl"),
    ("ghc-aeson", {"libghc-aeson-dev"}, ("libghc-aeson-dev",), "rule ghc-X -> libghc-X-dev"),
    ("guile-foo", {"guile-3.0-foo"}, ("guile-3.0-foo",), "rule guile-X -> guile-3.0-X"),
    ("r-ggplot2", {"r-cran-ggplot2"}, ("r-cran-ggplot2",), "rule r-X -> r-cran-X"),
    ("sbcl-alexandria", {"cl-alexandria"}, ("cl-alexandria",), "rule sbcl-X -> cl-X"),
    ("ocaml-yojson", {"libyojson-ocaml-dev"}, ("libyojson-ocaml-dev",), "rule ocaml-X -> libX-ocaml-dev"),
    ("xf86-video-qxl", {"xserver-xorg-video-qxl"}, ("xserver-xorg-video-qxl",),
     "rule xf86-video-X -> xserver-xorg-video-X"),
    ("xf86-input-libinput", {"xserver-xorg-input-libinput"}, ("xserver-xorg-input-libinput",),
     "rule xf86-input-X -> xserver-xorg-input-X"),
    # a library with its headers, and the commands Debian splits off where it has them
    ("libdaemon", {"libdaemon-dev", "libdaemon0"}, ("libdaemon-dev",), "rule libX -> libX-dev"),
    ("libnotify", {"libnotify-dev", "libnotify-bin", "libnotify4"}, ("libnotify-dev", "libnotify-bin"),
     "rule libX -> libX-dev"),
    # variants: the package itself, found by all of resolve again
    ("git-minimal", {"git"}, ("git",), "rule X-minimal -> X, then same name"),
    ("gdb-minimal", {"gdb", "gdb-minimal"}, ("gdb-minimal",), "same name"),     # Debian has this one
    ("foo-sans-x", {"foo"}, ("foo",), "rule X-sans-x -> X, then same name"),
    ("libpciaccess-static", {"libpciaccess-dev"}, ("libpciaccess-dev",),
     "rule X-static -> X, then rule libX -> libX-dev"),
    ("foo-next", {"foo"}, ("foo",), "rule X-next -> X, then same name"),
    ("foo-with-bar-baz", {"foo"}, ("foo",), "rule X-with-Y -> X, then same name"),
    ("xz-minimal", set(), ("xz-utils",), "rule X-minimal -> X, then table"),
    ("bash-with-syslog", set(), ("bash",), "rule X-with-Y -> X, then table"),
    # versions and outputs are not part of the name
    ("git@2.45.0", {"git"}, ("git",), "same name"),
    ("git:send-email", {"git"}, ("git",), "same name"),
]  # fmt: skip


@pytest.mark.parametrize("guix,index,debian,how", CASES, ids=[c[0] for c in CASES])
def test_rules(guix, index, debian, how):
    found = naming.resolve(guix, "x86_64-linux", index)
    assert (found.debian, found.how, found.unavailable) == (debian, how, False)


def test_every_rule_has_a_case():
    tested = {h.removeprefix("rule ").split(", then")[0] for *_, h in CASES}
    rules = {how for how, _, _ in (*naming.RULES, *naming.VARIANTS)}
    assert rules <= tested, f"rules without a case: {sorted(rules - tested)}"


@pytest.mark.parametrize("guix,index,debian", [
    ("xz", {"xz", "xz-utils"}, ("xz-utils",)),
    ("openssh", {"openssh", "openssh-server", "openssh-client"}, ("openssh-server", "openssh-client")),
    ("nss-certs", {"nss-certs", "ca-certificates"}, ("ca-certificates",)),
    ("python", {"python", "python3"}, ("python3",)),
])  # fmt: skip
def test_the_table_wins_over_the_same_name(guix, index, debian):
    assert naming.resolve(guix, "x86_64-linux", index) == naming.Naming(guix, debian, "table")


@pytest.mark.parametrize("guix,system,reason", [
    ("guile-colorized", "x86_64-linux", "not packaged in Debian"),       # even if the index had the name
    ("hurd", "x86_64-linux", "debian-ports"),
    ("grub", "aarch64-linux", "i386-pc"),                                # unavailable for one system
    ("turbostat", "aarch64-linux", "only for x86_64-linux"),             # the table knows other systems only
    ("coreutils", "i586-gnu", "Linux systems only"),
])  # fmt: skip
def test_names_the_table_marks_unavailable(guix, system, reason):
    found = naming.resolve(guix, system, {guix, "guile-colorized", "turbostat"})
    assert found.debian is None and found.unavailable and reason in found.how


@pytest.mark.parametrize("guix", ["no-such-package", "neofetch", "Not_A_Debian_Name", "python-no-such"])
def test_unknown_names_give_a_reason(guix):
    found = naming.resolve(guix, "x86_64-linux", {"python3", "screen"})
    assert found.debian is None and not found.unavailable
    assert f"no Debian package is named '{guix}'" in found.how


@pytest.mark.parametrize("guix,index", [
    ("sbcl-with-user-abort", {"sbcl"}),             # a library named with-user-abort, not an sbcl
    ("emacs-with-simulated-input", {"emacs"}),
    ("ruby-with-advisory-lock", {"ruby"}),
    ("julia-static", {"julia"}),                    # Static.jl, not a static julia
    ("font-fira-go", {"fonts-go"}),                 # Fira is no foundry: fonts-go is another font
])  # fmt: skip
def test_rules_leave_lookalikes_alone(guix, index):
    assert naming.resolve(guix, "x86_64-linux", index).debian is None


def test_guess_alone_ignores_the_table():
    assert naming.guess("xz", {"xz"}) == (("xz",), "same name")
    assert naming.guess("emacs-org", {"elpa-org"}) == (("elpa-org",), "rule emacs-X -> elpa-X")
    assert naming.guess("git-minimal", {"git"}) is None           # variants are resolve's


# -- the Debian archive (network) ------------------------------------------------------------------

# Table entries whose closure does not resolve yet, and why (strict: remove the row when it does).
KNOWN_CLOSURE_FAILURES = {
    "libvirt": "libvirt-daemon pulls libpam-systemd (systemd) where the closure already has "
               "systemd-standalone-sysusers: closure.py's alternatives, not the mapping",
}


@pytest.fixture(scope="module")
def trixie():
    shared = os.environ.get("PYGUIX_SUBSTITUTE_CACHE")
    provider = AptProvider(Path(shared)) if shared else AptProvider()
    try:
        return provider, package_index(provider, "amd64")
    except SubstituteUnavailable as exc:
        if exc.network:
            pytest.skip(f"no network for apt: {exc.reason}")
        raise


def test_table_names_exist_and_resolve(trixie):
    provider, index = trixie
    missing, failing = [], {}
    for name in mapping.known_packages():
        debs = mapping.debian_packages(name, "x86_64-linux")
        if debs is None:
            continue
        missing += [f"{name}: {d}" for d in debs if d not in index and not index.providers(d)]
        try:
            closure(debs, "amd64", provider=provider, base=False)
        except BuildError as exc:
            failing[name] = str(exc).splitlines()[0]
    assert not missing, f"Debian names not in trixie amd64: {missing}"
    assert set(failing) == set(KNOWN_CLOSURE_FAILURES), failing
