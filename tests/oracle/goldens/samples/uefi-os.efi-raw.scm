;; guix 1.5.0 (GUIX_ORACLE=1.5): run.sh samples/uefi-os.scm efi-raw => exit 0
(file "uefi-os.scm" evaluates-to operating-system)
(image-summary
 (image-type efi-raw)
 (image (name #f)
        (format disk-image)
        (platform #f)
        (size guess)
        (max-layers #f)
        (partition-table-type gpt)
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
  (image (name #f)
         (format disk-image)
         (platform #f)
         (size guess)
         (max-layers #f)
         (partition-table-type gpt)
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
 (system-image (ok (computed-file "disk-image")))
 (effective
  (effective-image-target #f)
  (image (name #f)
         (format disk-image)
         (platform #f)
         (size guess)
         (max-layers #f)
         (partition-table-type gpt)
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
            (uuid (uuid "38af4c98-990c-2dcd-e169-8bb038af4c98" dce))
            (initializer initialize-root-partition)))))
  (effective-file-systems
   ((file-system
     (device (uuid "38af4c98-990c-2dcd-e169-8bb038af4c98" dce))
     (mount-point "/")
     (type "ext4")
     (options #f)
     (flags ())
     (mount? #t)
     (needed-for-boot? #t)
     (check? #t)
     (create-mount-point? #f))
    (file-system
     (device (label "GNU-ESP"))
     (mount-point "/boot/efi")
     (type "vfat")
     (options #f)
     (flags ())
     (mount? #t)
     (needed-for-boot? #f)
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
  (effective-bootloader grub-efi))
 (operating-system
  (host-name "efi-box")
  (timezone "Etc/UTC")
  (locale "en_US.utf8")
  (label "GNU with Linux-Libre 6.17.12")
  (kernel ("linux-libre" "6.17.12"))
  (hurd #f)
  (kernel-arguments ("console=ttyS0,115200"))
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
  (firmware ("ath9k-htc-ar7010-firmware" "ath9k-htc-ar9271-firmware" "openfwwf-firmware"))
  (keyboard-layout #f)
  (bootloader
   (bootloader-configuration
    (bootloader grub-efi)
    (package ("grub-efi" "2.12"))
    (targets ("/boot/efi"))
    (timeout 5)
    (default-entry 0)
    (menu-entries 0)
    (terminal-outputs (serial console))
    (terminal-inputs ())
    (serial-unit 0)
    (serial-speed 115200)
    (keyboard-layout #f)
    (device-tree-support? #t)))
  (mapped-devices 0)
  (file-systems
   ((file-system
     (device (label "my-root"))
     (mount-point "/")
     (type "ext4")
     (options #f)
     (flags ())
     (mount? #t)
     (needed-for-boot? #t)
     (check? #t)
     (create-mount-point? #f))
    (file-system
     (device (label "GNU-ESP"))
     (mount-point "/boot/efi")
     (type "vfat")
     (options #f)
     (flags ())
     (mount? #t)
     (needed-for-boot? #f)
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
           (name "alice")
           (group "users")
           (supplementary-groups ())
           (home-directory "/home/alice")
           (shell (file-append ("bash" "5.2.37") "/bin/bash"))
           (comment "")
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
   ("less"
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
   (dhcpcd
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
