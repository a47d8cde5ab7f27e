;;; packages.sexp -- which Debian binary packages stand for which Guix packages.
;;;
;;; Guix builds the packages an operating-system declares; pyguix realizes
;;; them from Debian binary packages ("substitutes") instead.  This table is
;;; plain data (read by builders/substitutes/mapping.py), one entry per Guix
;;; package name:
;;;
;;;   (GUIX-NAME CLAUSE ...)
;;;
;;; with these clauses, in any order:
;;;
;;;   (SYSTEM "deb" ...)            the Debian packages, realized together, for the Guix
;;;                                 system SYSTEM (x86_64-linux, aarch64-linux, ...)
;;;   (SYSTEM (unavailable "why"))  known not to be obtainable for SYSTEM, and why
;;;   (any "deb" ...)               the same Debian names for every Linux system not
;;;                                 listed (GNU/Hurd systems too, with (arch "all"))
;;;   (unavailable "why")           not obtainable at all, and why
;;;   (arch "all")                  the Debian packages are Architecture: all; fetch them
;;;                                 from any architecture's lists
;;;   (board "DIR")                 U-Boot: the board's subdirectory of /usr/lib/u-boot/
;;;   (busybox "applet" ...)        in pyguix's running system (busybox-based), these
;;;                                 busybox applets stand in for the package's commands
;;;   (note "text")                 for readers and for `pyguix` messages
;;;
;;; Guix systems map to Debian architectures as follows:
;;;   x86_64-linux amd64   i686-linux i386   aarch64-linux arm64   armhf-linux armhf
;;;   riscv64-linux riscv64   powerpc64le-linux ppc64el   i586-gnu i386   x86_64-gnu amd64
;;;
;;; A name may be a meta package (linux-image-cloud-amd64): the providers
;;; resolve it to the real package of the moment (linux-image-6.12.NN+deb13-cloud-amd64).
;;; The names hold for both releases pyguix takes substitutes from (--debian-release):
;;; checked against Debian 13 (trixie, the default) and Debian 12 (bookworm) on
;;; 2026-12-06, every entry and system, except where a note says otherwise: riscv64
;;; exists from Debian 13 on, and Debian 13 has no i386 kernel.

;;; ------------------------------------------------------------------------
;;; Kernels.  Guix's linux-libre is the deblobbed upstream kernel; Debian's
;;; kernels are the nearest binaries.  On x86_64 the "cloud" flavour is used:
;;; it is a third of the size of the generic one and has everything a VM
;;; needs (EXT4_FS=y, virtio as modules); on arm64 the generic flavour, as the
;;; cloud one lacks the Allwinner/Rockchip board drivers.

(linux-libre
 (x86_64-linux "linux-image-cloud-amd64")
 (i686-linux "linux-image-686")
 (aarch64-linux "linux-image-arm64")
 (armhf-linux "linux-image-armmp-lpae")
 (riscv64-linux "linux-image-riscv64")
 (note "Debian kernel (with Debian's firmware policy), not the GNU Linux-libre build")
 (note "Debian 13 has no i386 (686) kernel: build i686-linux with --debian-release bookworm"))

(linux-libre-lts
 (x86_64-linux "linux-image-cloud-amd64")
 (i686-linux "linux-image-686")
 (aarch64-linux "linux-image-arm64")
 (armhf-linux "linux-image-armmp-lpae")
 (riscv64-linux "linux-image-riscv64")
 (note "Debian stable's kernel is itself a long-term-support series"))

(linux-libre-version
 (x86_64-linux "linux-image-cloud-amd64")
 (aarch64-linux "linux-image-arm64"))

(linux-libre-x86_64-generic
 (x86_64-linux "linux-image-amd64"))

(linux-libre-i686-generic
 (i686-linux "linux-image-686")
 (note "Debian 13 has no i386 (686) kernel: build i686-linux with --debian-release bookworm"))

(linux-libre-arm64-generic
 (aarch64-linux "linux-image-arm64"))

