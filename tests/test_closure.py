"""Dependency closures (builders/substitutes/closure.py), Debian release selection
(builders/substitutes/apt.py, --debian-release) and merged-/usr extraction.

The first half needs no network: closures of small hand-written Packages
indices, the release table and the private apt state's layout, the image
cache's key.  The second half talks to the Debian archive through the
private apt state and skips only when apt reports a network failure (as in
test_substitutes.py); it compares closures with `apt-get -s install` in the
same state.  Realizing the closure of a whole system (~110 packages) is slow.
"""

from __future__ import annotations

import random
import subprocess
import time
from pathlib import Path

import pytest

from builders.errors import BuildError
from builders.substitutes import AptProvider, ChainProvider, DirectoryProvider, SubstituteUnavailable
from builders.substitutes.apt import DEFAULT_RELEASE, RELEASES, debian_release, release_sources
from builders.substitutes.closure import (
    ClosureError,
    PackageIndex,
    Relation,
    closure,
    load_index,
    parse_relations,
    realize_closure,
    resolve,
    version_satisfies,
)
from builders.substitutes.deb import DebError, extract, make_usr_links, usr_merged
from tests.test_substitutes import make_deb

# -- relations ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,groups", [
    ("a", [[Relation("a")]]),
    ("a (>= 1.2), b | c (<< 3)", [[Relation("a", ">=", "1.2")], [Relation("b"), Relation("c", "<<", "3")]]),
    ("python3:any (>= 3.11~), libc6:amd64", [[Relation("python3", ">=", "3.11~")], [Relation("libc6")]]),
    ("old (< 2), older (> 1)", [[Relation("old", "<=", "2")], [Relation("older", ">=", "1")]]),   # legacy < >
    ("x (= 1:2.0-1),\n y", [[Relation("x", "=", "1:2.0-1")], [Relation("y")]]),
    ("z [amd64] <!nocheck>", [[Relation("z")]]),
    ("", []),
])  # fmt: skip
def test_parse_relations(text, groups):
    assert [list(g) for g in parse_relations(text)] == groups


def test_malformed_relations_are_errors():
    with pytest.raises(ClosureError, match="cannot read the relation"):
        parse_relations("x (= 1) y")


@pytest.mark.parametrize("version,op,wanted,ok", [
    ("1.2", ">=", "1.2", True), ("1.2", ">>", "1.2", False), ("1.10", ">>", "1.9", True),
    ("1:1.0", ">=", "2.0", True), ("2.0~rc1", "<<", "2.0", True), ("3", "=", "3", True),
    ("3", "<=", "2", False), ("3", None, None, True),
])  # fmt: skip
def test_version_satisfies(version, op, wanted, ok):
    assert version_satisfies(version, op, wanted) is ok


# -- closures of small indices ---------------------------------------------------------------------


def stanza(name: str, version: str = "1.0", **fields: str) -> str:
    lines = [f"Package: {name}", f"Version: {version}", "Architecture: amd64"]
    lines += [f"{key.replace('_', '-')}: {value}" for key, value in fields.items()]
    lines += [f"Filename: pool/main/{name[0]}/{name}/{name}_{version}_amd64.deb", f"SHA256: {'0' * 64}"]
    return "\n".join(lines) + "\n"


