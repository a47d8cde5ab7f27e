"""Login prompts from a whole OS plan: `gettys(os_plan)` and `inittab(os_plan)`.

The getty realizer itself (agetty and mingetty services -> busybox getty
entries) is builders/system/services/getty.py; these two entry points read the
services and kernel arguments of an OsPlan for it.
"""

from __future__ import annotations

from builders.plan import OsPlan
from builders.system.services import getty as _getty
from builders.system.services.getty import (  # noqa: F401  (the names callers use from here)
    SERIAL_PREFIXES,
    Getty,
    agetty_getty,
    autologin_program,
    is_serial,
    is_virtual_terminal,
    kernel_console,
    mingetty_getty,
)
from builders.system.services.init import inittab_text


def gettys(os_plan: OsPlan, problems: list[str] | None = None,
           autologins: set[str] | None = None) -> list[Getty]:
    """The getty of every agetty/mingetty service of OS_PLAN, one per tty."""
    return _getty.gettys(os_plan.services, os_plan.kernel_arguments, problems, autologins)


def inittab(os_plan: OsPlan, problems: list[str] | None = None, autologins: set[str] | None = None) -> str:
    """/etc/inittab for OS_PLAN's gettys (PROBLEMS and AUTOLOGINS collect what the getty realizer reports)."""
    return inittab_text(g.line() for g in gettys(os_plan, problems, autologins))
