;; A swap file, and a user whose initial password is set (hashed) in the
;; configuration itself.
(use-modules (gnu))

(operating-system
  (host-name "swappy")
  (timezone "America/New_York")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))
               (timeout 3)))
  (file-systems (cons (file-system
                        (device (file-system-label "root"))
                        (mount-point "/")
                        (type "btrfs")
                        (options "compress=zstd"))
                      %base-file-systems))
  (swap-devices (list (swap-space (target "/swapfile"))))
  (users (cons (user-account
                (name "alice")
                (group "users")
                (password (crypt "alice" "$6$abc"))
                (supplementary-groups '("wheel")))
               %base-user-accounts)))
