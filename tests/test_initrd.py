"""The initrd: the newc cpio writer, the kernel module closure, make_initrd.

The cpio archives are read back with GNU cpio (`cpio -t`, `cpio -idv`),
never with our own reader.  Module tests use the real Debian cloud kernel
from the substitute provider (skipped when it cannot be had).
"""

from __future__ import annotations

import functools
import gzip
import os
import stat
import subprocess
from pathlib import Path

import pytest

from builders.system import cpio
from builders.system.initrd import busybox_binary, choose_compression, init_script, make_initrd, plan_initrd
from builders.system.kernel_modules import KernelModules, ModuleNotFound, canonical, parse_softdep
from tests.helpers import REPO, tool

SYSTEM = "x86_64-linux"


@functools.cache
def substitute(guix_name: str, system: str = SYSTEM) -> Path:
    from builders.substitutes import SubstituteUnavailable, default_provider, realize_guix

    try:
        return realize_guix(default_provider(), guix_name, system)
    except SubstituteUnavailable as e:
        pytest.skip(f"substitute unavailable: {e}")


@functools.cache
def debian_package(name: str, arch: str = "amd64") -> Path:
    from builders.substitutes import SubstituteUnavailable, default_provider, realize

    try:
        return realize(default_provider(), [name], arch)
    except SubstituteUnavailable as e:
        pytest.skip(f"substitute unavailable: {e}")


@functools.cache
def load_os(sample: str, image_type: str):
    from builders import cli
    from builders.lowering.lower import lower_image
    from schemeconf.interpreter import run_deep

    interp = cli._interpreter([])
    value = interp.load_file(REPO / "samples" / sample)
    image, type_name = run_deep(lambda: cli._image_from_value(interp, value, image_type, sample))
    image = run_deep(lambda: cli._apply_options(interp, image, None, 64 << 20, False))
    return run_deep(lambda: lower_image(image, type_name)).os


def cpio_list(archive: bytes) -> list[str]:
    res = subprocess.run([tool("cpio"), "-t", "--quiet"], input=archive, capture_output=True, check=True)
    return res.stdout.decode().split()


def cpio_verbose(archive: bytes) -> str:
    res = subprocess.run([tool("cpio"), "-tv", "--quiet"], input=archive, capture_output=True, check=True,
                         env=dict(os.environ, LC_ALL="C", TZ="UTC"))
    return res.stdout.decode()


def decompress(data: bytes) -> bytes:
    if data[:4] == b"\x28\xb5\x2f\xfd":
        import zstandard

        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    return data


# --- cpio ------------------------------------------------------------------------------------------

SAMPLE = [
    cpio.regular("init", b"#!/bin/sh\necho hi\n", 0o755),
    cpio.directory("bin"),
    cpio.regular("bin/busybox", bytes(range(256)) * 3 + b"x", 0o755),
    cpio.symlink("bin/sh", "busybox"),
    cpio.char_device("dev/console", 5, 1),
    cpio.regular("lib/modules/a.ko", b""),         # parents made implicitly, empty file
    cpio.directory("tmp", 0o1777),
]


def test_cpio_lists_and_extracts_with_gnu_cpio(tmp_path):
    data = cpio.newc_bytes(SAMPLE, mtime=1)
    assert data.endswith(b"\0") and b"TRAILER!!!" in data[-200:]
    assert len(data) % 4 == 0
    names = cpio_list(data)
    # parents come before their children; the implicit ones are there
    assert names == ["bin", "bin/busybox", "bin/sh", "dev", "dev/console", "init", "lib", "lib/modules",
                     "lib/modules/a.ko", "tmp"]
    listing = cpio_verbose(data)
    assert "crw-------" in listing and "5,   1" in listing
    assert "lrwxrwxrwx" in listing and "bin/sh -> busybox" in listing
    assert "drwxrwxrwt" in listing
    for line in listing.splitlines():
        assert " root     root " in line, line
    out = tmp_path / "x"
    out.mkdir()
    res = subprocess.run([tool("cpio"), "-idv", "--quiet", "--no-absolute-filenames"], input=data, cwd=out,
                         capture_output=True)
    assert res.returncode == 0, res.stderr
    assert (out / "bin" / "busybox").read_bytes() == bytes(range(256)) * 3 + b"x"
    assert os.readlink(out / "bin" / "sh") == "busybox"
    assert (out / "init").stat().st_mode & 0o777 == 0o755
    assert (out / "lib" / "modules" / "a.ko").read_bytes() == b""
    if os.geteuid() == 0:
        st = os.lstat(out / "dev" / "console")
        assert stat.S_ISCHR(st.st_mode) and (os.major(st.st_rdev), os.minor(st.st_rdev)) == (5, 1)


def test_cpio_is_deterministic_whatever_the_input_order():
    a = cpio.newc_bytes(SAMPLE, mtime=7)
    b = cpio.newc_bytes(list(reversed(SAMPLE)), mtime=7)
    assert a == b
    assert cpio.compress(a, "gzip") == cpio.compress(b, "gzip")
    assert cpio.compress(a, "zstd") == cpio.compress(b, "zstd")
    assert cpio.newc_bytes(SAMPLE, mtime=8) != a


