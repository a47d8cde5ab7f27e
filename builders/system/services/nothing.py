"""Services the busybox system needs nothing more for: why, per kind."""

from __future__ import annotations

from builders.system.services.registry import nothing_to_do

NOTHING_TO_DO: dict[str, str] = {
    "login": "busybox login reads /etc/passwd and /etc/shadow",
    "virtual-terminal": "the kernel's virtual terminals are used as they are",
    "etc-bashrc-d": "a bash snippet directory; the busybox shell does not read it",
    "shepherd-timer": "shepherd's timer service; no timers are declared by it",
    "shepherd-transient": "shepherd's transient service; nothing to start",
    "log-cleanup": "no log files accumulate beyond syslogd's rotation",
    "motd": "busybox login prints /etc/motd when present",
}

nothing_to_do("nothing", NOTHING_TO_DO)
