"""Building an image file from a plan: see builders/pipeline.py."""

from __future__ import annotations

from pathlib import Path

from .plan import ImagePlan


def build_image(plan: ImagePlan, output: Path | None = None, quiet: bool = False, *,
                substitutes: Path | None = None, strict: bool = False, qcow2_compression: str | None = "zstd",
                inputs: tuple[Path, ...] = ()) -> Path:
    """Build PLAN's image (at OUTPUT, or in the cache) and return the file's path.
    INPUTS are the configuration's own files, which the output may not replace."""
    from .pipeline import BuildOptions, build_image as run_pipeline

    return run_pipeline(plan, output=output, quiet=quiet, inputs=inputs,
                        options=BuildOptions(substitutes=substitutes, strict=strict,
                                             qcow2_compression=qcow2_compression))
