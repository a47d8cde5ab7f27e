"""Services of the base system that cannot be realized yet: why, per kind."""

from __future__ import annotations

from builders.system.services.registry import cannot_realize

NO_SSH = "no SSH server package is installed by pyguix yet"
NO_ROTATION = "no log rotation: /var/log/messages grows (Debian's busybox syslogd cannot rotate)"

REASONS: dict[str, str] = {
    "guix": "there is no Guix daemon or store in a pyguix image",
    "nscd": "no name service cache daemon in the busybox system",
    "udev": "devtmpfs provides the device nodes, but no udev rules or module autoloading",
    "console-fonts": "no console font files or setfont in the busybox system",
    "openssh": NO_SSH,
    "dropbear": NO_SSH,
    "lsh": NO_SSH,
    "log-rotation": NO_ROTATION,
    "rottlog": NO_ROTATION,
    "gpm": "no gpm (console mouse daemon) package is installed by pyguix yet",
    "pam-limits": "busybox login does not use PAM, so there are no PAM limits",
    "wpa-supplicant": "no wpa_supplicant package is installed by pyguix yet: only DHCP on wired interfaces",
    "modem-manager": "ModemManager is a D-Bus service; there is no D-Bus in the busybox system",
    "usb-modeswitch": "usb_modeswitch runs from udev rules; there is no udev in the busybox system",
    "nginx": "no web server package is installed by pyguix yet",
    "fail2ban": "no fail2ban package is installed by pyguix yet (and no SSH server for it to watch)",
}

cannot_realize("unrealizable", REASONS)
