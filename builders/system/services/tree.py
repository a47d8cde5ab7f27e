"""Services the root tree itself realizes (builders/system/rootfs.py, from the OS plan lowering made).

Lowering folds what extends these service types into the plan (etc files,
special files, packages), so a service that only extends one of them, such
as `(simple-service 'my-config etc-service-type ...)`, is realized too.
"""

from __future__ import annotations

from builders.plan import ServicePlan
from builders.system.services.registry import Context, Realization, nothing_to_do, realizer

TREE_NOTES: dict[str, str] = {
    "etc": "rootfs.py writes the /etc files its extensions declare",
    "special-files": "rootfs.py links /bin/sh and /usr/bin/env into the system profile, "
                     "where they are busybox applets",
    "profile": "the system profile, /run/current-system/profile, holds the busybox applets",
    "activate": "the root tree is staged complete: nothing is left to activate at boot",
    "setuid-program": "no program is made set-uid: the busybox applets run with the caller's rights",
    "privileged-program": "no program is made set-uid: the busybox applets run with the caller's rights",
}
TREE_SERVICES = frozenset(TREE_NOTES)


@realizer(*TREE_NOTES, takes_extensions=True)
def realize_in_tree(services: tuple[ServicePlan, ...], ctx: Context) -> Realization:
    notes = (TREE_NOTES.get(s.kind) or TREE_NOTES[next(t for t in s.extends if t in TREE_NOTES)] for s in services)
    return Realization(note="; ".join(dict.fromkeys(notes)))


nothing_to_do("system_tree", {
    "system": "the root tree is the system",
    "provenance": "rootfs.py records the configuration in /etc/config.scm and /etc/pyguix/manifest.json",
})
