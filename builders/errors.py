"""Errors raised while building images (as opposed to configuration errors)."""

from __future__ import annotations


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
