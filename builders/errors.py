"""Errors raised while building images (as opposed to configuration errors),
and `error_at`, the error pointing at a place of the plan (an Origin)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from schemeconf.errors import ConfigError
from schemeconf.source import SourceFile, Span

if TYPE_CHECKING:
    from builders.plan import Origin


class BuildError(Exception):
    """A build step failed; MESSAGE says what, HINT (optional) what to do about it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\nhint: {self.hint}"
        return self.message


def error_at(where: Origin | None, message: str, hint: str | None = None) -> Exception:
    """A ConfigError pointing at WHERE in the user's file (rendered FILE:LINE:COL with
    an excerpt by the CLI), or a BuildError when the place is unknown."""
    if where is not None:
        try:
            source = SourceFile.from_path(Path(where.file))
        except (OSError, UnicodeDecodeError):
            source = SourceFile(where.file, "")
        return ConfigError(message, Span(source, where.line, where.col), hint)
    return BuildError(message, hint)
