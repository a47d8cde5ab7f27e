;; A config with a typo, as users write them: Guix and pyguix should both
;; reject it, at the same place.
(use-modules (gnu))
(use-service-modules networking)

(operating-system
  (host-name "typo")
  (timezone "Europe/Dublin")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))))
  (file-systems (cons (file-system
                        (device (file-system-label "root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (services (cons (service dhcpcd-service-type)
                  %base-servces)))
