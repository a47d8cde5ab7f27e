"""The command line, as a user runs it: exit codes, messages, golden dry runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.helpers import REPO, pyguix

SAMPLES = REPO / "samples"
GOLDEN = SAMPLES / "golden"


# --- golden dry runs: (sample, image type or None, golden file) ----------------------------

DRY_RUNS = [
    ("my-pine-os.scm", "pine64-raw", "my-pine-os.pine64-raw.txt"),
    ("my-hurd-os.scm", "hurd-qcow2", "my-hurd-os.hurd-qcow2.txt"),
    ("server.scm", "qcow2", "server.qcow2.txt"),
    ("my-image.scm", None, "my-image.txt"),
    ("my-image-type.scm", None, "my-image-type.txt"),
]


@pytest.mark.parametrize("sample,image_type,golden", DRY_RUNS)
def test_dry_run_matches_golden(sample, image_type, golden):
    # A dry run reads no substitute cache and never downloads: this runs offline.
    args = ["system", "image", "--dry-run"] + (["-t", image_type] if image_type else []) + [f"samples/{sample}"]
    out = pyguix(*args)
    assert out.returncode == 0, out.stderr
    expected = (GOLDEN / golden).read_text()
    assert out.stdout == expected


def test_pine64_dry_run_content():
    out = pyguix("system", "image", "--dry-run", "-t", "pine64-raw", "samples/my-pine-os.scm")
    text = out.stdout
    for fragment in ["(name #f)", "(format 'disk-image)", "(platform aarch64-linux)",
                     "(offset 1048576)", '(label "Guix_image")', '(host-name "vignemale")',
                     "linux-libre-arm64-generic", "u-boot-pine64-lts-bootloader",
                     "bootloader u-boot-sunxi-with-spl.bin"]:
        assert fragment in text, fragment
    table = text.split("\n\n")[-1]
    rows = [r.split() for r in table.splitlines()[2:]]
    assert rows[0][:2] == ["0", "512"]            # the MBR
    assert rows[1][0] == "8192"                    # U-Boot, where the A64 ROM looks
    assert rows[2][0] == "1048576"                 # the root partition at 1 MiB


def test_disk_image_is_the_same_command():
    a = pyguix("system", "image", "--dry-run", "-t", "hurd-raw", "samples/my-hurd-os.scm")
    b = pyguix("system", "disk-image", "--dry-run", "-t", "hurd-raw", "samples/my-hurd-os.scm")
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout
    assert '"-o" "hurd" "-O" "ext_attr"' in a.stdout


def test_list_image_types():
    out = pyguix("system", "--list-image-types")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines[:2] == ["The available image types are:", ""]
    names = [re.fullmatch(r"   - (\S+) ", line).group(1) for line in lines[2:]]
    assert names == sorted(names)
    for name in ["pine64-raw", "hurd-raw", "hurd-qcow2", "iso9660", "uncompressed-iso9660", "qcow2", "raw",
                 "mbr-raw", "mbr-hybrid-raw", "efi-raw", "efi32-raw", "qcow2-gpt", "docker", "tarball", "wsl2",
                 "raw-with-offset", "hurd64-raw", "hurd64-qcow2"]:
        assert name in names


def test_list_image_types_includes_user_modules(tmp_path):
    images = tmp_path / "gnu" / "system" / "images"
    images.mkdir(parents=True)
    (images / "my-board.scm").write_text(
        "(define-module (gnu system images my-board)\n"
        "  #:use-module (gnu image) #:use-module (gnu system image) #:use-module (srfi srfi-26)\n"
        "  #:export (my-board-image-type))\n"
        "(define my-board-image-type\n"
        "  (image-type (name 'my-board-raw)\n"
        "              (constructor (cut image-with-os (raw-with-offset-disk-image (* 8 1024 1024)) <>))))\n")
    out = pyguix("system", "--list-image-types", "-L", str(tmp_path))
    assert "   - my-board-raw " in out.stdout.splitlines(), out.stderr
    out = pyguix("system", "image", "-n", "-L", str(tmp_path), "-t", "my-board-raw", "samples/server.scm")
    assert out.returncode == 0, out.stderr
    assert "8388608" in out.stdout


def test_expression():
    out = pyguix("system", "image", "-n", "-e",
                 "(begin (use-modules (gnu system images pine64)) pine64-barebones-raw-image)")
    assert out.returncode == 0, out.stderr
    assert "(name 'pine64-barebones-raw-image)" in out.stdout


def test_plan_json():
    import json

    out = pyguix("system", "image", "--plan", "-t", "efi-raw", "samples/server.scm".replace("server", "my-image"))
    assert out.returncode == 0, out.stderr
    plan = json.loads(out.stdout)
    assert plan["partition_table"] == "gpt"
    assert [p["label"] for p in plan["partitions"]] == ["GNU-ESP", "Guix_image", "data"]
    assert plan["os"]["bootloader"]["name"] == "grub-efi"


def test_docker_format_is_built(tmp_path):
    """(Formerly: docker was "not built yet"; issue 3 wires it into the pipeline.)"""
    out = pyguix("system", "image", "-t", "docker", "-o", str(tmp_path / "x.tar.gz"), "samples/server.scm")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(tmp_path / "x.tar.gz")
    assert "Traceback" not in out.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["x.tar.gz"]


# --- user errors: one message, FILE:LINE:COL, exit 1, no traceback ------------------------

ERRORS = [
    # (source, extra args, message fragment, line, col)
    ("(operating-system\n  (host-name \"x\"\n", [], "unclosed", 2, 3),
    ('(display "abc)\n', [], "string", 1, 10),
    ("(list 1 2))\n", [], "unexpected", 1, 11),
    ("(use-modules (gnu))\n(operating-system (host-name \"x\") (file-systems '())\n"
     "  (bootloader (bootloader-configuration (bootloader grub-bootloadr))))\n",
     [], "unbound variable: grub-bootloadr", 3, 53),
    ("(use-modules (gnu))\n(operating-system\n  (hostname \"x\"))\n", [], "unknown field 'hostname'", 2, 1),
    ("(use-modules (gnu image))\n(partition (size 10))\n", [], "missing field initializers (label)", 2, 1),
    ("(use-modules (gnu image))\n(partition (label \"x\")\n  (size \"big\"))\n", [],
     "size (\"big\") can only be 'guess", 3, 9),
    ("(use-modules (gnu nonexistent))\n", [], "no code for module (gnu nonexistent)", 1, 14),
    ("(define (f x) x)\n(f 1 2)\n", [], "wrong number of arguments to f", 2, 1),
    ("(define (f n) (+ 1 (f n)))\n(f 1)\n", [], "recursion too deep", None, None),
]


@pytest.mark.parametrize("source,args,fragment,line,col", ERRORS)
def test_user_errors(tmp_path, source, args, fragment, line, col):
    f = tmp_path / "config.scm"
    f.write_text(source)
    out = pyguix("system", "image", "-n", *args, str(f))
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    assert fragment in out.stderr
    if line is not None:
        assert out.stderr.startswith(f"{f}:{line}:{col}: error:"), out.stderr
        assert "^" in out.stderr  # the caret under the source line


def test_unknown_image_type_lists_known_ones():
    out = pyguix("system", "image", "-n", "-t", "pine46-raw", "samples/my-pine-os.scm")
    assert out.returncode == 1
    assert "pine46-raw: no such image type" in out.stderr
    assert "did you mean 'pine64-raw'?" in out.stderr


def test_efi_bootloader_on_mbr_is_an_error():
    out = pyguix("system", "image", "-n", "-t", "mbr-raw", "samples/my-image.scm".replace("my-image", "server"))
    assert out.returncode == 0
    cfg = SAMPLES / "my-image.scm"
    text = cfg.read_text().replace("(partition-table-type 'gpt)", "(partition-table-type 'mbr)")
    out2 = subprocess.run([sys.executable, "-m", "builders.cli", "system", "image", "-n", "-e", text],
                          capture_output=True, text=True, cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert out2.returncode == 1
    assert "EFI bootloader required with GPT partitioning" in out2.stderr


def test_binary_file_is_refused(tmp_path):
    f = tmp_path / "config.scm"
    f.write_bytes(b"\x7fELF\x00\x01\x02")
    out = pyguix("system", "image", "-n", str(f))
    assert out.returncode == 1
    assert "Traceback" not in out.stderr


def test_debug_shows_traceback(tmp_path):
    f = tmp_path / "config.scm"
    f.write_text("(car '())\n")
    out = pyguix("system", "image", "-n", "--debug", str(f))
    assert out.returncode != 0
    assert "Traceback" in out.stderr


def test_interrupt_exits_130(tmp_path):
    import signal
    import time

    f = tmp_path / "loop.scm"
    f.write_text("(let loop ((i 0)) (loop (+ i 1)))\n")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    p = subprocess.Popen([sys.executable, "-m", "builders.cli", "system", "image", "-n", str(f)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env)
    time.sleep(2.0)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 130
    assert err.strip().splitlines() == ["pyguix: interrupted"]


@pytest.mark.parametrize("option,expected", [
    ("--system=aarch64-linux", "(platform aarch64-linux)"),
    ("--target=i586-pc-gnu", "(platform i586-gnu)"),
])
def test_system_and_target_set_the_platform(option, expected):
    out = pyguix("system", "image", "-n", option, "-t", "mbr-raw", "samples/server.scm")
    assert out.returncode == 0, out.stderr
    assert expected in out.stdout


def test_unknown_system_is_an_error():
    out = pyguix("system", "image", "-n", "--system=foo-linux", "-t", "mbr-raw", "samples/server.scm")
    assert out.returncode == 1
    assert "--system=foo-linux: unknown platform" in out.stderr


def test_image_platform_wins_over_system():
    out = pyguix("system", "image", "-n", "--system=x86_64-linux", "-t", "pine64-raw", "samples/my-pine-os.scm")
    assert "(platform aarch64-linux)" in out.stdout


def test_bundled_macro_works_without_importing_its_helpers():
    # image-with-os expands to (image ...), which the use site never imported:
    # the macro's own module lends the name, as hygiene would.
    out = pyguix("system", "image", "-n", "-e",
                 "(begin (use-modules (gnu system image))"
                 " (image-with-os mbr-disk-image (@ (gnu system images pine64) pine64-barebones-os)))")
    assert out.returncode == 0, out.stderr
    assert '(host-name "vignemale")' in out.stdout


@pytest.mark.parametrize("choice,expected", [("zlib", "zlib"), ("zstd", "zstd"), ("none", None)])
def test_qcow2_compression_choice(tmp_path, choice, expected):
    import json

    out = tmp_path / "x.qcow2"
    res = pyguix("system", "image", "--quiet", "-t", "qcow2", "--qcow2-compression", choice, "-o", str(out),
                 "samples/server.scm")
    assert res.returncode == 0, res.stderr
    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", str(out)], capture_output=True,
                                     text=True, check=True).stdout)
    assert info["format"] == "qcow2"
    if expected:
        assert info["format-specific"]["data"]["compression-type"] == expected
    check = subprocess.run(["qemu-img", "check", str(out)], capture_output=True, text=True)
    assert check.returncode == 0 and "No errors were found" in check.stdout
