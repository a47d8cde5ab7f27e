"""`guix system image` options go through the <image> record, as Guix's CLI does:
(image (inherit IMAGE) (size SIZE) (volatile-root? VOLATILE?) ...), so each
field's sanitizer checks the value.  Each row gives the options and what the
plan (`--plan`, the JSON of what will be built) holds, or the clean error that
names the option."""

from __future__ import annotations

import json
import platform

import pytest

from tests.helpers import assert_clean_error, pyguix

pytestmark = pytest.mark.usefixtures("busybox_system")  # 64 MiB images: the busybox stand-in

IMAGE_WITH_SIZE = """(use-modules (gnu) (gnu image) (gnu system image))
(image
 (inherit mbr-disk-image)
 (size (* 100 (expt 2 20)))
 (operating-system
   (operating-system
     (host-name "sized")
     (bootloader (bootloader-configuration (bootloader grub-bootloader) (targets '("/dev/vda"))))
     (file-systems (cons (file-system (device (file-system-label "Guix_image")) (mount-point "/") (type "ext4"))
                         %base-file-systems)))))
"""

HOST = {"x86_64": "x86_64-linux", "aarch64": "aarch64-linux", "i686": "i686-linux"}.get(platform.machine())

# (id, options, image type, file, {plan field: expected value}); a file of None is samples/server.scm,
# "sized" the image above (whose own size the command line replaces, as Guix's does).
ROWS = [
    ("image-size", ["--image-size", "64MiB"], "mbr-raw", None, {"root_size": 64 << 20}),
    ("image-size-mb", ["--image-size", "100MB"], "mbr-raw", None, {"root_size": 100_000_000}),
    ("no-image-size-resets-size", [], None, "sized", {"root_size": None}),
    ("image-size-over-the-image's", ["--image-size", "2GiB"], None, "sized", {"root_size": 2 << 30}),
    ("label", ["--label", "MY_ROOT"], "mbr-raw", None, {"partitions.0.label": "MY_ROOT"}),
    ("label-is-the-first-partition", ["--label", "BOOTME"], "efi-raw", None,
     {"partitions.0.label": "BOOTME", "partitions.1.label": "Guix_image"}),
    ("volatile", ["--volatile"], "mbr-raw", None, {"volatile_root": True}),
    ("not-volatile-by-default", [], "mbr-raw", None, {"volatile_root": False}),
    ("system", ["--system", "aarch64-linux"], "mbr-raw", None,
     {"system": "aarch64-linux", "platform_system": "aarch64-linux"}),
    ("target", ["--target", "aarch64-linux-gnu"], "mbr-raw", None,
     {"system": "aarch64-linux", "platform_target": "aarch64-linux-gnu"}),
    ("system-of-the-build-machine", [], "mbr-raw", None, {"system": HOST, "platform_system": None}),
    ("image-platform-wins", ["--system", "x86_64-linux"], "hurd-raw", "samples/my-hurd-os.scm",
     {"system": "i586-gnu"}),
]


def field(plan: dict, path: str):
    value = plan
    for part in path.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


@pytest.mark.parametrize("options,image_type,file,expected", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_option_reaches_the_plan(tmp_path, options, image_type, file, expected):
    if file == "sized":
        file = tmp_path / "sized.scm"
        file.write_text(IMAGE_WITH_SIZE)
    res = pyguix("system", "image", "--plan", *options, *(["-t", image_type] if image_type else []),
                 str(file or "samples/server.scm"))
    assert res.returncode == 0, res.stderr
    plan = json.loads(res.stdout)
    assert {path: field(plan, path) for path in expected} == expected


# (id, options, image type, what the error says)
ERRORS = [
    # The <image> record's size sanitizer (validate-image-size) refuses it; the error names the option.
    ("image-size-zero", ["--image-size", "0"], "mbr-raw",
     ["--image-size=0: size (0) can only be 'guess or a numeric expression"]),
    ("image-size-not-a-size", ["--image-size", "big"], "mbr-raw", ["invalid size: 'big'"]),
    ("label-too-long-for-fat", ["--label", "A-VERY-LONG-LABEL"], "efi-raw", ["--label: ", "hint:"]),
    ("label-with-newline", ["--label", "two\nlines"], "mbr-raw", ["--label: "]),
    ("unknown-system", ["--system", "sparc-linux"], "mbr-raw", ["--system=sparc-linux: unknown platform"]),
    ("unknown-target", ["--target", "sparc-sun-solaris"], "mbr-raw",
     ["--target=sparc-sun-solaris: unknown platform"]),
]


@pytest.mark.parametrize("options,image_type,fragments", [r[1:] for r in ERRORS], ids=[r[0] for r in ERRORS])
def test_invalid_option_is_a_clean_error(options, image_type, fragments):
    res = pyguix("system", "image", "--plan", *options, "-t", image_type, "samples/server.scm")
    if "invalid size" in fragments[0]:      # typer's own parameter error (exit 2)
        assert res.returncode != 0 and fragments[0] in res.stderr and "Traceback" not in res.stderr
        return
    assert_clean_error(res, *fragments)
