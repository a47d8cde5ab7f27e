"""Reading a ServicePlan's value (the JSON-ish summary of its configuration record)
and quoting what goes from it into a shell line."""

from __future__ import annotations

import re
from typing import Any

from builders.plan import ServicePlan

SH_BARE = re.compile(r"[A-Za-z0-9_./=:,+@%-]+")


def field(service: ServicePlan, key: str, default: Any = None) -> Any:
    """The field KEY of SERVICE's configuration record; DEFAULT when absent or #f-less None."""
    v = service.value
    if isinstance(v, dict):
        x = v.get(key, default)
        return default if x is None else x
    return default


def string(x: Any) -> str | None:
    """X when it is a non-empty string (#f and "" read as unset)."""
    return x if isinstance(x, str) and x else None


def sh_quote(word: str) -> str:
    """WORD as one shell word: bare when safe, else single-quoted."""
    if SH_BARE.fullmatch(word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"
