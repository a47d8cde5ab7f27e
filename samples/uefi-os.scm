;; A UEFI machine: GRUB as an EFI application, a GPT disk, a serial console.
;;   pyguix system image -t efi-raw samples/uefi-os.scm
(use-modules (gnu))
(use-service-modules networking)

(operating-system
  (host-name "efi-box")
  (bootloader (bootloader-configuration
               (bootloader grub-efi-bootloader)
               (targets '("/boot/efi"))
               (terminal-outputs '(serial console))
               (serial-unit 0)
               (serial-speed 115200)))
  (kernel-arguments (list "console=ttyS0,115200"))
  (file-systems (cons* (file-system
                         (device (file-system-label "my-root"))
                         (mount-point "/")
                         (type "ext4"))
                       (file-system          ;the image's ESP, by the label Guix gives it
                         (device (file-system-label "GNU-ESP"))
                         (mount-point "/boot/efi")
                         (type "vfat"))
                       %base-file-systems))
  (users (cons (user-account
                (name "alice")
                (group "users")
                (password ""))                ;log in without a password
               %base-user-accounts))
  (services (cons (service dhcpcd-service-type) %base-services)))
