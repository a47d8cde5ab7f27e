"""The image API announcement (Guix 1.2, Nov 2020), verbatim.

Each block of the announcement evaluates as Guix 1.2 evaluated it (checked
with the oracle: GUIX_ORACLE=1.2 /work/shared/oracle/run.sh), and where Guix
1.5 renamed something pyguix accepts the old spelling with a warning
FILE:LINE:COL: warning: ... naming the new one.  Guix's own deprecation
warnings have Guix 1.5's wording."""

from __future__ import annotations

from schemeconf.interpreter import Interpreter, run_deep
from schemeconf.printer import write_string
from schemeconf.records import Record

PRELUDE = """(use-modules (gnu) (gnu image) (gnu system image) (gnu bootloader u-boot)
             (gnu system images pine64) (gnu system images hurd) (srfi srfi-26))
(use-package-modules linux)
"""

# The announcement's pine64-barebones-os, as printed (Guix 1.2: `target').
PINE64_OS = """(define pine64-barebones-os
(operating-system
(host-name "vignemale")
(timezone "Europe/Paris")
(locale "en_US.utf8")
(bootloader (bootloader-configuration
(bootloader u-boot-pine64-lts-bootloader)
(target "/dev/vda")))
(initrd-modules '())
(kernel linux-libre-arm64-generic)
(file-systems (cons (file-system
(device (file-system-label "my-root"))
(mount-point "/")
(type "ext4"))
%base-file-systems))
(services (cons (service agetty-service-type
(agetty-configuration
(extra-options '("-L")) ; no carrier detect
(baud-rate "115200")
(term "vt100")
(tty "ttyS0")))
%base-services))))
"""

PINE64_TYPE = """(define pine64-image-type
(image-type
(name 'pine64-raw)
(constructor (cut image-with-os arm64-disk-image <>))))
"""

IMAGE = """(image
(format 'disk-image)
(target "aarch64-linux-gnu")
(operating-system my-os)
(partitions
(list (partition
(inherit root-partition)
(offset root-offset)))))
"""


def evaluate(text: str):
    interp = Interpreter()
    warnings: list[str] = []
    interp.loader.warning_sink = warnings.append
    value = run_deep(lambda: interp.eval_string(PRELUDE + text, "announcement.scm"))
    return value, warnings


LINE0 = PRELUDE.count("\n")  # the blocks start after the prelude


def fields(image: Record) -> dict:
    platform = image.get("platform")
    parts = image.get("partitions")
    return {
        "name": image.get("name"), "format": write_string(image.get("format")),
        "platform": platform.get("system") if isinstance(platform, Record) else platform,
        "volatile-root?": image.get("volatile-root?"),
        "offsets": [p.get("offset") for p in parts],
        "file-systems": [p.get("file-system") for p in parts],
    }


def test_pine64_barebones_os_block():
    value, warnings = evaluate(PINE64_OS + "pine64-barebones-os")
    assert value.get("host-name") == "vignemale"
    bootloader = value.get("bootloader")
    assert bootloader.get("target") == "/dev/vda"
    # Guix 1.5: "the 'target' field is deprecated, please use 'targets' instead", at the value.
    assert warnings == [f"announcement.scm:{LINE0 + 8}:9: warning: the 'target' field is deprecated, "
                        "please use 'targets' instead"]


def test_image_block():
    # Guix 1.2: an image, volatile-root? #t (it does not inherit arm64-disk-image).
    value, warnings = evaluate(PINE64_OS + "(define my-os pine64-barebones-os)\n" + IMAGE)
    assert fields(value) == {"name": False, "format": "disk-image", "platform": "aarch64-linux",
                             "volatile-root?": True, "offsets": [1048576], "file-systems": ["ext4"]}
    assert value.get("operating-system").get("host-name") == "vignemale"
    line = LINE0 + PINE64_OS.count("\n") + 1 + 3
    assert f"announcement.scm:{line}:9: warning: the 'target' field of 'image' is gone since Guix 1.4, " \
           "please use 'platform' instead, e.g. (platform aarch64-linux) from (guix platforms arm)" in warnings


def test_image_type_block():
    # Guix 1.2: applied to pine64-barebones-os, exactly the built-in pine64-raw image.
    value, warnings = evaluate(PINE64_TYPE + "((image-type-constructor pine64-image-type) pine64-barebones-os)")
    assert fields(value) == {"name": False, "format": "disk-image", "platform": "aarch64-linux",
                             "volatile-root?": False, "offsets": [1048576], "file-systems": ["ext4"]}
    assert any("'arm64-disk-image' is deprecated" in w and "raw-with-offset-disk-image" in w for w in warnings)
    # At the (cut ...) form (col 14): pyguix's cut does not keep its arguments' places.
    assert warnings[0].startswith(f"announcement.scm:{LINE0 + 4}:14: warning:")


