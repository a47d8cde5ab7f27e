"""System logging (syslog, shepherd-system-log, rsyslog): busybox syslogd, and klogd for the
kernel's messages when this busybox has it.  Messages go to /var/log/messages."""

from __future__ import annotations

from builders.plan import ServicePlan
from builders.system.services.registry import Context, Realization, Stage, not_realized, realizer

SYSLOG_KINDS = ("syslog", "shepherd-system-log", "rsyslog")


@realizer(*SYSLOG_KINDS, stage=Stage.SYSLOG, why="this busybox has no syslogd applet")
def realize_syslog(services: tuple[ServicePlan, ...], ctx: Context) -> Realization:
    if "syslogd" not in ctx.applets:
        return not_realized(services)
    return Realization(rcs=("syslogd", *(["klogd"] if "klogd" in ctx.applets else [])))
