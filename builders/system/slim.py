"""What of its Debian packages a declared system leaves out: documentation and
the messages of languages it has no locale for.

Debian's own minimal images do this with dpkg's path-exclude: every file under
/usr/share/doc but each package's `copyright` (its licence, which stays), and
the message catalogs (/usr/share/locale/LANG) and translated manual pages
(/usr/share/man/LANG) of other languages.  A Guix system can only be run in
the locale it declares (pyguix compiles that one, builders/system/locales.py),
so its language's catalogs are kept -- `en_US.utf8` keeps `en`, `en_GB`,
`en@quot` -- and the others could never be shown.  The English manual pages
(/usr/share/man/manN) and info manuals stay: `man` and `info` work as on Guix.

On the server sample this is 3,300 files and 66 MB of 11,700 and 338 MB: the
image is smaller and every step after the merge (mke2fs, compression) has
that much less to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOC = "/usr/share/doc"
LANGUAGE_DIRS = ("/usr/share/locale", "/usr/share/man")
# A language directory's name: ll, lll, ll_CC, ll@variant, ll_CC.charset...
_LANGUAGE = re.compile(r"([a-z]{2,3})(?:[_@.].*)?")


def language(name: str) -> str | None:
    """The language of the directory NAME of /usr/share/locale or /usr/share/man, or None
    when it is no language's (man1, C.UTF-8, ...)."""
    m = _LANGUAGE.fullmatch(name)
    return m.group(1) if m and not name.startswith("man") else None


def locale_language(locale: str | None) -> str | None:
    """The language of a locale name: "en_US.utf8" -> "en"; None for C and POSIX."""
    return language(locale) if locale else None


@dataclass(frozen=True)
class LeaveOut:
    """The rule `merge_packages` asks of each package entry (its image path, whether it is
    a directory): True leaves it (and all below it) out of the image."""

    languages: frozenset[str]        # those whose catalogs and manual pages stay

    def __call__(self, path: str, is_dir: bool) -> bool:
        parent, _, name = path.rpartition("/")
        if parent in LANGUAGE_DIRS:
            lang = language(name) if is_dir else None
            return lang is not None and lang not in self.languages
        if parent.startswith(DOC + "/"):          # in a package's own documentation directory
            return is_dir or name != "copyright"
        return False


def leave_out(locale: str | None) -> LeaveOut:
    """The rule for a system whose locale is LOCALE."""
    lang = locale_language(locale)
    return LeaveOut(frozenset([lang]) if lang else frozenset())


__all__ = ["LeaveOut", "language", "leave_out", "locale_language"]
