;; A config written as a module that exports its OS, as shared setups do;
;; the file's last expression is the exported variable.
(define-module (my-systems base)
  #:use-module (gnu)
  #:use-module (gnu services networking)
  #:use-module (gnu services ssh)
  #:export (%my-base-os))

(define %my-base-os
  (operating-system
    (host-name "modular")
    (timezone "Europe/Rome")
    (bootloader (bootloader-configuration
                 (bootloader grub-bootloader)
                 (targets '("/dev/sda"))))
    (file-systems (cons (file-system
                          (device (file-system-label "root"))
                          (mount-point "/")
                          (type "ext4"))
                        %base-file-systems))
    (services (cons* (service dhcpcd-service-type)
                     (service openssh-service-type)
                     %base-services))))

%my-base-os
