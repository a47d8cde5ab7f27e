"""The shape of the code: the import graph of pyguix's own modules has no cycle.

scripts/import_graph.py reads every import (at module level or inside a
function: a function-local import that dodges a cycle is still a cycle in
the design; TYPE_CHECKING blocks left out).  Each cycle is its own test row,
named by its modules, so a failure says which modules tie each other.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.helpers import REPO


def _import_graph():
    spec = importlib.util.spec_from_file_location("import_graph", REPO / "scripts" / "import_graph.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("import_graph", module)
    spec.loader.exec_module(module)
    return module


GRAPH = _import_graph()
EDGES = GRAPH.graph()
CYCLES = GRAPH.cycles(EDGES)

# Every package of the project is in the graph (so that a cycle cannot hide in an unread one).
PACKAGES = [("schemeconf", "schemeconf.evaluator"), ("builders", "builders.pipeline"), ("builders", "builders.plan"),
            ("builders", "builders.cli")]


@pytest.mark.parametrize("package,module", PACKAGES)
def test_graph_covers_the_project(package, module):
    assert module in EDGES, sorted(m for m in EDGES if m.startswith(package))[:20]


@pytest.mark.parametrize("package", ["schemeconf", "builders", "gnu"])
def test_no_import_cycle_in(package):
    """No cycle among the modules of PACKAGE (each cycle listed with its modules)."""
    found = [" <-> ".join(c) for c in CYCLES if any(m == package or m.startswith(package + ".") for m in c)]
    assert found == [], "import cycles:\n" + "\n".join(found)


def test_the_import_graph_is_acyclic():
    assert CYCLES == [], "import cycles:\n" + "\n".join(" <-> ".join(c) for c in CYCLES)


# Layers that must not reach up: (module, modules it must not import, directly or not).
LAYERS = [
    ("builders.plan", ("builders.lowering.lower", "builders.pipeline", "builders.boot.bootable", "builders.cli")),
    ("builders.lowering.lower", ("builders.pipeline", "builders.boot.bootable", "builders.cli")),
    ("builders.lowering.layout", ("builders.pipeline", "builders.boot.bootable", "builders.cli")),
    ("builders.boot.bootable", ("builders.pipeline", "builders.cli")),
    ("builders.errors", ("builders.pipeline", "builders.plan", "builders.cli")),
    ("schemeconf.evaluator", ("builders",)),
]


def _reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in EDGES.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@pytest.mark.parametrize("module,forbidden", LAYERS, ids=[m for m, _ in LAYERS])
def test_layers_do_not_reach_up(module, forbidden):
    reached = _reachable(module)
    bad = sorted(m for m in reached if any(m == f or m.startswith(f + ".") for f in forbidden))
    assert bad == [], f"{module} imports (through others) {bad}"
