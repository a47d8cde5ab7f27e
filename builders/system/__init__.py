"""The operating system's tree: the staged root (rootfs.py, written through
tree.py's confined Tree), the running system (running.py, folding the service
realizers of services/), the initrd (initrd.py, cpio.py) and kernel modules
(kernel_modules.py)."""
