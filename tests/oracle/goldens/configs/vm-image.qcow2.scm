;; guix 1.5.0 (GUIX_ORACLE=1.5): run.sh tests/configs/vm-image.scm qcow2 => exit 0
(file "vm-image.scm" evaluates-to operating-system)
(image-summary
 (image-type qcow2)
 (image (name image.qcow2)
        (format compressed-qcow2)
        (platform #f)
        (size guess)
        (max-layers #f)
        (partition-table-type mbr)
        (compression? #t)
        (volatile-root? #t)
        (shared-store? #f)
        (shared-network? #f)
        (substitutable? #t)
        (partitions
         ((partition
           (size 41943040)
           (offset 1048576)
           (label "GNU-ESP")
           (file-system "vfat")
           (file-system-options ())
           (flags (esp))
           (uuid #f)
           (initializer initialize-efi-partition))
          (partition
           (size guess)
           (offset 0)
           (label "Guix_image")
           (file-system "ext4")
           (file-system-options ("-O" "^metadata_csum,^64bit"))
           (flags (boot))
           (uuid #f)
           (initializer initialize-root-partition)))))
 (cli-image
  (image (name image.qcow2)
         (format compressed-qcow2)
         (platform #f)
         (size guess)
         (max-layers #f)
         (partition-table-type mbr)
         (compression? #t)
         (volatile-root? #f)
         (shared-store? #f)
         (shared-network? #f)
         (substitutable? #t)
         (partitions
          ((partition
            (size 41943040)
            (offset 1048576)
            (label "GNU-ESP")
            (file-system "vfat")
            (file-system-options ())
            (flags (esp))
            (uuid #f)
            (initializer initialize-efi-partition))
           (partition
            (size guess)
            (offset 0)
            (label "Guix_image")
            (file-system "ext4")
            (file-system-options ("-O" "^metadata_csum,^64bit"))
            (flags (boot))
            (uuid #f)
            (initializer initialize-root-partition))))))
 (system-image (ok (computed-file "image.qcow2")))
 (effective
  (effective-image-target #f)
  (image (name image.qcow2)
         (format compressed-qcow2)
         (platform #f)
         (size guess)
         (max-layers #f)
         (partition-table-type mbr)
         (compression? #t)
         (volatile-root? #f)
         (shared-store? #f)
         (shared-network? #f)
         (substitutable? #t)
         (partitions
          ((partition
            (size 41943040)
            (offset 1048576)
            (label "GNU-ESP")
            (file-system "vfat")
            (file-system-options ())
            (flags (esp))
            (uuid #f)
            (initializer initialize-efi-partition))
           (partition
            (size guess)
            (offset 0)
            (label "Guix_image")
            (file-system "ext4")
            (file-system-options ("-O" "^metadata_csum,^64bit"))
            (flags (boot))
            (uuid (uuid "38af4c98-f6b1-2062-b4db-7dab38af4c98" dce))
            (initializer initialize-root-partition)))))
  (effective-file-systems
   ((file-system
     (device (uuid "38af4c98-f6b1-2062-b4db-7dab38af4c98" dce))
     (mount-point "/")
     (type "ext4")
     (options #f)
     (flags ())
     (mount? #t)
     (needed-for-boot? #t)
     (check? #t)
     (create-mount-point? #f))
    (file-system
     (device "none")
     (mount-point "/dev/pts")
     (type "devpts")
     (options "gid=996,mode=620")
     (flags ())
     (mount? #t)
     (needed-for-boot? #f)
     (check? #f)
     (create-mount-point? #t))
    (file-system
     (device "none")
     (mount-point "/sys/kernel/debug")
     (type "debugfs")
     (options #f)
     (flags ())
     (mount? #t)
     (needed-for-boot? #f)
     (check? #f)
     (create-mount-point? #t))
    (file-system
     (device "tmpfs")
     (mount-point "/dev/shm")
     (type "tmpfs")
     (options "size=50%")
     (flags (no-suid no-dev))
     (mount? #t)
     (needed-for-boot? #f)
     (check? #f)
     (create-mount-point? #t))
    (file-system
     (device "efivarfs")
     (mount-point "/sys/firmware/efi/efivars")
     (type "efivarfs")
     (options #f)
     (flags ())
     (mount? #t)
     (needed-for-boot? #f)
     (check? #f)
     (create-mount-point? #f))
    (file-system
     (device "/gnu/store")
     (mount-point "/gnu/store")
     (type "none")
     (options #f)
     (flags (read-only bind-mount no-atime))
     (mount? #t)
     (needed-for-boot? #f)
     (check? #f)
     (create-mount-point? #f))))
  (effective-bootloader grub))
 (operating-system
  (host-name "gnu")
  (timezone "Etc/UTC")
  (locale "en_US.utf8")
  (label "GNU Guix 1.5.0")
  (kernel ("linux-libre" "6.17.12"))
  (hurd #f)
  (kernel-arguments ("modprobe.blacklist=usbmouse,usbkbd" "quiet"))
  (initrd-modules
   ("ahci"
    "usb-storage"
    "uas"
    "usbhid"
    "hid-generic"
    "hid-apple"
    "mmc_block"
    "dm-crypt"
    "xts"
    "serpent_generic"
    "wp512"
    "nls_iso8859-1"
    "pata_acpi"
    "pata_atiixp"
    "isci"
    "virtio_pci"
    "virtio_balloon"
    "virtio_blk"
    "virtio_net"
    "virtio_console"
    "virtio-rng"
    "virtio_mmio"
    "virtio_scsi"))
  (firmware ())
  (keyboard-layout keyboard-layout)
  (bootloader
   (bootloader-configuration
    (bootloader grub)
    (package ("grub-pc" "2.12"))
    (targets ("/dev/vda"))
    (timeout 5)
    (default-entry 0)
    (menu-entries 0)
    (terminal-outputs (console))
    (terminal-inputs ())
    (serial-unit #f)
    (serial-speed #f)
    (keyboard-layout #f)
    (device-tree-support? #t)))
  (mapped-devices 0)
  (file-systems
   ((file-system
     (device "/dev/vda1")
     (mount-point "/")
     (type "ext4")
     (options #f)
     (flags ())
     (mount? #t)
     (needed-for-boot? #t)
     (check? #t)
     (create-mount-point? #f))
    (file-system
     (device "none")
     (mount-point "/dev/pts")
     (type "devpts")
     (options "gid=996,mode=620")
     (flags ())
     (mount? #t)
     (needed-for-boot? #f)
     (check? #f)
     (create-mount-point? #t))
    (file-system
     (device "none")
     (mount-point "/sys/kernel/debug")
     (type "debugfs")
     (options #f)
     (flags ())
     (mount? #t)
     (needed-for-boot? #f)
     (check? #f)
     (create-mount-point? #t))
    (file-system
     (device "tmpfs")
     (mount-point "/dev/shm")
     (type "tmpfs")
     (options "size=50%")
     (flags (no-suid no-dev))
     (mount? #t)
     (needed-for-boot? #f)
     (check? #f)
     (create-mount-point? #t))
    (file-system
     (device "efivarfs")
     (mount-point "/sys/firmware/efi/efivars")
     (type "efivarfs")
     (options #f)
     (flags ())
     (mount? #t)
     (needed-for-boot? #f)
     (check? #f)
     (create-mount-point? #f))
    (file-system
     (device "/gnu/store")
     (mount-point "/gnu/store")
     (type "none")
     (options #f)
     (flags (read-only bind-mount no-atime))
     (mount? #t)
     (needed-for-boot? #f)
     (check? #f)
     (create-mount-point? #f))))
  (swap-devices ())
  (users ((user-account
           (name "guest")
           (group "users")
           (supplementary-groups ("wheel" "netdev" "audio" "video"))
           (home-directory "/home/guest")
           (shell (file-append ("bash" "5.2.37") "/bin/bash"))
           (comment "GNU Guix Live")
           (password "")
           (uid #f)
           (system? #f))
          (user-account
           (name "nobody")
           (group "nogroup")
           (supplementary-groups ())
           (home-directory "/nonexistent")
           (shell (file-append ("shadow" "4.13") "/sbin/nologin"))
           (comment "")
           (password #f)
           (uid 65534)
           (system? #t))))
  (groups
   ("root"
    "wheel"
    "users"
    "nogroup"
    "tty"
    "dialout"
    "kmem"
    "input"
    "video"
    "audio"
    "netdev"
    "lp"
    "disk"
    "floppy"
    "cdrom"
    "tape"
    "kvm"
    "sgx"))
  (packages
   ("font-bitstream-vera"
    "xterm"
    "less"
    "mg"
    "nano"
    "nvi"
    "man-db"
    "info-reader"
    "kbd"
    "sudo"
    "guile-readline"
    "guile-colorized"
    "pciutils"
    "usbutils"
    "util-linux-with-udev"
    "kmod"
    "eudev"
    "inetutils"
    "isc-dhcp"
    "iproute2"
    "wget"
    "nss-certs"
    "iw"
    "wireless-tools"
    "procps"
    "psmisc"
    "which"
    "shadow"
    "e2fsprogs"
    "guile"
    "bash"
    "coreutils"
    "findutils"
    "grep"
    "sed"
    "diffutils"
    "patch"
    "gawk"
    "tar"
    "gzip"
    "bzip2"
    "lzip"
    "xz"
    "zstd"))
  (services
   (xfce-desktop
    cow-store-motd
    dhcpcd
    spice-vdagent
    gdm
    screen-locker
    screen-locker
    mtp
    sane
    polkit-wheel
    mount-setuid-helpers
    guix-artwork
    gdm-file-system
    vte-integration
    fontconfig-file-system
    network-manager-applet
    avahi
    udisks
    upower
    accountsservice
    cups-pk-helper
    colord
    geoclue
    polkit
    elogind
    dbus
    ntp
    x11-socket-directory-service
    pulseaudio
    alsa
    login
    virtual-terminal
    console-fonts
    shepherd-system-log
    agetty
    mingetty
    mingetty
    mingetty
    mingetty
    mingetty
    mingetty
    etc-bashrc-d
    static-networking
    urandom-seed
    guix
    nscd
    log-rotation
    shepherd-timer
    shepherd-transient
    log-cleanup
    udev
    sysctl
    special-files))
  (essential-services
   (system
    linux-builder
    boot
    cleanup
    activate
    shepherd-root
    pam
    privileged-program
    account
    etc
    etc-hosts
    fstab
    session-environment
    host-name
    user-processes
    root-file-system
    profile
    boot-file-system-utilities
    file-systems
    linux-bare-metal
    firmware))))
