;; A procedure with keyword arguments that makes machines of a fleet.
(use-modules (gnu))
(use-service-modules networking)

(define* (fleet-machine name #:key (disk "/dev/sda") (timezone "Etc/UTC")
                        (extra-services '()))
  (operating-system
    (host-name name)
    (timezone timezone)
    (bootloader (bootloader-configuration
                 (bootloader grub-bootloader)
                 (targets (list disk))))
    (file-systems (cons (file-system
                          (device (file-system-label "root"))
                          (mount-point "/")
                          (type "ext4"))
                        %base-file-systems))
    (services (append extra-services %base-services))))

(define %web (fleet-machine "web1" #:timezone "Europe/Lisbon"))

(fleet-machine "db1"
               #:disk "/dev/nvme0n1"
               #:extra-services (list (service dhcpcd-service-type)))