(linux-libre-arm-generic
 (armhf-linux "linux-image-armmp")
 (note "armmp: ARMv7 multiplatform; for LPAE boards use linux-libre"))

(linux-libre-arm-generic-lpae
 (armhf-linux "linux-image-armmp-lpae"))

(linux-libre-riscv64-generic
 (riscv64-linux "linux-image-riscv64")
 (note "needs Debian 13 (trixie, the default) or later: bookworm has no riscv64 port"))

;;; ------------------------------------------------------------------------
;;; GRUB.  grub-common carries grub-mkimage; the *-bin packages carry the
;;; platform's modules and boot images under /usr/lib/grub/PLATFORM/.

(grub
 (x86_64-linux "grub-pc-bin" "grub-common")
 (i686-linux "grub-pc-bin" "grub-common")
 (i586-gnu "grub-pc-bin" "grub-common")
 (x86_64-gnu "grub-pc-bin" "grub-common")
 (aarch64-linux (unavailable "GRUB's BIOS platform (i386-pc) exists only on x86; use grub-efi"))
 (armhf-linux (unavailable "GRUB's BIOS platform (i386-pc) exists only on x86; use grub-efi or U-Boot")))

(grub-minimal
 (x86_64-linux "grub-pc-bin" "grub-common")
 (i686-linux "grub-pc-bin" "grub-common")
 (i586-gnu "grub-pc-bin" "grub-common")
 (x86_64-gnu "grub-pc-bin" "grub-common")
 (note "Debian has no reduced GRUB build; the full i386-pc one is used"))

(grub-efi
 (x86_64-linux "grub-efi-amd64-bin" "grub-common")
 (i686-linux "grub-efi-ia32-bin" "grub-common")
 (aarch64-linux "grub-efi-arm64-bin" "grub-common")
 (armhf-linux "grub-efi-arm-bin" "grub-common")
 (riscv64-linux "grub-efi-riscv64-bin" "grub-common"))

(grub-efi32
 (x86_64-linux "grub-efi-ia32-bin" "grub-common")
 (i686-linux "grub-efi-ia32-bin" "grub-common")
 (note "32-bit UEFI firmware (BOOTIA32.EFI)"))

(grub-hybrid
 (x86_64-linux "grub-pc-bin" "grub-efi-amd64-bin" "grub-common")
 (i686-linux "grub-pc-bin" "grub-efi-ia32-bin" "grub-common"))

;;; ------------------------------------------------------------------------
;;; U-Boot.  Debian groups boards by SoC family in one package per family;
;;; (board ...) names the board's directory under /usr/lib/u-boot/.  Guix
;;; installs u-boot-sunxi-with-spl.bin at 8 KiB for Allwinner boards; Debian's
;;; 64-bit Allwinner builds ship sunxi-spl.bin (32 KiB) and
;;; u-boot-sunxi-with-spl.fit.itb instead, which concatenated make that file.
;;; Rockchip boards: idbloader.img (at sector 64) and u-boot.itb (sector 16384).
;;; i.MX boards: SPL (1 KiB) and u-boot.img (69 KiB).  TI AM335x: MLO and u-boot.img.

;; Allwinner, 32-bit (u-boot-sunxi-with-spl.bin)
(u-boot-a20-olinuxino-lime (armhf-linux "u-boot-sunxi") (board "A20-OLinuXino-Lime"))
(u-boot-a20-olinuxino-lime2 (armhf-linux "u-boot-sunxi") (board "A20-OLinuXino-Lime2"))
(u-boot-a20-olinuxino-micro (armhf-linux "u-boot-sunxi") (board "A20-OLinuXino_MICRO"))
(u-boot-bananapi-m2-ultra (armhf-linux "u-boot-sunxi") (board "Bananapi_M2_Ultra"))
(u-boot-cubietruck (armhf-linux "u-boot-sunxi") (board "Cubietruck"))
(u-boot-orangepi-zero2w
 (unavailable "Debian's u-boot-sunxi has no orangepi_zero2w build (H618 support came after U-Boot 2023.01)"))

