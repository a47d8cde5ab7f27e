"""The one door through which builders run external tools.

Rules (the project's rule for external tools): argv is a list, never a
shell string; stdin is /dev/null unless INPUT is given; stdout and stderr are
captured; the environment is rebuilt from a short whitelist with LC_ALL=C and
TZ=UTC, so that tool output (sorting, dates) does not depend on the caller.
A tool is found with `shutil.which` (the sbin directories are searched too,
since ordinary users often lack them in PATH); `PYGUIX_TOOL_<NAME>=/path`
overrides the lookup, e.g. PYGUIX_TOOL_MKFS_FAT for mkfs.fat.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Mapping, Sequence

from builders.errors import BuildError

log = logging.getLogger(__name__)

# Which Debian package provides each tool we may call.
TOOL_PACKAGES: dict[str, str] = {
    "mke2fs": "e2fsprogs",
    "e2fsck": "e2fsprogs",
    "debugfs": "e2fsprogs",
    "dumpe2fs": "e2fsprogs",
    "mkfs.fat": "dosfstools",
    "fsck.fat": "dosfstools",
    "mcopy": "mtools",
    "mdir": "mtools",
    "qemu-img": "qemu-utils",
    "xorriso": "xorriso",
    "sfdisk": "fdisk",
    "sgdisk": "gdisk",
    "grub-mkimage": "grub-common",
    "qemu-system-x86_64": "qemu-system-x86",
    "qemu-system-aarch64": "qemu-system-arm",
    "guile": "guile-3.0",
    "zstd": "zstd",
    "isoinfo": "genisoimage",
}

# Variables passed through from our environment; everything else is dropped.
ENV_WHITELIST = ("PATH", "TMPDIR", "HOME")
EXTRA_SEARCH_DIRS = ("/usr/local/sbin", "/usr/sbin", "/sbin")
STDERR_TAIL_LINES = 20


class ToolMissing(BuildError):
    """An external tool could not be found (or its override does not exist)."""

    def __init__(self, tool: str, detail: str | None = None) -> None:
        package = TOOL_PACKAGES.get(tool)
        message = f"required tool '{tool}' not found" + (f" ({detail})" if detail else "")
        hint = f"install the Debian package '{package}' (apt-get install {package})" if package else None
        super().__init__(message, hint)
        self.tool = tool
        self.package = package


class ToolFailed(BuildError):
    """An external tool exited with an unexpected status."""

    def __init__(self, argv: Sequence[str], returncode: int, stderr: str) -> None:
        tail = "\n".join(stderr.rstrip().splitlines()[-STDERR_TAIL_LINES:])
        status = f"exit code {returncode}" if returncode else "errors reported despite exit code 0"
        message = f"command failed ({status}): {shlex.join(argv)}"
        if tail:
            message += "\n" + tail
        super().__init__(message)
        self.argv = list(argv)
        self.returncode = returncode
        self.stderr = stderr


def override_variable(tool: str) -> str:
    """Name of the environment variable overriding TOOL's location."""
    return "PYGUIX_TOOL_" + re.sub(r"[^A-Za-z0-9]", "_", tool).upper()


def find_tool(tool: str) -> str:
    """Absolute path of TOOL, honouring PYGUIX_TOOL_<NAME>; raise ToolMissing."""
    override = os.environ.get(override_variable(tool))
    if override:
        if os.path.isfile(override) and os.access(override, os.X_OK, effective_ids=True):
            return override
        raise ToolMissing(tool, f"{override_variable(tool)}={override} is not an executable file")
    if os.sep in tool:
        # A path (e.g. a binary of an extracted package).  Checked with the effective
        # ids and capabilities: under the build sandbox (builders/sandbox.py) the
        # real-id check that shutil.which makes would fail inside root's 0700 dirs.
        if os.path.isfile(tool) and os.access(tool, os.X_OK, effective_ids=True):
            return tool
        raise ToolMissing(tool)
    search = os.pathsep.join([os.environ.get("PATH", os.defpath), *EXTRA_SEARCH_DIRS])
    found = shutil.which(tool, path=search)
    if found is None:
        raise ToolMissing(tool)
    return found


def tool_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment every tool runs in: whitelist + fixed locale and zone + EXTRA."""
    env = {name: os.environ[name] for name in ENV_WHITELIST if name in os.environ}
    env["LC_ALL"] = "C"
    env["TZ"] = "UTC"
    env.update(extra or {})
    return env


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    input: bytes | None = None,
    ok_returncodes: tuple[int, ...] = (0,),
) -> subprocess.CompletedProcess[bytes]:
    """Run ARGV[0] (looked up with `find_tool`) with the rest of ARGV.

    ENV adds to the fixed environment.  Exit codes outside OK_RETURNCODES
    raise ToolFailed (showing the command and the end of its stderr).
    """
    args = [os.fspath(a) for a in argv]
    tool = args[0]
    executable = find_tool(tool)
    log.debug("+ %s", shlex.join(args))
    try:
        proc = subprocess.run(
            [executable, *args[1:]],
            env=tool_environment(env),
            cwd=cwd,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
    except (FileNotFoundError, PermissionError) as exc:
        raise ToolMissing(tool, str(exc)) from exc
    if proc.returncode not in ok_returncodes:
        raise ToolFailed(args, proc.returncode, proc.stderr.decode("utf-8", "replace"))
    return proc


def tool_available(tool: str) -> bool:
    """True if TOOL can be found (used by tests and optional steps)."""
    try:
        find_tool(tool)
    except ToolMissing:
        return False
    return True


__all__ = ["TOOL_PACKAGES", "ToolFailed", "ToolMissing", "find_tool", "run", "tool_available"]