def test_arm64_disk_image():
    value, warnings = evaluate("arm64-disk-image")
    assert fields(value)["platform"] == "aarch64-linux"
    assert len(warnings) == 1


def test_hurd_disk_image():
    value, warnings = evaluate("hurd-disk-image")
    assert fields(value)["file-systems"] == ["ext2"]
    assert fields(value)["platform"] == "i586-gnu"
    assert warnings == []


def test_compressed_qcow2_format():
    value, _ = evaluate("(image (format 'compressed-qcow2) (operating-system #f))")
    assert write_string(value.get("format")) == "compressed-qcow2"


def test_guix_deprecation_warnings():
    _, warnings = evaluate("(use-service-modules networking)\n(list esp-partition dhcp-client-service-type)")
    assert warnings == [
        f"announcement.scm:{LINE0 + 2}:7: warning: 'esp-partition' is deprecated, use 'esp-partition/grub' instead",
        f"announcement.scm:{LINE0 + 2}:21: warning: 'dhcp-client-service-type' is deprecated, "
        "use 'dhcpcd-service-type' instead",
    ]


def test_old_module_and_package_names_warn():
    _, warnings = evaluate("(use-modules (gnu platforms arm))\n(use-package-modules certs)\n"
                           "(list aarch64-linux nss-certs)")
    assert any("module (gnu platforms arm) is deprecated" in w and "(guix platforms arm)" in w for w in warnings)
    assert any("'nss-certs' moved to (gnu packages nss)" in w for w in warnings)


def test_bad_target_is_rejected():
    import pytest

    from schemeconf.errors import SchemeError

    with pytest.raises(SchemeError):
        evaluate("(image (format 'disk-image) (target \"nonsense\") (operating-system #f))")


def test_image_of_guix_1_2_has_no_os_by_default():
    # Guix 1.2's <image> had (operating-system #f) by default: its hurd-disk-image
    # is (image (format 'disk-image) (target "i586-pc-gnu") (partitions ...)).
    value, warnings = evaluate("(image (format 'disk-image) (target \"i586-pc-gnu\")\n"
                               "       (partitions (list (partition (inherit root-partition)))))")
    assert value.get("operating-system") is False
    assert fields(value)["platform"] == "i586-gnu"
    assert len(warnings) == 1 and "'target' field of 'image'" in warnings[0]


GUIX_1_2_MODULE = """(define-module (my images board)
  #:use-module (gnu) #:use-module (gnu image) #:use-module (gnu system image)
  #:use-module (srfi srfi-26)
  #:export (board-disk-image board-raw-image))

(define board-disk-image
  (image (inherit arm64-disk-image) (name 'board-raw)))

(define board-raw-image
  (image (format 'disk-image) (target "aarch64-linux-gnu")
         (partitions (list (partition (inherit root-partition) (offset root-offset))))))
"""


def test_guix_1_2_image_module(tmp_path):
    # A module in Guix 1.2's image API (the shape of Guix 1.2's own
    # gnu/system/images/pine64.scm): Guix 1.2 evaluates it to its end and says
    # it is neither an OS nor an image (its value is a definition's); Guix 1.5
    # stops at arm64-disk-image.  pyguix says what Guix 1.2 says, and warns
    # about each name Guix 1.5 renamed.
    import pytest

    from builders.frontend import _image_from_value
    from schemeconf.errors import ConfigError

    config = tmp_path / "board.scm"
    config.write_text(GUIX_1_2_MODULE)
    interp = Interpreter()
    warnings: list[str] = []
    interp.loader.warning_sink = warnings.append
    value = interp.load_file(config)
    with pytest.raises(ConfigError, match="does not return an operating system or an image"):
        run_deep(lambda: _image_from_value(interp, value, None, str(config)))
    assert any("'arm64-disk-image' is deprecated" in w for w in warnings)
    assert any("'target' field of 'image'" in w for w in warnings)


def test_shorthand_without_action_names_the_action():
    # The announcement's `guix system --image-type=pine64-raw my-pine-os.scm`:
    # Guix says "unknown action"; pyguix says so in one line, with the command to run.
    from tests.helpers import pyguix

    out = pyguix("system", "--image-type=pine64-raw", "samples/my-pine-os-qemu.scm")
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown action" in lines[0]
    assert "'pyguix system image --image-type=pine64-raw samples/my-pine-os-qemu.scm'" in lines[0]
    # what still works without an action
    assert pyguix("system", "--list-image-types").returncode == 0
