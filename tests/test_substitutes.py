"""Substitutes: .deb extraction, providers (directory, apt, chain), the Guix -> Debian table.

Tests that talk to the Debian archive (through the host's apt, in a private
state) skip only when apt reports a network failure.  They share one cache:
$PYGUIX_SUBSTITUTE_CACHE when set (CI keeps it between runs), else a
temporary directory.  The kernel download (~27 MB) is marked slow.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import stat
import subprocess
import tarfile
import time
from pathlib import Path

import pytest
import zstandard
from elftools.elf.elffile import ELFFile

from builders.errors import BuildError
from builders.substitutes import (
    AptProvider,
    ChainProvider,
    DirectoryProvider,
    SubstituteUnavailable,
    cache_root,
    compare_versions,
    control_fields,
    default_provider,
    extract,
    mapping,
    realize,
    realize_guix,
    realized_manifest,
)
from builders.substitutes.deb import DebError, ar_members, list_files
from builders.system.initrd import busybox_binary

# -- building .debs in the test -------------------------------------------------------

MTIME = 1_700_000_000


def _compress(data: bytes, kind: str) -> bytes:
    if kind == "":
        return data
    if kind == "gz":
        return gzip.compress(data, mtime=0)
    if kind == "xz":
        return lzma.compress(data)
    if kind == "bz2":
        return bz2.compress(data)
    if kind == "zst":
        return zstandard.ZstdCompressor().compress(data)
    if kind == "lzma":
        return lzma.compress(data, format=lzma.FORMAT_ALONE)
    raise ValueError(kind)


def _tar(entries: list[tuple]) -> bytes:
    """ENTRIES: (name, kind, payload, mode) with kind file/dir/sym/hard."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, kind, payload, mode in entries:
            info = tarfile.TarInfo(name)
            info.mtime = MTIME
            info.mode = mode
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            if kind == "file":
                data = payload if isinstance(payload, bytes) else payload.encode()
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif kind == "sym":
                info.type = tarfile.SYMTYPE
                info.linkname = payload
                tar.addfile(info)
            elif kind == "hard":
                info.type = tarfile.LNKTYPE
                info.linkname = payload
                tar.addfile(info)
    return buf.getvalue()


def _ar(members: list[tuple[str, bytes]]) -> bytes:
    out = bytearray(b"!<arch>\n")
    for name, data in members:
        header = f"{name + '/':<16}{MTIME:<12}{0:<6}{0:<6}{'100644':<8}{len(data):<10}`\n"
        assert len(header) == 60
        out += header.encode()
        out += data
        if len(data) % 2:
            out += b"\n"
    return bytes(out)


def make_deb(
    path: Path,
    package: str = "hello-pyguix",
    version: str = "1.0-1",
    arch: str = "amd64",
    *,
    data: list[tuple] | None = None,
    data_comp: str = "xz",
    control_comp: str = "gz",
    extra_control: dict[str, str] | None = None,
) -> Path:
    control = {"Package": package, "Version": version, "Architecture": arch, "Maintainer": "Test <t@example.org>"}
    control.update(extra_control or {})
    control.setdefault("Description", "test package\n made by tests/test_substitutes.py\n .\n second paragraph")
    text = "".join(f"{k}: {v}\n" for k, v in control.items())
    control_tar = _tar([("./", "dir", None, 0o755), ("./control", "file", text, 0o644)])
    if data is None:
        data = [
            ("./", "dir", None, 0o755),
            ("./usr/", "dir", None, 0o755),
            ("./usr/bin/", "dir", None, 0o755),
            (f"./usr/bin/{package}", "file", f"#!/bin/sh\necho {package}\n", 0o755),
        ]
    members = [
        ("debian-binary", b"2.0\n"),
        ("control.tar" + (f".{control_comp}" if control_comp else ""), _compress(control_tar, control_comp)),
        ("data.tar" + (f".{data_comp}" if data_comp else ""), _compress(_tar(data), data_comp)),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_ar(members))
    return path


