"""The operating system's locale: which definition it names (lowering), and its
compilation with Debian's localedef into the image (builders/system/locales.py)."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from builders.plan import LocalePlan
from builders.system.locales import compile_locale, directory_name
from builders.tree import Escape, Tree

OS = """\
(use-modules (gnu) (gnu system locale))
(operating-system
  (host-name "l")
  (timezone "UTC")
  (locale {locale})
  {definitions}
  (bootloader (bootloader-configuration (bootloader grub-bootloader) (targets '("/dev/sda"))))
  (file-systems (cons (file-system (device "/dev/sda1") (mount-point "/") (type "ext4")) %base-file-systems)))
"""


def lowered(tmp_path: Path, locale: str, definitions: str = ""):
    from builders import cli
    from builders.lowering.lower import lower_os
    from schemeconf.interpreter import run_deep

    config = tmp_path / "os.scm"
    config.write_text(OS.format(locale=locale, definitions=definitions))
    return run_deep(lambda: lower_os(cli._interpreter([]).load_file(config)))


def test_the_definition_named_by_locale(tmp_path):
    plan = lowered(tmp_path, '"fr_FR.utf8"', textwrap.dedent("""\
        (locale-definitions (list (locale-definition (name "en_US.utf8") (source "en_US"))
                                  (locale-definition (name "fr_FR.utf8") (source "fr_FR") (charset "UTF-8"))))"""))
    assert plan.locale_definition == LocalePlan("fr_FR.utf8", "fr_FR", "UTF-8")


def test_without_a_definition_it_follows_from_the_name(tmp_path):
    assert lowered(tmp_path, '"de_DE.utf8"').locale_definition == LocalePlan("de_DE.utf8", "de_DE", "UTF-8")
    assert lowered(tmp_path, '"sr_RS.utf8@latin"').locale_definition == \
        LocalePlan("sr_RS.utf8@latin", "sr_RS@latin", "UTF-8")
    assert lowered(tmp_path, '"C"').locale_definition is None


def test_a_source_that_is_a_path_is_refused_where_it_is_written(tmp_path):
    from schemeconf.errors import ConfigError

    with pytest.raises(ConfigError) as e:
        lowered(tmp_path, '"xx_XX.utf8"', """(locale-definitions
    (list (locale-definition (name "xx_XX.utf8") (source "../../../etc/shadow"))))""")
    assert "is not the name of a locale source" in e.value.message
    assert e.value.span is not None and (e.value.span.line, e.value.span.col) == (7, 58)  # the source's value


def test_directory_names_normalize_the_codeset_as_glibc_does():
    assert directory_name("en_US.UTF-8") == "en_US.utf8"
    assert directory_name("en_US.utf8") == "en_US.utf8"
    assert directory_name("sr_RS.UTF-8@latin") == "sr_RS.utf8@latin"
    assert directory_name("ja_JP.EUC-JP") == "ja_JP.eucjp"


@pytest.fixture(scope="module")
def provider():
    from builders.substitutes import SubstituteUnavailable, default_provider

    p = default_provider()
    try:
        p.fetch("locales", "all")
    except SubstituteUnavailable as e:
        pytest.skip(f"substitute unavailable: {e}")
    return p


@pytest.mark.slow
def test_compiled_locale_is_read_by_debians_glibc(tmp_path, provider, canaries):
    """fr_FR compiled into a tree whose usr/lib is a link out of it: refused, nothing lands
    outside; into a tree of our own, Debian's own `locale` reads the result (French day names)."""
    from builders.substitutes.apt import native_architecture
    from builders.substitutes.hostrun import loader_command, runtime_tree

    hostile = tmp_path / "hostile"
    (hostile / "usr").mkdir(parents=True)
    os.symlink(canaries.directory, hostile / "usr" / "lib")
    with pytest.raises(Escape, match="/usr/lib is a symbolic link"):
        compile_locale(LocalePlan("fr_FR.utf8", "fr_FR", "UTF-8"), provider, "amd64", Tree(hostile))
    canaries.check()

    root = tmp_path / "root"
    root.mkdir()
    assert compile_locale(LocalePlan("fr_FR.utf8", "fr_FR", "UTF-8"), provider, "amd64", Tree(root)) is None
    compiled = root / "usr/lib/locale/fr_FR.utf8"
    assert (compiled / "LC_CTYPE").stat().st_size > 100_000 and (compiled / "LC_MESSAGES/SYS_LC_MESSAGES").is_file()
    tools = runtime_tree(provider, ["libc-bin", "locales"], native_architecture())
    r = subprocess.run([*loader_command(tools, tools / "usr/bin/locale"), "-k", "LC_TIME", "day"],
                       env={"LOCPATH": str(root / "usr/lib/locale"), "LC_ALL": "fr_FR.utf8"},
                       capture_output=True, text=True, check=True)
    assert 'day="dimanche;lundi;mardi;mercredi;jeudi;vendredi;samedi"' in r.stdout, r.stdout + r.stderr
    again = tmp_path / "again"
    again.mkdir()
    compile_locale(LocalePlan("fr_FR.utf8", "fr_FR", "UTF-8"), provider, "amd64", Tree(again))
    assert (again / "usr/lib/locale/fr_FR.utf8/LC_COLLATE").read_bytes() == (compiled / "LC_COLLATE").read_bytes()


@pytest.mark.slow
def test_an_unknown_source_is_a_warning(tmp_path, provider):
    warning = compile_locale(LocalePlan("xx_XX.utf8", "xx_XX", "UTF-8"), provider, "amd64", Tree(tmp_path))
    assert warning == "locale (xx_XX.utf8: Debian has no locale source 'xx_XX'; C.UTF-8 is used)"
    assert not (tmp_path / "usr/lib/locale").exists()

