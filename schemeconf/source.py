"""Where a datum came from: source files and spans (file, line, column).

A Span is a small named tuple so that the reader can attach one to every
list and element cheaply; the text of each file is kept once, in its
SourceFile, for error excerpts.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple


class SourceFile:
    """A file (or `-e` expression) that was read, with its text for excerpts."""

    __slots__ = ("name", "text", "_lines", "bundled")

    def __init__(self, name: str, text: str, bundled: bool = False):
        self.name = name
        self.text = text
        self._lines: list[str] | None = None
        # True for pyguix's own Scheme (gnu/, schemeconf/lib): errors raised
        # there are reported at the user's call instead.
        self.bundled = bundled

    @classmethod
    def from_path(cls, path: Path) -> SourceFile:
        return cls(str(path), path.read_text(encoding="utf-8"))

    def line(self, number: int) -> str:
        """The text of line NUMBER (1-based), without its newline."""
        if self._lines is None:
            self._lines = self.text.splitlines()
        if 1 <= number <= len(self._lines):
            return self._lines[number - 1]
        return ""

    @property
    def directory(self) -> Path:
        return Path(self.name).resolve().parent

    def __repr__(self) -> str:
        return f"SourceFile({self.name!r})"


class Span(NamedTuple):
    """A position in a source file; line and column are 1-based."""

    source: SourceFile
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.source.name}:{self.line}:{self.col}"


class Forms(list):
    """The datums of a file; `spans[i]` is where datum i starts (for top-level atoms)."""

    spans: list[Span | None] = []


def offset_span(source: SourceFile, offset: int) -> Span:
    """The Span of character OFFSET of SOURCE's text."""
    text = source.text
    line_start = text.rfind("\n", 0, offset) + 1
    return Span(source, text.count("\n", 0, offset) + 1, offset - line_start + 1)
