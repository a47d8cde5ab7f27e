"""Kernel parameters (sysctl): /etc/sysctl.conf, loaded by busybox sysctl from rcS.

As in Guix, the settings start from %default-sysctl-settings (protected
hard and symbolic links) and the service's own settings override them.
A setting whose key or value would not stay one `KEY = VALUE` line is
left out and reported.
"""

from __future__ import annotations

import re

from builders.plan import ServicePlan
from builders.system.services.registry import Context, ImageFile, Realization, Shortfall, Stage, realizer
from builders.system.services.values import field
from builders.validate import CONTROL, show

GUIX_SYSCTL_DEFAULTS = (("fs.protected_hardlinks", "1"), ("fs.protected_symlinks", "1"))
SYSCTL_KEY = re.compile(r"[A-Za-z0-9_*-]+([./][A-Za-z0-9_*-]+)*")


def sysctl_settings(service: ServicePlan, problems: list[Shortfall] | None = None) -> list[tuple[str, str]]:
    """The (key, value) pairs of SERVICE, after Guix's defaults; bad ones go to PROBLEMS."""
    settings = field(service, "settings", None)
    pairs: list[tuple[str, str]] = list(GUIX_SYSCTL_DEFAULTS)
    for item in settings if isinstance(settings, list) else []:
        if isinstance(item, list) and len(item) == 2:
            key, value = str(item[0]), str(item[1])
            if not SYSCTL_KEY.fullmatch(key) or CONTROL.search(value):
                if problems is not None:
                    problems.append(Shortfall(service.kind, f"setting {show(key)}"))
                continue
            pairs = [(k, v) for k, v in pairs if k != key] + [(key, value)]
    return pairs


@realizer("sysctl", stage=Stage.SYSCTL,
          why="a sysctl key is names separated by '.' or '/', and a value is one line")
def realize_sysctl(services: tuple[ServicePlan, ...], ctx: Context) -> Realization:
    problems: list[Shortfall] = []
    conf = "".join(f"{k} = {v}\n" for k, v in sysctl_settings(services[0], problems))
    return Realization(rcs=("sysctl -q -p /etc/sysctl.conf >/dev/null 2>&1",),
                       files=(ImageFile("etc/sysctl.conf", conf),), unrealized=tuple(problems))