RICH_DATA = [
    ("./", "dir", None, 0o755),
    ("./bin/", "dir", None, 0o755),
    ("./bin/tool", "file", b"\x7fELF fake binary", 0o4755),
    ("./bin/tool-link", "sym", "tool", 0o777),
    ("./bin/abs-link", "sym", "/usr/share/doc", 0o777),
    ("./bin/tool-hard", "hard", "./bin/tool", 0o4755),
    ("./etc/", "dir", None, 0o755),
    ("./etc/secret", "file", "s3cret\n", 0o600),
    ("./private/", "dir", None, 0o700),
    ("./private/odd", "file", "x" * 7, 0o644),  # odd sizes exercise ar padding
    ("./usr/share/doc/pkg/copyright", "file", "GPL\n", 0o644),  # parents not listed
]


# -- deb.py ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data_comp,control_comp",
    [("xz", "xz"), ("gz", "gz"), ("zst", "zst"), ("bz2", "gz"), ("", ""), ("lzma", "xz")],
)
def test_extract_synthetic_deb(tmp_path, data_comp, control_comp):
    deb = make_deb(tmp_path / "p.deb", data=RICH_DATA, data_comp=data_comp, control_comp=control_comp)
    out = tmp_path / "out"
    written = extract(deb, out)
    assert "bin/tool" in written and "usr/share/doc/pkg/copyright" in written
    tool = out / "bin/tool"
    assert tool.read_bytes() == b"\x7fELF fake binary"
    assert stat.S_IMODE(tool.stat().st_mode) == 0o755   # set-id bits are dropped on extraction
    assert stat.S_IMODE((out / "etc/secret").stat().st_mode) == 0o600
    assert stat.S_IMODE((out / "private").stat().st_mode) == 0o700
    assert os.readlink(out / "bin/tool-link") == "tool"
    assert os.readlink(out / "bin/abs-link") == "/usr/share/doc"  # kept verbatim, never followed
    assert (out / "bin/tool-hard").stat().st_ino == tool.stat().st_ino
    assert int(tool.stat().st_mtime) == MTIME
    assert (out / "private/odd").read_text() == "xxxxxxx"
    assert (out / "usr/share/doc/pkg/copyright").read_text() == "GPL\n"
    fields = control_fields(deb)
    assert fields["Package"] == "hello-pyguix"
    assert fields["Version"] == "1.0-1"
    assert fields["Description"].splitlines()[0] == "test package"
    assert fields["Description"].splitlines()[2] == "."
    # Extracting the control member instead of data:
    ctl = tmp_path / "ctl"
    assert extract(deb, ctl, member="control") == ["control"]
    assert (ctl / "control").read_text().startswith("Package: hello-pyguix\n")


def test_extract_merges_and_replaces(tmp_path):
    a = make_deb(tmp_path / "a.deb", "a", data=[("./f", "file", "one", 0o644), ("./l", "sym", "f", 0o777)])
    b = make_deb(tmp_path / "b.deb", "b", data=[("./f", "file", "two", 0o644), ("./l", "file", "now a file", 0o644)])
    out = tmp_path / "out"
    extract(a, out)
    extract(b, out)
    assert (out / "f").read_text() == "two"
    assert not (out / "l").is_symlink() and (out / "l").read_text() == "now a file"


def test_ar_members_and_list_files(tmp_path):
    deb = make_deb(tmp_path / "p.deb", data=RICH_DATA)
    with open(deb, "rb") as f:
        names = [name for name, _, _ in ar_members(f)]
    assert names == ["debian-binary", "control.tar.gz", "data.tar.xz"]
    assert "bin/tool-hard" in list_files(deb)