;; Allwinner, 64-bit (sunxi-spl.bin + u-boot-sunxi-with-spl.fit.itb)
(u-boot-pine64-lts (aarch64-linux "u-boot-sunxi") (board "pine64-lts"))
(u-boot-pine64-plus (aarch64-linux "u-boot-sunxi") (board "pine64_plus"))
(u-boot-pinebook (aarch64-linux "u-boot-sunxi") (board "pinebook"))

;; NXP i.MX6 (SPL + u-boot.img)
(u-boot-novena (armhf-linux "u-boot-imx") (board "novena"))
(u-boot-mx6cuboxi (armhf-linux "u-boot-imx") (board "mx6cuboxi"))
(u-boot-wandboard (armhf-linux "u-boot-imx") (board "wandboard"))

;; Rockchip (idbloader.img + u-boot.itb)
(u-boot-firefly-rk3399 (aarch64-linux "u-boot-rockchip") (board "firefly-rk3399"))
(u-boot-rock64-rk3328 (aarch64-linux "u-boot-rockchip") (board "rock64-rk3328"))
(u-boot-rockpro64-rk3399 (aarch64-linux "u-boot-rockchip") (board "rockpro64-rk3399"))
(u-boot-pinebook-pro-rk3399 (aarch64-linux "u-boot-rockchip") (board "pinebook-pro-rk3399"))
(u-boot-puma-rk3399 (aarch64-linux "u-boot-rockchip") (board "puma-rk3399"))
(u-boot-rock-4c-plus-rk3399
 (unavailable "Debian's u-boot-rockchip has no rock-4c-plus-rk3399 build"))
(u-boot-nanopi-r4s-rk3399
 (unavailable "Debian's u-boot-rockchip has no nanopi-r4s-rk3399 build"))
(u-boot-orangepi-r1-plus-lts-rk3328
 (unavailable "Debian's u-boot-rockchip has no orangepi-r1-plus-lts-rk3328 build"))

;; TI AM335x (MLO + u-boot.img)
(u-boot-am335x-boneblack (armhf-linux "u-boot-omap") (board "am335x_boneblack"))
(u-boot-am335x-evm (armhf-linux "u-boot-omap") (board "am335x_evm"))

;; RISC-V (Debian 13 and later: bookworm has no riscv64 port)
(u-boot-sifive-unmatched (riscv64-linux "u-boot-sifive") (board "sifive_unmatched"))
(u-boot-starfive-visionfive2 (riscv64-linux "u-boot-starfive") (board "starfive_visionfive2"))

;; QEMU machines (u-boot-qemu is Architecture: all)
(u-boot-qemu-riscv64 (any "u-boot-qemu") (arch "all") (board "qemu-riscv64"))
(u-boot-qemu-arm64 (any "u-boot-qemu") (arch "all") (board "qemu_arm64"))
(u-boot-qemu-arm (any "u-boot-qemu") (arch "all") (board "qemu_arm"))
(u-boot-qemu-x86-64 (any "u-boot-qemu") (arch "all") (board "qemu-x86_64"))

(u-boot-ts7970-q-2g-1000mhz-c
 (unavailable "no Debian U-Boot build for the Technologic Systems TS-7970"))

(u-boot-tools (any "u-boot-tools"))

;;; ------------------------------------------------------------------------
;;; The GNU Hurd.  Debian's gnumach-image-1.8-486 is a 32-bit GNU Mach in the
;;; i386 archive and, despite its name, a 64-bit one in the amd64 archive.
;;; Debian 12's: builders/boot/hurd.py takes GNU Mach from bookworm whatever the
;;; release (Debian 13 renamed it gnumach-image-1.8-486-up / -amd64-up).
;;; The Hurd servers are only in debian-ports, which is not reachable here.

(gnumach
 (i586-gnu "gnumach-image-1.8-486")
 (x86_64-gnu "gnumach-image-1.8-486")
 (note "GNU Mach boots and then panics without the Hurd bootstrap servers"))