ARCHIVE = [
    stanza("libc6", "2.41-1", Priority="optional"),
    stanza("base-files", "13.8", Essential="yes", Pre_Depends="awk"),
    stanza("mawk", "1.3.4", Priority="required", Provides="awk", Depends="libc6"),
    stanza("gawk", "5.2", Priority="optional", Provides="awk", Depends="libc6, libmpfr6"),
    stanza("libmpfr6", "4.2"),
    stanza("login", "1:4.16", Priority="required", Depends="libc6"),
    stanza("openssh-server", "1:10.0p1-7",
           Depends="libc6 (>= 2.38), systemd | systemd-standalone-sysusers | systemd-sysusers, openssh-client"),
    stanza("openssh-client", "1:10.0p1-7", Depends="libc6"),
    stanza("systemd", "257.9", Depends="libc6, libsystemd-shared", Provides="systemd-sysusers"),
    stanza("libsystemd-shared", "257.9"),
    stanza("systemd-standalone-sysusers", "257.9", Provides="systemd-sysusers",
           Conflicts="systemd-sysusers"),   # a package may conflict with what it provides itself
    stanza("screen", "4.9.1", Depends="libc6, libpam0g | libpam-fake"),
    stanza("libpam0g", "1.7.0"),
    stanza("libpam-fake", "1.0"),
    stanza("needs-new-libc", "1.0", Depends="libc6 (>= 3.0) | libc-compat"),
    stanza("libc-compat", "1.0"),
    stanza("broken", "1.0", Depends="libc6 (>= 9)"),
    stanza("shepherd", "1.0.3", Depends="guile-3.0, guile-fibers"),
    stanza("guile-3.0", "3.0.10", Depends="guile-3.0-libs (= 3.0.10)"),
    stanza("guile-3.0-libs", "3.0.10", Depends="libgc1 | libgc-alt"),
    stanza("libgc1", "8.2"),
    stanza("libgc-alt", "1.0"),
    stanza("guile-fibers", "1.3.1", Depends="guile-3.0 | guile-2.2"),
    stanza("mta-user", "1.0", Depends="mail-transport-agent"),
    stanza("exim4-daemon-light", "4.98", Provides="mail-transport-agent"),
    stanza("postfix", "3.10", Provides="mail-transport-agent", Priority="optional"),
    stanza("nginx", "1.26", Depends="nginx-common, libc6"),
    stanza("nginx-common", "1.26", Breaks="nginx (<< 1.20)"),
    stanza("fights", "1.0", Conflicts="openssh-client"),
]


def index_of(stanzas: list[str], *more: list[str]) -> PackageIndex:
    index = PackageIndex()
    index.add_packages_file("\n".join(stanzas).encode(), "main")
    for extra in more:
        index.add_packages_file("\n".join(extra).encode(), "updates")
    return index


def test_first_alternative_and_forced_dependencies():
    c = resolve(index_of(ARCHIVE), ["shepherd"])
    assert c.names() == ("guile-3.0", "guile-3.0-libs", "guile-fibers", "libgc1", "shepherd")
    assert c.versions()["guile-3.0-libs"] == "3.0.10"
    assert c.choices == (("guile-3.0-libs", "libgc1 | libgc-alt", "libgc1"),)   # guile-fibers' group: satisfied


def test_preferred_alternative_over_the_first():
    """openssh-server: systemd | systemd-standalone-sysusers | systemd-sysusers -> the standalone sysusers."""
    c = resolve(index_of(ARCHIVE), ["openssh-server"])
    assert "systemd-standalone-sysusers" in c.names() and "systemd" not in c.names()
    assert c.names() == ("libc6", "openssh-client", "openssh-server", "systemd-standalone-sysusers")
    assert "systemd" in resolve(index_of(ARCHIVE), ["openssh-server"], prefer=()).names()   # without the table


def test_an_alternative_already_in_the_closure_wins():
    c = resolve(index_of(ARCHIVE), ["screen", "libpam-fake"])
    assert "libpam0g" not in c.names() and "libpam-fake" in c.names()


def test_versioned_dependencies_skip_unsatisfying_candidates():
    assert "libc-compat" in resolve(index_of(ARCHIVE), ["needs-new-libc"]).names()
    with pytest.raises(ClosureError, match=r"broken depends on libc6 \(>= 9\).*libc6 2.41-1.*broken is needed "
                                           r"because requested"):
        resolve(index_of(ARCHIVE), ["broken"])


def test_virtual_packages():
    index = index_of(ARCHIVE)
    assert resolve(index, ["mta-user"]).names() == ("exim4-daemon-light", "mta-user")   # PROVIDERS
    assert resolve(index, ["mta-user", "postfix"]).names() == ("mta-user", "postfix")   # one is in already
    assert resolve(index, ["mta-user"], providers={}).names() == ("exim4-daemon-light", "mta-user")  # by name
    assert resolve(index, ["awk"]).names() == ("libc6", "mawk")       # a virtual root: Priority required first
    with pytest.raises(ClosureError, match="no package 'no-such'"):
        resolve(index, ["no-such"])


