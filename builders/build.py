"""Building an image file from a plan.

The pieces exist (builders/ptable, builders/disk.py, builders/fs,
builders/formats); the pipeline that joins them to the root tree is the
next step (issue "Image builders").  Until then, say so plainly.
"""

from __future__ import annotations

from pathlib import Path

import typer

from .plan import ImagePlan


def build_image(plan: ImagePlan, output: Path | None = None, quiet: bool = False) -> Path:
    typer.echo(
        f"pyguix: building images is not implemented yet ({plan.format}, {len(plan.partitions)} partition(s)); "
        "use --dry-run to see the image and its layout, or --plan for the build plan",
        err=True,
    )
    raise typer.Exit(2)