def test_cpio_header_fields():
    data = cpio.newc_bytes([cpio.regular("f", b"abc", 0o600)], mtime=0x1234)
    head = data[:110]
    assert head[:6] == b"070701"
    fields = [int(head[6 + 8 * i: 14 + 8 * i], 16) for i in range(13)]
    ino, mode, uid, gid, nlink, mtime, size = fields[:7]
    assert (ino, mode, uid, gid, nlink, mtime, size) == (1, 0o100600, 0, 0, 1, 0x1234, 3)
    assert fields[11] == 2                           # "f\0"
    assert data[110:112] == b"f\0"


def test_cpio_refuses_duplicates_and_escapes():
    with pytest.raises(ValueError, match="duplicate"):
        cpio.newc_bytes([cpio.regular("a", b""), cpio.regular("./a", b"")])
    with pytest.raises(ValueError, match="bad archive path"):
        cpio.newc_bytes([cpio.regular("../a", b"")])
    with pytest.raises(ValueError, match="not a directory"):
        cpio.newc_bytes([cpio.regular("a", b""), cpio.regular("a/b", b"")])


def test_compressions_round_trip():
    data = cpio.newc_bytes(SAMPLE)
    assert decompress(cpio.compress(data, "zstd")) == data
    gz = cpio.compress(data, "gzip")
    assert gz[4:8] == b"\0\0\0\0"                    # gzip mtime 0
    assert decompress(gz) == data
    with pytest.raises(ValueError):
        cpio.compress(data, "lz5")


def test_compression_follows_the_kernel_config():
    assert choose_compression({"CONFIG_RD_ZSTD": "y", "CONFIG_RD_GZIP": "y"}) == "zstd"
    assert choose_compression({"CONFIG_RD_GZIP": "y"}) == "gzip"
    assert choose_compression({}) == "gzip"


# --- modules ---------------------------------------------------------------------------------------


def test_softdep_parsing_and_names():
    assert parse_softdep("pre: crypto-crc32c post: foo bar") == (["crypto-crc32c"], ["foo", "bar"])
    assert canonical("virtio-rng") == "virtio_rng"


def _valid_order(kernel: KernelModules, order: list[str]) -> None:
    seen: set[str] = set()
    for name in order:
        for dep in kernel.info(name).depends:
            assert dep in seen or kernel.is_builtin(dep), f"{name} loaded before its dependency {dep}"
        seen.add(name)


def _loadable(kernel: KernelModules, names: list[str]) -> list[str]:
    """NAMES without those this kernel has built in (Debian 13's cloud kernel builds virtio and
    virtio_pci in, Debian 12's has them as modules)."""
    return [n for n in names if not kernel.is_builtin(n)]


def test_virtio_closure_on_the_debian_cloud_kernel():
    kernel = KernelModules(substitute("linux-libre"))
    assert not (kernel.modules_dir / "modules.dep").exists()       # no depmod output to lean on
    order = kernel.closure(["virtio_pci", "virtio-blk"])
    chain = ["virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci", "virtio_blk"]
    assert set(order) == set(_loadable(kernel, chain))
    assert order[-1] == "virtio_blk"
    present = [m for m in ("virtio_ring", "virtio", "virtio_pci") if m in order]
    assert present == sorted(present, key=order.index)
    _valid_order(kernel, order)
    assert kernel.closure(["virtio_blk"]) == _loadable(kernel, ["virtio_ring", "virtio", "virtio_blk"])


def test_compressed_modules_are_read_uncompressed():
    """Debian 13 ships .ko.xz under usr/lib/modules; Debian 12 plain .ko under lib/modules."""
    from builders.system.kernel_modules import read_module

    kernel = KernelModules(substitute("linux-libre"))
    path = kernel.files["virtio_blk"]
    assert path.name in ("virtio_blk.ko", "virtio_blk.ko.xz")
    assert read_module(path)[:4] == b"\x7fELF"
    assert kernel.info("virtio_blk").aliases


def test_builtin_modules_are_skipped_and_unknown_ones_refused():
    kernel = KernelModules(substitute("linux-libre"))
    assert kernel.is_builtin("ext4")                  # the cloud kernel has EXT4_FS=y
    order = kernel.closure(["ext4", "ata_piix", "sd_mod"])
    assert "ext4" not in order
    assert order == _loadable(kernel, ["scsi_common", "scsi_mod", "libata", "ata_piix", "sd_mod"])
    _valid_order(kernel, order)
    with pytest.raises(ModuleNotFound, match="no-such-module"):
        kernel.closure(["no-such-module"])


def test_softdeps_are_loaded_first():
    kernel = KernelModules(substitute("linux-libre"))
    # xts -> ecb on Debian 12; Debian 13 builds ecb in, and ksmbd's gcm, ccm, cmac are modules.
    for name in ("xts", "ksmbd"):
        pre = [m for m in kernel.info(name).softdep_pre if m in kernel.files]
        if pre:
            order = kernel.closure([name])
            assert all(order.index(m) < order.index(name) for m in pre)
            return
    pytest.fail("no module with a loadable soft dependency found")