def test_base_is_essential_and_required_with_their_closure():
    c = resolve(index_of(ARCHIVE), [], base=True)
    assert c.names() == ("base-files", "libc6", "login", "mawk")
    assert c.base and c.requested == ()
    assert [p.name for p in c if p.essential] == ["base-files"]


def test_conflicts_and_breaks_are_errors():
    with pytest.raises(ClosureError, match="fights 1.0 conflicts with .*openssh-client"):
        resolve(index_of(ARCHIVE), ["openssh-server", "fights"])
    resolve(index_of(ARCHIVE), ["nginx"])                         # Breaks nginx (<< 1.20): not this one
    old = [s for s in ARCHIVE if not s.startswith("Package: nginx\n")]
    old.append(stanza("nginx", "1.18", Depends="nginx-common"))
    with pytest.raises(ClosureError, match="nginx-common 1.26 conflicts with \\(or breaks\\) nginx 1.18"):
        resolve(index_of(old), ["nginx"])


def test_candidates_are_the_highest_versions_over_the_suites():
    updates = [stanza("libc6", "2.41-2"), stanza("login", "1:4.15")]   # a newer libc6, an older login
    c = resolve(index_of(ARCHIVE, updates), ["login"])
    assert c.versions() == {"libc6": "2.41-2", "login": "1:4.16"}
    index = index_of(ARCHIVE)
    index.add_packages_file(stanza("libc6", "9.9").encode(), "backports", rank=1)   # NotAutomatic
    assert resolve(index, ["login"]).versions()["libc6"] == "2.41-1"
    index.add_packages_file(stanza("only-in-backports", "1").encode(), "backports", rank=1)
    assert resolve(index, ["only-in-backports"]).names() == ("only-in-backports",)


def test_closures_are_deterministic():
    """The same lists give the same closure, whatever the order of the stanzas and of the names."""
    names = ["shepherd", "openssh-server", "screen", "mta-user", "nginx"]
    first = resolve(index_of(ARCHIVE), names, base=True)
    rng = random.Random(7)
    for _ in range(5):
        stanzas, shuffled = list(ARCHIVE), list(names)
        rng.shuffle(stanzas)
        rng.shuffle(shuffled)
        again = resolve(index_of(stanzas), shuffled, base=True)
        assert again == first and again.key == first.key and again.choices == first.choices
    assert list(first.names()) == sorted(first.names())


def test_a_substitutes_directory_is_an_index(tmp_path):
    """Offline: the .debs of a --substitutes directory give the closure and its files."""
    debs = tmp_path / "debs"
    debs.mkdir()
    make_deb(debs / "a.deb", "app", "1.0", extra_control={"Depends": "libx (>= 1) | liby"},
             data=[("./usr/", "dir", None, 0o755), ("./usr/bin/", "dir", None, 0o755),
                   ("./usr/bin/app", "file", "#!/bin/sh\n", 0o755)])
    make_deb(debs / "x.deb", "libx", "1.2", data=[("./lib/", "dir", None, 0o755),
                                                  ("./lib/libx.so.1", "file", "x", 0o644)])
    make_deb(debs / "y.deb", "liby", "1.0", arch="all")
    provider = DirectoryProvider(debs)
    c = closure(["app"], "amd64", provider=provider)
    assert c.names() == ("app", "libx") and c.release == "directory"
    tree = realize_closure(provider, c, cache=tmp_path / "cache")
    assert (tree / "usr/bin/app").is_file() and (tree / "usr/lib/libx.so.1").is_file()
    assert (tree / "lib").is_symlink() and str((tree / "lib").readlink()) == "usr/lib"


# -- merged /usr -------------------------------------------------------------------------------------


def test_usr_merged_names():
    assert usr_merged("bin/sh") == "usr/bin/sh"
    assert usr_merged("lib64/ld-linux-x86-64.so.2") == "usr/lib64/ld-linux-x86-64.so.2"
    assert usr_merged("sbin") == "usr/sbin"
    assert usr_merged("usr/bin/sh") == "usr/bin/sh" and usr_merged("binary/x") == "binary/x"
    assert usr_merged("etc/bin/x") == "etc/bin/x"


