"""Containment: whatever a configuration or a package says, the builders write
only inside the image's own tree, and read package content only inside the
package.

The rows call the builders directly with hostile plans, *bypassing* the
validation in builders/lowering/lower.py (tests/hostile/test_fields.py covers that
layer): even a value that slipped past every check cannot reach the host.
Every row ends with the canaries checked.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from builders.errors import BuildError
from builders.plan import BootloaderPlan, EtcFilePlan, FileSystemPlan, OsPlan, SpecialFilePlan, UserPlan
from builders.system.rootfs import populate_root
from builders.system.running import install_shells, install_timezone
from builders.tree import Tree, in_package


def bare_os(**changes) -> OsPlan:
    plan = OsPlan(
        host_name="box", timezone="Etc/UTC", locale="en_US.utf8", label="test", kernel="linux-libre", hurd=None,
        kernel_arguments=(), initrd_modules=(),
        bootloader=BootloaderPlan("grub", "grub", "/boot/grub/grub.cfg", ("/dev/vda",)),
        file_systems=(FileSystemPlan("label:root", "/", "ext4"),), users=(), groups=(), packages=(), services=(),
        issue="",
    )
    return dataclasses.replace(plan, **changes)


def user(name: str, home: str) -> UserPlan:
    return UserPlan(name, "users", None, "", (), "", home, "/bin/sh", False, True)


def link_dir(tmp_path: Path, canaries) -> Path:
    """A local-file directory whose entry x links to the canary directory."""
    d = tmp_path / "d"
    d.mkdir()
    os.symlink(canaries.directory, d / "x")
    return d


# (id, function of (tmp_path, canaries) -> OsPlan): each one tries to write on the host.
POPULATE_ROWS = [
    ("home-dotdot", lambda t, c: bare_os(users=(user("bob", "/home/" + "../" * 12 + str(c.directory)[1:]),))),
    ("special-file-then-write-through", lambda t, c: bare_os(special_files=(
        SpecialFilePlan("/x", str(c.directory)), SpecialFilePlan("/x/y", "t")))),
    ("special-file-over-home", lambda t, c: bare_os(
        special_files=(SpecialFilePlan("/home/carol", str(c.directory)),), users=(user("carol", "/home/carol"),))),
    ("etc-through-recursive-local-file-link", lambda t, c: bare_os(etc_files=(
        EtcFilePlan("/etc/d", source=str(link_dir(t, c)), mode=0o444),
        EtcFilePlan("/etc/d/x/evil", content="pwned", mode=0o644)))),
    ("etc-dotdot", lambda t, c: bare_os(etc_files=(
        EtcFilePlan("/etc/../../../../../../" + str(c.file)[1:], content="pwned"),))),
    ("special-file-dotdot", lambda t, c: bare_os(special_files=(
        SpecialFilePlan("/../../../../../../" + str(c.root)[1:] + "/new", "t"),))),
]


@pytest.mark.parametrize("make_plan", [r[1] for r in POPULATE_ROWS], ids=[r[0] for r in POPULATE_ROWS])
def test_root_tree_writes_stay_inside(tmp_path, canaries, make_plan):
    plan = make_plan(tmp_path, canaries)
    with pytest.raises(BuildError) as info:
        populate_root(plan, tmp_path / "root")
    assert "refusing" in str(info.value) or "not a directory" in str(info.value)
    canaries.check()


def fake_tzdata(tmp_path: Path, canaries, zone_link: str | None = None) -> Path:
    """An extracted tzdata package; Europe/Berlin is a link to ZONE_LINK when given."""
    pkg = tmp_path / "tzdata"
    zoneinfo = pkg / "usr" / "share" / "zoneinfo"
    (zoneinfo / "Europe").mkdir(parents=True)
    (zoneinfo / "Etc").mkdir()
    (zoneinfo / "Etc" / "UTC").write_bytes(b"TZif-utc")
    if zone_link is None:
        (zoneinfo / "Europe" / "Berlin").write_bytes(b"TZif-berlin")
    else:
        os.symlink(zone_link, zoneinfo / "Europe" / "Berlin")
    return pkg


def staged(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    populate_root(bare_os(), root)
    return root


def test_timezone_name_cannot_leave_the_tree(tmp_path, canaries):
    # The first reproduction: a zone name joined to both the package and the tree.
    # Resolved inside the package it names nothing; nothing is read or written outside.
    zone = "../" * 16 + str(canaries.root / "shadow")[1:]
    root = staged(tmp_path)
    assert install_timezone(root, zone, fake_tzdata(tmp_path, canaries)) is False
    assert not_in_tree(root, b"canary")
    canaries.check()


def not_in_tree(root: Path, needle: bytes) -> bool:
    for dirpath, _, files in os.walk(root):
        for name in files:
            if needle in (Path(dirpath) / name).read_bytes():
                return False
    return True


@pytest.mark.parametrize("target", ["absolute", "relative-escape"])
def test_package_link_never_reads_a_host_file(tmp_path, canaries, target):
    shadow = canaries.root / "shadow"
    link = str(shadow) if target == "absolute" else "../" * 20 + str(shadow)[1:]
    root = staged(tmp_path)
    assert install_timezone(root, "Europe/Berlin", fake_tzdata(tmp_path, canaries, link)) is False
    assert not (root / "usr/share/zoneinfo/Europe/Berlin").exists()
    assert not_in_tree(root, b"canary")
    canaries.check()


def test_package_link_inside_the_package_is_followed(tmp_path, canaries):
    pkg = fake_tzdata(tmp_path, canaries, "../Etc/UTC")
    root = staged(tmp_path)
    assert install_timezone(root, "Europe/Berlin", pkg) is True
    assert (root / "usr/share/zoneinfo/Europe/Berlin").read_bytes() == b"TZif-utc"
    assert os.readlink(root / "etc/localtime") == "/usr/share/zoneinfo/Europe/Berlin"


def test_hurd_package_link_is_data_not_a_door(tmp_path, canaries):
    from builders.boot.hurd import copy_into, make_skeleton

    pkg = tmp_path / "hurd"
    pkg.mkdir()
    os.symlink(canaries.directory, pkg / "servers")
    root = staged(tmp_path)
    copy_into(pkg, root)
    assert os.readlink(root / "servers") == str(canaries.directory)
    with pytest.raises(BuildError, match="symbolic link"):
        make_skeleton(root)
    canaries.check()


def test_login_shell_through_a_link(tmp_path, canaries):
    root = staged(tmp_path)
    os.symlink(canaries.directory, root / "opt")
    (root / "etc" / "passwd").write_text("bob:x:1000:100::/home/bob:/opt/shell\n")
    with pytest.raises(BuildError, match="symbolic link"):
        install_shells(root, {"sh"})
    canaries.check()


def test_in_package_resolves_inside(tmp_path, canaries):
    pkg = tmp_path / "pkg"
    (pkg / "bin").mkdir(parents=True)
    os.symlink(str(canaries.file), pkg / "bin" / "busybox")
    assert in_package(pkg, "bin/busybox") is None
    (pkg / "real").write_bytes(b"x")
    os.symlink("/real", pkg / "bin" / "other")
    assert in_package(pkg, "bin/other") == pkg / "real"


# --- Tree itself ---------------------------------------------------------------------------------


TREE_ROWS = [
    ("dotdot", lambda t: t.write_text("a/../../x", "no")),
    ("nul", lambda t: t.write_text("a\0b", "no")),
    ("root-itself", lambda t: t.write_text("/", "no")),
    ("symlink-target-nul", lambda t: t.symlink("l", "a\0b")),
    ("chmod-through-link", lambda t: (t.symlink("l", "/etc"), t.chmod("l", 0o777))),
    ("mkdir-through-link", lambda t: (t.symlink("l", "/etc"), t.mkdir("l/sub"))),
    ("copy-in-a-fifo", lambda t: t.copy_in("f", _fifo(t))),
    # a hard link only to a regular file of the tree itself, never through a link to a host file
    ("link-to-a-link", lambda t: (t.symlink("l", "/etc/passwd"), t.link("x", "l"))),
    ("link-through-a-link", lambda t: (t.symlink("l", "/etc"), t.link("x", "l/passwd"))),
    ("link-into-a-link", lambda t: (t.write_text("f", "x"), t.symlink("l", "/etc"), t.link("l/x", "f"))),
]


def _fifo(t: Tree) -> Path:
    path = t.root.parent / "fifo"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("action", [r[1] for r in TREE_ROWS], ids=[r[0] for r in TREE_ROWS])
def test_tree_refuses(tmp_path, action):
    (tmp_path / "root").mkdir()
    with pytest.raises(BuildError):
        action(Tree(tmp_path / "root"))
    assert not (Path("/etc") / "sub").exists()


def test_tree_modes_ignore_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        t = Tree(tmp_path)
        t.mkdir("a/b", 0o755)
        t.write_text("a/b/c", "x", 0o644)
    finally:
        os.umask(old)
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "a/b/c").stat().st_mode & 0o777 == 0o644


def test_mke2fs_options_whitelist():
    from builders.disk.fs.ext import check_mke2fs_options

    assert check_mke2fs_options(("-o", "hurd", "-O", "ext_attr")) is None
    assert check_mke2fs_options(("-O", "^metadata_csum,^64bit")) is None
    for hostile in [("-d", "/etc"), ("-z", "/any/path"), ("-E", "root_owner=0:0"), ("-E", "offset=5"),
                    ("-l", "/etc/shadow"), ("-U", "clear"), ("-L", "x"), ("-F",), ("-O",), (5,),
                    ("-O", "ext_attr -d /etc")]:
        assert check_mke2fs_options(hostile) is not None, hostile


def test_tree_link_replaces_what_was_there(tmp_path):
    t = Tree(tmp_path)
    t.write_text("boot/vmlinuz-1", "kernel")
    t.symlink("boot/vmlinuz", "/etc/passwd")          # a link there is replaced, not written through
    t.link("boot/vmlinuz", "boot/vmlinuz-1")
    assert os.path.samefile(tmp_path / "boot/vmlinuz", tmp_path / "boot/vmlinuz-1")
    assert not (tmp_path / "boot/vmlinuz").is_symlink()
