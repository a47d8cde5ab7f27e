"""Applet install paths of busybox builds whose binary may not run on the build machine.

`busybox --list-full` gives these paths, but an arm64 busybox cannot run on
an amd64 host.  The lists below were produced by `busybox --list-full` of
Debian's amd64 busybox-static of the same version (Debian configures
busybox identically on every architecture), keyed by the version string the
binary embeds ("BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1)"; binNMUs, +bN,
share their source's list).
"""

from __future__ import annotations

# Debian bookworm, busybox-static 1:1.35.0-4+deb12u1 (amd64 `busybox --list-full`, 269 entries).
_DEBIAN_1_35_0 = """
usr/bin/[ usr/bin/[[ sbin/acpid sbin/adjtimex usr/bin/ar bin/arch sbin/arp usr/sbin/arping
usr/bin/ascii bin/ash usr/bin/awk bin/base64 usr/bin/basename usr/bin/bc usr/bin/blkdiscard
sbin/blockdev usr/sbin/brctl usr/bin/bunzip2 bin/busybox usr/bin/bzcat usr/bin/bzip2 usr/bin/cal
bin/cat bin/chgrp bin/chmod bin/chown usr/sbin/chroot usr/bin/chvt usr/bin/clear usr/bin/cmp bin/cp
bin/cpio usr/bin/crc32 usr/sbin/crond usr/bin/crontab bin/cttyhack usr/bin/cut bin/date usr/bin/dc
bin/dd usr/bin/deallocvt sbin/depmod sbin/devmem bin/df usr/bin/diff usr/bin/dirname bin/dmesg
bin/dnsdomainname usr/bin/dos2unix usr/bin/dpkg usr/bin/dpkg-deb usr/bin/du bin/dumpkmap
usr/bin/dumpleases bin/echo bin/ed bin/egrep usr/bin/env usr/bin/expand usr/bin/expr usr/bin/factor
usr/bin/fallocate bin/false bin/fatattr sbin/fdisk bin/fgrep usr/bin/find sbin/findfs usr/bin/fold
usr/bin/free sbin/freeramdisk usr/sbin/fsfreeze sbin/fstrim usr/bin/ftpget usr/bin/ftpput bin/getopt
sbin/getty bin/grep usr/bin/groups bin/gunzip bin/gzip sbin/halt usr/bin/head usr/bin/hexdump
usr/bin/hostid bin/hostname usr/sbin/httpd sbin/hwclock usr/sbin/i2cdetect usr/sbin/i2cdump
usr/sbin/i2cget usr/sbin/i2cset usr/sbin/i2ctransfer usr/bin/id sbin/ifconfig sbin/ifdown sbin/ifup
sbin/init sbin/insmod bin/ionice sbin/ip bin/ipcalc sbin/ipneigh bin/kill usr/bin/killall sbin/klogd
usr/bin/last usr/bin/less bin/link bin/linux32 bin/linux64 linuxrc bin/ln usr/sbin/loadfont
sbin/loadkmap usr/bin/logger bin/login usr/bin/logname sbin/logread sbin/losetup bin/ls sbin/lsmod
usr/bin/lsscsi usr/bin/lzcat usr/bin/lzma bin/lzop usr/bin/md5sum sbin/mdev usr/bin/microcom
usr/sbin/mim bin/mkdir sbin/mkdosfs sbin/mke2fs usr/bin/mkfifo bin/mknod usr/bin/mkpasswd
sbin/mkswap bin/mktemp sbin/modinfo sbin/modprobe bin/more bin/mount bin/mt bin/mv sbin/nameif
usr/bin/nc bin/netstat usr/bin/nl usr/sbin/nologin usr/bin/nproc usr/bin/nsenter usr/bin/nslookup
bin/nuke usr/bin/od usr/bin/openvt usr/sbin/partprobe usr/bin/passwd usr/bin/paste usr/bin/patch
bin/pidof bin/ping bin/ping6 sbin/pivot_root sbin/poweroff usr/bin/printf bin/ps bin/pwd
usr/sbin/rdate bin/readlink usr/bin/realpath sbin/reboot usr/bin/renice usr/bin/reset bin/resume
bin/rev bin/rm bin/rmdir sbin/rmmod sbin/route bin/rpm usr/bin/rpm2cpio sbin/run-init bin/run-parts
bin/sed usr/bin/seq usr/bin/setkeycodes bin/setpriv usr/bin/setsid bin/sh usr/bin/sha1sum
usr/bin/sha256sum usr/bin/sha3sum usr/bin/sha512sum usr/bin/shred usr/bin/shuf bin/sleep
usr/bin/sort usr/bin/ssl_client sbin/start-stop-daemon bin/stat usr/bin/strings bin/stty bin/su
sbin/sulogin usr/bin/svc usr/bin/svok sbin/swapoff sbin/swapon sbin/switch_root bin/sync sbin/sysctl
sbin/syslogd usr/bin/tac usr/bin/tail bin/tar usr/bin/taskset sbin/tc usr/bin/tee usr/bin/telnet
usr/sbin/telnetd usr/bin/test usr/bin/tftp usr/bin/time usr/bin/timeout usr/bin/top bin/touch
usr/bin/tr usr/bin/traceroute usr/bin/traceroute6 bin/true usr/bin/truncate usr/bin/ts usr/bin/tty
sbin/tunctl usr/sbin/ubirename sbin/udhcpc usr/sbin/udhcpd sbin/uevent bin/umount bin/uname
bin/uncompress usr/bin/unexpand usr/bin/uniq usr/bin/unix2dos usr/bin/unlink usr/bin/unlzma
usr/bin/unshare usr/bin/unxz usr/bin/unzip usr/bin/uptime bin/usleep usr/bin/uudecode
usr/bin/uuencode sbin/vconfig bin/vi usr/bin/w bin/watch sbin/watchdog usr/bin/wc usr/bin/wget
usr/bin/which usr/bin/who usr/bin/whoami usr/bin/xargs usr/bin/xxd usr/bin/xz usr/bin/xzcat
usr/bin/yes bin/zcat
"""