def test_merged_extraction(tmp_path):
    """bin/x lands in usr/bin/x (hard links too); base-files' own alias links are made once, at the end."""
    base = make_deb(tmp_path / "base.deb", "base-files", data=[
        ("./usr/", "dir", None, 0o755), ("./usr/bin/", "dir", None, 0o755),
        ("./bin", "sym", "usr/bin", 0o777), ("./lib", "sym", "usr/lib", 0o777)])
    old = make_deb(tmp_path / "old.deb", "oldstyle", data=[
        ("./bin/", "dir", None, 0o755), ("./bin/tool", "file", "tool", 0o755),
        ("./bin/tool2", "hard", "./bin/tool", 0o755), ("./lib/", "dir", None, 0o755),
        ("./lib/libold.so", "sym", "libold.so.1", 0o777), ("./sbin/", "dir", None, 0o755),
        ("./sbin/x", "sym", "/bin/tool", 0o777)])
    for order in ([old, base], [base, old]):
        root = tmp_path / f"tree-{order[0].stem}"
        for deb in order:
            extract(deb, root, usr_merge=True)
        assert sorted(make_usr_links(root)) == ["bin", "lib", "sbin"]
        assert (root / "usr/bin/tool").read_text() == "tool"
        assert (root / "usr/bin/tool2").stat().st_ino == (root / "usr/bin/tool").stat().st_ino
        assert str((root / "usr/lib/libold.so").readlink()) == "libold.so.1"
        assert str((root / "usr/sbin/x").readlink()) == "/bin/tool"
        for alias in ("bin", "lib", "sbin"):
            assert str((root / alias).readlink()) == f"usr/{alias}"
        assert not (root / "lib64").exists()            # only for the usr/ directories that exist
    odd = make_deb(tmp_path / "odd.deb", "odd", data=[("./bin", "file", "not a directory", 0o644)])
    with pytest.raises(DebError, match="merged-/usr link /bin"):
        extract(odd, tmp_path / "odd", usr_merge=True)
    plain = tmp_path / "plain"
    extract(old, plain)                                 # without usr_merge: as the package says
    assert (plain / "bin/tool").is_file() and not (plain / "usr").exists()


# -- releases ----------------------------------------------------------------------------------------


def test_release_table():
    assert DEFAULT_RELEASE == "trixie" and debian_release(None).version == 13
    assert debian_release("13") is RELEASES["trixie"] and debian_release("Bookworm") is RELEASES["bookworm"]
    with pytest.raises(BuildError, match="unknown Debian release 'buster'") as info:
        debian_release("buster")
    assert "trixie (13)" in (info.value.hint or "") and "bookworm (12)" in (info.value.hint or "")


def test_cli_and_options_know_the_same_releases():
    from builders.cli import DebianRelease
    from builders.context import DEBIAN_RELEASES, DEFAULT_DEBIAN_RELEASE, BuildOptions

    assert sorted(DEBIAN_RELEASES) == sorted(RELEASES) == sorted(r.value for r in DebianRelease)
    assert DEFAULT_DEBIAN_RELEASE == DEFAULT_RELEASE == BuildOptions().debian_release


def test_release_sources(tmp_path):
    for name in ("trixie-stable", "trixie-automatic", "trixie-security-automatic"):
        (tmp_path / f"debian-archive-{name}.gpg").write_bytes(b"")
    text = release_sources(RELEASES["trixie"], tmp_path)
    stanzas = [s for s in text.split("\n\n") if s.strip()]
    assert [line.split(": ")[1] for s in stanzas for line in s.splitlines() if line.startswith("Suites")] == \
        ["trixie", "trixie-updates", "trixie-security"]
    assert "URIs: http://deb.debian.org/debian-security\n" in stanzas[2]
    assert f"Signed-By: {tmp_path}/debian-archive-trixie-stable.gpg {tmp_path}/debian-archive-trixie-automatic.gpg" \
        in stanzas[0]
    assert f"Signed-By: {tmp_path}/debian-archive-trixie-security-automatic.gpg\n" in stanzas[2]
    assert all("Components: main\n" in s for s in stanzas)
    with pytest.raises(BuildError, match="no keyring to check Debian 12 \\(bookworm\\)"):
        release_sources(RELEASES["bookworm"], tmp_path)


