"""Errors a configuration can cause, and how they are shown to users.

Every error carries (when known) the span of the offending datum; `render`
turns it into

    FILE:LINE:COL: error: MESSAGE
       12 |     (size "big")
          |           ^
    hint: ...
"""

from __future__ import annotations

from typing import Any, Self

from .source import Span


class SchemeError(Exception):
    """Base of every error a user's configuration can cause."""

    kind = "error"

    def __init__(self, message: str, span: Span | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint
        self.notes: list[tuple[str, Span | None]] = []

    def at(self, span: Span | None) -> Self:
        """Attach SPAN if the error has no location yet; returns self (for `raise e.at(s)`)."""
        if self.span is None and span is not None:
            self.span = span
        return self

    def note(self, text: str, span: Span | None = None) -> Self:
        self.notes.append((text, span))
        return self

    def __str__(self) -> str:
        where = f"{self.span}: " if self.span else ""
        return f"{where}{self.message}"


class ReadError(SchemeError):
    """Malformed source text: unclosed lists, bad tokens, unterminated strings."""


class SchemeSyntaxError(SchemeError):
    """A special form used with the wrong shape."""


class UnboundVariable(SchemeError):
    def __init__(self, name: str, span: Span | None = None, hint: str | None = None):
        super().__init__(f"unbound variable: {name}", span, hint)
        self.name = name


class WrongType(SchemeError):
    """A value of the wrong type was given to a procedure or record field."""


class ArityError(SchemeError):
    """A procedure was called with the wrong number of arguments."""


class RecordError(SchemeError):
    """Unknown, missing, duplicate or invalid record fields."""


class ModuleError(SchemeError):
    """A module that does not exist, or a cycle between modules."""


class UserError(SchemeError):
    """Raised by `(error ...)`, `raise` or a Guix-style `(leave ...)` in the configuration.

    What the raising primitive knows is kept for `catch` handlers: THROW_KEY
    and THROW_ARGS (`throw`, `error`, `scm-error`), IRRITANTS (`error`), RAISED
    (the object given to `raise`).  None: not given."""

    throw_key: Any = None
    throw_args: list[Any] | None = None
    irritants: list[Any] | None = None
    raised: Any = None


class EvalLimit(SchemeError):
    """Runaway recursion and similar resource limits."""


class InternalError(SchemeError):
    """A Python exception pyguix did not expect, caught at the form that caused
    it: the user gets a located message instead of a traceback (and it is a bug
    to fix: the fuzz tests fail on it)."""


class ConfigError(SchemeError):
    """A configuration that evaluates but cannot be turned into an image."""


def render(err: SchemeError) -> str:
    """Format ERR for a terminal: location, message, source excerpt, caret, hint."""
    lines = []
    lines.append(_headline(err.span, err.kind, err.message))
    lines.extend(_excerpt(err.span))
    for text, span in err.notes:
        lines.append(_headline(span, "note", text))
        lines.extend(_excerpt(span))
    if err.hint:
        lines.append(f"hint: {err.hint}")
    return "\n".join(lines)


def _headline(span: Span | None, kind: str, message: str) -> str:
    if span is None:
        return f"pyguix: {kind}: {message}"
    return f"{span}: {kind}: {message}"


def _excerpt(span: Span | None) -> list[str]:
    if span is None:
        return []
    text = span.source.line(span.line)
    if not text and span.line > 1 + span.source.text.count("\n"):
        return []
    gutter = f"{span.line:>5} | "
    caret_pad = "".join("\t" if c == "\t" else " " for c in text[: max(span.col - 1, 0)])
    return [gutter + text, " " * (len(gutter) - 2) + "| " + caret_pad + "^"]


def closest_names(name: str, candidates, limit: int = 3) -> list[str]:
    """The bound names closest to NAME, for 'did you mean' hints."""
    import difflib  # lazily: ~3 ms of start-up, needed only once an error is being reported

    return difflib.get_close_matches(name, list(candidates), n=limit, cutoff=0.7)
