"""From a configuration file to the <image> record to build: what every
command does before it lowers a plan (the image type applied, the command
line's options applied through the records).  Shared by the CLI's commands
(builders/cli.py) and `pyguix system describe` (builders/describe.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from schemeconf.errors import ConfigError, SchemeError

DEFAULT_IMAGE_TYPE = "mbr-hybrid-raw"


def _interpreter(load_path: list[Path]):
    from schemeconf.interpreter import Interpreter

    return Interpreter(load_path=load_path)


def list_image_types(load_path: list[Path]) -> list[str]:
    from schemeconf.discovery import iter_image_types
    from schemeconf.interpreter import run_deep

    interp = _interpreter(load_path)
    return sorted(run_deep(lambda: [t.get("name").name for t in iter_image_types(interp.loader)]))


def _image_from_value(interp, value: Any, type_name: str | None, source: str):
    """The <image> record a FILE's VALUE stands for, and the image type's name."""
    from schemeconf.discovery import find_image_type, iter_image_types
    from schemeconf.evaluator import apply_procedure
    from schemeconf.records import Record

    kind = value.rtype.name if isinstance(value, Record) else None
    if kind == "<image>":
        return value, None
    if kind == "<image-type>":
        os = interp.eval_string("(@ (gnu system image) %bare-bones-os)", name=source)
        return apply_procedure(value.get("constructor"), [os]), value.get("name").name
    if kind != "<operating-system>":
        from schemeconf.printer import write_string

        raise ConfigError(f"'{source}' does not return an operating system or an image "
                          f"(its value is {write_string(value)[:60]})", getattr(interp, "last_form_span", None),
                          "the last expression of the file must be an (operating-system ...) or an (image ...)")
    name = type_name or DEFAULT_IMAGE_TYPE
    itype = find_image_type(interp.loader, name)
    if itype is None:
        known = sorted(t.get("name").name for t in iter_image_types(interp.loader))
        from schemeconf.errors import closest_names

        close = closest_names(name, known, 1)
        raise ConfigError(f"{name}: no such image type", None,
                          (f"did you mean '{close[0]}'? " if close else "") + "known types: " + ", ".join(known))
    return apply_procedure(itype.get("constructor"), [value]), name


def _platform(interp, system: str | None, target: str | None):
    """The <platform> record --system or --target names (ConfigError if none)."""
    from schemeconf.datum import sym
    from schemeconf.evaluator import apply_procedure

    platform_module = interp.module(("guix", "platform"))
    if target:
        found = apply_procedure(platform_module.lookup(sym("lookup-platform-by-target")), [target])
        what = f"--target={target}"
    else:
        found = apply_procedure(platform_module.lookup(sym("lookup-platform-by-system")), [system])
        what = f"--system={system}"
    if found is False:
        raise ConfigError(f"{what}: unknown platform", None,
                          "known systems: x86_64-linux, i686-linux, aarch64-linux, armhf-linux, "
                          "riscv64-linux, i586-gnu, x86_64-gnu")
    return found


def inherit_record(module, record, fields: dict[str, Any]):
    """(TYPE (inherit RECORD) (FIELD VALUE) ...) made by RECORD's own constructor
    syntax, as a configuration would write it: the fields' sanitizers run, thunked
    fields stay thunked, the rest is inherited.  The VALUES are Python values
    (bound as local variables, so nothing is evaluated as code); MODULE resolves
    nothing else."""
    from schemeconf.datum import from_list, sym
    from schemeconf.environment import Frame
    from schemeconf.evaluator import Scope
    from schemeconf.records import INHERIT, RecordConstructor

    parent = sym("%record")
    names = {name: sym(f"%{name}") for name in fields}
    form = from_list([sym(record.rtype.constructor_name), from_list([INHERIT, parent]),
                      *(from_list([sym(name), var]) for name, var in names.items())])
    node = RecordConstructor(record.rtype).compile(form, Scope({parent, *names.values()}, None, module), False)
    return node(Frame({parent: record, **{names[n]: v for n, v in fields.items()}}, module))


def _apply_options(interp, image, label, image_size, volatile, system=None, target=None):
    """What the command line overrides, as `guix system image` does: the image
    (image (inherit IMAGE) (size SIZE-or-'guess) (volatile-root? VOLATILE?)),
    relabelled by image-with-label for --label and, when it names no platform,
    given the one --system or --target asks for.  Each field goes through the
    <image> record's constructor, so its sanitizer checks the value; an error
    names the option."""
    from builders.validate import label_problem
    from schemeconf.datum import sym, to_list
    from schemeconf.evaluator import apply_procedure

    system_image = interp.module(("gnu", "system", "image"))
    if label:
        partitions = to_list(image.get("partitions"))  # image-with-label relabels the first one
        found = label_problem(label, partitions[0].get("file-system") if partitions else "")
        if found:
            raise ConfigError(f"--label: {found[0]}", None, f"{found[1]}; give --label a shorter name"
                              if "longer" in found[0] else "give --label a name on one line")
        image = apply_procedure(system_image.lookup(sym("image-with-label")), [image, label])
    # (the option as given, the <image> field it sets, the value)
    overrides = [(f"--image-size={image_size}" if image_size is not None else "--image-size", "size",
                  sym("guess") if image_size is None else image_size),
                 ("--volatile", "volatile-root?", bool(volatile))]
    if (system or target) and image.get("platform") is False:
        # An image that names no platform is built for the one asked for.
        overrides.append((f"--target={target}" if target else f"--system={system}", "platform",
                          _platform(interp, system, target)))
    for option, field, value in overrides:
        try:
            image = inherit_record(system_image, image, {field: value})
        except SchemeError as e:
            raise ConfigError(f"{option}: {e.message}", None, e.hint) from None
    return image
