"""GNU/Hurd images: GNU Mach, the Hurd's boot modules, and what the Hurd needs on disk.

`install_hurd` puts GNU Mach (from the gnumach substitute: a 32-bit build for
i586-gnu, a 64-bit one for x86_64-gnu) at /boot/gnumach.gz and says which
`module` lines GRUB's multiboot entry needs.  The Hurd's servers themselves
are only in debian-ports, which is not reachable; they are reported.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildError
from .plan import ImagePlan


@dataclass
class HurdParts:
    kernel_path: str
    module_lines: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)


def install_hurd(plan: ImagePlan, provider, system: str, tree: Path, *, root_index: int) -> HurdParts:
    from .substitutes import realize_guix

    mach_dir = realize_guix(provider, "gnumach", system)
    candidates = sorted((mach_dir / "boot").glob("gnumach*.gz"))
    if not candidates:
        raise BuildError(f"no GNU Mach image in the gnumach substitute for {system}")
    boot = tree / "boot"
    boot.mkdir(mode=0o755, exist_ok=True)
    shutil.copyfile(candidates[0], boot / "gnumach.gz")
    (boot / "gnumach.gz").chmod(0o644)
    return HurdParts("/boot/gnumach.gz", (), [
        "the Hurd's servers (hurd, ext2fs, exec) have no reachable substitute: "
        "the image boots GNU Mach only; see README, 'The Hurd'"])
