"""DHCP clients (dhcp-client, dhcpcd, and the network managers): busybox udhcpc.

One udhcpc per interface, started from rcS in the background, with an event
script that sets the address, the default routes and /etc/resolv.conf.
All the services of these kinds together name the interfaces (or all).
"""

from __future__ import annotations

from builders.plan import ServicePlan
from builders.system.services.registry import Context, ImageFile, Realization, Stage, not_realized, realizer
from builders.system.services.values import field, sh_quote

DHCP_KINDS = ("dhcp-client", "dhcpcd", "network-manager", "connman", "wicd")
UDHCPC_SCRIPT = "usr/share/udhcpc/default.script"


def dhcp_interfaces(services: tuple[ServicePlan, ...] | list[ServicePlan]) -> list[str] | None:
    """Interfaces to run udhcpc on: None = every interface but lo."""
    names: list[str] = []
    for s in services:
        ifaces = field(s, "interfaces", "all")
        if not isinstance(ifaces, list) or not ifaces:
            return None
        names += [str(i) for i in ifaces if str(i) not in names]
    return names or None


def udhcpc_lines(services: tuple[ServicePlan, ...]) -> tuple[str, ...]:
    ifaces = dhcp_interfaces(services)
    pattern = " ".join(sh_quote(i) for i in ifaces) if ifaces else "$(ls /sys/class/net)"
    return (
        "# DHCP (" + ", ".join(sorted({s.kind for s in services})) + ")",
        f"for i in {pattern}; do",
        "  [ \"$i\" = lo ] && continue",
        "  ip link set \"$i\" up 2>/dev/null || continue",
        f"  udhcpc -b -t 3 -T 1 -S -i \"$i\" -p /run/udhcpc.$i.pid -s /{UDHCPC_SCRIPT} -x hostname:$(hostname)",
        "done",
    )


@realizer(*DHCP_KINDS, stage=Stage.NETWORKING, why="this busybox has no udhcpc applet")
def realize_dhcp(services: tuple[ServicePlan, ...], ctx: Context) -> Realization:
    if "udhcpc" not in ctx.applets:
        return not_realized(services)
    return Realization(rcs=udhcpc_lines(services), files=(ImageFile(UDHCPC_SCRIPT, UDHCPC_DEFAULT, 0o755),))


UDHCPC_DEFAULT = """#!/bin/sh
# udhcpc event script (after busybox's examples/udhcp/simple.script), written by pyguix.
RESOLV_CONF=/etc/resolv.conf
[ -n "$1" ] || { echo "$0: should be called from udhcpc"; exit 1; }
NETMASK=""
[ -n "$subnet" ] && NETMASK="/$subnet"
BROADCAST="broadcast +"
[ -n "$broadcast" ] && BROADCAST="broadcast $broadcast"
case "$1" in
  deconfig)
    ip -4 addr flush dev "$interface"
    ip link set dev "$interface" up
    ;;
  renew|bound)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip$NETMASK" $BROADCAST dev "$interface"
    if [ -n "$router" ]; then
      while ip route del default dev "$interface" 2>/dev/null; do :; done
      metric=0
      for r in $router; do
        ip route add default via "$r" dev "$interface" metric $metric
        metric=$((metric + 1))
      done
    fi
    if [ -n "$dns" ] || [ -n "$domain" ]; then
      tmp="$RESOLV_CONF.$$"
      : > "$tmp"
      [ -n "$domain" ] && echo "search $domain" >> "$tmp"
      for d in $dns; do echo "nameserver $d" >> "$tmp"; done
      mv "$tmp" "$RESOLV_CONF"
    fi
    ;;
esac
exit 0
"""
