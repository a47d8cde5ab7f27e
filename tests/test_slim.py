"""What a declared system leaves out of its Debian packages (builders/system/slim.py):
documentation but the licences, and the messages of languages it has no locale for."""

from __future__ import annotations

import pytest

from builders.system.debian_root import merge_packages
from builders.system.slim import language, leave_out

# (path, is a directory, left out for an en_US.utf8 system)
ROWS = [
    ("/usr/share/doc/bash/README", False, True),
    ("/usr/share/doc/bash/copyright", False, False),        # the licence stays
    ("/usr/share/doc/bash/examples", True, True),
    ("/usr/share/doc/libfoo", False, False),                # a link to another package's directory
    ("/usr/share/doc/bash", True, False),                   # the directory itself (for its copyright)
    ("/usr/share/locale/de", True, True),
    ("/usr/share/locale/pt_BR", True, True),
    ("/usr/share/locale/sr@latin", True, True),
    ("/usr/share/locale/en_GB", True, False),
    ("/usr/share/locale/en@quot", True, False),
    ("/usr/share/locale/locale.alias", False, False),
    ("/usr/share/locale/C.UTF-8", True, False),             # no language's
    ("/usr/share/man/man1", True, False),                   # the English manual pages stay
    ("/usr/share/man/fr", True, True),
    ("/usr/share/man/en", True, False),
    ("/usr/share/info/bash.info.gz", False, False),
    ("/usr/bin/bash", False, False),
    ("/usr/share/docs/x", False, False),
]


@pytest.mark.parametrize("path,is_dir,out", ROWS, ids=[r[0] for r in ROWS])
def test_what_is_left_out(path, is_dir, out):
    assert leave_out("en_US.utf8")(path, is_dir) is out


def test_the_c_locale_keeps_no_catalog_and_german_keeps_its_own():
    assert leave_out("C.UTF-8")("/usr/share/locale/en_GB", True)
    assert leave_out(None)("/usr/share/locale/en_GB", True)
    assert not leave_out("de_DE.utf8")("/usr/share/locale/de", True)
    assert leave_out("de_DE.utf8")("/usr/share/locale/en_GB", True)
    assert [language(n) for n in ("de", "ast", "pt_BR", "man8", "C.UTF-8", "locale.alias")] == \
        ["de", "ast", "pt", None, None, None]


def test_merge_leaves_them_out(tmp_path):
    pkg = tmp_path / "pkg"
    for rel in ("usr/share/doc/pkg/copyright", "usr/share/doc/pkg/changelog.gz", "usr/share/doc/pkg/ex/a.c",
                "usr/share/locale/de/LC_MESSAGES/pkg.mo", "usr/share/locale/en_GB/LC_MESSAGES/pkg.mo",
                "usr/share/man/man1/pkg.1.gz", "usr/share/man/de/man1/pkg.1.gz", "usr/bin/pkg"):
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(rel)
    root = tmp_path / "root"
    root.mkdir()
    merge_packages(root, [pkg], leave_out=leave_out("en_US.utf8"))
    kept = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert kept == ["usr/bin/pkg", "usr/share/doc/pkg/copyright", "usr/share/locale/en_GB/LC_MESSAGES/pkg.mo",
                    "usr/share/man/man1/pkg.1.gz"]
