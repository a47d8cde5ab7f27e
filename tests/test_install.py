"""`pip install .` (not editable) ships the bundled Scheme and the grammar:
the installed `pyguix` works from another directory."""

import os
import shutil
import subprocess
import sys

from tests.helpers import REPO


def test_installed_pyguix_runs_from_elsewhere(tmp_path):
    target = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(REPO)]
    # Without build isolation when this environment's setuptools can build wheels
    # (fast, offline); otherwise let pip fetch a build backend.
    r = subprocess.run(pip + ["--no-build-isolation"], capture_output=True, text=True, cwd=tmp_path)
    if r.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(pip, check=True, capture_output=True, cwd=tmp_path)
    assert list(target.glob("gnu/system/images/pine64.scm")), "bundled Scheme not installed"
    assert list(target.glob("schemeconf/scheme.lark")), "grammar not installed"
    env = dict(os.environ, PYTHONPATH=str(target), XDG_CACHE_HOME=str(tmp_path / "cache"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = subprocess.run([str(target / "bin" / "pyguix"), "system", "--list-image-types"],
                         capture_output=True, text=True, cwd=elsewhere, env=env)
    assert out.returncode == 0, out.stderr
    assert "   - pine64-raw " in out.stdout.splitlines()
    sample = REPO / "samples" / "my-pine-os.scm"
    out = subprocess.run([str(target / "bin" / "pyguix"), "system", "image", "--dry-run", "-t", "pine64-raw",
                          str(sample)], capture_output=True, text=True, cwd=elsewhere, env=env)
    assert out.returncode == 0, out.stderr
    assert '(host-name "vignemale")' in out.stdout
    # The code came from the installed copy, not from the checkout.
    probe = subprocess.run([sys.executable, "-c", "import schemeconf; print(schemeconf.__file__)"],
                           capture_output=True, text=True, cwd=elsewhere, env=env)
    assert probe.stdout.startswith(str(target))
