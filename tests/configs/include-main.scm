;; Textual inclusion: the forms of common-services.scm are spliced in here,
;; as if written in this file (the path is relative to this file).
(use-modules (gnu))
(use-service-modules networking ssh)

(include "common-services.scm")

(operating-system
  (host-name "included")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))))
  (file-systems (cons (file-system
                        (device (file-system-label "root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (services (append %common-services %base-services)))
