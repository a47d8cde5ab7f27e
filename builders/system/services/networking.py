"""Static networking (static-networking): the loopback interface, brought up by rcS.

Guix's %base-services declare `(static-networking-service-type (list
%loopback-static-networking))`, lowered to the value ["loopback"]; any
other static network (addresses, routes) is not configured yet.
"""

from __future__ import annotations

from builders.plan import ServicePlan
from builders.system.services.registry import Context, Realization, Shortfall, Stage, realizer


def _networks(service: ServicePlan) -> list:
    return service.value if isinstance(service.value, list) else [service.value]


@realizer("static-networking", stage=Stage.LOOPBACK, why="only the loopback interface is configured")
def realize_static_networking(services: tuple[ServicePlan, ...], ctx: Context) -> Realization:
    networks = [n for s in services for n in _networks(s)]
    return Realization(rcs=("ip link set lo up",) if "loopback" in networks else (),
                       unrealized=(Shortfall("static-networking"),) if any(n != "loopback" for n in networks) else ())