(hurd
 (unavailable "the Hurd servers are packaged only in debian-ports (hurd-i386, hurd-amd64), which is not a reachable archive; the main archive has GNU Mach only"))

(hurd-minimal (unavailable "the Hurd servers are packaged only in debian-ports, which is not a reachable archive"))
(netdde (unavailable "packaged only in debian-ports, which is not a reachable archive"))
(rumpkernel (unavailable "packaged only in debian-ports, which is not a reachable archive"))

;;; ------------------------------------------------------------------------
;;; The running system: pyguix boots a busybox-based userland; busybox-static
;;; is the one package every image gets (as /bin/busybox, in the initrd too).
;;; Debian's busybox-static (1.35 in Debian 12, 1.37 in Debian 13) has no ntpd,
;;; pgrep/pkill or fsck applets.

(busybox (any "busybox-static"))
(busybox-static (any "busybox-static"))

;;; ------------------------------------------------------------------------
;;; %base-packages and (gnu packages base).  Debian names; (busybox ...)
;;; lists the applets that stand in for the package in the running system
;;; (Debian busybox-static 1.35 and 1.37).  Packages without a (busybox ...) clause
;;; need their Debian binaries (and their shared libraries) in the image.

(bash (any "bash") (busybox "sh" "ash") (note "busybox ash is a POSIX shell, not bash"))
(bash-minimal (any "bash") (busybox "sh" "ash"))
(coreutils
 (any "coreutils")
 (busybox "basename" "cat" "chgrp" "chmod" "chown" "chroot" "cp" "cut" "date" "dd" "df"
          "dirname" "du" "echo" "env" "expand" "expr" "factor" "false" "fold" "groups"
          "head" "id" "link" "ln" "logname" "ls" "md5sum" "mkdir" "mkfifo" "mknod" "mktemp"
          "mv" "nl" "nproc" "od" "paste" "printf" "pwd" "readlink" "realpath" "rm" "rmdir"
          "seq" "sha1sum" "sha256sum" "sha512sum" "shred" "shuf" "sleep" "sort" "stat"
          "stty" "sync" "tac" "tail" "tee" "test" "timeout" "touch" "tr" "true" "truncate"
          "tty" "uname" "unexpand" "uniq" "unlink" "wc" "who" "whoami" "yes"))
(findutils (any "findutils") (busybox "find" "xargs"))
(grep (any "grep") (busybox "grep" "egrep" "fgrep"))
(sed (any "sed") (busybox "sed"))
(gawk (any "gawk") (busybox "awk"))
(diffutils (any "diffutils") (busybox "diff" "cmp"))
(patch (any "patch") (busybox "patch"))
(tar (any "tar") (busybox "tar"))
(gzip (any "gzip") (busybox "gzip" "gunzip" "zcat"))
(bzip2 (any "bzip2") (busybox "bzip2" "bunzip2" "bzcat"))
(xz (any "xz-utils") (busybox "xz" "unxz" "xzcat" "unlzma" "lzcat") (note "busybox xz only decompresses"))
(lzip (any "lzip"))
(zstd (any "zstd"))
(less (any "less") (busybox "less" "more"))
(mg (any "mg"))
(nano (any "nano"))
(nvi (any "nvi") (busybox "vi"))
(man-db (any "man-db"))
(info-reader (any "info"))
(kbd (any "kbd") (busybox "loadkmap" "loadfont" "setkeycodes" "chvt" "openvt" "deallocvt" "dumpkmap"))
(sudo (any "sudo") (busybox "su"))
(guile-3.0 (any "guile-3.0"))
(guile (any "guile-3.0") (note "Guix's guile-3.0-latest and guile-3.0 variables"))
(guile-readline (any "guile-3.0-libs") (note "Debian ships (ice-9 readline) in guile-3.0-libs"))
(guile-colorized (unavailable "guile-colorized is not packaged in Debian"))
(pciutils (any "pciutils"))
(usbutils (any "usbutils"))
(util-linux
 (any "util-linux" "mount" "fdisk")
 (busybox "mount" "umount" "losetup" "fdisk" "mkswap" "swapon" "swapoff" "switch_root"
          "pivot_root" "blockdev" "blkdiscard" "findfs" "dmesg" "getty" "hwclock" "more"
          "setsid" "unshare" "nsenter" "fallocate" "fstrim" "fsfreeze" "taskset" "ionice"
          "renice" "rev" "cal" "hexdump" "logger" "mkdosfs" "setpriv" "last")
 (note "busybox getty stands in for agetty and mingetty"))
