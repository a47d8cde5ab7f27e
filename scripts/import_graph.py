#!/usr/bin/env python3
"""The import graph of pyguix's own modules, and its cycles.

    python3 scripts/import_graph.py            # modules by folder, what each imports, and cycles
    python3 scripts/import_graph.py --folders  # the graph between folders only
    python3 scripts/import_graph.py --cycles   # only the cycles (exit 1 if there is one)

Every import counts, at module level or inside a function: a function-local
import that dodges a cycle is still a cycle in the design.  `TYPE_CHECKING`
blocks are left out (they are not executed).
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("schemeconf", "builders", "gnu")


def module_name(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules that module NAME (file PATH) imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    out: set[str] = set()

    def resolve(target: str) -> str | None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        return target or None

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (found := resolve(alias.name)) is not None:
                    out.add(found)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            for alias in node.names:
                target = resolve(f"{prefix}.{alias.name}") if prefix else None
                if target is None or target == prefix and f"{prefix}.{alias.name}" not in known:
                    target = resolve(prefix)
                if target is not None:
                    out.add(target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    out.discard(name)
    # A module importing its own package's __init__ is the package loading itself first.
    return {m for m in out if not name.startswith(m + ".")}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        work = [(v, iter(sorted(edges.get(v, ()))))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        while work:
            node, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                    advanced = True
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == node:
                        break
                if len(component) > 1:
                    result.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            strong(v)
    return sorted(result)


def folder(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 else parts[0]


def main(argv: list[str]) -> int:
    edges = graph()
    found = cycles(edges)
    if "--folders" in argv:
        between: dict[str, set[str]] = defaultdict(set)
        for m, targets in edges.items():
            for t in targets:
                if folder(t) != folder(m):
                    between[folder(m)].add(folder(t))
        for f in sorted({folder(m) for m in edges}):
            print(f"{f} -> {', '.join(sorted(between.get(f, ()))) or '-'}")
    elif "--cycles" not in argv:
        by_folder: dict[str, list[str]] = defaultdict(list)
        for m in sorted(edges):
            by_folder[folder(m)].append(m)
        for f, members in sorted(by_folder.items()):
            print(f"[{f}]")
            for m in members:
                print(f"  {m} -> {', '.join(sorted(edges[m])) or '-'}")
    for component in found:
        print("cycle: " + " <-> ".join(component))
    if not found:
        print("no import cycles")
    return 1 if found and "--cycles" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
