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
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SIZE = "64MiB"
SECTOR = 512
SBIN = os.pathsep.join(["/usr/local/sbin", "/usr/sbin", "/sbin"])

HURD_EXPR = ('(begin (use-modules (gnu) (gnu system image) (gnu system hurd) (gnu system images hurd)) '
             '(os->image (operating-system (inherit hurd-barebones-os) (host-name "my-hurd")) '
             '#:type hurd-image-type))')


def tool(name: str) -> str:
    found = shutil.which(name, path=os.environ.get("PATH", "") + os.pathsep + SBIN)
    if found is None:
        pytest.skip(f"{name} not installed")
    return found


def check(*argv, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([tool(str(argv[0])), *map(str, argv[1:])], capture_output=True, text=True,
                          env=dict(os.environ, LC_ALL="C"), **kw)


def pyguix(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, PYTHONPATH=str(REPO), **(env or {}))
    return subprocess.run([sys.executable, "-m", "builders.cli", *args], capture_output=True, text=True,
                          cwd=cwd or REPO, env=full_env, timeout=300)


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
    qcow = pipeline.build_image(plan, output=tmp_path / "a.qcow2", quiet=True)
    monkeypatch.setattr(pipeline, "plan_seed", lambda _plan: seed)     # same identifiers as the qcow2 build
    raw = pipeline.build_image(dataclasses.replace(plan, format="disk-image"), output=tmp_path / "a.img", quiet=True)
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


def test_unbuilt_format_says_so(tmp_path):
    out = tmp_path / "x.iso"
    res = pyguix("system", "image", "-t", "iso9660", "-o", str(out), "samples/server.scm")
    assert res.returncode == 1
    assert "format iso9660 not built yet" in res.stderr
    assert "hint:" in res.stderr
    assert not out.exists()


# --- bootloader blobs that collide with partitions ----------------------------------------------


def load_plan(sample: str, image_type: str, size: int = 64 << 20):
    from builders import cli
    from builders.lower import lower_image
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
