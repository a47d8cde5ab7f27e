"""The command line: `pyguix system image|disk-image [-t TYPE] FILE`.

This is the only place that prints errors and exits.  User mistakes are
rendered as FILE:LINE:COL: error: ... (exit 1) with no traceback unless
--debug; Ctrl-C exits 130 with one line.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from enum import StrEnum
from pathlib import Path

import typer

from builders.frontend import (
    DEFAULT_IMAGE_TYPE,
    _apply_options,
    _image_from_value,
    _interpreter,
    list_image_types,
)
from schemeconf.errors import SchemeError, render

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Build GNU Guix System images from Guix configuration files.")
system_app = typer.Typer(no_args_is_help=False, help="Build and inspect operating system images.")
app.add_typer(system_app, name="system")



class Qcow2Compression(StrEnum):
    zstd = "zstd"    # what Guix uses today
    zlib = "zlib"
    none = "none"


class Init(StrEnum):
    """What runs the system (builders/context.py BuildOptions.init)."""

    shepherd = "shepherd"    # the declared system: Debian's packages, GNU Shepherd as PID 1 (the default)
    busybox = "busybox"      # a busybox stand-in (inittab + rcS), small and quick to boot


class DebianRelease(StrEnum):
    """Where substitutes come from (builders/context.py DEBIAN_RELEASES, substitutes/apt.py RELEASES)."""

    trixie = "trixie"        # Debian 13, the default
    bookworm = "bookworm"    # Debian 12


_UNITS = {"": 1, "B": 1, "K": 1024, "KiB": 1024, "k": 1024, "M": 1024**2, "MiB": 1024**2, "G": 1024**3,
          "GiB": 1024**3, "T": 1024**4, "TiB": 1024**4, "kB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4}


def size_to_number(text: str) -> int:
    """Guix's size->number: "4GiB" -> 4294967296, "100MB" -> 100000000."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", text)
    if not m or m.group(2) not in _UNITS:
        raise typer.BadParameter(f"invalid size: {text!r} (examples: 4GiB, 500M, 100MB)")
    return round(float(m.group(1)) * _UNITS[m.group(2)])


@system_app.callback(invoke_without_command=True)
def system(
    ctx: typer.Context,
    list_image_types_: bool = typer.Option(
        False, "--list-image-types", help="List the available image types and exit."),
    load_path: list[Path] = typer.Option(
        [], "-L", "--load-path", help="Add DIR to the front of the module search path."),
    debug: bool = typer.Option(False, "--debug", help="Show every external command run, and Python tracebacks."),
) -> None:
    if list_image_types_:
        names = _guarded(lambda: list_image_types([Path(p) for p in load_path]), debug)
        typer.echo("The available image types are:\n")
        for name in names:
            typer.echo(f"   - {name} ")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(1)


