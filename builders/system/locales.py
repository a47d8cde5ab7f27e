"""The operating system's locale, compiled into the image.

Guix compiles each `locale-definition` of an operating system with its
glibc's localedef.  pyguix compiles the one the `locale` field names with
Debian's: `localedef` of libc-bin, the locale sources and charmaps of the
locales package (both of the image's Debian release), run on the build
machine through the packages' own dynamic loader (hostrun.py):

    I18NPATH=TREE/usr/share/i18n localedef --no-archive --little-endian \\
        -i en_US -f UTF-8 OUT/en_US.utf8

The result is the directory glibc reads for LANG=en_US.utf8 when there is
no locale archive: /usr/lib/locale/en_US.utf8/LC_* (2.9 MiB for en_US in
UTF-8, 1.5 s).  localedef's output depends only on its inputs, so the
compiled locale is cached by the packages' tree and the definition.
"""

from __future__ import annotations

import os
from pathlib import Path

from builders.errors import BuildError
from builders.plan import LocalePlan
from builders.run import run
from builders.substitutes import memo
from builders.substitutes.provider import cache_root
from builders.tree import Tree

LOCALE_DIR = "usr/lib/locale"
PACKAGES = ["libc-bin", "locales"]   # localedef; /usr/share/i18n/{locales,charmaps}
# Byte order of the compiled files, by Debian architecture (every one pyguix builds is little-endian).
BIG_ENDIAN = {"s390x", "powerpc", "ppc64", "hppa", "m68k", "sparc64"}


def directory_name(name: str) -> str:
    """The directory glibc looks for LANG=NAME in: its codeset normalized as glibc does
    (lower case, letters and digits only), "en_US.UTF-8" -> "en_US.utf8"."""
    language, dot, rest = name.partition(".")
    if not dot:
        return name
    codeset, at, modifier = rest.partition("@")
    return f"{language}.{''.join(c for c in codeset.lower() if c.isalnum())}{at}{modifier}"


def compile_locale(definition: LocalePlan, provider, arch: str, tree: Tree) -> str | None:
    """Compile DEFINITION into TREE's /usr/lib/locale for an ARCH system; a warning when it cannot."""
    from builders.substitutes.apt import native_architecture
    from builders.substitutes.closure import index_signature

    native = native_architecture()
    endian = "--big-endian" if arch in BIG_ENDIAN else "--little-endian"
    # Known by the release's lists (the packages' versions follow from them), else by the tools' tree.
    signature = index_signature(provider, native)
    tools = None
    if signature is None:
        tools, warning = _tools(definition, provider, native)
        if tools is None:
            return warning
    inputs = signature or str(tools)
    name = f"locale-{memo.key(inputs, definition.source, definition.charset, endian)}"
    if tools is None and not (cache_root() / name).is_dir():      # to be compiled: the tools are needed
        tools, warning = _tools(definition, provider, native)
        if tools is None:
            return warning
    compiled = memo.cached_directory(name, lambda out: _localedef(tools, definition, endian, out))
    rel = f"{LOCALE_DIR}/{directory_name(definition.name)}"
    tree.remove(rel)
    tree.copy_tree_in(rel, compiled, file_mode=lambda _st: 0o644)
    return None


def _tools(definition: LocalePlan, provider, native: str) -> tuple[Path | None, str | None]:
    """(the tree of libc-bin and locales for the build machine, None), or (None, why DEFINITION
    cannot be compiled)."""
    from builders.substitutes.hostrun import runtime_tree

    try:
        tools = runtime_tree(provider, PACKAGES, native)
    except BuildError as exc:
        return None, f"locale ({definition.name}: Debian's localedef cannot be had: {exc.message}; C.UTF-8 is used)"
    i18n = tools / "usr/share/i18n"
    if not (i18n / "locales" / definition.source).is_file():
        return None, f"locale ({definition.name}: Debian has no locale source {definition.source!r}; C.UTF-8 is used)"
    if not any((i18n / "charmaps" / f"{definition.charset}{ext}").is_file() for ext in (".gz", "")):
        return None, (f"locale ({definition.name}: Debian has no character set {definition.charset!r}; "
                      "C.UTF-8 is used)")
    return tools, None


def _localedef(tools: Path | None, definition: LocalePlan, endian: str, out: Path) -> None:
    """Run the TOOLS' localedef for DEFINITION, writing the compiled locale at OUT."""
    from builders.substitutes.hostrun import loader_command

    assert tools is not None
    run([*loader_command(tools, tools / "usr/bin/localedef"), "--no-archive", endian,
         "-i", definition.source, "-f", definition.charset, out],
        env={"I18NPATH": os.fspath(tools / "usr/share/i18n")})


__all__ = ["compile_locale", "directory_name"]
