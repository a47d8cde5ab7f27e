;; A development machine whose packages are the inputs of other packages
;; (as Guix's own development templates do): package-direct-inputs
;; and package-propagated-inputs, labels removed with alist-delete.
(use-modules (gnu)
             (guix packages)
             (ice-9 match)
             (srfi srfi-1))
(use-package-modules version-control package-management guile)

(define (input->package input)
  (match input
    ((label (? package? package)) package)
    ((label (? package? package) output) package)
    (_ #f)))

(define build-inputs
  (filter-map input->package
              (fold alist-delete (package-direct-inputs git)
                    '("perl" "tcl"))))

(operating-system
  (host-name "workbench")
  (timezone "America/Lima")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))))
  (file-systems (cons (file-system
                        (device (file-system-label "root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (packages (append build-inputs
                    (filter-map input->package (package-propagated-inputs guile-git))
                    (filter-map input->package (package-native-inputs guix))
                    %base-packages)))
