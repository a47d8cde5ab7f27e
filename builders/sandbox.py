"""Run a build step under an unprivileged identity when pyguix is started as root.

Defence in depth: even if a check elsewhere is missed (a path that escapes
the image tree, a symbolic link followed on the host...), a build must not
be able to modify host files outside its work directory and its caches.
Without root this holds by construction; as root (CI, people using sudo)
`run_unprivileged(fn, *args, writable=[...])` runs FN in a forked child that
has given up root:

* identity: uid = gid = 2**31 - 100 (``SANDBOX_ID``), no supplementary
  groups.  A dedicated id rather than ``nobody``: nothing on the host is
  owned by it, whereas ``nobody`` (65534) is shared with daemons, NFS
  root-squashed files and every unmapped owner seen from a user namespace,
  which a build could then modify or signal.  It is below 2**31 so that no
  tool mistakes it for -1 or a negative number.  When it is not mapped in
  the current user namespace (rootless containers usually map 0..65535) the
  fallback is 65533; ``PYGUIX_SANDBOX_ID=UID[:GID]`` chooses another one.
  It has no passwd entry, so code in the child must not require one
  (`getpass.getuser()` falls back to pwd when USER/LOGNAME are unset).
* capabilities: only CAP_DAC_READ_SEARCH is kept, in the effective,
  permitted, inheritable, ambient and bounding sets.  Configurations
  legitimately embed host files only root can read (``(local-file
  "/etc/shadow")``), and the work directory and caches often lie below
  directories only root may traverse (/root is 0700, so is pytest's
  /tmp/pytest-of-root), so reading and searching must keep working, in
  pyguix's own process *and* in the tools it runs (mke2fs, apt...): hence
  the ambient set.  Ambient capabilities do not make exec "secure" (no
  AT_SECURE: e2fsprogs still honours E2FSPROGS_FAKE_TIME, glibc keeps
  TMPDIR); CAP_DAC_READ_SEARCH never grants writing, chmod, chown, unlink
  or rename of a file the sandbox does not own (open_by_handle_at, which it
  also allows, still checks write permission on the inode).
* PR_SET_NO_NEW_PRIVS: set-uid programs and file capabilities cannot give
  root back; PR_SET_DUMPABLE 0: other processes running as the sandbox id
  (another build) cannot ptrace or read /proc of this one;
  PR_SET_PDEATHSIG SIGTERM: the child stops (and cleans up) if pyguix dies.
* writable directories: each directory of WRITABLE is handed to the
  sandbox id before forking (`claim`): created if missing, then chowned
  recursively, without following symbolic links, without crossing mount
  points, leaving hard-linked files (st_nlink > 1) alone and restoring the
  set-uid/set-gid bits chown clears (extracted .debs hold su, passwd...).
  A marker file `.pyguix-sandbox` records the conversion, so that next time
  only the top directory's owner and the marker are checked.  Directories
  that cannot be pyguix's (/, /etc, /tmp, any top-level directory, $HOME and
  its ancestors, system trees) are refused with a SandboxError.
  Files created there stay owned by the sandbox id; that does not leak into
  images (ext: debugfs `sif uid 0`, tar/docker/wsl2: TarInfo uid 0, ISO:
  pycdlib Rock Ridge uid 0, cpio: 0, FAT has no owners), and the parent
  makes the final output root's with `install_result`.

FN's result, or the exception it raised, is pickled back through a pipe.
Exceptions whose __init__ does not accept their own args (e.g. ToolFailed)
are rebuilt without calling __init__ (args and __dict__ restored); the
child's traceback text becomes the __cause__ (a RemoteTraceback), like
multiprocessing does.

Signals: while the child runs, SIGINT, SIGTERM and SIGHUP received by the
parent are forwarded to the child (unless the caller ignored them); the
parent waits for the child to finish its cleanup and then delivers the
signal to itself with the caller's original handler (SIGINT: normally
KeyboardInterrupt; SIGTERM: normally death).  A terminal's Ctrl-C reaches
the child twice (directly, as it is in the foreground process group, and
forwarded): the child ignores a repeat of the same signal within
DUPLICATE_WINDOW seconds, so its cleanup is not itself interrupted.  In the
child SIGINT raises KeyboardInterrupt, SIGTERM/SIGHUP raise `Terminated`
(a BaseException, so `except Exception` does not swallow it; `finally`
blocks run).  A child killed by a signal gives a BuildError.

Caveats: uses os.fork (call it from the main thread, with no other threads
holding locks the child needs; a rich status line should be ended first with
progress.done()); stdout/stderr are flushed before forking and inherited;
logging handlers work in the child.  `/tmp`, `/var/tmp` and world-writable
host files stay writable for the sandbox, as for any unprivileged user.

PYGUIX_NO_SANDBOX=1 (for debugging: pdb, strace) runs FN in-process even as
root; it also removes the markers of the WRITABLE directories, because files
created as root there would otherwise go unnoticed by the next sandboxed run.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import pickle
import signal
import stat
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from builders.errors import BuildError

T = TypeVar("T")

SANDBOX_ID = 2**31 - 100
FALLBACK_ID = 65533
ID_ENV = "PYGUIX_SANDBOX_ID"
DISABLE_ENV = "PYGUIX_NO_SANDBOX"
MARKER = ".pyguix-sandbox"
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
DUPLICATE_WINDOW = 1.0

# <linux/prctl.h>, <linux/capability.h>
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_KEEPCAPS = 8
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_RAISE = 2
PR_CAP_AMBIENT_CLEAR_ALL = 4
CAP_DAC_READ_SEARCH = 2
_LINUX_CAPABILITY_VERSION_3 = 0x20080522

# Directories never handed to the sandbox (with everything below them), whatever
# PYGUIX_SUBSTITUTE_CACHE or XDG_CACHE_HOME say.
_SYSTEM_TREES = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc",
                 "/run", "/sbin", "/sys", "/usr", "/var/lib", "/var/log", "/var/spool", "/gnu/store")
# World-writable scratch areas inside those trees, where a user may well put -o.
_SCRATCH_TREES = ("/dev/shm", "/run/shm", "/run/user")


class SandboxError(BuildError):
    """The sandbox could not be set up (identity, writable directories)."""


class Terminated(BaseException):
    """Raised in the sandboxed child by SIGTERM or SIGHUP, so that its cleanup runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    def __str__(self) -> str:
        return f"terminated by {signal.Signals(self.signum).name}"


