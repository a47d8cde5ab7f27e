"""Disk-image builders: partition file systems, archives and disk assembly."""