def _guarded(fn, debug: bool):
    """Run FN; turn user errors into one clear message and an exit code.
    With DEBUG, every external command is shown and errors keep their traceback."""
    from builders.errors import BuildError
    from builders.progress import configure_logging

    configure_logging(debug)

    try:
        return fn()
    except SchemeError as e:
        if debug:
            raise
        typer.echo(render(e), err=True)
        raise typer.Exit(1) from None
    except BuildError as e:
        if debug:
            raise
        typer.echo(f"pyguix: error: {e}", err=True)  # str(e) includes the hint
        raise typer.Exit(1) from None
    except OSError as e:
        if debug:
            raise
        where = f": {e.filename}" if e.filename else ""
        typer.echo(f"pyguix: error: {e.strerror or e}{where}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt as e:
        if isinstance(e, Terminated):
            typer.echo("pyguix: terminated", err=True)
            raise typer.Exit(143) from None
        typer.echo("pyguix: interrupted", err=True)
        raise typer.Exit(130) from None


def run_image(file: Path | None, expression: str | None, image_type: str | None, load_path: list[Path],
              image_size: str | None, label: str | None, volatile: bool, dry_run: bool, plan_json: bool,
              output: str | Path | None, quiet: bool, debug: bool, system: str | None = None,
              target: str | None = None, substitutes: Path | None = None, strict: bool = False,
              then=None, qcow2_compression: str = "zstd", debian_release: str = "trixie",
              init: str = "shepherd") -> None:
    from schemeconf.interpreter import run_deep

    if file is None and expression is None:
        typer.echo("pyguix: error: no configuration file given\nhint: pyguix system image [-t TYPE] FILE", err=True)
        raise typer.Exit(1)
    size = size_to_number(image_size) if image_size else None
    if output is not None:
        from builders.pipeline import check_output

        # Before any work, and on the text as typed: Path() would drop a trailing '/'.
        _guarded(lambda: check_output(output, (), substitutes), debug)
    if substitutes is not None:
        from builders.substitutes import check_substitutes_dir

        _guarded(lambda: check_substitutes_dir(substitutes), debug)

    def work():
        from builders.lowering.layout import layout, render_table
        from builders.lowering.lower import lower_image
        from builders.lowering.show import image_source

        interp = _interpreter(load_path)
        if expression is not None:
            value = interp.eval_string(expression, name="<expression>")
            source = "<expression>"
        else:
            value = interp.load_file(file)
            source = str(file)
        image, type_name = run_deep(lambda: _image_from_value(interp, value, image_type, source))
        image = run_deep(lambda: _apply_options(interp, image, label, size, volatile, system, target))
        plan = run_deep(lambda: lower_image(image, type_name))
        if plan_json:
            typer.echo(plan.to_json())
            return
        if dry_run:
            typer.echo(run_deep(lambda: image_source(image)))
            typer.echo("")
            typer.echo(render_table(layout(plan)))
            return
        from builders.context import BuildOptions
        from builders.pipeline import build_image

        host_files, variables = host_inputs(interp)
        read: list[str | Path] = [*([file] if file else []), *host_files]
        options = BuildOptions(substitutes=substitutes, strict=strict,
                               qcow2_compression=None if qcow2_compression == "none" else qcow2_compression,
                               debian_release=debian_release, init=init)
        path = build_image(plan, output=None if output is None else Path(os.fspath(output)), quiet=quiet,
                           options=options, inputs=tuple(Path(f) for f in read))
        report_host_inputs(host_files, variables, Path(file).parent if file else Path.cwd(), quiet)
        if then is not None:
            then(plan, path)
        else:
            typer.echo(str(path))

    _guarded(work, debug)


def host_inputs(interp) -> tuple[list[str], list[str]]:
    """(host files the configuration read, environment variables it read)."""
    getter = getattr(interp, "host_inputs", None)
    return getter() if getter is not None else ([], [])


def report_host_inputs(files: list[str], variables: list[str], config_dir: Path, quiet: bool) -> None:
    """After a build: what the configuration took from this machine, beyond its
    own directory (Guix allows it; the user should know what went in)."""
    if quiet:
        return
    base = os.path.realpath(config_dir).rstrip("/") + "/"
    outside = [f for f in files if not os.path.realpath(f).startswith(base)]
    if outside:
        typer.echo("pyguix: note: the configuration embedded these files from outside its directory:\n"
                   + "".join(f"  {f}\n" for f in outside), err=True, nl=False)
    if variables:
        typer.echo("pyguix: note: the configuration read these environment variables: "
                   + ", ".join(variables), err=True)


def _image_command(
    file: Path | None = typer.Argument(None, help="Configuration file: an operating-system or an image."),
    image_type: str | None = typer.Option(
        None, "-t", "--image-type", help=f"Image type (default {DEFAULT_IMAGE_TYPE}); see --list-image-types."),
    load_path: list[Path] = typer.Option(
        [], "-L", "--load-path", help="Add DIR to the front of the module search path."),
    expression: str | None = typer.Option(None, "-e", "--expression", help="Build the image EXPR evaluates to."),
    image_size: str | None = typer.Option(None, "--image-size", help="Size of the root partition, e.g. 4GiB."),
    label: str | None = typer.Option(None, "--label", help="Label of the image's first partition."),
    volatile: bool = typer.Option(
        False, "--volatile", help="Make the root file system volatile (read-only + tmpfs overlay)."),
    system_: str | None = typer.Option(None, "--system", help="Build for SYSTEM, e.g. aarch64-linux."),
    target: str | None = typer.Option(None, "--target", help="Cross-build for TRIPLET."),
    dry_run: bool = typer.Option(False, "-n", "--dry-run", help="Print the image and its disk layout; build nothing."),
    plan: bool = typer.Option(False, "--plan", help="Print the build plan as JSON; build nothing."),
    output: str | None = typer.Option(None, "-o", "--output", help="Write the image to PATH."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress output."),
    debug: bool = typer.Option(False, "--debug", help="Show every external command run, and Python tracebacks."),
    substitutes: Path | None = typer.Option(
        None, "--substitutes", help="A directory of .deb files to take packages from first (offline builds)."),
    strict: bool = typer.Option(
        False, "--strict", help="Packages or services that cannot be realized are errors, not warnings."),
    qcow2_compression: Qcow2Compression = typer.Option(
        Qcow2Compression.zstd, "--qcow2-compression", help="Compression of qcow2 clusters."),
    debian_release: DebianRelease = typer.Option(
        DebianRelease.trixie, "--debian-release", help="The Debian release packages come from."),
    init: Init = typer.Option(
        Init.shepherd, "--init", envvar="PYGUIX_INIT",
        help="shepherd: the declared system (default); busybox: a small stand-in."),
) -> None:
    """Build an image of the operating system (or image) FILE declares."""
    run_image(file, expression, image_type, [Path(p) for p in load_path], image_size, label, volatile,
              dry_run, plan, output, quiet, debug, system_, target, substitutes, strict,
              qcow2_compression=qcow2_compression.value, debian_release=debian_release.value, init=init.value)


system_app.command("image")(_image_command)


@system_app.command("vm")
def vm(
    file: Path | None = typer.Argument(None, help="Configuration file: an operating-system."),
    image_type: str = typer.Option("qcow2", "-t", "--image-type", help="Image type to boot (default qcow2)."),
    load_path: list[Path] = typer.Option(
        [], "-L", "--load-path", help="Add DIR to the front of the module search path."),
    expression: str | None = typer.Option(None, "-e", "--expression", help="Boot the system EXPR evaluates to."),
    image_size: str | None = typer.Option(None, "--image-size", help="Size of the root partition, e.g. 4GiB."),
    run: bool = typer.Option(False, "--run", help="Start the virtual machine now, on this terminal."),
    substitutes: Path | None = typer.Option(
        None, "--substitutes", help="A directory of .deb files to take packages from first."),
    debian_release: DebianRelease = typer.Option(
        DebianRelease.trixie, "--debian-release", help="The Debian release packages come from."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress output."),
    debug: bool = typer.Option(False, "--debug", help="Show every external command run, and Python tracebacks."),
) -> None:
    """Build a virtual machine image of FILE and print the script that boots it in QEMU."""
    import os

    from builders.vm import SSH_HOST_PORT, ssh_hint, write_script

    def boot(plan, image: Path) -> None:
        fmt = "qcow2" if plan.format == "compressed-qcow2" else "raw"
        script = write_script(image, plan.system, image.with_name(image.name + "-run-vm.sh"), fmt=fmt,
                              uefi=plan.os.bootloader.name.startswith("grub-efi"), os_plan=plan.os)
        if run:
            os.execv(str(script), [str(script)])
        typer.echo(str(script))
        hint = ssh_hint(plan.os, int(os.environ.get("PYGUIX_VM_SSH_PORT", SSH_HOST_PORT)))
        if hint:
            typer.echo(f"# once it has booted: {hint}", err=True)

    run_image(file, expression, image_type, [Path(p) for p in load_path], image_size, None, False,
              False, False, None, quiet, debug, None, None, substitutes, False, then=boot,
              debian_release=debian_release.value)
system_app.command("disk-image",
                   help="Same as 'image' (the spelling of Guix's image API announcement).")(_image_command)


@system_app.command("describe")
def describe(
    file: Path | None = typer.Argument(
        None, help="Configuration file: an operating-system, an image or an image type."),
    image_type: str | None = typer.Option(
        None, "-t", "--image-type", help="Also describe the image this type makes of the OS; see --list-image-types."),
    load_path: list[Path] = typer.Option(
        [], "-L", "--load-path", help="Add DIR to the front of the module search path."),
    expression: str | None = typer.Option(None, "-e", "--expression", help="Describe what EXPR evaluates to."),
    debug: bool = typer.Option(False, "--debug", help="Show every external command run, and Python tracebacks."),
) -> None:
    """Print what Guix makes of FILE, as S-expressions; build nothing.

    For an operating system: host name, timezone, locale, kernel, kernel
    arguments, initrd modules, firmware, bootloader (targets, timeout,
    terminals, serial), file systems (device, mount point, type, options,
    flags, needed-for-boot?, check?), swap and mapped devices, users, groups,
    package names and service types, in order.

    With -t TYPE (or when FILE is an image): the image record (name, format,
    platform, size, partition table, each partition's size, offset, label,
    file system, options, flags, initializer), the image as the command line
    hands it on (cli-image), and the verdict of the image checks:
    (system-image (ok ...)) or (system-image (error "...")), e.g. "EFI
    bootloader required with GPT partitioning".

    The output has the shape of the real Guix's summary, so the two can be
    compared field by field; a field that fails to compute shows as
    (error "message").

    \b
    Examples:
      pyguix system describe config.scm
      pyguix system describe -t efi-raw config.scm
    """
    from builders.describe import describe as describe_file
    from builders.describe import render

    if file is None and expression is None:
        typer.echo("pyguix: error: no configuration file given\nhint: pyguix system describe [-t TYPE] FILE", err=True)
        raise typer.Exit(1)
    forms = _guarded(lambda: describe_file(file, image_type, [Path(p) for p in load_path], expression), debug)
    typer.echo(render(forms), nl=False)


class Terminated(KeyboardInterrupt):
    """SIGTERM: unwinds like Ctrl-C, so that every clean-up runs."""


def _terminate(signum, frame) -> None:
    raise Terminated()


SYSTEM_ACTIONS = ("image", "disk-image", "vm", "describe")


def missing_action(args: list[str]) -> str | None:
    """The one-line error for `pyguix system [OPTIONS] FILE` without an action
    (the image API announcement's shorthand; Guix says "unknown action"), else None."""
    if args[:1] != ["system"] or any(a in SYSTEM_ACTIONS for a in args[1:]) \
            or any(a in ("--help", "--list-image-types") for a in args[1:]):
        return None
    files = [a for a in args[1:] if not a.startswith("-") and (a.endswith(".scm") or Path(a).is_file())]
    if not files:
        return None
    return (f"pyguix system: error: {files[-1]}: unknown action: add one, as in "
            f"'pyguix system image {' '.join(args[1:])}' (actions: {', '.join(SYSTEM_ACTIONS)})")


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    if (error := missing_action(sys.argv[1:])) is not None:
        print(error, file=sys.stderr)
        sys.exit(1)
    try:
        app()
    except Terminated:
        print("pyguix: terminated", file=sys.stderr)
        sys.exit(143)
    except KeyboardInterrupt:
        print("pyguix: interrupted", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
