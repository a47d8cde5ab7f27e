"""Graphical desktops and the D-Bus services they use: not realized, the busybox system
boots to a text console and has no D-Bus system bus."""

from __future__ import annotations

from builders.system.services.registry import cannot_realize

NO_GRAPHICS = "a pyguix image boots to a text console: there is no graphical system yet"
NO_DBUS = "a D-Bus service: there is no D-Bus system bus in the busybox system"

DESKTOP_KINDS = ("gnome-desktop", "xfce-desktop", "mate-desktop", "lxqt-desktop", "enlightenment-desktop",
                 "plasma-desktop", "gdm", "sddm", "slim", "lightdm", "screen-locker", "x11-socket-directory-service")
DBUS_KINDS = ("polkit", "elogind", "udisks", "upower", "accountsservice", "colord", "geoclue", "bluetooth",
              "cups-pk-helper", "sane")

cannot_realize("desktop", {
    **{kind: NO_GRAPHICS for kind in DESKTOP_KINDS},
    "dbus": "no D-Bus daemon in the busybox system",
    **{kind: NO_DBUS for kind in DBUS_KINDS},
})
