;; A typo outside the thunked fields: the file does not load at all, and
;; both Guix and pyguix should say where.
(use-modules (gnu))

(operating-system
  (host-name "typo-load")
  (timezone "Europe/Dublin")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))))
  (file-systems (cons (file-system
                        (device (file-system-label "root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-system)))
