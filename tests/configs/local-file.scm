;; local-file: a file that sits next to this configuration.
(use-modules (gnu))

(operating-system
  (host-name "local")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))))
  (file-systems (cons (file-system
                        (device (file-system-label "root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (services (cons (simple-service 'motd etc-service-type
                                  `(("motd" ,(local-file "motd.txt"))))
                  %base-services)))
