"""Building real images through the CLI, checked with independent tools.

Every image is built with `python -m builders.cli system image -t T -o OUT FILE`
and then inspected with sfdisk, sgdisk, e2fsck, dumpe2fs, debugfs, fsck.fat,
qemu-img and tar -- never with our own readers.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

from builders.context import BuildOptions
from tests.helpers import REPO, check, pyguix

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("busybox_system")]  # 64 MiB images (or QEMU boots)

SIZE = "64MiB"
SECTOR = 512

# Guix 1.5's spelling (Guix 1.2's os->image is gone): an OS, a platform and an image type.
HURD_EXPR = ('(begin (use-modules (gnu) (gnu image) (gnu system image) (gnu system hurd) (gnu system images hurd) '
             '(guix platforms x86)) '
             '(os+platform->image (operating-system (inherit hurd-barebones-os) (host-name "my-hurd")) '
             'i586-gnu #:type hurd-image-type))')


def build(out: Path, image_type: str, sample: str, *extra: str, env: dict | None = None) -> Path:
    res = pyguix("system", "image", "-t", image_type, "--image-size", SIZE, "-o", str(out), *extra,
                 f"samples/{sample}", env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == str(out)
    assert out.is_file()
    return out


def sfdisk_json(image: Path) -> dict:
    res = check("sfdisk", "--json", image)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)["partitiontable"]


def extract(image: Path, start_sector: int, sectors: int, out: Path) -> Path:
    with open(image, "rb") as src, open(out, "wb") as dst:
        src.seek(start_sector * SECTOR)
        remaining = sectors * SECTOR
        while remaining:
            chunk = src.read(min(remaining, 8 << 20))
            assert chunk, "image shorter than its partition table says"
            dst.write(chunk)
            remaining -= len(chunk)
    return out


def debugfs_cat(fs_image: Path, path: str) -> str:
    res = check("debugfs", "-R", f"cat {path}", fs_image)
    assert res.returncode == 0, res.stderr
    return res.stdout


def e2fsck_clean(fs_image: Path) -> None:
    res = check("e2fsck", "-fn", fs_image)
    assert res.returncode == 0, res.stdout + res.stderr


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """Lazily built images, shared by the tests of this module."""
    base = tmp_path_factory.mktemp("images")
    cache: dict[str, Path] = {}

    def get(key: str) -> Path:
        if key not in cache:
            image_type, sample = {
                "mbr-raw": ("mbr-raw", "server.scm"),
                "efi-raw": ("efi-raw", "my-image.scm"),
                "qcow2": ("qcow2", "server.scm"),
                "tarball": ("tarball", "server.scm"),
            }[key]
            cache[key] = build(base / key, image_type, sample)
        return cache[key]

    return get


# --- raw MBR -------------------------------------------------------------------------------


def test_mbr_raw_partition_table(images):
    table = sfdisk_json(images("mbr-raw"))
    assert table["label"] == "dos"
    (root,) = table["partitions"]
    assert root["start"] == 2048                      # offset 1 MiB, as image-types.md says
    assert root["size"] * SECTOR == 64 << 20          # --image-size 64MiB
    assert root["type"] == "83"
    assert root.get("bootable") is True
    assert images("mbr-raw").stat().st_size == (2048 + root["size"]) * SECTOR


def test_mbr_raw_root_file_system(images, tmp_path):
    image = images("mbr-raw")
    root = sfdisk_json(image)["partitions"][0]
    fs = extract(image, root["start"], root["size"], tmp_path / "root.img")
    e2fsck_clean(fs)
    assert debugfs_cat(fs, "/etc/hostname") == "komputilo\n"
    header = check("dumpe2fs", "-h", fs).stdout
    assert "Guix_image" in header
    fs_uuid = next(line.split()[-1] for line in header.splitlines() if line.startswith("Filesystem UUID:"))
    fstab = debugfs_cat(fs, "/etc/fstab")
    assert f"UUID={fs_uuid}\t/\text4" in fstab
    passwd = debugfs_cat(fs, "/etc/passwd")
    assert passwd.startswith("root:x:0:0:")
    assert "\nalice:x:1000:" in passwd
    assert debugfs_cat(fs, "/etc/timezone") == "Europe/Berlin\n"
    manifest = json.loads(debugfs_cat(fs, "/etc/pyguix/manifest.json"))
    assert manifest["kernel"] == "linux-libre"
    assert "openssh" in manifest["packages"] and manifest["packages"] == sorted(manifest["packages"])
    assert "openssh" in [s["kind"] for s in manifest["services"]]
    assert "virtio_blk" in manifest["initrd-modules"]
    listing = check("debugfs", "-R", "stat /gnu/store", fs).stdout
    assert "Mode:  01775" in listing
    listing = check("debugfs", "-R", "stat /tmp", fs).stdout
    assert "Mode:  01777" in listing


# --- raw GPT (my-image.scm: ESP + root + data) --------------------------------------------


def test_efi_raw_gpt(images):
    image = images("efi-raw")
    res = check("sgdisk", "-v", image)
    assert res.returncode == 0 and "No problems found" in res.stdout, res.stdout + res.stderr
    table = sfdisk_json(image)
    assert table["label"] == "gpt"
    esp, root, data = table["partitions"]
    assert (esp["name"], root["name"], data["name"]) == ("GNU-ESP", "Guix_image", "data")
    assert esp["type"] == "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
    assert root["type"] == data["type"] == "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
    assert esp["start"] == 2048 and esp["size"] * SECTOR == 40 << 20
    assert root["start"] == esp["start"] + esp["size"]            # offset 0: right after
    assert data["start"] == root["start"] + root["size"]
    assert root["size"] * SECTOR == 1 << 30                       # explicit size wins over --image-size
    assert "LegacyBIOSBootable" in root.get("attrs", "")
    assert image.stat().st_size == (data["start"] + data["size"] + 33) * SECTOR


def test_efi_raw_file_systems(images, tmp_path):
    image = images("efi-raw")
    esp, root, data = sfdisk_json(image)["partitions"]
    fat = extract(image, esp["start"], esp["size"], tmp_path / "esp.img")
    res = check("fsck.fat", "-n", fat)
    assert res.returncode == 0, res.stdout + res.stderr
    fs = extract(image, root["start"], root["size"], tmp_path / "root.img")
    e2fsck_clean(fs)
    assert debugfs_cat(fs, "/etc/hostname") == "data-box\n"       # samples/my-image.scm's host-name
    extra = extract(image, data["start"], data["size"], tmp_path / "data.img")
    e2fsck_clean(extra)
    assert "Filesystem volume name:   data" in check("dumpe2fs", "-h", extra).stdout


# --- qcow2 ----------------------------------------------------------------------------------


def test_qcow2_is_valid_and_matches_raw(images, tmp_path):
    qcow = images("qcow2")
    res = check("qemu-img", "check", qcow)
    assert res.returncode == 0, res.stdout + res.stderr
    info = json.loads(check("qemu-img", "info", "--output=json", qcow).stdout)
    assert info["format"] == "qcow2"
    # qemu-img's own reading of the qcow2, as a raw disk, must hold a valid MBR disk.
    raw = tmp_path / "from-qemu.raw"
    res = check("qemu-img", "convert", "-O", "raw", qcow, raw)
    assert res.returncode == 0, res.stderr
    table = sfdisk_json(raw)
    assert [p["type"] for p in table["partitions"]] == ["ef", "83"]
    res = check("qemu-img", "compare", "-f", "raw", "-F", "qcow2", raw, qcow)
    assert res.returncode == 0, res.stdout + res.stderr
    fs = extract(raw, table["partitions"][1]["start"], table["partitions"][1]["size"], tmp_path / "root.img")
    e2fsck_clean(fs)
    assert debugfs_cat(fs, "/etc/hostname") == "komputilo\n"


def test_qcow2_equals_raw_build_of_the_same_plan(tmp_path, monkeypatch):
    """qemu-img compare: the qcow2 holds exactly the raw disk built from the same plan."""
    import dataclasses

    from builders import pipeline

    plan = load_plan("server.scm", "qcow2")
    assert plan.format == "compressed-qcow2"
    seed = pipeline.plan_seed(plan)
    options = BuildOptions(init="busybox")                            # the 64 MiB image of load_plan
    qcow = pipeline.build_image(plan, output=tmp_path / "a.qcow2", quiet=True, options=options)
    monkeypatch.setattr(pipeline, "plan_seed", lambda _plan: seed)     # same identifiers as the qcow2 build
    raw = pipeline.build_image(dataclasses.replace(plan, format="disk-image"), output=tmp_path / "a.img", quiet=True,
                               options=options)
    res = check("qemu-img", "compare", "-f", "raw", "-F", "qcow2", raw, qcow)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Images are identical" in res.stdout
    assert check("qemu-img", "check", qcow).returncode == 0


def test_interrupted_build_leaves_nothing(tmp_path):
    import signal
    import time

    slow = tmp_path / "bin" / "slow-mke2fs"
    slow.parent.mkdir()
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(0o755)
    outdir = tmp_path / "out"
    outdir.mkdir()
    env = dict(os.environ, PYTHONPATH=str(REPO), PYGUIX_TOOL_MKE2FS=str(slow))
    proc = subprocess.Popen([sys.executable, "-m", "builders.cli", "system", "image", "-t", "mbr-raw",
                             "--image-size", SIZE, "-o", str(outdir / "image.img"), "samples/server.scm"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".image.img.work-") for p in outdir.iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline, "the build never started"
        time.sleep(0.05)
    time.sleep(0.5)                                  # inside the (slow) mke2fs now
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert list(outdir.iterdir()) == []


# --- tarball --------------------------------------------------------------------------------


def test_tarball_listing(images):
    tarball = images("tarball")
    res = check("tar", "-tzvf", tarball)
    assert res.returncode == 0, res.stderr
    names = [line.split()[-1] for line in res.stdout.splitlines()]
    for wanted in ("./etc/hostname", "./etc/fstab", "./etc/passwd", "./etc/shadow", "./etc/group",
                   "./etc/os-release", "./etc/pyguix/manifest.json", "./gnu/store/", "./tmp/", "./home/"):
        assert wanted in names
    with tarfile.open(tarball) as tar:
        assert tar.extractfile("./etc/hostname").read() == b"komputilo\n"
        assert tar.getmember("./gnu/store").mode == 0o1775
        assert tar.getmember("./tmp").mode == 0o1777
        assert tar.getmember("./etc/shadow").mode == 0o600
        assert all(m.uid == 0 and m.gid == 0 for m in tar.getmembers())


# --- Hurd -------------------------------------------------------------------------------------


def _check_hurd(image: Path, tmp_path: Path, host: str) -> None:
    (root,) = sfdisk_json(image)["partitions"]
    fs = extract(image, root["start"], root["size"], tmp_path / "hurd-root.img")
    e2fsck_clean(fs)
    header = check("dumpe2fs", "-h", fs).stdout
    assert "Filesystem OS type:       Hurd" in header
    assert debugfs_cat(fs, "/etc/hostname") == f"{host}\n"


def test_hurd_raw_sample(tmp_path):
    image = build(tmp_path / "hurd.img", "hurd-raw", "my-hurd-os.scm")
    _check_hurd(image, tmp_path, "my-hurd")


def test_hurd_raw_expression(tmp_path):
    """The same OS through -e and hurd-image-type (hurd-raw) directly."""
    out = tmp_path / "hurd.img"
    res = pyguix("system", "image", "--image-size", SIZE, "-o", str(out), "-e", HURD_EXPR)
    assert res.returncode == 0, res.stderr
    _check_hurd(out, tmp_path, "my-hurd")


# --- reproducibility, atomicity, cache ----------------------------------------------------------


@pytest.mark.parametrize("image_type,sample", [("mbr-raw", "server.scm"), ("efi-raw", "my-image.scm"),
                                               ("qcow2", "server.scm"), ("tarball", "server.scm")])
def test_two_builds_are_identical(tmp_path, image_type, sample):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    a = build(tmp_path / "one" / "image", image_type, sample)
    b = build(tmp_path / "two" / "other-name", image_type, sample)
    assert sha256(a) == sha256(b)


def test_failed_build_leaves_nothing(tmp_path):
    out = tmp_path / "image.img"
    res = pyguix("system", "image", "-t", "mbr-raw", "--image-size", SIZE, "-o", str(out),
                 "samples/server.scm", env={"PYGUIX_TOOL_MKE2FS": "/bin/false"})
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert "command failed" in res.stderr and "mke2fs -t ext4" in res.stderr
    assert res.stdout == ""
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []          # no temp file, no work directory


def test_default_output_goes_to_cache_and_is_reused(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    first = pyguix("system", "image", "-t", "tarball", "samples/server.scm", env=env)
    assert first.returncode == 0, first.stderr
    path = Path(first.stdout.strip())
    assert path.parent == tmp_path / "cache" / "pyguix" / "images"
    assert path.name.endswith("-image.tar.gz")
    stamp = path.stat().st_mtime_ns
    second = pyguix("system", "image", "-t", "tarball", "samples/server.scm", env=env)
    assert second.returncode == 0 and second.stdout.strip() == str(path)
    assert path.stat().st_mtime_ns == stamp
    assert [p.name for p in path.parent.iterdir()] == [path.name]


# --- bootloader blobs that collide with partitions ----------------------------------------------


def load_plan(sample: str, image_type: str, size: int = 64 << 20):
    from builders import cli
    from builders.lowering.lower import lower_image
    from schemeconf.interpreter import run_deep

    interp = cli._interpreter([])
    value = interp.load_file(REPO / "samples" / sample)
    image, type_name = run_deep(lambda: cli._image_from_value(interp, value, image_type, sample))
    image = run_deep(lambda: cli._apply_options(interp, image, None, size, False))
    return run_deep(lambda: lower_image(image, type_name))


def test_raw_write_overlapping_a_partition_is_refused(tmp_path):
    import dataclasses

    from builders.errors import BuildError
    from builders.pipeline import build_image
    from builders.plan import RawWrite

    plan = load_plan("my-pine-os.scm", "pine64-raw")
    big = RawWrite("u-boot-sunxi-with-spl.bin", 8192, 2 << 20)        # runs past the root at 1 MiB
    bootloader = dataclasses.replace(plan.os.bootloader, raw_writes=(big,))
    plan = dataclasses.replace(plan, os=dataclasses.replace(plan.os, bootloader=bootloader))
    out = tmp_path / "pine.img"
    with pytest.raises(BuildError) as err:
        build_image(plan, output=out, quiet=True)
    message = str(err.value)
    assert "u-boot-sunxi-with-spl.bin [8192, 2105344)" in message
    assert "partition 1 (Guix_image) [1048576," in message
    assert list(tmp_path.iterdir()) == []


def test_raw_write_of_unknown_size_is_allowed(tmp_path):
    out = build(tmp_path / "pine.img", "pine64-raw", "my-pine-os.scm")
    (root,) = sfdisk_json(out)["partitions"]
    assert root["start"] == 2048 and root.get("bootable") is True


# --- every image type, checked with independent tools -------------------------------------------
#
# (image type, sample, what it is, expected partitions as (file system, MBR/GPT type), host name)

ESP_MBR, LINUX_MBR = "ef", "83"
ESP_GPT, LINUX_GPT = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B", "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
SMALL = "96MiB"  # room for the kernel (the arm64 one is 33 MB), initrd and busybox
ALL_TYPES = [
    ("mbr-raw", "server.scm", "mbr", [("ext4", LINUX_MBR)], "komputilo"),
    ("mbr-hybrid-raw", "server.scm", "mbr", [("vfat", ESP_MBR), ("ext4", LINUX_MBR)], "komputilo"),
    ("raw", "server.scm", "mbr", [("vfat", ESP_MBR), ("ext4", LINUX_MBR)], "komputilo"),
    ("efi-raw", "server.scm", "gpt", [("vfat", ESP_GPT), ("ext4", LINUX_GPT)], "komputilo"),
    ("efi32-raw", "server.scm", "gpt", [("vfat", ESP_GPT), ("ext4", LINUX_GPT)], "komputilo"),
    ("qcow2", "server.scm", "qcow2-mbr", [("vfat", ESP_MBR), ("ext4", LINUX_MBR)], "komputilo"),
    ("qcow2-gpt", "server.scm", "qcow2-gpt", [("vfat", ESP_GPT), ("ext4", LINUX_GPT)], "komputilo"),
    ("raw-with-offset", "server.scm", "mbr", [("ext4", LINUX_MBR)], "komputilo"),
    ("hurd-raw", "my-hurd-os.scm", "mbr", [("ext2", LINUX_MBR)], "my-hurd"),
    ("hurd-qcow2", "my-hurd-os.scm", "qcow2-mbr", [("ext2", LINUX_MBR)], "my-hurd"),
    ("pine64-raw", "my-pine-os.scm", "mbr", [("ext4", LINUX_MBR)], "vignemale"),
    ("iso9660", "server.scm", "iso", [], "komputilo"),
    ("uncompressed-iso9660", "server.scm", "iso", [], "komputilo"),
    ("docker", "server.scm", "docker", [], "komputilo"),
    ("tarball", "server.scm", "tarball", [], "komputilo"),
    ("wsl2", "server.scm", "wsl2", [], "komputilo"),
]


@pytest.fixture(scope="module")
def typed_images(tmp_path_factory):
    base = tmp_path_factory.mktemp("typed")
    cache: dict[str, Path] = {}

    def get(image_type: str, sample: str) -> Path:
        if image_type not in cache:
            res = pyguix("system", "image", "-t", image_type, "--image-size", SMALL, "-o",
                         str(base / image_type), "--quiet", f"samples/{sample}")
            assert res.returncode == 0, res.stderr
            assert res.stdout.strip() == str(base / image_type)
            assert [line for line in res.stderr.splitlines() if not line.startswith("pyguix: warning:")] == []
            cache[image_type] = base / image_type
        return cache[image_type]

    return get


def _check_disk(raw: Path, table_kind: str, expected, host: str, hurd: bool, tmp_path: Path) -> None:
    table = sfdisk_json(raw)
    assert table["label"] == ("gpt" if table_kind == "gpt" else "dos")
    if table_kind == "gpt":
        res = check("sgdisk", "-v", raw)
        assert res.returncode == 0 and "No problems found" in res.stdout, res.stdout
    parts = table["partitions"]
    assert [p["type"] for p in parts] == [t for _, t in expected]
    assert parts[0]["start"] == 2048                                  # everything starts at 1 MiB
    root_part = parts[-1]
    if table_kind == "mbr":
        assert root_part.get("bootable") is True
    for i, ((fs_type, _), part) in enumerate(zip(expected, parts, strict=True)):
        fs = extract(raw, part["start"], part["size"], tmp_path / f"p{i}.img")
        if fs_type == "vfat":
            res = check("fsck.fat", "-n", fs)
            assert res.returncode == 0, res.stdout + res.stderr
            assert part["size"] * SECTOR == 40 << 20
            assert "GNU-ESP" in check("mdir", "-i", fs, "::").stdout
            continue
        e2fsck_clean(fs)
        header = check("dumpe2fs", "-h", fs).stdout
        assert "Filesystem volume name:   Guix_image" in header
        assert ("Filesystem OS type:       Hurd" in header) == hurd
        assert part["size"] * SECTOR == 96 << 20                      # --image-size
        assert debugfs_cat(fs, "/etc/hostname") == f"{host}\n"
        assert debugfs_cat(fs, "/etc/config.scm").count("(operating-system") == 1
        fs_uuid = next(line.split()[-1] for line in header.splitlines() if line.startswith("Filesystem UUID:"))
        assert f"UUID={fs_uuid}\t/\t{fs_type}\t" in debugfs_cat(fs, "/etc/fstab")
        if not hurd:                                                  # the Hurd's base services have none
            assert 'Fast link dest: "/run/current-system/profile/bin/sh"' in check(
                "debugfs", "-R", "stat /bin/sh", fs).stdout


def _tar_names(archive: Path) -> list[str]:
    res = check("tar", "-tzf", archive)
    assert res.returncode == 0, res.stderr
    return res.stdout.split("\n")


@pytest.mark.parametrize("image_type,sample,kind,expected,host", ALL_TYPES, ids=[t[0] for t in ALL_TYPES])
def test_every_image_type(typed_images, tmp_path, image_type, sample, kind, expected, host):
    image = typed_images(image_type, sample)
    hurd = image_type.startswith("hurd")
    if kind in ("mbr", "gpt"):
        _check_disk(image, kind, expected, host, hurd, tmp_path)
        blocks = image.stat().st_blocks * 512
        assert blocks < image.stat().st_size // 2                      # sparse
    elif kind.startswith("qcow2"):
        res = check("qemu-img", "check", image)
        assert res.returncode == 0, res.stdout + res.stderr
        info = json.loads(check("qemu-img", "info", "--output=json", image).stdout)
        assert info["format"] == "qcow2" and info["format-specific"]["data"]["compression-type"] == "zstd"
        raw = tmp_path / "converted.raw"
        assert check("qemu-img", "convert", "-O", "raw", image, raw).returncode == 0
        _check_disk(raw, kind.split("-")[1], expected, host, hurd, tmp_path)
    elif kind == "iso":
        info = check("isoinfo", "-d", "-i", image).stdout
        assert "Volume id: GUIX_IMAGE" in info
        assert "Rock Ridge signatures" in info and "Joliet" in info
        listing = check("isoinfo", "-R", "-f", "-i", image).stdout.split()
        for wanted in ("/etc/hostname", "/etc/config.scm", "/etc/pyguix/manifest.json", "/etc/motd", "/gnu/store",
                       "/bin/sh"):
            assert wanted in listing
        assert check("isoinfo", "-R", "-i", image, "-x", "/etc/hostname").stdout == f"{host}\n"
        fstab = check("isoinfo", "-R", "-i", image, "-x", "/etc/fstab").stdout
        assert "\t/\tiso9660\t" in fstab and "UUID=1970-01-01-" in fstab
        res = check("xorriso", "-indev", image, "-lsl", "/etc/shadow")
        assert res.returncode == 0 and "-rw-------" in res.stdout, res.stdout + res.stderr
    elif kind == "docker":
        names = _tar_names(image)
        with tarfile.open(image) as outer:
            manifest = json.load(outer.extractfile("manifest.json"))
            config = json.load(outer.extractfile("config.json"))
            (entry,) = manifest
            assert entry["Config"] == "config.json" and entry["RepoTags"] == ["guix:latest"]
            (layer_name,) = entry["Layers"]
            assert layer_name in names
            layer = outer.extractfile(layer_name).read()
            assert config["rootfs"] == {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]}
            assert config["architecture"] == "amd64" and config["os"] == "linux"
            assert config["config"]["Entrypoint"]
            assert json.load(outer.extractfile("repositories")) == {"guix": {"latest": layer_name.split("/")[0]}}
        (tmp_path / "layer.tar").write_bytes(layer)
        listing = check("tar", "-tvf", tmp_path / "layer.tar").stdout
        for wanted in (" etc/hostname", " etc/config.scm", " gnu/store/", " bin/sh -> "):
            assert wanted in listing
    else:                                                               # tarball, wsl2
        listing = check("tar", "-tzvf", image).stdout
        for wanted in ("./etc/hostname", "./etc/config.scm", "./etc/motd", "./etc/pyguix/manifest.json"):
            assert wanted in listing
        if kind == "wsl2":
            assert "./bin/sh -> /run/current-system/profile/bin/bash" in listing
            assert "./bin/mount -> /run/current-system/profile/bin/mount" in listing
        else:
            assert "./bin/sh -> /run/current-system/profile/bin/sh" in listing


# --- the root tree: files the OS places, config.scm, manifest -----------------------------------

FILES_OS = """\
(use-modules (gnu) (gnu image) (gnu system image))
(use-package-modules bash base)
(use-service-modules base)
(define os
  (operating-system
    (host-name "files")
    (issue "Welcome to files.\\n")
    (bootloader (bootloader-configuration (bootloader grub-bootloader) (targets '("/dev/sda"))))
    (file-systems (cons (file-system (device (file-system-label "my-root")) (mount-point "/") (type "ext4"))
                        %base-file-systems))
    (services (cons* (simple-service 'my-etc etc-service-type
                       `(("plain.conf" ,(plain-file "plain.conf" "plain text\\n"))
                         ("mixed.conf" ,(mixed-text-file "mixed.conf" "shell=" bash "/bin/bash\\n"))
                         ("local.txt" ,(local-file "local.txt"))
                         ("data" ,(local-file "data" #:recursive? #t))))
                     (extra-special-file "/usr/bin/python3" (file-append coreutils "/bin/true"))
                     (modify-services %base-services
                       (login-service-type config =>
                         (login-configuration (motd (plain-file "motd" "Hello from motd.\\n")))))))))
IMAGE-EXPRESSION
"""


def write_files_config(directory: Path, image_expr: str = "os", data_bytes: int = 10) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "local.txt").write_text("local contents\n")
    (directory / "data" / "sub").mkdir(parents=True, exist_ok=True)
    (directory / "data" / "sub" / "blob").write_bytes(os.urandom(0) + b"\x01" * data_bytes)
    (directory / "data" / "run.sh").write_text("#!/bin/sh\n")
    (directory / "data" / "run.sh").chmod(0o755)
    config = directory / "files.scm"
    config.write_text(FILES_OS.replace("IMAGE-EXPRESSION", image_expr))
    return config


def test_root_tree_files_the_os_places(tmp_path):
    config = write_files_config(tmp_path / "conf")
    out = tmp_path / "files.tar.gz"
    res = pyguix("system", "image", "-t", "tarball", "-o", str(out), str(config))
    assert res.returncode == 0, res.stderr
    listing = check("tar", "-tzvf", out).stdout
    assert "./usr/bin/python3 -> /run/current-system/profile/bin/true" in listing
    assert "./bin/sh -> /run/current-system/profile/bin/sh" in listing
    with tarfile.open(out) as tar:
        def text(name):
            return tar.extractfile(name).read().decode()
        assert text("./etc/plain.conf") == "plain text\n"
        assert text("./etc/mixed.conf") == "shell=/run/current-system/profile/bin/bash\n"
        assert text("./etc/local.txt") == "local contents\n"
        assert tar.extractfile("./etc/data/sub/blob").read() == b"\x01" * 10
        assert tar.getmember("./etc/data/run.sh").mode == 0o555
        assert tar.getmember("./etc/data/sub/blob").mode == 0o444
        assert text("./etc/motd") == "Hello from motd.\n"
        assert text("./etc/issue") == "Welcome to files.\n"
        manifest = json.loads(text("./etc/pyguix/manifest.json"))
        assert {"/etc/plain.conf", "/etc/data", "/etc/motd"} <= set(manifest["etc-files"])
        assert {"path": "/usr/bin/python3", "target": "/run/current-system/profile/bin/true",
                "package": "coreutils"} in manifest["special-files"]
        assert manifest["bootloader"]["name"] == "grub" and manifest["kernel"] == "linux-libre"
        assert "ahci" in manifest["initrd-modules"] and "login" in [s["kind"] for s in manifest["services"]]
        source = text("./etc/config.scm")
    assert '(local-file "local.txt")' in source and '(local-file "data" #:recursive? #t)' in source
    assert '(plain-file "motd" "Hello from motd.\\n")' in source


def test_default_motd(typed_images):
    with tarfile.open(typed_images("tarball", "server.scm")) as tar:
        assert tar.extractfile("./etc/motd").read() == b"This is the GNU operating system, welcome!\n\n"


def test_changed_local_file_changes_the_cache_key(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    config = write_files_config(tmp_path / "conf")
    first = pyguix("system", "image", "-t", "tarball", "--quiet", str(config), env=env)
    (tmp_path / "conf" / "local.txt").write_text("changed\n")
    second = pyguix("system", "image", "-t", "tarball", "--quiet", str(config), env=env)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first.stdout != second.stdout


def _plan_without_locations(config: Path) -> dict:
    res = pyguix("system", "image", "-t", "tarball", "--plan", str(config))
    assert res.returncode == 0, res.stderr
    plan = json.loads(res.stdout)

    def strip(v):
        if isinstance(v, dict):
            # where it was written (a local file's "source" too: its sha256 stays)
            return {k: strip(x) for k, x in v.items() if k not in ("origin", "config_source", "source")}
        return [strip(x) for x in v] if isinstance(v, list) else v
    return strip(plan["os"])


def test_config_scm_reads_back_as_the_same_system(typed_images, tmp_path):
    with tarfile.open(typed_images("tarball", "server.scm")) as tar:
        printed = tar.extractfile("./etc/config.scm").read().decode()
    assert printed.splitlines()[3] == "(use-modules (gnu))"
    copy = tmp_path / "config.scm"
    copy.write_text(printed)
    (tmp_path / "alice.pub").write_text((REPO / "samples" / "alice.pub").read_text())  # its local-file
    assert _plan_without_locations(copy) == _plan_without_locations(REPO / "samples" / "server.scm")
    # nothing in it warns: no deprecated field, no essential service spelled out
    assert "warning" not in pyguix("system", "describe", str(copy)).stderr


# --- sizes, offsets and other errors ------------------------------------------------------------

IMAGE_TEMPLATE = """\
(use-modules (gnu) (gnu image) (gnu system image))
(image
 (format 'disk-image)
 (partition-table-type '%s)
 (operating-system
   (operating-system
     (host-name "sized")
     (bootloader (bootloader-configuration (bootloader grub-bootloader) (targets '("/dev/sda"))))
     (file-systems %%base-file-systems)
     (services (cons (simple-service 'big etc-service-type `(("big" ,(local-file "data" #:recursive? #t))))
                     %%base-services))))
 (partitions
  (list
%s)))
"""


def image_config(tmp_path: Path, partitions: str, table: str = "mbr", data_bytes: int = 10) -> Path:
    write_files_config(tmp_path, data_bytes=data_bytes)
    config = tmp_path / "image.scm"
    config.write_text(IMAGE_TEMPLATE % (table, partitions))
    return config


def build_fails(tmp_path: Path, *args: str, env: dict | None = None) -> str:
    out = tmp_path / "out" / "image.img"
    out.parent.mkdir(exist_ok=True)
    res = pyguix("system", "image", "--quiet", "-o", str(out), *args, env=env)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""
    assert list(out.parent.iterdir()) == []
    return res.stderr


def test_content_larger_than_explicit_size(tmp_path):
    config = image_config(tmp_path, """   (partition (label "Guix_image") (file-system "ext4") (flags '(boot))
              (offset (* 1024 1024)) (size (* 2 1024 1024)))""", data_bytes=3 << 20)
    err = build_fails(tmp_path, str(config))
    first = err.splitlines()[0]
    assert first.startswith(f"{config}:15:") and ": error: partition 1 (Guix_image): the content (" in first
    assert "does not fit in its size (2 MiB (2097152 bytes))" in first
    assert "(size (* 2 1024 1024))" in err and "^" in err                 # excerpt and caret


def test_content_that_mke2fs_cannot_fit(tmp_path):
    """Smaller than the size, but not with the file system's own overhead."""
    config = image_config(tmp_path, """   (partition (label "Guix_image") (file-system "ext4") (flags '(boot))
              (offset (* 1024 1024)) (size (* 2 1024 1024)))""", data_bytes=(2 << 20) - (200 << 10))
    err = build_fails(tmp_path, str(config))
    assert "does not fit in its size (2 MiB (2097152 bytes))" in err and f"{config}:15:" in err


def test_image_size_smaller_than_content(tmp_path):
    config = write_files_config(tmp_path, data_bytes=3 << 20)
    err = build_fails(tmp_path, "-t", "mbr-raw", "--image-size", "2MiB", str(config))
    assert "does not fit in the image size (2 MiB (2097152 bytes)" in err and "--image-size" in err


def test_overlapping_partitions(tmp_path):
    config = image_config(tmp_path, """   (partition (label "Guix_image") (file-system "ext4") (flags '(boot))
              (offset (* 1024 1024)) (size (* 8 1024 1024)))
   (partition (label "data") (file-system "ext4")
              (offset (* 4 1024 1024)) (size (* 4 1024 1024)))""")
    err = build_fails(tmp_path, str(config))
    assert err.startswith(f"{config}:17:")
    assert ("partition 2 (data) [4194304, 8388608) overlaps partition 1 (Guix_image) [1048576, 9437184)"
            in err.splitlines()[0])


def test_partition_inside_the_gpt(tmp_path):
    config = image_config(tmp_path, """   (partition (label "Guix_image") (file-system "ext4") (flags '(boot))
              (offset 4096) (size (* 8 1024 1024)))""", table="gpt")
    err = build_fails(tmp_path, str(config))
    assert "partition 1 (Guix_image) [4096, 8392704) overlaps the GPT partition table [0, 17408)" in err
    assert f"{config}:15:" in err


@pytest.mark.parametrize("partition,message,line", [
    ("""(partition (label "Guix_image") (file-system "ext4") (flags '(boot)) (offset -512))""",
     "the partition offset (-512) cannot be negative", 14),
    ("""(partition (label "Guix_image") (file-system "ext4") (flags '(boot)) (offset 1000))""",
     "partition offset 1000 is not a multiple of 512 bytes", 14),
    ("""(partition (label "TOO-LONG-LABEL") (file-system "vfat") (flags '(esp)) (size (* 40 1024 1024)))
   (partition (label "Guix_image") (file-system "ext4") (flags '(boot)))""",
     'vfat label "TOO-LONG-LABEL" is longer than 11 characters', 14),
    ("""(partition (label "Guix_image") (file-system "xfs") (flags '(boot)))""",
     'unsupported file system "xfs"', 14),
    ("""(partition (label "Guix_image") (file-system "btrfs") (flags '(boot)))""",
     "pyguix cannot make btrfs file systems", 14),
], ids=["negative-offset", "misaligned-offset", "vfat-label", "unknown-fs", "unwritable-fs"])
def test_bad_partitions_point_at_the_file(tmp_path, partition, message, line):
    config = image_config(tmp_path, "   " + partition)
    err = build_fails(tmp_path, str(config))
    first = err.splitlines()[0]
    assert first.startswith(f"{config}:{line}:") and ": error: " in first and message in first, err
    assert "^" in err


def test_missing_tool_names_the_package(tmp_path):
    err = build_fails(tmp_path, "-t", "mbr-raw", "--image-size", SMALL, "samples/server.scm",
                      env={"PYGUIX_TOOL_MKE2FS": "/nonexistent"})
    assert "required tool 'mke2fs' not found" in err and "e2fsprogs" in err and "apt-get install e2fsprogs" in err


def test_unwritable_format_is_a_clear_error(tmp_path):
    import dataclasses

    from builders.pipeline import BUILT_FORMATS, build_image

    plan = load_plan("server.scm", "mbr-raw")
    for fmt in ("disk-image", "compressed-qcow2", "iso9660", "docker", "tarball", "wsl2"):
        assert fmt in BUILT_FORMATS
    with pytest.raises(Exception, match="floppy: unsupported image format"):
        build_image(dataclasses.replace(plan, format="floppy"), output=tmp_path / "x", quiet=True)
    assert list(tmp_path.iterdir()) == []


# --- disk full, sparse output, reproducibility across places and users ------------------------


@pytest.mark.parametrize("image_type,target", [("mbr-raw", "builders.pipeline.assemble_disk"),
                                               ("iso9660", "builders.formats.iso9660.make_iso9660")])
def test_disk_full_leaves_nothing(tmp_path, monkeypatch, image_type, target):
    import errno

    from builders.errors import BuildError
    from builders.pipeline import build_image

    def fill_up(*args, **kwargs):
        out = Path(args[1] if image_type == "iso9660" else args[0])
        out.write_bytes(b"partial" * 1000)                   # something was written before the disk filled
        raise OSError(errno.ENOSPC, "No space left on device", str(out))

    monkeypatch.setattr(target, fill_up)
    plan = load_plan("server.scm", image_type, 32 << 20)
    with pytest.raises(BuildError) as err:
        build_image(plan, output=tmp_path / "image", quiet=True, options=BuildOptions(init="busybox"))
    assert "no space left on " in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_big_raw_image_is_sparse(tmp_path):
    out = tmp_path / "big.img"
    res = pyguix("system", "image", "-t", "mbr-raw", "--image-size", "4GiB", "--quiet", "-o", str(out),
                 "samples/server.scm")
    assert res.returncode == 0, res.stderr
    st = out.stat()
    assert st.st_size == (4 << 30) + (1 << 20)
    assert st.st_blocks * 512 < 80 << 20, st.st_blocks * 512         # about its content, not 4 GiB


@pytest.mark.parametrize("image_type", ["iso9660", "docker", "wsl2", "pine64-raw"])
def test_more_formats_are_reproducible(tmp_path, image_type):
    sample = "my-pine-os.scm" if image_type == "pine64-raw" else "server.scm"
    a = build(tmp_path / "a", image_type, sample)
    b = build(tmp_path / "b", image_type, sample)
    assert sha256(a) == sha256(b)


def test_reproducible_from_another_directory(tmp_path):
    """The same configuration copied elsewhere and built from another working directory."""
    config = write_files_config(tmp_path / "one")
    other = tmp_path / "elsewhere" / "two"
    shutil.copytree(tmp_path / "one", other)
    outs = []
    for i, (cfg, cwd) in enumerate([(config, REPO), (other / "files.scm", other)]):
        out = tmp_path / f"out{i}.img"
        res = pyguix("system", "image", "-t", "efi-raw", "--image-size", SMALL, "--quiet", "-o", str(out),
                     os.path.relpath(cfg, cwd), cwd=cwd)
        assert res.returncode == 0, res.stderr
        outs.append(out)
    assert sha256(outs[0]) == sha256(outs[1])


PROBE = r"""
import json, runpy, sys
sys.argv = ["pyguix", *sys.argv[1:]]
try:
    runpy.run_module("builders.cli", run_name="__main__")
except SystemExit as e:
    assert not e.code, e.code
tops = set()
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None) or ""
    for p in sys.path:
        if p.endswith("-packages") and f.startswith(p + "/"):
            tops.add((p, f[len(p) + 1:].split("/")[0]))
print(json.dumps(sorted(tops)))
"""


def _unprivileged_python(base: Path) -> str | None:
    """An interpreter uid 65534 can run: ours if it is reachable, else the system's python3.11+."""
    for candidate in (sys.executable, "/usr/bin/python3.11", "/usr/bin/python3.12", "/usr/bin/python3"):
        if not os.path.exists(candidate):
            continue
        res = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", candidate, "-c",
                              "import sys; assert sys.version_info >= (3, 11)"], cwd=base, capture_output=True)
        if res.returncode == 0:
            return candidate
    return None


def test_reproducible_as_an_ordinary_user(tmp_path):
    """Root and uid 65534 (no root, no fakeroot) build byte-identical images.

    The code, and the third-party modules a build imports, are copied to a
    world-readable directory: the checkout and the virtualenv may be private.
    Both builds use the same interpreter and copies.
    """
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run a build as another user")
    base = Path(tempfile.mkdtemp(prefix="pyguix-user-build-"))
    try:
        base.chmod(0o777)
        python = _unprivileged_python(base)
        if python is None:
            pytest.skip("no Python 3.11+ that an unprivileged user can run")
        code, deps, home = base / "code", base / "deps", base / "home"
        for part in ("builders", "schemeconf", "gnu", "samples"):
            shutil.copytree(REPO / part, code / part, ignore=shutil.ignore_patterns("__pycache__"))
        args = ["system", "image", "-t", "efi-raw", "--image-size", SMALL, "--quiet", "--init", "busybox"]
        probe = subprocess.run([sys.executable, "-c", PROBE, *args, "-o", str(base / "probe.img"),
                                "samples/server.scm"], cwd=code, capture_output=True, text=True,
                               # in-process (no sandbox child), so that every module the build imports is seen
                               env=dict(os.environ, PYTHONPATH=str(code), PYGUIX_NO_SANDBOX="1"))
        assert probe.returncode == 0, probe.stderr
        (base / "probe.img").unlink()
        deps.mkdir()
        for site, name in json.loads(probe.stdout.splitlines()[-1]):
            src = Path(site) / name
            (shutil.copytree if src.is_dir() else shutil.copy)(src, deps / name)
        home.mkdir()
        for root, dirs, files in os.walk(base):
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o755)
            for name in files:
                os.chmod(os.path.join(root, name), 0o644)
        home.chmod(0o777)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": f"{code}:{deps}",
               "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache"), "TMPDIR": str(home),
               "PYTHONDONTWRITEBYTECODE": "1"}
        outs = {}
        for who, prefix in (("user", ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]), ("root", [])):
            out = home / f"{who}.img"
            res = subprocess.run([*prefix, python, "-m", "builders.cli", *args, "-o", str(out), "samples/server.scm"],
                                 cwd=code, env=env, capture_output=True, text=True, timeout=300)
            assert res.returncode == 0, res.stderr
            outs[who] = out
        assert outs["user"].stat().st_uid == 65534 and outs["root"].stat().st_uid == 0
        assert sha256(outs["user"]) == sha256(outs["root"])
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_same_plan_identity_from_another_checkout(tmp_path):
    """Another checkout (other paths for the bundled gnu/ modules) gives the same
    seed, so the same UUIDs and bytes: source locations are not part of it."""
    import shutil as _shutil

    copy = tmp_path / "checkout"
    for part in ("schemeconf", "builders", "gnu", "samples"):
        _shutil.copytree(REPO / part, copy / part, ignore=_shutil.ignore_patterns("__pycache__"))
    probe = ("import sys; from pathlib import Path\n"
             "from schemeconf.interpreter import Interpreter, run_deep\n"
             "from builders.cli import _image_from_value\n"
             "from builders.lowering.lower import lower_image\n"
             "from builders.pipeline import plan_seed\n"
             "i = Interpreter(); v = i.load_file(Path('samples/server.scm'))\n"
             "img, t = run_deep(lambda: _image_from_value(i, v, 'iso9660', 'x'))\n"
             "print(plan_seed(run_deep(lambda: lower_image(img, t))).hex())\n")
    seeds = []
    for root in (REPO, copy):
        r = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True,
                           env=dict(os.environ, PYTHONPATH=str(root)))
        assert r.returncode == 0, r.stderr
        seeds.append(r.stdout.strip())
    assert seeds[0] == seeds[1]
