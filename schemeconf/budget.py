"""Resource budgets: configurations are untrusted input.

Real Guix configurations are small: a few hundred records, lists of tens of
services, strings of a few kilobytes.  Every constructor that can grow
(lists, strings, vectors, `iota`, `format` widths, macro expansions...)
checks its result size here first, so a hostile or buggy configuration gets
one located error instead of exhausting memory:

    memory budget exceeded: make-list of 100000000 elements (limit 1000000)

Loops that allocate nothing are bounded by an optional wall-clock deadline
(`Interpreter(time_limit=...)`), checked by the evaluator every few thousand
procedure calls (see `tick`).  The resident memory of the process is checked
at the same time, as a last resort against many allocations that are each
within their own limit.
"""

from __future__ import annotations

import os
import time

from .errors import EvalLimit

MAX_ELEMENTS = 1_000_000          # elements of one list or vector
MAX_STRING = 16 * 1024 * 1024     # characters of one string
MAX_EXPANSION_PAIRS = 1_000_000   # pairs built by the macro expansions of one top-level form
MAX_EXPANSION_DEPTH = 5_000       # macro uses expanded inside one another
MAX_SOURCE_BYTES = 16 * 1024 * 1024   # a Scheme file read by the reader
MAX_RSS_GROWTH = 3 * 1024 ** 3    # bytes the process may grow by during one evaluation
MAX_DIRECTORY_ENTRIES = 100_000   # files under a (local-file DIR #:recursive? #t)

TICK_INTERVAL = 20_000  # procedure calls between two clock/memory checks

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def memory_exceeded(what: str, size: int, limit: int, unit: str = "elements") -> EvalLimit:
    """The error for WHAT asking for SIZE UNIT when LIMIT is the most allowed."""
    return EvalLimit(f"memory budget exceeded: {what} of {size} {unit} (limit {limit})", None,
                     "configurations are evaluated with resource limits; this looks like a runaway computation")


def memory_exceeded_at(span) -> EvalLimit:
    """The error for a Python MemoryError raised while evaluating the call at SPAN."""
    return EvalLimit("memory budget exceeded: the computation ran out of memory", span,
                     "configurations are evaluated with resource limits; this looks like a runaway computation")


def check_elements(what: str, size: int, limit: int = MAX_ELEMENTS) -> None:
    if size > limit:
        raise memory_exceeded(what, size, limit)


def check_chars(what: str, size: int, limit: int = MAX_STRING) -> None:
    if size > limit:
        raise memory_exceeded(what, size, limit, "characters")


class Expansion:
    """Pairs built by macro expansion during the current top-level form."""

    pairs = 0


class Clock:
    """The deadline and memory baseline of the evaluation running now (one at a time)."""

    deadline: float | None = None
    time_limit: float | None = None
    rss_limit: int | None = None

    @classmethod
    def start(cls, time_limit: float | None) -> tuple:
        saved = (cls.deadline, cls.time_limit, cls.rss_limit)
        cls.time_limit = time_limit
        cls.deadline = None if time_limit is None else time.monotonic() + time_limit
        rss = resident_bytes()
        cls.rss_limit = None if rss is None else rss + MAX_RSS_GROWTH
        return saved

    @classmethod
    def restore(cls, saved: tuple) -> None:
        cls.deadline, cls.time_limit, cls.rss_limit = saved


def tick() -> None:
    """Called by the evaluator every TICK_INTERVAL procedure calls."""
    if Clock.deadline is not None and time.monotonic() > Clock.deadline:
        raise EvalLimit(f"time budget exceeded: evaluation ran for more than {Clock.time_limit:g} s", None,
                        "look for a loop that never ends")
    if Clock.rss_limit is not None:
        rss = resident_bytes()
        if rss is not None and rss > Clock.rss_limit:
            raise EvalLimit(f"memory budget exceeded: the evaluation grew by more than "
                            f"{MAX_RSS_GROWTH // 1024 ** 2} MiB", None,
                            "configurations are evaluated with resource limits; this looks like a runaway computation")


def resident_bytes() -> int | None:
    """The resident set size of this process, or None where /proc is missing."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None
