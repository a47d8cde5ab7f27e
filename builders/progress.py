"""Progress of long build steps, on stderr.

On a terminal, each step shows as a live rich status line (a spinner and the
elapsed time) that is replaced by a finished line with its duration; in logs
and pipes, plain `pyguix: STEP` lines.  `--quiet` shows nothing.
"""

from __future__ import annotations

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