def test_private_state_per_release_and_sources(tmp_path, monkeypatch):
    monkeypatch.delenv("PYGUIX_APT_SOURCES", raising=False)
    trixie, bookworm = AptProvider(tmp_path), AptProvider(tmp_path, release="bookworm")
    assert trixie.state_dir("arm64") == tmp_path / "apt" / "trixie" / "arm64"
    assert bookworm.state_dir("arm64") == tmp_path / "apt" / "bookworm" / "arm64"
    assert trixie.deb_dir("arm64") == bookworm.deb_dir("arm64")   # pool file names never change content
    options = trixie.apt_options("amd64")
    state = trixie.state_dir("amd64")
    assert f"Dir::Etc::sourcelist={state / 'pyguix.sources'}" in options      # never the host's sources
    assert f"Dir::Etc::sourceparts={state / 'sources.d'}" in options
    listing = tmp_path / "my.sources"
    listing.write_text("deb http://deb.debian.org/debian trixie main\n")
    custom = AptProvider(tmp_path, sources=listing)
    assert custom.state_key.startswith("sources-") and custom.state_dir("amd64").parent.name == custom.state_key
    assert f"Dir::Etc::sourcelist={listing}" in custom.apt_options("amd64")
    listing.write_text("deb http://deb.debian.org/debian bookworm main\n")
    assert AptProvider(tmp_path, sources=listing).state_key != custom.state_key   # other content, other state
    assert trixie.archive == "Debian 13 (trixie)" and "PYGUIX_APT_SOURCES=" in custom.archive


def test_with_release_keeps_directories(tmp_path):
    from builders.substitutes import with_release

    debs = tmp_path / "debs"
    debs.mkdir()
    make_deb(debs / "a.deb")
    apt = AptProvider(tmp_path)
    chain = ChainProvider([DirectoryProvider(debs), apt])
    assert with_release(chain, "trixie") is chain and with_release(apt, "13") is apt
    other = with_release(chain, "bookworm")
    assert isinstance(other, ChainProvider) and other.providers[0] is chain.providers[0]
    assert other.providers[1].release.codename == "bookworm" and other.providers[1].cache == apt.cache


def test_image_cache_key_differs_by_release():
    from builders import cli
    from builders.context import BuildOptions
    from builders.lowering.lower import lower_image
    from builders.pipeline import default_output
    from schemeconf.interpreter import run_deep
    from tests.helpers import REPO

    interp = cli._interpreter([])
    value = interp.load_file(REPO / "samples" / "server.scm")
    image, type_name = run_deep(lambda: cli._image_from_value(interp, value, "qcow2", "server.scm"))
    plan = run_deep(lambda: lower_image(image, type_name))
    trixie = default_output(plan, BuildOptions())
    bookworm = default_output(plan, BuildOptions(debian_release="bookworm"))
    assert trixie != bookworm and trixie == default_output(plan, BuildOptions(debian_release="trixie"))


def test_cli_debian_release_option():
    from tests.helpers import pyguix

    bad = pyguix("system", "image", "--debian-release", "buster", "-n", "samples/server.scm")
    assert bad.returncode == 2 and "buster" in bad.stderr and "trixie" in bad.stderr
    ok = pyguix("system", "image", "--debian-release", "bookworm", "-n", "samples/server.scm")
    assert ok.returncode == 0, ok.stderr


def test_host_run_of_a_substitute(tmp_path):
    from builders.substitutes.hostrun import elf_interpreter, loader_command

    sh = Path("/bin/sh").resolve()
    assert elf_interpreter(sh) is not None and elf_interpreter(sh).startswith("/")
    assert elf_interpreter(tmp_path) is None
    script = tmp_path / "x"
    script.write_text("#!/bin/sh\n")
    assert elf_interpreter(script) is None and loader_command(tmp_path, script) == [str(script)]
    assert loader_command(tmp_path, sh) == [str(sh)]          # no loader in the tree: the host's libraries


# -- the Debian archive (network) ------------------------------------------------------------------


@pytest.fixture(scope="session")
def apt_cache(tmp_path_factory):
    import os

    shared = os.environ.get("PYGUIX_SUBSTITUTE_CACHE")
    return Path(shared) if shared else tmp_path_factory.mktemp("substitute-cache")


