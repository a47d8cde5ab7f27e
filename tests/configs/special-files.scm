;; Quasiquote: special files whose targets are computed from packages.
(use-modules (gnu))
(use-package-modules bash base python)

(define %my-special-files
  `(("/bin/sh" ,(file-append bash "/bin/sh"))
    ("/usr/bin/env" ,(file-append coreutils "/bin/env"))
    ("/usr/bin/python3" ,(file-append python "/bin/python3"))))

(operating-system
  (host-name "special")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))))
  (file-systems (cons (file-system
                        (device (file-system-label "root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (services (modify-services %base-services
              (special-files-service-type files =>
                                          %my-special-files))))