(util-linux-with-udev (any "util-linux" "mount" "fdisk") (note "Guix's util-linux+udev variable"))
(kmod (any "kmod") (busybox "insmod" "rmmod" "lsmod" "modprobe" "modinfo" "depmod"))
(eudev (any "udev") (busybox "mdev") (note "Debian has systemd's udev, not eudev"))
(inetutils
 (any "inetutils-ping" "inetutils-telnet" "inetutils-tools" "inetutils-ftp")
 (busybox "hostname" "ping" "ping6" "ifconfig" "telnet" "traceroute" "ftpget" "ftpput" "logger" "dnsdomainname"))
(isc-dhcp (any "isc-dhcp-client") (busybox "udhcpc"))
(iproute2 (any "iproute2") (busybox "ip" "tc") (note "Guix's iproute variable"))
(wget (any "wget") (busybox "wget"))
(nss-certs (any "ca-certificates"))
(iw (any "iw"))
(wireless-tools (any "wireless-tools"))
(procps (any "procps") (busybox "ps" "free" "uptime" "kill" "top" "watch" "sysctl" "w" "pidof"))
(psmisc (any "psmisc") (busybox "killall"))
(shadow (any "passwd" "login") (busybox "passwd" "login" "su" "sulogin" "mkpasswd" "nologin"))
(e2fsprogs (any "e2fsprogs") (busybox "mke2fs") (note "no e2fsck in busybox: the root is not checked at boot"))
(which (any "debianutils") (busybox "which"))
(file (any "file"))
(net-base (any "netbase"))
(tzdata (any "tzdata"))
(glibc (any "libc6" "libc-bin"))
(glibc-locales (any "locales-all"))
(glibc-utf8-locales (any "locales-all") (note "C.UTF-8 alone is in libc-bin"))
(binutils (any "binutils"))
(gnu-make (any "make"))
(make (any "make"))
(hello (any "hello"))
(openssh (any "openssh-server" "openssh-client"))
(openssh-sans-x (any "openssh-server" "openssh-client"))
(dosfstools (any "dosfstools") (busybox "mkdosfs"))

;;; ------------------------------------------------------------------------
;;; Names from other people's configurations (corpus b, scripts/package_coverage.py)
;;; and other common names that neither the same name nor a rule of
;;; builders/substitutes/naming.py finds.  Each checked against the package
;;; lists of Debian 13 and Debian 12 (amd64), and against Guix 1.5's
;;; definition of the package, on 2026-12-08.  A library is realized with its
;;; headers (Guix's library packages carry them; the Debian -dev package
;;; depends on the shared library).

(python (any "python3") (note "Guix's python is Python 3; its commands are python3 and pip3"))
(python-wrapper (any "python3" "python-is-python3") (note "python3 with /usr/bin/python linked to it"))
(go (any "golang-go"))
(node (any "nodejs"))
(rust (any "rustc" "cargo") (note "Guix's rust has cargo as its cargo output"))
(openjdk
 (any "default-jre")
 (note "Guix 1.5's openjdk is 25 and its out output the JRE (openjdk:jdk is the JDK)")
 (note "Debian's default JRE is 21 in Debian 13, 17 in Debian 12"))