# --- the initrd ------------------------------------------------------------------------------------


def test_initrd_plan_for_the_server_sample():
    os_plan = load_os("server.scm", "qcow2")
    plan = plan_initrd(os_plan, substitute("linux-libre"), SYSTEM)
    assert plan.compression == "zstd"
    assert plan.root == "LABEL=my-root" and plan.root_type == "ext4"
    # Guix's default list, minus what the cloud kernel lacks (usb-storage; ahci on Debian 12, ...)
    kernel = KernelModules(substitute("linux-libre"))
    assert "usb_storage" in plan.missing and ("ahci" in plan.missing) == (not kernel.exists("ahci"))
    for name in _loadable(kernel, ["virtio_pci", "virtio_blk", "virtio_net", "virtio_console", "dm_crypt",
                                   "ata_piix", "sd_mod"]):
        assert name in plan.modules
    _valid_order(kernel, list(plan.modules))
    assert len(set(plan.modules)) == len(plan.modules)
    override = plan_initrd(os_plan, substitute("linux-libre"), SYSTEM, root="UUID=1234", root_type="ext2")
    assert override.root == "UUID=1234" and override.root_type == "ext2"


def test_initrd_without_os_modules_still_gets_the_disk_drivers():
    import dataclasses

    os_plan = dataclasses.replace(load_os("server.scm", "qcow2"), initrd_modules=())
    plan = plan_initrd(os_plan, substitute("linux-libre"), SYSTEM)
    assert plan.missing == ()
    kernel = KernelModules(substitute("linux-libre"))
    expected = ["virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci", "virtio_blk",
                "scsi_common", "scsi_mod", "virtio_scsi", "libata", "ata_piix", "sd_mod"]
    if kernel.exists("ahci"):                     # a module of Debian 13's cloud kernel, absent from Debian 12's
        expected[-1:-1] = ["libahci", "ahci"]
    assert plan.modules == tuple(_loadable(kernel, expected))


def test_make_initrd_contents_and_determinism(tmp_path):
    os_plan = load_os("server.scm", "qcow2")
    kernel, busybox = substitute("linux-libre"), substitute("busybox")
    fsck = debian_package("e2fsck-static")
    a = make_initrd(os_plan, kernel, busybox, SYSTEM, tmp_path / "a" / "initrd", fsck_dir=fsck)
    b = make_initrd(os_plan, kernel, busybox, SYSTEM, tmp_path / "b" / "initrd", fsck_dir=fsck)
    assert a.read_bytes() == b.read_bytes()
    raw = a.read_bytes()
    assert raw[:4] == b"\x28\xb5\x2f\xfd"            # zstd: the kernel has RD_ZSTD
    data = decompress(raw)
    names = cpio_list(data)
    modules = _loadable(KernelModules(kernel), ["virtio_blk", "virtio_pci", "ata_piix"])
    for name in ("init", "bin/busybox", "bin/sh", "dev/console", "sbin/e2fsck", "newroot", "proc", "sys",
                 *(f"lib/modules/{m}.ko" for m in modules)):
        assert name in names
    assert not any(n.endswith("ext4.ko") for n in names)   # built in
    listing = cpio_verbose(data)
    assert any(line.startswith("crw-------") and line.endswith("dev/console") for line in listing.splitlines())
    out = tmp_path / "x"
    out.mkdir()
    subprocess.run([tool("cpio"), "-id", "--quiet", "--no-absolute-filenames"], input=data, cwd=out, check=True)
    init = (out / "init").read_text()
    assert init.startswith("#!/bin/sh\n")
    for m in modules:          # uncompressed for busybox insmod, also from Debian 13's .ko.xz
        assert (out / "lib/modules" / f"{m}.ko").read_bytes()[:4] == b"\x7fELF", m
    plan = plan_initrd(os_plan, kernel, SYSTEM)
    assert "for m in " + " ".join(plan.modules) + "; do" in init
    assert "exec switch_root /newroot \"$INIT\"" in init
    assert "FSCK=e2fsck" in init
    assert (out / "bin" / "busybox").read_bytes() == busybox_binary(busybox).read_bytes()   # usr/bin in Debian 13
    gz = make_initrd(os_plan, kernel, busybox, SYSTEM, tmp_path / "g", compression="gzip")
    assert gz.read_bytes()[:2] == b"\x1f\x8b"
    assert "FSCK=\n" in init_script(plan, has_fsck=False)


def test_init_script_is_valid_sh():
    sh = tool("sh")
    os_plan = load_os("server.scm", "qcow2")
    plan = plan_initrd(os_plan, substitute("linux-libre"), SYSTEM)
    res = subprocess.run([sh, "-n"], input=init_script(plan, True), text=True, capture_output=True)
    assert res.returncode == 0, res.stderr