def _or_skip(fn):
    try:
        return fn()
    except SubstituteUnavailable as exc:
        if exc.network:
            pytest.skip(f"no network for apt: {exc.reason}")
        raise


SYSTEM = ["shepherd", "openssh-server", "dhcpcd-base", "util-linux", "screen"]


def apt_simulation(provider: AptProvider, names: list[str], arch: str = "amd64") -> list[str]:
    """What `apt-get -s install --no-install-recommends NAMES` installs in PROVIDER's private state
    (its dpkg status is empty: everything a system needs)."""
    out = subprocess.run(["apt-get", *provider.apt_options(arch), "-s", "install", "--no-install-recommends",
                          *names], capture_output=True, text=True, check=True)
    return sorted(line.split()[1] for line in out.stdout.splitlines() if line.startswith("Inst "))


@pytest.mark.parametrize("base", [False, True])
def test_closure_matches_apt(apt_cache, base):
    provider = AptProvider(apt_cache)
    started = time.monotonic()
    c = _or_skip(lambda: closure(SYSTEM, "amd64", provider=provider, base=base))
    took = time.monotonic() - started
    index = load_index(provider.state_dir("amd64") / "lists")
    extra = index.base_names() if base else []
    # apt takes the first alternative (systemd) where the closure takes the standalone sysusers: name it.
    assert apt_simulation(provider, [*SYSTEM, "systemd-standalone-sysusers", *extra]) == list(c.names())
    assert "systemd" not in c.names() and "systemd-standalone-sysusers" in c.names()
    again = closure(SYSTEM, "amd64", provider=provider, base=base)
    assert again == c and again.key == c.key
    if base:
        for name in ("base-files", "base-passwd", "bash", "coreutils", "dash", "libc6", "login", "util-linux",
                     "mount", "apt", "tzdata"):
            assert name in c.names(), name
    print(f"closure of {' '.join(SYSTEM)}{' + base' if base else ''}: {len(c)} packages in {took:.2f} s")


def test_release_selects_the_kernel(apt_cache):
    """Debian 13's cloud kernel is 6.12, Debian 12's 6.1 (meta packages resolved in each release's state)."""
    for release, major in (("trixie", "6.12."), ("bookworm", "6.1.")):
        provider = AptProvider(apt_cache, release=release)
        record = _or_skip(lambda p=provider: p.resolve("linux-image-cloud-amd64", "amd64"))
        assert record["Version"].startswith(major), (release, record["Version"])
        assert provider.state_dir("amd64") == apt_cache / "apt" / release / "amd64"
        sources = (provider.state_dir("amd64") / "pyguix.sources").read_text()
        assert f"Suites: {release}\n" in sources and f"debian-archive-{release}-automatic.gpg" in sources
    bookworm = AptProvider(apt_cache, release="bookworm")
    with pytest.raises(SubstituteUnavailable, match="Unable to locate package shepherd in the amd64 lists of "
                                                    "Debian 12 \\(bookworm\\)"):
        bookworm.fetch("shepherd", "amd64")                      # GNU Shepherd is in Debian 13 only


def test_realize_a_small_closure(apt_cache):
    provider = AptProvider(apt_cache)
    c = _or_skip(lambda: closure(["dash"], "amd64", provider=provider))
    assert "libc6" in c.names() and "dash" in c.names()
    tree = _or_skip(lambda: realize_closure(provider, c, cache=apt_cache))
    assert str((tree / "bin").readlink()) == "usr/bin" and (tree / "usr/bin/dash").is_file()
    assert (tree / "usr/lib/x86_64-linux-gnu").is_dir()
    from builders.substitutes.hostrun import loader_command

    out = subprocess.run([*loader_command(tree, tree / "usr/bin/dash"), "-c", "echo $((6 * 7))"],
                         capture_output=True, text=True, check=True)
    assert out.stdout == "42\n"                                # Debian 13's dash, with Debian 13's libc


