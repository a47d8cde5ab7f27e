;; guix 1.5.0 (GUIX_ORACLE=1.5): run.sh tests/oracle/configs/hurd-image-own-module.scm => exit 0
(file "hurd-image-own-module.scm" evaluates-to image)
(image-summary
 (image-type #f)
 (image (name hurd-vm.qcow2)
        (format compressed-qcow2)
        (platform (i586-gnu (target "i586-pc-gnu") (system "i586-gnu")))
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
           (size guess)
           (offset 1048576)
           (label "hurd-root")
           (file-system "ext2")
           (file-system-options ("-o" "hurd" "-O" "ext_attr"))
           (flags (boot))
           (uuid #f)
           (initializer gexp)))))
 (cli-image
  (image (name hurd-vm.qcow2)
         (format compressed-qcow2)
         (platform (i586-gnu (target "i586-pc-gnu") (system "i586-gnu")))
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
            (size guess)
            (offset 1048576)
            (label "hurd-root")
            (file-system "ext2")
            (file-system-options ("-o" "hurd" "-O" "ext_attr"))
            (flags (boot))
            (uuid #f)
            (initializer gexp))))))
 (system-image (ok (computed-file "hurd-vm.qcow2")))
 (effective
  (effective-image-target "i586-pc-gnu")
  (image (name hurd-vm.qcow2)
         (format compressed-qcow2)
         (platform (i586-gnu (target "i586-pc-gnu") (system "i586-gnu")))
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
            (size guess)
            (offset 1048576)
            (label "hurd-root")
            (file-system "ext2")
            (file-system-options ("-o" "hurd" "-O" "ext_attr"))
            (flags (boot))
            (uuid (uuid "87c2de13-4f61-656d-009b-584287c2de13" dce))
            (initializer gexp)))))
  (effective-file-systems
   ((file-system
     (device (uuid "87c2de13-4f61-656d-009b-584287c2de13" dce))
     (mount-point "/")
     (type "ext2")
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
  (host-name "gnu-vm")
  (timezone "Asia/Tokyo")
  (locale "en_US.utf8")
  (label "GNU with the Hurd 0.9.git20251029")
  (kernel ("gnumach" "1.8+git20250731"))
  (hurd ("hurd" "0.9.git20251029"))
  (kernel-arguments ())
  (initrd-modules ())
  (firmware ())
  (keyboard-layout #f)
  (bootloader
   (bootloader-configuration
    (bootloader grub)
    (package ("grub-minimal" "2.12"))
    (targets ("/dev/vda"))
    (timeout 5)
    (default-entry 0)
    (menu-entries 0)
    (terminal-outputs (gfxterm))
    (terminal-inputs ())
    (serial-unit #f)
    (serial-speed #f)
    (keyboard-layout #f)
    (device-tree-support? #t)))
  (mapped-devices 0)
  (file-systems
   ((file-system
     (device (label "hurd-root"))
     (mount-point "/")
     (type "ext2")
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
   ("shepherd"
    "hurd"
    "netdde"
    "bash"
    "coreutils"
    "file"
    "findutils"
    "grep"
    "sed"
    "diffutils"
    "patch"
    "gawk"
    "tar"
    "gzip"
    "bzip2"
    "xz"
    "lzip"
    "zstd"
    "guile"
    "guile-colorized"
    "guile-readline"
    "net-base"
    "nss-certs"
    "inetutils"
    "less"
    "procps"
    "shadow"
    "sudo"
    "which"
    "info-reader"))
  (services
   (login virtual-terminal
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
    boot
    startup
    activate
    shepherd-root
    user-processes
    privileged-program
    account
    root-file-system
    file-systems
    fstab
    pam
    etc
    etc-hosts
    profile))))
