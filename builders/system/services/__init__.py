"""Services: one realizer per kind of service, in one registry (builders/system/services/registry.py).

`realize(services, Context(os, applets, arch))` calls each realizer once
with the services of its kinds and returns their Realizations in start-up
order; builders/system/running.py folds them into /etc/inittab, /etc/init.d/rcS and
the files they declare.  `explain(label)` says why a shortfall is one.

Adding a service kind: a module below that registers its realizer
(`@realizer("kind", ...)`, `nothing_to_do(...)` or `cannot_realize(...)`), and its line
in the list below.
"""

from __future__ import annotations

# The registry: every realizer module, one line each (importing one registers its kinds).
from builders.system.services import (
    desktop,  # noqa: F401  desktops, display managers, D-Bus services
    dhcp,  # noqa: F401  dhcp-client, dhcpcd, network-manager, connman, wicd
    getty,  # noqa: F401  agetty, mingetty
    host_name,  # noqa: F401  host-name
    init,  # noqa: F401  shepherd-root, boot, user-processes, file systems
    networking,  # noqa: F401  static-networking (loopback)
    nothing,  # noqa: F401  login, virtual-terminal, motd, ...
    ntp,  # noqa: F401  ntp, openntpd
    sysctl,  # noqa: F401  sysctl
    syslog,  # noqa: F401  syslog, shepherd-system-log, rsyslog
    tree,  # noqa: F401  etc, special-files, profile, activate, setuid-program, ...
    unrealizable,  # noqa: F401  guix, nscd, udev, console-fonts, openssh, log-rotation, ...
    urandom_seed,  # noqa: F401  urandom-seed
)
from builders.system.services.registry import (  # noqa: F401  (the package's interface)
    MISSING,
    REALIZERS,
    Context,
    ImageFile,
    Realization,
    Realized,
    Realizer,
    Shortfall,
    Stage,
    explain,
    realize,
    realizer_for,
    unrealized,
)

TREE_SERVICES = tree.TREE_SERVICES
