"""What one build works with: the plan, and how and where to build it.

builders/pipeline.py makes a `BuildContext` once per build and hands it to
every step (bootable.prepare, live.prepare_live, the partition writers):
the plan says what the image is (its system included: nothing looks at the
machine building it), the context where the work files go, the seed of
every identifier, the timestamp every file gets, the build options and the
substitute provider packages come from.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builders.plan import ImagePlan
from builders.progress import step

DEFAULT_DEBIAN_RELEASE = "trixie"   # Debian 13 (= builders.substitutes.apt.DEFAULT_RELEASE)
DEBIAN_RELEASES = ("trixie", "bookworm")   # what --debian-release takes (= apt.RELEASES)


@dataclass(frozen=True)
class BuildOptions:
    """How to build, beyond the plan: where substitutes come from (a
    --substitutes directory, the Debian release), and whether what cannot be
    realized is an error (--strict)."""

    substitutes: Path | None = None
    strict: bool = False
    bootable: bool = True        # False: the file-system layout only (tests of the layout)
    qcow2_compression: str | None = "zstd"   # "zstd" (Guix today), "zlib", or None
    # The Debian release substitutes come from (--debian-release; builders/substitutes/apt.py
    # RELEASES).  Part of the image cache's key (pipeline.default_output hashes the options).
    debian_release: str = DEFAULT_DEBIAN_RELEASE
    init: str = "shepherd"       # the running system: "shepherd" (the declared one) or "busybox" (a stand-in)


@dataclass(frozen=True)
class BuildContext:
    """One build: PLAN built in WORK (every intermediate file, and the image
    itself at `result` until it is moved into place)."""

    plan: ImagePlan
    work: Path
    seed: bytes                  # of every UUID, serial and GUID (pipeline.plan_seed)
    epoch: int                   # every timestamp (SOURCE_DATE_EPOCH, default 1)
    options: BuildOptions = BuildOptions()
    quiet: bool = False
    provider: Any = None         # the substitute provider, made in the build's own process
    extra_content: Path | None = None   # benchmarks only: a host directory added as /extra
    stage: Path | None = None    # where the file trees go (builders/staging.py); None: WORK

    @property
    def trees(self) -> Path:
        """The directory the build's file trees are staged in."""
        return self.stage or self.work

    @property
    def result(self) -> Path:
        """Where the image file is written (moved to the output at the very end)."""
        return self.work / "image"

    def with_provider(self, provider: Any) -> BuildContext:
        return dataclasses.replace(self, provider=provider)

    def say(self, message: str) -> None:
        """Announce the next step (nothing with --quiet)."""
        step(message, self.quiet)
