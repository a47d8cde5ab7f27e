"""Output formats built from a populated root tree (ISO 9660, tarball, docker, ...)."""
