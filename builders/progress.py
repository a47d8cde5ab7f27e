"""Progress of long build steps, on stderr.

On a terminal, each step shows as a live rich status line (a spinner and the
elapsed time) that is replaced by a finished line with its duration; in logs
and pipes, plain `pyguix: STEP` lines.  `--quiet` shows nothing.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

_console: Any = None
_status: Any = None
_started = 0.0
_current = ""


def _rich_console():
    global _console
    if _console is None:
        from rich.console import Console

        _console = Console(stderr=True, highlight=False)
    return _console


def step(message: str, quiet: bool = False) -> None:
    """Announce the next step of the build (ending the previous one)."""
    global _status, _started, _current
    if quiet:
        return
    if not sys.stderr.isatty():
        print(f"pyguix: {message}", file=sys.stderr, flush=True)
        return
    done()
    console = _rich_console()
    _current, _started = message, time.monotonic()
    _status = console.status(f"[bold]{message}[/bold]")
    _status.start()


def done() -> None:
    """End the current step, leaving a line with its duration."""
    global _status
    if _status is not None:
        _status.stop()
        _rich_console().print(f"[green]✓[/green] {_current} [dim]({time.monotonic() - _started:.1f} s)[/dim]")
        _status = None


# --- the one channel for warnings and debug output --------------------------------------------


def warn(message: str) -> None:
    """A warning for the user: `pyguix: warning: MESSAGE` on stderr (after ending the
    status line).  Builders warn through here or through logging's warning level,
    which `configure_logging` routes to the same place."""
    done()
    print(f"pyguix: warning: {message}", file=sys.stderr, flush=True)


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        level = "" if record.levelno < logging.WARNING else f"{record.levelname.lower()}: "
        return f"pyguix: {level}{record.getMessage()}"


class _Handler(logging.StreamHandler):
    def emit(self, record: logging.LogRecord) -> None:
        done()
        super().emit(record)


def configure_logging(debug: bool = False) -> None:
    """Route the project's loggers to stderr: warnings always, and with --debug
    every external command run (builders/run.py logs `+ COMMAND`) and other
    debug detail."""
    handler = _Handler(sys.stderr)
    handler.setFormatter(_Formatter())
    for name in ("builders", "schemeconf"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.DEBUG if debug else logging.WARNING)
        logger.propagate = False
