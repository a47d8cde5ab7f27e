"""`--substitutes DIR` builds offline from a folder of .debs; `--strict` turns
what cannot be realized into an error."""

from __future__ import annotations

import os

import pytest

from tests.helpers import pyguix

pytestmark = pytest.mark.slow   # builds images (or boots them in QEMU)

def test_strict_refuses_unrealized_packages_and_services(tmp_path):
    out = pyguix("system", "image", "--strict", "-t", "mbr-raw", "-o", str(tmp_path / "x.img"), "samples/server.scm")
    assert out.returncode == 1
    # The declared system realizes screen and openssh, and compiles its locale; %base-packages'
    # guile-colorized has no Debian counterpart.
    assert "--strict:" in out.stderr and "guile-colorized" in out.stderr and "locale" not in out.stderr
    assert not (tmp_path / "x.img").exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_without_strict_the_same_build_warns(tmp_path):
    out = pyguix("system", "image", "-t", "mbr-raw", "-o", str(tmp_path / "x.img"), "samples/server.scm")
    assert out.returncode == 0, out.stderr
    assert "pyguix: warning: 1 package(s) not realized for x86_64-linux (guile-colorized)" in out.stderr
    assert "screen" not in out.stderr and "openssh" not in out.stderr   # both realized
    assert "locale" not in out.stderr                                    # compiled


def test_offline_build_from_a_substitutes_directory(tmp_path):
    from builders.substitutes.provider import cache_root

    # First make sure the packages are in the ordinary cache (a normal build).
    warm = pyguix("system", "image", "--quiet", "-t", "mbr-raw", "-o", str(tmp_path / "warm.img"), "samples/server.scm")
    assert warm.returncode == 0, warm.stderr
    debs = tmp_path / "debs"
    debs.mkdir()
    for arch in ("amd64", "all"):
        for deb in (cache_root() / "debs" / arch).glob("*.deb") if (cache_root() / "debs" / arch).is_dir() else []:
            os.symlink(deb, debs / deb.name)
    assert any(debs.iterdir())
    # Then build with an empty cache and an apt with no sources: only DIR can serve.
    empty_sources = tmp_path / "sources.list"
    empty_sources.write_text("")
    env = {"PYGUIX_SUBSTITUTE_CACHE": str(tmp_path / "fresh-cache"), "PYGUIX_APT_SOURCES": str(empty_sources)}
    out = pyguix("system", "image", "--quiet", "--substitutes", str(debs), "-t", "mbr-raw",
                 "-o", str(tmp_path / "offline.img"), "samples/server.scm", env=env)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "offline.img").read_bytes() == (tmp_path / "warm.img").read_bytes()


def test_missing_substitute_is_named(tmp_path):
    empty_sources = tmp_path / "sources.list"
    empty_sources.write_text("")
    env = {"PYGUIX_SUBSTITUTE_CACHE": str(tmp_path / "fresh-cache"), "PYGUIX_APT_SOURCES": str(empty_sources)}
    out = pyguix("system", "image", "--quiet", "-t", "mbr-raw", "-o", str(tmp_path / "x.img"), "samples/server.scm",
                 env=env)
    assert out.returncode == 1
    assert "substitute 'linux-image" in out.stderr and "not available" in out.stderr
    assert "Traceback" not in out.stderr
