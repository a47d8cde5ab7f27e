;; Swap three ways: a partition by label, one by UUID with a priority, and
;; a swap file on the root file system.
(use-modules (gnu))

(operating-system
  (host-name "swapper")
  (timezone "Australia/Sydney")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))))
  (file-systems (cons (file-system
                        (device (file-system-label "root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (swap-devices
   (list (swap-space (target (file-system-label "swap")))
         (swap-space (target (uuid "4dab5feb-d176-45de-b287-9b0a6e4c01cb"))
                     (priority 10)
                     (discard? #t))
         (swap-space (target "/swapfile")
                     (dependencies (filter (file-system-mount-point-predicate "/")
                                           %base-file-systems))))))
