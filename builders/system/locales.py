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
import tempfile
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
    # In the cache's top directory, which both a build as root and its sandbox (sandbox.py) may write.
    cache = cache_root()
    cache.mkdir(parents=True, exist_ok=True)
    inputs = signature or str(tools)
    compiled = cache / f"locale-{memo.key(inputs, definition.source, definition.charset, endian)}"
    if not compiled.is_dir():
        if tools is None:
            tools, warning = _tools(definition, provider, native)
            if tools is None:
                return warning
        _localedef(tools, definition, endian, compiled)
    _place(compiled, tree, f"{LOCALE_DIR}/{directory_name(definition.name)}")
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


def _localedef(tools: Path, definition: LocalePlan, endian: str, compiled: Path) -> None:
    """Run the TOOLS' localedef for DEFINITION, its output moved to COMPILED when complete."""
    from builders.substitutes.hostrun import loader_command

    with tempfile.TemporaryDirectory(dir=compiled.parent, prefix="locale-") as work:
        out = Path(work) / "locale"    # alone in its directory: localedef links equal files of siblings
        run([*loader_command(tools, tools / "usr/bin/localedef"), "--no-archive", endian,
             "-i", definition.source, "-f", definition.charset, out],
            env={"I18NPATH": os.fspath(tools / "usr/share/i18n")})
        try:
            out.rename(compiled)
        except OSError:
            if not compiled.is_dir():     # not another build's, just made
                raise


def _place(compiled: Path, tree: Tree, rel: str) -> None:
    """Copy the compiled locale COMPILED into TREE at REL (through Tree: inside the image only)."""
    tree.remove(rel)
    for parent in (LOCALE_DIR, rel):
        if tree.lstat(parent) is None:
            tree.mkdir(parent, 0o755)
    for dirpath, dirnames, filenames in os.walk(compiled):
        dirnames.sort()
        here = Path(dirpath).relative_to(compiled)
        for d in dirnames:
            tree.mkdir(f"{rel}/{here / d}", 0o755)
        for f in sorted(filenames):
            tree.write_bytes(f"{rel}/{here / f}", (Path(dirpath) / f).read_bytes(), 0o644)


__all__ = ["compile_locale", "directory_name"]