@pytest.mark.slow
def test_realize_a_system_closure(apt_cache):
    """~110 packages with base: fetched in one apt-get download, extracted merged."""
    provider = AptProvider(apt_cache)
    started = time.monotonic()
    c = _or_skip(lambda: closure(SYSTEM, "amd64", provider=provider, base=True))
    resolved = time.monotonic()
    tree = _or_skip(lambda: realize_closure(provider, c, cache=apt_cache))
    done = time.monotonic()
    for rel in ("usr/bin/shepherd", "usr/sbin/sshd", "usr/sbin/dhcpcd", "usr/sbin/agetty", "usr/bin/screen",
                "usr/bin/login", "usr/bin/mount", "usr/lib/x86_64-linux-gnu/libc.so.6", "usr/bin/guile-3.0"):
        assert (tree / rel).exists(), rel
    for alias in ("bin", "sbin", "lib", "lib64"):
        assert str((tree / alias).readlink()) == f"usr/{alias}"
    assert str((tree / "usr/bin/sh").readlink()) == "dash"
    again = time.monotonic()
    assert realize_closure(provider, c, cache=apt_cache) == tree        # cached: same tree
    print(f"\n{len(c)} packages, {sum(p.size for p in c)} bytes of .debs: closure {resolved - started:.2f} s, "
          f"fetch + extract {done - resolved:.1f} s, again {time.monotonic() - again:.2f} s")


@pytest.mark.slow
def test_debian_release_option_builds_and_boots(tmp_path):
    """--debian-release bookworm: Debian 12's kernel (6.1) in /boot, and the image boots to a login;
    the default gives Debian 13's (6.12)."""
    import json

    from tests.helpers import check, pyguix
    from tests.qemu_console import Console, need

    def kernel_version(image: Path) -> str:
        """The version string of the image's /boot/vmlinuz (x86 boot protocol: kernel_version at 0x20E)."""
        start = json.loads(check("sfdisk", "--json", image).stdout)["partitiontable"]["partitions"][0]["start"]
        fs = tmp_path / f"{image.stem}.ext4"
        with open(image, "rb") as src, open(fs, "wb") as dst:
            src.seek(start * 512)
            dst.write(src.read())
        check("debugfs", "-R", f"dump /boot/vmlinuz {tmp_path / 'vmlinuz'}", fs)
        data = (tmp_path / "vmlinuz").read_bytes()
        at = int.from_bytes(data[0x20E:0x210], "little") + 0x200
        return data[at:data.index(b" ", at)].decode()

    images = {}
    for release in ("bookworm", None):
        out = tmp_path / f"{release or 'default'}.img"
        # Debian 12 has no GNU Shepherd: its images run the busybox stand-in (asked for; the
        # declared system with bookworm is a clear error, tested below)
        res = pyguix("system", "image", "--quiet", "-t", "mbr-raw", "-o", str(out), "samples/server.scm",
                     *(["--debian-release", release, "--init", "busybox"] if release else []))
        if res.returncode and "could not be reached" in res.stderr:
            pytest.skip("the Debian archive is unreachable")
        assert res.returncode == 0, res.stderr
        images[release] = out
    assert kernel_version(images["bookworm"]).startswith("6.1.0-")           # 6.1.0-NN-cloud-amd64
    assert kernel_version(images[None]).startswith("6.12.")                  # 6.12.NN+deb13-cloud-amd64
    need("qemu-system-x86_64", "qemu-system-x86")
    argv = ["qemu-system-x86_64", "-accel", "tcg", "-m", "512", "-display", "none", "-monitor", "none",
            "-serial", "stdio", "-no-reboot", "-snapshot", "-drive", f"file={images['bookworm']},format=raw,if=virtio"]
    with Console(argv, log=tmp_path / "console.log") as console:
        console.expect(r"[\r\n]komputilo login: ", 180)
        console.send("root\n")
        console.expect(r"# ", 30)
        assert console.run("uname -r").strip().startswith("6.1.")
        console.send("poweroff -f\n")


@pytest.mark.slow
def test_the_declared_system_with_debian_12_says_it_needs_debian_13(tmp_path):
    from tests.helpers import assert_clean_error, pyguix

    res = pyguix("system", "image", "--quiet", "-t", "mbr-raw", "-o", str(tmp_path / "x.img"),
                 "--debian-release", "bookworm", "samples/server.scm")
    if res.returncode and "could not be reached" in res.stderr:
        pytest.skip("the Debian archive is unreachable")
    assert_clean_error(res, "no GNU Shepherd", "Debian 12 does not", "--init busybox")
    assert not (tmp_path / "x.img").exists()
