"""Finding image types: the public `image-type` values of (gnu system image)
and of every module under gnu/system/images/ on the load path, in that order
(user -L directories first); the first type with a given name wins, as in
Guix's `lookup-image-type-by-name`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .datum import from_list
from .environment import MISSING
from .evaluator import Node, Scope, special
from .records import Record

SYSTEM_IMAGE = ("gnu", "system", "image")


def image_type_modules(loader: Any) -> list[tuple[str, ...]]:
    """The names of the board modules under gnu/system/images/, load path order."""
    names: list[tuple[str, ...]] = []
    for root in loader.load_path:
        folder = Path(root) / "gnu" / "system" / "images"
        if folder.is_dir():
            for path in sorted(folder.glob("*.scm")):
                name = ("gnu", "system", "images", path.stem)
                if name not in names:
                    names.append(name)
    return names


def _types_of(module: Any) -> Iterator[Record]:
    for name in list(module.exports) or list(module.vars):
        value = module.exported(name)
        if isinstance(value, Record) and value.rtype.name == "<image-type>":
            yield value


def iter_image_types(loader: Any) -> Iterator[Record]:
    """Every image type, first those of (gnu system image), then board modules'."""
    seen: set[str] = set()
    for module_name in [SYSTEM_IMAGE] + image_type_modules(loader):
        module = loader.load(module_name)
        for t in _types_of(module):
            name = t.get("name").name
            if name not in seen:
                seen.add(name)
                yield t


def find_image_type(loader: Any, name: str) -> Record | None:
    for t in iter_image_types(loader):
        if t.get("name").name == name:
            return t
    return None


@special("%discover-image-types")
def _discover(scope: Scope, x: Any, tail: bool) -> Node:
    loader = scope.module.loader
    return lambda env: from_list(list(iter_image_types(loader)))


__all__ = ["iter_image_types", "find_image_type", "image_type_modules", "MISSING"]
