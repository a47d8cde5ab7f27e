"""The code stays lint- and type-clean: ruff and mypy, configured in pyproject.toml
([tool.ruff], [tool.mypy]), report nothing.

Both come with the `test` extra (pip install -e '.[test]'); without them the
checks are skipped, not failed.  To see the findings by hand:

    ruff check builders schemeconf tests scripts bench
    mypy            # the packages listed in [tool.mypy]
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from tests.helpers import REPO

RUFF_PATHS = ["builders", "schemeconf", "tests", "scripts", "bench"]


def _tool(module: str) -> list[str]:
    """The command running MODULE with this interpreter; skip when it is not installed."""
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (it comes with the 'test' extra: pip install -e '.[test]')")
    return [sys.executable, "-m", module]


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    out = _run([*_tool("ruff"), "check", "--output-format", "concise", *RUFF_PATHS])
    assert out.returncode == 0, f"ruff reports findings:\n{out.stdout}{out.stderr}"


def test_mypy_finds_nothing():
    out = _run([*_tool("mypy")])  # the packages and options of [tool.mypy]
    assert out.returncode == 0, f"mypy reports errors:\n{out.stdout}{out.stderr}"