@pytest.mark.parametrize(
    "entries,what",
    [
        ([("../evil", "file", "x", 0o644)], ".."),
        ([("./a/../../evil", "file", "x", 0o644)], ".."),
        ([("/abs/evil", "file", "x", 0o644)], "absolute"),
        ([("./esc", "sym", "{outside}", 0o777), ("./esc/evil", "file", "x", 0o644)], "symbolic link"),
        ([("./rel", "sym", "../..", 0o777), ("./rel/evil", "file", "x", 0o644)], "symbolic link"),
        ([("./h", "hard", "../evil-source", 0o644)], ".."),
        ([("./h", "hard", "/etc/passwd", 0o644)], "absolute"),
    ],
)
def test_extract_rejects_paths_outside_target(tmp_path, entries, what):
    outside = tmp_path / "outside"
    outside.mkdir()
    entries = [(n, k, p.format(outside=outside) if isinstance(p, str) else p, m) for n, k, p, m in entries]
    deb = make_deb(tmp_path / "evil.deb", data=entries)
    target = tmp_path / "target"
    with pytest.raises(DebError) as info:
        extract(deb, target)
    assert what in str(info.value)
    assert isinstance(info.value, BuildError)
    assert list(outside.iterdir()) == []
    assert not (tmp_path / "evil").exists()


def test_not_a_deb(tmp_path):
    junk = tmp_path / "junk.deb"
    junk.write_bytes(b"PK\x03\x04 not an ar archive")
    with pytest.raises(DebError, match="not a Debian package"):
        control_fields(junk)
    nodata = tmp_path / "nodata.deb"
    nodata.write_bytes(_ar([("debian-binary", b"2.0\n")]))
    with pytest.raises(DebError, match="no data.tar member"):
        extract(nodata, tmp_path / "x")


# -- cache location ----------------------------------------------------------------------


