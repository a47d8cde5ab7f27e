;; A misspelt field in a record nested deep in the file: Guix reports
;; "extraneous field initializers" at the record's form, not at the field.
(use-modules (gnu))

(define data-disk
  (file-system
    (mount-point "/srv")
    (device (file-system-label "data"))
    (typ "ext4")))

(operating-system
  (host-name "storage")
  (timezone "Europe/Oslo")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))))
  (file-systems (cons* (file-system
                         (device (file-system-label "root"))
                         (mount-point "/")
                         (type "ext4"))
                       data-disk
                       %base-file-systems)))
