"""grub.cfg text generated from the OS plan (as Guix's grub-configuration-file writes it).

The shape follows what Guix's `grub-configuration-file` writes: two header
comment lines, the terminal set-up, `set default` / `set timeout`, one menu
entry named after the OS label with a root search, the `linux` and `initrd`
lines, and the EFI "Firmware setup" trailer.  Differences, on purpose:

* `root=` names the root partition as ``UUID=<uuid>`` or ``LABEL=<label>``
  (what our busybox initrd resolves with findfs) instead of Guix's bare
  UUID; Guix's other keys (`gnu.system=`, `gnu.load=`) are kept as they are.
* `gfxterm` needs unicode.pf2 and video modules that images do not carry, so
  it is shown as `console`.
* When a serial unit or speed is configured the serial terminal is enabled
  even if `terminal-outputs` forgot `serial`, and `serial` comes first so the
  port is set up before the terminal uses it.
* The theme (background image, colours) and locale lines are left out: no
  fonts, PNG or .mo files are installed.
* Each kernel argument is one GRUB word: single-quoted when GRUB's lexer
  would otherwise split it or act on it (`;`, `$`, `{`, quotes, spaces), so
  no argument can end the `linux` line or start another command.  Guix writes
  them verbatim.  Control characters are refused (lowering refuses them first).

Hurd entries load GNU Mach with `multiboot` plus one `module` line per Hurd
server given.
"""

from __future__ import annotations

from collections.abc import Sequence

from builders.plan import BootloaderPlan, OsPlan
from builders.validate import CONTROL, grub_word

HEADER = (
    "# This file was generated from your Guix configuration.  Any changes\n"
    "# will be lost upon reconfiguration.\n"
)

SYSTEM = "/run/current-system"
VALID_OUTPUTS = ("console", "serial", "serial_0", "serial_1", "serial_2", "serial_3",
                 "gfxterm", "vga_text", "mda_text", "morse", "spkmodem")
VALID_INPUTS = ("console", "serial", "serial_0", "serial_1", "serial_2", "serial_3",
                "at_keyboard", "usb_keyboard")
SERIAL_TERMINALS = ("serial", "serial_0", "serial_1", "serial_2", "serial_3")
# Terminals we cannot offer in an image (no fonts, no video modules): shown as console.
FALLBACK_OUTPUTS = {"gfxterm": "console"}