def test_cache_root(monkeypatch, tmp_path):
    monkeypatch.delenv("PYGUIX_SUBSTITUTE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "pyguix"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_root() == Path.home() / ".cache" / "pyguix"
    monkeypatch.setenv("PYGUIX_SUBSTITUTE_CACHE", str(tmp_path / "ci-cache"))
    assert cache_root() == tmp_path / "ci-cache"


# -- directory provider --------------------------------------------------------------------


def test_compare_versions():
    assert compare_versions("1.0", "1.0") == 0
    assert compare_versions("1.0-1", "1.0-2") == -1
    assert compare_versions("1:0.1", "9.9") == 1
    assert compare_versions("1.0~rc1", "1.0") == -1
    assert compare_versions("1.10", "1.9") == 1
    assert compare_versions("6.1.192-2", "6.1.176-1") == 1
    assert compare_versions("1.0a", "1.0") == 1
    assert compare_versions("2.06-13+deb12u2", "2.06-13") == 1


@pytest.fixture
def debdir(tmp_path):
    d = tmp_path / "debs"
    make_deb(d / "tool_1.0_amd64.deb", "tool", "1.0", "amd64")
    make_deb(d / "sub" / "tool_1.2_amd64.deb", "tool", "1.2", "amd64")  # subdirectories are searched
    make_deb(d / "tool_9.0_arm64.deb", "tool", "9.0", "arm64")
    make_deb(d / "misnamed.deb", "tool", "1:0.5", "amd64")  # epoch wins; file names are not trusted
    make_deb(d / "data_1_all.deb", "data-files", "1", "all")
    make_deb(d / "mawk.deb", "mawk", "1.3", "amd64", extra_control={"Provides": "awk"})
    make_deb(
        d / "meta.deb", "linux-image-cloud-amd64", "6.1.192-2", "amd64",
        extra_control={"Depends": "linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2)", "Section": "kernel",
                       "Installed-Size": "13"},
    )  # fmt: skip
    make_deb(
        d / "k56.deb",
        "linux-image-6.1.0-56-cloud-amd64",
        "6.1.192-2",
        "amd64",
        data=[("./boot/vmlinuz-6.1.0-56-cloud-amd64", "file", "kernel56", 0o644)],
    )
    make_deb(
        d / "k50.deb",
        "linux-image-6.1.0-50-arm64",
        "6.1.176-1",
        "arm64",
        data=[("./boot/vmlinuz-6.1.0-50-arm64", "file", "kernel50", 0o644)],
    )
    (d / "broken.deb").write_bytes(b"garbage")
    return d


def test_directory_provider_index(debdir):
    p = DirectoryProvider(debdir)
    assert len(p.index) == 9  # broken.deb ignored with a warning
    assert p.lookup("tool", "amd64").version == "1:0.5"
    assert p.lookup("tool", "arm64").version == "9.0"
    assert p.fetch("data-files", "arm64").name == "data_1_all.deb"  # Architecture: all matches any
    assert p.fetch("awk", "amd64").name == "mawk.deb"  # virtual, single provider
    # meta package -> its dependency; flavour pattern when the meta .deb is absent
    assert p.lookup("linux-image-cloud-amd64", "amd64").package == "linux-image-6.1.0-56-cloud-amd64"
    assert p.lookup("linux-image-arm64", "arm64").package == "linux-image-6.1.0-50-arm64"
    with pytest.raises(SubstituteUnavailable) as info:
        p.fetch("tool", "armhf")
    msg = str(info.value)
    assert "'tool'" in msg and "'armhf'" in msg and str(debdir) in msg
    assert info.value.package == "tool" and info.value.arch == "armhf"


def test_realize_from_directory(debdir, tmp_path):
    p = DirectoryProvider(debdir)
    cache = tmp_path / "cache"
    tree = realize(p, ["linux-image-cloud-amd64", "data-files"], "amd64", cache=cache)
    assert (tree / "boot/vmlinuz-6.1.0-56-cloud-amd64").read_text() == "kernel56"
    assert (tree / "usr/bin/data-files").exists()
    manifest = realized_manifest(tree)
    assert [m["package"] for m in manifest] == ["linux-image-6.1.0-56-cloud-amd64", "data-files"]
    assert all(len(m["sha256"]) == 64 for m in manifest)
    # Same .debs -> same cached tree, reused (not extracted again: same inode).
    ino = (tree / "usr/bin/data-files").stat().st_ino
    assert realize(p, ["linux-image-cloud-amd64", "data-files"], "amd64", cache=cache) == tree
    assert (tree / "usr/bin/data-files").stat().st_ino == ino
    # A different set -> another tree; the substitutes directory is left untouched.
    assert realize(p, ["tool"], "amd64", cache=cache) != tree
    assert not list(debdir.rglob("*.sha256"))


def test_chain_provider(debdir, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    chain = ChainProvider([DirectoryProvider(empty), DirectoryProvider(debdir)])
    assert chain.fetch("tool", "arm64").name == "tool_9.0_arm64.deb"
    with pytest.raises(SubstituteUnavailable) as info:
        chain.fetch("nonexistent-pkg", "amd64")
    assert str(empty) in str(info.value) and str(debdir) in str(info.value)
    assert isinstance(default_provider(debdir, use_apt=False), DirectoryProvider)
    assert isinstance(default_provider(debdir), ChainProvider)


def test_realize_guix_reports_unavailable(debdir):
    p = DirectoryProvider(debdir)
    with pytest.raises(SubstituteUnavailable, match="debian-ports"):
        realize_guix(p, "hurd", "i586-gnu")
    with pytest.raises(SubstituteUnavailable, match="no-such-guix-package"):
        realize_guix(p, "no-such-guix-package", "x86_64-linux")
    assert (realize_guix(p, "linux-libre", "x86_64-linux") / "boot/vmlinuz-6.1.0-56-cloud-amd64").exists()


# -- mapping -----------------------------------------------------------------------------


def test_mapping_lookups():
    dp = mapping.debian_packages
    assert dp("linux-libre", "x86_64-linux") == ["linux-image-cloud-amd64"]
    assert dp("linux-libre@6.1.20", "aarch64-linux") == ["linux-image-arm64"]
    assert dp("linux-libre", "i686-linux") == ["linux-image-686"]
    assert dp("linux-libre-lts", "x86_64-linux") == ["linux-image-cloud-amd64"]
    assert dp("linux-libre-arm64-generic", "aarch64-linux") == ["linux-image-arm64"]
    assert dp("linux-libre-arm-generic", "armhf-linux") == ["linux-image-armmp"]
    assert dp("linux-libre-riscv64-generic", "riscv64-linux") == ["linux-image-riscv64"]
    assert dp("grub", "x86_64-linux") == ["grub-pc-bin", "grub-common"]
    assert dp("grub-efi", "x86_64-linux") == ["grub-efi-amd64-bin", "grub-common"]
    assert dp("grub-efi", "aarch64-linux") == ["grub-efi-arm64-bin", "grub-common"]
    assert dp("grub-efi32", "x86_64-linux") == ["grub-efi-ia32-bin", "grub-common"]
    assert dp("grub-minimal", "x86_64-linux") == ["grub-pc-bin", "grub-common"]
    assert dp("busybox", "aarch64-linux") == ["busybox-static"]
    assert dp("u-boot-pine64-lts", "aarch64-linux") == ["u-boot-sunxi"]
    assert mapping.u_boot_board("u-boot-pine64-lts") == "pine64-lts"
    assert dp("u-boot-rock64-rk3328", "aarch64-linux") == ["u-boot-rockchip"]
    assert dp("u-boot-novena", "armhf-linux") == ["u-boot-imx"]
    assert dp("u-boot-am335x-boneblack", "armhf-linux") == ["u-boot-omap"]
    assert mapping.u_boot_board("u-boot-am335x-boneblack") == "am335x_boneblack"
    assert dp("u-boot-qemu-riscv64", "riscv64-linux") == ["u-boot-qemu"]
    assert mapping.substitute_architecture("u-boot-qemu-riscv64", "riscv64-linux") == "all"
    assert mapping.substitute_architecture("linux-libre", "aarch64-linux") == "arm64"
    assert dp("gnumach", "i586-gnu") == ["gnumach-image-1.8-486"]
    assert mapping.debian_architecture("i586-gnu") == "i386"
    assert dp("coreutils", "x86_64-linux") == ["coreutils"]
    assert "ls" in mapping.busybox_applets("coreutils")
    assert dp("xz", "x86_64-linux") == ["xz-utils"]
    assert dp("e2fsprogs", "aarch64-linux") == ["e2fsprogs"]


def test_mapping_unavailable_reasons():
    assert mapping.debian_packages("hurd", "i586-gnu") is None
    assert "debian-ports" in mapping.unavailable_reason("hurd", "i586-gnu")
    assert mapping.unavailable_reason("linux-libre", "x86_64-linux") is None
    assert "i386-pc" in mapping.unavailable_reason("grub", "aarch64-linux")
    assert "only for aarch64-linux" in mapping.unavailable_reason("u-boot-pine64-lts", "x86_64-linux")
    assert "no Debian substitute is known" in mapping.unavailable_reason("emacs-no-such", "x86_64-linux")
    assert mapping.debian_packages("coreutils", "i586-gnu") is None  # Linux binaries can't run on the Hurd
    assert "Linux systems only" in mapping.unavailable_reason("coreutils", "i586-gnu")
    assert "rock-4c-plus" in mapping.unavailable_reason("u-boot-rock-4c-plus-rk3399", "aarch64-linux")
    with pytest.raises(BuildError, match="unknown system"):
        mapping.debian_architecture("vax-vms")


def test_mapping_table_is_consistent():
    table = mapping.table()
    assert len(table) > 80
    for name, e in table.items():
        usable = e.systems or e.any or e.unavailable or e.system_unavailable
        assert usable, f"{name}: maps to nothing"
        if name.startswith("u-boot-") and e.unavailable is None and name != "u-boot-tools":
            assert e.board, f"{name}: U-Boot entry without (board ...)"
    required = [
        "linux-libre", "linux-libre-lts", "linux-libre-arm64-generic", "linux-libre-arm-generic",
        "linux-libre-riscv64-generic", "grub", "grub-efi", "grub-efi32", "grub-minimal", "busybox",
        "gnumach", "hurd", "coreutils", "bash", "util-linux", "e2fsprogs", "u-boot-pine64-lts",
    ]  # fmt: skip
    assert not [n for n in required if n not in table]


def test_mapping_parse_errors():
    with pytest.raises(mapping.MappingError, match="unknown clause or system"):
        mapping.parse('(foo (vax-linux "x"))')
    with pytest.raises(mapping.MappingError, match="listed twice"):
        mapping.parse('(foo (any "a"))\n(foo (any "b"))')
    with pytest.raises(mapping.MappingError, match="expected strings"):
        mapping.parse("(foo (any bar))")
    with pytest.raises(mapping.MappingError):
        mapping.parse('(foo (any "a")')  # unbalanced
    parsed = mapping.parse('; comment\n(foo (x86_64-linux "a" "b") (aarch64-linux (unavailable "no")) (board "b"))')
    assert parsed["foo"].systems == {"x86_64-linux": ["a", "b"]}
    assert parsed["foo"].system_unavailable == {"aarch64-linux": "no"}


# -- apt provider (network) --------------------------------------------------------------------


@pytest.fixture(scope="session")
def apt_cache(tmp_path_factory):
    shared = os.environ.get("PYGUIX_SUBSTITUTE_CACHE")
    return Path(shared) if shared else tmp_path_factory.mktemp("substitute-cache")


@pytest.fixture(scope="session")
def apt(apt_cache):
    return AptProvider(apt_cache)


def fetch_or_skip(provider: AptProvider, package: str, arch: str) -> Path:
    try:
        return provider.fetch(package, arch)
    except SubstituteUnavailable as exc:
        if exc.network:
            pytest.skip(f"no network for apt: {exc.reason}")
        raise


def _elf_machine(path: Path) -> str:
    with open(path, "rb") as f:
        return ELFFile(f)["e_machine"]


def _host_dpkg_state() -> tuple[str, str]:
    foreign = subprocess.run(
        ["dpkg", "--print-foreign-architectures"], check=True, capture_output=True, text=True
    ).stdout
    arch_file = Path("/var/lib/dpkg/arch")
    return foreign, arch_file.read_text() if arch_file.exists() else ""


def test_apt_busybox_native(apt, apt_cache):
    started = time.monotonic()
    deb = fetch_or_skip(apt, "busybox-static", "amd64")
    fetched = time.monotonic() - started
    assert deb.parent == apt_cache / "debs" / "amd64"
    assert (deb.parent / (deb.name + ".sha256")).exists()
    fields = control_fields(deb)
    assert fields["Package"] == "busybox-static" and fields["Architecture"] == "amd64"
    started = time.monotonic()
    tree = realize(apt, ["busybox-static"], "amd64", cache=apt_cache)
    realized = time.monotonic() - started
    busybox = busybox_binary(tree)                              # usr/bin/busybox in Debian 13
    assert busybox == tree / "usr" / "bin" / "busybox"
    assert _elf_machine(busybox) == "EM_X86_64"
    assert stat.S_IMODE(busybox.stat().st_mode) == 0o755
    out = subprocess.run([busybox, "echo", "hello"], check=True, capture_output=True, text=True)
    assert out.stdout == "hello\n"
    print(f"busybox-static amd64: fetch {fetched:.2f} s, realize {realized:.2f} s, {deb.stat().st_size} B")


def test_apt_reuse_verifies_cached_deb(apt_cache):
    provider = AptProvider(apt_cache)
    deb = fetch_or_skip(provider, "busybox-static", "amd64")
    original = deb.read_bytes()
    started = time.monotonic()
    assert AptProvider(apt_cache).fetch("busybox-static", "amd64") == deb  # cached: no download
    print(f"cached fetch with a new provider: {time.monotonic() - started:.2f} s")
    deb.write_bytes(original[:-10] + b"corrupted!")  # tampered -> fetched again
    assert AptProvider(apt_cache).fetch("busybox-static", "amd64") == deb
    assert deb.read_bytes() == original


def test_apt_foreign_arch_private_state(apt, apt_cache):
    before = _host_dpkg_state()
    started = time.monotonic()
    deb = fetch_or_skip(apt, "busybox-static", "arm64")
    fetched = time.monotonic() - started
    tree = realize(apt, ["busybox-static"], "arm64", cache=apt_cache)
    assert _elf_machine(busybox_binary(tree)) == "EM_AARCH64"
    assert control_fields(deb)["Architecture"] == "arm64"
    assert apt.state_dir("arm64") == apt_cache / "apt" / "trixie" / "arm64"   # per release and architecture
    assert (apt.state_dir("arm64") / "lists").is_dir()
    assert _host_dpkg_state() == before  # no dpkg --add-architecture, host config untouched
    print(f"busybox-static arm64 (incl. private apt update if needed): {fetched:.2f} s")


def test_apt_resolves_meta_packages(apt):
    try:
        record = apt.resolve("linux-image-cloud-amd64", "amd64")
    except SubstituteUnavailable as exc:
        if exc.network:
            pytest.skip(f"no network for apt: {exc.reason}")
        raise
    assert record["Package"].startswith("linux-image-6.")
    assert record["Package"].endswith("-cloud-amd64")
    assert len(record["SHA256"]) == 64


def test_apt_nonexistent_package_error(apt):
    with pytest.raises(SubstituteUnavailable) as info:
        try:
            apt.fetch("pyguix-no-such-package", "arm64")
        except SubstituteUnavailable as exc:
            if exc.network:
                pytest.skip(f"no network for apt: {exc.reason}")
            raise
    msg = str(info.value)
    assert "'pyguix-no-such-package'" in msg and "'arm64'" in msg
    assert "Unable to locate package pyguix-no-such-package" in msg
    assert isinstance(info.value, BuildError)


def test_apt_offline_uses_cached_lists_and_debs(apt_cache, tmp_path, monkeypatch):
    """With the network gone, stale lists and cached .debs still serve; without lists, a clear error."""
    fetch_or_skip(AptProvider(apt_cache), "busybox-static", "amd64")
    offline_cache = tmp_path / "offline"
    import shutil

    shutil.copytree(AptProvider(apt_cache).state_dir("amd64"), AptProvider(offline_cache).state_dir("amd64"))
    shutil.copytree(apt_cache / "debs" / "amd64", offline_cache / "debs" / "amd64")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")  # nothing listens there: connection refused
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    provider = AptProvider(offline_cache, max_list_age=0)  # lists count as stale -> refresh fails -> warning
    deb = provider.fetch("busybox-static", "amd64")
    assert control_fields(deb)["Package"] == "busybox-static"
    with pytest.raises(SubstituteUnavailable) as info:
        AptProvider(tmp_path / "empty-cache", retries=0).fetch("busybox-static", "amd64")
    assert info.value.network and "--substitutes" in str(info.value)
    assert "busybox-static" in str(info.value) and "amd64" in str(info.value)


@pytest.mark.slow
def test_apt_cloud_kernel(apt, apt_cache):
    """One real kernel (~27 MB download, ~106 MB unpacked): meta resolution, download, extraction.
    Debian 13's keeps its modules in usr/lib/modules, xz-compressed."""
    started = time.monotonic()
    deb = fetch_or_skip(apt, "linux-image-cloud-amd64", "amd64")
    fetched = time.monotonic() - started
    started = time.monotonic()
    tree = realize(apt, ["linux-image-cloud-amd64"], "amd64", cache=apt_cache)
    realized = time.monotonic() - started
    kernels = list((tree / "boot").glob("vmlinuz-*-cloud-amd64"))
    assert len(kernels) == 1
    version = kernels[0].name.removeprefix("vmlinuz-")
    assert version.startswith("6.12.")                         # Debian 13, the default release
    assert list((tree / "usr/lib/modules" / version).rglob("virtio_blk.ko.xz"))
    print(f"{deb.name}: {deb.stat().st_size} B, fetch {fetched:.1f} s, extract {realized:.1f} s")
