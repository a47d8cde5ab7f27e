"""Partition initializers decide what fills each partition (Guix 1.5 semantics).

A partition is filled by its initializer, not by its flags: 'boot marks the
root (whose UUID the kernel is given) and 'esp the partition type, while
initialize-root-partition (also what #f means), the Hurd's root initializer,
initialize-efi-partition and initialize-efi32-partition decide the content.
Images are built through the CLI and their partitions read back with
independent tools (mdir for FAT, debugfs for ext*); a custom initializer
procedure is a located error at the partition's initializer field.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import assert_located, check, pyguix

SUBSTITUTES = {"PYGUIX_SUBSTITUTE_CACHE": "/var/cache/pyguix-ci"}

OS = """
 (operating-system
   (operating-system
     (host-name "init-test")
     (bootloader (bootloader-configuration
                  (bootloader {bootloader})
                  (targets '("/dev/vda"))))
     (file-systems (cons (file-system
                           (device (file-system-label "Guix_image"))
                           (mount-point "/")
                           (type "ext4"))
                         %base-file-systems))))"""


def image_file(table: str, bootloader: str, partitions: list[str]) -> str:
    return ("(use-modules (gnu) (gnu image) (gnu system image))\n"
            f"(image\n (format 'disk-image)\n (partition-table-type '{table})\n"
            + OS.format(bootloader=bootloader) + "\n (partitions\n  (list\n"
            + "\n".join(f"   {p}" for p in partitions) + ")))\n")


ROOT = "the operating system's tree"
ESP64 = ["EFI/BOOT/BOOTX64.EFI"]
ESP32 = ["EFI/BOOT/BOOTIA32.EFI"]

# --- built images: (image, table, bootloader, [(partition, expected MBR/GPT type, expected content)]) ----------

MBR_TYPES = {"esp": "ef", "fat16": "e", "linux": "83"}
GPT_TYPES = {"esp": "C12A7328-F81F-11D2-BA4B-00A0C93EC93B", "linux": "0FC63DAF-8483-4772-8E79-3D69D8477DE4"}

IMAGES = {
    "mbr": ("mbr", "grub-bootloader", [
        # Guix's esp-partition: initialize-efi-partition, 'esp flag -> the EFI loader of the system's type.
        ("esp-partition", "esp", ESP64),
        # initialize-efi32-partition without any flag: still the (32-bit) EFI loader, in a plain FAT partition.
        ("(partition (size (* 40 (expt 2 20))) (label \"EFI32\") (file-system \"vfat\")"
         " (initializer 'initialize-efi32-partition))", "fat16", ESP32),
        # No initializer (#f): initialize-root-partition.
        ("(partition (label \"Guix_image\") (flags '(boot)))", "linux", ROOT),
        # The 'esp flag with the root initializer: an ESP-typed partition holding the root tree.
        ("(partition (label \"esp-root\") (flags '(esp)) (initializer 'initialize-root-partition))", "esp", ROOT),
    ]),
    "gpt": ("gpt", "grub-efi-bootloader", [
        # Guix 1.5 writes initializers as gexps: (gexp initialize-efi-partition) is recognised by its name.
        ("(partition (inherit esp-partition) (initializer #~initialize-efi-partition))", "esp", ESP64),
        ("root-partition", "linux", ROOT),
        # A data partition with no initializer: Guix fills it with the root tree too.
        ("(partition (label \"data\") (file-system \"ext4\"))", "linux", ROOT),
    ]),
}
CASES = [(name, i) for name, (_, _, parts) in IMAGES.items() for i in range(len(parts))]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("initializers")
    cache: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in cache:
            table, bootloader, parts = IMAGES[name]
            config = base / f"{name}.scm"
            config.write_text(image_file(table, bootloader, [p for p, _, _ in parts]))
            out = base / f"{name}.img"
            res = pyguix("system", "image", "--quiet", "-o", str(out), str(config), env=SUBSTITUTES)
            assert res.returncode == 0, res.stderr
            cache[name] = out
        return cache[name]

    return get


def partition_content(image: Path, part: dict, tmp: Path) -> tuple[str, list[str] | str]:
    """(file system, content): a FAT partition's every file, or an ext one's /etc/hostname."""
    offset = part["start"] * 512
    listing = check("mdir", "-/", "-b", "-i", f"{image}@@{offset}", "::")
    if listing.returncode == 0:
        files = [line.removeprefix("::/") for line in listing.stdout.split() if not line.endswith("/")]
        return "vfat", sorted(files)
    extracted = tmp / "partition.img"
    with open(image, "rb") as src, open(extracted, "wb") as dst:
        src.seek(offset)
        dst.write(src.read(part["size"] * 512))
    hostname = check("debugfs", "-R", "cat /etc/hostname", extracted)
    boot = check("debugfs", "-R", "ls -p /boot/grub", extracted)
    return "ext", ROOT if hostname.stdout == "init-test\n" and "grub.cfg" in boot.stdout else hostname.stdout


@pytest.mark.slow
@pytest.mark.parametrize("name,index", CASES, ids=[f"{n}-{i + 1}" for n, i in CASES])
def test_initializer_fills_the_partition(built, tmp_path, name, index):
    table, _, parts = IMAGES[name]
    source, kind, expected = parts[index]
    image = built(name)
    layout = json.loads(check("sfdisk", "--json", image).stdout)["partitiontable"]["partitions"]
    assert len(layout) == len(parts)
    part = layout[index]
    # The flags decide the partition's type ...
    assert part["type"].upper() == (MBR_TYPES if table == "mbr" else GPT_TYPES)[kind].upper(), source
    # ... the initializer its content.
    _, content = partition_content(image, part, tmp_path)
    assert content == expected, source


# --- the plan records each partition's initializer: (image type, sample, initializers) -------------------

PLANS = [
    ("mbr-raw", "server.scm", ["initialize-root-partition"]),
    ("efi-raw", "server.scm", ["initialize-efi-partition", "initialize-root-partition"]),
    ("efi32-raw", "server.scm", ["initialize-efi32-partition", "initialize-root-partition"]),
    ("hurd-raw", "my-hurd-os.scm", ["initialize-hurd-root-partition"]),
    (None, "my-image.scm", ["initialize-efi-partition", "initialize-root-partition", "initialize-root-partition"]),
]


@pytest.mark.parametrize("image_type,sample,initializers", PLANS, ids=[f"{t}-{s}" for t, s, _ in PLANS])
def test_plan_names_each_initializer(image_type, sample, initializers):
    res = pyguix("system", "image", "--plan", *(["-t", image_type] if image_type else []), f"samples/{sample}")
    assert res.returncode == 0, res.stderr
    assert [p["initializer"] for p in json.loads(res.stdout)["partitions"]] == initializers


# --- refused: (initializer field, message) ------------------------------------------------------------

REFUSED = [
    ("(lambda (root . rest) #t)", "custom partition initializers are not supported: #<procedure"),
    ("#~(lambda* (#:rest args) (mkdir (string-append (car args) \"/data\")))",
     "custom partition initializers are not supported: #~(lambda*"),
    ("'initialize-my-partition", "unknown partition initializer 'initialize-my-partition'"),
]


@pytest.mark.parametrize("initializer,message", REFUSED, ids=["lambda", "gexp-lambda", "unknown-name"])
def test_custom_initializer_is_a_located_error(tmp_path, initializer, message):
    config = tmp_path / "custom.scm"
    text = image_file("gpt", "grub-efi-bootloader", [
        "esp-partition",
        f"(partition (inherit root-partition)\n              (initializer {initializer}))"])
    config.write_text(text)
    line = next(n for n, text_line in enumerate(text.splitlines(), 1) if "(initializer " in text_line)
    res = pyguix("system", "image", "--dry-run", str(config))
    assert_located(res, config, line, message, "hint: pyguix fills a partition with one of Guix's own initializers")
