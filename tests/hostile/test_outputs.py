"""Where the image goes, and what a failed, killed or hostile build leaves behind.

Rows of the hostile-input review: cache names from record values (3),
special files at -o (7), the configuration itself at -o (8), a failed build
over an earlier image (21), SIGTERM and SIGKILL (22), a full disk (26),
`-o dir/` (27), and mke2fs options from the configuration (5).  Builds use
the shared substitute cache; each build takes a few seconds.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import REPO, assert_clean_error, assert_located, run_pyguix

SERVER = REPO / "samples" / "server.scm"
SIZE = "64MiB"

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("busybox_system")]  # 64 MiB images


BARE_OS = """(define bare-os
  (operating-system
    (host-name "bare")
    (bootloader (bootloader-configuration (bootloader grub-bootloader) (targets '("/dev/sda"))))
    (file-systems (cons (file-system (device (file-system-label "my-root")) (mount-point "/") (type "ext4"))
                        %base-file-systems))))"""


def image_config(tmp_path: Path, body: str, name: str = "image.scm") -> Path:
    """An image file: BODY (from line 3 on) is the (image ...) record, with bare-os inside."""
    f = tmp_path / name
    f.write_text("(use-modules (gnu) (gnu image) (gnu system image))\n" + BARE_OS.replace("\n", " ") + "\n"
                 + body + "\n")
    return f


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".work-" in p.name or ".partial-" in p.name)


# --- the output path -----------------------------------------------------------------------


def test_cache_name_from_a_hostile_image_name_stays_in_the_cache(tmp_path, canaries):
    cache = tmp_path / "cache"
    victim = canaries.root / "prod"
    config = image_config(tmp_path, f"""
(image-with-os (image (inherit mbr-disk-image)
                      (name (string->symbol "x/../../../../../../../../..{victim}")))
               bare-os)""")
    out = run_pyguix("system", "image", "--quiet", "--image-size", SIZE, str(config),
                     env={"XDG_CACHE_HOME": str(cache)})
    assert out.returncode == 0, out.stderr[-3000:]
    built = Path(out.stdout.strip())
    assert built.parent == cache / "pyguix" / "images"
    assert not victim.with_suffix(".img").exists()
    canaries.check()


def test_special_file_at_output_is_refused(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    out = run_pyguix("system", "image", "-t", "mbr-raw", "-o", str(fifo), str(SERVER))
    assert_clean_error(out, "is not a regular file")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    if os.geteuid() == 0:  # a character device, as /dev/null is (made here, not /dev/null itself)
        null = tmp_path / "null"
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        out = run_pyguix("system", "image", "-t", "mbr-raw", "-o", str(null), str(SERVER))
        assert_clean_error(out, "is not a regular file")
        assert stat.S_ISCHR(null.lstat().st_mode)


def test_output_over_the_configuration_is_refused(tmp_path):
    config = tmp_path / "my-os.scm"
    config.write_text(SERVER.read_text())
    (tmp_path / "alice.pub").write_text((SERVER.parent / "alice.pub").read_text())  # its local-file
    before = config.read_bytes()
    out = run_pyguix("system", "image", "-t", "qcow2", "-o", str(config), str(config), cwd=tmp_path)
    assert_clean_error(out, "is the configuration file")
    assert config.read_bytes() == before


def test_output_inside_substitutes_is_refused(tmp_path):
    debs = tmp_path / "debs"
    debs.mkdir()
    deb = debs / "tzdata_1_all.deb"
    deb.write_bytes(b"!<arch>\n")
    out = run_pyguix("system", "image", "-t", "mbr-raw", "--substitutes", str(debs), "-o", str(deb), str(SERVER))
    assert_clean_error(out)
    assert deb.read_bytes() == b"!<arch>\n"


@pytest.mark.parametrize("name", ["newdir/", "existing/"])
def test_trailing_slash_is_a_directory_not_a_file(tmp_path, name):
    (tmp_path / "existing").mkdir()
    out = run_pyguix("system", "image", "-t", "mbr-raw", "-o", name, str(SERVER), cwd=tmp_path)
    assert_clean_error(out, "directory")
    assert not (tmp_path / "newdir").exists()
    assert list((tmp_path / "existing").iterdir()) == []


# --- failures leave nothing ---------------------------------------------------------------------


def test_failed_build_removes_the_earlier_image(tmp_path):
    img = tmp_path / "x.img"
    ok = run_pyguix("system", "image", "--quiet", "-t", "mbr-raw", "--image-size", SIZE, "-o", str(img),
                    str(SERVER))
    assert ok.returncode == 0, ok.stderr[-3000:]
    assert img.is_file()
    too_small = image_config(tmp_path, """
(image-with-os (image (inherit mbr-disk-image)
                      (partitions (list (partition (inherit root-partition) (offset (* 1024 1024))
                                                   (size (* 2 1024 1024))))))
               bare-os)""")
    bad = run_pyguix("system", "image", "--quiet", "-o", str(img), str(too_small))
    assert_located(bad, too_small, 6, "does not fit")
    assert not img.exists()
    assert leftovers(tmp_path) == []


def _start_slow_build(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    """A build whose mke2fs sleeps: killed while the work directory exists."""
    slow = tmp_path / "bin" / "slow-mke2fs"
    slow.parent.mkdir()
    slow.write_text("#!/bin/sh\nexec sleep 60\n")
    slow.chmod(0o755)
    outdir = tmp_path / "out"
    outdir.mkdir()
    env = dict(os.environ, PYTHONPATH=str(REPO), PYGUIX_TOOL_MKE2FS=str(slow))
    proc = subprocess.Popen([sys.executable, "-m", "builders.cli", "system", "image", "-t", "mbr-raw",
                             "--image-size", SIZE, "-o", str(outdir / "image.img"), str(SERVER)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not any(".work-" in p.name for p in outdir.iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline, "the build never started"
        time.sleep(0.05)
    time.sleep(1.0)
    return proc, outdir


def test_sigterm_cleans_up_like_sigint(tmp_path):
    proc, outdir = _start_slow_build(tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "terminated" in err and "Traceback" not in err
    assert list(outdir.iterdir()) == []


def test_sigkill_leftovers_are_collected_by_the_next_build(tmp_path):
    proc, outdir = _start_slow_build(tmp_path)
    proc.kill()
    proc.wait(timeout=30)
    subprocess.run(["pkill", "-KILL", "-f", str(tmp_path / "bin" / "slow-mke2fs")], check=False)
    assert leftovers(outdir), "SIGKILL should have left the work directory"
    again = run_pyguix("system", "image", "--quiet", "-t", "mbr-raw", "--image-size", SIZE,
                       "-o", str(outdir / "image.img"), str(SERVER))
    assert again.returncode == 0, again.stderr[-3000:]
    assert leftovers(outdir) == []
    assert (outdir / "image.img").is_file()


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root (in a private mount namespace)")
def test_full_disk_says_no_space_on_the_device(tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    script = (f"mount -t tmpfs -o size=30m tmpfs {small} && "
              f"{sys.executable} -m builders.cli system image --quiet -t mbr-raw -o {small}/x.img {SERVER}; "
              f"rc=$?; ls -A {small}; exit $rc")
    out = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                         capture_output=True, text=True, cwd=REPO, timeout=300,
                         env=dict(os.environ, PYTHONPATH=str(REPO), PYGUIX_STAGING="disk"))  # all of it there
    assert out.returncode == 1, out.stderr[-3000:]
    assert "no space left on" in out.stderr and "tmpfs" in out.stderr, out.stderr[-3000:]
    assert "does not fit in the image size" not in out.stderr
    assert "Traceback" not in out.stderr
    assert out.stdout.strip() == ""          # nothing left on the small file system


# --- tool arguments from the configuration -----------------------------------------------------


@pytest.mark.parametrize("options", ['("-d" "/etc")', '("-z" "/tmp/undo")', '("-E" "root_owner=1000:1000")',
                                     '("-O" "ext_attr" "-l" "/etc/shadow")'])
def test_mke2fs_options_from_the_config_are_whitelisted(tmp_path, canaries, options):
    config = image_config(tmp_path, f"""
(image-with-os (image (inherit mbr-disk-image)
                      (partitions (list (partition (inherit root-partition)
                                                   (file-system-options '{options})))))
               bare-os)""")
    out = run_pyguix("system", "image", "--quiet", "-o", str(tmp_path / "x.img"), str(config))
    assert_located(out, config, 6, "not allowed")           # at the file-system-options field
    assert not (tmp_path / "x.img").exists()
    dry = run_pyguix("system", "image", "--dry-run", str(config))
    assert_located(dry, config, 6, "not allowed")
    canaries.check()


HOST_INPUTS_OS = """\
(use-modules (gnu))
(operating-system
  (host-name "keys")
  (bootloader (bootloader-configuration (bootloader grub-bootloader) (targets '("/dev/sda"))))
  (file-systems (cons (file-system (device (file-system-label "my-root")) (mount-point "/") (type "ext4"))
                      %base-file-systems))
  (services (cons (simple-service 'keys etc-service-type
                                  (list (list "key.pub" (local-file "{secret}"))
                                        (list "motd-copy" (local-file "motd"))
                                        (list "who" (plain-file "who" (or (getenv "PYGUIX_TEST_WHO") "nobody")))))
                  %base-services)))
"""


def test_host_inputs_are_listed_after_the_build(tmp_path):
    # Guix lets a config embed host files and read the environment; pyguix says which.
    secret = tmp_path / "outside" / "key.pub"
    secret.parent.mkdir()
    secret.write_text("ssh-ed25519 AAAA test\n")
    confdir = tmp_path / "conf"
    confdir.mkdir()
    (confdir / "motd").write_text("hello\n")
    config = confdir / "os.scm"
    config.write_text(HOST_INPUTS_OS.replace("{secret}", str(secret)))
    out = run_pyguix("system", "image", "-t", "mbr-raw", "--image-size", SIZE, "-o", str(tmp_path / "x.img"),
                     str(config), env={"PYGUIX_TEST_WHO": "alice"})
    assert out.returncode == 0, out.stderr[-3000:]
    note = out.stderr[out.stderr.index("embedded these files from outside its directory"):]
    assert str(secret) in note
    assert str(confdir / "motd") not in note            # the config's own directory is not listed
    assert "read these environment variables: PYGUIX_TEST_WHO" in out.stderr
