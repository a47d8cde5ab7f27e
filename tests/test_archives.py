"""ISO 9660, tarball/wsl2 and docker archives checked with independent tools."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

from builders.formats.docker import docker_architecture, make_docker_archive, timestamp
from builders.formats.iso9660 import iso_name, make_iso9660
from builders.formats.tarball import make_tarball, make_wsl2_tarball

pytestmark = pytest.mark.slow   # builds images (or boots them in QEMU)


def needs(*tools: str) -> pytest.MarkDecorator:
    missing = [t for t in tools if shutil.which(t) is None]
    return pytest.mark.skipif(bool(missing), reason=f"missing {', '.join(missing)}")


def out_of(*argv: str) -> str:
    proc = subprocess.run(list(argv), capture_output=True, text=True, errors="replace", env={**os.environ, "TZ": "UTC"})
    assert proc.returncode == 0, f"{argv}: rc={proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def populate(root: Path, reverse: bool = False) -> Path:
    """A small store-like tree with a symlink, an executable and a deep directory."""
    entries = [
        ("gnu/store/abc-hello-1.0/bin/hello", b"#!/bin/sh\necho hello\n", 0o555),
        ("boot/grub/grub.cfg", b"set timeout=5\n", 0o444),
        ("a/b/c/d/e/f/g/h/i/deep.txt", b"deep\n", 0o644),
        ("etc/A Long Name With Spaces And Dots.conf.d.txt", b"x\n", 0o644),
        ("etc/a long name with spaces and dots.conf.d.txt", b"y\n", 0o644),
    ]
    for rel, data, mode in reversed(entries) if reverse else entries:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(mode)
    os.symlink("/gnu/store/abc-hello-1.0/bin/hello", root / "hello")
    return root


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return populate(tmp_path / "tree")


def two_trees(tmp_path: Path) -> tuple[Path, Path]:
    """The same content made at different times, in different places and orders."""
    one = populate(tmp_path / "one")
    time.sleep(1.1)
    return one, populate(tmp_path / "x" / "two", reverse=True)


# --- ISO 9660 ---------------------------------------------------------------------


def test_iso_names_unique() -> None:
    taken: set[str] = set()
    assert iso_name("grub.cfg", False, taken) == "GRUB.CFG;1"
    assert iso_name("Grub.cfg", False, taken) == "GRUB_1.CFG;1"
    assert iso_name("abc-hello-1.0", True, taken) == "ABC_HELLO_1_0"
    assert len(iso_name("x" * 80 + ".tar.gz", False, taken)) <= 30 + 3


@needs("isoinfo", "xorriso")
def test_iso_image(tree: Path, tmp_path: Path) -> None:
    bios, efi = tmp_path / "bios.img", tmp_path / "efi.img"
    bios.write_bytes(bytes(2048))
    efi.write_bytes(b"\xeb" + bytes(65535))
    out = tmp_path / "image.iso"
    make_iso9660(tree, out, epoch=1, volume_id="guix_image", uuid="1970-01-01-12-34-56-78",
                 bios_boot_image=bios, efi_boot_image=efi)
    info = out_of("isoinfo", "-d", "-i", str(out))
    assert "Volume id: GUIX_IMAGE" in info
    assert "Joliet with UCS level 3 found" in info and "Rock Ridge signatures version 1 found" in info
    assert "El Torito VD version 1 found" in info
    listing = out_of("isoinfo", "-R", "-l", "-i", str(out))
    assert "-r-xr-xr-x   1    0    0" in listing and "hello -> /gnu/store/abc-hello-1.0/bin/hello" in listing
    assert "Jan  1 1970" in listing and "A Long Name With Spaces And Dots.conf.d.txt" in listing
    found = out_of("xorriso", "-indev", str(out), "-find", "/", "-type", "f")
    for path in ["/gnu/store/abc-hello-1.0/bin/hello", "/a/b/c/d/e/f/g/h/i/deep.txt", "/boot/grub/grub.cfg"]:
        assert f"'{path}'" in found
    torito = out_of("xorriso", "-indev", str(out), "-report_el_torito", "plain")
    assert "BIOS  y   none" in torito and "UEFI  y   none" in torito and "boot-info-table" in torito
    pvd = out.read_bytes()[16 * 2048 : 17 * 2048]
    assert pvd[813:830] == b"1970010112345678\0" and pvd[830:847] == b"1970010112345678\0"
    extracted = tmp_path / "deep.txt"
    out_of("xorriso", "-osirrox", "on", "-indev", str(out), "-extract", "/a/b/c/d/e/f/g/h/i/deep.txt", str(extracted))
    assert extracted.read_bytes() == b"deep\n"


def test_iso_reproducible(tmp_path: Path) -> None:
    outs = [tmp_path / "a.iso", tmp_path / "b.iso"]
    for tree_dir, out in zip(two_trees(tmp_path), outs, strict=True):
        make_iso9660(tree_dir, out, epoch=1)
    assert sha256(outs[0]) == sha256(outs[1])


def test_iso_bad_volume_id(tree: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="volume id"):
        make_iso9660(tree, tmp_path / "x.iso", epoch=1, volume_id="x" * 33)


# --- tarball / wsl2 --------------------------------------------------------------------


@needs("tar")
def test_tarball_matches_gnu_tar(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "image.tar.gz"
    make_tarball(tree, out, epoch=1)
    reference = tmp_path / "ref.tar"
    out_of("tar", "-C", str(tree), "-cf", str(reference), ".", "--sort=name", "--format=gnu", "--mtime=@1",
           "--owner=root:0", "--group=root:0", "--hard-dereference")
    assert gzip.decompress(out.read_bytes()) == reference.read_bytes()
    header = out.read_bytes()[:10]
    assert header[3] == 0 and header[4:8] == bytes(4) and header[9] == 3  # no name, mtime 0, Unix
    listing = out_of("tar", "tvzf", str(out))
    assert (listing.splitlines()[0].startswith("drwxr-xr-x root/root")
            and "./gnu/store/abc-hello-1.0/bin/hello" in listing)
    assert "1970-01-01 00:00 ./hello -> /gnu/store/abc-hello-1.0/bin/hello" in listing


def test_tarball_reproducible(tmp_path: Path) -> None:
    outs = [tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"]
    for tree_dir, out in zip(two_trees(tmp_path), outs, strict=True):
        make_tarball(tree_dir, out, epoch=1)
    assert sha256(outs[0]) == sha256(outs[1])


def test_wsl2_symlinks(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "wsl.tar.gz"
    make_wsl2_tarball(tree, out, sh_target="/gnu/store/b-bash/bin/bash",
                      mount_target="/gnu/store/u-util-linux/bin/mount")
    with tarfile.open(out) as tar:
        names = tar.getnames()
        assert tar.getmember("./bin/sh").linkname == "/gnu/store/b-bash/bin/bash"
        assert tar.getmember("./bin/mount").issym() and tar.getmember("./bin").isdir()
    assert (names.index("./a") < names.index("./bin") < names.index("./bin/mount") < names.index("./bin/sh")
            < names.index("./boot"))


# --- docker --------------------------------------------------------------------------------


def test_docker_architectures() -> None:
    systems = ["x86_64-linux", "i686-linux", "aarch64-linux-gnu", "armhf-linux", "riscv64-linux"]
    assert [docker_architecture(s) for s in systems] == ["amd64", "386", "arm64", "arm", "riscv64"]
    assert timestamp(1) == "1970-01-01T00:00:01Z"
    with pytest.raises(ValueError, match="no Docker architecture"):
        docker_architecture("vax-linux")


def test_docker_archive(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "docker-image.tar.gz"
    make_docker_archive(tree, out, system="aarch64-linux", entrypoint=["/gnu/store/x-boot"],
                        environment=[("GUIX_NEW_SYSTEM", "/gnu/store/s")])
    with tarfile.open(out, "r:gz") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        (entry,) = manifest
        config = json.load(tar.extractfile(entry["Config"]))  # type: ignore[arg-type]
        layer_bytes = tar.extractfile(entry["Layers"][0]).read()  # type: ignore[union-attr]
        repositories = json.load(tar.extractfile("repositories"))  # type: ignore[arg-type]
        assert all(m.mtime == 1 and m.uid == 0 for m in tar.getmembers())
    diff_id = hashlib.sha256(layer_bytes).hexdigest()
    assert entry["RepoTags"] == ["guix:latest"] and entry["Layers"] == [f"{diff_id}/layer.tar"]
    assert config["rootfs"] == {"type": "layers", "diff_ids": [f"sha256:{diff_id}"]}
    assert (config["architecture"] == "arm64" and config["os"] == "linux"
            and config["created"] == "1970-01-01T00:00:01Z")
    assert (config["config"]["Entrypoint"] == ["/gnu/store/x-boot"]
            and config["config"]["Env"] == ["GUIX_NEW_SYSTEM=/gnu/store/s"])
    assert repositories == {"guix": {"latest": diff_id}}
    with tarfile.open(fileobj=__import__("io").BytesIO(layer_bytes)) as layer:
        assert "gnu/store/abc-hello-1.0/bin/hello" in layer.getnames() and "./" not in layer.getnames()


def test_docker_reproducible(tmp_path: Path) -> None:
    outs = [tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"]
    for tree_dir, out in zip(two_trees(tmp_path), outs, strict=True):
        make_docker_archive(tree_dir, out, system="x86_64-linux", entrypoint=["/boot"])
    assert sha256(outs[0]) == sha256(outs[1])


def test_wsl2_on_a_usr_merged_system(tmp_path: Path) -> None:
    """The declared system: /bin is a link into /usr, where Debian's sh and mount are; they
    stay (no member is written through the /bin link), a missing one is added beside them,
    and /etc/wsl.conf starts the boot program (a wsl.conf of the configuration's own wins)."""
    tree = tmp_path / "tree"
    (tree / "usr" / "bin").mkdir(parents=True)
    (tree / "etc").mkdir()
    os.symlink("usr/bin", tree / "bin")
    (tree / "usr" / "bin" / "dash").write_bytes(b"\x7fELF")
    os.symlink("dash", tree / "usr" / "bin" / "sh")
    out = tmp_path / "wsl.tar.gz"
    make_wsl2_tarball(tree, out, sh_target="/bin/bash", mount_target="/run/current-system/profile/bin/mount",
                      boot="/var/guix/profiles/system/boot")
    with tarfile.open(out) as tar:
        names = tar.getnames()
        assert tar.getmember("./bin").linkname == "usr/bin" and not any(n.startswith("./bin/") for n in names)
        assert tar.getmember("./usr/bin/sh").linkname == "dash"
        assert tar.getmember("./usr/bin/mount").linkname == "/run/current-system/profile/bin/mount"
        conf = tar.extractfile("./etc/wsl.conf").read().decode()  # type: ignore[union-attr]
    assert "[boot]\ncommand = /var/guix/profiles/system/boot &\n" in conf
    (tree / "etc" / "wsl.conf").write_text("[user]\ndefault = alice\n")
    make_wsl2_tarball(tree, out, sh_target="/bin/bash", mount_target="/x", boot="/var/guix/profiles/system/boot")
    with tarfile.open(out) as tar:
        assert tar.extractfile("./etc/wsl.conf").read() == b"[user]\ndefault = alice\n"  # type: ignore[union-attr]


def test_parallel_gzip_is_one_stream_whatever_the_threads():
    """GzipWriter deflates 1 MiB blocks in parallel: gzip reads one stream back, and the bytes
    depend on the data only (not on the threads, nor on how the data was written)."""
    import gzip
    import io
    import random

    from builders.formats.tarball import BLOCK, GzipWriter

    rng = random.Random(7)
    data = b"".join(rng.randbytes(rng.randint(0, 4000)) + b"guix " * rng.randint(0, 40000) for _ in range(300))
    assert len(data) > 3 * BLOCK
    outputs = set()
    for threads in (1, 2, 4):
        f = io.BytesIO()
        gz = GzipWriter(f, threads)
        i = 0
        while i < len(data):
            n = rng.randint(1, BLOCK // 2)
            gz.write(data[i:i + n])
            i += n
        gz.close()
        assert gzip.decompress(f.getvalue()) == data
        outputs.add(f.getvalue())
    assert len(outputs) == 1
    empty = io.BytesIO()
    GzipWriter(empty).close()
    assert gzip.decompress(empty.getvalue()) == b""
