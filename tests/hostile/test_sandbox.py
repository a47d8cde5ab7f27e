"""builders/sandbox.py: as root, a build step runs as an unprivileged identity that
can read every host file but write only in the directories it was given.

Every attempt on a canary (tests/hostile/conftest.py) must fail with
PermissionError inside the child and leave the canary unchanged."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from builders import sandbox
from builders.errors import BuildError
from builders.run import ToolFailed
from builders.sandbox import SANDBOX_ID, SandboxError, claim, install_result, run_unprivileged

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox only acts when pyguix runs as root")


@pytest.fixture(autouse=True)
def _sandbox_on(monkeypatch):
    monkeypatch.delenv(sandbox.DISABLE_ENV, raising=False)
    monkeypatch.delenv(sandbox.ID_ENV, raising=False)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    w = tmp_path / "work"
    w.mkdir()
    return w


def attempt(action) -> str:
    """'denied' when ACTION raises PermissionError, else what happened."""
    try:
        action()
    except PermissionError:
        return "denied"
    except OSError as e:
        return f"other error: {e!r}"
    return "done"


# --- identity, writing in the allowed directory, the result --------------------------------


def test_child_identity_and_result(work):
    def step(x):
        (work / "file").write_text(x)
        os.chmod(work / "file", 0o600)
        (work / "sub").mkdir()
        os.rename(work / "file", work / "sub" / "moved")
        return (os.getuid(), os.geteuid(), os.getgid(), os.getgroups(), os.getpid(), x * 2)

    uid, euid, gid, groups, pid, value = run_unprivileged(step, "ab", writable=[work])
    assert (uid, euid, gid, groups) == (SANDBOX_ID, SANDBOX_ID, SANDBOX_ID, [])
    assert pid != os.getpid()
    assert value == "abab"
    moved = work / "sub" / "moved"
    assert moved.read_text() == "ab" and (moved.stat().st_mode & 0o777) == 0o600
    assert moved.stat().st_uid == SANDBOX_ID


def test_capabilities_kept_are_only_dac_read_search(work):
    def caps():
        status = Path("/proc/self/status").read_text()
        mine = dict(re.findall(r"^(Cap\w+):\s+([0-9a-f]+)$", status, re.M))
        child = subprocess.run(["grep", "-E", "^(Cap|NoNewPrivs)", "/proc/self/status"],
                               capture_output=True, text=True, check=True).stdout
        return mine, dict(re.findall(r"^(\w+):\s+([0-9a-f]+)$", child, re.M))

    mine, child = run_unprivileged(caps, writable=[work])
    read_search = f"{1 << 2:016x}"
    for name in ("CapEff", "CapPrm", "CapBnd", "CapAmb"):
        assert mine[name] == read_search, (name, mine)
        assert child[name] == read_search, (name, child)  # tools run with read access only
    assert child["NoNewPrivs"] == "1"


# --- the host is read-only --------------------------------------------------------------


def test_canaries_cannot_be_modified(work, canaries):
    secret, directory = canaries.file, canaries.directory
    inside = directory / "inside"

    def hostile():
        return {
            "create next to the canaries": attempt(lambda: (canaries.root / "new").write_text("x")),
            "create in the canary dir": attempt(lambda: (directory / "new").write_text("x")),
            "mkdir": attempt(lambda: (canaries.root / "newdir").mkdir()),
            "symlink": attempt(lambda: (canaries.root / "link").symlink_to("/etc/passwd")),
            "hard link into work": attempt(lambda: os.link(secret, work / "stolen")),
            "modify": attempt(lambda: secret.open("a").write("x")),
            "truncate": attempt(lambda: os.truncate(secret, 0)),
            "chmod file": attempt(lambda: os.chmod(secret, 0o666)),
            "chmod dir": attempt(lambda: os.chmod(directory, 0o777)),
            "chown": attempt(lambda: os.chown(secret, SANDBOX_ID, SANDBOX_ID)),
            "chown to self": attempt(lambda: os.chown(inside, os.getuid(), -1)),
            "utime": attempt(lambda: os.utime(secret, (0, 0))),
            "unlink": attempt(lambda: secret.unlink()),
            "unlink in dir": attempt(lambda: inside.unlink()),
            "rmdir": attempt(lambda: shutil.rmtree(directory)),
            "rename": attempt(lambda: os.rename(secret, canaries.root / "renamed")),
            "rename into work": attempt(lambda: os.rename(secret, work / "renamed")),
            "rename dir": attempt(lambda: os.rename(directory, canaries.root / "dir2")),
            "setxattr": attempt(lambda: os.setxattr(secret, "user.pyguix", b"x")),
        }

    outcome = run_unprivileged(hostile, writable=[work])
    assert outcome == {key: "denied" for key in outcome}, outcome
    canaries.check()


def test_root_only_files_stay_readable(work, canaries):
    os.chmod(canaries.root, 0o700)  # a 0700 root directory on the way, like /root

    def read():
        in_process = canaries.file.read_text()
        listing = sorted(os.listdir(canaries.root))
        by_tool = subprocess.run(["cat", str(canaries.file)], capture_output=True, text=True).stdout
        (work / "copy").write_bytes(canaries.file.read_bytes())  # what (local-file ...) does
        return in_process, listing, by_tool

    in_process, listing, by_tool = run_unprivileged(read, writable=[work])
    assert in_process == by_tool == "canary secret\n"
    assert "secret" in listing
    assert (work / "copy").read_text() == "canary secret\n"
    os.chmod(canaries.root, 0o755)
    canaries.check()


def test_tools_run_by_the_child_cannot_write_either(work, canaries):
    def tools():
        return [subprocess.run(argv, capture_output=True, text=True).returncode for argv in (
            ["touch", str(canaries.file)],
            ["sh", "-c", f"echo pwned >> {canaries.file}"],
            ["rm", "-f", str(canaries.directory / "inside")],
            ["chmod", "777", str(canaries.directory)],
            ["touch", str(canaries.root / "new")],
            ["touch", str(work / "allowed")],
        )]

    codes = run_unprivileged(tools, writable=[work])
    assert all(code != 0 for code in codes[:-1]), codes
    assert codes[-1] == 0 and (work / "allowed").exists()
    canaries.check()


def test_setuid_root_programs_do_not_give_root_back(work, tmp_path):
    su = shutil.which("su") or shutil.which("mount")
    if su is None or not os.stat(su).st_mode & 0o4000:
        pytest.skip("no set-uid root program on this host")
    probe = subprocess.run(["sh", "-c", "id -u"], capture_output=True, text=True)
    assert probe.returncode == 0

    def escalate():
        # With no_new_privs, exec of a set-uid program keeps our uid.
        return subprocess.run([su, "--help"], capture_output=True, text=True).returncode, \
            Path("/proc/self/status").read_text().count("NoNewPrivs:\t1")

    _, nnp = run_unprivileged(escalate, writable=[work])
    assert nnp == 1


# --- errors and results come back ----------------------------------------------------------


def test_build_error_with_hint(work):
    def fail():
        raise BuildError("the disk is too small", "give a bigger --image-size")

    with pytest.raises(BuildError) as info:
        run_unprivileged(fail, writable=[work])
    assert type(info.value) is BuildError
    assert info.value.hint == "give a bigger --image-size"
    assert str(info.value) == "the disk is too small\nhint: give a bigger --image-size"
    assert "fail" in str(info.value.__cause__)  # the child's traceback, for --debug


def test_config_error_with_span_renders_its_excerpt(work, tmp_path):
    from schemeconf.errors import ConfigError, render
    from schemeconf.source import SourceFile, Span

    config = tmp_path / "config.scm"
    config.write_text("(operating-system\n  (host-name 42))\n")

    def fail():
        err = ConfigError("host-name must be a string", Span(SourceFile.from_path(config), 2, 14), "quote it")
        err.note("declared here", Span(SourceFile.from_path(config), 1, 1))
        raise err

    with pytest.raises(ConfigError) as info:
        run_unprivileged(fail, writable=[work])
    err = info.value
    assert (err.span.line, err.span.col, err.hint) == (2, 14, "quote it")
    assert err.notes[0][0] == "declared here"
    rendered = render(err)
    assert f"{config}:2:14: error: host-name must be a string" in rendered
    assert "(host-name 42))" in rendered and "hint: quote it" in rendered


def test_exceptions_whose_init_takes_other_arguments(work):
    from builders.substitutes.provider import SubstituteUnavailable
    from schemeconf.errors import UnboundVariable

    cases = [
        lambda: (_ for _ in ()).throw(ToolFailed(["mke2fs", "-d", "x"], 1, "mke2fs: no space\n")),
        lambda: (_ for _ in ()).throw(SubstituteUnavailable("grub-pc", "amd64", "404", hint="check the mirror")),
        lambda: (_ for _ in ()).throw(UnboundVariable("fooo", None, "did you mean foo?")),
        lambda: open("/nonexistent/pyguix-file"),  # noqa: SIM115 - never opens: its error is the case
        lambda: (_ for _ in ()).throw(ValueError("a socket in the tree")),
    ]
    got = []
    for case in cases:
        with pytest.raises(BaseException) as info:
            run_unprivileged(case, writable=[work])
        got.append(info.value)
    tool, sub, unbound, missing, value = got
    assert type(tool) is ToolFailed and tool.argv == ["mke2fs", "-d", "x"] and tool.returncode == 1
    assert "mke2fs: no space" in str(tool)
    assert type(sub) is SubstituteUnavailable and sub.package == "grub-pc" and sub.hint == "check the mirror"
    assert "substitute 'grub-pc' for architecture 'amd64' is not available: 404" in str(sub)
    assert type(unbound) is UnboundVariable and str(unbound) == "unbound variable: fooo"
    assert unbound.name == "fooo" and unbound.hint == "did you mean foo?"
    assert type(missing) is FileNotFoundError and missing.filename == "/nonexistent/pyguix-file"
    assert type(value) is ValueError and str(value) == "a socket in the tree"


def test_unpicklable_result_is_a_build_error(work):
    with pytest.raises(BuildError):
        run_unprivileged(lambda: threading.Lock(), writable=[work])


# --- signals ----------------------------------------------------------------------------------


def _slow_step(work: Path, cleanup_seconds: float = 0.0):
    def step():
        try:
            (work / "started").write_text(str(os.getpid()))
            time.sleep(60)
        finally:
            time.sleep(cleanup_seconds)  # a cleanup that takes a while
            (work / "cleaned").write_text("yes")
    return step


def _when_started(work: Path, action) -> threading.Thread:
    def run():
        deadline = time.monotonic() + 30
        while not (work / "started").exists() or not (work / "started").read_text():
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)
        action(int((work / "started").read_text()))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_sigint_to_the_parent_stops_the_child_after_its_cleanup(work):
    thread = _when_started(work, lambda child: os.kill(os.getpid(), signal.SIGINT))
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_unprivileged(_slow_step(work), writable=[work])
    thread.join()
    assert time.monotonic() - started < 30
    assert (work / "cleaned").read_text() == "yes"


def test_terminal_ctrl_c_reaching_both_does_not_cut_the_cleanup(work):
    def ctrl_c(child):  # the terminal signals the whole foreground process group
        os.kill(child, signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)

    thread = _when_started(work, ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        run_unprivileged(_slow_step(work, cleanup_seconds=0.5), writable=[work])
    thread.join()
    assert (work / "cleaned").read_text() == "yes"


def test_sigterm_to_the_parent_reaches_the_callers_handler_after_the_cleanup(work):
    class Stopped(Exception):
        pass

    def handler(signum, frame):
        raise Stopped

    old = signal.signal(signal.SIGTERM, handler)
    try:
        thread = _when_started(work, lambda child: os.kill(os.getpid(), signal.SIGTERM))
        with pytest.raises(Stopped):
            run_unprivileged(_slow_step(work), writable=[work])
        thread.join()
    finally:
        signal.signal(signal.SIGTERM, old)
    assert (work / "cleaned").read_text() == "yes"


def test_child_killed_by_a_signal_is_a_build_error(work):
    thread = _when_started(work, lambda child: os.kill(child, signal.SIGKILL))
    with pytest.raises(BuildError, match="killed by SIGKILL"):
        run_unprivileged(_slow_step(work), writable=[work])
    thread.join()


def test_child_terminated_alone_is_a_build_error_after_cleanup(work):
    thread = _when_started(work, lambda child: os.kill(child, signal.SIGTERM))
    with pytest.raises(BuildError, match="terminated by SIGTERM"):
        run_unprivileged(_slow_step(work), writable=[work])
    thread.join()
    assert (work / "cleaned").read_text() == "yes"


# --- ext images made by the sandbox ------------------------------------------------------------


def _debugfs_stat(image: Path, path: str) -> str:
    return subprocess.run(["debugfs", "-R", f"stat {path}", str(image)], capture_output=True, text=True,
                          check=True).stdout


def test_mke2fs_in_the_sandbox_and_the_ownership_fixup(work):
    if shutil.which("mke2fs", path=os.environ.get("PATH", "") + ":/sbin:/usr/sbin") is None:
        pytest.skip("e2fsprogs not installed")
    from builders.disk.fs.ext import make_ext

    def build():
        tree = work / "tree"
        (tree / "etc").mkdir(parents=True)
        (tree / "etc" / "somefile").write_text("hello\n")
        os.chmod(tree / "etc" / "somefile", 0o4755)
        raw = subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", str(tree), str(work / "raw.img"), "8M"],
                             capture_output=True, text=True)
        make_ext("ext4", tree, work / "fixed.img", 8 << 20, "root", None, (), 1)
        return raw.returncode, raw.stderr, (tree / "etc" / "somefile").stat().st_uid

    code, stderr, tree_owner = run_unprivileged(build, writable=[work])
    assert code == 0, stderr
    assert tree_owner == SANDBOX_ID
    for image in ("raw.img", "fixed.img"):
        check = subprocess.run(["e2fsck", "-fn", str(work / image)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    # mke2fs -d alone copies the staging owner: the fix-up is needed ...
    assert re.search(rf"User:\s+{SANDBOX_ID}\s+Group:\s+{SANDBOX_ID}", _debugfs_stat(work / "raw.img", "/etc/somefile"))
    # ... and builders/disk/fs/ext.py makes it root's, set-uid bit kept, times fixed.
    fixed = _debugfs_stat(work / "fixed.img", "/etc/somefile")
    assert re.search(r"User:\s+0\s+Group:\s+0", fixed), fixed
    assert "Mode:  04755" in fixed, fixed
    assert "ctime: 0x00000001" in fixed, fixed


# --- handing directories over, and taking the result back ----------------------------------------


def test_claim_is_recursive_safe_and_cheap(tmp_path, canaries):
    cache = tmp_path / "cache"
    (cache / "debs").mkdir(parents=True)
    (cache / "debs" / "a.deb").write_text("deb")
    (cache / "su").write_text("#!/bin/sh\n")
    os.chmod(cache / "su", 0o4755)
    (cache / "to-secret").symlink_to(canaries.file)
    os.link(canaries.directory / "inside", cache / "hardlinked")
    claim(cache)
    for p in (cache, cache / "debs", cache / "debs" / "a.deb", cache / "su"):
        assert (p.stat().st_uid, p.stat().st_gid) == (SANDBOX_ID, SANDBOX_ID), p
    assert os.stat(cache / "su").st_mode & 0o7777 == 0o4755  # chown cleared it; restored
    assert os.lstat(cache / "to-secret").st_uid == SANDBOX_ID  # the link itself, not its target
    assert os.stat(cache / "hardlinked").st_uid == 0  # might be a host file: left alone
    os.unlink(cache / "hardlinked")
    canaries.check()
    assert (cache / sandbox.MARKER).read_text() == f"{SANDBOX_ID}:{SANDBOX_ID}\n"

    # Done already: the tree is not walked again.
    (cache / "debs" / "root-owned").write_text("x")
    claim(cache)
    assert (cache / "debs" / "root-owned").stat().st_uid == 0
    # PYGUIX_NO_SANDBOX=1 as root forgets the marker: the next sandboxed run walks again.
    os.environ[sandbox.DISABLE_ENV] = "1"
    try:
        assert run_unprivileged(os.getpid, writable=[cache]) == os.getpid()
    finally:
        del os.environ[sandbox.DISABLE_ENV]
    claim(cache)
    assert (cache / "debs" / "root-owned").stat().st_uid == SANDBOX_ID


def test_missing_writable_directory_is_created(tmp_path):
    def write():
        (tmp_path / "new" / "cache" / "x").write_text("x")

    run_unprivileged(write, writable=[tmp_path / "new" / "cache"])
    assert (tmp_path / "new").stat().st_uid == 0
    assert (tmp_path / "new" / "cache").stat().st_uid == SANDBOX_ID


@pytest.mark.parametrize("path", ["/", "/tmp", "/etc/pyguix", "/usr/share", "HOME"])
def test_claim_refuses_host_directories(path):
    target = Path.home() if path == "HOME" else Path(path)
    before = os.stat(target).st_uid if target.exists() else None
    with pytest.raises(SandboxError, match="refusing"):
        claim(target)
    assert (os.stat(target).st_uid if target.exists() else None) == before
    assert not Path("/etc/pyguix").exists()


def test_install_result_takes_the_file_back(work, tmp_path):
    run_unprivileged(lambda: (work / "partial").write_bytes(b"image"), writable=[work])
    out = tmp_path / "out.img"
    install_result(work / "partial", out)
    st = out.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777, out.read_bytes()) == (0, 0, 0o644, b"image")
    assert not (work / "partial").exists()


def test_install_result_refuses_links_to_host_files(work, tmp_path, canaries):
    def plant():
        (work / "partial").symlink_to(canaries.file)

    run_unprivileged(plant, writable=[work])
    with pytest.raises(BuildError, match="not a regular file"):
        install_result(work / "partial", tmp_path / "out.img")
    assert not (tmp_path / "out.img").exists() and not os.path.lexists(tmp_path / "out.img")
    canaries.check()


def test_no_sandbox_variable_runs_in_process(work, monkeypatch):
    monkeypatch.setenv(sandbox.DISABLE_ENV, "1")
    assert run_unprivileged(lambda: (os.getpid(), os.geteuid()), writable=[work]) == (os.getpid(), 0)
