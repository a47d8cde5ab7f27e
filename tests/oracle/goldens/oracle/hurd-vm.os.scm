;; guix 1.5.0 (GUIX_ORACLE=1.5): run.sh tests/oracle/configs/hurd-vm.scm => exit 0
(file "hurd-vm.scm" evaluates-to operating-system)
(operating-system
 (host-name "gnumach")
 (timezone "Europe/Brussels")
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
   (targets ("/dev/sdX"))
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
    (device (label "my-root"))
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
          (name "rms")
          (group "users")
          (supplementary-groups ("wheel"))
          (home-directory "/home/rms")
          (shell (file-append ("bash" "5.2.37") "/bin/bash"))
          (comment "")
          (password #f)
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
  ("openssh-sans-x"
   "shepherd"
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
  (openssh
   openssh
   static-networking
   console
   guix
   special-files
   syslog
   getty
   getty
   getty
   getty
   getty
   getty))
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
   profile)))
