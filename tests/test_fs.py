"""File-system images (builders.disk.fs, builders.run) checked with independent tools."""

from __future__ import annotations

import hashlib
import inspect
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builders.disk.fs import content_size, make_filesystem
from builders.disk.fs.ext import mknod_commands, quote_debugfs
from builders.disk.fs.vfat import choose_fat_bits, volume_id_for
from builders.errors import BuildError
from builders.run import ToolFailed, ToolMissing, find_tool, run

UUID = "0b5a5a66-1f2b-4c3d-8e9f-a0b1c2d3e4f5"
EPOCH = 1
SIZE = 8 << 20


def needs(*tools: str) -> pytest.MarkDecorator:
    """Skip unless every tool is installed."""
    missing = [t for t in tools if shutil.which(t, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") is None]
    return pytest.mark.skipif(bool(missing), reason=f"missing {', '.join(missing)}")


def tool(*argv: str, ok: tuple[int, ...] = (0,)) -> str:
    """Run an oracle tool and return its stdout (+stderr)."""
    proc = subprocess.run([find_tool(argv[0]), *argv[1:]], capture_output=True, text=True, errors="replace")
    assert proc.returncode in ok, f"{argv}: rc={proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def populate(root: Path, reverse: bool = False) -> Path:
    """A small tree with awkward names, a symlink, modes and nested dirs."""
    entries = [
        ("gnu/store/abc-hello-1.0/bin/hello", b"#!/bin/sh\necho hello\n", 0o755),
        ("etc/with space/quote\"d'name", b"odd\n", 0o644),
        ("etc/back\\slash", b"bs\n", 0o600),
        ("EFI/BOOT/BOOTX64.EFI", os.urandom(0) + bytes(range(256)) * 300, 0o644),
        ("déjà/ünïcödé.txt", b"unicode\n", 0o644),
        ("empty", b"", 0o644),
    ]
    for rel, data, mode in reversed(entries) if reverse else entries:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(mode)
    (root / "tmp").mkdir(exist_ok=True)
    (root / "tmp").chmod(0o1777)
    os.symlink("gnu/store/abc-hello-1.0", root / "link")
    return root


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return populate(tmp_path / "tree")


# --- run.py ---------------------------------------------------------------------


def test_override_to_missing_tool_names_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYGUIX_TOOL_MKE2FS", "/nonexistent/mke2fs")
    with pytest.raises(ToolMissing) as info:
        run(["mke2fs", "-V"])
    assert "mke2fs" in str(info.value) and "e2fsprogs" in str(info.value)
    assert isinstance(info.value, BuildError)


def test_tool_not_on_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("builders.run.EXTRA_SEARCH_DIRS", ())
    with pytest.raises(ToolMissing) as info:
        run(["mkfs.fat", "--help"])
    assert info.value.package == "dosfstools"
    assert "apt-get install dosfstools" in str(info.value)


def test_failing_tool_shows_command(tmp_path: Path) -> None:
    with pytest.raises(ToolFailed) as info:
        run(["sh", "-c", "echo boom >&2; exit 3", "my arg"])
    text = str(info.value)
    assert "(exit code 3)" in text and "sh -c 'echo boom >&2; exit 3' 'my arg'" in text and "boom" in text


def test_fixed_environment() -> None:
    out = run(["sh", "-c", "echo $LC_ALL $TZ"]).stdout.decode()
    assert out.split() == ["C", "UTC"]


def test_content_size(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f").write_bytes(b"x" * 1000)
    os.symlink("/some/where/long", tmp_path / "d" / "l")
    expected = sum(os.lstat(p).st_size for p in [tmp_path, tmp_path / "d", tmp_path / "d" / "f", tmp_path / "d" / "l"])
    assert content_size(tmp_path) == expected


def test_unknown_fs_type(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsupported partition type: btrfs"):
        make_filesystem("btrfs", None, tmp_path / "x", SIZE, "L", None, (), EPOCH)


def test_unformatted(tmp_path: Path) -> None:
    out = tmp_path / "u.img"
    make_filesystem("unformatted", None, out, 3 << 20, "", None, (), EPOCH)
    assert out.stat().st_size == 3 << 20 and out.read_bytes() == bytes(3 << 20)


# --- ext --------------------------------------------------------------------------


@needs("mke2fs", "e2fsck", "debugfs", "dumpe2fs")
def test_ext4_image(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "root.img"
    make_filesystem("ext4", tree, out, SIZE, "Guix_image", UUID, ("-O", "^metadata_csum,^64bit"), EPOCH)
    assert out.stat().st_size == SIZE
    tool("e2fsck", "-fn", str(out))
    header = tool("dumpe2fs", "-h", str(out))
    assert "Filesystem volume name:   Guix_image" in header
    assert f"Filesystem UUID:          {UUID}" in header
    features = next(line for line in header.splitlines() if line.startswith("Filesystem features"))
    assert "metadata_csum" not in features and "64bit" not in features and "extent" in features
    for path in ["/", "/gnu/store/abc-hello-1.0/bin/hello", '"/etc/with space/quote""d\'name"', "/link", "/lost+found"]:
        st = tool("debugfs", "-R", f"stat {path}", str(out))
        assert "User:     0   Group:     0" in st, (path, st)
        for field in ("ctime", "atime", "mtime"):
            assert f"{field}: 0x00000001:00000000" in st, (path, field, st)
    hello = tool("debugfs", "-R", "stat /gnu/store/abc-hello-1.0/bin/hello", str(out))
    assert "Mode:  0755" in hello
    assert "Mode:  01777" in tool("debugfs", "-R", "stat /tmp", str(out))
    assert 'Fast link dest: "gnu/store/abc-hello-1.0"' in tool("debugfs", "-R", "stat /link", str(out))
    dumped = tmp_path / "hello.out"
    tool("debugfs", "-R", f"dump /gnu/store/abc-hello-1.0/bin/hello {dumped}", str(out))
    assert dumped.read_bytes() == b"#!/bin/sh\necho hello\n"


@needs("mke2fs", "e2fsck", "debugfs", "dumpe2fs")
def test_ext2_hurd_with_device_nodes(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "hurd.img"
    extra = ["mkdir /dev", *mknod_commands("/dev/null", "c", 1, 3, 0o666), *mknod_commands("/dev/hd0", "b", 3, 0)]
    make_filesystem("ext2", tree, out, SIZE, "hurd", UUID, ("-o", "hurd", "-O", "ext_attr"), EPOCH,
                    extra_commands=extra)
    tool("e2fsck", "-fn", str(out))
    header = tool("dumpe2fs", "-h", str(out))
    assert "Filesystem OS type:       Hurd" in header and "ext_attr" in header
    listing = tool("debugfs", "-R", "ls -l /dev", str(out))
    assert " 20666 " in listing and "null" in listing and " 60600 " in listing and "hd0" in listing


@needs("mke2fs", "e2fsck", "debugfs")
def test_ext4_failure_shows_command(tree: Path, tmp_path: Path) -> None:
    with pytest.raises(ToolFailed) as info:
        make_filesystem("ext4", tree, tmp_path / "x.img", SIZE, "L", UUID, ("-O", "no_such_feature"), EPOCH)
    assert "mke2fs -t ext4 -d" in str(info.value) and "no_such_feature" in str(info.value)


@needs("mke2fs", "e2fsck", "debugfs")
def test_ext4_reproducible(tmp_path: Path) -> None:
    one = populate(tmp_path / "first")
    time.sleep(1.1)  # different ctimes, creation order and directory
    two = populate(tmp_path / "elsewhere" / "second", reverse=True)
    (two / "empty").read_bytes()  # touch atimes
    outs = [tmp_path / "a.img", tmp_path / "b.img"]
    for tree_dir, out in zip([one, two], outs, strict=True):
        make_filesystem("ext4", tree_dir, out, SIZE, "Guix_image", UUID, (), EPOCH)
    assert sha256(outs[0]) == sha256(outs[1])


@needs("mke2fs", "e2fsck", "debugfs", "setpriv")
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch to an unprivileged user")
def test_ext4_unprivileged_files_owned_by_root(tmp_path: Path) -> None:
    base = Path(os.environ.get("TMPDIR", "/tmp")) / f"pyguix-unpriv-{os.getpid()}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir()
    base.chmod(0o777)
    try:
        script = "\n".join([
            "import os, sys",
            "from pathlib import Path",
            "sys.path.insert(0, sys.argv[1])",
            "from builders.disk.fs import make_filesystem",
            inspect.getsource(populate),
            "b = Path(sys.argv[2])",
            f"make_filesystem('ext4', populate(b / 'tree'), b / 'u.img', {SIZE}, 'Guix_image', '{UUID}', (), {EPOCH})",
        ])
        argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c"]
        if subprocess.run(argv + ["pass"], cwd=base, capture_output=True).returncode != 0:
            pytest.skip(f"{sys.executable} is not usable by an unprivileged user here")
        # A world-readable copy of the code: the checkout may live in a private directory.
        code = base / "code"
        for part in ("builders", "schemeconf"):  # builders imports schemeconf's error types
            shutil.copytree(Path(__file__).resolve().parents[1] / part, code / part,
                            ignore=shutil.ignore_patterns("__pycache__"))
        os.chmod(code, 0o755)
        for root, dirs, files in os.walk(code):
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o755)
            for name in files:
                os.chmod(os.path.join(root, name), 0o644)
        subprocess.run(argv + [script, str(code), str(base)], check=True, cwd=base)
        image = base / "u.img"
        assert os.stat(base / "tree" / "empty").st_uid == 65534
        for path in ["/empty", "/gnu/store/abc-hello-1.0", "/link", "/"]:
            assert "User:     0   Group:     0" in tool("debugfs", "-R", f"stat {path}", str(image))
        tool("e2fsck", "-fn", str(image))
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_debugfs_quoting() -> None:
    assert quote_debugfs('/a b/c"d') == '"/a b/c""d"'
    with pytest.raises(ValueError, match="newline"):
        quote_debugfs("/a\nb")


# --- vfat ---------------------------------------------------------------------------


def test_fat_bits_choice() -> None:
    assert choose_fat_bits("vfat", 40 << 20) == 16  # Guix's ESP
    assert choose_fat_bits("vfat", 2 << 20) == 12
    assert choose_fat_bits("vfat", 3 << 30) == 32
    assert choose_fat_bits("fat32", 64 << 20) == 32
    assert volume_id_for("ABCD-1234", "L", 1, 1) == 0xABCD1234


def test_fat_label_too_long(tree: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at most 11"):
        make_filesystem("vfat", tree, tmp_path / "e.img", 40 << 20, "TOO-LONG-LABEL", None, (), EPOCH)


def test_fat_dangling_symlink(tree: Path, tmp_path: Path) -> None:
    os.symlink("/nonexistent/target", tree / "dangling")
    with pytest.raises(ValueError, match="dangling symbolic link"):
        make_filesystem("vfat", tree, tmp_path / "e.img", 40 << 20, "GNU-ESP", None, (), EPOCH)


def test_fat32_too_small(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="FAT32 needs a size"):
        make_filesystem("fat32", None, tmp_path / "e.img", 8 << 20, "ESP", None, (), EPOCH)


@needs("fsck.fat", "mdir", "mcopy")
@pytest.mark.parametrize(("fs_type", "size", "bits"),
                         [("vfat", 40 << 20, "16"), ("fat32", 34 << 20, "32"), ("vfat", 2 << 20, "12")])
def test_fat_image(tree: Path, tmp_path: Path, fs_type: str, size: int, bits: str) -> None:
    out = tmp_path / "esp.img"
    make_filesystem(fs_type, tree, out, size, "GNU-ESP", "1234-ABCD", ("-S", "512"), EPOCH)
    assert out.stat().st_size == size
    tool("fsck.fat", "-n", str(out))
    fsck_verbose = tool("fsck.fat", "-nv", str(out))
    assert f"{bits} bit entries" in fsck_verbose
    env_listing = tool("mdir", "-i", str(out), "::")
    assert "GNU-ESP" in env_listing and "1234-ABCD" in env_listing
    assert "1980-01-01" in tool("mdir", "-i", str(out), "::/EFI/BOOT")
    for rel in ["EFI/BOOT/BOOTX64.EFI", "gnu/store/abc-hello-1.0/bin/hello", "etc/with space/quote\"d'name",
                "déjà/ünïcödé.txt", "empty"]:
        target = tmp_path / "copy"
        tool("mcopy", "-n", "-i", str(out), f"::/{rel}", str(target))
        assert sha256(target) == sha256(tree / rel), rel
        target.unlink()
    # the symlink was followed, as mcopy does
    link_copy = tmp_path / "l"
    tool("mcopy", "-n", "-i", str(out), "::/link/bin/hello", str(link_copy))
    assert link_copy.read_bytes() == b"#!/bin/sh\necho hello\n"


@needs("fsck.fat")
@pytest.mark.parametrize("fs_type", ["vfat", "fat32"])
def test_fat_reproducible(tmp_path: Path, fs_type: str) -> None:
    one = populate(tmp_path / "first")
    time.sleep(1.1)
    two = populate(tmp_path / "elsewhere" / "second", reverse=True)
    outs = [tmp_path / "a.img", tmp_path / "b.img"]
    for tree_dir, out in zip([one, two], outs, strict=True):
        make_filesystem(fs_type, tree_dir, out, 40 << 20, "GNU-ESP", None, (), EPOCH)
    assert sha256(outs[0]) == sha256(outs[1])


@needs("mke2fs", "e2fsck", "debugfs")
def test_bad_debugfs_command_is_an_error(tree: Path, tmp_path: Path) -> None:
    with pytest.raises(ToolFailed) as info:
        make_filesystem("ext4", tree, tmp_path / "x.img", SIZE, "L", UUID, (), EPOCH,
                        extra_commands=["sif /missing mode 0644"])
    assert "debugfs -w -f" in str(info.value) and "/missing" in str(info.value)
