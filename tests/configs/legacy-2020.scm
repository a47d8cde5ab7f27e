;; A config as written in 2020: single-string `target', DHCP client
;; service, and nss-certs added by hand.
(use-modules (gnu))
(use-service-modules networking ssh)
(use-package-modules certs screen ssh)

(operating-system
  (host-name "komputilo")
  (timezone "Europe/Berlin")
  (locale "en_US.utf8")

  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (target "/dev/sda")))

  (file-systems (cons (file-system
                        (device (file-system-label "my-root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))

  (users (cons (user-account
                (name "alice")
                (comment "Bob's sister")
                (group "users")
                (supplementary-groups '("wheel" "audio" "video"))
                (home-directory "/home/alice"))
               %base-user-accounts))

  (packages (cons* nss-certs screen %base-packages))

  (services (append (list (service dhcp-client-service-type)
                          (service openssh-service-type
                                   (openssh-configuration
                                    (port-number 2222))))
                    %base-services)))
