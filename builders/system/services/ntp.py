"""Network time (ntp, openntpd): busybox ntpd, when the busybox has that applet.

Debian's busybox-static, the one pyguix installs, is built without ntpd
(its `busybox --list-full` has no ntpd, see busybox_applets.py), and no
NTP daemon package is installed yet: today these services are reported as
not realized.  The clock still comes from the hardware clock at boot.
"""

from __future__ import annotations

from builders.plan import ServicePlan
from builders.system.services.registry import Context, Realization, Stage, not_realized, realizer
from builders.system.services.values import field, sh_quote

NTP_KINDS = ("ntp", "openntpd")
GUIX_NTP_SERVERS = ("0.guix.pool.ntp.org", "1.guix.pool.ntp.org")


def ntp_servers(service: ServicePlan) -> list[str]:
    """The servers of an ntp-configuration (strings or ntp-server records); Guix's pool by default."""
    servers = field(service, "servers", [])
    result = []
    for s in servers if isinstance(servers, list) else []:
        if isinstance(s, str):
            result.append(s)
        elif isinstance(s, dict) and isinstance(s.get("address"), str):
            result.append(s["address"])
    return result or list(GUIX_NTP_SERVERS)


@realizer(*NTP_KINDS, stage=Stage.NTP, why="this busybox has no ntpd applet")
def realize_ntp(services: tuple[ServicePlan, ...], ctx: Context) -> Realization:
    if "ntpd" not in ctx.applets:
        return not_realized(services)
    return Realization(rcs=("ntpd " + " ".join(f"-p {sh_quote(p)}" for s in services for p in ntp_servers(s)),))
