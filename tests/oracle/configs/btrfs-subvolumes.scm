;; One btrfs volume, several subvolumes mounted with options; /gnu/store
;; mounted from its own subvolume, needed at boot.
(use-modules (gnu) (srfi srfi-1))

(define (subvolume name mount-point)
  (file-system
    (device (file-system-label "pool"))
    (mount-point mount-point)
    (type "btrfs")
    (options (string-append "subvol=" name ",compress=zstd"))))

(operating-system
  (host-name "butter")
  (timezone "Europe/Vienna")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/nvme0n1"))))
  (file-systems (append
                 (list (subvolume "@" "/")
                       (subvolume "@home" "/home")
                       (file-system
                         (inherit (subvolume "@store" "/gnu/store"))
                         (needed-for-boot? #t)
                         (flags '(no-atime)))
                       (file-system
                         (inherit (subvolume "@log" "/var/log"))
                         (check? #f)))
                 %base-file-systems)))