# Debian trixie, busybox-static 1:1.37.0-6+b9 (amd64 `busybox --list-full`, 272 entries):
# 1.35's list without ipneigh, plus getfattr, install, udhcpc6 and nbd-client.
_DEBIAN_1_37_0 = """
usr/bin/[ usr/bin/[[ sbin/acpid sbin/adjtimex usr/bin/ar bin/arch sbin/arp usr/sbin/arping
usr/bin/ascii bin/ash usr/bin/awk bin/base64 usr/bin/basename usr/bin/bc usr/bin/blkdiscard
sbin/blockdev usr/sbin/brctl usr/bin/bunzip2 bin/busybox usr/bin/bzcat usr/bin/bzip2 usr/bin/cal
bin/cat bin/chgrp bin/chmod bin/chown usr/sbin/chroot usr/bin/chvt usr/bin/clear usr/bin/cmp bin/cp
bin/cpio usr/bin/crc32 usr/sbin/crond usr/bin/crontab bin/cttyhack usr/bin/cut bin/date usr/bin/dc
bin/dd usr/bin/deallocvt sbin/depmod sbin/devmem bin/df usr/bin/diff usr/bin/dirname bin/dmesg
bin/dnsdomainname usr/bin/dos2unix usr/bin/dpkg usr/bin/dpkg-deb usr/bin/du bin/dumpkmap
usr/bin/dumpleases bin/echo bin/ed bin/egrep usr/bin/env usr/bin/expand usr/bin/expr usr/bin/factor
usr/bin/fallocate bin/false bin/fatattr sbin/fdisk bin/fgrep usr/bin/find sbin/findfs usr/bin/fold
usr/bin/free sbin/freeramdisk usr/sbin/fsfreeze sbin/fstrim usr/bin/ftpget usr/bin/ftpput
usr/bin/getfattr bin/getopt sbin/getty bin/grep usr/bin/groups bin/gunzip bin/gzip sbin/halt
usr/bin/head usr/bin/hexdump usr/bin/hostid bin/hostname usr/sbin/httpd sbin/hwclock
usr/sbin/i2cdetect usr/sbin/i2cdump usr/sbin/i2cget usr/sbin/i2cset usr/sbin/i2ctransfer usr/bin/id
sbin/ifconfig sbin/ifdown sbin/ifup sbin/init sbin/insmod usr/bin/install bin/ionice sbin/ip
bin/ipcalc bin/kill usr/bin/killall sbin/klogd usr/bin/last usr/bin/less bin/link bin/linux32
bin/linux64 linuxrc bin/ln usr/sbin/loadfont sbin/loadkmap usr/bin/logger bin/login usr/bin/logname
sbin/logread sbin/losetup bin/ls sbin/lsmod usr/bin/lsscsi usr/bin/lzcat usr/bin/lzma bin/lzop
usr/bin/md5sum sbin/mdev usr/bin/microcom usr/sbin/mim bin/mkdir sbin/mkdosfs sbin/mke2fs
usr/bin/mkfifo bin/mknod usr/bin/mkpasswd sbin/mkswap bin/mktemp sbin/modinfo sbin/modprobe bin/more
bin/mount bin/mt bin/mv sbin/nameif usr/sbin/nbd-client usr/bin/nc bin/netstat usr/bin/nl
usr/sbin/nologin usr/bin/nproc usr/bin/nsenter usr/bin/nslookup bin/nuke usr/bin/od usr/bin/openvt
usr/sbin/partprobe usr/bin/passwd usr/bin/paste usr/bin/patch bin/pidof bin/ping bin/ping6
sbin/pivot_root sbin/poweroff usr/bin/printf bin/ps bin/pwd usr/sbin/rdate bin/readlink
usr/bin/realpath sbin/reboot usr/bin/renice usr/bin/reset bin/resume bin/rev bin/rm bin/rmdir
sbin/rmmod sbin/route bin/rpm usr/bin/rpm2cpio sbin/run-init bin/run-parts bin/sed usr/bin/seq
usr/bin/setkeycodes bin/setpriv usr/bin/setsid bin/sh usr/bin/sha1sum usr/bin/sha256sum
usr/bin/sha3sum usr/bin/sha512sum usr/bin/shred usr/bin/shuf bin/sleep usr/bin/sort
usr/bin/ssl_client sbin/start-stop-daemon bin/stat usr/bin/strings bin/stty bin/su sbin/sulogin
usr/bin/svc usr/bin/svok sbin/swapoff sbin/swapon sbin/switch_root bin/sync sbin/sysctl sbin/syslogd
usr/bin/tac usr/bin/tail bin/tar usr/bin/taskset sbin/tc usr/bin/tee usr/bin/telnet usr/sbin/telnetd
usr/bin/test usr/bin/tftp usr/bin/time usr/bin/timeout usr/bin/top bin/touch usr/bin/tr
usr/bin/traceroute usr/bin/traceroute6 bin/true usr/bin/truncate usr/bin/ts usr/bin/tty sbin/tunctl
usr/sbin/ubirename sbin/udhcpc usr/bin/udhcpc6 usr/sbin/udhcpd sbin/uevent bin/umount bin/uname
bin/uncompress usr/bin/unexpand usr/bin/uniq usr/bin/unix2dos usr/bin/unlink usr/bin/unlzma
usr/bin/unshare usr/bin/unxz usr/bin/unzip usr/bin/uptime bin/usleep usr/bin/uudecode
usr/bin/uuencode sbin/vconfig bin/vi usr/bin/w bin/watch sbin/watchdog usr/bin/wc usr/bin/wget
usr/bin/which usr/bin/who usr/bin/whoami usr/bin/xargs usr/bin/xxd usr/bin/xz usr/bin/xzcat
usr/bin/yes bin/zcat
"""

KNOWN: dict[str, tuple[str, ...]] = {
    "1.35.0 (Debian 1:1.35.0-4+deb12u1": tuple(_DEBIAN_1_35_0.split()),
    "1.37.0 (Debian 1:1.37.0-6": tuple(_DEBIAN_1_37_0.split()),
}


def known_applets(version: str) -> tuple[str, ...] | None:
    """The --list-full output recorded for the busybox identifying itself as VERSION:
    "1.37.0 (Debian 1:1.37.0-6+b9)", or the upstream version alone ("1.37.0": Debian 13's
    binary names itself so first, in syslogd's "started: BusyBox v1.37.0")."""
    for key, applets in KNOWN.items():
        if version.startswith(key):
            return applets
    if "(" not in version:
        same = [applets for key, applets in KNOWN.items() if key.split(" ", 1)[0] == version.strip()]
        if len(same) == 1:
            return same[0]
    return None
