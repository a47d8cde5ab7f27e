;; Reaching bindings with (@ MODULE NAME) instead of importing modules.
(use-modules (gnu))

((@ (gnu system) operating-system)
 (host-name "qualified")
 (bootloader ((@ (gnu bootloader) bootloader-configuration)
              (bootloader (@ (gnu bootloader grub) grub-bootloader))
              (targets '("/dev/sda"))))
 (file-systems (cons (file-system
                       (device (file-system-label "root"))
                       (mount-point "/")
                       (type "ext4"))
                     (@ (gnu system file-systems) %base-file-systems)))
 (services (cons (service (@ (gnu services networking) dhcpcd-service-type))
                 %base-services)))