(docker (any "docker.io") (note "Guix's docker is the engine (dockerd); docker-cli is the client in both"))
(libvirt (any "libvirt-daemon" "libvirt-clients") (note "libvirtd and virsh; the libvirt-service-type runs the daemon"))
(bind (any "bind9" "bind9-dnsutils") (note "Guix's isc-bind: named, and dig, nslookup, ... in its utils output"))
(wpa-supplicant (any "wpasupplicant"))
(ntp (any "ntpsec") (note "classic ntp is gone from Debian 13; ntpsec is its successor, same ntp.conf syntax"))
(udisks (any "udisks2"))
(avahi (any "avahi-daemon" "avahi-utils"))
(xorg-server (any "xserver-xorg-core"))

;; Libraries (with their headers).
(zlib (any "zlib1g-dev"))
(sqlite (any "sqlite3" "libsqlite3-dev") (note "the sqlite3 command, the library and its headers"))
(libgcrypt
 (any "libgcrypt20-dev")
 (note "Debian 13 moved dumpsexp, hmac256 and mpicalc to libgcrypt-bin"))
(libxcrypt (any "libcrypt-dev") (note "Debian's libcrypt1 and libcrypt-dev are built from libxcrypt"))
(libtirpc-hurd (any "libtirpc-dev") (note "Guix's libtirpc with its patches for the GNU Hurd"))
(spice (any "libspice-server-dev") (note "Guix's spice is the SPICE server library"))
(spice-protocol (any "libspice-protocol-dev"))
(mig
 (x86_64-linux "mig-for-host")
 (note "MIG generating interfaces for the amd64 GNU Hurd (x86_64-gnu-mig), as Guix's mig built on x86_64"))
(guile-lib (any "guile-library"))

;; Commands that Debian ships in a package of several.
(dmenu (any "suckless-tools"))
(slock (any "suckless-tools"))
(st (any "stterm"))
(xprop (any "x11-utils"))
(xwininfo (any "x11-utils"))
(xdpyinfo (any "x11-utils"))
(xev (any "x11-utils"))
(xkill (any "x11-utils"))
(xlsclients (any "x11-utils"))
(xrandr (any "x11-xserver-utils"))
(xset (any "x11-xserver-utils"))
(xsetroot (any "x11-xserver-utils"))
(xmodmap (any "x11-xserver-utils"))
(xrdb (any "x11-xserver-utils"))
(xhost (any "x11-xserver-utils"))
(turbostat
 (x86_64-linux "linux-cpupower")
 (note "Debian's linux-cpupower carries turbostat (x86 only, as Guix's turbostat)"))
(netcat
 (any "netcat-traditional")
 (note "GNU Netcat is not packaged in Debian; netcat-traditional is the nc it reimplements"))

;; Fonts (the rules font-X -> fonts-X, font-FOUNDRY-X -> fonts-X, font-X -> ttf-X miss these).
(font-ghostscript (any "fonts-urw-base35") (note "URW's 35 PostScript fonts (Guix: gs-fonts 8.11, Type 1)"))
(font-google-noto
 (any "fonts-noto-core" "fonts-noto-extra" "fonts-noto-ui-core" "fonts-noto-ui-extra" "fonts-noto-mono")
 (note "every Noto family but CJK and emoji, as Guix's; Debian's fonts-noto only recommends the others"))
(font-google-noto-emoji (any "fonts-noto-color-emoji"))
(font-awesome (any "fonts-font-awesome"))
(font-gnu-freefont (any "fonts-freefont-ttf"))

;; Not in Debian (neither 12 nor 13).
(zig (unavailable "Zig is not packaged in Debian"))
(disarchive (unavailable "Disarchive (Guix's archive disassembler) is not packaged in Debian"))
(guile-bzip2 (unavailable "guile-bzip2 is not packaged in Debian"))
(guile-lzma (unavailable "guile-lzma is not packaged in Debian"))
(emacs-guix (unavailable "Emacs-Guix (Emacs interface to Guix) is not packaged in Debian"))
(emacs-desktop-environment (unavailable "desktop-environment.el is not packaged in Debian (no elpa-desktop-environment)"))
(x-resize (unavailable "x-resize (display resizing for X under SPICE) is not packaged in Debian"))