def _int_or_none(value: object) -> int | None:
    """Plan fields may carry #f (False) for 'unset'; only real integers count."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def grub_string(text: str) -> str:
    """TEXT as a double-quoted GRUB word (like Scheme's `write`, as Guix uses ~s)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


def root_argument(root_uuid: str | None, root_label: str | None) -> str:
    """The `root=` kernel argument our initrd understands."""
    if root_uuid:
        return f"root=UUID={root_uuid.lower()}"
    if root_label:
        return f"root=LABEL={root_label}"
    raise ValueError("the root partition needs a UUID or a label")


def root_search(root_uuid: str | None, root_label: str | None) -> str:
    """GRUB's command setting $root to the root partition (Guix's form)."""
    if root_uuid:
        return f"search --fs-uuid --set {root_uuid.lower()}"
    if root_label:
        return f"search --label --set {grub_string(root_label)}"
    raise ValueError("the root partition needs a UUID or a label")


def kernel_command_line(os_plan: OsPlan, root_uuid: str | None, root_label: str | None = None) -> list[str]:
    """root=, gnu.system=, gnu.load=, then the OS's kernel-arguments."""
    return [root_argument(root_uuid, root_label), f"gnu.system={SYSTEM}", f"gnu.load={SYSTEM}/boot",
            *os_plan.kernel_arguments]


def terminal_lines(boot: BootloaderPlan) -> list[str]:
    """`serial`, `terminal_output`, `terminal_input` lines (empty for a plain console)."""
    unit, speed = _int_or_none(boot.serial_unit), _int_or_none(boot.serial_speed)
    outputs: list[str] = []
    for name in boot.terminal_outputs:
        name = FALLBACK_OUTPUTS.get(name, name)
        if name in VALID_OUTPUTS and name not in outputs:
            outputs.append(name)
    serial_wanted = any(o in SERIAL_TERMINALS for o in outputs) or unit is not None or speed is not None
    if not serial_wanted:
        return [] if outputs in ([], ["console"]) else [f"terminal_output {' '.join(outputs)}"]
    if not any(o in SERIAL_TERMINALS for o in outputs):
        outputs.insert(0, "serial")
    # serial first: GRUB starts using the port as soon as it is a terminal.
    outputs.sort(key=lambda o: o not in SERIAL_TERMINALS)
    if "console" not in outputs:
        outputs.append("console")
    inputs = [o for o in outputs if o in VALID_INPUTS]
    serial = "serial"
    if unit is not None:
        if not 0 <= unit <= 3:
            raise ValueError(f"serial unit {unit} is not a COM port (0 to 3)")
        serial += f" --unit={unit}"
    if speed is not None:
        serial += f" --speed={speed}"
    return [serial, f"terminal_output {' '.join(outputs)}", f"terminal_input {' '.join(inputs)}"]


def command_line(args: Sequence[str]) -> str:
    """ARGS as GRUB words of one line."""
    for arg in args:
        if CONTROL.search(arg):
            raise ValueError(f"kernel argument {arg!r} contains a control character")
    return " ".join(grub_word(a) for a in args)


def linux_entry(label: str, search: str, kernel_path: str, args: Sequence[str], initrd_path: str) -> str:
    return (
        f"menuentry {grub_string(label)} {{\n"
        f"  {search}\n"
        f"  linux {kernel_path} {command_line(args)}\n"
        f"  initrd {initrd_path}\n"
        "}\n"
    )


def hurd_entry(label: str, search: str, gnumach_path: str, args: Sequence[str], modules: Sequence[str]) -> str:
    lines = [f"menuentry {grub_string(label)} {{", f"  {search}", f"  multiboot {gnumach_path} {command_line(args)}"]
    lines += [f"  module {m}" for m in modules]
    lines.append("}")
    return "\n".join(lines) + "\n"


def hurd_modules(ext2fs: str, exec_server: str, ld_so: str | None = None) -> list[str]:
    """Guix's two `module` lines for a Hurd boot (gnu/system.scm, `hurd-multiboot-modules`).

    First the root file system server, ext2fs.static, which receives the
    kernel's ports and the root device ('${root}', i.e. the multiboot line's
    `root=`) and reads passive translators from `gnu.translator` extended
    attributes; then the exec server, which ext2fs resumes once it is ready.
    With LD_SO the dynamically linked exec is started through the loader
    (`<ld.so> exec <exec> ...`); without, EXEC_SERVER is exec.static
    (`<exec.static> exec ...`, Guix's form since 2022-10).  The first word
    after the file is the server's argv[0].
    """
    root_fs = (f"{ext2fs} ext2fs --multiboot-command-line='${{kernel-command-line}}' "
               "--host-priv-port='${host-port}' --device-master-port='${device-port}' "
               "--exec-server-task='${exec-task}' --store-type=typed --x-xattr-translator-records "
               "'${root}' '$(task-create)' '$(task-resume)'")
    if ld_so:
        exec_line = f"{ld_so} exec {exec_server} '$(exec-task=task-create)'"
    else:
        exec_line = f"{exec_server} exec '$(exec-task=task-create)'"
    return [root_fs, exec_line]


def grub_cfg(
    os_plan: OsPlan,
    *,
    root_uuid: str | None,
    kernel_path: str,
    initrd_path: str | None,
    hurd: bool = False,
    root_label: str | None = None,
    root_partition_index: int = 1,
    hurd_module_lines: Sequence[str] = (),
) -> str:
    """The text of /boot/grub/grub.cfg for OS_PLAN.

    ROOT_UUID (preferred) or ROOT_LABEL names the root file system.
    KERNEL_PATH and INITRD_PATH are paths on that file system.  With HURD,
    KERNEL_PATH is GNU Mach (e.g. /boot/gnumach.gz), loaded with multiboot,
    the root is `device:hd0s<ROOT_PARTITION_INDEX>` and HURD_MODULE_LINES
    (see `hurd_modules`) become `module` lines; INITRD_PATH is ignored.
    """
    boot = os_plan.bootloader
    out = [HEADER]
    terminal = terminal_lines(boot)
    if terminal:
        out.append("\n".join(terminal) + "\n")
    default = _int_or_none(boot.default_entry) or 0
    timeout = _int_or_none(boot.timeout)
    out.append(f"set default={default}\nset timeout={5 if timeout is None else timeout}\n\n")
    search = root_search(root_uuid, root_label)
    if hurd:
        args = [f"root=device:hd0s{root_partition_index}", *os_plan.kernel_arguments]
        if not any(a.startswith("console=") for a in args):
            args.append("console=com0")
        out.append(hurd_entry(os_plan.label, search, kernel_path, args, hurd_module_lines))
    else:
        if not initrd_path:
            raise ValueError("a Linux menu entry needs an initrd")
        args = kernel_command_line(os_plan, root_uuid, root_label)
        out.append(linux_entry(os_plan.label, search, kernel_path, args, initrd_path))
    out.append('\nif [ "${grub_platform}" == efi ]; then\n'
               '  menuentry "Firmware setup" {\n    fwsetup\n  }\nfi\n')
    return "".join(out)


__all__ = ["grub_cfg", "hurd_modules", "kernel_command_line", "root_argument", "root_search", "terminal_lines"]