class RemoteTraceback(Exception):
    """The traceback of an exception raised in the sandboxed child (as text)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


# --- policy -----------------------------------------------------------------------


def sandbox_disabled() -> bool:
    return os.environ.get(DISABLE_ENV, "") not in ("", "0")


def sandbox_needed() -> bool:
    """True when run_unprivileged would fork and drop root."""
    return os.geteuid() == 0 and not sandbox_disabled()


def _mapped(ident: int, map_file: str) -> bool:
    try:
        with open(map_file) as f:
            rows = [tuple(int(x) for x in line.split()) for line in f if line.strip()]
    except OSError:
        return True  # no user namespaces: every id exists
    return any(inside <= ident < inside + count for inside, _outside, count in rows)


def sandbox_identity() -> tuple[int, int]:
    """(uid, gid) the sandbox runs as: PYGUIX_SANDBOX_ID, else SANDBOX_ID, else FALLBACK_ID."""
    value = os.environ.get(ID_ENV, "").strip()
    if value:
        try:
            uid_text, _, gid_text = value.partition(":")
            uid = int(uid_text)
            gid = int(gid_text) if gid_text else uid
        except ValueError:
            raise SandboxError(f"{ID_ENV}={value!r} is not UID or UID:GID") from None
        if uid <= 0 or gid <= 0 or uid >= 2**32 - 1 or gid >= 2**32 - 1:
            raise SandboxError(f"{ID_ENV}={value!r}: the sandbox needs a non-root uid and gid")
        candidates = [(uid, gid)]
    else:
        candidates = [(SANDBOX_ID, SANDBOX_ID), (FALLBACK_ID, FALLBACK_ID)]
    for uid, gid in candidates:
        if _mapped(uid, "/proc/self/uid_map") and _mapped(gid, "/proc/self/gid_map"):
            return uid, gid
    raise SandboxError(f"no usable sandbox uid: {', '.join(str(u) for u, _ in candidates)} "
                       "not mapped in this user namespace",
                       f"set {ID_ENV}=UID[:GID] to an unused mapped id, or {DISABLE_ENV}=1")


def _refused(path: Path) -> str | None:
    """Why PATH must not be handed to the sandbox, or None."""
    text = str(path)
    if len(path.parts) <= 2:
        return "it is / or a top-level directory"
    if any(text.startswith(scratch + "/") for scratch in _SCRATCH_TREES):
        return None
    for tree in _SYSTEM_TREES:
        if text == tree or text.startswith(tree + "/"):
            return f"it is in the system tree {tree}"
    try:
        home = Path(os.path.realpath(Path.home()))
    except (KeyError, RuntimeError):
        home = None
    if home is not None and (home == path or path in home.parents):
        return "it is the home directory or one of its parents"
    return None


# --- writable directories ------------------------------------------------------------------


def _marker_ok(dir_fd: int, uid: int, gid: int) -> bool:
    try:
        fd = os.open(MARKER, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, dir_fd=dir_fd)
    except OSError:
        return False
    try:
        return os.read(fd, 64).decode("ascii", "replace").strip() == f"{uid}:{gid}"
    finally:
        os.close(fd)


def _hand_over(name: str, dir_fd: int, st: os.stat_result, uid: int, gid: int) -> None:
    """chown NAME (in DIR_FD, lstat ST) to UID:GID without following links; keep set-id bits."""
    if st.st_uid == uid and st.st_gid == gid:
        return
    mode = stat.S_IMODE(st.st_mode)
    if stat.S_ISREG(st.st_mode) and mode & 0o6000:
        # chown clears set-uid/set-gid: restore them through an fd of this very inode.
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
        try:
            now = os.fstat(fd)
            if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino) or now.st_nlink > 1:
                return
            os.fchown(fd, uid, gid)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        return
    os.chown(name, uid, gid, dir_fd=dir_fd, follow_symlinks=False)


def claim(path: str | os.PathLike[str], uid: int | None = None, gid: int | None = None) -> Path:
    """Make directory PATH (created if missing) and everything in it owned by the sandbox id.

    Returns the resolved path.  Cheap when already done (top owner + marker)."""
    if uid is None or gid is None:
        uid, gid = sandbox_identity()
    target = Path(os.path.realpath(path))
    why = _refused(target)
    if why is not None:
        raise SandboxError(f"refusing to make {target} writable for the build: {why}",
                           "point the cache or output somewhere pyguix owns")
    try:
        target.mkdir(parents=True, exist_ok=True, mode=0o755)
        top = os.open(target, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as e:
        raise SandboxError(f"cannot prepare {target} for the sandboxed build: {e.strerror or e}") from None
    try:
        st = os.fstat(top)
        if st.st_uid == uid and st.st_gid == gid and _marker_ok(top, uid, gid):
            return target
        device = st.st_dev
        try:
            os.fchown(top, uid, gid)
            for _root, dirs, files, root_fd in os.fwalk(top=".", dir_fd=top, follow_symlinks=False):
                keep = []
                for name in dirs:
                    sub = os.stat(name, dir_fd=root_fd, follow_symlinks=False)
                    if sub.st_dev != device:
                        continue  # a mount point: not ours
                    _hand_over(name, root_fd, sub, uid, gid)
                    keep.append(name)
                dirs[:] = keep
                for name in files:
                    if name == MARKER and root_fd == top:
                        continue
                    sub = os.stat(name, dir_fd=root_fd, follow_symlinks=False)
                    if sub.st_dev != device:
                        continue
                    if not stat.S_ISDIR(sub.st_mode) and sub.st_nlink > 1 and not stat.S_ISLNK(sub.st_mode):
                        continue  # might be a host file linked in: never chown it
                    _hand_over(name, root_fd, sub, uid, gid)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(MARKER, dir_fd=top)
            fd = os.open(MARKER, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644,
                         dir_fd=top)
            try:
                os.write(fd, f"{uid}:{gid}\n".encode())
            finally:
                os.close(fd)
        except OSError as e:
            raise SandboxError(
                f"cannot hand {target} over to the sandbox user {uid}:{gid}: {e.strerror or e}",
                f"use a directory on a file system with Unix owners, or set {DISABLE_ENV}=1 "
                "to build as root without the sandbox") from None
    finally:
        os.close(top)
    return target


def _forget_markers(writable: Sequence[str | os.PathLike[str]]) -> None:
    for path in writable:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(os.path.realpath(path), MARKER))


# --- the privileged final step ----------------------------------------------------------


def install_result(src: str | os.PathLike[str], dest: str | os.PathLike[str], mode: int = 0o644) -> None:
    """Move the regular file SRC (written by the sandbox) to DEST: the one privileged step.

    SRC must be a regular file with one link (not a symbolic link, not a hard
    link to a host file); it is first renamed next to DEST, then checked
    through an fd, made owned by the caller (chown) with MODE, and renamed
    over DEST.  DEST's directory is opened once, without following a link
    in its last component."""
    src, dest = Path(src), Path(dest)
    dest_dir = os.open(dest.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    src_dir = os.open(src.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    staging = f".{dest.name}.install-{os.getpid()}"
    try:
        os.replace(src.name, staging, src_dir_fd=src_dir, dst_dir_fd=dest_dir)
        try:
            fd = os.open(staging, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dest_dir)
        except OSError as e:
            os.unlink(staging, dir_fd=dest_dir)
            raise BuildError(f"the build's result {src} is not a regular file ({e.strerror})") from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
                os.unlink(staging, dir_fd=dest_dir)
                raise BuildError(f"the build's result {src} is not a regular file with a single link")
            if os.geteuid() == 0:
                os.fchown(fd, os.geteuid(), os.getegid())
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        os.replace(staging, dest.name, src_dir_fd=dest_dir, dst_dir_fd=dest_dir)
    finally:
        os.close(src_dir)
        os.close(dest_dir)


# --- the child ----------------------------------------------------------------------------


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _prctl(libc: ctypes.CDLL, option: int, arg2: int = 0, arg3: int = 0) -> None:
    if libc.prctl(ctypes.c_int(option), ctypes.c_ulong(arg2), ctypes.c_ulong(arg3),
                  ctypes.c_ulong(0), ctypes.c_ulong(0)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl({option}): {os.strerror(err)}")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _capset(libc: ctypes.CDLL, caps: Sequence[int]) -> None:
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    for cap in caps:
        bit = 1 << (cap % 32)
        data[cap // 32].effective |= bit
        data[cap // 32].permitted |= bit
        data[cap // 32].inheritable |= bit
    if libc.capset(ctypes.byref(header), data) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"capset: {os.strerror(err)}")


def _last_cap() -> int:
    try:
        with open("/proc/sys/kernel/cap_last_cap") as f:
            return int(f.read())
    except (OSError, ValueError):
        return 63


def drop_privileges(uid: int, gid: int) -> None:
    """In the child: become UID:GID keeping only CAP_DAC_READ_SEARCH (also for programs it runs)."""
    libc = _libc()
    for cap in range(_last_cap() + 1):  # bounding set: needs CAP_SETPCAP, so before setresuid
        if cap != CAP_DAC_READ_SEARCH:
            try:
                _prctl(libc, PR_CAPBSET_DROP, cap)
            except OSError as e:
                if e.errno not in (errno.EINVAL, errno.EPERM):
                    raise
    os.setgroups([])
    _prctl(libc, PR_SET_KEEPCAPS, 1)
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    _capset(libc, [CAP_DAC_READ_SEARCH])
    _prctl(libc, PR_SET_KEEPCAPS, 0)
    _prctl(libc, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    _prctl(libc, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_DAC_READ_SEARCH)
    _prctl(libc, PR_SET_NO_NEW_PRIVS, 1)
    _prctl(libc, PR_SET_DUMPABLE, 0)
    _prctl(libc, PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getuid() != uid or os.geteuid() != uid or os.getgid() != gid or os.getgroups():
        raise OSError(errno.EPERM, "the sandbox identity did not take effect")


def _child_signal_handlers() -> None:
    last: dict[int, float] = {}

    def handler(signum, frame):
        now = time.monotonic()
        previous = last.get(signum)
        last[signum] = now
        if previous is not None and now - previous < DUPLICATE_WINDOW:
            return  # the same Ctrl-C, delivered by the terminal and forwarded by the parent
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated(signum)

    for signum in FORWARDED:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, handler)


def _encode_exception(exc: BaseException) -> bytes:
    text = "".join(traceback.format_exception(exc))
    try:
        data = pickle.dumps(("raise", exc, text))
        pickle.loads(data)
        return data
    except Exception:
        pass
    state = {}
    for key, value in getattr(exc, "__dict__", {}).items():
        try:
            pickle.loads(pickle.dumps(value))
            state[key] = value
        except Exception:
            pass
    try:
        data = pickle.dumps(("rebuild", type(exc), exc.args, state, text))
        pickle.loads(data)
        return data
    except Exception:
        return pickle.dumps(("raise", BuildError(f"{type(exc).__name__}: {exc}"), text))


def _child(fn: Callable[..., Any], args: tuple, uid: int, gid: int, write_fd: int, tmpdir: Path | None) -> None:
    """Never returns: os._exit."""
    code = 0
    try:
        _child_signal_handlers()
        try:
            drop_privileges(uid, gid)
            if tmpdir is not None:
                import tempfile

                os.environ["TMPDIR"] = str(tmpdir)
                tempfile.tempdir = None
            result = fn(*args)
            try:
                payload = pickle.dumps(("return", result))
            except Exception as e:
                raise BuildError(f"the sandboxed build step's result cannot be sent back: {e}") from e
        except BaseException as e:  # noqa: BLE001 - everything goes back to the parent
            payload = _encode_exception(e)
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(payload)
    except BaseException:  # noqa: BLE001
        code = 70
        with contextlib.suppress(BaseException):  # noqa: BLE001
            traceback.print_exc()
    finally:
        try:
            import logging

            logging.shutdown()
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001
            pass
        os._exit(code)


# --- the parent ------------------------------------------------------------------------------


def run_unprivileged(fn: Callable[..., T], *args: Any, writable: Sequence[str | os.PathLike[str]] = (),
                     tmpdir: str | os.PathLike[str] | None = None) -> T:
    """FN(*ARGS); as root, in a child running as the sandbox identity that may
    write only in WRITABLE (plus world-writable places such as /tmp).

    TMPDIR, if given, becomes the child's $TMPDIR (it should be in WRITABLE).
    Returns FN's result or raises its exception (see the module docstring)."""
    if os.geteuid() != 0:
        return fn(*args)
    if sandbox_disabled():
        _forget_markers(writable)
        return fn(*args)
    uid, gid = sandbox_identity()
    for path in writable:
        claim(path, uid, gid)

    received: list[int] = []
    child = 0
    previous: dict[int, Any] = {}

    def forward(signum, frame):
        received.append(signum)
        if child:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signum)

    signum: int  # a signal.Signals from FORWARDED, or a plain number from `received`
    try:
        for signum in FORWARDED:
            old = signal.getsignal(signum)
            if old is signal.SIG_IGN or old is None:
                continue
            previous[signum] = old
            signal.signal(signum, forward)
    except ValueError:  # not the main thread: no forwarding
        for signum, old in previous.items():
            signal.signal(signum, old)
        previous.clear()

    status = 0
    data = b""
    try:
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            _child(fn, args, uid, gid, write_fd, Path(tmpdir) if tmpdir is not None else None)
        child = pid
        os.close(write_fd)
        for signum in received:  # arrived between installing the handlers and fork
            os.kill(pid, signum)
        chunks = []
        with os.fdopen(read_fd, "rb") as pipe:
            while chunk := pipe.read(1 << 16):
                chunks.append(chunk)
        data = b"".join(chunks)
        _, status = os.waitpid(pid, 0)
        child = 0
    finally:
        if child:  # interrupted by an exception in the parent itself: do not leave the child behind
            try:
                os.kill(child, signal.SIGTERM)
                os.waitpid(child, 0)
            except OSError:
                pass
            child = 0
        for signum, old in previous.items():
            signal.signal(signum, old)

    for signum in dict.fromkeys(received):
        signal.raise_signal(signum)  # the caller's own handler: KeyboardInterrupt, death...
    return _outcome(data, status)


def _outcome(data: bytes, status: int) -> Any:
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        raise BuildError(f"the sandboxed build process was killed by {name}",
                         "it may have run out of memory (see dmesg)" if name == "SIGKILL" else None)
    if not data:
        raise BuildError(f"the sandboxed build process exited with status {os.WEXITSTATUS(status)} "
                         "without a result")
    message = pickle.loads(data)
    if message[0] == "return":
        return message[1]
    if message[0] == "raise":
        exc, text = message[1], message[2]
    else:
        _, cls, args, state, text = message
        exc = cls.__new__(cls, *args)
        exc.args = args
        exc.__dict__.update(state)
    if isinstance(exc, Terminated):
        raise BuildError(f"the sandboxed build process was {exc}")
    raise exc from RemoteTraceback(text)
