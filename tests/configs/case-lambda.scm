;; case-lambda: one procedure, several arities.
(use-modules (gnu))

(define root-fs
  (case-lambda
    (() (root-fs "root"))
    ((label) (root-fs label "ext4"))
    ((label type)
     (file-system
       (device (file-system-label label))
       (mount-point "/")
       (type type)))))

(operating-system
  (host-name "lambda")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))))
  (file-systems (list (root-fs)
                      (file-system
                        (inherit (root-fs "data" "xfs"))
                        (mount-point "/srv"))))
  (users %base-user-accounts))
