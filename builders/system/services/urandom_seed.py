"""Random seed (urandom-seed): rcS feeds /var/lib/random-seed to /dev/urandom and saves a new
seed; rcK saves one again at shutdown (builders/system/services/init.py)."""

from __future__ import annotations

from builders.plan import ServicePlan
from builders.system.services.registry import Context, Realization, Stage, realizer

SEED = "/var/lib/random-seed"


@realizer("urandom-seed", stage=Stage.URANDOM_SEED)
def realize_urandom_seed(services: tuple[ServicePlan, ...], ctx: Context) -> Realization:
    return Realization(rcs=(
        "# urandom-seed",
        f"[ -f {SEED} ] && cat {SEED} > /dev/urandom",
        f"dd if=/dev/urandom of={SEED} bs=512 count=1 2>/dev/null && chmod 600 {SEED}",
    ))
