"""The disk: where every region goes (placement.py; layout.py prints it for
--dry-run), partition tables (ptable/), file systems (fs/) and the assembly of
the raw disk (assemble.py)."""
